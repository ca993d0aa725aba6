"""Load call-detail records (contest schema) and precomputed per-number profile tables.

A CDR directory holds CSV or Parquet files; each file is recognised by its header (voc has
``start_datetime``, sms ``request_datetime``, user ``idcard_cnt``, app ``busi_name``, labels
exactly ``phone_no_m,label``), so both ``voc.csv`` and a folder of per-number extracts load.
Bad rows are left out of the tables but counted by reason (with the first line seen) in the
shared :class:`~training.data.report.LoadReport`, one file report per table file; a file that
cannot be used at all raises :class:`CdrLoadError` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from configs.call import ProfileConfig
from features.calls.profiles import build_profiles
from features.graph.reasons import DEN_ID
from features.labels import parse_label
from training.data.report import FileReport, LoadReport

CallDataFormat = Literal["cdr", "profiles", "auto"]
SUFFIXES = (".csv", ".parquet", ".pq")

REQUIRED = {
    "voc": ("phone_no_m", "opposite_no_m", "calltype_id", "start_datetime", "call_dur"),
    "sms": ("phone_no_m", "opposite_no_m", "calltype_id", "request_datetime"),
    "user": ("phone_no_m", "idcard_cnt"),
    "app": ("phone_no_m", "busi_name", "flow", "month_id"),
    "labels": ("phone_no_m", "label"),
}
OPTIONAL_TEXT = {"voc": ("city_name", "county_name", "imei_m"), "user": ("city_name", "county_name")}
CALL_TYPES = {"voc": (1, 2, 3), "sms": (1, 2)}
TIME_COLUMN = {"voc": "start_datetime", "sms": "request_datetime"}
PROFILE_TEXT_COLUMNS = (DEN_ID,)  # kept as text by load_profile_table; every other column is a number


class CdrLoadError(ValueError):
    """A CDR or profile file is unusable (unreadable, wrong columns, no calls); says which file."""


@dataclass
class CdrTables:
    """Validated CDR tables; only ``voc`` is required. ``labels``: ``phone_no_m, label``."""

    voc: pd.DataFrame
    sms: pd.DataFrame | None = None
    user: pd.DataFrame | None = None
    app: pd.DataFrame | None = None
    labels: pd.DataFrame | None = None


def read_csv_text(path: Path, **options: object) -> pd.DataFrame:
    """``pd.read_csv`` of a file in the SMS loaders' encodings, in their order
    (``training.data.sms.encoding.ENCODINGS``: UTF-8, BOM allowed, then GB18030, a superset of
    GBK): carriers' systems export GBK, and a GBK voc table was refused as undecodable UTF-8 where
    a GBK SMS file loads. Read by pandas, not decoded whole in memory: CDR files run to gigabytes.

    Raises:
        CdrLoadError: no encoding decodes the file.
    """
    from training.data.sms.encoding import ENCODINGS  # here: the SMS package imports this module

    for encoding in ENCODINGS:
        try:
            return pd.read_csv(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, **options)
        except UnicodeDecodeError as exc:
            error = exc  # the last (most permissive) decoder's failure points at the real problem
    raise CdrLoadError(f"{path}: not {' or '.join(e.upper() for e in ENCODINGS)} text ({error.reason})") from error


def read_table(path: Path) -> pd.DataFrame:
    """Read one CSV (ids kept as text) or Parquet file; parse failures name the file and line."""
    try:
        if path.suffix == ".csv":
            return read_csv_text(path, dtype=str, keep_default_na=True)
        return pd.read_parquet(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise CdrLoadError(f"{path}: cannot read: {exc}") from exc


def table_kind(columns: pd.Index) -> str | None:
    """Which contest table a header belongs to (None: not a CDR table)."""
    cols = set(columns)
    if cols == set(REQUIRED["labels"]):
        return "labels"
    for kind, marker in (("voc", "start_datetime"), ("sms", "request_datetime"), ("user", "idcard_cnt"), ("app", "busi_name")):
        if marker in cols:
            return kind
    return None


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _labels(series: pd.Series) -> pd.Series:
    """0/1 from every spelling the SMS loaders and feedback accept (``features.labels``: fraud,
    normal, 诈骗, 1.0, …), NaN where none: a labels file saying ``fraud`` counted every row bad."""
    return pd.to_numeric(series.map(parse_label, na_action="ignore"), errors="coerce")


def _missing_text(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype("string").str.strip() == "")


def _text(series: pd.Series) -> pd.Series:
    """Stripped text (``str`` dtype), missing where blank: an all-empty column read back as
    numbers (NaN) is text that is missing, not a numeric column."""
    return series.astype("string").str.strip().where(~_missing_text(series)).astype("str")


def _count_bad(report: FileReport, reason: str, mask: pd.Series, lines: pd.Series) -> None:
    """Count the rows in ``mask`` as bad for ``reason`` (file line numbers from ``lines``)."""
    if mask.any():
        report.count_bad(reason, int(mask.sum()), int(lines[mask].iloc[0]))


def validate_table(kind: str, frame: pd.DataFrame, report: FileReport) -> pd.DataFrame:
    """Check columns and types of one table; return the good rows with typed columns.

    Raises:
        CdrLoadError: required columns are missing.
    """
    missing = [c for c in REQUIRED[kind] if c not in frame.columns]
    if missing:
        raise CdrLoadError(f"{report.path}: {kind} table lacks required columns {missing}")
    lines = pd.Series(np.arange(len(frame)) + 2, index=frame.index)  # header is line 1
    out = pd.DataFrame({"phone_no_m": frame["phone_no_m"].astype("string").str.strip()}, index=frame.index)
    bad = pd.Series(False, index=frame.index)

    def reject(reason: str, mask: pd.Series) -> None:
        nonlocal bad
        new = mask & ~bad
        _count_bad(report, reason, new, lines)
        bad |= mask

    reject("missing phone_no_m", _missing_text(frame["phone_no_m"]))
    if "opposite_no_m" in REQUIRED[kind]:
        out["opposite_no_m"] = frame["opposite_no_m"].astype("string").str.strip()
        reject("missing opposite_no_m", _missing_text(frame["opposite_no_m"]))
    if kind in CALL_TYPES:
        calltype = _numeric(frame["calltype_id"])
        reject("bad calltype_id", ~calltype.isin(CALL_TYPES[kind]))
        out["calltype_id"] = calltype.fillna(0).astype("int8")
        column = TIME_COLUMN[kind]
        out[column] = pd.to_datetime(frame[column], format="ISO8601", errors="coerce")
        reject(f"bad {column}", out[column].isna())
    if kind == "voc":
        duration = _numeric(frame["call_dur"])
        reject("bad call_dur", duration.isna() | (duration < 0))
        out["call_dur"] = duration.fillna(0).astype("int64")
    if kind == "user":
        idcard = _numeric(frame["idcard_cnt"])
        reject("bad idcard_cnt", frame["idcard_cnt"].notna() & idcard.isna())
        out["idcard_cnt"] = idcard
        for column in (c for c in frame.columns if str(c).startswith("arpu")):
            values = _numeric(frame[column])
            reject(f"bad {column}", frame[column].notna() & values.isna())
            out[column] = values
    if kind == "app":
        flow = _numeric(frame["flow"])
        reject("bad flow", frame["flow"].notna() & (flow.isna() | (flow < 0)))
        out["busi_name"] = frame["busi_name"].astype("string")
        out["flow"] = flow
        month = frame["month_id"].astype("string").str.replace("-", "", regex=False).str[:6]
        out["month"] = pd.to_datetime(month, format="%Y%m", errors="coerce")
        reject("bad month_id", out["month"].isna())
    if kind == "labels":
        label = _labels(frame["label"])
        reject("bad label", ~label.isin((0, 1)))
        out["label"] = label.fillna(0).astype("int8")
    for column in OPTIONAL_TEXT.get(kind, ()):
        if column in frame.columns:
            out[column] = frame[column].astype("string").str.strip().replace("", pd.NA)
    good = out[~bad].reset_index(drop=True)
    report.rows_read, report.rows_loaded = len(frame), len(good)
    return good


def load_cdr_dir(path: str | Path) -> tuple[CdrTables, LoadReport]:
    """Load every CDR file in ``path`` (a directory, or one voc file) into validated tables.

    Raises:
        CdrLoadError: the path is absent, a file is unreadable or misses columns, or there is
            no voc (calls) table at all.
    """
    path = Path(path)
    if not path.exists():
        raise CdrLoadError(f"{path}: no such file or directory")
    files = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES) if path.is_dir() else [path]
    reports: list[FileReport] = []
    parts: dict[str, list[pd.DataFrame]] = {}
    for file in files:
        frame = read_table(file)
        kind = table_kind(frame.columns)
        if kind is None:
            raise CdrLoadError(f"{file}: not a CDR table (columns {list(frame.columns)[:8]})")
        reports.append(FileReport(path=str(file), format=kind))
        parts.setdefault(kind, []).append(validate_table(kind, frame, reports[-1]))
    if "voc" not in parts:
        raise CdrLoadError(f"{path}: no voc (call records) table found; files: {[f.name for f in files]}")
    tables = {kind: pd.concat(frames, ignore_index=True) for kind, frames in parts.items()}
    return CdrTables(**tables), LoadReport(files=reports, rows=sum(report.rows_loaded for report in reports))


def load_profile_table(path: str | Path) -> tuple[pd.DataFrame, LoadReport]:
    """Load a precomputed per-number table (``phone_no_m``, optional ``label``, numeric columns).

    Non-numeric cells become NaN and are counted per column; rows with a missing or repeated
    ``phone_no_m`` or a label other than 0/1 are left out and counted. :data:`PROFILE_TEXT_COLUMNS`
    (the den id ``profiles build --dens`` adds) stay text, blank as missing, so a published
    table keeps them.

    Raises:
        CdrLoadError: unreadable file or no ``phone_no_m`` column.
    """
    path = Path(path)
    if not path.is_file():
        raise CdrLoadError(f"{path}: no such file")
    frame = read_table(path)
    if "phone_no_m" not in frame.columns:
        raise CdrLoadError(f"{path}: profile table lacks required column 'phone_no_m'")
    report = FileReport(path=str(path), format="profiles")
    lines = pd.Series(np.arange(len(frame)) + 2, index=frame.index)
    out = pd.DataFrame({"phone_no_m": frame["phone_no_m"].astype("string").str.strip()})
    bad = _missing_text(frame["phone_no_m"])
    _count_bad(report, "missing phone_no_m", bad, lines)
    duplicate = out["phone_no_m"].duplicated() & ~bad
    _count_bad(report, "duplicate phone_no_m", duplicate, lines)
    bad |= duplicate
    for column in (c for c in frame.columns if c != "phone_no_m"):
        if column in PROFILE_TEXT_COLUMNS:
            out[column] = _text(frame[column])
            continue
        values = _labels(frame[column]) if column == "label" else _numeric(frame[column])
        if column == "label":
            wrong = ~values.isin((0, 1)) & ~bad
            _count_bad(report, "bad label", wrong, lines)
            bad |= wrong
        else:
            _count_bad(report, f"non-numeric {column} (set to NaN)", frame[column].notna() & values.isna(), lines)
        out[column] = values
    if "label" in out:
        out["label"] = out["label"].fillna(0).astype("int8")
    good = out[~bad].reset_index(drop=True)
    report.rows_read, report.rows_loaded = len(frame), len(good)
    return good, LoadReport(files=[report], rows=len(good))


def read_header(path: Path) -> pd.Index:
    """Column names only, without reading the rows."""
    try:
        if path.suffix == ".csv":
            return read_csv_text(path, nrows=0).columns
        import pyarrow.parquet as pq

        return pd.Index(pq.read_schema(path).names)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise CdrLoadError(f"{path}: cannot read header: {exc}") from exc


def load_call_training_data(
    path: str | Path, fmt: CallDataFormat = "auto", profile_config: ProfileConfig | None = None
) -> tuple[pd.DataFrame, LoadReport]:
    """One call for ``yunmao train call``: per-number profiles (with ``label`` where known).

    CDRs go through the profile builder (labels from a ``phone_no_m,label`` file in the
    directory); a profile table is loaded as is.

    Raises:
        CdrLoadError: unusable input (see :func:`load_cdr_dir`, :func:`load_profile_table`).
    """
    if call_data_format(path, fmt) == "profiles":
        return load_profile_table(path)
    return profiles_from_tables(*load_cdr_dir(path), profile_config)


def profiles_from_tables(
    tables: CdrTables, report: LoadReport, profile_config: ProfileConfig | None = None
) -> tuple[pd.DataFrame, LoadReport]:
    """Labelled per-number profiles of CDR tables already loaded (:func:`load_cdr_dir`), for a caller
    that reads the same tables for something else too (the quickstart's links) and loads them once."""
    profiles = attach_labels(build_profiles(tables.voc, tables.sms, tables.user, tables.app, profile_config), tables.labels)
    return profiles, replace(report, rows=len(profiles))


def call_data_format(path: str | Path, fmt: CallDataFormat) -> str:
    """``fmt`` (``cdr`` or ``profiles``), with ``auto`` resolved from what is at ``path``: only CDRs depend on a profile config,
    so a caller that rebuilds profiles per config must know which inputs are CDRs.

    Raises:
        CdrLoadError: ``auto`` finds SMS data.
    """
    if fmt != "auto":
        return fmt
    from training.data.detect import CALL_FORMATS, detect_format  # detect reads CDR headers with this module

    detected = detect_format(path)
    if detected not in CALL_FORMATS:
        raise CdrLoadError(f"{path}: looks like SMS data ({detected}), not CDRs or a profile table")
    return detected


def load_call_records(
    paths: Sequence[str | Path], fmt: CallDataFormat = "auto", profile_config: ProfileConfig | None = None
) -> tuple[pd.DataFrame, list[LoadReport]]:
    """:func:`load_call_training_data` of every path as one frame, with each path's report: the one
    way training, evaluation and retraining read several call inputs, so a profile config means the
    same profiles everywhere.
    """
    loaded = [load_call_training_data(path, fmt, profile_config) for path in paths]
    return pd.concat([profiles for profiles, _ in loaded], ignore_index=True), [report for _, report in loaded]


def attach_labels(profiles: pd.DataFrame, labels: pd.DataFrame | None) -> pd.DataFrame:
    """``profiles`` with the ``label`` of each number that has one (the last given wins)."""
    if labels is None:
        return profiles
    return profiles.merge(labels.drop_duplicates("phone_no_m", keep="last"), on="phone_no_m", how="left")
