"""A registered SMS model's own feature rows and scores on the probes, recorded when it is logged
and reproduced every time it is loaded.

``features/sms/behaviour.py`` records what the feature steps that are code alone (normalising,
tokenising, cues…) make of the probes. The fitted steps run this project's code too: the TF-IDF
counting that stands in for scikit-learn's (``features/sms/tfidf.py``, ``ngram_counts.py``), the
stacked linear text models and the row assembly (``text.py``, ``sparse_blocks.py``), the boosters'
one-row calls and the calibration (``models/ensemble.py``). A change there (session 26 rewrote
the one-message n-gram counting) reaches every registered model without changing the project
version, and a slip would score every message with features the model was not trained on while
every check above passed. So the model as logged runs on the probes (``features.sms.behaviour.
probe_records``), its feature rows and its own calibrated scores are pickled with it, and each load
recomputes both with the loading checkout's code: beyond floating-point tolerance, the model is
refused, naming the feature columns or the score that moved.

The record lives in the artifact, not in the MLmodel metadata: comparing it needs the unpickled
model, and its rows (a few thousand values) are too large for the metadata YAML. Models logged
before it carry none and load as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from features.sms.behaviour import probe_records
from models.provenance import IncompatibleModelError

if TYPE_CHECKING:
    from models.scam_model import ScamModel

# Feature values are float32 (TF-IDF, linear scores, counts): equal to the last few bits, whatever
# the CPU's vector instructions (numpy's log and sqrt kernels may differ by an ulp between CPUs).
FEATURE_RTOL, FEATURE_ATOL = 1e-5, 1e-6
# Calibrated scores in [0, 1]: far below anything a threshold or a report could tell apart.
SCORE_ATOL = 1e-6
_NAMED_COLUMNS = 3  # of the differing feature columns named in a refusal


@dataclass(frozen=True)
class ProbeOutputs:
    """What a model made of the probes when it was logged: the records, their feature rows (the
    model's own columns) and calibrated scores (before any template memory)."""

    records: tuple[Mapping[str, str | None], ...]
    features: sp.csr_matrix
    scores: np.ndarray


def probe_outputs(model: ScamModel) -> ProbeOutputs:
    """Run ``model`` (an SMS model) on this checkout's probes."""
    records = tuple(probe_records())
    return ProbeOutputs(records, *_outputs(model, records))


def _outputs(model: ScamModel, records: Sequence[Mapping[str, str | None]]) -> tuple[sp.csr_matrix, np.ndarray]:
    features = sp.csr_matrix(model.features(pd.DataFrame(list(records))))
    return features, np.asarray(model.score_features(features), dtype=np.float64)


def check_probe_outputs(model: ScamModel, source: str) -> None:
    """Raise unless ``model`` gives here, on the probes it was logged with, the feature rows and
    scores it gave then — scored as one batch and one message at a time, since the two run partly
    different code (NumPy n-gram counters and LightGBM's batch predictor; string n-grams and its
    one-row entry point). Nothing to check for a model without the record (a call model, or one
    logged before records were kept).

    Raises:
        IncompatibleModelError: the record is not a :class:`ProbeOutputs`; or the feature rows differ
            (naming up to three columns and how many probes); or, the features alike, the scores do.
    """
    recorded = getattr(model, "probe_outputs", None)
    if recorded is None:
        return
    if not isinstance(recorded, ProbeOutputs) or recorded.features.shape != (len(recorded.records), len(model.feature_names)):
        raise IncompatibleModelError(
            f"{source} records its outputs on the probes in a form this yunmao cannot read: retrain it with this checkout"
        )
    singles = [_outputs(model, [record]) for record in recorded.records]
    for path, (features, scores) in (
        ("in a batch", _outputs(model, recorded.records)),
        ("one message at a time", (sp.vstack([f for f, _ in singles], format="csr"), np.concatenate([s for _, s in singles]))),
    ):
        _compare(model, source, path, recorded, features, scores)


def _compare(model: ScamModel, source: str, path: str, recorded: ProbeOutputs, features: sp.csr_matrix, scores: np.ndarray) -> None:
    then, now = recorded.features.toarray(), features.toarray()
    moved = ~np.isclose(now, then, rtol=FEATURE_RTOL, atol=FEATURE_ATOL, equal_nan=True)
    if moved.any():
        columns = np.flatnonzero(moved.any(axis=0))
        named = ", ".join(repr(model.feature_names[c]) for c in columns[:_NAMED_COLUMNS])
        more = f" and {len(columns) - _NAMED_COLUMNS} more" if len(columns) > _NAMED_COLUMNS else ""
        raise IncompatibleModelError(
            f"{source} gets other features from this checkout's code ({path}) than it got when it was registered: "
            f"columns {named}{more} differ on {int(moved.any(axis=1).sum())} of {len(recorded.records)} probes, "
            "so it would be scored with features it was not trained on: retrain it with this checkout, or serve it "
            "from the checkout it was trained with"
        )
    drift = np.abs(scores - recorded.scores)
    if (drift > SCORE_ATOL).any():
        raise IncompatibleModelError(
            f"{source} scores its probes differently with this checkout's code ({path}) than when it was registered "
            f"(same features; {int((drift > SCORE_ATOL).sum())} of {len(recorded.records)} probes, by up to "
            f"{drift.max():.2g}): retrain it with this checkout, or serve it from the checkout it was trained with"
        )
