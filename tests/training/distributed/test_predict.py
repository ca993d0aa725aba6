"""``predict --engine dask``: a dataset of profile files scored per file equals local predict,
the model is loaded once per worker, and the output folder is replaced whole."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from configs import default_config_path
from tests.training.distributed.conftest import in_process_cluster
from tests.training.test_call_graph_model import numbers_and_links
from training.cli import app
from training.distributed import predict as dask_predict

pytest.importorskip("distributed", reason="the dask extra is part of the test extra")
runner = CliRunner()
FILES = 4


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A small call model trained on profiles, and a dataset folder of 4 profile files to score."""
    tmp = tmp_path_factory.mktemp("dask-predict")
    frame, _ = numbers_and_links(120, seed=3)
    frame.to_csv(tmp / "train.csv", index=False)
    config = yaml.safe_load(default_config_path("call").read_text(encoding="utf-8"))
    config["split"] = {"folds": 2, "seed": 0}
    config["lightgbm"] = {"params": {"num_leaves": 7, "num_threads": 1}, "num_boost_round": 20, "early_stopping_rounds": 5}
    (tmp / "call.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    trained = runner.invoke(app, ["train", "call", "--data", str(tmp / "train.csv"), "--format", "profiles",
                                  "--name", "test-dask-predict", "--config", str(tmp / "call.yaml")])
    assert trained.exit_code == 0, trained.output
    dataset = tmp / "dataset"
    dataset.mkdir()
    to_score = frame.drop(columns=["label"])
    for part in range(FILES):
        to_score.iloc[part::FILES].to_csv(dataset / f"profiles-{part}.csv", index=False)
    return {"uri": trained.stdout.strip().splitlines()[-1], "dataset": dataset}


@pytest.fixture
def one_worker_client():
    with in_process_cluster(1) as client:
        yield client


def test_scores_equal_local_predict_and_the_model_loads_once(one_worker_client, scored: dict, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import models.registry

    loads = []
    real_load = models.registry.load_scam_model
    monkeypatch.setattr(models.registry, "load_scam_model", lambda uri: loads.append(uri) or real_load(uri))
    dask_predict.worker_model.cache_clear()
    files = sorted(scored["dataset"].iterdir())
    local = runner.invoke(app, ["predict", "--model", scored["uri"], "--format", "profiles", "--out", str(tmp_path / "local.parquet"),
                                *[arg for file in files for arg in ("--data", str(file))]])
    assert local.exit_code == 0, local.output
    loads.clear()  # the local run loaded it too
    out = tmp_path / "decisions"
    summary = dask_predict.predict_dataset(one_worker_client, scored["uri"], scored["dataset"], out, "profiles", (), (),
                                           progress=lambda _: None)
    expected = pd.read_parquet(tmp_path / "local.parquet")
    got = pd.read_parquet(out)
    assert len(list(out.glob("part-*.parquet"))) == FILES and summary["rows"] == len(expected) == 120
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=False, rtol=1e-9)
    assert loads == [scored["uri"]]  # one worker, four partitions: one load


def test_a_rerun_replaces_the_output_whole(client, scored: dict, tmp_path: Path) -> None:
    out = tmp_path / "decisions"
    out.mkdir()
    (out / "part-00099.parquet").write_bytes(b"stale part of an earlier, larger run")
    dask_predict.predict_dataset(client, scored["uri"], scored["dataset"], out, "profiles", (), (), progress=lambda _: None)
    assert sorted(p.name for p in out.iterdir()) == [f"part-{i:05d}.parquet" for i in range(FILES)]
    assert len(pd.read_parquet(out)) == 120
    assert not list(tmp_path.glob(".decisions*"))  # no temporary folder left beside it


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--out", "decisions.parquet"], "writes a Parquet dataset folder"),
     (["--out", "decisions", "--format", "cdr"], "build profiles with"),
     (["--out", "decisions", "--data", "second"], "one --data dataset folder")],
)
def test_bad_dask_predict_arguments_exit_2_with_one_line(client, scored: dict, tmp_path: Path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("training.distributed.cluster.dask_client", _reuse(client))
    result = runner.invoke(app, ["predict", "--model", scored["uri"], "--data", str(scored["dataset"]), "--engine", "dask", *args])
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def _reuse(client):
    """A stand-in for ``dask_client`` that hands out the test's running cluster."""
    from contextlib import contextmanager

    @contextmanager
    def reuse(scheduler, config):
        yield client

    return reuse


def test_a_failed_job_leaves_the_previous_output_and_no_partial_one(client, scored: dict, tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    for file in scored["dataset"].iterdir():
        (dataset / file.name).write_bytes(file.read_bytes())
    (dataset / "profiles-9.csv").write_text("no_number_column\n1\n")  # the last partition fails
    out = tmp_path / "decisions"
    out.mkdir()
    (out / "part-00000.parquet").write_bytes(b"previous complete run")
    with pytest.raises(ValueError, match="profiles-9.csv"):
        dask_predict.predict_dataset(client, scored["uri"], dataset, out, "profiles", (), (), progress=lambda _: None)
    assert [p.read_bytes() for p in out.iterdir()] == [b"previous complete run"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset", "decisions"]  # no temporary folder left
