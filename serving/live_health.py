"""Live model health from the decision log: drift against the reference, precision from feedback.

Drift: PSI of the served scores and of each watched feature against the model version's
reference sample (the served model's own output on rows held out of its fit, so a healthy model
on unchanged traffic reads near 0). Live precision: of the block (warn) decisions a label was
given for, the share that were scam; once over all feedback quoting a ``decision_id`` and once
over the random audit sample only, the unbiased estimate (reported feedback leans to what people
notice). The same functions feed the Prometheus gauges (:class:`LiveHealthRefresher`, per worker)
and ``yunmao monitor``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd

from configs.monitor import LiveHealthConfig
from models.drift import SCORE_RANGE, psi
from models.scam_model import ALLOW, REFERENCE_SCORE
from serving.decision_log import DecisionLog, decided_since
from serving.feedback_store import FeedbackStore
from serving.logs import log_event
from serving.metrics import record_drift, record_precision
from serving.reload import LoadedModel

SAMPLES = ("feedback", "audit")


def window_start(hours: float) -> datetime:
    """The start of the window of ``hours`` ending now (UTC)."""
    return datetime.now(timezone.utc) - timedelta(hours=hours)


def drift(decisions: pd.DataFrame, reference: Mapping[str, np.ndarray], config: LiveHealthConfig) -> list[dict[str, Any]]:
    """PSI rows (name, psi, limit, flagged, decisions) of one model version's ``decisions``
    (decision-log rows through :func:`decode_watched`) against its ``reference``; empty below ``min_decisions`` scored rows."""
    scored = decisions[decisions["score"].notna()]
    if len(scored) < config.min_decisions or REFERENCE_SCORE not in reference:
        return []
    limits = config.drift
    rows = [_psi_row(REFERENCE_SCORE, psi(reference[REFERENCE_SCORE], scored["score"].to_numpy(float), limits.bins,
                                          fixed_range=SCORE_RANGE), limits.score_psi_limit, len(scored))]
    for name, values in watched_columns(scored).items():
        if name in reference:
            rows.append(_psi_row(name, psi(reference[name], values, limits.bins), limits.feature_psi_limit, len(values)))
    return rows


def _psi_row(name: str, value: float | None, limit: float, count: int) -> dict[str, Any]:
    return {"name": name, "psi": value, "limit": limit, "flagged": value is not None and value > limit, "decisions": count}


WATCHED_COUNT, WATCHED_LAYOUT = "watched_count", "watched_layout"


def watched_value_column(position: int) -> str:
    """The column :func:`decode_watched` gives the watched values at ``position`` of each row."""
    return f"watched[{position}]"


def decode_watched(rows: pd.DataFrame) -> pd.DataFrame:
    """Decision-log rows with their ``watched`` lists decoded into float columns, for :func:`drift`.

    A row's ``watched`` pairs with its ``watched_names`` position by position, up to the shorter of
    the two: ``watched[p]`` holds position ``p`` (NaN past the row's own values),
    ``watched_count`` how many positions pair, and ``watched_layout`` the names as a tuple (one
    object per distinct list). Decoding happens once per row as it is read (:class:`DecisionWindow`
    keeps decoded rows between refreshes), so a refresh's :func:`watched_columns` slices arrays
    instead of walking up to ``max_rows_read`` lists of floats; docs/benchmarks.md "Live model
    health" has the cost.
    """
    values = rows["watched"].to_numpy()
    lengths = np.fromiter(map(len, values), dtype=np.intp, count=len(values))
    matrix = np.full((len(values), lengths.max(initial=0)), np.nan)
    for width in np.unique(lengths):
        same = np.flatnonzero(lengths == width)
        matrix[same, :width] = np.array(values[same].tolist(), dtype=float).reshape(len(same), width)
    layout_codes, layouts = pd.factorize(rows["watched_names"].map(tuple).to_numpy())
    names_lengths = np.fromiter(map(len, layouts), dtype=np.intp, count=len(layouts))[layout_codes]
    decoded = rows.drop(columns=["watched", "watched_names"])
    columns = {watched_value_column(position): matrix[:, position] for position in range(matrix.shape[1])}
    return decoded.assign(**{WATCHED_COUNT: np.minimum(lengths, names_lengths),
                             WATCHED_LAYOUT: np.asarray(layouts, dtype=object)[layout_codes]}, **columns)


def watched_columns(decisions: pd.DataFrame) -> dict[str, np.ndarray]:
    """Watched feature name → its values over ``decisions`` (rows of :func:`decode_watched`) in
    row order, a row's earlier position first; names in the order the rows first give them."""
    layout_codes, layouts = pd.factorize(decisions[WATCHED_LAYOUT].to_numpy())
    counts = decisions[WATCHED_COUNT].to_numpy()
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    first_seen: dict[str, tuple[int, int]] = {}
    for code, layout in enumerate(layouts):
        rows = np.flatnonzero(layout_codes == code)
        for position, name in enumerate(layout):
            present = rows[counts[rows] > position]
            if len(present):
                parts.setdefault(name, []).append((present, decisions[watched_value_column(position)].to_numpy()[present]))
                first_seen[name] = min(first_seen.get(name, (len(decisions), 0)), (int(present[0]), position))
    return {name: _in_row_order(parts[name]) for name in sorted(first_seen, key=first_seen.__getitem__)}


def _in_row_order(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The values of ``(rows, values)`` parts merged by row (a row's earlier part first)."""
    if len(parts) == 1:
        return parts[0][1]
    rows = np.concatenate([part_rows for part_rows, _ in parts])
    return np.concatenate([part_values for _, part_values in parts])[np.argsort(rows, kind="stable")]


def labelled(decisions: pd.DataFrame, feedback: pd.DataFrame) -> pd.DataFrame:
    """``decisions`` that feedback quotes, each with its label (the latest feedback row wins: a
    correction is a new row) and ``day`` (UTC date of the decision)."""
    quoted = feedback[feedback["decision_id"].notna()].sort_values("seq").drop_duplicates("decision_id", keep="last")
    joined = decisions.merge(quoted[["decision_id", "label"]], on="decision_id", how="inner")
    joined["day"] = pd.to_datetime(joined["decided_at"], utc=True).dt.strftime("%Y-%m-%d")
    return joined


def precision_rows(joined: pd.DataFrame, by: Sequence[str], min_labelled: int) -> list[dict[str, Any]]:
    """Precision of block and warn per ``by`` group and per sample (all feedback, audit only):
    labelled count, scam count, and precision (None below ``min_labelled`` labels)."""
    rows = []
    for sample in SAMPLES:
        part = joined if sample == "feedback" else joined[joined["audited"] == 1]
        acted = part[part["action"] != ALLOW]
        for keys, group in acted.groupby([*by, "action"], sort=True):
            count, scam = len(group), int(group["label"].sum())
            rows.append({**dict(zip([*by, "action"], keys, strict=True)), "sample": sample, "labelled": count,
                         "scam": scam, "precision": scam / count if count >= min_labelled else None})
    return rows


class DecisionWindow:
    """The decision log's rows of the last ``window_h`` hours, kept between refreshes so that each
    refresh decodes only the rows logged since the previous one, not the whole window again.

    Decoding a full window (up to ``max_rows_read`` rows) every ``refresh_s`` in every worker held
    the interpreter lock for seconds at a time, which showed up as the champion's p99 (py-spy,
    docs/benchmarks.md). Workers write their decisions in batches, and hosts' clocks differ, so a
    row can land after a newer one was read: each refresh re-reads ``late_write_s`` before the
    newest row it holds, and a re-read row replaces its copy (same ``decision_id``).
    """

    def __init__(self, log: DecisionLog, config: LiveHealthConfig) -> None:
        self.log, self.config = log, config
        self._rows: pd.DataFrame | None = None

    def read(self) -> pd.DataFrame:
        """The window's rows now (the newest ``max_rows_read``), in the order they were logged,
        through :func:`decode_watched`."""
        since = window_start(self.config.window_h)
        start = since
        if self._rows is not None and not self._rows.empty:
            newest = datetime.fromisoformat(self._rows["decided_at"].max())
            start = max(since, newest - timedelta(seconds=self.config.late_write_s))
        fresh = decode_watched(self.log.read(start, limit=self.config.max_rows_read))
        rows = fresh if self._rows is None else pd.concat([self._rows, fresh], ignore_index=True)
        rows = rows.drop_duplicates("decision_id", keep="last")
        rows = rows[rows["decided_at"] >= decided_since(since)].tail(self.config.max_rows_read)
        self._rows = rows.reset_index(drop=True)
        return self._rows


class LiveHealthRefresher:
    """Recomputes the drift and precision gauges of the models a worker serves, every
    ``refresh_s``, from the shared decision log and feedback store (a daemon thread)."""

    def __init__(self, log: DecisionLog, feedback: Callable[[], FeedbackStore], serving: Callable[[], Sequence[LoadedModel]],
                 config: LiveHealthConfig) -> None:
        self.window, self.feedback, self.serving, self.config = DecisionWindow(log, config), feedback, serving, config
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-health", daemon=True)

    def start(self) -> None:
        if self.config.refresh_s:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.config.refresh_s):
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - a failed refresh leaves the last values; serving goes on
                log_event("live_health_failed", error=type(exc).__name__)

    def refresh(self) -> None:
        """Set the gauges of every model version served now from the last ``window_h`` hours."""
        decisions = self.window.read()
        feedback = self.feedback().read(since=window_start(self.config.window_h))
        joined = labelled(decisions, feedback)
        for loaded in self.serving():
            mine = decisions[(decisions["model"] == loaded.name) & (decisions["version"] == loaded.version)]
            record_drift(loaded.name, loaded.version,
                         {row["name"]: row["psi"] for row in drift(mine, loaded.model.reference, self.config) if row["psi"] is not None})
            ours = joined[(joined["model"] == loaded.name) & (joined["version"] == loaded.version)]
            for row in precision_rows(ours, [], self.config.min_labelled):
                if row["precision"] is not None:
                    record_precision(loaded.name, loaded.version, row["action"], row["sample"], row["precision"])
