"""Live drift and precision (serving/live_health) on the decision log: a shifted stream is flagged,
a replay of the reference's own distribution is not, and precision comes per action and sample."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from benchmarks.live_drift_bench import decision_rows, per_row_watched_columns
from configs.feedback import FeedbackConfig
from configs.monitor import DecisionLogConfig, LiveHealthConfig
from models.scam_model import REFERENCE_SCORE
from serving import live_health
from serving.decision_log import DecisionLog, decided_since, log_scored
from serving.feedback_store import open_feedback_store
from serving.live_health import (
    DecisionWindow,
    LiveHealthRefresher,
    decode_watched,
    drift,
    labelled,
    precision_rows,
    watched_columns,
)
from serving.metrics import DRIFT_PSI, LIVE_PRECISION
from serving.schemas import ScoreResult, new_decision_id
from tests.servers import wait_until

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
CONFIG = LiveHealthConfig(min_decisions=200, min_labelled=5)
WATCHED = ["文本整体与诈骗短信相似", "含短链接"]


def reference(rng: np.random.Generator, n: int = 2000) -> dict[str, np.ndarray]:
    """Scores mostly near 0 with a scam tail, a probability-like feature and a binary one."""
    return {REFERENCE_SCORE: rng.beta(0.4, 3.0, n), WATCHED[0]: rng.beta(0.5, 2.0, n), WATCHED[1]: (rng.random(n) < 0.1) * 1.0}


def served(ref: dict[str, np.ndarray], version: str = "7") -> SimpleNamespace:
    return SimpleNamespace(name="yunmao-sms", version=version, model=SimpleNamespace(watched_features=WATCHED, reference=ref))


def log_stream(log: DecisionLog, model: SimpleNamespace, stream: dict[str, np.ndarray], actions: list[str] | None = None) -> list[ScoreResult]:
    scores = stream[REFERENCE_SCORE]
    actions = actions or ["allow"] * len(scores)
    results = [ScoreResult(decision_id=new_decision_id(), id=f"m{i}", score=float(s), action=actions[i]) for i, s in enumerate(scores)]
    verdicts = [SimpleNamespace(watched=(float(stream[WATCHED[0]][i]), float(stream[WATCHED[1]][i]))) for i in range(len(scores))]
    log_scored(log, model, results, verdicts, [None] * len(results))  # type: ignore[arg-type]
    log.flush()
    return results


@pytest.fixture()
def log(tmp_path: Path) -> DecisionLog:
    return DecisionLog(DecisionLogConfig(path=str(tmp_path / "decisions.db")), b"k" * 32)


def test_a_replay_of_the_reference_distribution_is_not_drift(log: DecisionLog) -> None:
    rng = np.random.default_rng(1)
    model = served(reference(rng))
    log_stream(log, model, reference(rng, 1500))  # fresh draws from the same distributions
    rows = drift(decode_watched(log.read(EPOCH)), model.model.reference, CONFIG)
    assert [r["name"] for r in rows] == [REFERENCE_SCORE, *WATCHED]
    assert not any(r["flagged"] for r in rows), rows
    assert all(r["psi"] < 0.05 for r in rows)


def test_a_shifted_score_and_feature_are_flagged(log: DecisionLog) -> None:
    rng = np.random.default_rng(2)
    model = served(reference(rng))
    shifted = reference(rng, 1500)
    shifted[REFERENCE_SCORE] = rng.beta(1.5, 2.0, 1500)  # a new campaign: far more mid and high scores
    shifted[WATCHED[1]] = (rng.random(1500) < 0.4) * 1.0  # four times as many short links
    log_stream(log, model, shifted)
    flagged = {r["name"]: r["flagged"] for r in drift(decode_watched(log.read(EPOCH)), model.model.reference, CONFIG)}
    assert flagged == {REFERENCE_SCORE: True, WATCHED[0]: False, WATCHED[1]: True}


def test_too_few_decisions_give_no_drift_value(log: DecisionLog) -> None:
    rng = np.random.default_rng(3)
    model = served(reference(rng))
    log_stream(log, model, reference(rng, 50))
    assert drift(decode_watched(log.read(EPOCH)), model.model.reference, CONFIG) == []


def test_precision_per_action_from_feedback_and_from_the_audit_sample(tmp_path: Path) -> None:
    audited_log = DecisionLog(DecisionLogConfig(path=str(tmp_path / "a.db"), audit_share=1.0), b"k" * 32)
    plain_log = DecisionLog(DecisionLogConfig(path=str(tmp_path / "a.db"), audit_share=0.0), b"k" * 32)
    rng = np.random.default_rng(4)
    model = served(reference(rng))
    audited = log_stream(audited_log, model, reference(rng, 10), ["block"] * 10)
    reported = log_stream(plain_log, model, reference(rng, 10), ["block"] * 10)
    store = open_feedback_store(FeedbackConfig(path=str(tmp_path / "feedback.db")))
    # Audit: 6 of 10 blocks were scam. Reports (people complain about wrong blocks): 2 of 10.
    labels = [(r.decision_id, int(i < 6)) for i, r in enumerate(audited)] + [(r.decision_id, int(i < 2)) for i, r in enumerate(reported)]
    store.append_many([{"text": f"短信 {i}", "label": label, "source": "analyst", "decision_id": d} for i, (d, label) in enumerate(labels)])
    rows = precision_rows(labelled(audited_log.read(EPOCH), store.read()), [], CONFIG.min_labelled)
    by_sample = {(r["sample"], r["action"]): (r["labelled"], r["precision"]) for r in rows}
    assert by_sample == {("feedback", "block"): (20, pytest.approx(0.4)), ("audit", "block"): (10, pytest.approx(0.6))}


def test_refresh_sets_the_gauges_of_the_served_version(log: DecisionLog, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    model = served(reference(rng), version="refresh-test")
    results = log_stream(log, model, reference(rng, 400), ["block"] * 400)
    store = open_feedback_store(FeedbackConfig(path=str(tmp_path / "feedback.db")))
    store.append_many([{"text": f"短信 {i}", "label": 1, "source": "analyst", "decision_id": r.decision_id} for i, r in enumerate(results[:10])])
    LiveHealthRefresher(log, lambda: store, lambda: [model], CONFIG).refresh()  # type: ignore[list-item]
    score_psi = DRIFT_PSI.labels(model="yunmao-sms", version="refresh-test", feature=REFERENCE_SCORE)._value.get()
    assert 0 <= score_psi < CONFIG.drift.score_psi_limit
    assert LIVE_PRECISION.labels(model="yunmao-sms", version="refresh-test", action="block", sample="feedback")._value.get() == 1.0


class CountingLog:
    """A decision log that counts the rows its reads return (decoding them is what a refresh pays)."""

    def __init__(self, log: DecisionLog) -> None:
        self.log, self.rows_read = log, 0

    def read(self, since: datetime, limit: int | None = None):  # noqa: ANN201
        rows = self.log.read(since, limit)
        self.rows_read += len(rows)
        return rows


def logged_unflushed(log: DecisionLog, model: SimpleNamespace, n: int) -> None:
    """``n`` decisions recorded by ``log``'s worker but still in its queue (not yet written)."""
    results = [ScoreResult(decision_id=new_decision_id(), id=f"late{i}", score=0.1, action="allow") for i in range(n)]
    log_scored(log, model, results, [SimpleNamespace(watched=(0.1, 0.0))] * n, [None] * n)  # type: ignore[arg-type]


