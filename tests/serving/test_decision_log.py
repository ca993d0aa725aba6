"""The decision log (serving/decision_log) and feedback quoting its decision_ids: what is stored
(and what never is), bounds, the audit sample, and labels joining the exact decision they judge."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from pydantic import ValidationError

from configs.feedback import FeedbackConfig
from configs.monitor import DECISION_KEY_ENV, DecisionLogConfig
from serving.decision_log import DecisionLog, decision_key, log_scored
from serving.errors import validation_details
from serving.feedback import FeedbackRequest, handle_feedback
from serving.feedback_store import open_feedback_store
from serving.live_health import labelled
from serving.schemas import DECISION_ID_PATTERN, ScoreResult, new_decision_id
from serving.scoring import Unscored, to_result

PHONE = "+8613812345678"
SCAM_TEXT = "您的账户涉嫌洗钱，请立即转账到安全账户"
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
SERVED = SimpleNamespace(name="yunmao-sms", version="3", model=SimpleNamespace(watched_features=["f1", "f2"]))


def make_log(tmp_path: Path, key: bytes = b"k" * 32, **overrides: object) -> DecisionLog:
    return DecisionLog(DecisionLogConfig(path=str(tmp_path / "decisions.db"), **overrides), key)


def stored_bytes(log: DecisionLog) -> bytes:
    """Everything SQLite keeps of the log on disk (the database and its write-ahead log)."""
    path = log.store.path  # type: ignore[attr-defined]
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def decide(log: DecisionLog, count: int, action: str = "block", subject: str | None = PHONE) -> list[ScoreResult]:
    """``count`` scored results of SERVED, logged as the service logs them."""
    results = [ScoreResult(decision_id=new_decision_id(), id=f"m{i}", score=0.9, action=action) for i in range(count)]
    verdicts = [SimpleNamespace(watched=(0.25, 1.0)) for _ in results]
    log_scored(log, SERVED, results, verdicts, [subject] * count)  # type: ignore[arg-type]
    return results


def test_decision_ids_are_unique_and_unguessable() -> None:
    ids = {to_result("a", Unscored(action="allow", reasons=())).decision_id for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.fullmatch(DECISION_ID_PATTERN, i) for i in ids)


def test_logged_rows_hold_no_text_and_numbers_only_as_keyed_hmac(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    results = decide(log, 2)
    assert log.flush() == 2
    rows = log.read(EPOCH)
    assert rows["decision_id"].tolist() == [r.decision_id for r in results]
    assert rows[["model", "version", "action"]].drop_duplicates().values.tolist() == [["yunmao-sms", "3", "block"]]
    assert rows["watched"].tolist() == [[0.25, 1.0]] * 2 and rows["watched_names"].tolist() == [["f1", "f2"]] * 2
    raw = stored_bytes(log)
    assert PHONE.encode() not in raw and PHONE[3:].encode() not in raw
    subject = rows["subject"].iloc[0]
    assert subject == make_log(tmp_path / "same-key").subject(PHONE)  # stable: one number, one subject
    assert subject != make_log(tmp_path / "other", key=b"x" * 32).subject(PHONE)  # keyed: no key, no brute force


def test_unscored_records_are_logged_without_score(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    result = ScoreResult(decision_id=new_decision_id(), id="c", score=None, action="allow", reasons=["insufficient_history"])
    log_scored(log, SERVED, [result], [Unscored(action="allow", reasons=("insufficient_history",))], [None])  # type: ignore[arg-type]
    log.flush()
    row = log.read(EPOCH).iloc[0]
    assert pd.isna(row["score"])
    assert row["subject"] is None and row["watched"] == []


def test_log_is_pruned_past_max_rows_and_a_full_queue_drops(tmp_path: Path) -> None:
    log = make_log(tmp_path, max_rows=100, queue_max=150)
    decide(log, 120)
    kept = decide(log, 60)[-30:]  # the queue holds 150: the last 30 of these are dropped
    log.flush()
    rows = log.read(EPOCH)
    assert len(rows) == 100
    assert not set(r.decision_id for r in kept) & set(rows["decision_id"])


@pytest.mark.parametrize(("share", "expected"), [(0.0, 0), (1.0, 400)])
def test_audit_share_flags_that_share(tmp_path: Path, share: float, expected: int) -> None:
    log = make_log(tmp_path, audit_share=share)
    decide(log, 400)
    log.flush()
    assert log.read(EPOCH)["audited"].sum() == expected


def test_audit_sample_is_random_at_the_configured_share(tmp_path: Path) -> None:
    log = make_log(tmp_path, audit_share=0.2)
    decide(log, 5000)
    log.flush()
    assert 0.17 < log.read(EPOCH)["audited"].mean() < 0.23


def test_read_since_leaves_older_decisions_out(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    decide(log, 3)
    log.flush()
    assert len(log.read(datetime.now(timezone.utc) + timedelta(minutes=1))) == 0


def test_workers_share_one_generated_key_unless_the_env_sets_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DECISION_KEY_ENV, raising=False)
    config = DecisionLogConfig(path=str(tmp_path / "decisions.db"))
    first, second = decision_key(config), decision_key(config)
    assert first == second and len(first) == 32
    assert config.key_path().stat().st_mode & 0o077 == 0  # owner only
    monkeypatch.setenv(DECISION_KEY_ENV, "from-the-environment")
    assert decision_key(config) == b"from-the-environment"


def test_feedback_on_one_of_two_decisions_on_the_same_text_joins_that_one(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    first, second = decide(log, 2)  # the same text scored twice: two decisions
    log.flush()
    store = open_feedback_store(FeedbackConfig(path=str(tmp_path / "feedback.db")))
    record = {"text": SCAM_TEXT, "label": 0, "source": "victim_report", "decision_id": second.decision_id}
    answer = handle_feedback(FeedbackRequest.model_validate(record), store, log)
    assert answer.unmatched_decision_ids == []
    joined = labelled(log.read(EPOCH), store.read())
    assert joined["decision_id"].tolist() == [second.decision_id] and joined["label"].tolist() == [0]
    assert first.decision_id not in set(joined["decision_id"])


def test_unknown_decision_id_is_stored_and_flagged(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    store = open_feedback_store(FeedbackConfig(path=str(tmp_path / "feedback.db")))
    unknown = "A" * 16
    request = FeedbackRequest.model_validate({"text": SCAM_TEXT, "label": 1, "source": "analyst", "decision_id": unknown})
    answer = handle_feedback(request, store, log)
    assert answer.accepted == 1 and answer.unmatched_decision_ids == [unknown]
    assert store.read()["decision_id"].tolist() == [unknown]


def test_decision_id_not_of_the_issued_form_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        FeedbackRequest.model_validate({"text": SCAM_TEXT, "label": 1, "source": "analyst", "decision_id": "1 OR 1=1"})
    assert [d.field for d in validation_details(caught.value)] == ["records.0.decision_id"]


def test_feedback_table_from_before_decision_ids_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "feedback.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE feedback (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, kind TEXT NOT NULL,"
                    " text TEXT, call_json TEXT, label INTEGER NOT NULL, fraud_type TEXT, source TEXT NOT NULL,"
                    " received_at TEXT NOT NULL)")
        old.execute("INSERT INTO feedback (id, kind, text, label, source, received_at) VALUES ('old', 'sms', 'x', 1, 'a', '2024')")
    store = open_feedback_store(FeedbackConfig(path=str(path)))
    store.append_many([{"text": SCAM_TEXT, "label": 1, "source": "analyst", "decision_id": "B" * 16}])
    old_row, new_row = store.read()["decision_id"].tolist()
    assert pd.isna(old_row) and new_row == "B" * 16


@pytest.mark.slow
def test_service_results_carry_decision_ids_that_feedback_joins(serving_env: str) -> None:
    """In-process service: SMS and call results carry decision ids; two decisions on one text get
    two ids, logged without the text or the sender; feedback quoting the second joins it alone."""
    from starlette.testclient import TestClient

    from serving.decision_log import worker_decision_log
    from tests.serving.cases import JSON, body
    from tests.serving.conftest import fresh_asgi_app

    with TestClient(fresh_asgi_app()) as client:
        scored = [client.post("/v1/sms/score", content=body({"messages": [{"id": f"m{i}", "text": SCAM_TEXT, "sender": PHONE}]}),
                              headers=JSON) for i in range(2)]
        assert [r.status_code for r in scored] == [200, 200]
        first, second = (r.json()["results"][0]["decision_id"] for r in scored)
        assert first != second
        call = client.post("/v1/call/score", content=body({"calls": [{"id": "c1", "caller": "8613800000000"}]}), headers=JSON)
        assert call.status_code == 200 and re.fullmatch(DECISION_ID_PATTERN, call.json()["results"][0]["decision_id"])
        log = worker_decision_log()
        assert log is not None
        log.flush()
        record = {"text": SCAM_TEXT, "label": 1, "source": "analyst", "decision_id": second}
        answer = client.post("/v1/feedback", content=body(record), headers=JSON)
        assert answer.status_code == 200 and answer.json()["unmatched_decision_ids"] == []
        bad = client.post("/v1/feedback", content=body({**record, "decision_id": "x"}), headers=JSON)
        assert bad.status_code == 422 and "records.0.decision_id" in bad.text
    from serving.feedback import feedback_store

    joined = labelled(log.read(EPOCH), feedback_store().read())
    assert joined["decision_id"].tolist() == [second]
    stored = stored_bytes(log)
    assert SCAM_TEXT.encode() not in stored and PHONE.encode() not in stored
