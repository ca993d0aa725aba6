"""What a live-health refresh's drift costs per worker (serving/live_health): decoding the window's
decision-log rows into value columns (``decode_watched``, paid once per row as it is read), the
watched-feature columns pulled out of them and their PSI against the reference, beside the loop
over rows and values that ``watched_columns`` once was, in one run.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/live_drift_bench.py [--rows 100000 --features 10]

Decision-log rows as ``DecisionLog.read`` returns them (``watched`` a list of floats per row,
``watched_names`` a list of names), a reference of 2,000 rows per feature. Each step runs
``--repeats`` times interleaved; the best CPU time of this thread is printed (the refresh thread
holds the interpreter lock for about that long), and the two PSI results are checked equal.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from unittest import mock

import numpy as np
import pandas as pd

from configs.monitor import LiveHealthConfig
from models.scam_model import REFERENCE_SCORE
from serving import live_health

REFERENCE_ROWS = 2000


def per_row_watched_columns(decisions: pd.DataFrame) -> dict[str, np.ndarray]:
    """``watched_columns`` as it was before numpy: a Python loop over every row and value."""
    columns: dict[str, list[float]] = {}
    for names, values in zip(decisions["watched_names"], decisions["watched"], strict=True):
        for name, value in zip(names, values, strict=False):
            columns.setdefault(name, []).append(value)
    return {name: np.asarray(values, dtype=float) for name, values in columns.items()}


def decision_rows(rng: np.random.Generator, rows: int, features: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Scored decision-log rows, decoded from JSON per row as the log's readers decode them, and
    a reference: each feature's live values are shifted and wider than its reference (so many
    fall outside the reference's range), with 5 % NaN."""
    names = [f"特征{i}" for i in range(features)]
    names_json = json.dumps(names, ensure_ascii=False)
    live = rng.normal(0.3, 1.5, (rows, features)).round(5)
    live[rng.random((rows, features)) < 0.05] = np.nan
    frame = pd.DataFrame({"score": rng.random(rows), "watched": [json.loads(json.dumps(row)) for row in live.tolist()],
                          "watched_names": [json.loads(names_json) for _ in range(rows)]})
    reference = {REFERENCE_SCORE: rng.random(REFERENCE_ROWS), **{n: rng.normal(0, 1, REFERENCE_ROWS) for n in names}}
    return frame, reference


def cpu_seconds(run: Callable[[], object]) -> tuple[float, object]:
    start = time.thread_time()
    result = run()
    return time.thread_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    frame, reference = decision_rows(np.random.default_rng(0), args.rows, args.features)
    decoded = live_health.decode_watched(frame)
    config = LiveHealthConfig()
    steps: dict[str, Callable[[], object]] = {
        "decode_watched (once per row, at read)": lambda: live_health.decode_watched(frame),
        "watched_columns (decoded rows)": lambda: live_health.watched_columns(decoded),
        "drift() (decoded rows)": lambda: live_health.drift(decoded, reference, config),
        "per-row loop: watched_columns": lambda: per_row_watched_columns(frame),
        "per-row loop: drift()": lambda: per_row_drift(frame, reference, config),
    }
    best = dict.fromkeys(steps, np.inf)
    results = {}
    for _ in range(args.repeats):
        for name, step in steps.items():
            spent, results[name] = cpu_seconds(step)
            best[name] = min(best[name], spent)
    shipped, before = results["drift() (decoded rows)"], results["per-row loop: drift()"]
    gap = max(abs(a["psi"] - b["psi"]) for a, b in zip(shipped, before, strict=True))  # type: ignore[call-overload]
    print(f"{args.rows:,} rows x {args.features} watched features, best of {args.repeats}, this thread's CPU:")
    for name, spent in best.items():
        print(f"  {name}: {spent * 1e3:.0f} ms")
    ratio = best["per-row loop: drift()"] / best["drift() (decoded rows)"]
    print(f"  drift() per-row loop / decoded: {ratio:.1f}x; largest PSI difference {gap:.1e}")


def per_row_drift(frame: pd.DataFrame, reference: dict[str, np.ndarray], config: LiveHealthConfig) -> list[dict[str, object]]:
    """``drift`` with the per-row loop for ``watched_columns``, on undecoded rows."""
    with mock.patch.object(live_health, "watched_columns", per_row_watched_columns):
        return live_health.drift(frame, reference, config)

if __name__ == "__main__":
    main()
