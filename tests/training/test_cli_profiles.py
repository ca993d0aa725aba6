"""`yunmao profiles build|publish` as a user runs them, including bad input (exit code 2)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from configs.call import DemoCallsConfig
from serving.profile_store import SqliteProfileStore
from training.cli import app
from training.data.demo_calls import write_demo_cdrs

runner = CliRunner()


def test_build_then_publish(tmp_path: Path) -> None:
    write_demo_cdrs(tmp_path / "cdr", 2, DemoCallsConfig(normal=10, delivery=2, sales=2, fraud=3, simbox_farms=1, sims_per_farm=3, days=5))
    out = tmp_path / "profiles.parquet"
    built = runner.invoke(app, ["profiles", "build", "--cdr", str(tmp_path / "cdr"), "--out", str(out)])
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["numbers"] == 20
    db = tmp_path / "p.db"
    published = runner.invoke(app, ["profiles", "publish", "--profiles", str(out), "--store", f"sqlite:///{db}"])
    assert published.exit_code == 0, published.output
    assert json.loads(published.stdout)["published"] == 20
    number = (tmp_path / "cdr" / "labels.csv").read_text().splitlines()[1].split(",")[0]
    assert SqliteProfileStore(db).get(number)["voc_cnt"] > 0


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["profiles", "build", "--cdr", str(tmp_path / "nope"), "--out", str(tmp_path / "p.csv")])
    assert missing.exit_code == 2 and "no such file or directory" in missing.output
    (tmp_path / "cdr").mkdir()
    (tmp_path / "cdr" / "voc.csv").write_text("phone_no_m,calltype_id\nA,1\n")
    wrong = runner.invoke(app, ["profiles", "build", "--cdr", str(tmp_path / "cdr"), "--out", str(tmp_path / "p.csv")])
    assert wrong.exit_code == 2 and "not a CDR table" in wrong.output and "Traceback" not in wrong.output
    write_demo_cdrs(tmp_path / "demo", 2, DemoCallsConfig(normal=4, delivery=1, sales=1, fraud=1, simbox_farms=1, sims_per_farm=2, days=3))
    (tmp_path / "a-file").write_text("")
    blocked = runner.invoke(app, ["profiles", "build", "--cdr", str(tmp_path / "demo"), "--out", str(tmp_path / "a-file" / "p.csv")])
    assert blocked.exit_code == 2 and "cannot write to --out" in blocked.output and "Traceback" not in blocked.output
    (tmp_path / "p.csv").write_text("voc_cnt\n1\n")
    bad_store = runner.invoke(app, ["profiles", "publish", "--profiles", str(tmp_path / "p.csv")])
    assert bad_store.exit_code == 2 and "phone_no_m" in bad_store.output
