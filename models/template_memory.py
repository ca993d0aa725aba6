"""Known-template memory: "this campaign again, already labelled", applied after the model.

Spam and fraud arrive as campaigns: one template re-sent with another number, amount or name
(issue #11). Training keeps one row per normalised text for the boosters, so they never learn what
a copy of a labelled message is worth (branch tmem: the same counts as booster features were never
split on). This memory instead updates the model's calibrated score ``p`` of a message whose
template (:func:`features.sms.templates.normalised_template`: digit runs and salutation names
masked) training saw ``n`` times, ``u`` of them labelled unwanted, copies included:

    p' = (u + s·p) / (n + s)

the posterior mean of a Beta prior worth ``s`` (``prior_weight``) pseudo-messages centred on the
model's belief, after ``n`` labelled messages. One labelled copy moves a score less than forty;
an unknown template keeps ``p`` exactly, so the model's calibration and thresholds (set out of fold
on deduplicated rows, which never meet a copy of themselves) still hold for everything new.

The memory holds 64-bit keys (blake2b of the template), never texts, in sorted arrays looked up
with ``np.searchsorted``: one hash and one binary search per message, 24 bytes per template.
Keys and sorted arrays after branch tmem's ``features/sms/template_memory.py`` (commit e92d683).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from features.sms.templates import normalised_template

KEY_BYTES = 8


def template_keys(norms: Sequence[str]) -> np.ndarray:
    """The key of each normalised message's template, as uint64."""
    return keys_of_templates([normalised_template(norm) for norm in norms])


def keys_of_templates(templates: Sequence[str]) -> np.ndarray:
    """The 64-bit key (blake2b, stable across processes) of each text already reduced to its
    template (``NormalisedSms.templates``), as uint64."""
    return np.fromiter((_key(template) for template in templates), dtype=np.uint64, count=len(templates))


def _key(template: str) -> int:
    digest = hashlib.blake2b(template.encode("utf-8"), digest_size=KEY_BYTES).digest()
    return int.from_bytes(digest, "little")


@dataclass(frozen=True)
class TemplateCounts:
    """Per scored message: labelled training messages of its template, and the unwanted ones
    among them (both 0 where the template is unknown)."""

    messages: np.ndarray
    unwanted: np.ndarray

    @property
    def known(self) -> np.ndarray:
        """Whether training labelled any message of the row's template."""
        return self.messages > 0


@dataclass(frozen=True)
class TemplateMemory:
    """Sorted template keys beside their labelled message counts, and the model's weight.

    ``reason`` is the sentence (``{value}``: the unwanted count) a flagged message gets when the
    memory raised its score.
    """

    keys: np.ndarray
    messages: np.ndarray
    unwanted: np.ndarray
    prior_weight: float
    reason: str

    @classmethod
    def fit(cls, norms: Sequence[str], labels: np.ndarray, prior_weight: float, reason: str) -> TemplateMemory:
        """Count every labelled message (``norms`` normalised, copies included) per template."""
        keys, inverse = np.unique(template_keys(norms), return_inverse=True)
        labels = np.asarray(labels, dtype=np.float64)
        messages = np.bincount(inverse, minlength=len(keys)).astype(np.uint32)
        unwanted = np.bincount(inverse, weights=labels, minlength=len(keys)).astype(np.uint32)
        return cls(keys, messages, unwanted, float(prior_weight), reason)

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, norms: Sequence[str]) -> TemplateCounts:
        """The counts of each normalised message's template."""
        return self._counts(template_keys(norms))

    def lookup_templates(self, templates: Sequence[str]) -> TemplateCounts:
        """:meth:`lookup` of messages already reduced to their templates (the service's batches
        carry them, made once for the memory and template reputation alike)."""
        return self._counts(keys_of_templates(templates))

    def _counts(self, keys: np.ndarray) -> TemplateCounts:
        """The counts of each template key."""
        if not len(self.keys):
            return TemplateCounts(np.zeros(len(keys), dtype=np.uint32), np.zeros(len(keys), dtype=np.uint32))
        position = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[position] == keys
        return TemplateCounts(np.where(found, self.messages[position], 0), np.where(found, self.unwanted[position], 0))

    def update(self, scores: np.ndarray, counts: TemplateCounts) -> np.ndarray:
        """``(u + s·p) / (n + s)`` where the template is known; the score itself where not."""
        scores = np.asarray(scores, dtype=np.float64)
        updated = (counts.unwanted + self.prior_weight * scores) / (counts.messages + self.prior_weight)
        return np.where(counts.known, updated, scores)
