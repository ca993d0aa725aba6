"""End to end, as a user runs it: demo data → train → register → promote → load by alias → predict."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from models.registry import load_scam_model, resolve_model_version
from training.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()
MODEL = "yunmao-sms-e2e"


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    assert run("data", "demo", "--out", str(out), "--n", "1500", "--seed", "3").exit_code == 0
    result = run("train", "sms", "--data", str(out / "sms.csv"), "--name", MODEL)
    assert result.exit_code == 0, result.output
    return {"uri": result.stdout.strip().splitlines()[-1], "data": out / "sms.csv", "dir": out}


def test_train_prints_registered_uri_last_and_sets_challenger(trained: dict) -> None:
    assert trained["uri"].startswith(f"models:/{MODEL}/")
    version = trained["uri"].rsplit("/", 1)[1]
    assert resolve_model_version(f"models:/{MODEL}@challenger") == (MODEL, version)


def test_promote_then_load_by_champion_alias_and_predict(trained: dict, tmp_path) -> None:
    version = trained["uri"].rsplit("/", 1)[1]
    assert run("promote", MODEL, version).exit_code == 0
    model = load_scam_model(f"models:/{MODEL}@champion")
    out = tmp_path / "scored.jsonl"
    result = run("predict", "--model", f"models:/{MODEL}@champion", "--data", str(trained["data"]), "--out", str(out))
    assert result.exit_code == 0, result.output
    scored = pd.read_json(out, lines=True)
    source = pd.read_csv(trained["data"])
    assert len(scored) == len(source)
    assert list(scored["id"]) == list(source["id"])
    assert set(scored["action"]) <= {"block", "warn", "allow"}
    assert scored["score"].between(0, 1).all()
    assert model.kind == "sms"


def test_evaluate_json_has_the_documented_keys(trained: dict) -> None:
    result = run("evaluate", "--model", trained["uri"], "--data", str(trained["data"]), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("n", "positives", "roc_auc", "pr_auc", "f1", "precision", "recall", "fpr", "fraud_type_macro_f1",
                "fraud_types", "category_rows"):
        assert key in report
    source = pd.read_csv(trained["data"])
    assert sum(row["count"] for row in report["fraud_types"]) == source["fraud_type"][source["label"] == 1].notna().sum()
    assert sum(row["count"] for row in report["category_rows"]) == source["category"].notna().sum() == report["n"]
    assert set(report["warn"]) >= {"f1", "precision", "recall", "fpr"}
    for key in ("roc_auc", "pr_auc", "recall_at_fpr_0.001", "recall_at_fpr_0.01"):
        assert report[f"{key}_ci_low"] <= report[key] <= report[f"{key}_ci_high"], key


def test_evaluate_counts_every_row_and_unique_the_distinct_texts(trained: dict) -> None:
    result = run("evaluate", "--model", trained["uri"], "--data", str(trained["data"]), "--unique", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n"] == len(pd.read_csv(trained["data"]))
    assert report["unique"]["n"] == report["n"] - report["unique"]["duplicates_removed"]
    text = run("evaluate", "--model", trained["uri"], "--data", str(trained["data"]), "--unique")
    assert f"unique.n: {report['unique']['n']}" in text.stdout and f" n: {report['n']}" in text.stdout


def test_evaluate_text_shows_one_line_per_fraud_type_and_category(trained: dict) -> None:
    """Without --json the tables read as lines an analyst can scan, not as Python lists of dicts."""
    as_json = run("evaluate", "--model", trained["uri"], "--data", str(trained["data"]), "--json")
    report = json.loads(as_json.stdout.strip().splitlines()[-1])
    text = run("evaluate", "--model", trained["uri"], "--data", str(trained["data"])).stdout
    assert report["fraud_types"] and report["category_rows"] and "[{" not in text
    for row in report["fraud_types"]:
        assert f"fraud_types.{row['fraud_type']}: count={row['count']}, recall_block={row['recall_block']:.4f}" in text
    for row in report["category_rows"]:
        assert f"category_rows.{row['category']}: count={row['count']}, called={{" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["promote", MODEL, "999"], "not found"),
        (["evaluate", "--model", "models:/no-such-model/1", "--data", "x.csv"], "no-such-model"),
        (["evaluate", "--model", "not-a-uri", "--data", "x.csv"], "not a registry model URI"),
        (["train", "sms", "--data", "/nonexistent/file.csv"], "/nonexistent/file.csv"),
    ],
)
def test_bad_input_exits_2_with_a_message(trained: dict, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_predict_rejects_unknown_output_suffix(trained: dict, tmp_path) -> None:
    result = run("predict", "--model", trained["uri"], "--data", str(trained["data"]), "--out", str(tmp_path / "x.txt"))
    assert result.exit_code == 2
    assert ".csv, .jsonl or .parquet" in result.stderr


def test_train_rejects_invalid_config(trained: dict, tmp_path) -> None:
    bad = tmp_path / "sms.yaml"
    bad.write_text("thresholds: {block_max_fpr: 0.5, warn_max_fpr: 0.01}\n", encoding="utf-8")
    result = run("train", "sms", "--data", str(trained["data"]), "--config", str(bad))
    assert result.exit_code == 2
    assert "block_max_fpr" in result.stderr
