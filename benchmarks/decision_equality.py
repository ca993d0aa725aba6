"""Whole-path equality check: does a hot-path change leave every served decision as it was?

A speed change (issue #12) may not move quality by a point, and the safest proof is that it moves
no output at all. This dumps every field of the decisions the registered models give (SMS: real
mudou messages, half spam, plus demo-generator scams that pay for reasons; calls: profiles from
the SQLite store plus one unknown caller), one message per call and batched, then compares two
dumps: scores within 1e-9, everything else (action, category, fraud type, reasons, watched values)
exactly. Run the dump once per checkout, with the same data dir (same registered models):

    PYTHONPATH=/path/to/main:. .venv/bin/python benchmarks/decision_equality.py dump /tmp/before.json
    PYTHONPATH=. .venv/bin/python benchmarks/decision_equality.py dump /tmp/after.json
    PYTHONPATH=. .venv/bin/python benchmarks/decision_equality.py compare /tmp/before.json /tmp/after.json

``compare`` prints each difference and exits 1 on any (2 when the dumps are of different inputs or
unreadable). Without a call model or ``profiles.db`` in the data dir the call part is skipped and
says so; ``compare`` refuses dumps that do not hold the same parts.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.serve_bench import CALL_MODEL, demo_scams, mudou_records

SCORE_FIELDS = ("score", "fraud_score", "fraud_type_score")
EXACT_FIELDS = ("action", "fraud_type", "category", "reasons")
SCORE_TOLERANCE = 1e-9
SMS_MODEL = "models:/yunmao-sms@champion"


def decision_row(decision: object) -> dict:
    """The fields a caller of the service sees (and live drift reads), as JSON-ready values."""
    row = {name: getattr(decision, name) for name in (*SCORE_FIELDS, *EXACT_FIELDS)}
    row["reasons"] = list(row["reasons"])
    row["watched"] = [float(value) for value in decision.watched]
    return row


def single_and_batched(decide: Callable[[list[dict]], list], inputs: list[dict], singles: int) -> dict:
    """Decisions for the first ``singles`` inputs one call each, and for all inputs in one batch:
    batching must not change a message's decision either."""
    return {
        "inputs": inputs,
        "one_at_a_time": [decision_row(decide([item])[0]) for item in inputs[:singles]],
        "batched": [decision_row(decision) for decision in decide(inputs)],
    }


def sms_part(uri: str, mudou: int, scams: int, seed: int) -> dict:
    from models.registry import load_scam_model

    model = load_scam_model(uri)
    records = mudou_records(mudou, seed) + demo_scams(scams)
    return single_and_batched(lambda batch: model.decide(batch, explain=True), records, len(records) // 2)


def call_part(uri: str, callers: int) -> dict | None:
    """Call decisions from the data dir's profile store; None where there is no store or model."""
    from mlflow.exceptions import MlflowException

    from configs.paths import data_dir
    from models.registry import load_scam_model
    from serving.call_scoring import decide_calls
    from serving.profile_store import SqliteProfileStore
    from serving.reload import LoadedModel

    path = data_dir() / "profiles.db"
    if not path.exists():
        print(f"decision_equality: no {path}: call decisions skipped", file=sys.stderr)
        return None
    try:
        loaded = LoadedModel("equality", "0", load_scam_model(uri), None)
    except MlflowException as error:
        print(f"decision_equality: no call model {uri} ({error}): call decisions skipped", file=sys.stderr)
        return None
    with sqlite3.connect(path) as conn:
        numbers = [row[0] for row in conn.execute("SELECT number FROM profiles ORDER BY number LIMIT ?", (callers,))]
    calls = [{"id": f"c{i}", "caller": number} for i, number in enumerate([*numbers, "unknown-number"])]
    store = SqliteProfileStore(path)
    return single_and_batched(lambda batch: decide_calls(loaded, batch, store, True, "allow"), calls, len(calls) // 2)


def differences(before: dict, after: dict) -> list[str]:
    """One line per field that differs between two dumps' decisions.

    Raises:
        ValueError: the dumps hold different parts or different inputs (nothing to compare).
    """
    if before.keys() != after.keys():
        raise ValueError(f"the dumps hold different parts: {sorted(before)} vs {sorted(after)}")
    found: list[str] = []
    for part in before:
        if before[part]["inputs"] != after[part]["inputs"]:
            raise ValueError(f"{part}: the dumps are of different inputs")
        for kind in ("one_at_a_time", "batched"):
            rows = zip(before[part][kind], after[part][kind], strict=True)
            for i, (old, new) in enumerate(rows):
                found += [f"{part} {kind} #{i} {line}" for line in _row_differences(old, new)]
    return found


def _row_differences(old: dict, new: dict) -> list[str]:
    lines = [f"{name}: {old[name]!r} -> {new[name]!r}" for name in SCORE_FIELDS if not _close(old[name], new[name])]
    lines += [f"{name}: {old[name]!r} -> {new[name]!r}" for name in EXACT_FIELDS if old[name] != new[name]]
    if not _same_values(old["watched"], new["watched"]):
        lines.append(f"watched: {old['watched']!r} -> {new['watched']!r}")
    return lines


def _close(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is new
    return abs(old - new) <= SCORE_TOLERANCE


def _same_values(old: Sequence[float], new: Sequence[float]) -> bool:
    """Exactly equal, NaN (a missing watched value) equal to NaN."""
    return len(old) == len(new) and all(u == v or (math.isnan(u) and math.isnan(v)) for u, v in zip(old, new, strict=True))


def dump(args: argparse.Namespace) -> int:
    parts = {"sms": sms_part(args.sms_model, args.mudou, args.scams, args.seed)}
    calls = call_part(args.call_model, args.callers)
    if calls is not None:
        parts["calls"] = calls
    Path(args.out).write_text(json.dumps(parts, ensure_ascii=False), encoding="utf-8")
    for name, part in parts.items():
        flagged = sum(row["action"] != "allow" for row in part["batched"])
        print(f"{name}: {len(part['one_at_a_time'])} one at a time + {len(part['batched'])} batched ({flagged} flagged)")
    return 0


def compare(args: argparse.Namespace) -> int:
    try:
        before, after = (json.loads(Path(path).read_text(encoding="utf-8")) for path in (args.before, args.after))
        found = differences(before, after)
    except (OSError, ValueError, KeyError) as error:
        print(f"decision_equality: cannot compare: {error}", file=sys.stderr)
        return 2
    for line in found:
        print(line)
    compared = sum(len(part[kind]) for part in before.values() for kind in ("one_at_a_time", "batched"))
    print(f"differences: {len(found)} in {compared} decisions")
    return 1 if found else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="write this checkout's decisions to OUT (JSON)")
    dumping.add_argument("out")
    dumping.add_argument("--sms-model", default=SMS_MODEL)
    dumping.add_argument("--call-model", default=CALL_MODEL)
    dumping.add_argument("--mudou", type=int, default=600, help="real mudou SMS, half spam")
    dumping.add_argument("--scams", type=int, default=200, help="demo-generator scams (reasons paid)")
    dumping.add_argument("--callers", type=int, default=400, help="profiles from the store")
    dumping.add_argument("--seed", type=int, default=5)
    dumping.set_defaults(run=dump)
    comparing = commands.add_parser("compare", help="print the differences between two dumps; exit 1 on any")
    comparing.add_argument("before")
    comparing.add_argument("after")
    comparing.set_defaults(run=compare)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
