"""Entity and pattern features: masked entities, fraud lexicons and shape of the text.

These are few, dense and readable, which is what lets LightGBM generalise beyond the exact
n-grams of the training campaigns and what makes its explanations useful ("含短链接",
"要求转账或付款"). Script cues ("冒充公检法称涉案") name the scam scripts of the public
anti-fraud guidance, so a model trained on a few campaigns still recognises a script it has not
seen worded that way. Lexicons and cues live in ``resources/patterns.yaml``, not in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import yaml
from sklearn.base import BaseEstimator, TransformerMixin

from features.fitted import require_fitted
from features.resource_files import PATTERNS_FILE, resource_path
from features.sms import normalise

ENTITY_REASONS = {
    normalise.URL: "含网址/短链接",
    normalise.PHONE: "含电话号码",
    normalise.MONEY: "含金额",
    normalise.CARD: "含银行卡号",
    normalise.IDNO: "含身份证号",
    normalise.NUMBER: "含长数字串",
}
SHAPE_FEATURES = {
    "length": "文本长度",
    "digit_share": "数字占比",
    "latin_share": "字母占比",
    "exclamations": "感叹号数量",
    "has_signature": "含【签名】",
}
# Feature names of models fitted before the script cues, renamed since: such a model still asks
# for its columns by the old name.
_FORMER_NAMES = {"引导加微信/QQ等私下联系": "引导添加微信/QQ私下联系", "索要验证码或银行卡信息": "提及验证码或银行卡信息"}
# The one cue that speaks *for* a message: official reminders quote the scripts they warn about.
ANTI_FRAUD_REMINDER = "官方反诈提醒用语"
_LATIN_LETTER = re.compile("[a-z]")  # the characters "a" <= ch <= "z"
# A refund going back the way the buyer paid: the wording of a real shop's refund notice.
ORIGINAL_ROUTE_REFUND = "退款原路退回（正规退款通知用语）"
# Cues that are evidence *against* fraud: shown as a reason for a block or a warning they would
# tell a person the opposite of why the message was flagged.
COUNTER_CUES = frozenset({ANTI_FRAUD_REMINDER, ORIGINAL_ROUTE_REFUND})
_SIGNATURE = re.compile(r"^\s*【[^】]{2,12}】|【[^】]{2,12}】\s*$")


@cache
def _resource() -> dict:
    return yaml.safe_load(resource_path(PATTERNS_FILE).read_text(encoding="utf-8"))


@cache
def _lexicon_groups() -> dict[str, tuple[str, tuple[str, ...]]]:
    raw = _resource()
    return {name: (group["reason"], tuple(group["words"])) for name, group in raw["groups"].items()}


@dataclass(frozen=True)
class Cue:
    """One script cue of ``resources/patterns.yaml``.

    It fires when every word list has a hit that no negation governs and, with ``within``, when
    one hit of each list starts within ``within`` characters of the others: a game company writes
    "请勿私下交易账号" (a denied trade) and a kindergarten's fee notice opens "亲爱的家长" and names
    its payment 平台 three sentences later (words of one script, far apart). ``negatable`` is
    False for cues whose own words are warnings (the reminder cue) and for those whose scripts
    reassure in the same words ("不会影响征信"), where negation only cost fraud hits.
    """

    word_lists: tuple[tuple[str, ...], ...]
    within: int | None = None
    negatable: bool = True
    ignore: tuple[re.Pattern[str], ...] = ()

    def __post_init__(self) -> None:
        if self.within is not None and self.within < 0:
            raise ValueError(f"a cue's within must be ≥ 0 characters, got {self.within}")

    def seen(self, text: str) -> str:
        """``text`` as this cue reads it: each ``ignore`` pattern blanked out. The reminder cue
        ignores what any text can say without warning of anything: a scam's reassurance ("我们
        不是骗人的") and a sign-off a script appends ("谨防诈骗", "谨防杀猪盘")."""
        for pattern in self.ignore:
            text = pattern.sub(" ", text)
        return text


@dataclass(frozen=True)
class Negation:
    """A hit starting at most ``window`` characters after one of ``words``, with no clause break
    (``breaks``) between them, is negated: "请勿在陌生平台注册" asks nothing."""

    words: tuple[str, ...]
    window: int
    breaks: str

    def __post_init__(self) -> None:
        if self.window < 0 or not all(self.words):
            raise ValueError("negation needs non-empty words and a window ≥ 0")


