"""Loading labelled or unlabelled data for a model of a given kind (SMS texts or call profiles)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from training.data.sms import load_labelled, load_unlabelled

if TYPE_CHECKING:
    from models.scam_model import ScamModel


def load_records(model: ScamModel, paths: Sequence[str | Path], fmt: str = "auto", *, labelled: bool) -> pd.DataFrame:
    """Records ``model`` scores: SMS records, or per-number call profiles built from CDRs with
    the profile config ``model`` was trained with (window and definitions change the numbers).

    Labelled SMS are never deduplicated here: evaluation scores every row of the file, so a
    resent message counts each time it was sent and the figures compare with any other tool's on
    the same file. Training deduplicates in its own loader; ``yunmao evaluate --unique`` adds the
    deduplicated view on top.
    """
    if model.kind == "call":
        from training.data.cdr import load_call_training_data

        frames = [load_call_training_data(path, fmt, model.profile_config)[0] for path in paths]
        frame = pd.concat(frames, ignore_index=True)
        if labelled and "label" not in frame:
            raise ValueError("call data has no labels (a profile table needs a 'label' column)")
        return frame
    if labelled:
        return load_labelled(paths, fmt, dedupe=False).frame
    return load_unlabelled(paths, fmt).frame


def load_for_model(
    model: ScamModel,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    *,
    labelled: bool,
    features: Sequence[str | Path] = (),
    links: Sequence[str | Path] = (),
) -> tuple[pd.DataFrame, dict]:
    """Records ready for ``model`` plus notes on what it will score as unknown.

    For call models the ``features`` tables are joined and graph columns computed from
    ``links`` (see :func:`ready_for_model`).

    Raises:
        ValueError: unreadable data or links; extra tables or links given to an SMS model.
    """
    if model.kind != "call":
        if features or links:
            raise ValueError("--features and --links apply to call models only")
        return load_records(model, paths, fmt, labelled=labelled), {}
    from training.data.call_tables import join_feature_tables, load_links

    frame, _ = join_feature_tables(load_records(model, paths, fmt, labelled=labelled), features)
    return ready_for_model(model, frame, load_links(links) if links else None)


def ready_for_model(model: ScamModel, frame: pd.DataFrame, links: pd.DataFrame | None) -> tuple[pd.DataFrame, dict]:
    """Call profiles plus the graph columns of ``model``, and notes for the user.

    Graph columns come from ``links`` and the model's own known-label set, never from the
    labels of ``frame``. Notes: ``missing_columns`` — columns the model was trained on that
    the records lack (scored as unknown, so say so) — and the ``links`` counts.

    Raises:
        ValueError: links given to a model trained without graph features, or unusable links.
    """
    from features.graph.knowledge import add_graph_features, graph_for

    notes: dict = {}
    if links is not None:
        if model.graph is None:
            raise ValueError("this model was trained without graph features: --links has nothing to feed")
        graph = graph_for(frame, links, model.graph)
        frame = add_graph_features(frame, graph, model.graph)
        notes["links"] = graph.report.as_dict()
    notes["missing_columns"] = model.featuriser.missing_columns(frame)
    return frame, notes
