"""``--engine`` / ``--scheduler`` on profiles build, links build and predict: each wrong use is
one line on stderr and exit 2, never a traceback or a hang."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.training.distributed.conftest import TEST_CLUSTER
from training.cli import app

runner = CliRunner()
JOBS = {
    "profiles": lambda cdr, out: ["profiles", "build", "--cdr", str(cdr), "--out", str(out / "profiles.parquet")],
    "links": lambda cdr, out: ["links", "build", "--cdr", str(cdr), "--out", str(out / "links.parquet")],
}


def assert_one_line_error(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.output, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("job", JOBS)
def test_scheduler_without_the_dask_engine(job: str, demo_cdrs: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(app, [*JOBS[job](demo_cdrs["flat"], tmp_path), "--scheduler", "tcp://127.0.0.1:1"])
    assert_one_line_error(result, "--scheduler needs --engine dask")


@pytest.mark.parametrize("job", JOBS)
def test_unknown_engine(job: str, demo_cdrs: dict[str, Path], tmp_path: Path) -> None:
    assert_one_line_error(runner.invoke(app, [*JOBS[job](demo_cdrs["flat"], tmp_path), "--engine", "spark"]),
                          "--engine must be one of local, dask")


@pytest.mark.parametrize("job", JOBS)
def test_missing_dask_extra_names_it(job: str, demo_cdrs: dict[str, Path], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    result = runner.invoke(app, [*JOBS[job](demo_cdrs["flat"], tmp_path), "--engine", "dask"])
    assert_one_line_error(result, "pip install 'yunmao[dask]'")


@pytest.mark.parametrize("job", JOBS)
def test_unreachable_scheduler(job: str, demo_cdrs: dict[str, Path], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("training.data.cli.cluster_config", lambda: TEST_CLUSTER)
    monkeypatch.setattr("training.links_cli.cluster_config", lambda: TEST_CLUSTER)
    result = runner.invoke(app, [*JOBS[job](demo_cdrs["flat"], tmp_path), "--engine", "dask",
                                 "--scheduler", "tcp://127.0.0.1:9"])
    assert_one_line_error(result, "cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("job", JOBS)
def test_dataset_without_calls(job: str, tmp_path: Path, monkeypatch, client) -> None:
    from tests.training.distributed.test_predict import _reuse

    monkeypatch.setattr("training.distributed.cluster.dask_client", _reuse(client))
    (tmp_path / "cdr").mkdir()
    (tmp_path / "cdr" / "labels.csv").write_text("phone_no_m,label\nA,1\n")
    out = tmp_path / "out"
    result = runner.invoke(app, [*JOBS[job](tmp_path / "cdr", out), "--engine", "dask"])
    assert_one_line_error(result, "no voc (call records) table")
    assert not out.exists()
