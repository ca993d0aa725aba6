"""Loading labelled or unlabelled data for a model of a given kind (SMS texts or call profiles)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from training.data.report import LoadReport
from training.data.sms import load_labelled, load_unlabelled

if TYPE_CHECKING:
    from models.scam_model import ScamModel


def load_records(
    model: ScamModel, paths: Sequence[str | Path], fmt: str = "auto", *, labelled: bool
) -> tuple[pd.DataFrame, LoadReport]:
    """Records ``model`` scores and the account of the load: SMS records, or per-number call
    profiles built from CDRs with the profile config ``model`` was trained with (window and
    definitions change the numbers).

    Labelled SMS are never deduplicated here: evaluation scores every row of the file, so a
    resent message counts each time it was sent and the figures compare with any other tool's on
    the same file. Training deduplicates in its own loader; ``yunmao evaluate --unique`` adds the
    deduplicated view on top.
    """
    if model.kind == "call":
        from training.data.cdr import load_call_records

        frame, reports = load_call_records(paths, fmt, model.profile_config)
        if labelled and "label" not in frame:
            raise ValueError("call data has no labels (a profile table needs a 'label' column)")
        return frame, LoadReport([file for report in reports for file in report.files], len(frame))
    result = load_labelled(paths, fmt, dedupe=False) if labelled else load_unlabelled(paths, fmt)
    return result.frame, result.report


def bad_row_notes(report: LoadReport) -> dict:
    """``bad_rows`` (count by reason over every file) and ``first_bad_row`` (``path:line`` of each
    reason's first) when the load left rows out or changed them; ``{}`` when it did not.

    A scored or evaluated file must never shrink silently: an unparsable label or an empty text
    drops its row, and the figures then cover the rest only.
    """
    if not report.total_bad:
        return {}
    first: dict[str, str] = {}
    for file in report.files:
        for reason, line in file.first_bad_line.items():
            first.setdefault(reason, f"{file.path}:{line}")
    return {"bad_rows": report.bad_rows, "first_bad_row": dict(sorted(first.items()))}


def describe_bad_rows(notes: dict) -> str | None:
    """``"6 input rows left out or changed: bad_label=6 (first at a.csv:2)"`` from load notes
    (:func:`bad_row_notes`); None when there were none."""
    bad = notes.get("bad_rows") or {}
    if not bad:
        return None
    where = ", ".join(f"{reason}={count} (first at {notes['first_bad_row'][reason]})" for reason, count in bad.items())
    return f"{sum(bad.values())} input rows left out or changed: {where}"


def load_for_model(
    model: ScamModel,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    *,
    labelled: bool,
    features: Sequence[str | Path] = (),
    links: Sequence[str | Path] = (),
) -> tuple[pd.DataFrame, dict]:
    """Records ready for ``model`` plus notes: the rows the load left out (:func:`bad_row_notes`)
    and, for call models, what it will score as unknown (``missing_columns``; and
    ``numbers_missing_from_features``: per ``--features`` table, how many numbers it lacks, whose
    columns from it are scored as unknown).

    For call models the ``features`` tables are joined and graph columns computed from
    ``links`` (see :func:`ready_for_model`).

    Raises:
        ValueError: unreadable data or links; extra tables or links given to an SMS model.
    """
    if model.kind != "call" and (features or links):
        raise ValueError("--features and --links apply to call models only")
    frame, report = load_records(model, paths, fmt, labelled=labelled)
    notes = bad_row_notes(report)
    if model.kind != "call":
        return frame, notes
    from training.data.call_tables import join_feature_tables, load_links

    frame, table_reports = join_feature_tables(frame, features)
    frame, call_notes = ready_for_model(model, frame, load_links(links) if links else None, evaluation=labelled)
    missing = {str(path): report["numbers_missing"] for path, report in zip(features, table_reports, strict=True)
               if report["numbers_missing"]}
    return frame, {**notes, **call_notes, **({"numbers_missing_from_features": missing} if missing else {})}


def ready_for_model(
    model: ScamModel, frame: pd.DataFrame, links: pd.DataFrame | None, *, evaluation: bool
) -> tuple[pd.DataFrame, dict]:
    """Call profiles plus the graph columns of ``model``, and notes for the user.

    Graph columns come from ``links`` and the model's own known-label set, never from the
    labels of ``frame``; for ``evaluation`` every number of ``frame`` is hidden from the known
    set, else only each number's own label (``features.graph.knowledge``). Notes: ``missing_columns`` — columns the model was trained on that
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
        frame = add_graph_features(frame, graph, model.graph, evaluation=evaluation)
        notes["links"] = graph.report.as_dict()
    notes["missing_columns"] = model.featuriser.missing_columns(frame)
    return frame, notes
