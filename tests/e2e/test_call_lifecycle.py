"""Call model end to end from raw CDRs: demo CDRs → profile builder → train → evaluate → predict."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from models.registry import load_scam_model
from training.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()
MODEL = "yunmao-call-e2e"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    assert runner.invoke(app, ["data", "demo", "--out", str(out), "--n", "200", "--seed", "4"]).exit_code == 0
    result = runner.invoke(app, ["train", "call", "--data", str(out / "cdr"), "--name", MODEL])
    assert result.exit_code == 0, result.output
    return {"uri": result.stdout.strip().splitlines()[-1], "cdr": out / "cdr", "dir": out}


def test_raw_cdrs_train_a_registered_call_model(trained: dict) -> None:
    assert trained["uri"].startswith(f"models:/{MODEL}/")
    model = load_scam_model(trained["uri"])
    assert model.kind == "call"
    assert "voc_user_cnt" in model.feature_names


def test_built_profiles_score_the_same_as_the_raw_path(trained: dict, tmp_path) -> None:
    profiles = tmp_path / "profiles.parquet"
    assert runner.invoke(app, ["profiles", "build", "--cdr", str(trained["cdr"]), "--out", str(profiles)]).exit_code == 0
    from_raw, from_table = tmp_path / "raw.csv", tmp_path / "table.csv"
    for data, fmt, out in ((trained["cdr"], "cdr", from_raw), (profiles, "profiles", from_table)):
        result = runner.invoke(
            app, ["predict", "--model", trained["uri"], "--data", str(data), "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
    raw, table = pd.read_csv(from_raw), pd.read_csv(from_table)
    merged = raw.merge(table, on="phone_no_m", suffixes=("_raw", "_table"))
    assert len(merged) == len(raw) == len(table)
    pd.testing.assert_series_equal(merged["score_raw"], merged["score_table"], check_names=False, atol=1e-9)


def test_evaluate_call_model_on_cdrs(trained: dict) -> None:
    result = runner.invoke(app, ["evaluate", "--model", trained["uri"], "--data", str(trained["cdr"]), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n"] > 0 and 0 < report["positives"] < report["n"]
    assert {"roc_auc", "pr_auc", "f1", "precision", "recall", "fpr", "warn"} <= set(report)


def test_train_call_rejects_a_bad_format(trained: dict) -> None:
    result = runner.invoke(app, ["train", "call", "--data", str(trained["cdr"]), "--format", "mudou"])
    assert result.exit_code == 2
    assert "auto, cdr or profiles" in result.stderr
