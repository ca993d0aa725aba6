"""Durable, append-only store of labelled feedback from analysts and victim reports.

Feedback is the only labelled data that arrives after deployment, so losing an acknowledged
record silently biases the next model. The embedded default is one SQLite file in WAL mode with
``synchronous=FULL``: ``append_many`` commits its whole batch in one transaction before it
returns, so a record that was acknowledged survives a crash, and a writer killed mid-batch
leaves no partial batch behind (SQLite rolls the unfinished transaction back on next open).
WAL lets readers (exports) run while the service writes; concurrent writers queue on SQLite's
write lock for up to ``busy_timeout_s``. Rows are never updated or deleted (triggers refuse it):
a correction is a new row with the same ``id``, and exports keep the latest one per id.

Replicas of the service on several hosts cannot share one SQLite file (its locking needs one
machine's file system), so ``url: redis://…`` in ``configs/feedback.yaml`` puts the same
append-only log in Redis instead (``serving/feedback_redis``); :func:`open_feedback_store` picks.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Protocol

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from configs import validation_problems
from configs.feedback import FeedbackConfig
from serving.schemas import DECISION_ID_PATTERN, RequestLabel, check_fraud_type, visible_text
from serving.sqlite_tx import WalFile, immediate_transaction
from serving.store_errors import StoreUnavailable
from serving.taxonomy_fields import Category, FraudType, agreed_category

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('sms', 'call')),
    text        TEXT,
    call_json   TEXT,
    label       INTEGER NOT NULL CHECK (label IN (0, 1)),
    fraud_type  TEXT,
    category    TEXT,
    source      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    decision_id TEXT
);
CREATE INDEX IF NOT EXISTS feedback_received_at ON feedback (received_at);
CREATE TRIGGER IF NOT EXISTS feedback_no_update BEFORE UPDATE ON feedback
BEGIN SELECT RAISE(ABORT, 'feedback is append-only'); END;
CREATE TRIGGER IF NOT EXISTS feedback_no_delete BEFORE DELETE ON feedback
BEGIN SELECT RAISE(ABORT, 'feedback is append-only'); END;
"""

COLUMNS = ("seq", "id", "kind", "text", "call_json", "label", "fraud_type", "category", "source", "received_at", "decision_id")
# Columns that came after the first feedback table, in the order they came, with their SQL type.
_ADDED_COLUMNS = {"decision_id": "TEXT", "category": "TEXT"}
_INSERT = f"INSERT INTO feedback ({', '.join(COLUMNS[1:])}) VALUES ({', '.join('?' * len(COLUMNS[1:]))})"


class FeedbackError(ValueError):
    """Feedback that cannot be accepted; the message names the record and field at fault."""


