"""Message templates: what stays the same when a campaign re-sends one message thousands of times.

Scam campaigns change the callback number, the link, the amount and the victim's name in every
copy. :func:`template_text` masks those (on top of :func:`features.sms.normalise.normalise_text`,
which already undoes obfuscation and masks links, phone/card/ID numbers and amounts): every
remaining digit run and the name next to a salutation. Two messages share a template when the
Jaccard similarity of their character shingles is high; :class:`TemplateSigner` estimates it with
MinHash (``datasketch``) so that campaign grouping and the service's template-reputation lookup
find matches with LSH instead of comparing every pair. Both use this one module, so a template
confirmed offline is the template matched online.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from configs.campaigns import TemplateConfig
from features.sms.normalise import normalise_text

NAME = "NAME"
DIGITS = "#"
_CJK = r"\u4e00-\u9fff"
_DIGIT_RUN = re.compile(r"\d+")
# "王先生", "李建国女士", "尊敬的张伟：" — the addressee (and the title that goes with them) changes with every copy.
_NAME_WITH_TITLE = re.compile(rf"[{_CJK}]{{1,3}}(?:先生|女士|小姐)")
_NAME_AFTER_SALUTATION = re.compile(rf"(?<=尊敬的|亲爱的)[{_CJK}]{{2,3}}(?=[,，:：!！])")


def template_text(text: str) -> str:
    """The message with everything a campaign varies masked: the form templates are compared on."""
    return normalised_template(normalise_text(text))


def normalised_template(norm: str) -> str:
    """:func:`template_text` of a text already normalised (``normalise_text``): the service's
    template lookup reads the text its features already normalised instead of redoing it."""
    masked = _NAME_AFTER_SALUTATION.sub(NAME, norm)
    masked = _NAME_WITH_TITLE.sub(NAME, masked)
    return _DIGIT_RUN.sub(DIGITS, masked)


class TemplateTexts:
    """The template text (:func:`normalised_template`) of each message of one batch, each made on
    first read and kept: the known-template memory and template reputation both read it, and the
    subsets a decision cache scores (:meth:`take`) share it, so no message's template is made twice.

    Filling is idempotent (a template depends on its text alone), so threads may read at once.
    """

    def __init__(self, norms: Sequence[str], rows: Sequence[int] | None = None,
                 texts: list[str | None] | None = None) -> None:
        self._norms = norms
        self._rows = range(len(norms)) if rows is None else rows
        self._texts: list[str | None] = [None] * len(norms) if texts is None else texts

    def read(self) -> list[str]:
        """The template of each message of this view, in order."""
        norms, texts = self._norms, self._texts
        read = []
        for row in self._rows:
            template = texts[row]
            if template is None:
                template = texts[row] = normalised_template(norms[row])
            read.append(template)
        return read

    def take(self, rows: Sequence[int]) -> TemplateTexts:
        """The view of these messages (positions in this view), sharing what is already made."""
        return TemplateTexts(self._norms, [self._rows[i] for i in rows], self._texts)


def shingles(template: str, size: int) -> set[bytes]:
    """Overlapping ``size``-character pieces (the whole text when shorter), UTF-8 encoded."""
    if len(template) <= size:
        return {template.encode("utf-8")}
    return {template[start : start + size].encode("utf-8") for start in range(len(template) - size + 1)}


class TemplateSigner:
    """MinHash signatures of message templates, and LSH indexes that find matching ones.

    The permutations depend only on ``config.num_perm`` and ``config.seed``, so signatures made
    in a training job, stored, and compared in the service agree.
    """

    def __init__(self, config: TemplateConfig) -> None:
        self.config = config
        self._prototype = MinHash(num_perm=config.num_perm, seed=config.seed)
        # One working MinHash per thread, cleared between messages: ``MinHash.copy`` re-parses
        # the permutations on every call, about a fifth of signing one SMS (py-spy).
        self._working = threading.local()

    def signature(self, text: str) -> LeanMinHash | None:
        """The message's template signature; ``None`` when the template is too short to mean anything."""
        return self.template_signature(template_text(text))

    def template_signature(self, template: str) -> LeanMinHash | None:
        """:meth:`signature` of a text already reduced by :func:`template_text` (callers that
        also inspect the template reduce it once)."""
        if len(template.replace(" ", "")) < self.config.min_template_chars:
            return None
        minhash = getattr(self._working, "minhash", None)
        if minhash is None:
            minhash = self._working.minhash = self._prototype.copy()
        else:
            minhash.clear()
        minhash.update_batch(list(shingles(template, self.config.shingle_chars)))
        return LeanMinHash(minhash)

    def from_hashvalues(self, hashvalues: np.ndarray) -> LeanMinHash:
        """A stored signature's hash values back as a signature of this signer."""
        return LeanMinHash(seed=self.config.seed, hashvalues=hashvalues, scheme=self._prototype.scheme)

    def index(self) -> MinHashLSH:
        """An empty LSH index tuned to ``config.match_threshold`` for these signatures."""
        return MinHashLSH(threshold=self.config.match_threshold, num_perm=self.config.num_perm)

    @staticmethod
    def similarity(first: LeanMinHash, second: LeanMinHash) -> float:
        """Estimated Jaccard similarity of two signatures' shingle sets."""
        return float(np.mean(first.hashvalues == second.hashvalues))
