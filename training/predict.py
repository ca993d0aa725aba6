"""``yunmao predict``: score a file with a registered model and write decisions beside ids."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from models.pyfunc import decisions_frame
from models.scam_model import ScamModel
from training.data.datasets import load_for_model
from training.tables import TABLE_SUFFIXES, refuse_overwriting, write_table  # noqa: F401  (re-exported: callers import them from here)

ID_COLUMNS = {"sms": "id", "call": "phone_no_m"}


def predict_records(model: ScamModel, records: pd.DataFrame) -> pd.DataFrame:
    """Decisions for every record, keyed by its id column, in input order."""
    id_column = ID_COLUMNS.get(model.kind, "id")
    decisions = decisions_frame(model, records)
    decisions.insert(0, id_column, records[id_column].to_numpy() if id_column in records else range(len(records)))
    return decisions


def predict_files(
    model: ScamModel, paths: Sequence[str | Path], out: Path, fmt: str = "auto",
    features: Sequence[str | Path] = (), links: Sequence[str | Path] = (),
) -> tuple[pd.DataFrame, dict]:
    """Score files and write the decisions to ``out``; returns them and the load notes
    (``missing_columns`` the model scored as unknown, link counts).

    Raises:
        OutputError: ``out`` is one of the input files (checked before anything is scored).
    """
    refuse_overwriting(out, [*paths, *features, *links])
    frame, notes = load_for_model(model, paths, fmt, labelled=False, features=features, links=links)
    decisions = predict_records(model, frame)
    write_table(decisions, out)
    return decisions, notes
