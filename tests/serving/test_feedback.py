"""POST /v1/feedback's request model and handler: both request shapes, errors named by field,
all-or-nothing storage, the store-busy contract."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pydantic import ValidationError

from configs.feedback import FeedbackConfig
from serving.errors import validation_details, validation_status
from serving.feedback import FeedbackRequest, FeedbackResponse, FeedbackUnavailable, feedback_body, handle_feedback
from serving.feedback_store import FeedbackError, SqliteFeedbackStore

RECORD = {"id": "m1", "text": "点击链接领取ETC补贴", "label": 1, "fraud_type": "其他", "source": "victim_report"}


@pytest.fixture()
def store(tmp_path: Path) -> SqliteFeedbackStore:
    return SqliteFeedbackStore(FeedbackConfig(path=str(tmp_path / "feedback.db"), max_batch=5))


def parse(payload: object) -> FeedbackRequest:
    spec = feedback_body()
    return FeedbackRequest.model_validate(payload, context=dict(spec.context))


def test_single_record_is_a_batch_of_one(store: SqliteFeedbackStore) -> None:
    assert handle_feedback(parse(RECORD), store) == FeedbackResponse(accepted=1, ids=["m1"])
    assert store.read()["id"].tolist() == ["m1"]


def test_batch_is_stored_in_order(store: SqliteFeedbackStore) -> None:
    records = [{**RECORD, "id": f"b{i}"} for i in range(3)]
    assert handle_feedback(parse({"records": records}), store).ids == ["b0", "b1", "b2"]
    assert len(store.read()) == 3


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (["not", "an", "object"], 422, "<body>"),
        ({"records": []}, 422, "records"),
        ({"records": "x"}, 422, "records"),
        ({"records": [RECORD], "label": 1}, 422, "label"),
        ({**RECORD, "label": "perhaps"}, 422, "records.0.label"),
        ({"records": [RECORD, {**RECORD, "source": ""}]}, 422, "records.1.source"),
        ({**RECORD, "text": "\u200b\u200b"}, 422, "records.0.text"),
        ({**RECORD, "text": "  "}, 422, "records.0.text"),
        ({**RECORD, "text": "诈" * 5001}, 422, "records.0.text"),  # configs/feedback.yaml max_text_chars
        ({"records": [RECORD] * 1001}, 413, "records"),  # configs/feedback.yaml max_batch
    ],
)
def test_bad_payloads_name_the_field(payload: object, status: int, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(payload)
    assert validation_status(caught.value) == status
    assert field in [d.field for d in validation_details(caught.value)]


def test_store_limits_still_hold_behind_the_request_model(store: SqliteFeedbackStore) -> None:
    with pytest.raises(FeedbackError, match="6 records in one batch; at most 5"):
        handle_feedback(parse({"records": [RECORD] * 6}), store)
    assert store.read().empty


def test_store_busy_past_timeout_is_unavailable_not_acknowledged(tmp_path: Path) -> None:
    store = SqliteFeedbackStore(FeedbackConfig(path=str(tmp_path / "feedback.db"), busy_timeout_s=0.2))
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with pytest.raises(FeedbackUnavailable, match="could not commit: database is locked"):
            handle_feedback(parse(RECORD), store)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.read().empty
