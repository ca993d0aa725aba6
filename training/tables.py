"""Writing a result table by its file suffix, without importing the model stack (MLflow)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
