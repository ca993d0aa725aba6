"""`yunmao links build` as a user runs it: demo CDRs → links file; bad input → one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from configs.call import DemoCallsConfig, GangConfig
from training.cli import app
from training.data.demo_calls import write_demo_cdrs

runner = CliRunner()
SMALL = DemoCallsConfig(normal=20, delivery=3, sales=3, fraud=3, simbox_farms=1, sims_per_farm=3, days=7,
                        gangs=GangConfig(count=2, size=4, devices=2))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_build_writes_links_of_every_kind(tmp_path: Path, suffix: str) -> None:
    write_demo_cdrs(tmp_path / "cdr", 4, SMALL)
    out = tmp_path / f"links{suffix}"
    result = runner.invoke(app, ["links", "build", "--cdr", str(tmp_path / "cdr"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    links = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert summary["links"] == len(links) > 0
    assert list(links.columns) == ["phone_no_m", "linked_no_m", "kind", "weight"]
    assert set(links["kind"]) == {"shared_device", "shared_callees", "direct_call"}
    assert (links["phone_no_m"] < links["linked_no_m"]).all()
    assert not links.duplicated(["phone_no_m", "linked_no_m", "kind"]).any()


def _run(tmp_path: Path, cdr: Path, out: str = "links.parquet", *extra: str):
    return runner.invoke(app, ["links", "build", "--cdr", str(cdr), "--out", str(tmp_path / out), *extra])


def _assert_one_line_error(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_missing_dir(tmp_path: Path) -> None:
    _assert_one_line_error(_run(tmp_path, tmp_path / "nope"), "no such file or directory")


def test_folder_without_a_voc_table(tmp_path: Path) -> None:
    (tmp_path / "cdr").mkdir()
    (tmp_path / "cdr" / "labels.csv").write_text("phone_no_m,label\nA,1\n")
    _assert_one_line_error(_run(tmp_path, tmp_path / "cdr"), "no voc (call records) table")


def test_voc_with_wrong_schema(tmp_path: Path) -> None:
    (tmp_path / "cdr").mkdir()
    (tmp_path / "cdr" / "voc.csv").write_text("phone_no_m,start_datetime\nA,2020-03-01 10:00:00\n")
    _assert_one_line_error(_run(tmp_path, tmp_path / "cdr"), "lacks required columns")


def test_unknown_output_format_and_bad_config(tmp_path: Path) -> None:
    write_demo_cdrs(tmp_path / "cdr", 4, SMALL)
    _assert_one_line_error(_run(tmp_path, tmp_path / "cdr", "links.xlsx"), "must end in .parquet or .csv")
    bad = tmp_path / "call.yaml"
    bad.write_text("links:\n  shared_callees:\n    threshold: 0\n")
    _assert_one_line_error(_run(tmp_path, tmp_path / "cdr", "links.parquet", "--config", str(bad)), "threshold")


def test_an_out_under_a_file(tmp_path: Path) -> None:
    write_demo_cdrs(tmp_path / "cdr", 4, SMALL)
    (tmp_path / "a-file").write_text("")
    _assert_one_line_error(_run(tmp_path, tmp_path / "cdr", "a-file/links.parquet"), "cannot write to --out")
