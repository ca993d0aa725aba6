"""``yunmao predict``: score a file with a registered model and write decisions beside ids."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from models.pyfunc import decisions_frame
from models.scam_model import ScamModel
from training.data.datasets import load_for_model

ID_COLUMNS = {"sms": "id", "call": "phone_no_m"}
TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet", ".pq")


def write_table(frame: pd.DataFrame, out: Path) -> None:
    """CSV, JSONL or Parquet by suffix — the formats the loaders read back."""
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(out, index=False, encoding="utf-8")
    elif suffix == ".jsonl":
        frame.to_json(out, orient="records", lines=True, force_ascii=False)
    elif suffix in (".parquet", ".pq"):
        frame.to_parquet(out, index=False)
    else:
        raise ValueError(f"{out}: output must end in .csv, .jsonl or .parquet")


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
    (``missing_columns`` the model scored as unknown, link counts)."""
    frame, notes = load_for_model(model, paths, fmt, labelled=False, features=features, links=links)
    decisions = predict_records(model, frame)
    write_table(decisions, out)
    return decisions, notes
