"""``yunmao profiles build``: per-number profiles for the online store, graph columns included.

The live call scorer reads one stored profile per caller, so graph features must be in the
profile: they are computed here by the same function training used, from the links and the
known-label set of the model that will score them (``model``), never from labels in the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from configs.call import CallConfig
from models.scam_model import ScamModel
from training.data.call_tables import join_feature_tables, load_links
from training.data.cdr import load_call_training_data
from training.data.datasets import ready_for_model
from training.data.report import LoadReport


def build_profile_table(
    cdr: str | Path,
    cfg: CallConfig,
    features: Sequence[str | Path] = (),
    links: Sequence[str | Path] = (),
    model: ScamModel | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Profiles from CDRs (+ extra tables, + graph columns for ``model``) and a load report.

    Raises:
        ValueError: unusable CDRs, tables or links; ``links`` without a graph ``model``.
    """
    profiles, report = load_call_training_data(cdr, "cdr", cfg.profiles)
    return complete_profile_table(profiles, report, features, links, model)


def complete_profile_table(
    profiles: pd.DataFrame,
    report: LoadReport,
    features: Sequence[str | Path] = (),
    links: Sequence[str | Path] = (),
    model: ScamModel | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Built profiles joined with the extra tables and given ``model``'s graph columns, whichever
    engine built them; and the summary of what was loaded.

    Raises:
        ValueError: unusable tables or links; ``links`` without a graph ``model``.
    """
    if links and model is None:
        raise ValueError("--links needs --model: graph features use the known-fraud set of the model that will score them")
    profiles, feature_reports = join_feature_tables(profiles, features)
    summary = {**report.as_dict(), "feature_tables": feature_reports}
    if links:
        profiles, notes = ready_for_model(model, profiles, load_links(links), evaluation=False)
        summary.update(notes)
    return profiles, summary
