"""What the decision log costs a request (issue #13): time to queue one one-message request's
decision (``log_scored``, on the request path) and to commit it (the writer thread, batched).

    nice -n 10 .venv/bin/python benchmarks/decision_log_bench.py

20,000 one-message requests with 20 watched feature values each, into a fresh log in a temp dir.
Wall time on a shared machine is inflated by other processes; this thread's CPU time is what the
request path pays on a core of its own.
"""

from __future__ import annotations

import tempfile
import time
from types import SimpleNamespace

from configs.monitor import DecisionLogConfig
from serving.decision_log import DecisionLog, log_scored
from serving.schemas import ScoreResult, new_decision_id


def main() -> None:
    folder = tempfile.mkdtemp()
    log = DecisionLog(DecisionLogConfig(path=f"{folder}/decisions.db", max_rows=100_000), b"k" * 32)
    served = SimpleNamespace(name="yunmao-sms", version="1", model=SimpleNamespace(watched_features=[f"f{i}" for i in range(20)]))
    verdict = SimpleNamespace(watched=tuple(0.123456 * i for i in range(20)))
    n = 20_000
    results = [ScoreResult(decision_id=new_decision_id(), id="m", score=0.5, action="allow") for _ in range(n)]
    start, cpu = time.perf_counter(), time.thread_time()
    for result in results:
        log_scored(log, served, [result], [verdict], ["13800138000"])  # type: ignore[arg-type]
    queued, queued_cpu = time.perf_counter() - start, time.thread_time() - cpu
    start, cpu = time.perf_counter(), time.thread_time()
    log.flush()
    flushed, flushed_cpu = time.perf_counter() - start, time.thread_time() - cpu
    print(f"record (request path): {queued / n * 1e6:.1f} us wall, {queued_cpu / n * 1e6:.1f} us CPU per one-message request")
    print(f"flush (writer thread): {flushed / n * 1e6:.1f} us wall, {flushed_cpu / n * 1e6:.1f} us CPU per decision ({n} in one transaction)")


if __name__ == "__main__":
    main()
