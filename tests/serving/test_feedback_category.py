"""Feedback follows configs/taxonomy.yaml (issue #10), end to end: ``category`` and ``fraud_type``
sent to POST /v1/feedback through the service's middlewares reach the store (SQLite and Redis),
the export and the loaders; an unknown value or a contradiction is a 422 naming the field with
nothing stored; a request without ``category`` is answered, stored and loaded as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from starlette.testclient import TestClient

import serving.feedback
from configs.feedback import FeedbackConfig
from features.labels import shipped_taxonomy
from serving.feedback_store import FeedbackRecord, FeedbackStore, SqliteFeedbackStore, open_feedback_store
from tests.serving.test_request_path import build_app, fields
from training.data.sms import load_labelled
from training.feedback_export import export_feedback

TAXONOMY = shipped_taxonomy()
FRAUD_TEXT = "您涉嫌洗钱，请转入安全账户"
# An analyst's verdicts with the taxonomy's words, and what the loaders make of each.
ANALYST = [
    ({"id": "spam", "text": "新品上市全场五折，回T退订", "label": 1, "category": "spam", "source": "analyst"}, "spam"),
    ({"id": "illegal", "text": "澳门在线娱乐城，首存送彩金", "label": "违法", "category": " Illegal ", "source": "analyst"}, "illegal"),
    ({"id": "fraud", "text": FRAUD_TEXT, "label": 1, "category": "fraud", "fraud_type": "冒充公检法", "source": "analyst"}, "fraud"),
    ({"id": "ham", "text": "明天下午三点开会", "label": 0, "category": "ham", "source": "analyst"}, "ham"),
    ({"id": "null", "text": "您的快递已到驿站", "label": 0, "category": None, "source": "analyst"}, "ham"),
]
# Requests as clients sent them before categories: stored with the category they always implied.
OLD_STYLE = [
    ({"id": "typed", "text": "刷单返利日结，点赞即可赚佣金", "label": 1, "fraud_type": "刷单返利", "source": "victim_report"}, "fraud"),
    ({"id": "word", "text": "恭喜您获得积分兑换资格", "label": "spam", "source": "victim_report"}, None),  # a word says only 1
    ({"id": "bare", "text": "您的账户存在异常请点击链接", "label": 1, "source": "victim_report"}, None),
    ({"id": "normal", "text": "周末一起吃饭吗", "label": "正常", "source": "victim_report"}, None),
]


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FeedbackStore:
    """The worker's feedback store: a SQLite file, or a durable redis-server (skipped without one)."""
    if request.param == "sqlite":
        config = FeedbackConfig(path=str(tmp_path / "feedback.db"))
    else:
        config = FeedbackConfig(url=request.getfixturevalue("durable").url)
    opened = open_feedback_store(config)
    monkeypatch.setattr(serving.feedback, "feedback_store", lambda: opened)
    return opened


