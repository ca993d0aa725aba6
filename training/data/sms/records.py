"""The record contract, label parsing and load reporting shared by every reader.

Every format ends up as the same frame (``RECORD_COLUMNS``) and the same per-file report, so a
training run can say exactly what it read, what it skipped and why. ``RowCollector`` is the one
place where a raw row becomes a record or a counted bad row: readers only split their format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from features.labels import parse_category, parse_label, shipped_taxonomy
from training.data.report import FileReport, LoadReport

RECORD_COLUMNS = ("id", "text", "sender", "receiver", "sent_at")
LABEL_COLUMNS = ("label", "fraud_type", "category")
LABELLED_COLUMNS = RECORD_COLUMNS + LABEL_COLUMNS

class DataFormatError(ValueError):
    """A file cannot be used at all; the message starts ``path:line:`` (line where known)."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


def clean_optional(value: Any) -> Any:
    """None for absent metadata (None, NaN/NaT, blank strings); timestamps become ISO strings."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


@dataclass
class LoadResult:
    """The loaded records (``frame``) and the account of how they were obtained (``report``)."""

    frame: pd.DataFrame
    report: LoadReport
    # Labelled loads: every row before deduplication (the labelled columns), what the template
    # memory counts (configs/sms.yaml ``memory``), copies included. None for unlabelled loads.
    every_row: pd.DataFrame | None = None


class RowCollector:
    """Turns one file's raw rows into records, counting every rejected row by reason.

    Args:
        path: the file, for ids (``<stem>:<line>``) and error messages.
        fmt: the format name recorded in the report.
        labelled: whether a valid label is required (training) or optional (scoring).
    """

    def __init__(self, path: Path, fmt: str, labelled: bool) -> None:
        self.path = path
        self.labelled = labelled
        self.report = FileReport(path=str(path), format=fmt)
        self._first_bad_line: int | None = None
        self._rows: list[dict[str, Any]] = []
        self._labels_complete = True

    def reject(self, reason: str, line: int) -> None:
        """Count a row that cannot become a record (the first such line is kept for errors)."""
        self.report.rows_read += 1
        self.report.count_bad(reason, 1, line)
        if self._first_bad_line is None:
            self._first_bad_line = line

    def add(self, line: int, text: Any, label: Any = None, **meta: Any) -> None:
        """Validate one row and keep it as a record, or count why not.

        ``label`` may be a raw spelling or an already parsed 0/1; ``meta`` holds the optional
        columns ``id, sender, receiver, sent_at, fraud_type, category``. A format with its own
        label vocabulary in ``configs/taxonomy.yaml`` (``sources``) is read through it: the
        label's meaning there gives category, 0/1 (ham or not) and fraud type.
        """
        text = clean_optional(text)
        if text is None:
            self.reject("empty_text", line)
            return
        taxonomy = shipped_taxonomy()
        if self.report.format in taxonomy.sources and clean_optional(label) is not None:
            meaning = taxonomy.meaning(self.report.format, str(label))
            if meaning is None:
                label = None  # an unknown label: bad_label below when labels are required
            else:
                label = int(meaning.category != taxonomy.ham_category)
                meta = {**meta, "category": meaning.category, "fraud_type": meaning.fraud_type}
        parsed = parse_label(label)
        if parsed is None and self.labelled:
            self.reject("bad_label", line)
            return
        self.report.rows_read += 1
        self._labels_complete &= parsed is not None
        record_id = clean_optional(meta.get("id"))
        fraud_type = clean_optional(meta.get("fraud_type")) if parsed == 1 else None
        try:
            category = parse_category(label, clean_optional(meta.get("category")), fraud_type) if parsed is not None else None
        except ValueError:
            self.reject("bad_category", line)
            return
        self._rows.append(
            {
                "id": str(record_id) if record_id is not None else f"{self.path.stem}:{line}",
                "text": str(text),
                "sender": _as_text(meta.get("sender")),
                "receiver": _as_text(meta.get("receiver")),
                "sent_at": _as_text(meta.get("sent_at")),
                "label": parsed,
                "fraud_type": None if fraud_type is None else str(fraud_type),
                "category": category,
            }
        )

    def finish(self) -> tuple[pd.DataFrame, FileReport]:
        """The file's records and report; a file with no usable row is an error, not a silent zero."""
        self.report.rows_loaded = len(self._rows)
        if not self._rows:
            detail = ", ".join(f"{reason}={count}" for reason, count in sorted(self.report.bad_rows.items()))
            raise DataFormatError(self.path, f"no usable rows ({detail or 'file is empty'})", self._first_bad_line)
        columns = LABELLED_COLUMNS if self.labelled or self._labels_complete else RECORD_COLUMNS
        return make_frame(self._rows, columns), self.report


def _as_text(value: Any) -> str | None:
    """Metadata kept as text: phone numbers must not turn into floats or lose leading zeros."""
    value = clean_optional(value)
    return None if value is None else str(value)


def make_frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """A frame with the contract's columns and dtypes (object for optional fields, int labels)."""
    frame = pd.DataFrame(rows, columns=list(columns)).astype(object)
    frame = frame.where(frame.notna(), None)
    if "label" in frame:
        frame["label"] = frame["label"].astype("int64")
    return frame
