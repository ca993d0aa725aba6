"""Rows the loader cannot use (a label that is not 0/1, a malformed JSONL line) are reported by
``predict``, ``evaluate`` and ``report``, never dropped silently: the output names how many, why
and where the first one is."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from configs.report import load_report_config
from models.scam_model import ScamModel
from tests.models.conftest import SMALL_SMS_CONFIG
from training.cli_support import warn_bad_rows, warn_one_class
from training.data.demo_sms import generate_demo_sms
from training.evaluate import evaluate_files
from training.predict import predict_files
from training.report.model import evaluate_for_report
from training.tables import OutputError
from training.train import fit_sms

EVALUATION = EvaluationConfig(bootstrap=BootstrapConfig(resamples=100))


@pytest.fixture(scope="module")
def model() -> ScamModel:
    return fit_sms(generate_demo_sms(n=400, seed=5), SMALL_SMS_CONFIG).model


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate_demo_sms(n=120, seed=6)


def test_evaluate_reports_rows_whose_label_it_could_not_read(model: ScamModel, frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    frame.astype({"label": object}).assign(label=lambda f: f["label"].where(f.index >= 5, "maybe")).to_csv(path, index=False)
    report = evaluate_files(model, [path], evaluation=EVALUATION)
    assert report["n"] == 115
    assert report["bad_rows"] == {"bad_label": 5} and report["first_bad_row"] == {"bad_label": f"{path}:2"}


def test_one_class_left_by_unreadable_labels_says_both_why_and_what_is_measured(
        model: ScamModel, frame: pd.DataFrame, tmp_path: Path) -> None:
    """Labels 0/2: every 2 is left out; the rest (normal rows only) is still evaluated, and the
    output says which rows were dropped and what one class cannot measure."""
    path = tmp_path / "eval.csv"
    frame.assign(label=frame["label"] * 2).to_csv(path, index=False)
    positives = int(frame["label"].sum())
    report = evaluate_files(model, [path], evaluation=EVALUATION)
    assert report["bad_rows"] == {"bad_label": positives}
    assert report["one_class"].startswith(f"only normal rows ({len(frame) - positives}): ")


@pytest.mark.parametrize(("label", "measured", "undefined"), [(0, "fpr", "recall"), (1, "recall", "fpr")],
                         ids=["all_normal", "all_fraud"])
def test_a_one_class_file_is_evaluated_and_reported_saying_what_it_cannot_measure(
        model: ScamModel, frame: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        label: int, measured: str, undefined: str) -> None:
    """Was: evaluate refused the file (exit 2) while report exited 0 with roc_auc null and a
    recall of 0.0 on no fraud at all. One rule now (training.metrics.one_class): both go on,
    with the AUCs and the rate the missing class defines null, and say so on stderr and in the output."""
    path = tmp_path / "one_class.csv"
    frame[frame["label"] == label].to_csv(path, index=False)
    evaluated = evaluate_files(model, [path], evaluation=EVALUATION)
    reported = evaluate_for_report(model, "m", "1", frame[frame["label"] == label].reset_index(drop=True),
                                   load_report_config(None))
    head = reported.metrics["headline"]
    assert evaluated["one_class"] == head["one_class"] and evaluated["one_class"].startswith("only ")
    assert evaluated["roc_auc"] is None and head["roc_auc"] is None and evaluated["best_f1"] is None
    assert evaluated[undefined] is None and head["block"][undefined] is None and head["warn"][undefined] is None
    assert isinstance(evaluated[measured], float) and isinstance(head["block"][measured], float)
    assert head["one_class"] in reported.html
    slices = reported.metrics["sender_kinds"]  # every slice of a one-class file has one class
    assert slices and all(s["block"][undefined] is None and s["one_class"] for s in slices)
    assert reported.html.count("one class only: only ") == len(slices)
    warn_one_class(evaluated["one_class"])
    assert capsys.readouterr().err == f"warning: {evaluated['one_class']}\n"


def test_predict_reports_a_malformed_jsonl_line(model: ScamModel, frame: pd.DataFrame, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "score.jsonl"
    lines = [json.dumps({"id": row.id, "text": row.text}, ensure_ascii=False) for row in frame.head(3).itertuples()]
    path.write_text("\n".join([lines[0], "{not json", *lines[1:]]) + "\n", encoding="utf-8")
    decisions, notes = predict_files(model, [path], tmp_path / "out.csv")
    assert len(decisions) == 3 and notes == {"bad_rows": {"bad_json": 1}, "first_bad_row": {"bad_json": f"{path}:2"}}
    warn_bad_rows(notes)
    assert capsys.readouterr().err == f"warning: 1 input rows left out or changed: bad_json=1 (first at {path}:2)\n"


def test_a_clean_file_has_no_bad_row_notes(model: ScamModel, frame: pd.DataFrame, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clean.csv"
    frame.to_csv(path, index=False)
    _, notes = predict_files(model, [path], tmp_path / "out.csv")
    assert notes == {}
    warn_bad_rows(notes)
    assert capsys.readouterr().err == ""


def test_predict_refuses_to_write_over_its_own_input(model: ScamModel, frame: pd.DataFrame, tmp_path: Path) -> None:
    """`yunmao predict --data x.csv --out x.csv` replaced the messages with their decisions, exit 0."""
    path = tmp_path / "score.csv"
    frame.to_csv(path, index=False)
    before = path.read_bytes()
    with pytest.raises(OutputError, match=r"--out .*score\.csv is also an input .*writing would destroy it"):
        predict_files(model, [path], tmp_path / "." / "score.csv")
    assert path.read_bytes() == before
