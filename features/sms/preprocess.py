"""First step of every SMS featuriser: raw records → normalised text, tokens and metadata.

One code path for both ways records arrive: a DataFrame (training, batch scoring) or a list of
dicts (the service, one request's messages). :func:`normalise_records` reads either into plain
lists, so a message gets the same features whichever way it came; the service never builds a
DataFrame (building one costs more than normalising a 70-character SMS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from features.sms.normalise import normalise_text
from features.sms.templates import TemplateTexts
from features.sms.tokenise import get_tokenizer, tokenise

METADATA_COLUMNS = ("sender", "sent_at")
Records = pd.DataFrame | Sequence[Mapping[str, object]]


@dataclass(frozen=True)
class NormalisedSms:
    """Messages column-wise, text already normalised: what the features, the decision cache,
    the known-template memory and template reputation all read, so each message is normalised
    exactly once, and reduced to its template (:attr:`templates`) at most once."""

    norm: list[str]
    sender: list[object]
    sent_at: list[object]
    # Made on first read; a batch's take() shares its parent's (the memory reads the cache misses,
    # reputation then every message).
    template_texts: TemplateTexts | None = field(default=None, kw_only=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.template_texts is None:
            object.__setattr__(self, "template_texts", TemplateTexts(self.norm))

    def __len__(self) -> int:
        return len(self.norm)

    @property
    def templates(self) -> list[str]:
        """Each message's template text (``features.sms.templates.normalised_template``)."""
        return self.template_texts.read()

    def take(self, rows: Sequence[int]) -> NormalisedSms:
        """These messages only, in the order of ``rows``."""
        return NormalisedSms([self.norm[i] for i in rows], [self.sender[i] for i in rows], [self.sent_at[i] for i in rows],
                             template_texts=self.template_texts.take(rows))


@dataclass(frozen=True)
class PreparedSms(NormalisedSms):
    """:class:`NormalisedSms` plus jieba tokens; columns by name (``prepared["norm"]``) as the
    feature steps read a frame, ``len`` in messages."""

    tokens: list[str]

    def __getitem__(self, column: str) -> list:
        return getattr(self, column)

    def __contains__(self, column: object) -> bool:
        return column in ("norm", "tokens", *METADATA_COLUMNS)


def normalise_records(records: Records | NormalisedSms) -> NormalisedSms:
    """``records`` (frame or dicts with ``text`` and optional metadata) normalised; an already
    normalised batch is returned as it is.

    Raises:
        ValueError: a record has no ``text``.
    """
    if isinstance(records, NormalisedSms):
        return records
    if isinstance(records, pd.DataFrame):
        if "text" not in records:
            raise ValueError("records need a 'text' column")
        texts = records["text"].tolist()
        metadata = [records[c].tolist() if c in records else [None] * len(texts) for c in METADATA_COLUMNS]
    else:
        if any("text" not in record for record in records):
            raise ValueError("records need a 'text' column")
        texts = [record["text"] for record in records]
        metadata = [[record.get(c) for record in records] for c in METADATA_COLUMNS]
    return NormalisedSms([normalise_text(str(text)) for text in texts], *metadata)


def prepare_records(records: Records | NormalisedSms) -> PreparedSms:
    """Normalised (unless already) and tokenised: the input of every SMS feature step."""
    normalised = normalise_records(records)
    tokens = [" ".join(tokenise(text)) for text in normalised.norm]
    return PreparedSms(normalised.norm, normalised.sender, normalised.sent_at, tokens)


class RecordPreprocessor(TransformerMixin, BaseEstimator):
    """Records (``text`` plus optional metadata) → frame of ``norm``, ``tokens``, metadata.

    Normalising and tokenising once here means the char n-gram, word and pattern features all
    see the same text, in training and in serving alike. :meth:`transform` is the batch view
    (a frame on the records' index) of :func:`prepare_records`, which serving uses directly.
    """

    def fit(self, records: pd.DataFrame, y=None) -> RecordPreprocessor:
        get_tokenizer()  # load jieba's dictionary now, not on the first scored message
        return self

    def transform(self, records: pd.DataFrame) -> pd.DataFrame:
        prepared = prepare_records(records)
        columns = {name: prepared[name] for name in self.get_feature_names_out()}
        return pd.DataFrame(columns, index=records.index)

    def get_feature_names_out(self, input_features=None):
        return ["norm", "tokens", *METADATA_COLUMNS]
