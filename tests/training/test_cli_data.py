"""`yunmao data demo` and `yunmao data inspect` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from training.cli import app

runner = CliRunner()


def test_demo_then_inspect_as_json(tmp_path: Path) -> None:
    demo = runner.invoke(app, ["data", "demo", "--out", str(tmp_path), "--n", "120", "--seed", "4"])
    assert demo.exit_code == 0, demo.output
    path = tmp_path / "sms.csv"
    assert demo.stdout.strip() == str(path)
    inspect = runner.invoke(app, ["data", "inspect", "--data", str(path), "--json"])
    assert inspect.exit_code == 0, inspect.output
    report = json.loads(inspect.stdout)
    assert report["files"][0]["rows_loaded"] == 120
    assert report["rows"] == 120 - report["duplicates_removed"]


def test_inspect_mixes_files_and_prints_a_readable_summary(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("1\t中奖了\n0\n0\t你好\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("content,label\n您好，我是客服,冒充客服服务\n", encoding="utf-8")
    result = runner.invoke(app, ["data", "inspect", "--data", str(tmp_path / "a.tsv"), "--data", str(tmp_path / "b.csv")])
    assert result.exit_code == 0, result.output
    assert "[sms80w]: read 3, loaded 2, bad rows: empty_text=1" in result.stdout
    assert "[telecom5]: read 1, loaded 1" in result.stdout


def test_bad_file_exits_2_with_file_line_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,sender\nhello,95588\n", encoding="utf-8")
    result = runner.invoke(app, ["data", "inspect", "--data", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:1: missing required column(s) label")
    assert "Traceback" not in result.output


def test_demo_out_under_a_file_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["data", "demo", "--out", str(tmp_path / "a-file" / "demo"), "--n", "20"])
    assert result.exit_code == 2 and result.stderr.startswith(f"error: cannot write to --out {tmp_path / 'a-file' / 'demo'}")
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_unknown_format_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("text,label\nhi,1\n", encoding="utf-8")
    result = runner.invoke(app, ["data", "inspect", "--data", str(path), "--format", "xml"])
    assert result.exit_code == 2
    assert "unknown format 'xml'" in result.stderr


def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    """`python -m training.cli` (no installed script on PATH) runs the commands, not silently nothing."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-m", "training.cli", "data", "demo", "--out", str(tmp_path), "--n", "40"],
                         cwd=root, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "sms.csv").is_file()
