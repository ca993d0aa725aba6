"""`yunmao dens` on the demo CDRs finds the planted gangs, which overlap the hard negatives
(delivery and sales callers reach the same victims, hub lines are called by everyone)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from typer.testing import CliRunner

from training.cli import app

runner = CliRunner()
MIN_ADJUSTED_RAND = 0.9


@pytest.fixture(scope="module")
def demo_cdr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["data", "demo", "--out", str(out), "--n", "50", "--seed", "5"])
    assert result.exit_code == 0, result.output
    return out / "cdr"


def test_dens_from_demo_cdrs_recover_the_planted_gangs(demo_cdr: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["dens", "--cdr", str(demo_cdr), "--labels", str(demo_cdr / "labels.csv"),
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    dens = json.loads((tmp_path / "dens.json").read_text(encoding="utf-8"))["dens"]
    den_of = {member: den["id"] for den in dens for member in den["members"]}
    gangs = pd.read_csv(demo_cdr / "truth" / "gangs.csv", dtype=str)
    found = [den_of.get(number, f"alone:{number}") for number in gangs["phone_no_m"]]
    assert adjusted_rand_score(gangs["gang_id"], found) >= MIN_ADJUSTED_RAND, list(zip(gangs["gang_id"], found, strict=True))


def test_dens_need_links_or_cdrs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["dens", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--links, --cdr or both" in result.output
