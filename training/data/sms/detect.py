"""Guess an SMS file's format from its content, so ``--format auto`` works on renamed files.

Used through :func:`training.data.detect.detect_format`, which first rules out call data.

Signals, in order: a Parquet/JSONL extension; a CSV header naming ``text`` (canonical) or
``content,label`` (telecom5); otherwise tab-separated lines whose first field is a label,
where ham/spam means UCI, an fbs_sms category (``AD:Retail``) means fbs,
and the usual number of tabs tells mudou (2) from sms80w (1).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from itertools import islice
from pathlib import Path

from training.data.sms.canonical import JSONL_SUFFIXES, PARQUET_SUFFIXES
from training.data.sms.native import tsv_lines
from features.labels import parse_label, shipped_taxonomy
from training.data.sms.records import DataFormatError

SAMPLE_LINES = 200
# Share of sampled lines whose first field must be a label before a TSV format is assumed.
MIN_LABEL_SHARE = 0.9


def detect_sms_format(path: Path) -> str:
    """One of ``canonical, telecom5, uci, fbs, mudou, sms80w``.

    Raises:
        DataFormatError: empty file, or nothing matches (the message suggests ``--format``).
    """
    if path.suffix.lower() in PARQUET_SUFFIXES + JSONL_SUFFIXES:
        return "canonical"
    sample = [fields for _, fields in islice(tsv_lines(path), SAMPLE_LINES)]
    if not sample:
        raise DataFormatError(path, "empty file", 1)
    if len(sample[0]) == 1:
        header = {name.strip().casefold() for name in next(csv.reader([sample[0][0]]))}
        if "text" in header:
            return "canonical"
        if {"content", "label"} <= header:
            return "telecom5"
    first_fields = [fields[0].strip().casefold() for fields in sample]
    if _share(first_fields, lambda value: value in shipped_taxonomy().sources["fbs"]) >= MIN_LABEL_SHARE:
        return "fbs"
    if _share(first_fields, lambda value: parse_label(value) is not None) >= MIN_LABEL_SHARE:
        if _share(first_fields, lambda value: value in ("ham", "spam")) >= MIN_LABEL_SHARE:
            return "uci"
        tabs = Counter(len(fields) - 1 for fields in sample).most_common(1)[0][0]
        if tabs == 2:
            return "mudou"
        if tabs == 1:
            return "sms80w"
    raise DataFormatError(
        path,
        "unknown format: expected a CSV header with 'text' (canonical) or 'content,label' (telecom5),"
        " or label<TAB>text lines; pass --format explicitly",
        1,
    )


def _share(values: list[str], predicate: Callable[[str], bool]) -> float:
    """Fraction of ``values`` satisfying ``predicate``."""
    return sum(1 for value in values if predicate(value)) / len(values)
