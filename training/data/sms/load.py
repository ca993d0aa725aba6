"""Entry points: load one or many files (formats may differ) into one frame plus a report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from training.data.detect import CALL_FORMATS, detect_format
from training.data.report import FileReport, LoadReport
from training.data.sms.canonical import read_canonical
from training.data.sms.dedupe import WEIGHT_COLUMN, drop_duplicates
from training.data.sms.fbs import read_fbs
from training.data.sms.native import read_label_text, read_mudou, read_telecom5
from training.data.sms.records import (
    LABELLED_COLUMNS,
    RECORD_COLUMNS,
    DataFormatError,
    LoadResult,
    RowCollector,
)

Reader = Callable[[Path, RowCollector], None]
READERS: dict[str, Reader] = {
    "canonical": read_canonical,
    "mudou": read_mudou,
    "sms80w": read_label_text,
    "uci": read_label_text,
    "telecom5": read_telecom5,
    "fbs": read_fbs,
}
FORMATS = ("auto", *READERS)


def load_labelled(
    paths: Sequence[str | Path], fmt: str = "auto", *, dedupe: bool = True, max_copies: int | None = 1,
    weigh: bool = False,
) -> LoadResult:
    """Load labelled SMS for training or evaluation.

    Args:
        paths: one or more files; with ``fmt="auto"`` each file's format is detected on its own.
        fmt: one of ``FORMATS``.
        dedupe: drop repeated normalised texts across all files (see ``dedupe.drop_duplicates``).
        max_copies: with ``dedupe``, copies of a text kept (None: all, labels still resolved);
            training passes its ``configs/sms.yaml`` ``duplicates`` setting.
        weigh: with ``dedupe`` and one copy, add each text's sample weight (``dedupe.WEIGHT_COLUMN``).

    Returns:
        ``LoadResult`` whose frame has exactly ``id, text, sender, receiver, sent_at, label,
        fraud_type, category`` (category None where a label only says "unwanted"; ``weight`` too with ``weigh``)
        and whose report counts bad rows per file and removed duplicates.

    Raises:
        DataFormatError: a file is missing, unreadable, of unknown format, lacks a required
            column or has no usable row.
    """
    frames, reports = _load_all(paths, fmt, labelled=True)
    frame = every_row = pd.concat(frames, ignore_index=True)
    report = LoadReport(files=reports, rows=len(frame))
    if dedupe:
        result = drop_duplicates(frame, max_copies, weigh=weigh)
        frame = result.frame
        report = LoadReport(reports, len(frame), result.duplicates_removed, result.conflicting_labels)
    columns = [*LABELLED_COLUMNS, WEIGHT_COLUMN] if dedupe and weigh else list(LABELLED_COLUMNS)
    return LoadResult(frame=frame[columns], report=report, every_row=every_row[list(LABELLED_COLUMNS)])


def load_unlabelled(paths: Sequence[str | Path], fmt: str = "auto") -> LoadResult:
    """Load SMS for scoring: every row with text is kept, in input order, never deduplicated.

    ``label``, ``fraud_type`` and ``category`` are kept only when every file supplied a valid label for every
    row (e.g. scoring a labelled file for evaluation); otherwise the frame has the record
    columns only.
    """
    frames, reports = _load_all(paths, fmt, labelled=False)
    has_labels = all("label" in part for part in frames)
    columns = LABELLED_COLUMNS if has_labels else RECORD_COLUMNS
    frame = pd.concat([part[list(columns)] for part in frames], ignore_index=True)
    return LoadResult(frame=frame, report=LoadReport(files=reports, rows=len(frame)))


def _load_all(
    paths: Sequence[str | Path], fmt: str, *, labelled: bool
) -> tuple[list[pd.DataFrame], list[FileReport]]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if isinstance(paths, (str, Path)):
        paths = [paths]  # a lone path is a Sequence of characters: never iterate it
    if not paths:
        raise ValueError("no input files given")
    frames, reports = [], []
    for path in map(Path, paths):
        frame, report = load_file(path, fmt, labelled=labelled)
        frames.append(frame)
        reports.append(report)
    return frames, reports


def load_file(path: Path, fmt: str = "auto", *, labelled: bool = True) -> tuple[pd.DataFrame, FileReport]:
    """Load a single file; the building block of ``load_labelled`` and ``load_unlabelled``."""
    if not path.is_file():
        raise DataFormatError(path, "no such file" if not path.exists() else "not a regular file")
    if fmt == "auto":
        fmt = detect_format(path)
        if fmt in CALL_FORMATS:
            raise DataFormatError(path, f"looks like call data ({fmt}), not SMS; pass --format to read it as SMS")
    rows = RowCollector(path, fmt, labelled)
    READERS[fmt](path, rows)
    return rows.finish()