def next_millisecond(log: DecisionLog) -> None:
    """Wait until a decision made now is logged a later millisecond than every one logged so far."""
    newest = log.read(EPOCH)["decided_at"].max()
    assert wait_until(lambda: decided_since(datetime.now(timezone.utc)) > newest, timeout=1)


def test_each_refresh_decodes_only_what_was_logged_since_the_last(log: DecisionLog) -> None:
    rng = np.random.default_rng(6)
    model = served(reference(rng))
    log_stream(log, model, reference(rng, 300))
    next_millisecond(log)
    log_stream(log, model, reference(rng, 1))  # alone in the newest millisecond the window holds
    counting = CountingLog(log)
    window = DecisionWindow(counting, LiveHealthConfig(late_write_s=0))  # type: ignore[arg-type]
    assert len(window.read()) == 301
    next_millisecond(log)
    log_stream(log, model, reference(rng, 50))
    before = counting.rows_read
    rows = window.read()
    assert counting.rows_read - before == 51  # the new rows and the newest millisecond again, not the window
    assert list(rows["decision_id"]) == list(log.read(EPOCH)["decision_id"])  # same rows as a full read, once each


def test_a_decision_written_late_by_another_worker_still_reaches_the_window(log: DecisionLog, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    model = served(reference(rng))
    slow_worker = DecisionLog(DecisionLogConfig(path=str(tmp_path / "decisions.db")), b"k" * 32)
    logged_unflushed(slow_worker, model, 3)  # decided first, still waiting for its worker's flush
    log_stream(log, model, reference(rng, 20))  # decided later, written at once
    window = DecisionWindow(log, LiveHealthConfig())
    assert len(window.read()) == 20
    slow_worker.flush()
    rows = window.read()
    assert len(rows) == 23 and rows["decision_id"].is_unique


def test_decisions_leave_the_window_as_it_moves(log: DecisionLog, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(8)
    model = served(reference(rng))
    log_stream(log, model, reference(rng, 30))
    window = DecisionWindow(log, LiveHealthConfig())
    assert len(window.read()) == 30
    moved_on = datetime.now(timezone.utc)
    log_stream(log, model, reference(rng, 10))
    monkeypatch.setattr("serving.live_health.window_start", lambda hours: moved_on)
    assert len(window.read()) == 10


def test_watched_columns_and_drift_equal_the_per_row_loop_they_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """NaNs, values outside the reference's range, and rows the loop paired only partly: values
    shorter or longer than their names, another names list (a name repeated, one new) in between."""
    rng = np.random.default_rng(4)
    frame, ref = decision_rows(rng, 600, 4)
    names = frame["watched_names"].iloc[0]
    odd = {0: (names, [0.1]), 1: (["new"], [0.2]), 5: (names[:2], [np.nan, 9.0, 1.0]),
           9: (["new", names[3], "new"], [0.5, 2.0, np.nan]), 11: (names, []), 13: ([], [1.0])}
    for row, (row_names, row_values) in odd.items():
        frame.at[row, "watched_names"], frame.at[row, "watched"] = row_names, row_values
    before = per_row_watched_columns(frame)
    after = watched_columns(decode_watched(frame))
    assert list(after) == list(before) == [names[0], "new", *names[1:]]  # in the order rows first name them
    for name, values in before.items():
        np.testing.assert_array_equal(after[name], values)
    ref["new"] = rng.normal(size=500)
    config = LiveHealthConfig(min_decisions=100)
    shipped = drift(decode_watched(frame), ref, config)
    monkeypatch.setattr(live_health, "watched_columns", per_row_watched_columns)
    replaced = drift(frame, ref, config)
    assert [r["name"] for r in shipped] == [r["name"] for r in replaced] == [REFERENCE_SCORE, *after]
    assert all(abs(a["psi"] - b["psi"]) <= 1e-12 for a, b in zip(shipped, replaced, strict=True))
    assert shipped[1]["psi"] > 0.1, "live values wider than the reference must show as drift"


def test_watched_columns_of_no_decisions_is_empty() -> None:
    assert watched_columns(decode_watched(pd.DataFrame({"watched": [], "watched_names": []}))) == {}


def test_the_window_decodes_each_read_as_a_whole_read_would(log: DecisionLog) -> None:
    """Reads that add rows of another model version (more watched features, so wider value
    columns) in between: the window's columns equal those of one read of the whole log."""
    rng = np.random.default_rng(9)
    counting = CountingLog(log)
    window = DecisionWindow(counting, LiveHealthConfig(late_write_s=0))  # type: ignore[arg-type]
    one = served(reference(rng), version="1")
    log_stream(log, one, reference(rng, 40))
    next_millisecond(log)
    log_stream(log, one, reference(rng, 1))
    window.read()
    next_millisecond(log)
    wider = SimpleNamespace(name="yunmao-sms", version="2", model=SimpleNamespace(watched_features=[*WATCHED, "第三个"], reference={}))
    results = [ScoreResult(decision_id=new_decision_id(), id=f"w{i}", score=0.5, action="allow") for i in range(30)]
    log_scored(log, wider, results, [SimpleNamespace(watched=(0.1, 1.0, float(i))) for i in range(30)], [None] * 30)  # type: ignore[arg-type]
    log.flush()
    log_stream(log, one, reference(rng, 20))
    from_window, whole = watched_columns(window.read()), watched_columns(decode_watched(log.read(EPOCH)))
    assert list(from_window) == list(whole) == [*WATCHED, "第三个"]
    for name, values in whole.items():
        np.testing.assert_array_equal(from_window[name], values)
    assert len(whole["第三个"]) == 30 and len(whole[WATCHED[0]]) == 91
    assert counting.rows_read == 41 + 51  # the second read decoded the new rows and the newest millisecond only
