"""Schema of ``configs/obfuscation.yaml``: which evasions scammers' respelling applies, how much of
a message it rewrites, and the spellings it draws from (used by ``training/obfuscate.py``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from configs import StrictModel, default_config_path, load_config

Evasion = Literal["variants", "pinyin_initials", "numerals", "lookalikes", "full_width", "separators", "zero_width"]
# The order the evasions are applied in: whole words first (they must still find the clean
# spelling), digit runs before anything turns digits into other characters, one character for
# another next, insertions last (an inserted separator would hide a word from the tables).
EVASIONS: tuple[Evasion, ...] = ("variants", "pinyin_initials", "numerals", "lookalikes", "full_width", "separators", "zero_width")
DIGITS = 10
# Per table of spellings: what each entry must be, and the rule a refused entry breaks.
_ENTRY_RULES: dict[str, tuple[Callable[[str, Any], bool], str]] = {
    "variants": (lambda word, spellings: bool(word and spellings) and word not in spellings and all(spellings),
                 "needs at least one non-empty spelling other than the word itself"),
    "pinyin_initials": (lambda word, letters: bool(word) and letters.isascii() and letters.isalpha() and letters.islower(),
                        "initials must be lower-case ASCII letters"),
    "lookalikes": (lambda original, alternatives: len(original) == 1 and bool(alternatives) and original not in alternatives,
                   "one character, to one or more other characters"),
}


class ObfuscationConfig(StrictModel):
    """Root of ``configs/obfuscation.yaml``."""

    strength: float = Field(0.2, gt=0, le=1)
    seed: int = Field(0, ge=0)
    evasions: tuple[Evasion, ...] = Field(EVASIONS, min_length=1)
    separators: tuple[str, ...] = Field(..., min_length=1)
    zero_width: tuple[str, ...] = Field(..., min_length=1)
    variants: dict[str, tuple[str, ...]] = Field(..., min_length=1)
    pinyin_initials: dict[str, str] = Field(..., min_length=1)
    numerals: tuple[str, ...] = Field(..., min_length=1)
    lookalikes: dict[str, str] = Field(..., min_length=1)

    def only(self, evasion: Evasion) -> ObfuscationConfig:
        """This configuration with ``evasion`` alone: how much that one evasion costs a model."""
        return self.model_copy(update={"evasions": (evasion,)})

    @field_validator("evasions")
    @classmethod
    def _evasions(cls, evasions: tuple[Evasion, ...]) -> tuple[Evasion, ...]:
        if len(set(evasions)) != len(evasions):
            raise ValueError("evasions must be distinct")
        return tuple(sorted(evasions, key=EVASIONS.index))

    @field_validator("separators")
    @classmethod
    def _separators(cls, separators: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(mark) != 1 or mark.isalnum() for mark in separators):
            raise ValueError("each separator must be one character that is not a letter or digit")
        return separators

    @field_validator("zero_width")
    @classmethod
    def _invisible(cls, marks: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(mark) != 1 or unicodedata.category(mark) != "Cf" for mark in marks):
            raise ValueError("each zero_width mark must be one invisible format character (Unicode category Cf)")
        return marks

    @field_validator("variants", "pinyin_initials", "lookalikes")
    @classmethod
    def _tables(cls, table: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        valid, rule = _ENTRY_RULES[info.field_name]
        for key, value in table.items():
            if not valid(key, value):
                raise ValueError(f"{info.field_name}.{key}: {rule}, got {value!r}")
        return table

    @field_validator("numerals")
    @classmethod
    def _numerals(cls, styles: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(style) != DIGITS or any("0" <= ch <= "9" for ch in style) for style in styles):
            raise ValueError(f"each numerals style must be {DIGITS} characters (for 0-9), none of them an ASCII digit")
        return styles


def load_obfuscation_config(path: str | Path | None = None) -> ObfuscationConfig:
    """Load and validate the obfuscation config (the shipped default when ``path`` is None)."""
    return load_config(path or default_config_path("obfuscation"), ObfuscationConfig)
