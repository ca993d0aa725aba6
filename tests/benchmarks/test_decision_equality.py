"""benchmarks/decision_equality.py: the check every hot-path change must pass finds what moved."""

import json
import math

import pytest

from benchmarks.decision_equality import differences, main, single_and_batched
from models.scam_model import Decision


def _decision(score: float, reasons: list[str], watched: tuple[float, ...] = (1.0, math.nan)) -> Decision:
    return Decision(
        score=score,
        action="block" if score > 0.5 else "allow",
        fraud_type=None,
        fraud_type_score=None,
        reasons=reasons,
        category="fraud",
        fraud_score=score,
        watched=watched,
    )


def _dump() -> dict:
    inputs = [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}]
    decide = lambda batch: [_decision(0.9 if item["id"] == "a" else 0.1, ["url"]) for item in batch]  # noqa: E731
    return {"sms": json.loads(json.dumps(single_and_batched(decide, inputs, singles=1)))}


def test_identical_dumps_with_missing_watched_values_have_no_differences():
    assert differences(_dump(), _dump()) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("score", 0.9 + 2e-9, "score"),
        ("fraud_type_score", 0.3, "fraud_type_score"),
        ("action", "warn", "action"),
        ("reasons", ["link"], "reasons"),
        ("watched", [1.0, 0.0], "watched"),
    ],
)
def test_each_moved_field_is_reported_once(field, value, expected):
    after = _dump()
    after["sms"]["batched"][0][field] = value
    found = differences(_dump(), after)
    assert len(found) == 1 and found[0].startswith(f"sms batched #0 {expected}:")


def test_a_score_within_the_tolerance_is_not_a_difference():
    after = _dump()
    after["sms"]["one_at_a_time"][0]["score"] += 1e-12
    assert differences(_dump(), after) == []


def test_dumps_of_different_inputs_are_refused():
    after = _dump()
    after["sms"]["inputs"][1]["text"] = "z"
    with pytest.raises(ValueError, match="different inputs"):
        differences(_dump(), after)


def test_compare_exits_1_on_a_difference_and_2_on_a_missing_dump(tmp_path, capsys):
    before, after = _dump(), _dump()
    after["sms"]["batched"][1]["category"] = "spam"
    for name, dump in (("before", before), ("after", after)):
        (tmp_path / f"{name}.json").write_text(json.dumps(dump))
    assert main(["compare", str(tmp_path / "before.json"), str(tmp_path / "before.json")]) == 0
    assert main(["compare", str(tmp_path / "before.json"), str(tmp_path / "after.json")]) == 1
    assert "sms batched #1 category: 'fraud' -> 'spam'" in capsys.readouterr().out
    assert main(["compare", str(tmp_path / "before.json"), str(tmp_path / "absent.json")]) == 2
