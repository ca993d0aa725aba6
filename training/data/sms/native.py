"""Readers for the native formats of the public sets in ``../shared/data`` (see its README).

- mudou:    ``label<TAB>text<TAB>tokens``, no header; the tokens are someone else's segmentation
            and are ignored.
- sms80w:   ``label<TAB>text``, no header, 0/1.
- uci:      ``ham|spam<TAB>text``, no header.
- telecom5: CSV ``content,label``; label ``0`` is normal, any other value names the fraud class
            (e.g. ``冒充客服服务``).
- fbs:      ``category<TAB>text`` (fbs_sms, fake-base-station SMS); see :mod:`training.data.sms.fbs`.

Each format's labels mean what ``configs/taxonomy.yaml`` (``sources``) says: category, 0/1 and
fraud type all come from there (see ``RowCollector.add``).

TSV files are split on tabs only, never parsed as CSV: SMS texts contain quotes and commas.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.data.sms.canonical import iter_csv
from training.data.sms.encoding import decode_file
from features.labels import parse_label
from training.data.sms.records import RowCollector


def tsv_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line, fields)`` for each non-blank line of a header-less TSV file."""
    text, _ = decode_file(path)
    for line, raw in enumerate(text.split("\n"), start=1):
        if raw.strip():
            yield line, raw.split("\t")


def _reject_short(rows: RowCollector, line: int, fields: list[str]) -> None:
    """A line without a tab: a bare label is a message without text, anything else is ragged."""
    rows.reject("empty_text" if parse_label(fields[0]) is not None else "too_few_columns", line)


def read_mudou(path: Path, rows: RowCollector) -> None:
    """mudou_spam: the text is the second field; the token column mirrors it and is dropped.

    A text that itself contains tabs shows up with its tokens split by the same tabs, so a line
    of ``1 + 2k`` fields holds k text parts then k token parts; an even field count cannot be
    split that way and is counted as ``too_many_columns``.
    """
    for line, fields in tsv_lines(path):
        if len(fields) < 2:
            _reject_short(rows, line, fields)
        elif len(fields) == 2:
            rows.add(line, fields[1], fields[0])
        elif len(fields) % 2 == 1:
            rows.add(line, "\t".join(fields[1 : 1 + (len(fields) - 1) // 2]), fields[0])
        else:
            rows.reject("too_many_columns", line)


def read_label_text(path: Path, rows: RowCollector) -> None:
    """sms80w and UCI: ``label<TAB>text``; further tabs belong to the text."""
    for line, fields in tsv_lines(path):
        if len(fields) < 2:
            _reject_short(rows, line, fields)
        else:
            rows.add(line, "\t".join(fields[1:]), fields[0])


def read_telecom5(path: Path, rows: RowCollector) -> None:
    """Telecom_Fraud_Texts_5: the label is ``0`` or a fraud class name, mapped by the taxonomy."""
    required = ("content", "label") if rows.labelled else ("content",)
    for line, record in iter_csv(path, rows, required):
        rows.add(line, record["content"], record.get("label"))
