"""MLflow tracking and registry: where runs go, how models are registered and loaded.

The embedded default is a SQLite store plus an artifact folder in the project's data dir;
``MLFLOW_TRACKING_URI`` switches to a real tracking server with no code change.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.models import Model

from configs.paths import data_dir
from models.provenance import check_provenance
from models.pyfunc import ARTIFACT_KEY, load_pickled_model
from models.scam_model import ScamModel

CHALLENGER = "challenger"
CHAMPION = "champion"
TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
_MODEL_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<version>\d+|latest)|@(?P<alias>[\w-]+))$")


class ModelNotFoundError(LookupError):
    """The URI names a model, version or alias the registry does not have."""


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` if set, else the embedded SQLite store."""
    return os.environ.get(TRACKING_URI_ENV) or f"sqlite:///{data_dir() / 'mlflow.db'}"


def configure_tracking() -> str:
    """Point MLflow (tracking and registry) at :func:`tracking_uri`; returns it."""
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def use_experiment(name: str) -> str:
    """Select (creating if needed) an experiment; embedded stores keep artifacts in the data dir."""
    configure_tracking()
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is None:
        location = None
        if tracking_uri().startswith("sqlite:"):
            location = (data_dir() / "mlartifacts" / name).as_uri()
        experiment_id = mlflow.create_experiment(name, artifact_location=location)
    else:
        experiment_id = experiment.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def parse_model_uri(uri: str) -> tuple[str, str | None, str | None]:
    """``models:/NAME/VERSION`` or ``models:/NAME@ALIAS`` → (name, version, alias)."""
    match = _MODEL_URI.match(uri.strip())
    if not match:
        raise ValueError(f"not a registry model URI: {uri!r} (expected models:/NAME/VERSION or models:/NAME@ALIAS)")
    return match["name"], match["version"], match["alias"]


def resolve_model_version(uri: str) -> tuple[str, str]:
    """The concrete (name, version) a registry URI points at right now."""
    configure_tracking()
    name, version, alias = parse_model_uri(uri)
    client = MlflowClient()
    try:
        if alias:
            return name, str(client.get_model_version_by_alias(name, alias).version)
        if version == "latest":
            versions = client.search_model_versions(f"name = '{name}'")
            if not versions:
                raise ModelNotFoundError(f"{uri}: model {name!r} has no versions")
            return name, str(max(int(v.version) for v in versions))
        client.get_model_version(name, version)
        return name, str(version)
    except mlflow.exceptions.MlflowException as exc:
        raise ModelNotFoundError(f"{uri}: not found in registry at {tracking_uri()} ({exc.message})") from exc


def set_alias(name: str, version: str, alias: str) -> None:
    configure_tracking()
    try:
        MlflowClient().set_registered_model_alias(name, alias, str(version))
    except mlflow.exceptions.MlflowException as exc:
        raise ModelNotFoundError(f"models:/{name}/{version}: cannot set alias {alias!r} ({exc.message})") from exc


def check_scorable_here(name: str, version: str, *, run_feature_code: bool = True) -> Model:
    """Raise unless this checkout scores ``models:/NAME/VERSION`` as it was trained: its MLmodel's
    recorded provenance (read alone, nothing unpickled) is this yunmao's version, feature resources
    and (``run_feature_code``: see ``models.provenance.check_provenance``) feature code behaviour.
    Returns that MLmodel, for what else it records (where the pickle lies, the provenance itself).

    Raises:
        IncompatibleModelError: names the model, what differs and what to do.
    """
    concrete = f"models:/{name}/{version}"
    mlmodel = mlflow.models.Model.load(concrete)
    check_provenance(concrete, mlmodel.metadata or {}, run_feature_code=run_feature_code)
    return mlmodel


SIGNATURE_KINDS = {"text": "sms", "phone_no_m": "call"}
"""The input column that says a model's kind in its logged signature: SMS models take ``text``,
call models a number's profile keyed by ``phone_no_m``."""


def logged_kind(mlmodel: Model) -> str | None:
    """The kind (sms, call) ``mlmodel``'s logged signature names, read without unpickling; None
    when it has no signature or names neither column."""
    if mlmodel.signature is None:
        return None
    kinds = {kind for column, kind in SIGNATURE_KINDS.items() if column in mlmodel.signature.inputs.input_names()}
    return kinds.pop() if len(kinds) == 1 else None


@contextmanager
def downloaded_scam_model(name: str, version: str, mlmodel: Model) -> Iterator[Path]:
    """The pickled ScamModel of ``models:/NAME/VERSION`` (``mlmodel``: its MLmodel, which says where
    the pickle lies), downloaded alone into a temporary folder that lasts the block."""
    relative = mlmodel.flavors[mlflow.pyfunc.FLAVOR_NAME]["artifacts"][ARTIFACT_KEY]["path"]
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{name}/{version}/{relative}", dst_path=tmp))


def load_scam_model(uri: str) -> ScamModel:
    """Load the ScamModel inside a registered pyfunc (by version or alias), for scoring here.

    The pickle is unpickled here rather than through ``mlflow.pyfunc.load_model``: the provenance is
    checked once, naming the registry version, before anything is downloaded; the pyfunc's own
    check (``ScamModelPyfunc.load_context``, for loaders that are not yunmao's) would repeat it.

    Raises:
        IncompatibleModelError: before unpickling, when the version is not this yunmao's or was
            trained with other feature resources than this checkout's (``models/provenance``).
    """
    name, version = resolve_model_version(uri)
    mlmodel = check_scorable_here(name, version)
    with downloaded_scam_model(name, version, mlmodel) as artifact:
        return load_pickled_model(artifact, f"models:/{name}/{version}")
