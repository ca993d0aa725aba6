"""Rows the loader cannot use (a label that is not 0/1, a malformed JSONL line) are reported by
``predict``, ``evaluate`` and ``report``, never dropped silently: the output names how many, why
and where the first one is."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from models.scam_model import ScamModel
from tests.models.conftest import SMALL_SMS_CONFIG
from training.cli_support import warn_bad_rows
from training.data.demo_sms import generate_demo_sms
from training.evaluate import evaluate_files
from training.predict import predict_files
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


def test_one_class_left_by_unreadable_labels_says_why(model: ScamModel, frame: pd.DataFrame, tmp_path: Path) -> None:
    """Labels 0/2: every 2 is left out, and the error must say so, not only 'both classes needed'."""
    path = tmp_path / "eval.csv"
    frame.assign(label=frame["label"] * 2).to_csv(path, index=False)
    positives = int(frame["label"].sum())
    with pytest.raises(ValueError, match=rf"both fraud and normal rows; {positives} input rows left out or changed: "
                                         rf"bad_label={positives} \(first at {path}:\d+\)"):
        evaluate_files(model, [path], evaluation=EVALUATION)


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
