"""Request cases shared by the in-process (ASGI) and real-server tests: each must give the same
answer through both, on the SMS and the call endpoint alike."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field

JSON = {"content-type": "application/json"}
SMS_ROUTE = "/v1/sms/score"
CALL_ROUTE = "/v1/call/score"
DEADLINE = "X-Yunmao-Deadline-Ms"  # configs/serving.yaml overload.deadline_header


def body(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def one(**message: object) -> bytes:
    return body({"messages": [message]})


def one_call(**call: object) -> bytes:
    return body({"calls": [call]})


@dataclass(frozen=True)
class BadCase:
    name: str
    content: bytes
    status: int
    field: str  # the field the error must name
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    route: str = SMS_ROUTE


BAD_CASES = [
    BadCase("empty_text", one(id="a", text=""), 422, "messages.0.text"),
    BadCase("blank_text", one(id="a", text="  \n\t "), 422, "messages.0.text"),
    BadCase("missing_text", one(id="a"), 422, "messages.0.text"),
    BadCase("text_over_max", one(id="a", text="诈" * 2001), 422, "messages.0.text"),
    BadCase("text_wrong_type", one(id="a", text=5), 422, "messages.0.text"),
    BadCase("id_wrong_type", one(id=7, text="你好"), 422, "messages.0.id"),
    BadCase("bad_sent_at", one(id="a", text="你好", sent_at="yesterday"), 422, "messages.0.sent_at"),
    BadCase("unknown_message_field", one(id="a", text="你好", txt="x"), 422, "messages.0.txt"),
    BadCase("unknown_top_field", body({"messages": [{"id": "a", "text": "你好"}], "extra": 1}), 422, "extra"),
    BadCase("messages_not_list", body({"messages": "你好"}), 422, "messages"),
    BadCase("missing_messages", body({}), 422, "messages"),
    BadCase("empty_batch", body({"messages": []}), 422, "messages"),
    BadCase("too_many_messages", body({"messages": [{"id": str(i), "text": "你好"} for i in range(1001)]}), 413, "messages"),
    BadCase("body_is_array", body([{"id": "a", "text": "你好"}]), 422, "<body>"),
    BadCase("invalid_json", b'{"messages": [{"id": "a", "text": ', 400, "<body>"),
    BadCase("non_utf8", b'{"messages": [{"id": "a", "text": "\xff\xfe\xfa"}]}', 400, "<body>"),
    BadCase("empty_body", b"", 400, "<body>"),
    BadCase("zero_width_text", one(id="a", text="\u200b\u200b"), 422, "messages.0.text"),
    BadCase("form_content_type", b"id=a&text=hi", 415, "content-type", {"content-type": "application/x-www-form-urlencoded"}),
    BadCase("text_plain_json_body", one(id="a", text="你好"), 415, "content-type", {"content-type": "text/plain"}),
    BadCase("multipart", b"--b\r\ncontent-disposition: form-data; name=x\r\n\r\n1\r\n--b--\r\n", 415, "content-type",
            {"content-type": "multipart/form-data; boundary=b"}),
    BadCase("no_content_type", one(id="a", text="你好"), 415, "content-type", {}),
    BadCase("gzip_body", gzip.compress(one(id="a", text="你好")), 415, "content-encoding",
            {**JSON, "content-encoding": "gzip"}),
    BadCase("plain_body_declared_gzip", one(id="a", text="你好"), 415, "content-encoding", {**JSON, "content-encoding": "gzip"}),
    BadCase("latin1_charset", one(id="a", text="你好"), 415, "content-type", {"content-type": "application/json; charset=latin-1"}),
    BadCase("deeply_nested", b'{"messages": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", 400, "<body>"),
    BadCase("huge_integer", b'{"messages": [{"id": "a", "text": ' + b"9" * 5000 + b"}]}", 400, "<body>"),
    BadCase("key_sent_twice", b'{"messages": [{"id": "a", "text": "hi"}], "messages": [{"id": "b", "text": "ok"}]}', 422, "messages"),
    BadCase("lone_surrogate", rb'{"messages": [{"id": "a", "text": "hi \ud800 there"}]}', 400, "messages.0.text"),
    BadCase("trailing_slash", one(id="a", text="你好"), 404, "<path>", route=f"{SMS_ROUTE}/"),
    BadCase("deadline_not_a_number", one(id="a", text="你好"), 400, DEADLINE, {**JSON, DEADLINE: "soon"}),
    BadCase("deadline_negative", one(id="a", text="你好"), 400, DEADLINE, {**JSON, DEADLINE: "-1"}),
]


def _call_case(name: str, content: bytes, status: int, field_: str) -> BadCase:
    return BadCase(f"call_{name}", content, status, field_, route=CALL_ROUTE)


CALL_BAD_CASES = [
    _call_case("empty_caller", one_call(id="c", caller=""), 422, "calls.0.caller"),
    _call_case("missing_caller", one_call(id="c"), 422, "calls.0.caller"),
    _call_case("caller_wrong_type", one_call(id="c", caller=13800138000), 422, "calls.0.caller"),
    _call_case("caller_with_spaces", one_call(id="c", caller="138 0013 8000"), 422, "calls.0.caller"),
    _call_case("caller_over_max", one_call(id="c", caller="a" * 129), 422, "calls.0.caller"),
    _call_case("callee_wrong_type", one_call(id="c", caller="13800138000", callee=1), 422, "calls.0.callee"),
    _call_case("id_wrong_type", one_call(id=7, caller="13800138000"), 422, "calls.0.id"),
    _call_case("missing_id", one_call(caller="13800138000"), 422, "calls.0.id"),
    _call_case("bad_started_at", one_call(id="c", caller="13800138000", started_at="yesterday"), 422, "calls.0.started_at"),
    _call_case("unknown_call_field", one_call(id="c", caller="13800138000", duration=5), 422, "calls.0.duration"),
    _call_case("unknown_top_field", body({"calls": [{"id": "c", "caller": "1"}], "extra": 1}), 422, "extra"),
    _call_case("sms_body_on_call_route", body({"messages": [{"id": "a", "text": "你好"}]}), 422, "calls"),
    _call_case("calls_not_list", body({"calls": "13800138000"}), 422, "calls"),
    _call_case("missing_calls", body({}), 422, "calls"),
    _call_case("empty_batch", body({"calls": []}), 422, "calls"),
    _call_case("too_many_calls", body({"calls": [{"id": str(i), "caller": "1"} for i in range(1001)]}), 413, "calls"),
    _call_case("invalid_json", b'{"calls": [{"id": "c", "caller": ', 400, "<body>"),
    _call_case("non_utf8", b'{"calls": [{"id": "c", "caller": "\xff\xfe"}]}', 400, "<body>"),
    _call_case("empty_body", b"", 400, "<body>"),
    _call_case("key_sent_twice", b'{"calls": [{"id": "c", "caller": "1", "caller": "2"}]}', 422, "calls.0.caller"),
    BadCase("call_deadline_fraction", one_call(id="c", caller="1"), 400, DEADLINE, {**JSON, DEADLINE: "2.5"}, CALL_ROUTE),
]

# Valid but unusual: each must score (200) with one result per message.
EDGE_TEXTS = {
    "emoji": "恭喜您中奖了🎉🎁点击领取💰 http://x.top",
    "control_chars": "验证码\x00\x07123456\x1b[31m，请勿泄露\u200b\ufeff",
    "mixed_scripts": "Dear用户，your账户 сейчас заблокирован，請立即處理 ご確認ください",
    "max_length_ascii": "a" * 2000,
    "max_length_cjk": "安全账户" * 500,
}

PHONE = "17098765432"
SECRET_TEXT = "您的快递已到达，取件码 836145，联系 17098765432 领取"


def without_decision_ids(results: list[dict]) -> list[dict]:
    """``results`` without their ``decision_id``: a fresh random id per answer, so two answers to the
    same request differ only there. Each result must carry one."""
    assert all(result.get("decision_id") for result in results), results
    return [{key: value for key, value in result.items() if key != "decision_id"} for result in results]
