"""Scammers' respelling of an SMS, seeded: what a filter meets once senders learn its keywords.

Issue #11 asks that yunmao lose nothing on obfuscated scam text. This module rewrites a message
the way scam and spam senders do (``configs/obfuscation.yaml`` holds the spellings and how much of
a message is rewritten), so that ``training/compare.py`` can score the same held-out rows clean and
respelt (:func:`unwanted_obfuscated`: only unwanted rows; ordinary senders do not obfuscate).

The evasions (``configs.obfuscation.EVASIONS``, applied in that order):

- ``variants``: a key word respelt: homophones (威信, 代款), look-alike characters (徽信), a
  character split into its parts (银彳亍), zhuyin (贷ㄎ), traditional forms (紅包), letters for a
  syllable (V信, hong包), symbols (+ for 加), English leetspeak (fr33, ca$h).
- ``pinyin_initials``: a key word as its pinyin initials (wx, jz, yzm).
- ``numerals``: a digit run of a Chinese message in Chinese digits, capitals or circled digits.
- ``lookalikes``: a character swapped for an identical-looking one of another script: Cyrillic or
  Greek for Latin letters, Latin letters for digits (3OO), katakana for Chinese (ロ for 口).
- ``full_width``: ASCII letters and digits in their full-width forms (ｗｘ１３８).
- ``separators``: a mark between two Chinese characters or two Latin letters (安*全-账|户).
- ``zero_width``: an invisible format character between two visible ones.

The list was written from scammers' practice, not from ``features/sms/normalise.py``: a benchmark
that only inverts what the normaliser undoes proves nothing. The normaliser is not expected to undo
``variants``, ``pinyin_initials``, the Chinese-digit styles of ``numerals`` or ``lookalikes`` (none
is a Unicode compatibility form, and no fixed table can hold every respelling); it may undo
``full_width``, circled digits, ``zero_width`` and ``separators``. benchmarks/obfuscation.py
measures, per evasion, how often the normalised obfuscated text equals the normalised clean one.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from configs.obfuscation import Evasion, ObfuscationConfig

# Full-width forms (U+FF01-FF5E) are the printable ASCII characters shifted by this offset.
FULL_WIDTH_OFFSET = 0xFEE0
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
DIGIT_RUN = re.compile(r"[0-9]+")

Span = tuple[int, int]
Respell = Callable[[str, np.random.Generator], str]


class Obfuscator:
    """``obfuscator(text)``: ``text`` with every configured evasion applied, each to
    ceil(``strength`` × its spots) of the spots it finds. Deterministic in (``seed``, text): a
    message is respelt the same way whatever rows it comes with."""

    def __init__(self, cfg: ObfuscationConfig) -> None:
        self.cfg = cfg
        variants = _WordTable(cfg.variants)
        initials = _WordTable({word: (letters,) for word, letters in cfg.pinyin_initials.items()})
        self._evasions: dict[Evasion, Respell] = {
            "variants": variants.respell(cfg.strength),
            "pinyin_initials": initials.respell(cfg.strength),
            "numerals": self._numerals,
            "lookalikes": self._lookalikes,
            "full_width": self._full_width,
            "separators": self._separators,
            "zero_width": self._zero_width,
        }

    def __call__(self, text: str) -> str:
        rng = np.random.default_rng([self.cfg.seed, zlib.crc32(text.encode("utf-8"))])
        for evasion in self.cfg.evasions:
            text = self._evasions[evasion](text, rng)
        return text

    def _numerals(self, text: str, rng: np.random.Generator) -> str:
        """Digit runs in Chinese digits, one style a run: only where the message is Chinese, as its reader expects."""
        if not HAN.search(text):
            return text
        def in_a_style(run: str) -> str:
            style = _pick(self.cfg.numerals, rng)
            return "".join(style[int(digit)] for digit in run)

        spans = [match.span() for match in DIGIT_RUN.finditer(text)]
        return _rewrite(text, spans, self.cfg.strength, rng, in_a_style)

    def _lookalikes(self, text: str, rng: np.random.Generator) -> str:
        table = self.cfg.lookalikes
        spans = [(i, i + 1) for i, ch in enumerate(text) if ch in table]
        return _rewrite(text, spans, self.cfg.strength, rng, lambda ch: _pick(table[ch], rng))

    def _full_width(self, text: str, rng: np.random.Generator) -> str:
        spans = [(i, i + 1) for i, ch in enumerate(text) if ch.isascii() and ch.isalnum()]
        return _rewrite(text, spans, self.cfg.strength, rng, lambda ch: chr(ord(ch) + FULL_WIDTH_OFFSET))

    def _separators(self, text: str, rng: np.random.Generator) -> str:
        """A mark inside a run of Chinese characters or of Latin letters: where a keyword filter reads."""
        gaps = [i for i in range(1, len(text)) if any(s.match(text[i - 1]) and s.match(text[i]) for s in (HAN, LATIN))]
        return _insert(text, gaps, self.cfg.strength, rng, self.cfg.separators)

    def _zero_width(self, text: str, rng: np.random.Generator) -> str:
        gaps = [i for i in range(1, len(text)) if not (text[i - 1].isspace() or text[i].isspace())]
        return _insert(text, gaps, self.cfg.strength, rng, self.cfg.zero_width)


class _WordTable:
    """Key words and their respellings; English words match whole and in any case (FREE, Free)."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self._spellings = {word.casefold(): tuple(spellings) for word, spellings in table.items()}
        # Longest first, so 安全账户 is found before 账户 would be.
        words = sorted(table, key=len, reverse=True)
        self._pattern = re.compile("|".join(_whole(word) for word in words), re.IGNORECASE)

    def respell(self, strength: float) -> Respell:
        def respell(text: str, rng: np.random.Generator) -> str:
            spans = [match.span() for match in self._pattern.finditer(text)]
            return _rewrite(text, spans, strength, rng, lambda word: _pick(self._spellings[word.casefold()], rng))

        return respell


