"""``demo_mix``: demo generator rows added to real SMS training data by train and retrain (issue #10)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import training.train as train_module
from configs import default_config_path, load_config
from configs.sms import DemoMixConfig, SmsConfig
from training.cli import app
from training.data.demo_mix import demo_mix_rows, with_demo_mix
from training.data.demo_sms import generate_demo_sms
from training.data.sms import load_labelled
from training.data.sms.dedupe import drop_duplicates
from training.retrain_data import record_keys, training_set

runner = CliRunner()


def _real(tmp_path: Path, n: int = 200) -> Path:
    """A labelled canonical file standing in for a real set (its own seed, so not the mix's rows)."""
    path = tmp_path / "real.csv"
    generate_demo_sms(n, seed=77).to_csv(path, index=False)
    return path


def test_the_mix_adds_share_times_the_real_rows_and_is_reproducible() -> None:
    real = drop_duplicates(generate_demo_sms(300, seed=77)).frame  # as the trainer loads it
    mix = with_demo_mix(real, DemoMixConfig(share=0.2, seed=3))
    assert len(mix.frame) == len(real) + len(mix.added) and 0 < len(mix.added) <= 60
    assert mix.frame.iloc[: len(real)]["text"].tolist() == real["text"].tolist()  # real rows kept, first
    again = with_demo_mix(real, DemoMixConfig(share=0.2, seed=3))
    pd.testing.assert_frame_equal(mix.frame, again.frame)
    pd.testing.assert_frame_equal(mix.added, again.added)


def test_the_added_rows_are_the_generated_rows_of_the_frame_in_its_columns() -> None:
    real = drop_duplicates(generate_demo_sms(300, seed=77)).frame.assign(weight=1.0)  # a column the generator lacks
    mix = with_demo_mix(real, DemoMixConfig(share=0.2, seed=3))
    assert list(mix.added.columns) == list(real.columns) and len(mix.added) > 0
    pd.testing.assert_frame_equal(mix.frame.iloc[len(real):].reset_index(drop=True), mix.added.reset_index(drop=True))


def test_the_mix_keeps_the_real_rows_copies_and_labels() -> None:
    """``duplicates: keep_max`` leaves real copies in the data; mixing must not cut them back to one,
    and a generated copy of a real text must not outvote the real row's label."""
    real = drop_duplicates(generate_demo_sms(300, seed=77)).frame
    copies = pd.concat([real, real.head(5), real.head(5)], ignore_index=True)  # three copies of five texts
    generated = demo_mix_rows(len(copies), DemoMixConfig(share=0.2, seed=3)).head(3).assign(label=lambda f: 1 - f["label"])
    relabelled = pd.concat([copies, generated.reindex(columns=copies.columns)], ignore_index=True)
    mix = with_demo_mix(relabelled, DemoMixConfig(share=0.2, seed=3))
    pd.testing.assert_frame_equal(mix.frame.iloc[: len(relabelled)], relabelled)  # every real row, as it was
    assert len(mix.added) == len(mix.frame) - len(relabelled) > 0


def test_share_zero_adds_nothing() -> None:
    real = generate_demo_sms(50, seed=77)
    mix = with_demo_mix(real, DemoMixConfig(share=0.0))
    assert mix.added.empty and mix.frame is real


class _Captured:
    """Stands in for fitting and MLflow: records what ``train_sms`` would fit and log."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []
        self.labelled: list[pd.DataFrame] = []
        self.reports: list[dict] = []

    def fit(self, frame: pd.DataFrame, cfg: SmsConfig, labelled: pd.DataFrame) -> str:
        self.frames.append(frame)
        self.labelled.append(labelled)
        return "fit"

    def log(self, fit: str, **kwargs) -> object:
        self.reports.append(kwargs["data_report"])
        return type("Outcome", (), {"metrics": dict.fromkeys(("n", "positives", "roc_auc", "pr_auc", "precision",
                                                              "recall", "fpr", "best_f1"), 0), "run_id": "r", "model_uri": "models:/x/1"})()


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> _Captured:
    spy = _Captured()
    monkeypatch.setattr(train_module, "fit_sms", spy.fit)
    monkeypatch.setattr(train_module, "log_and_register", spy.log)
    return spy


def test_train_sms_mixes_by_default_and_reports_the_rows(tmp_path: Path, captured: _Captured) -> None:
    result = runner.invoke(app, ["train", "sms", "--data", str(_real(tmp_path))])
    assert result.exit_code == 0, result.output
    report, frame = captured.reports[0], captured.frames[0]
    assert report["demo_mix_rows"] > 0 and len(frame) == report["rows"] + report["demo_mix_rows"]
    # The template memory counts every real row, copies the dedupe dropped included, and the mixed rows.
    assert len(captured.labelled[0]) == report["rows"] + report["duplicates_removed"] + report["demo_mix_rows"]


def test_no_demo_mix_trains_on_the_real_rows_only(tmp_path: Path, captured: _Captured) -> None:
    result = runner.invoke(app, ["train", "sms", "--data", str(_real(tmp_path)), "--no-demo-mix"])
    assert result.exit_code == 0, result.output
    assert captured.reports[0]["demo_mix_rows"] == 0 and len(captured.frames[0]) == captured.reports[0]["rows"]


def test_retraining_keeps_the_mixed_rows_out_of_its_evaluation_set(tmp_path: Path) -> None:
    """Retrain trains through train_sms (so it mixes the same way); the rows it mixes in count as
    training rows when the evaluation set is cleaned of what the challenger saw."""
    cfg, path = load_config(default_config_path("sms"), SmsConfig), _real(tmp_path)
    train = training_set("sms", [path], "auto", cfg, use_feedback=False, workdir=tmp_path)
    mixed = demo_mix_rows(len(load_labelled([path]).frame), cfg.demo_mix)
    assert not mixed.empty and set(record_keys("sms", mixed)) <= train.keys
