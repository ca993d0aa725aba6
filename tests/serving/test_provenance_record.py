"""A registered model's provenance (``models/provenance``) is recorded once in its MLmodel file and
checked once by each way of loading it: yunmao's loaders, a plain ``mlflow.pyfunc`` load and a
model packed into a Bento. A model registered when the record was also the pyfunc's
``model_config`` still loads, checked once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import joblib
import pytest
import yaml

import models.provenance
from features.resource_files import feature_resource_hashes
from features.sms.behaviour import behaviour_record
from models.provenance import VERSION_KEY, YUNMAO_VERSION, provenance
from tests.serving.test_model_source import packed

OLD_LAYOUT_MODEL = "yunmao-sms-provenance-twice"


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The models whose provenance is checked from here on, one entry per check (every
    ``check_provenance`` asks ``check_pickled_by`` once, whoever imported it)."""
    checked: list[str] = []
    real = models.provenance.check_pickled_by

    def counted(model: str, pickled_by: str | None) -> None:
        checked.append(model)
        real(model, pickled_by)

    monkeypatch.setattr(models.provenance, "check_pickled_by", counted)
    return checked


def records(node: Any) -> Iterator[dict]:
    """Every mapping in a parsed YAML tree that holds a provenance record."""
    if isinstance(node, dict):
        if VERSION_KEY in node:
            yield node
        for value in node.values():
            yield from records(value)
    elif isinstance(node, list):
        for value in node:
            yield from records(value)


def test_the_mlmodel_records_the_provenance_once_in_its_metadata(sms_model_uri: str) -> None:
    import mlflow

    from models.registry import resolve_model_version

    name, version = resolve_model_version(sms_model_uri)
    text = Path(mlflow.artifacts.download_artifacts(f"models:/{name}/{version}/MLmodel")).read_text(encoding="utf-8")
    mlmodel = yaml.safe_load(text)
    assert list(records(mlmodel)) == [mlmodel["metadata"]] == [provenance("sms")]


def load_through_yunmao(uri: str) -> object:
    from models.registry import load_scam_model

    return load_scam_model(uri)


def load_resolved(uri: str) -> object:
    from serving.model_source import resolve_model

    return resolve_model(uri).load()


def load_pyfunc(uri: str) -> object:
    import mlflow

    return mlflow.pyfunc.load_model(uri).unwrap_python_model().model


LOADERS = [load_through_yunmao, load_resolved, load_pyfunc]


@pytest.mark.parametrize("load", LOADERS)
def test_each_load_path_checks_once(load: Callable[[str], object], sms_model_uri: str, checks: list[str]) -> None:
    assert load(sms_model_uri).kind == "sms"
    assert len(checks) == 1, checks


@pytest.fixture(scope="module")
def registered_with_the_record_twice(sms_model_uri: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's SMS model registered again as ``log_scam_model`` did before the record was kept
    once: the provenance both as the MLmodel's ``metadata`` and as the pyfunc's ``model_config``."""
    import mlflow

    from models.pyfunc import ARTIFACT_KEY, ScamModelPyfunc

    artifact = tmp_path_factory.mktemp("twice") / "scam_model.joblib"
    joblib.dump(load_through_yunmao(sms_model_uri), artifact)
    record = provenance("sms")
    info = mlflow.pyfunc.log_model(name="model", python_model=ScamModelPyfunc(), artifacts={ARTIFACT_KEY: str(artifact)},
                                   registered_model_name=OLD_LAYOUT_MODEL, pip_requirements=[], metadata=record,
                                   model_config=record)
    return f"models:/{OLD_LAYOUT_MODEL}/{info.registered_model_version}"


@pytest.mark.parametrize("load", LOADERS)
def test_a_model_registered_with_the_record_twice_loads_checked_once(load: Callable[[str], object],
                                                                     registered_with_the_record_twice: str,
                                                                     checks: list[str]) -> None:
    assert load(registered_with_the_record_twice).kind == "sms"
    assert len(checks) == 1, checks


def test_a_packed_model_is_checked_once(tmp_path: Path, checks: list[str]) -> None:
    from serving.model_source import unpickle_packed

    assert unpickle_packed(packed(tmp_path, YUNMAO_VERSION, {"a": 1}, feature_resource_hashes(), behaviour_record())) == {"a": 1}
    assert len(checks) == 1, checks
