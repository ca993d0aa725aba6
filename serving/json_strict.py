"""What pydantic's JSON parser lets through silently, or names poorly, found and named here.

- A key sent twice in one object (``{"messages": [...], "messages": [...]}``): RFC 8259 leaves
  the meaning open and pydantic keeps the last value, so the first is lost without a word. A
  carrier's hook that sends one never meant to have half its messages dropped: it is refused.
- A string escape holding half of a UTF-16 surrogate pair (``"\\ud800"``): pydantic refuses it,
  saying "unexpected end of hex escape", which reads like a truncated body. The answer says what
  is wrong and in which field.
- A body starting with a UTF-8 byte order mark (some Windows clients add one): pydantic says
  "expected value at line 1 column 1"; the answer names the mark.

Duplicates and surrogates are looked for only in a body pydantic has parsed (duplicates) or refused (surrogates), with
Python's own parser: numbers are never converted (no integer digit limit), and pydantic has
already refused JSON nested deeper than Python's recursion limit.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import Any

from serving.schemas import ErrorDetail

_SURROGATES = range(0xD800, 0xE000)


class _DuplicateKey(ValueError):
    """Raised by :func:`_unique_object` at the first object holding a key twice."""


class _Pairs(list):
    """A JSON object as its (key, value) pairs in order, duplicates kept (for naming the path)."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        raise _DuplicateKey
    return obj


def _ignore_number(_text: str) -> None:
    return None


def _loads(body: bytes, hook: Any) -> Any:
    return json.loads(body, object_pairs_hook=hook, parse_int=_ignore_number, parse_float=_ignore_number,
                      parse_constant=_ignore_number)


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, node) of ``node`` and everything inside it; an object's keys are visited as nodes
    at their own path, so a key can be blamed too."""
    yield path, node
    if isinstance(node, _Pairs):
        for key, value in node:
            yield (*path, key), key
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, (*path, str(index)))


def _field(path: tuple[str, ...]) -> str:
    """The dotted path; a surrogate in a key is written as its escape (an answer must be UTF-8)."""
    return ".".join(path).encode("utf-8", "backslashreplace").decode("utf-8") or "<body>"


def duplicate_key(body: bytes) -> ErrorDetail | None:
    """The first key ``body`` sends twice in one object, named by its dotted path; None when every
    key is unique. ``body`` must be JSON pydantic has parsed (so nesting is bounded)."""
    try:
        _loads(body, _unique_object)
    except _DuplicateKey:
        pass
    else:
        return None
    for path, node in _walk(_loads(body, _Pairs)):
        if isinstance(node, _Pairs) and (repeated := _first_repeated([key for key, _ in node])) is not None:
            return ErrorDetail(field=_field((*path, repeated)), problem=(
                f"key {repeated!r} is sent more than once in one object; send each key once "
                "(which of the values was meant cannot be known)"))
    return None


def _first_repeated(keys: list[str]) -> str | None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return None


def unparsable_named(body: bytes) -> ErrorDetail | None:
    """What is wrong with a body pydantic could not parse, where its own message misleads: a
    leading UTF-8 byte order mark (some Windows clients add one; pydantic says "expected value at
    line 1 column 1"), or an unpaired surrogate (:func:`unpaired_surrogate`). None otherwise."""
    if body.startswith(codecs.BOM_UTF8):
        return ErrorDetail(field="<body>", problem="starts with a UTF-8 byte order mark (EF BB BF), which JSON does "
                           "not allow; send the body without it")
    return unpaired_surrogate(body)


def unpaired_surrogate(body: bytes) -> ErrorDetail | None:
    """The first string of ``body`` holding an unpaired UTF-16 surrogate escape (``\\ud800`` alone),
    named by its dotted path; None when there is none or the body is not JSON at all."""
    try:
        for path, node in _walk(_loads(body, _Pairs)):
            if isinstance(node, str) and (half := next((ch for ch in node if ord(ch) in _SURROGATES), None)) is not None:
                return ErrorDetail(field=_field(path), problem=(
                    f"holds an unpaired UTF-16 surrogate escape (\\u{ord(half):04x}), which is not a character: "
                    "escape a character beyond U+FFFF as a high + low pair (\\ud83d\\ude00), or send it as UTF-8"))
    except (ValueError, RecursionError):  # not JSON even to Python, or nested past its limit: pydantic's message stands
        return None
    return None