class FeedbackRecord(BaseModel):
    """One piece of feedback: a message (``text``) or a call profile (``call``) and its true label.

    ``label`` accepts what the training loaders accept (0/1, normal/ham, fraud/scam/spam, 正常/诈骗),
    so feedback and training data can never disagree on what a label means; here every word means
    only 0 or 1, as it did before categories, so an old client's records are stored as they were.
    Which kind of unwanted is ``category`` (configs/taxonomy.yaml); a ``fraud_type`` without one
    means the fraud category. ``category`` comes after ``label`` and ``fraud_type`` because it is
    checked against them (pydantic validates fields in order).
    Pass ``context={"max_text_chars": n}`` to ``model_validate`` to apply the configured limit.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str | None = Field(None, min_length=1, max_length=128, examples=["sms-20240501-000123"])
    text: Annotated[str | None, AfterValidator(visible_text)] = Field(None, min_length=1, examples=["您的账户涉嫌洗钱，请立即转账到安全账户"])
    call: dict[str, Any] | None = Field(None, examples=[{"phone_no_m": "8f3a…", "calls_per_day": 41}])
    label: RequestLabel = Field(..., examples=[1])
    fraud_type: FraudType = Field(None, description="One of configs/taxonomy.yaml's fraud types; implies category fraud.",
                                  examples=["冒充公检法"])
    category: Category = Field(
        None,
        validate_default=True,  # to derive it from fraud_type when absent
        description="ham, spam (marketing), illegal or fraud (configs/taxonomy.yaml): what the category head "
        "learns from this record. Must agree with label (ham is 0, the others 1); absent, the label only "
        "says wanted or unwanted (fraud when fraud_type is given).",
        examples=["fraud"],
    )
    source: str = Field(..., pattern=r"^[A-Za-z0-9_.:\-]{1,64}$", examples=["analyst"])
    decision_id: str | None = Field(
        None,
        pattern=DECISION_ID_PATTERN,
        description="The decision_id of the scoring result this label judges: the label then counts "
        "toward that decision's model version in live precision (yunmao monitor).",
        examples=["q1Z8rYx0Lk3vT9aB"],
    )

    @field_validator("text")
    @classmethod
    def _text_length(cls, value: str | None, info: ValidationInfo) -> str | None:
        limit = (info.context or {}).get("max_text_chars")
        if value is not None and limit is not None and len(value) > limit:
            raise ValueError(f"text is {len(value)} characters; at most {limit} are accepted")
        return value

    @field_validator("category")
    @classmethod
    def _category_agrees(cls, value: str | None, info: ValidationInfo) -> str | None:
        return agreed_category(value, info.data.get("label"), info.data.get("fraud_type"))

    @field_validator("call")
    @classmethod
    def _call_profile(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        number = value.get("phone_no_m")
        if not isinstance(number, str) or not number.strip():
            raise ValueError("call must carry the number it describes as a non-empty 'phone_no_m'")
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"call must be plain JSON (strings, numbers, lists, objects): {exc}") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackRecord:
        if (self.text is None) == (self.call is None):
            raise ValueError("give exactly one of 'text' (an SMS) or 'call' (a call profile)")
        check_fraud_type(self.label, self.fraud_type)
        return self

    @property
    def kind(self) -> Literal["sms", "call"]:
        return "sms" if self.text is not None else "call"


def validate_records(records: Iterable[FeedbackRecord | Mapping[str, Any]], config: FeedbackConfig) -> list[FeedbackRecord]:
    """Validate raw records against the schema and the configured limits, all before any is stored.

    Raises:
        FeedbackError: naming the first bad record's position and every problem in it.
    """
    records = list(records)
    if len(records) > config.max_batch:
        raise FeedbackError(f"{len(records)} records in one batch; at most {config.max_batch} are accepted")
    validated: list[FeedbackRecord] = []
    for position, record in enumerate(records):
        raw = record.model_dump() if isinstance(record, FeedbackRecord) else record
        try:
            validated.append(FeedbackRecord.model_validate(raw, context={"max_text_chars": config.max_text_chars}))
        except ValidationError as exc:
            raise FeedbackError(f"record {position}: {validation_problems(exc)}") from exc
    return validated


class FeedbackStore(Protocol):
    """What the service, the export and the retrain job need of a feedback store."""

    def append_many(self, records: Iterable[FeedbackRecord | Mapping[str, Any]]) -> list[str]:
        """Validate and durably append ``records`` all-or-nothing; their ids in order.

        Raises:
            FeedbackError: a record is invalid (nothing stored).
            StoreUnavailable: the store could not commit (nothing stored).
        """
        ...

    def read(self, since: datetime | None = None, kind: Literal["sms", "call"] | None = None) -> pd.DataFrame:
        """Every stored row (``COLUMNS``, oldest first), optionally only those received at or
        after ``since`` and of one ``kind``."""
        ...


def stored_rows(records: Iterable[FeedbackRecord | Mapping[str, Any]], config: FeedbackConfig) -> list[dict[str, Any]]:
    """``records`` validated and as stored (every column but ``seq``); ids generated where missing.

    Raises:
        FeedbackError: as :func:`validate_records`.
    """
    received_at = utc_text(datetime.now(timezone.utc))
    return [
        {
            "id": record.id or uuid.uuid4().hex,
            "kind": record.kind,
            "text": record.text,
            "call_json": None if record.call is None else json.dumps(record.call, ensure_ascii=False, sort_keys=True),
            "label": record.label,
            "fraud_type": record.fraud_type,
            "category": record.category,
            "source": record.source,
            "received_at": received_at,
            "decision_id": record.decision_id,
        }
        for record in validate_records(records, config)
    ]


def utc_text(moment: datetime) -> str:
    """``moment`` as stored in ``received_at`` (UTC ISO text, so text order is time order);
    a naive ``moment`` is taken as UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).isoformat(timespec="microseconds")


def open_feedback_store(config: FeedbackConfig) -> FeedbackStore:
    """The store ``config.url`` names (``redis://…``), else the SQLite file of ``config.db_path()``."""
    if config.url is None:
        return SqliteFeedbackStore(config)
    from serving.feedback_redis import RedisFeedbackStore  # here: that module imports this one

    return RedisFeedbackStore(config, config.url)


class SqliteFeedbackStore:
    """Append-only SQLite feedback table; one short-lived connection per operation (fork- and thread-safe)."""

    def __init__(self, config: FeedbackConfig) -> None:
        self.config = config
        wal = WalFile.create(config.db_path(), config.busy_timeout_s, "FULL", _SCHEMA)
        self.path = wal.path
        self._connect = wal.connect
        with self._connect() as conn:
            _add_missing_columns(conn)

    def append_many(self, records: Iterable[FeedbackRecord | Mapping[str, Any]]) -> list[str]:
        """Validate and durably append ``records`` as one transaction; returns their ids in order.

        Either every record is committed (and fsynced) before this returns, or none is.
        Records without an ``id`` get a fresh UUID.
        """
        rows = [tuple(row[column] for column in COLUMNS[1:]) for row in stored_rows(records, self.config)]
        if not rows:
            return []
        try:
            with self._connect() as conn, immediate_transaction(conn):
                conn.executemany(_INSERT, rows)
        except sqlite3.Error as exc:
            raise StoreUnavailable(str(exc)) from exc
        return [row[0] for row in rows]

    def read(self, since: datetime | None = None, kind: Literal["sms", "call"] | None = None) -> pd.DataFrame:
        """All stored rows (oldest first), optionally only those received at or after ``since``."""
        clauses, params = [], []
        if since is not None:
            clauses.append("received_at >= ?")
            params.append(utc_text(since))
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as conn:
            cursor = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback{where} ORDER BY seq", params)
            return pd.DataFrame(cursor.fetchall(), columns=list(COLUMNS))


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Give a feedback table created by an earlier version the columns added since (``_ADDED_COLUMNS``;
    its rows read NULL there: no decision quoted, no category given), so an old file keeps working."""
    with immediate_transaction(conn):  # two workers opening an old file: one alters, the other sees it done
        present = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
        for name, sql_type in _ADDED_COLUMNS.items():
            if name not in present:
                conn.execute(f"ALTER TABLE feedback ADD COLUMN {name} {sql_type}")
    conn.execute("CREATE INDEX IF NOT EXISTS feedback_decision_id ON feedback (decision_id)")
