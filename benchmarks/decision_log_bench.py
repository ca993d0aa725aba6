"""What the decision log costs a request (issue #13): time to queue one one-message request's
decision (``log_scored``, on the request path), to commit it (the writer thread, batched) and to
read the log back (what each worker's live-health refresh and ``yunmao monitor`` do);
with ``--redis-url``, the same for the Redis backend side by side, and its Redis memory per decision.

    nice -n 10 .venv/bin/python benchmarks/decision_log_bench.py [--redis-url redis://127.0.0.1:6390/0]

20,000 one-message requests with 20 watched feature values each, into a fresh log (a temp dir;
in Redis the key ``yunmao:bench-decisions``, deleted first). Wall time on a shared machine is
inflated by other processes; this thread's CPU time is what the request path pays on a core of
its own. The Redis server's own CPU is not in the writer's CPU time: compare wall times for it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timezone
from types import SimpleNamespace

from configs.monitor import DecisionLogConfig
from serving.decision_log import DecisionLog, log_scored
from serving.schemas import ScoreResult, new_decision_id

DECISIONS = 20_000
BENCH_KEY = "yunmao:bench-decisions"


def measure(name: str, log: DecisionLog) -> None:
    """Queue then flush DECISIONS one-message requests' decisions into ``log``; print the costs."""
    served = SimpleNamespace(name="yunmao-sms", version="1", model=SimpleNamespace(watched_features=[f"f{i}" for i in range(20)]))
    verdict = SimpleNamespace(watched=tuple(0.123456 * i for i in range(20)))
    results = [ScoreResult(decision_id=new_decision_id(), id="m", score=0.5, action="allow") for _ in range(DECISIONS)]
    start, cpu = time.perf_counter(), time.thread_time()
    for result in results:
        log_scored(log, served, [result], [verdict], ["13800138000"])  # type: ignore[arg-type]
    queued, queued_cpu = time.perf_counter() - start, time.thread_time() - cpu
    start, cpu = time.perf_counter(), time.thread_time()
    written = log.flush()
    flushed, flushed_cpu = time.perf_counter() - start, time.thread_time() - cpu
    assert written == DECISIONS, f"{name}: {written} of {DECISIONS} written"
    start, cpu = time.perf_counter(), time.thread_time()
    rows = len(log.read(datetime(2000, 1, 1, tzinfo=timezone.utc)))
    read, read_cpu = time.perf_counter() - start, time.thread_time() - cpu
    assert rows == DECISIONS, f"{name}: {rows} of {DECISIONS} read"
    print(f"{name} record (request path): {queued / DECISIONS * 1e6:.1f} us wall, "
          f"{queued_cpu / DECISIONS * 1e6:.1f} us CPU per one-message request")
    print(f"{name} flush (writer thread): {flushed / DECISIONS * 1e6:.1f} us wall, "
          f"{flushed_cpu / DECISIONS * 1e6:.1f} us CPU per decision ({DECISIONS} in one batch)")
    print(f"{name} read (live-health refresh, monitor): {read * 1e3:.0f} ms wall, {read_cpu * 1e3:.0f} ms CPU for all {DECISIONS}")


def redis_memory_per_decision(url: str) -> float:
    """Bytes of Redis memory (stream, id index, names) per decision under BENCH_KEY."""
    import redis

    client = redis.Redis.from_url(url)
    keys = [BENCH_KEY, f"{BENCH_KEY}:ids", f"{BENCH_KEY}:watched", f"{BENCH_KEY}:seq"]
    return sum(client.memory_usage(key, samples=0) or 0 for key in keys) / DECISIONS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", help="Also measure the redis backend (a server with appendonly yes).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="decision-log-bench-") as folder:
        measure("sqlite", DecisionLog(DecisionLogConfig(path=f"{folder}/decisions.db", max_rows=100_000), b"k" * 32))
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).delete(BENCH_KEY, f"{BENCH_KEY}:ids", f"{BENCH_KEY}:watched", f"{BENCH_KEY}:seq")
        config = DecisionLogConfig(backend="redis", url=args.redis_url, redis_key=BENCH_KEY, max_rows=100_000)
        measure("redis", DecisionLog(config, b"k" * 32))
        print(f"redis memory: {redis_memory_per_decision(args.redis_url):.0f} bytes per decision")


if __name__ == "__main__":
    main()