def unwanted_obfuscated(cfg: ObfuscationConfig) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A rewrite of held-out rows for ``training.compare.compare_with_baseline(variants=...)``: the
    unwanted rows' (label 1) text obfuscated, every other column and every ham row unchanged.
    Ham stays clean because ordinary senders do not obfuscate, and so a threshold set on the
    clean ham holds on both views."""
    obfuscate = Obfuscator(cfg)

    def rewrite(rows: pd.DataFrame) -> pd.DataFrame:
        unwanted = rows["label"].astype(int) == 1
        out = rows.copy()
        out.loc[unwanted, "text"] = rows.loc[unwanted, "text"].map(obfuscate)
        return out

    return rewrite


def _whole(word: str) -> str:
    """``word`` as a pattern; a Latin word only where no Latin letter touches it (call, not recall)."""
    escaped = re.escape(word)
    return rf"(?<![A-Za-z]){escaped}(?![A-Za-z])" if LATIN.match(word[0]) else escaped


def _chosen(count: int, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of ceil(``strength`` × ``count``) of ``count`` spots, drawn without replacement."""
    return np.sort(rng.choice(count, size=math.ceil(strength * count), replace=False))


def _rewrite(text: str, spans: list[Span], strength: float, rng: np.random.Generator, respell: Callable[[str], str]) -> str:
    """``text`` with the chosen non-overlapping ``spans`` replaced by ``respell(their text)``."""
    pieces, end = [], 0
    for index in _chosen(len(spans), strength, rng):
        start, stop = spans[index]
        pieces += [text[end:start], respell(text[start:stop])]
        end = stop
    return "".join(pieces) + text[end:]


def _insert(text: str, gaps: list[int], strength: float, rng: np.random.Generator, marks: Sequence[str]) -> str:
    """``text`` with one of ``marks`` inserted at each chosen gap (the position before a character)."""
    return _rewrite(text, [(gap, gap) for gap in gaps], strength, rng, lambda _: _pick(marks, rng))


def _pick(options: Sequence[str], rng: np.random.Generator) -> str:
    return options[int(rng.integers(len(options)))]