@pytest.fixture()
def client(monkeypatch: pytest.MonkeyPatch, store: FeedbackStore) -> Iterator[TestClient]:
    monkeypatch.delenv("YUNMAO_API_KEY", raising=False)
    with TestClient(build_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def stored(store: FeedbackStore, column: str) -> dict[str, object]:
    """``column`` of every stored row by id (None where the row has no value)."""
    rows = store.read()
    return {row_id: None if pd.isna(value) else value for row_id, value in zip(rows["id"], rows[column], strict=True)}


def loaded_categories(store: FeedbackStore, out: Path) -> dict[str, str | None]:
    """The store exported to ``out`` and read back by the loaders: category per id."""
    export_feedback(store, out)
    frame = load_labelled([out], "auto").frame
    return {str(row_id): category for row_id, category in zip(frame["id"], frame["category"], strict=True)}


def test_category_round_trips_from_http_to_the_loaders(client: TestClient, store: FeedbackStore, tmp_path: Path) -> None:
    records = [record for record, _ in ANALYST]
    response = client.post(serving.feedback.FEEDBACK_PATH, json={"records": records})
    assert response.status_code == 200, response.text
    assert stored(store, "category") == {"spam": "spam", "illegal": "illegal", "fraud": "fraud", "ham": "ham", "null": None}
    assert stored(store, "fraud_type")["fraud"] == "冒充公检法"
    for suffix in (".csv", ".jsonl", ".parquet"):
        assert loaded_categories(store, tmp_path / f"fb{suffix}") == {record["id"]: want for record, want in ANALYST}, suffix


def test_old_style_requests_are_answered_and_stored_as_before(client: TestClient, store: FeedbackStore, tmp_path: Path) -> None:
    response = client.post(serving.feedback.FEEDBACK_PATH, json={"records": [record for record, _ in OLD_STYLE]})
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 4, "ids": ["typed", "word", "bare", "normal"], "unmatched_decision_ids": []}
    assert stored(store, "label") == {"typed": 1, "word": 1, "bare": 1, "normal": 0}
    assert stored(store, "category") == {record["id"]: want for record, want in OLD_STYLE}
    # What the loaders read is what they read from these records' export before categories existed.
    assert loaded_categories(store, tmp_path / "fb.csv") == {"typed": "fraud", "word": None, "bare": None, "normal": "ham"}


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # checked before any store is reached
@pytest.mark.parametrize(
    ("record", "field", "words"),
    [
        ({"category": "scam"}, "records.0.category", ", ".join(TAXONOMY.categories)),
        ({"category": ["spam"]}, "records.0.category", "valid string"),
        ({"category": ""}, "records.0.category", ", ".join(TAXONOMY.categories)),
        ({"fraud_type": "电信诈骗乱写"}, "records.0.fraud_type", ", ".join(TAXONOMY.all_fraud_types)),
        ({"fraud_type": "冒充客服"}, "records.0.fraud_type", ", ".join(TAXONOMY.all_fraud_types)),  # near a type is not one
        ({"category": "ham"}, "records.0.category", "category ham contradicts label 1"),
        ({"category": "ham", "label": "fraud"}, "records.0.category", "category ham contradicts label 1"),
        ({"category": "spam", "label": 0}, "records.0.category", "category spam contradicts label 0"),
        ({"category": "fraud", "label": "正常"}, "records.0.category", "category fraud contradicts label 0"),
        ({"category": "spam", "fraud_type": "刷单返利"}, "records.0.category", "category spam contradicts fraud_type"),
        ({"category": "illegal", "fraud_type": "其他"}, "records.0.category", "category illegal contradicts fraud_type"),
        ({"category": "ham", "label": 0, "fraud_type": "其他"}, "records.0.category", "category ham contradicts fraud_type"),
    ],
    ids=["unknown_category", "category_not_text", "empty_category", "unknown_fraud_type", "near_fraud_type",
         "ham_label_1", "ham_label_word", "spam_label_0", "fraud_label_word_0", "spam_fraud_type",
         "illegal_fraud_type", "ham_fraud_type"],
)
def test_unknown_values_and_contradictions_are_422_naming_the_field(
    client: TestClient, store: FeedbackStore, record: dict, field: str, words: str
) -> None:
    response = client.post(serving.feedback.FEEDBACK_PATH, json={"text": FRAUD_TEXT, "label": 1, "source": "analyst", **record})
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid request" and fields(response) == [field]
    assert words in response.json()["detail"][0]["problem"]
    assert "电信诈骗乱写" not in response.text and "scam" not in response.text  # the value is never echoed
    assert store.read().empty


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_one_contradiction_in_a_batch_stores_none_of_it(client: TestClient, store: FeedbackStore) -> None:
    good = {"text": FRAUD_TEXT, "label": 1, "category": "fraud", "source": "analyst"}
    response = client.post(serving.feedback.FEEDBACK_PATH, json={"records": [good, {**good, "category": "ham"}]})
    assert response.status_code == 422 and fields(response) == ["records.1.category"]
    assert store.read().empty


def test_the_documented_schema_lists_the_accepted_values() -> None:
    """Clients (and schemathesis) read what is accepted from /docs.json, not only from a 422."""
    properties = FeedbackRecord.model_json_schema()["properties"]
    assert properties["category"]["enum"] == [*TAXONOMY.categories, None]
    assert properties["fraud_type"]["enum"] == [*TAXONOMY.all_fraud_types, None]


def test_records_validated_again_by_the_store_keep_their_category(tmp_path: Path) -> None:
    """The store validates records it is handed again (from ``model_dump``): a category derived from
    fraud_type must pass that second check, not contradict it."""
    record = FeedbackRecord.model_validate({"text": FRAUD_TEXT, "label": 1, "fraud_type": "其他", "source": "analyst"})
    store = SqliteFeedbackStore(FeedbackConfig(path=str(tmp_path / "feedback.db")))
    store.append_many([record])
    assert store.read()["category"].tolist() == ["fraud"]
