"""The MLflow pyfunc wrapper: one logged artifact, raw records in, decisions out.

Anything that speaks pyfunc (``mlflow models serve``, batch jobs, BentoML) gets the same
featuriser, thresholds and fraud-type head as yunmao's own service. The output carries
scores, not just labels, because interception needs the score to audit a decision.
"""

from __future__ import annotations

from importlib.metadata import requires, version
from pathlib import Path

import joblib
import mlflow
import pandas as pd
from packaging.requirements import Requirement

from models.legacy_layout import alias_moved_modules
from models.probe_outputs import check_probe_outputs, probe_outputs
from models.provenance import check_provenance, provenance
from models.scam_model import ScamModel

ARTIFACT_KEY = "scam_model"
OUTPUT_COLUMNS = ["score", "action", "fraud_type", "fraud_type_score", "reasons", "category", "fraud_score"]
REASON_SEPARATOR = "；"
PROJECT_DISTRIBUTION = "yunmao"


class ScamModelPyfunc(mlflow.pyfunc.PythonModel):
    """Loads the pickled :class:`ScamModel` artifact and answers ``predict`` with decisions."""

    def load_context(self, context) -> None:
        """Refuse, before unpickling, a model this checkout would not score as it was trained
        (``models/provenance``): ``mlflow models serve`` and batch jobs load the pyfunc directly,
        past yunmao's own loaders (which unpickle the artifact themselves and check once, there).

        The provenance is read from the MLmodel file's ``metadata``, its one place (models logged
        before it was kept once also carry it as the pyfunc's ``model_config``, ignored here): the
        artifact lies in ``artifacts/`` of the model's folder, where ``log_scam_model`` put it. The
        reasons' contribution tables are built here too (models/shap_table.py)."""
        artifact = Path(context.artifacts[ARTIFACT_KEY])
        model_dir = artifact.parent.parent
        source = f"the pyfunc model at {model_dir}"
        check_provenance(source, mlflow.models.Model.load(str(model_dir)).metadata or {})
        self.model: ScamModel = load_pickled_model(artifact, source)
        self.model.booster.prepare_contributions()  # at load, as serving does: not on the first request

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        return decisions_frame(self.model, model_input)


def load_pickled_model(path: str | Path, source: str | None = None) -> ScamModel:
    """Unpickle a ScamModel artifact, including ones pickled by an older module layout, and check
    that this checkout's code reproduces its outputs on the probes (``models/probe_outputs.py``).

    Raises:
        IncompatibleModelError: it does not; the message names ``source`` (default: the path).
    """
    alias_moved_modules()
    model = joblib.load(path)
    check_probe_outputs(model, source or str(path))
    return model


def decisions_frame(model: ScamModel, records: pd.DataFrame, explain: bool = True) -> pd.DataFrame:
    """Decisions for ``records`` as a frame (reasons joined into one string per row)."""
    rows = [
        {
            "score": d.score,
            "action": d.action,
            "fraud_type": d.fraud_type,
            "fraud_type_score": d.fraud_type_score,
            "reasons": REASON_SEPARATOR.join(d.reasons),
            "category": d.category,
            "fraud_score": d.fraud_score,
        }
        for d in model.decide(records, explain=explain)
    ]
    return pd.DataFrame(rows, columns=OUTPUT_COLUMNS)


def log_scam_model(model: ScamModel, input_example: pd.DataFrame, registered_name: str, workdir: Path):
    """Log ``model`` as a pyfunc with signature and input example and register a new version.

    The MLmodel file's ``metadata`` records, once, the yunmao version that pickled it and the hashes
    of the feature resources it was trained with (``models/provenance``): read before anything is
    unpickled by yunmao's loaders (``models/registry``) and by :meth:`ScamModelPyfunc.load_context`
    for loaders that are not yunmao's. Not also the pyfunc's ``model_config``: both read the whole
    MLmodel file anyway, and a ``model_config`` given at load (or ``$MLFLOW_PYFUNC_INFERENCE_CONFIG``)
    overrides the keys of that one.
    An SMS model's outputs on the probes are recorded on it first, so every load can reproduce them
    (``models/probe_outputs.py``).
    Returns MLflow's ModelInfo (``registered_model_version`` is the new version).
    """
    artifact = workdir / "scam_model.joblib"
    if model.kind == "sms":
        model.probe_outputs = probe_outputs(model)
    joblib.dump(model, artifact)
    output_example = decisions_frame(model, input_example)
    return mlflow.pyfunc.log_model(
        name="model",
        python_model=ScamModelPyfunc(),
        artifacts={ARTIFACT_KEY: str(artifact)},
        signature=mlflow.models.infer_signature(input_example, output_example),
        input_example=input_example,
        registered_model_name=registered_name,
        pip_requirements=runtime_requirements(),
        metadata=provenance(model.kind),
    )


def runtime_requirements() -> list[str]:
    """The project's runtime dependencies, pinned to the versions installed here.

    What unpickling and scoring a ScamModel imports is exactly the project's declared runtime
    dependencies. Stating them saves MLflow's inference, which reloads the model in a
    subprocess for each logged model (seconds per training run) and missed lightgbm and jieba.
    """
    return [f"{requirement.name}=={version(requirement.name)}" for requirement in applicable_requirements(PROJECT_DISTRIBUTION)]


def applicable_requirements(distribution: str, extras: frozenset[str] = frozenset()) -> list[Requirement]:
    """The requirements of the installed ``distribution`` that apply here: markers judged for this
    platform and for the ``extras`` asked of it. The project's own extras (test tools, dask) carry
    an ``extra == ...`` marker, false unless asked; a platform marker (uvloop: not on Windows) holds here."""
    requirements = [Requirement(line) for line in requires(distribution) or []]
    return [r for r in requirements if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in {"", *extras})]
