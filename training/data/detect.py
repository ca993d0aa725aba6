"""What is this file? One answer for every loader, SMS and call data alike.

``--format auto`` must not read call data as SMS or the reverse: a CDR directory or table, or a
per-number profile table (``phone_no_m`` column), is recognised first; anything else is sniffed
as one of the SMS formats. Each loader then refuses the other family with a one-line reason.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from training.data.cdr import SUFFIXES, CdrLoadError, read_header, table_kind

CALL_FORMATS = ("cdr", "profiles")


def detect_format(path: str | Path) -> str:
    """``cdr`` (a directory, or a file with a voc header), ``profiles`` (a table with
    ``phone_no_m``), else an SMS format (see :func:`training.data.sms.detect.detect_sms_format`).

    Raises:
        DataFormatError: an SMS-looking file matches no SMS format.
    """
    path = Path(path)
    if path.is_dir():
        return "cdr"
    header = _header(path)
    if table_kind(header) == "voc":
        return "cdr"
    if "phone_no_m" in header:
        return "profiles"
    from training.data.sms.detect import detect_sms_format  # the SMS loader imports this module

    return detect_sms_format(path)


def _header(path: Path) -> pd.Index:
    """A CSV/Parquet file's columns; empty where the file is not a table CDRs could be in
    (e.g. a GB18030 SMS export that only the SMS reader decodes)."""
    if not path.is_file() or path.suffix.lower() not in SUFFIXES:
        return pd.Index([])
    try:
        return read_header(path)
    except CdrLoadError:
        return pd.Index([])
