"""Template memory: "this campaign again, already labelled" as features of a message.

Spam and fraud arrive as campaigns: the same template re-sent with another number, amount or
name (issue #11). The boosters' small trees cannot memorise one message, and training keeps one
copy per normalised text, so a known campaign's next variant was scored from its words alone.
This step remembers, per template (:func:`features.sms.templates.normalised_template`: digit runs
and salutation names masked), how many training messages had it and how many of those were
labelled unwanted, and gives a message those counts.

The memory holds 64-bit keys (blake2b of the template), never texts, in sorted arrays looked up
with ``np.searchsorted``: one hash and one binary search per message on the hot path, and a
model artifact that grows by 24 bytes per distinct template.

Training rows are given the memory *out of fold* (:func:`features.sms.text.duplicate_folds`,
the linear text score's folds): a row's columns count only rows of other folds, and copies of
one normalised text share a fold, so a row's own label never reaches its own features. Scoring
uses the memory of every training row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from features.sms.templates import normalised_template
from features.sms.text import duplicate_folds

TEMPLATE_SEEN = "template_seen"
TEMPLATE_UNWANTED = "template_unwanted"
TEMPLATE_UNWANTED_SHARE = "template_unwanted_share"
KEY_BYTES = 8


def template_key(norm: str) -> int:
    """The 64-bit key of a normalised message's template (blake2b, stable across processes)."""
    digest = hashlib.blake2b(normalised_template(norm).encode("utf-8"), digest_size=KEY_BYTES).digest()
    return int.from_bytes(digest, "little")


def template_keys(norms: Sequence[str]) -> np.ndarray:
    """:func:`template_key` of each message, as uint64."""
    return np.fromiter((template_key(norm) for norm in norms), dtype=np.uint64, count=len(norms))


class _Counts:
    """Messages and unwanted messages per key: sorted unique keys beside their counts."""

    def __init__(self, keys: np.ndarray, labels: np.ndarray) -> None:
        self.keys, inverse = np.unique(keys, return_inverse=True)
        self.seen = np.bincount(inverse, minlength=len(self.keys)).astype(np.float64)
        self.unwanted = np.bincount(inverse, weights=labels, minlength=len(self.keys))
        self.prior = float(labels.mean()) if len(labels) else 0.0

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(messages, unwanted messages) with each key; zeros where the key was never seen."""
        if not len(self.keys):
            return np.zeros(len(keys)), np.zeros(len(keys))
        position = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[position] == keys
        return np.where(found, self.seen[position], 0.0), np.where(found, self.unwanted[position], 0.0)


class TemplateMemory(TransformerMixin, BaseEstimator):
    """Normalised texts → [template_seen | template_unwanted | template_unwanted_share].

    - ``template_seen``: log1p of the training messages with this template (0: unseen).
    - ``template_unwanted``: how many of them were labelled unwanted; missing (NaN) when none
      was, so that the reason it can give ("与训练数据中 12 条已标注的垃圾/诈骗短信同一模板")
      is never said of a template nobody labelled unwanted.
    - ``template_unwanted_share``: their unwanted share, smoothed towards the training prior
      by ``smoothing`` pseudo-messages, ``(unwanted + smoothing · prior) / (seen + smoothing)``
      (one copy of a spam is weaker evidence than forty); missing (NaN) when unseen rather than
      the prior, because "never seen" is its own state, not "seen and average", and LightGBM
      learns a direction for missing values of its own.
    """

    def __init__(self, smoothing: float = 2.0, folds: int = 5, random_state: int = 0) -> None:
        self.smoothing = smoothing
        self.folds = folds
        self.random_state = random_state

    def fit(self, norms: Sequence[str], y=None) -> TemplateMemory:
        self.fit_transform(norms, y)
        return self

    def fit_transform(self, norms: Sequence[str], y=None, **fit_params) -> np.ndarray:
        """Remember every row's template and label; return each row's columns out of fold."""
        if y is None:
            raise ValueError("TemplateMemory needs labels: it counts unwanted messages per template")
        labels = np.asarray(y, dtype=np.float64)
        keys = template_keys(norms)
        self.memory_ = _Counts(keys, labels)
        columns = np.empty((len(keys), 3), dtype=np.float32)
        duplicates = np.asarray(norms, dtype=object)
        for fitted, scored in duplicate_folds(labels.astype(int), duplicates, self.folds, self.random_state):
            columns[scored] = self._columns(_Counts(keys[fitted], labels[fitted]), keys[scored])
        return columns

    def transform(self, norms: Sequence[str]) -> np.ndarray:
        """Each message's columns from the memory of every training row."""
        check_is_fitted(self, "memory_")
        return self._columns(self.memory_, template_keys(norms))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array([TEMPLATE_SEEN, TEMPLATE_UNWANTED, TEMPLATE_UNWANTED_SHARE], dtype=object)

    def _columns(self, counts: _Counts, keys: np.ndarray) -> np.ndarray:
        seen, unwanted = counts.lookup(keys)
        share = (unwanted + self.smoothing * counts.prior) / (seen + self.smoothing)
        return np.column_stack([
            np.log1p(seen),
            np.where(unwanted > 0, unwanted, np.nan),
            np.where(seen > 0, share, np.nan),
        ]).astype(np.float32)