@cache
def script_cues() -> dict[str, Cue]:
    """Reason → script cue, in the order of ``resources/patterns.yaml``."""
    return {raw["reason"]: cue_from_yaml(name, raw) for name, raw in _resource()["cues"].items()}


_CUE_KEYS = frozenset({"reason", "all_of", "within", "negatable", "ignore"})
_NEGATION_KEYS = frozenset({"words", "window", "breaks"})


def _reject_unknown_keys(where: str, raw: dict, allowed: frozenset[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValueError(f"{where} in patterns.yaml has unknown keys {unknown}; allowed: {sorted(allowed)}")


def cue_from_yaml(name: str, raw: dict) -> Cue:
    """The :class:`Cue` of one ``cues:`` entry of ``resources/patterns.yaml``.

    Raises:
        ValueError: on a key the entry cannot have — a misspelt ``within`` or ``negatable`` would
            otherwise be ignored and the cue fire where its author meant it not to.
    """
    _reject_unknown_keys(f"cue {name!r}", raw, _CUE_KEYS)
    return Cue(
        word_lists=tuple(tuple(str(word) for word in words) for words in raw["all_of"]),
        within=raw.get("within"),
        negatable=raw.get("negatable", True),
        # Compiled here, once: a malformed pattern fails at load, not on the first message scored.
        ignore=tuple(re.compile(str(pattern)) for pattern in raw.get("ignore", ())),
    )


@cache
def negation() -> Negation:
    """The negation rule of ``resources/patterns.yaml``."""
    raw = _resource()["negation"]
    _reject_unknown_keys("negation", raw, _NEGATION_KEYS)
    return Negation(words=tuple(raw["words"]), window=int(raw["window"]), breaks=str(raw["breaks"]))


def negated_spans(text: str) -> list[tuple[int, int]]:
    """[start, end] ranges of ``text`` where a hit starting there is negated (see :class:`Negation`)."""
    rule = negation()
    spans = []
    for word in rule.words:
        for at in _occurrences(text, word):
            start = end = at + len(word)
            while end < min(start + rule.window, len(text)) and text[end] not in rule.breaks:
                end += 1
            spans.append((start, end))
    return spans


def _kept(starts: list[int], spans: list[tuple[int, int]]) -> list[int]:
    return [at for at in starts if not any(lo <= at <= hi for lo, hi in spans)]


def _first_firing(starts_per_list: list[list[int]], within: int | None) -> list[int] | None:
    """The first place a cue fires, as one start per word list, or None where it does not fire.

    ``starts_per_list``: each list's counted hit starts, ascending. Every list needs a start and,
    with ``within``, one start of each list must lie in one window of ``within`` characters: the
    windows are tried from the earliest start on, and in the first that holds one of each list,
    each list's earliest start in it is taken. Without ``within``, each list's earliest start."""
    if not all(starts_per_list):
        return None
    if within is None:
        return [starts[0] for starts in starts_per_list]
    for first in sorted({at for starts in starts_per_list for at in starts}):
        firing = []
        for starts in starts_per_list:
            at = next((at for at in starts if first <= at <= first + within), None)
            if at is None:
                break
            firing.append(at)
        else:
            return firing
    return None


def _counted_starts(seen: str, cue: Cue) -> list[list[int]]:
    """Per word list of ``cue``, ascending, the starts of its words' hits in ``seen`` (the text as
    the cue reads it, :meth:`Cue.seen`) that no negation governs: the hits the cue counts."""
    spans = negated_spans(seen) if cue.negatable else []
    starts_per_list = []
    for words in cue.word_lists:
        starts = sorted({at for word in words for at in _occurrences(seen, word)})
        starts_per_list.append(_kept(starts, spans))
    return starts_per_list


def cue_fires(text: str, cue: Cue) -> bool:
    """Whether ``cue`` fires on normalised ``text``, word by word: the reference for :func:`cue_row`."""
    return _first_firing(_counted_starts(cue.seen(text), cue), cue.within) is not None


def cue_words(text: str, cue: Cue) -> tuple[str, ...]:
    """The words of normalised ``text`` that fired ``cue``, in text order; () where it does not fire.

    One word per word list: its hit at the first place the cue fires (:func:`_first_firing`), so a
    word the cue does not count (blanked by ``ignore``, negated, outside every ``within`` window)
    is never one. Where several of a list's words start at that hit, the longest ("资金清查", not a
    shorter word it begins with); a word given already, or inside another one given (two lists
    hit by one "屏幕共享"), is not given again. What a reason quotes (``features.sms.reasons``)."""
    seen = cue.seen(text)
    firing = _first_firing(_counted_starts(seen, cue), cue.within)
    if firing is None:
        return ()
    return _outermost([(at, max((word for word in words if seen.startswith(word, at)), key=len))
                       for at, words in zip(firing, cue.word_lists, strict=True)])


def lexicon_words(text: str, reason: str) -> tuple[str, ...]:
    """The words of the lexicon group whose reason is ``reason`` ("含紧迫催促用语") that normalised
    ``text`` contains — what its count feature counted — in text order, each once, none that lies
    inside another one given ("私聊" is not given again inside "私聊我"); () for any other reason.
    What a lexicon group's reason quotes (``features.sms.reasons``): "引导添加微信/QQ私下联系" says
    which of its words the message has, "共享屏幕" or "微信"."""
    words = _lexicon_words_by_reason().get(reason, ())
    return _outermost([(at, word) for word in words for at in _occurrences(text, word)])


@cache
def lexicon_reasons() -> frozenset[str]:
    """The lexicon groups' reasons, which are their feature names ("含紧迫催促用语")."""
    return frozenset(_lexicon_words_by_reason())


@cache
def _lexicon_words_by_reason() -> dict[str, tuple[str, ...]]:
    return dict(_lexicon_groups().values())


def _outermost(hits: list[tuple[int, str]]) -> tuple[str, ...]:
    """The words of ``hits`` (start, word) in text order, longest first where two start together,
    each once, none inside a word given before it."""
    found: list[str] = []
    end = -1
    for at, word in sorted(hits, key=lambda hit: (hit[0], -len(hit[1]))):
        if at + len(word) <= end or word in found:
            continue
        found.append(word)
        end = max(end, at + len(word))
    return tuple(found)


def _occurrences(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


@cache
def _cue_searches() -> tuple[tuple[tuple[re.Pattern[str], re.Pattern[str]], ...], ...]:
    """Per script cue and word list, two compiled alternations: one whose ``search`` finds a word
    of the list (an empty list never matches, as ``any([])``), and a look-ahead one whose
    ``finditer`` yields every position where some word of the list starts."""
    def alternation(words: tuple[str, ...]) -> str:
        return "|".join(map(re.escape, words)) if words else "(?!)"

    return tuple(
        tuple((re.compile(alternation(words)), re.compile(f"(?={alternation(words)})")) for words in cue.word_lists)
        for cue in script_cues().values()
    )


def cue_row(text: str) -> list[float]:
    """0/1 per script cue of :func:`script_cues` (in its order) for one normalised text: what
    :func:`cue_fires` says for each cue, with each word list searched as one regex (about half
    the time of a Python loop over its words, on every scored message). Hit positions, and the
    text's negated spans, are looked at only for a cue whose every list has a hit."""
    spans: list[tuple[int, int]] | None = None
    row = []
    for cue, searches in zip(script_cues().values(), _cue_searches(), strict=True):
        seen = cue.seen(text) if cue.ignore else text
        if not _every_list_hits(seen, searches):
            row.append(0.0)
            continue
        if cue.ignore:
            cue_spans = negated_spans(seen) if cue.negatable else []
        else:
            if cue.negatable and spans is None:
                spans = negated_spans(text)
            cue_spans = spans if cue.negatable else []
        if cue.within is None and not cue_spans:
            row.append(1.0)
            continue
        starts_per_list = [_kept([match.start() for match in starts.finditer(seen)], cue_spans) for _, starts in searches]
        row.append(float(_first_firing(starts_per_list, cue.within) is not None))
    return row


def _every_list_hits(text: str, searches: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]) -> bool:
    """Whether each of a cue's word lists has a hit. A plain loop stopping at the first list
    without one, not ``all()`` over a generator: creating a generator per cue cost more than most
    cues' one search (41 → 17 µs per message, docs/benchmarks.md session 12)."""
    for search, _ in searches:
        if search.search(text) is None:
            return False
    return True


def cue_rows(texts) -> np.ndarray:
    """Rows × script cues, 0/1 (:func:`cue_row` of each text, float32): computed once per message
    on the serving path, read by both the pattern features and the linear text model."""
    return np.array([cue_row(text) for text in texts], dtype=np.float32).reshape(-1, len(script_cues()))


def quoted_cue_names() -> tuple[str, ...]:
    """The script cues a reminder can quote: every cue but the reminder cue, in cue order."""
    return tuple(name for name in script_cues() if name != ANTI_FRAUD_REMINDER)


@cache
def _cue_columns() -> tuple[int, tuple[int, ...]]:
    """The reminder cue's column in :func:`cue_rows` and the columns of the cues it can quote:
    looked up once, not per scored message (the linear input is built on the scoring path)."""
    names = list(script_cues())
    return names.index(ANTI_FRAUD_REMINDER), tuple(names.index(name) for name in quoted_cue_names())


def cue_matrix(texts, raw: np.ndarray | None = None) -> np.ndarray:
    """Rows × [script cues, each 0 where the reminder cue fires | each script cue where the
    reminder fires | how many scripts it quotes], float32: the cues as the linear text model
    reads them (``raw``: the texts' :func:`cue_rows`, when already computed).

    An official reminder names the scripts it warns about ("注销校园贷…这些客服都是骗子"), and a
    scam borrows a reminder's words to look official ("本平台正规合法，请勿轻信他人"). An additive
    model cannot learn that interaction from the raw cues: a reminder listing three scripts would
    add three scripts' weight against one reminder's. Models fitted before session 18 read only
    the first block (:func:`reminder_zeroed_cue_matrix`): a quoted script counted for nothing, so
    one borrowed warning word erased a scam's script evidence. The quoted columns give back what a
    script named beside a reminder weighs, learnt from data where official reminders (ham) and
    warning-borrowing scams (fraud) both occur: per script and, for scripts the data rarely shows
    quoted, through the shared count. Split this way (not raw cues plus quoted columns, which span
    the same inputs) the L2 penalty shrinks a quoted script towards counting for nothing, as
    before, rather than towards counting as much as the script itself: the reminders a demo
    model sees quoting a script are too few to learn the full discount (dev sets, session 18).
    """
    cues = cue_rows(texts) if raw is None else raw
    reminder, quotable = _cue_columns()
    quoted = cues[:, quotable] * (cues[:, reminder] > 0)[:, None]
    return np.hstack([reminder_zeroed_cue_matrix(texts, cues), quoted, quoted.sum(axis=1, keepdims=True)]).astype(np.float32)


def reminder_zeroed_cue_matrix(texts, raw: np.ndarray | None = None) -> np.ndarray:
    """Rows × script cues, 0/1, every script cue 0 where the reminder cue fires: the first block
    of :func:`cue_matrix`, and all that linear text models fitted before it had quoted columns
    read (they score with it as they did)."""
    cues = cue_rows(texts) if raw is None else raw.copy()
    reminder = _cue_columns()[0]
    quoted = cues[:, reminder] > 0
    cues[quoted] = 0.0
    cues[quoted, reminder] = 1.0
    return cues


class PatternFeatures(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Normalised texts → dense counts of entities, lexicon hits and text-shape measures."""

    def fit(self, texts, y=None) -> PatternFeatures:
        self.names_ = np.array(_feature_names(), dtype=object)
        return self

    def transform(self, texts, cues: np.ndarray | None = None) -> np.ndarray:
        """The fitted columns (``names_``), in their order: a model fitted before a feature was
        added gets exactly the columns it was trained on. ``cues``: the texts' :func:`cue_rows`,
        when the caller has them already."""
        require_fitted(self, "names_")
        current = [_FORMER_NAMES.get(name, name) for name in self.names_]
        cues = cue_rows(texts) if cues is None else cues
        rows = [self._row(text, cue_values.tolist()) for text, cue_values in zip(texts, cues, strict=True)]
        return np.array([[row[name] for name in current] for row in rows], dtype=np.float32).reshape(-1, len(current))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        require_fitted(self, "names_")
        return self.names_

    @staticmethod
    def _row(text: str, cues: list[float]) -> dict[str, float]:
        tokens = text.split()
        entities = [float(tokens.count(placeholder)) for placeholder in ENTITY_REASONS]
        lexicons = [float(sum(map(text.count, words))) for _, words in _lexicon_groups().values()]
        plain = text
        for placeholder in ENTITY_REASONS:
            plain = plain.replace(placeholder, "")
        length = max(len(plain), 1)
        shape = [
            float(len(plain)),
            sum(map(str.isdigit, plain)) / length,
            len(_LATIN_LETTER.findall(plain)) / length,
            float(plain.count("!")),
            float(bool(_SIGNATURE.search(text))),
        ]
        return dict(zip(_feature_names(), entities + lexicons + cues + shape, strict=True))


@cache
def _feature_names() -> tuple[str, ...]:
    """Every pattern feature, in column order: entities, lexicons, script cues, shape."""
    lexicons = (reason for reason, _ in _lexicon_groups().values())
    return (*ENTITY_REASONS.values(), *lexicons, *script_cues(), *SHAPE_FEATURES.values())
