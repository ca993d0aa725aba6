"""One reason formatter for every model: (feature, value) pairs → sentences an analyst reads.

SMS and call models both explain a decision by their top contributing features. A feature
with a template reads as a sentence with its value ("外呼对象 312 个"); one without reads as its
own name when present (SMS n-grams such as "词: 刷单" already are readable) and not at all
when absent, because absence explains nothing. Where "0" reads badly as a number ("双向通话对象 0
个"), a table may give the zero case its own sentence under ``<feature>`` + :data:`ZERO_SUFFIX`
("无双向通话对象"). A template may name other values of the record (a den's id); where the
record lacks one, ``<feature>`` + :data:`FALLBACK_SUFFIX` is the sentence without it (a number
in no analyst's den still reads "同一窝点 37 个号码…"). Two features that share a template mean the
same thing (``voc_user_cnt`` and ``user_cnt``), so a decision shows that sentence once, with the
value of the stronger contributor; so do one n-gram's columns in the character and the word
vocabularies ("词: 资金" and "字: 资金": the reader sees the same word twice otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet

ZERO_SUFFIX = "@zero"
FALLBACK_SUFFIX = "@fallback"
# An SMS n-gram feature is named by its vocabulary's prefix and the gram (features/sms/text.py).
CHAR_GRAM_PREFIX, WORD_GRAM_PREFIX = "字: ", "词: "
GRAM_PREFIXES = (CHAR_GRAM_PREFIX, WORD_GRAM_PREFIX)


class _WithValue(dict):
    """``format_map`` mapping: ``value`` is the contributing feature; other names come from the row."""

    def __init__(self, row: Mapping[str, float | str], value: float) -> None:
        super().__init__(value=value)
        self._row = row

    def __missing__(self, name: str) -> float | str:
        found = self._row[name]
        if found is None or (isinstance(found, float) and math.isnan(found)):
            raise KeyError(name)  # unknown is absent: a sentence never reads "nan"
        return found


def render_reason(name: str, value: float, templates: Mapping[str, str], row: Mapping[str, float | str] | None = None) -> str | None:
    """The sentence for one feature value, or None where it cannot be a reason (NaN, absent).

    A template may name other values of the same record besides ``{value}`` (a den's size beside
    its known-fraud count), looked up in ``row``. One naming a value the row lacks (or holds as
    NaN/None) gives way to the feature's :data:`FALLBACK_SUFFIX` sentence, and without one reads
    as the feature's name rather than failing the decision.
    """
    if math.isnan(value):
        return None
    template = templates.get(name + ZERO_SUFFIX) if value == 0 else None
    template = template or templates.get(name)
    if not template:
        return name if value else None
    for candidate in (template, templates.get(name + FALLBACK_SUFFIX)):
        if candidate:
            try:
                return candidate.format_map(_WithValue(row or {}, value))
            except (KeyError, ValueError):
                continue
    return name


def top_reasons(
    contributions: Iterable[tuple[str, float]],
    templates: Mapping[str, str],
    limit: int,
    row: Mapping[str, float | str] | None = None,
    fallbacks: AbstractSet[str] = frozenset(),
) -> list[str]:
    """The first ``limit`` distinct reasons from ``(feature, value)`` pairs, strongest first.

    A feature whose template (or, without one, whose sentence) was already shown is skipped.
    ``row`` gives templates the record's other values (see :func:`render_reason`).
    A feature in ``fallbacks`` (a generic "similar to scam texts") is said only when no other
    reason is: beside a concrete one it hides nothing and explains nothing.
    """
    reasons: list[str] = []
    generic: list[str] = []
    shown: set[str] = set()
    for name, value in contributions:
        if len(reasons) >= limit:
            break
        reason = render_reason(name, value, templates, row)
        if reason is None:
            continue
        said = gram_or_self(reason)
        key = templates.get(name) or said
        if key in shown or said in shown:
            continue
        shown.update((key, said))
        (generic if name in fallbacks else reasons).append(reason)
    return reasons or generic[:limit]


def gram_or_self(reason: str) -> str:
    """The n-gram a gram reason names whichever vocabulary it came from; any other reason itself."""
    for prefix in GRAM_PREFIXES:
        if reason.startswith(prefix):
            return reason[len(prefix):]
    return reason


def merge_templates(*sources: Mapping[str, str]) -> dict[str, str]:
    """One template table from several sources; the same feature with two sentences is an error.

    Raises:
        ValueError: a feature appears in two sources with different templates.
    """
    merged: dict[str, str] = {}
    for source in sources:
        for name, template in source.items():
            if merged.get(name, template) != template:
                raise ValueError(f"reason template for {name!r} defined twice: {merged[name]!r} and {template!r}")
            merged[name] = template
    return merged
