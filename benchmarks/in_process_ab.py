"""One SMS decision's cost in two checkouts, measured in interleaved blocks (issue #12).

    YUNMAO_DATA_DIR=… OMP_NUM_THREADS=1 nice .venv/bin/python benchmarks/serve_bench.py \\
        --only-in-process --before TREE [--rounds 10] [--model URI]

On the shared 2-core machine, two back-to-back runs of serve_bench's in-process rows differ by
20–30 % from one minute to the next (docs/benchmarks.md, session 26): more than most hot-path
changes move. Here each checkout scores in a long-lived process of its own (imports resolved in
its tree, model loaded and warmed once), and the two take turns: each round runs a block of
single messages, then a block of 256-message batches, in each process, the order of the two
processes alternating by round. Drift then hits both alike, and each round gives one paired
ratio. Reported: the pooled figures of each checkout (p50 CPU time of one decision, messages
per CPU second) and the geometric mean of the per-round ratios with a 95 % bootstrap interval
(rounds resampled).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BATCH = 256
# Per block: single messages and 256-message batches, each about a CPU second on this machine.
ONE_BLOCK, BATCH_BLOCK = 1000, 4


@dataclass(frozen=True)
class Round:
    """One round's CPU seconds per call: (before, this tree) for single messages and for batches."""

    one: tuple[list[float], list[float]]
    batch: tuple[list[float], list[float]]

    @property
    def p50_ratio(self) -> float:
        """This tree's p50 for one message over the before tree's (< 1: faster)."""
        before, after = self.one
        return statistics.median(after) / statistics.median(before)

    @property
    def batch_ratio(self) -> float:
        """This tree's batch throughput over the before tree's (> 1: faster)."""
        before, after = self.batch
        return sum(before) / sum(after)


def worker(model: str, messages: int) -> None:
    """Child mode: load ``model`` with the checkout on PYTHONPATH, then answer ``one K`` / ``batch K``
    lines with the thread CPU seconds of each of K decisions (one message, or a batch of 256)."""
    from serve_bench import mudou_records

    from models.registry import load_scam_model

    scam_model = load_scam_model(model)
    records = mudou_records(messages, seed=11)
    scam_model.decide(records[:BATCH])  # warm: n-gram counters, analyzers, tree caches
    position = 0
    print("ready", flush=True)
    for line in sys.stdin:
        kind, count = line.split()
        size = 1 if kind == "one" else BATCH
        spent = []
        for _ in range(int(count)):
            batch = [records[(position + j) % len(records)] for j in range(size)]
            position += size
            started = time.thread_time()
            scam_model.decide(batch)
            spent.append(time.thread_time() - started)
        print(json.dumps(spent), flush=True)


class _Checkout:
    """A worker process scoring with the code of one tree."""

    def __init__(self, tree: Path, model: str, messages: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", "--model", model, "--messages", str(messages)],
            cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit(f"in_process_ab: the worker for {tree} did not start (its stderr is above)")

    def run(self, kind: str, count: int) -> list[float]:
        self.process.stdin.write(f"{kind} {count}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def interleaved_rounds(before: Path, this_tree: Path, model: str, messages: int, rounds: int) -> list[Round]:
    """``rounds`` rounds of a single-message and a batch block in each checkout, order alternating."""
    checkouts = (_Checkout(before, model, messages), _Checkout(this_tree, model, messages))
    try:
        measured = []
        for index in range(rounds):
            order = (0, 1) if index % 2 == 0 else (1, 0)
            blocks: dict[str, list[list[float]]] = {"one": [[], []], "batch": [[], []]}
            for kind, count in (("one", ONE_BLOCK), ("batch", BATCH_BLOCK)):
                for which in order:
                    blocks[kind][which] = checkouts[which].run(kind, count)
            measured.append(Round(tuple(blocks["one"]), tuple(blocks["batch"])))
        return measured
    finally:
        for checkout in checkouts:
            checkout.close()


def geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def render(rounds: list[Round], meta: str) -> str:
    """Pooled figures per checkout, then the paired ratios with their intervals."""
    from shadow_bench import pair_bootstrap  # here: a worker imports nothing it does not score with

    lines = [meta, "", "| checkout | 1 SMS p50 ms | 1 SMS p99 ms | 1 SMS msg/s | batch 256 msg/s |", "| --- | ---: | ---: | ---: | ---: |"]
    for which, label in ((0, "before"), (1, "this tree")):
        ones = [t for r in rounds for t in r.one[which]]
        batches = [t for r in rounds for t in r.batch[which]]
        q = statistics.quantiles(ones, n=100)
        lines.append(f"| {label} | {q[49] * 1000:.3f} | {q[98] * 1000:.3f} | {len(ones) / sum(ones):,.0f} | "
                     f"{BATCH * len(batches) / sum(batches):,.0f} |")
    p50, p50_low, p50_high = pair_bootstrap(rounds, lambda rs: geometric_mean([r.p50_ratio for r in rs]))
    rate, rate_low, rate_high = pair_bootstrap(rounds, lambda rs: geometric_mean([r.batch_ratio for r in rs]))
    lines += ["", f"- this tree ÷ before, geometric mean of {len(rounds)} rounds (95 % interval, rounds resampled): "
                  f"one SMS p50 **{p50:.3f}** ({p50_low:.3f}–{p50_high:.3f}; < 1 is faster); "
                  f"batch throughput **{rate:.3f}** ({rate_low:.3f}–{rate_high:.3f}; > 1 is faster)"]
    return "\n".join(lines)


def run_ab(before: Path, model: str, messages: int, rounds: int) -> str:
    """The interleaved comparison of ``before`` with the tree this file is in, rendered."""
    this_tree = Path(__file__).resolve().parents[1]
    if not (before / "models" / "scam_model.py").is_file():
        raise SystemExit(f"in_process_ab: --before {before} is not a yunmao checkout (no models/scam_model.py there)")
    load = os.getloadavg()[0]
    measured = interleaved_rounds(before.resolve(), this_tree, model, messages, rounds)
    return render(measured, (
        f"Model `{model}`; {messages} real mudou SMS (half spam), no cache; CPU time of the scoring thread; "
        f"{rounds} rounds, each a block of {ONE_BLOCK} single messages and {BATCH_BLOCK} batches of {BATCH} per checkout, "
        f"order alternating; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after. "
        f"Run: `nice .venv/bin/python benchmarks/serve_bench.py {' '.join(sys.argv[1:])}`."
    ))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--model", required=True)
    parser.add_argument("--messages", type=int, required=True)
    arguments = parser.parse_args()
    worker(arguments.model, arguments.messages)
