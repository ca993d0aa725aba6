"""Handler logic of POST /v1/feedback: both request shapes, error contract, acknowledgement."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from configs.feedback import FeedbackConfig
from serving.feedback_api import FeedbackBatch, FeedbackResponse, FeedbackUnavailable, handle_feedback
from serving.feedback_store import FeedbackError, FeedbackRecord, FeedbackStore

RECORD = {"id": "m1", "text": "点击链接领取ETC补贴", "label": 1, "fraud_type": "ETC", "source": "victim_report"}


@pytest.fixture()
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(FeedbackConfig(path=str(tmp_path / "feedback.db"), max_batch=5))


def test_single_record_as_dict_or_model(store: FeedbackStore) -> None:
    assert handle_feedback(RECORD, store) == FeedbackResponse(accepted=1, ids=["m1"])
    response = handle_feedback(FeedbackRecord.model_validate({**RECORD, "id": "m2"}), store)
    assert response.ids == ["m2"]
    assert store.read()["id"].tolist() == ["m1", "m2"]


def test_batch_as_dict_or_model(store: FeedbackStore) -> None:
    records = [{**RECORD, "id": f"b{i}"} for i in range(3)]
    assert handle_feedback({"records": records}, store).accepted == 3
    assert handle_feedback(FeedbackBatch.model_validate({"records": records[:2]}), store).ids == ["b0", "b1"]
    assert len(store.read()) == 5


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (["not", "an", "object"], "must be a JSON object, got list"),
        ({"records": []}, "non-empty list"),
        ({"records": "x"}, "non-empty list"),
        ({"records": [RECORD], "label": 1}, "only the key 'records'"),
        ({"records": [RECORD] * 6}, "6 records in one batch; at most 5"),
        ({**RECORD, "label": "perhaps"}, "record 0: label: .*'perhaps'"),
        ({"records": [RECORD, {**RECORD, "source": ""}]}, "record 1: source"),
    ],
)
def test_bad_payloads_raise_feedback_error_and_store_nothing(store: FeedbackStore, payload: object, message: str) -> None:
    with pytest.raises(FeedbackError, match=message):
        handle_feedback(payload, store)  # type: ignore[arg-type]
    assert store.read().empty


def test_store_busy_past_timeout_is_unavailable_not_acknowledged(tmp_path: Path) -> None:
    store = FeedbackStore(FeedbackConfig(path=str(tmp_path / "feedback.db"), busy_timeout_s=0.2))
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with pytest.raises(FeedbackUnavailable, match="could not commit: database is locked"):
            handle_feedback(RECORD, store)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.read().empty
