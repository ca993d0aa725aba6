"""yunmao's own file format: CSV, JSONL or Parquet with the record contract's columns.

Required: ``text`` (and ``label`` when loading for training); optional: ``id, sender, receiver,
sent_at, fraud_type, category`` (see ``configs/taxonomy.yaml``);
other columns are ignored. Column names are matched case-insensitively.
The sub-format follows the extension: ``.parquet``/``.pq``, ``.jsonl``/``.ndjson``, else CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from training.data.sms.encoding import decode_file
from training.data.sms.records import DataFormatError, RowCollector

OPTIONAL_COLUMNS = ("id", "sender", "receiver", "sent_at", "fraud_type", "category")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def required_columns(rows: RowCollector) -> tuple[str, ...]:
    """``text`` always; ``label`` only when the caller needs labels."""
    return ("text", "label") if rows.labelled else ("text",)


def check_columns(path: Path, columns: Any, required: tuple[str, ...], line: int | None = 1) -> None:
    """Fail with the file, line and the missing names when a required column is absent."""
    missing = [name for name in required if name not in columns]
    if missing:
        found = ", ".join(str(c) for c in columns) or "none"
        raise DataFormatError(path, f"missing required column(s) {', '.join(missing)} (found: {found})", line)


def iter_csv(path: Path, rows: RowCollector, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each well-formed CSV row, keyed by the case-folded header.

    Ragged rows (more or fewer fields than the header) are counted, not guessed at: a shifted
    column would put a label into the text. ``line`` is where the row starts, so quoted
    multi-line texts still point at the right place.
    """
    text, _ = decode_file(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().casefold() for name in next(reader, [])]
        if not header:
            raise DataFormatError(path, "empty file, expected a header line", 1)
        check_columns(path, header, required)
        previous_end = reader.line_num
        for fields in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not fields or not any(field.strip() for field in fields):
                continue  # blank line: not a row
            if len(fields) != len(header):
                rows.reject("too_few_columns" if len(fields) < len(header) else "too_many_columns", line)
                continue
            yield line, dict(zip(header, fields))
    except csv.Error as exc:
        raise DataFormatError(path, f"malformed CSV: {exc}", reader.line_num) from exc


def add_canonical(rows: RowCollector, line: int, record: Mapping[str, Any]) -> None:
    """Hand one canonical row (any sub-format) to the collector."""
    rows.add(line, record.get("text"), record.get("label"), **{name: record.get(name) for name in OPTIONAL_COLUMNS})


def read_canonical(path: Path, rows: RowCollector) -> None:
    """Read a canonical CSV, JSONL or Parquet file into ``rows``."""
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        _read_parquet(path, rows)
    elif suffix in JSONL_SUFFIXES:
        _read_jsonl(path, rows)
    else:
        for line, record in iter_csv(path, rows, required_columns(rows)):
            add_canonical(rows, line, record)


def _read_jsonl(path: Path, rows: RowCollector) -> None:
    """One JSON object per line; lines that are not objects are counted as ``bad_json``."""
    text, _ = decode_file(path)
    records: list[tuple[int, dict[str, Any]]] = []
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            rows.reject("bad_json", line)
            continue
        records.append((line, {str(key).casefold(): value for key, value in record.items()}))
    if records:
        seen = set().union(*(record.keys() for _, record in records))
        check_columns(path, sorted(seen), required_columns(rows), line=None)
    for line, record in records:
        add_canonical(rows, line, record)


def _read_parquet(path: Path, rows: RowCollector) -> None:
    """A Parquet table; ``line`` in ids and reports is the 1-based row number."""
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a non-Parquet file
        raise DataFormatError(path, f"not a readable Parquet file: {exc}") from exc
    table.columns = [str(name).casefold() for name in table.columns]
    check_columns(path, list(table.columns), required_columns(rows), line=None)
    for line, record in enumerate(table.to_dict("records"), start=1):
        add_canonical(rows, line, record)
