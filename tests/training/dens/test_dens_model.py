"""`yunmao dens --model --data`: the call model scores the members and the score is den evidence.

Reuses the small graph call model of tests/training/test_cli_call_graph.py (trained once here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.training.test_cli_call_graph import files, model_uri  # noqa: F401  (fixtures)
from training.cli import app

runner = CliRunner()
pytestmark = pytest.mark.slow  # trains a call model


def test_members_scored_by_the_call_model_rank_dens(files: dict[str, Path], model_uri: str, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "dens"
    result = runner.invoke(app, ["dens", "--links", str(files["links"]), "--model", model_uri, "--data", str(files["eval"]),
                                 "--features", str(files["extra"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scored"] == 50
    dens = json.loads((out / "dens.json").read_text(encoding="utf-8"))["dens"]
    scored = [den for den in dens if "model_score" in den["evidence"]]
    assert scored, "the scored numbers sit in some den"
    for den in scored:
        assert 0 <= den["evidence"]["model_score"] <= 1 and den["evidence"]["scored_members"] >= 1
        assert "fraud_bound" not in den["evidence"]  # no --labels: no label evidence
    assert [den["score"] for den in dens] == sorted((den["score"] for den in dens), reverse=True)


def test_an_unknown_model_is_one_line_and_exit_2(files: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    result = runner.invoke(app, ["dens", "--links", str(files["links"]), "--model", "models:/no-such-model/1",
                                 "--data", str(files["eval"]), "--out", str(tmp_path / "dens")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_members_scored_without_trained_columns_are_warned_about(files: dict[str, Path], model_uri: str,  # noqa: F811
                                                                  tmp_path: Path) -> None:
    """Without --features the model scores the members without the extra table's column: it says so."""
    result = runner.invoke(app, ["dens", "--links", str(files["links"]), "--model", model_uri, "--data", str(files["eval"]),
                                 "--out", str(tmp_path / "dens")])
    assert result.exit_code == 0, result.output
    assert "warning: scored without 1 trained columns" in result.stderr and "arpu" in result.stderr
