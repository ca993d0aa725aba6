"""Request and response models of the scoring endpoints (SMS and call scoring share the response).

Limits come from ``configs/serving.yaml`` so an operator changes them in one place; they are read
once when this module is imported because pydantic constraints are part of the class. Every
model forbids unknown fields: a misspelt ``txt`` must be an error, not an empty message.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from configs.serving import load_serving_config
from features.labels import label_spellings, parse_label
from features.sms.normalise import clean_text

_LIMITS = load_serving_config().limits

Action = Literal["block", "warn", "allow"]


# Plain digits ("+8613800138000") and hashed numbers (the contest's 128 hex characters) are both
# valid; whitespace and punctuation are not, so a number pasted with spaces fails loudly instead
# of silently missing its profile.
NUMBER_PATTERN = r"^\+?[0-9A-Za-z]+$"
DECISION_ID_PATTERN = r"^[A-Za-z0-9_-]{16}$"
_DECISION_ID_BYTES = 12  # 96 random bits as 16 URL-safe characters


def new_decision_id() -> str:
    """A fresh ``decision_id``: random, so one decision's id tells nothing about another's and
    cannot be guessed to label decisions one never saw."""
    return secrets.token_urlsafe(_DECISION_ID_BYTES)


def iso_timestamp(value: str | None) -> str | None:
    """``value`` unchanged when it is None or an ISO 8601 timestamp; a clear error otherwise."""
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 timestamp, e.g. 2024-05-01T09:30:00+08:00") from None
    return value


IsoTimestamp = Annotated[str | None, AfterValidator(iso_timestamp)]


def visible_text(text: str | None) -> str | None:
    """``text`` unchanged unless the model's own normalisation leaves nothing of it (only
    whitespace, zero-width or control characters): such a text has nothing to score or learn."""
    if text is not None and not clean_text(text):
        raise ValueError("text is blank after normalisation (only whitespace, invisible or control characters)")
    return text


def request_label(value: Any) -> int:
    """0 or 1 from a label a client sent: a number 0/1 or a word training data uses for it.

    A JSON ``true``/``false`` is refused: the API documents numbers and words, and a boolean
    says "yes" without saying to what (fraud? label correct?). The value itself is never echoed
    (a client may put a message text there); the error lists what is accepted.
    """
    label = parse_label(value) if isinstance(value, int | float | str) and not isinstance(value, bool) else None
    if label is None:
        raise ValueError(f"not a label ({_json_kind(value)}): send 0 or 1, or a label word: "
                         f"{', '.join(label_spellings(0)[1:])} (0); {', '.join(label_spellings(1)[1:])} (1)")
    return label


def _json_kind(value: Any) -> str:
    """What a client sent, in JSON's words (never the value itself)."""
    if isinstance(value, bool) or value is None:
        return "true/false" if value is not None else "null"
    if isinstance(value, int | float):
        return "a number other than 0 and 1"
    return {str: "an unknown word", list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


RequestLabel = Annotated[int, BeforeValidator(request_label)]
"""Every label field a client fills (feedback, template confirmation): one type, one error."""


def check_fraud_type(label: int, fraud_type: str | None) -> None:
    """A fraud type names a kind of fraud: beside label 0 it is a contradiction, refused wherever
    a client sends both (feedback, template confirmation) rather than stored on a normal label."""
    if fraud_type is not None and label == 0:
        raise ValueError("fraud_type is only meaningful for label 1 (fraud)")


class _Strict(BaseModel):
    """Unknown fields are errors and nothing is coerced (``5`` is not a text)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class SmsMessage(_Strict):
    """One SMS as the carrier hook sees it; only ``id`` and ``text`` are required."""

    id: str = Field(..., min_length=1, max_length=_LIMITS.max_field_chars, examples=["sms-20240501-000123"])
    text: Annotated[str, AfterValidator(visible_text)] = Field(
        ...,
        min_length=1,
        max_length=_LIMITS.max_text_chars,
        examples=["【工商银行】您的账户存在异常，请立即登录 http://icbc-verify.top 转入安全账户"],
    )
    sender: str | None = Field(None, max_length=_LIMITS.max_field_chars, examples=["17012345678"])
    receiver: str | None = Field(None, max_length=_LIMITS.max_field_chars, examples=["13800138000"])
    sent_at: IsoTimestamp = Field(None, max_length=_LIMITS.max_field_chars, examples=["2024-05-01T09:30:00+08:00"])


class SmsScoreRequest(_Strict):
    """Body of ``POST /v1/sms/score``: 1 to ``limits.max_messages`` messages."""

    messages: list[SmsMessage] = Field(..., min_length=1, max_length=_LIMITS.max_messages)


class CallEvent(_Strict):
    """One call as the carrier hook sees it at setup; only ``id`` and ``caller`` are required.

    The call model judges the caller by its per-number behaviour profile (looked up by
    ``caller`` in the profile store), not by this one call, so no per-call behaviour field is
    taken: an unknown field is an error rather than something silently ignored.
    """

    id: str = Field(..., min_length=1, max_length=_LIMITS.max_field_chars, examples=["call-20240501-000123"])
    caller: str = Field(
        ..., min_length=1, max_length=_LIMITS.max_field_chars, pattern=NUMBER_PATTERN, examples=["17012345678"]
    )
    callee: str | None = Field(None, max_length=_LIMITS.max_field_chars, pattern=NUMBER_PATTERN, examples=["13800138000"])
    started_at: IsoTimestamp = Field(None, max_length=_LIMITS.max_field_chars, examples=["2024-05-01T09:30:00+08:00"])


class CallScoreRequest(_Strict):
    """Body of ``POST /v1/call/score``: 1 to ``limits.max_calls`` calls."""

    calls: list[CallEvent] = Field(..., min_length=1, max_length=_LIMITS.max_calls)


class ModelInfo(BaseModel):
    """The registered model version that produced every result of a response."""

    name: str = Field(..., examples=["yunmao-sms"])
    version: str = Field(..., examples=["3"])


class ScoreResult(BaseModel):
    """The decision on one message or call, in the order of the request."""

    id: str = Field(..., examples=["sms-20240501-000123"])
    decision_id: str = Field(
        ...,
        pattern=DECISION_ID_PATTERN,
        description="Unique id of this decision; quote it in POST /v1/feedback so the label joins "
        "exactly this decision (live precision).",
        examples=["q1Z8rYx0Lk3vT9aB"],
    )
    score: float | None = Field(
        ...,
        ge=0.0,
        le=1.0,
        description="How unwanted the message is: calibrated 1 − P(ham) (spam, illegal and fraud "
        "all count); null when the model could not score (a caller without a profile: reason "
        "insufficient_history).",
        examples=[0.987],
    )
    action: Action = Field(
        ..., description="From the model version's own thresholds and the per-category policy.", examples=["block"]
    )
    category: str | None = Field(
        None,
        description="ham, spam (marketing), illegal or fraud (configs/taxonomy.yaml); null for models "
        "without a category head (calls, SMS models trained before the taxonomy).",
        examples=["fraud"],
    )
    fraud_score: float | None = Field(
        None, ge=0.0, le=1.0, description="P(fraud): the score to judge fraud-vs-normal on.", examples=[0.95]
    )
    fraud_type: str | None = Field(None, description="Only for category fraud (when known).", examples=["冒充电商物流客服"])
    fraud_type_score: float | None = Field(None, ge=0.0, le=1.0, examples=[0.91])
    reasons: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Top contributions of this prediction; only for the configured actions.",
        examples=[["含短链接", "词: 安全账户", "发送方: 虚拟运营商号段"], ["日均外呼对象 312 个", "同一设备 41 张卡"]],
    )


class ScoreResponse(BaseModel):
    model: ModelInfo
    results: list[ScoreResult]


class ErrorDetail(BaseModel):
    field: str = Field(..., description="Dotted path of the offending field, e.g. messages.0.text.")
    problem: str


class ErrorResponse(BaseModel):
    """Body of every 4xx this service returns."""

    error: str
    detail: list[ErrorDetail] = Field(default_factory=list)
