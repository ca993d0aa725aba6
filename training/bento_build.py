"""``yunmao build``: a Bento of the service (``bentofile.yaml``) carrying named model versions.

By default each model URI (``models:/yunmao-sms@champion``) is resolved *now* and that version is
packed into the Bento, so an image is reproducible and a rollback is an image tag: the Bento
serves it with no registry, no MLflow store and no network. ``resolve_at_start`` packs no model
and records the URIs instead; each worker then resolves them at start against the registry of
the serving config (``registry_uri`` or ``$MLFLOW_TRACKING_URI``).

The models travel as BentoML models (``yunmao-sms:3``: registry name and version), not as files
in the Bento's source: ``bentoml build`` copies them into the Bento and ``bentoml containerize``
into the image with no step of ours; ``bentoml models list`` shows what was packed, two Bentos of
the same version share one copy in the store, and the service finds them through BentoML's model
store wherever the Bento runs. Each carries only the pickled ScamModel (the MLflow artifact) and
its provenance: registry name, version and source, kind, the yunmao version that pickled it and the
hashes of the feature resources its scoring reads (both checked here, and again where it is unpickled).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from configs.paths import PROJECT_ROOT
from models.provenance import PROVENANCE_KEYS, VERSION_KEY, YUNMAO_VERSION
from serving.model_source import BENTO_SCHEME, KIND_KEY, REGISTRY_NAME_KEY, REGISTRY_VERSION_KEY, SCAM_MODEL_FILE

if TYPE_CHECKING:
    from bentoml import Bento

BENTOFILE = PROJECT_ROOT / "bentofile.yaml"
KINDS = ("sms", "call")
SOURCE_KEY = "registry_source"


@dataclass(frozen=True)
class BuiltBento:
    tag: str
    path: Path
    models: dict[str, str]  # kind -> what the Bento serves (bento:TAG, or the URI resolved at start)


def build_bento(model_uris: dict[str, str], resolve_at_start: bool) -> BuiltBento:
    """Build the Bento into BentoML's store (``$BENTOML_HOME``) and return its tag.

    Raises:
        ModelNotFoundError: a URI names no registered model, version or alias.
        IncompatibleModelError: a model was pickled by another yunmao version, or trained with other
            feature resources than this checkout's.
        ValueError: a URI is malformed, or names a model of the wrong kind.
    """
    import bentoml

    from models.registry import parse_model_uri

    if resolve_at_start:
        for uri in model_uris.values():
            parse_model_uri(uri)
        served = dict(model_uris)
        packed: list[str] = []
    else:
        packed = [pack_registry_model(model_uris[kind], kind) for kind in KINDS]
        served = {kind: f"{BENTO_SCHEME}{tag}" for kind, tag in zip(KINDS, packed, strict=True)}
    options: dict[str, Any] = yaml.safe_load(BENTOFILE.read_text(encoding="utf-8"))
    options["labels"] = {**options.get("labels", {}), VERSION_KEY: YUNMAO_VERSION,
                         **{f"{kind}_model": _label_value(uri) for kind, uri in served.items()}}
    options["python"] = {**options.get("python", {}), "packages": pinned_runtime_closure()}
    options["models"] = packed
    with tempfile.TemporaryDirectory() as tmp:  # bentofile.yaml plus what only the build knows, parsed by BentoML
        bentofile = Path(tmp) / "bentofile.yaml"
        bentofile.write_text(yaml.safe_dump(options, allow_unicode=True), encoding="utf-8")
        bento: Bento = bentoml.bentos.build_bentofile(
            str(bentofile), build_ctx=str(PROJECT_ROOT), args={f"{kind}_model": uri for kind, uri in served.items()}
        )
    return BuiltBento(str(bento.tag), Path(bento.path), served)


def pinned_runtime_closure() -> list[str]:
    """Every distribution the project's runtime dependencies pull in, transitively, pinned to the
    version installed here: an image built from the Bento later installs exactly what was tested
    here, not whatever the index holds by then.

    Markers are judged for this platform and for the extras each requirement asks for; the test
    and dask extras of the project itself are not runtime.
    """
    from importlib.metadata import version

    from packaging.utils import canonicalize_name

    from models.pyfunc import PROJECT_DISTRIBUTION, applicable_requirements

    pinned: dict[str, str] = {}
    visited: set[tuple[str, frozenset[str]]] = set()
    pending: list[tuple[str, frozenset[str]]] = [(PROJECT_DISTRIBUTION, frozenset())]
    while pending:
        for requirement in applicable_requirements(*pending.pop()):
            key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
            if key not in visited:
                visited.add(key)
                pinned[key[0]] = version(requirement.name)
                pending.append((requirement.name, key[1]))
    return [f"{name}=={pinned_version}" for name, pinned_version in sorted(pinned.items())]


def _label_value(uri: str) -> str:
    """A BentoML label value (no ``@``, ``:`` or ``/`` allowed): ``bento:yunmao-sms:3`` →
    ``yunmao-sms.3``, ``models:/yunmao-sms@champion`` → ``yunmao-sms.champion``."""
    value = uri.removeprefix(BENTO_SCHEME).removeprefix("models:/")
    return value.replace(":", ".").replace("@", ".").replace("/", ".")


def pack_registry_model(uri: str, kind: str) -> str:
    """The registry version ``uri`` names now, as the BentoML model ``NAME:VERSION``; returns its tag.

    An existing BentoML model of that tag is reused when it came from the same registry source,
    and refused (with what to do) when it did not. Either way a model this checkout would not score
    as trained (``models/provenance``) is refused: the Bento serves it with this checkout's code.
    """
    import bentoml
    from bentoml.exceptions import NotFound
    from mlflow import MlflowClient

    from models.pyfunc import load_pickled_model
    from models.registry import check_scorable_here, downloaded_scam_model, resolve_model_version

    name, version = resolve_model_version(uri)
    mlmodel = check_scorable_here(name, version)  # also when the store already holds it: this checkout may have changed since
    source = MlflowClient().get_model_version(name, version).source
    tag = bentoml.Tag(name.lower(), version)
    try:
        existing = bentoml.models.get(tag)
    except NotFound:
        existing = None
    if existing is not None:
        if existing.info.metadata.get(SOURCE_KEY) != source:
            raise ValueError(
                f"BentoML's model store already holds {tag} from another registry ({existing.info.metadata.get(SOURCE_KEY)}); "
                f"delete it first (bentoml models delete {tag})"
            )
        return str(tag)
    with downloaded_scam_model(name, version, mlmodel) as artifact:
        model_kind = load_pickled_model(artifact, f"models:/{name}/{version}").kind
        if model_kind != kind:
            raise ValueError(f"{uri} is a {model_kind!r} model, not {kind!r} (--{kind}-model)")
        metadata = {REGISTRY_NAME_KEY: name, REGISTRY_VERSION_KEY: version, SOURCE_KEY: source, KIND_KEY: kind,
                    **{key: mlmodel.metadata[key] for key in PROVENANCE_KEYS}}
        with bentoml.models.create(tag, labels={KIND_KEY: kind}, metadata=metadata) as stored:
            shutil.copyfile(artifact, stored.path_of(SCAM_MODEL_FILE))
    return str(tag)
