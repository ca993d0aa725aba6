"""`yunmao profiles build|publish` as a user runs them, including bad input (exit code 2)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

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


def test_publishing_to_an_unreachable_store_is_one_line_without_its_password(tmp_path: Path) -> None:
    """A Redis profile store that is down: exit 2 naming the store (its password left out), no traceback."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    (tmp_path / "p.csv").write_text("phone_no_m,voc_cnt\n13800000001,3\n")
    down = runner.invoke(app, ["profiles", "publish", "--profiles", str(tmp_path / "p.csv"),
                               "--store", f"redis://:s3cret@127.0.0.1:{port}/0"])
    assert down.exit_code == 2, down.output
    assert f"profile store redis://127.0.0.1:{port}/0 could not be written" in down.output
    assert "s3cret" not in down.output and "Traceback" not in down.output


def test_build_with_dens_carries_each_members_den_id_into_the_store(tmp_path: Path) -> None:
    """The id is dens.json's, for the den's members only: a contact or a number in no den has none."""
    write_demo_cdrs(tmp_path / "cdr", 2, DemoCallsConfig(normal=10, delivery=2, sales=2, fraud=3, simbox_farms=1, sims_per_farm=3, days=5))
    numbers = pd.read_csv(tmp_path / "cdr" / "labels.csv", dtype=str)["phone_no_m"].tolist()
    member, other_member, contact, outsider = numbers[:4]
    dens = tmp_path / "dens.json"
    dens.write_text(json.dumps({"dens": [{"id": "den-12", "members": [member, other_member, "not-profiled"],
                                          "contacts": [contact]}]}), encoding="utf-8")
    out = tmp_path / "profiles.parquet"
    built = runner.invoke(app, ["profiles", "build", "--cdr", str(tmp_path / "cdr"), "--out", str(out), "--dens", str(dens)])
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["dens"] == {"path": str(dens), "numbers_in_dens": 2, "dens_matched": 1}
    db = tmp_path / "p.db"
    published = runner.invoke(app, ["profiles", "publish", "--profiles", str(out), "--store", f"sqlite:///{db}"])
    assert published.exit_code == 0 and json.loads(published.stdout)["bad_rows"] == {}, published.output
    stored = SqliteProfileStore(db).get_many([member, other_member, contact, outsider])
    assert [stored[n]["den_id"] for n in (member, other_member)] == ["den-12", "den-12"]
    assert all(math.isnan(stored[n]["den_id"]) for n in (contact, outsider))  # null in the store
    assert stored[member]["voc_cnt"] > 0


# dens.json content (None: no file) and the error it gives, for the faults the file shows alone.
BAD_DENS_FILES = [
    (None, "no such dens file"),
    ("not json", "not a dens.json written by yunmao dens"),
    ('{"dens": [{"id": "den-1"}]}', "not a dens.json written by yunmao dens"),
    ('{"partition": 1.0, "dens": [{"id": "den-1", "members": ["x1"]}]}', "partition is a float, not an object"),
    ('{"dens": [{"id": "den-1", "members": ["x1"]}, {"id": "den-2", "members": ["x1"]}]}', "x1 is a member of both"),
]


def _bad_dens_build(tmp_path: Path, content: str | None, *engine: str) -> tuple[Result, Path]:
    """``profiles build --dens`` on small demo CDRs with ``content`` as the dens file; the result and --out.

    The demo's answer key (``truth/``) is removed: the Dask engine reads every table under --cdr,
    and the CDRs must be good on either engine for the dens file to be the only fault.
    """
    write_demo_cdrs(tmp_path / "cdr", 2, DemoCallsConfig(normal=10, delivery=2, sales=2, fraud=3, simbox_farms=1, sims_per_farm=3, days=5))
    shutil.rmtree(tmp_path / "cdr" / "truth")
    dens = tmp_path / "dens.json"
    if content is not None:
        dens.write_text(content, encoding="utf-8")
    out = tmp_path / "p.parquet"
    return runner.invoke(app, ["profiles", "build", "--cdr", str(tmp_path / "cdr"), "--out", str(out), "--dens", str(dens), *engine]), out


def _assert_one_line_error(result: Result, message: str, out: Path) -> None:
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(("content", "message"), [
    *BAD_DENS_FILES,
    ('{"dens": [{"id": "den-1", "members": ["x1", "x2"]}]}', "none of its 2 den members is among the 20 profiled numbers"),
])
def test_a_bad_dens_file_exits_2_with_one_line(tmp_path: Path, content: str | None, message: str) -> None:
    result, out = _bad_dens_build(tmp_path, content)
    _assert_one_line_error(result, message, out)


@pytest.mark.parametrize(("content", "message"), BAD_DENS_FILES)
def test_a_bad_dens_file_fails_before_the_dask_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     content: str | None, message: str) -> None:
    """The Dask build is a cluster's job: a dens file that is wrong by itself fails before it starts."""
    clusters: list[tuple] = []

    def no_cluster(*args: object) -> None:
        clusters.append(args)
        raise RuntimeError("stand-in for the Dask cluster: the build would start here")

    monkeypatch.setattr("training.distributed.cluster.dask_client", no_cluster)
    result, out = _bad_dens_build(tmp_path, content, "--engine", "dask")
    _assert_one_line_error(result, message, out)
    assert not clusters
