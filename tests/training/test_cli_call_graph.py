"""`yunmao train call / evaluate / predict` with --features and --links, as a user runs them.

Synthetic numbers (see tests/training/test_call_graph_model.py); a small config keeps it fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from configs import default_config_path
from tests.training.test_call_graph_model import numbers_and_links
from training.cli import app

runner = CliRunner()
NAME = "test-call-graph-cli"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("graph-cli")
    frame, links = numbers_and_links(200, seed=5)
    paths = {"train": tmp / "train.csv", "eval": tmp / "eval.csv", "extra": tmp / "extra.csv",
             "links": tmp / "links.parquet", "config": tmp / "call.yaml"}
    frame.drop(columns=["arpu"]).iloc[:150].to_csv(paths["train"], index=False)
    frame.drop(columns=["arpu"]).iloc[150:].to_csv(paths["eval"], index=False)
    frame[["phone_no_m", "arpu"]].to_csv(paths["extra"], index=False)
    links.to_parquet(paths["links"], index=False)
    config = yaml.safe_load(default_config_path("call").read_text(encoding="utf-8"))
    config["split"] = {"folds": 3, "seed": 0}
    config["lightgbm"] = {"params": {"num_leaves": 7, "num_threads": 1}, "num_boost_round": 30, "early_stopping_rounds": 10}
    paths["config"].write_text(yaml.safe_dump(config), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def model_uri(files: dict[str, Path]) -> str:
    result = runner.invoke(app, ["train", "call", "--data", str(files["train"]), "--features", str(files["extra"]),
                                 "--links", str(files["links"]), "--format", "profiles", "--name", NAME,
                                 "--config", str(files["config"])])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def test_evaluate_with_features_and_links_reports_links_and_no_missing_columns(files, model_uri: str) -> None:
    args = ["evaluate", "--model", model_uri, "--data", str(files["eval"]), "--format", "profiles", "--json"]
    full = runner.invoke(app, [*args, "--features", str(files["extra"]), "--links", str(files["links"])])
    assert full.exit_code == 0, full.output
    report = json.loads(full.stdout)
    assert report["missing_columns"] == [] and report["links"]["links_kept"] > 0
    bare = json.loads(runner.invoke(app, args).stdout)
    assert "arpu" in bare["missing_columns"] and "graph_fraud_neighbour_share" in bare["missing_columns"]


def test_predict_warns_about_missing_columns(files, model_uri: str, tmp_path: Path) -> None:
    out = tmp_path / "decisions.csv"
    result = runner.invoke(app, ["predict", "--model", model_uri, "--data", str(files["eval"]), "--out", str(out),
                                 "--format", "profiles", "--links", str(files["links"])])
    assert result.exit_code == 0, result.output
    assert "warning: scored without 1 trained columns" in result.stderr and "arpu" in result.stderr
    assert json.loads(result.stdout)["rows"] == 50


@pytest.mark.parametrize(
    ("links_text", "message"),
    [("src,dst\na,b\n", "lack required columns"), ("phone_no_m,linked_no_m\nq,r\n", "share no number"),
     ("phone_no_m,linked_no_m\np0001,p0001\n", "no usable links")],
)
def test_bad_links_exit_2_with_one_line(files, model_uri: str, tmp_path: Path, links_text: str, message: str) -> None:
    bad = tmp_path / "links.csv"
    bad.write_text(links_text)
    result = runner.invoke(app, ["evaluate", "--model", model_uri, "--data", str(files["eval"]), "--format", "profiles",
                                 "--links", str(bad)])
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(("command", "out"), [("predict", "decisions.csv"), ("report", "report")])
def test_an_out_under_a_file_is_a_one_line_error(files, model_uri: str, tmp_path: Path, command: str, out: str) -> None:
    """Was an OSError traceback (exit 1) after the whole scoring run."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(app, [command, "--model", model_uri, "--data", str(files["eval"]), "--format", "profiles",
                                 "--out", str(blocker / out)])
    assert result.exit_code == 2 and f"cannot write to --out {blocker / out}: " in result.stderr, result.output
    assert "is a file, not a folder" in result.stderr or "Not a directory" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
