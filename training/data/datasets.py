"""Loading labelled or unlabelled data for a model of a given kind (SMS texts or call profiles)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from models.scam_model import ScamModel
from training.data.sms import load_labelled, load_unlabelled


def load_for_model(model: ScamModel, paths: Sequence[str | Path], fmt: str = "auto", *, labelled: bool) -> pd.DataFrame:
    """Records ``model`` scores: SMS records, or per-number call profiles built from CDRs with
    the profile config ``model`` was trained with (window and definitions change the numbers)."""
    if model.kind == "call":
        from training.data.cdr import load_call_training_data

        frames = [load_call_training_data(path, fmt, model.profile_config)[0] for path in paths]
        frame = pd.concat(frames, ignore_index=True)
        if labelled and "label" not in frame:
            raise ValueError("call data has no labels (a profile table needs a 'label' column)")
        return frame
    loader = load_labelled if labelled else load_unlabelled
    return loader(paths, fmt).frame
