"""Where a served model comes from: the MLflow registry, or a BentoML model packed into a Bento.

``models:/NAME@ALIAS`` (or ``models:/NAME/VERSION``) is resolved against the registry on every
(re)load, so a moved alias is picked up. ``bento:TAG`` names a model in BentoML's model store:
inside a Bento built by ``yunmao build`` (``training/bento``) that is the model packed into the
Bento, a fixed registry version read with no registry, no MLflow store and no network.

Either way the service reports the registry's name and version, so a response names the same
model whether it came from the registry or from a Bento.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from models.registry import TRACKING_URI_ENV, ModelNotFoundError

if TYPE_CHECKING:
    from bentoml import Model

    from models.scam_model import ScamModel

BENTO_SCHEME = "bento:"
# What ``yunmao build`` writes into each BentoML model: the pickled ScamModel and its provenance
# (these keys, and ``models.provenance.PROVENANCE_KEYS``).
SCAM_MODEL_FILE = "scam_model.joblib"
REGISTRY_NAME_KEY = "registry_name"
REGISTRY_VERSION_KEY = "registry_version"
KIND_KEY = "kind"


def use_registry(uri: str | None) -> None:
    """Resolve ``models:/`` URIs against ``uri`` (``registry_uri`` of the serving config) unless
    ``$MLFLOW_TRACKING_URI`` already names a registry: the environment wins, as for the model URIs."""
    if uri and not os.environ.get(TRACKING_URI_ENV):
        os.environ[TRACKING_URI_ENV] = uri


@dataclass(frozen=True)
class ResolvedModel:
    """A concrete model version, not yet unpickled; ``load`` unpickles it. ``check`` raises
    :class:`~models.provenance.IncompatibleModelError` when this checkout would not score it as
    it was trained, reading only its recorded provenance and without running the feature code
    (for ``yunmao serve``'s supervisor: ``models.provenance.check_provenance``), and returns the
    kind (sms, call) its record names, None where it names none. ``load`` checks all of it first,
    the feature code's behaviour included."""

    name: str
    version: str
    load: Callable[[], ScamModel]
    check: Callable[[], str | None]


def resolve_model(uri: str) -> ResolvedModel:
    """The version ``uri`` names now: ``bento:TAG`` from BentoML's model store, else the registry.

    Raises:
        ModelNotFoundError: no such BentoML model, or no such registered model, version or alias.
    """
    if uri.startswith(BENTO_SCHEME):
        return _packed(uri.removeprefix(BENTO_SCHEME))
    from models.registry import load_scam_model, resolve_model_version

    name, version = resolve_model_version(uri)
    return ResolvedModel(name, version, partial(load_scam_model, f"models:/{name}/{version}"),
                         partial(check_registered, name, version))


def check_registered(name: str, version: str) -> str | None:
    """:func:`~models.registry.check_scorable_here` without running the feature code, then the
    kind the version's logged signature names (:func:`~models.registry.logged_kind`)."""
    from models.registry import check_scorable_here, logged_kind

    return logged_kind(check_scorable_here(name, version, run_feature_code=False))


def _packed(tag: str) -> ResolvedModel:
    import bentoml
    from bentoml.exceptions import BentoMLException

    try:
        stored = bentoml.models.get(tag)
    except BentoMLException as exc:  # NotFound, or a malformed tag
        raise ModelNotFoundError(f"{BENTO_SCHEME}{tag}: not in BentoML's model store ({exc})") from exc
    metadata = stored.info.metadata
    return ResolvedModel(str(metadata[REGISTRY_NAME_KEY]), str(metadata[REGISTRY_VERSION_KEY]), partial(unpickle_packed, stored),
                         partial(check_packed, stored, run_feature_code=False))


def check_packed(stored: Model, *, run_feature_code: bool = True) -> str | None:
    """Raise if another yunmao pickled the ScamModel inside a BentoML model, or it was trained with
    other feature resources or (``run_feature_code``) by other feature code than this checkout's
    (``models/provenance``); the kind ``yunmao build`` recorded (None for a model packed before it did)."""
    from models.provenance import check_provenance

    check_provenance(f"{BENTO_SCHEME}{stored.tag}", stored.info.metadata, run_feature_code=run_feature_code)
    return stored.info.metadata.get(KIND_KEY)


def unpickle_packed(stored: Model) -> ScamModel:
    """The ScamModel inside a BentoML model, refused before unpickling by :func:`check_packed`."""
    from models.pyfunc import load_pickled_model

    check_packed(stored)
    return load_pickled_model(stored.path_of(SCAM_MODEL_FILE), f"{BENTO_SCHEME}{stored.tag}")
