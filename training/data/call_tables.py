"""Extra per-number tables and link files for the call model, loaded and joined for every command.

``--features PATH`` tables join the main profiles on ``phone_no_m`` (every numeric column is a
candidate feature; ``configs/call.yaml`` excludes some, with reasons). ``--links PATH`` files
hold the links between numbers that :mod:`features.graph` turns into graph features.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from features.graph.links import LinkError
from training.data.cdr import CdrLoadError, load_profile_table, read_table

NUMBER_COLUMN = "phone_no_m"
NON_FEATURE_COLUMNS = ("label", "fraud_type")


def join_feature_tables(frame: pd.DataFrame, paths: Sequence[str | Path]) -> tuple[pd.DataFrame, list[dict]]:
    """``frame`` with the columns of each extra table left-joined on ``phone_no_m``.

    Labels in an extra table are ignored (the main data's labels rule). Numbers an extra table
    lacks get NaN and are counted in the returned per-table report.

    Raises:
        CdrLoadError: a table is unreadable, shares no number with ``frame``, or repeats a
            column the data already has.
    """
    reports = []
    for path in paths:
        table, load_report = load_profile_table(path)
        table = table.drop(columns=[c for c in NON_FEATURE_COLUMNS if c in table.columns])
        clash = sorted(set(table.columns) & set(frame.columns) - {NUMBER_COLUMN})
        if clash:
            raise CdrLoadError(f"{path}: columns already present in the data: {clash[:5]} (rename them or drop one table)")
        matched = frame[NUMBER_COLUMN].isin(table[NUMBER_COLUMN])
        if len(frame) and not matched.any():
            raise CdrLoadError(f"{path}: shares no phone_no_m with the data ({len(table)} numbers in the table)")
        frame = frame.merge(table, on=NUMBER_COLUMN, how="left")
        reports.append({**load_report.as_dict(), "columns": len(table.columns) - 1, "numbers_missing": int((~matched).sum())})
    return frame, reports


def load_links(paths: Sequence[str | Path]) -> pd.DataFrame:
    """All link files as one frame (cleaning and validation happen when the graph is built).

    Raises:
        LinkError: a file is absent or unreadable.
    """
    frames = []
    for path in map(Path, paths):
        if not path.is_file():
            raise LinkError(f"{path}: no such links file")
        try:
            frames.append(read_table(path))
        except CdrLoadError as exc:
            raise LinkError(str(exc)) from exc
    if not frames:
        raise LinkError("no links file given")
    return pd.concat(frames, ignore_index=True)
