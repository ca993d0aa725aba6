"""ScamModel: everything needed to go from raw records to a decision, in one picklable object.

Featuriser, booster, calibration, thresholds and the fraud-type head travel together, so what
is scored online is exactly what was trained and the thresholds can never belong to a
different model version than the scores they cut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import lightgbm as lgb
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import TransformerMixin

from configs.call import ProfileConfig
from features.reasons import top_reasons
from features.sms.preprocess import normalise_records
from features.sms.reasons import quote_cue_reasons
from models.csr import ColumnReader, as_csr
from models.ensemble import BoosterBag, predict
from models.merge import mean_member_proba
from models.probe_outputs import ProbeOutputs
from models.template_memory import TemplateMemory

if TYPE_CHECKING:
    from features.graph.knowledge import GraphKnowledge

BLOCK, WARN, ALLOW = "block", "warn", "allow"
ACTIONS = (BLOCK, WARN, ALLOW)  # strongest first
REFERENCE_SCORE = "score"  # the key of ScamModel.reference holding the model's scores
_COLUMN_INPUTS = frozenset({"reference", "feature_names", "lead_reasons", "lead_minimums"})  # what ScamModel's derived columns read


def stronger(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per row, the stronger of two actions (block > warn > allow)."""
    def rank(actions: np.ndarray) -> np.ndarray:  # block 0, warn 1, allow 2, without a Python loop per row
        actions = np.asarray(actions)
        return (actions != BLOCK).astype(int) + (actions == ALLOW)

    return np.where(rank(first) <= rank(second), first, second)


@dataclass(frozen=True)
class Thresholds:
    """Calibrated-score cut-offs: ``score >= block`` blocks, ``score >= warn`` warns."""

    block: float
    warn: float

    def actions(self, scores: np.ndarray) -> np.ndarray:
        """block / warn / allow per score: the one place a score becomes an action."""
        scores = np.asarray(scores)
        return np.where(scores >= self.block, BLOCK, np.where(scores >= self.warn, WARN, ALLOW))


@dataclass(frozen=True)
class Decision:
    """One message's verdict. ``score`` is how unwanted it is (1 − P(ham)); ``fraud_score`` is
    P(fraud) and ``category`` the taxonomy category (both None for models without a category
    head, e.g. those trained before the taxonomy)."""

    score: float
    action: str
    fraud_type: str | None
    fraud_type_score: float | None
    reasons: list[str] = field(default_factory=list)
    category: str | None = None
    fraud_score: float | None = None
    # This row's values of the model's watched features (``ScamModel.watched_features``), in that
    # order: what live drift is measured on, without featurising the message a second time.
    watched: tuple[float, ...] = ()


@dataclass(frozen=True)
class PlattCalibrator:
    """Maps LightGBM's raw margin to a probability (Platt scaling fitted on validation data).

    Monotonic, so it never changes the ranking — only makes scores mean what they say.
    """

    slope: float
    intercept: float

    def __call__(self, margin: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.slope * np.asarray(margin, dtype=np.float64) + self.intercept)))


@dataclass
class MulticlassHead:
    """Multiclass boosters (one per fold, probabilities averaged) over named ``classes``.

    ``stacked_members`` > 1: ``boosters`` is one booster holding that many members' margins side
    by side (models/merge.py ``stack_multiclass``), averaged as probabilities all the same.
    """

    boosters: list[lgb.Booster]
    classes: list[str]
    stacked_members: int = 1

    def proba(self, features) -> np.ndarray:
        """Rows × classes probabilities."""
        if self.stacked_members > 1:
            (stacked,) = self.boosters
            return mean_member_proba(predict(stacked, features, raw_score=True), self.stacked_members)
        members = [np.asarray(predict(b, features)) for b in self.boosters]
        # A lone member's probabilities are the mean (x / 1 is x): no NumPy reduction per message.
        proba = members[0] if len(members) == 1 else np.mean(members, axis=0)
        return proba.reshape(features.shape[0], len(self.classes))

    def predict(self, features) -> tuple[list[str], np.ndarray]:
        """The most probable class of each row and its probability."""
        proba = self.proba(features)
        best = proba.argmax(axis=1)
        return [self.classes[i] for i in best], proba[np.arange(len(best)), best]


@dataclass
class FraudTypeHead(MulticlassHead):
    """Names the kind of fraud (the taxonomy's fraud types)."""


@dataclass
class CategoryHead(MulticlassHead):
    """ham / spam / illegal / fraud: separates *what kind* of unwanted a message is.

    The binary "unwanted" booster learns "promotional = bad" from advertising sets; this head
    learns spam and fraud apart, so ``fraud_score`` (P(fraud)) ranks scams written like personal
    messages above marketing, which the unwanted score cannot.
    """

    ham: str = "ham"
    fraud: str = "fraud"

    def fraud_proba(self, proba: np.ndarray) -> np.ndarray:
        """P(fraud) per row (zeros when the head never saw fraud)."""
        return proba[:, self.classes.index(self.fraud)] if self.fraud in self.classes else np.zeros(len(proba))

    def unwanted_category(self, proba: np.ndarray) -> list[str]:
        """The most probable category other than ham: the kind of a message already judged unwanted."""
        return self.best_category_except(proba, self.ham)

    def allowed_category(self, proba: np.ndarray) -> list[str]:
        """The most probable category other than fraud: the kind of a message both thresholds
        allow. Fraud is left out because only fraud_score's own cut-offs, set at an FPR target,
        may call a message fraud: a hook acting on ``category == fraud`` stays within that target."""
        return self.best_category_except(proba, self.fraud)

    def best_category_except(self, proba: np.ndarray, excluded: str) -> list[str]:
        masked = proba.copy()
        if excluded in self.classes:
            masked[:, self.classes.index(excluded)] = -1.0
        return [self.classes[i] for i in masked.argmax(axis=1)]


@dataclass
class ScamModel:
    """A fitted yunmao model of one ``kind`` ("sms" or "call")."""

    kind: str
    featuriser: TransformerMixin
    booster: BoosterBag
    calibrator: PlattCalibrator
    thresholds: Thresholds
    feature_names: list[str]
    fraud_type_head: FraudTypeHead | None = None
    reason_templates: Mapping[str, str] = field(default_factory=dict)
    # Features that may be shown as reasons (None: all); features.reasons renders them.
    reason_mask: np.ndarray | None = None
    # Generic features (SMS: the linear text score) shown only when no concrete reason exists.
    fallback_reasons: frozenset[str] = frozenset()
    # Features that, when present in a flagged message, lead its reasons whatever their share
    # of the score (SMS: the fraud-script cues). On data a text model already separates, the
    # booster leaves them near zero weight, yet they are what an analyst can check and act on.
    lead_reasons: frozenset[str] = frozenset()
    # The value a lead feature must reach to lead (absent: any stored value does). Calls: a den
    # leads only when enough of it is confirmed fraud ("the den when it counts", configs/call.yaml
    # ``graph.den_reason_min_share``). Models pickled before it existed read this default.
    lead_minimums: Mapping[str, float] = field(default_factory=dict)
    max_reasons: int = 5
    # SMS: words of the message quoted after a script cue's reason, at most this many
    # ("冒充公检法称涉案：“公安”“涉嫌”"; configs/sms.yaml ``max_reason_quotes``). Models pickled
    # before it existed read this default.
    max_reason_quotes: int = 3
    # Samples from validation data (key "score" plus the top features by gain): the
    # reference distribution drift reports compare new data against.
    reference: Mapping[str, np.ndarray] = field(default_factory=dict)
    # Call models: how training turned CDRs into profiles (window, definitions), so raw CDRs
    # scored later become the same profiles. None: SMS, or a call model from before this was
    # recorded (those were built with the defaults).
    profile_config: ProfileConfig | None = None
    # Call models with graph features: the labels of other numbers those features may use.
    graph: GraphKnowledge | None = None
    # SMS models since the taxonomy (configs/taxonomy.yaml); None in models pickled before it,
    # which then answer without category and fraud_score, as they always did.
    category_head: CategoryHead | None = None
    # Action per category: a fixed action or "by_threshold" (score thresholds). None: thresholds.
    category_actions: Mapping[str, str] | None = None
    # Cut-offs on fraud_score, set at FPR targets on out-of-fold non-fraud rows: a message past
    # them is fraud and acted on even when the unwanted score allows it (scripts written like
    # personal messages or notices, which advertising-trained unwanted scores miss). None in
    # models without a category head or pickled before these existed: nothing changes for them.
    fraud_thresholds: Thresholds | None = None
    # What a message both thresholds allow is called (configs/taxonomy.yaml ``allowed_category``):
    # True, the head's best non-fraud category (an allowed ad is still marketing); False, ham, as
    # models pickled before this existed always answered. The action is the same either way.
    allowed_category_from_head: bool = False
    # SMS models with ``memory.enabled`` (configs/sms.yaml): per template, the labelled training
    # messages, which update the score of a message whose template training saw
    # (models/template_memory.py). None: scores are the model's alone, as before it existed.
    template_memory: TemplateMemory | None = None
    # SMS models logged since session 26: their feature rows and scores on the probes when logged,
    # reproduced at every load (models/probe_outputs.py). None: not recorded, nothing to reproduce.
    probe_outputs: ProbeOutputs | None = None

    def __setattr__(self, name: str, value: object) -> None:
        """Assigning ``reference``, ``feature_names`` or ``lead_reasons`` (training sets the
        reference after the model has scored its held-out rows) re-derives the watched and the
        lead columns, so a decision reads them by position instead of searching ~2,700 feature
        names (about a quarter of a millisecond per call when it was done per call)."""
        super().__setattr__(name, value)
        if name in _COLUMN_INPUTS:
            self._derive_columns()

    def __getstate__(self) -> dict:
        """Pickled without the derived columns: the artifact stays what it was."""
        state = dict(self.__dict__)
        state.pop("_watched", None)
        state.pop("_lead", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._derive_columns()

    def _derive_columns(self) -> None:
        names = getattr(self, "feature_names", None) or []
        positions = {name: i for i, name in enumerate(names)}
        watched = [name for name in getattr(self, "reference", {}) if name != REFERENCE_SCORE and name in positions]
        reader = ColumnReader(np.array([positions[name] for name in watched], dtype=np.intp), len(names))
        object.__setattr__(self, "_watched", (watched, reader))
        lead = getattr(self, "lead_reasons", frozenset())
        minimums = getattr(self, "lead_minimums", {})
        # Per column, the value it must reach to lead: -inf for a lead without a minimum (any stored
        # value, as cue counts lead), +inf for a column that never leads.
        floors = [minimums.get(name, -np.inf) if name in lead else np.inf for name in names]
        object.__setattr__(self, "_lead", np.array(floors, dtype=np.float64))

    @property
    def watched_features(self) -> list[str]:
        """The features whose live distribution is compared with the reference: the reference's
        features (top ones by gain) that this model computes, in the reference's order."""
        return list(self._watched[0])

    def watched_values(self, features) -> np.ndarray:
        """Rows × watched features of ``features`` (dense; empty columns when nothing is watched)."""
        reader = self._watched[1]
        if not sp.issparse(features):
            return np.asarray(features[:, reader.columns], dtype=float)
        return reader(features)

    def features(self, records: pd.DataFrame):
        """The model inputs for ``records``; the same transform training used."""
        return self.featuriser.transform(records)

    def score(self, records: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that each record is unwanted, as served (after the template memory)."""
        return self.scored(records).scores

    def score_features(self, features) -> np.ndarray:
        """The model's own calibrated score of featurised rows, before the template memory."""
        return self.calibrator(self.booster.raw_margin(features))

    def scored(self, records) -> Scored:
        """The model inputs of ``records`` and their scores as served (:meth:`score`), from one
        featurisation (what decisions, evaluation, reports and the drift reference read). SMS
        records are normalised once, for the features, the template memory and the words a
        reason quotes (:attr:`Scored.texts`) alike."""
        if self.kind != "sms":
            features = self.features(records)
            return Scored(features, self.score_features(features), None, None)
        normalised = normalise_records(records)
        features = self.features(normalised)
        model_scores = self.score_features(features)
        memory = self.template_memory
        if memory is None:
            return Scored(features, model_scores, None, None, normalised.norm)
        counts = memory.lookup_templates(normalised.templates)
        scores = memory.update(model_scores, counts)
        raised = np.where((scores > model_scores) & (counts.unwanted > 0), counts.unwanted, 0)
        return Scored(features, scores, raised, counts.known, normalised.norm)

    def decide(self, records: pd.DataFrame | Sequence[Mapping[str, object]], explain: bool = True) -> list[Decision]:
        """Score, act, type and (for block/warn when ``explain``) explain each record, in order.

        ``records``: a frame, or anything the featuriser reads without one (the SMS featuriser:
        a list of record dicts, or messages serving already normalised); reason templates can
        name a record's other columns only in a frame."""
        if len(records) == 0:
            return []
        scored = self.scored(records)
        features, scores = scored.features, scored.scores
        actions, categories, fraud_scores = self.acted(scored)
        watched = self.watched_values(features)
        flagged = np.flatnonzero(actions != ALLOW)
        types: dict[int, tuple[str, float]] = {}
        reasons: dict[int, list[str]] = {}
        if len(flagged):
            flagged_features = features if len(flagged) == len(actions) else features[flagged]
            typed = self._typed_rows(flagged, categories)
            if len(typed):
                names, type_scores = self.fraud_type_head.predict(features if len(typed) == len(actions) else features[typed])
                types = {int(i): (n, float(s)) for i, n, s in zip(typed, names, type_scores, strict=True)}
            if explain and self.max_reasons:
                texts = None if scored.texts is None else [scored.texts[i] for i in flagged.tolist()]
                explained = self.explain_features(flagged_features, _rows(records, flagged), texts)
                reasons = dict(zip(flagged.tolist(), explained, strict=False))
                if scored.raised is not None:
                    self._add_memory_reasons(reasons, flagged, scored.raised)
        # Python values read once per array (``tolist``): the same floats and strings, without a NumPy
        # scalar made and converted per field and row.
        fraud_values = [None] * len(records) if fraud_scores is None else fraud_scores.tolist()
        return [
            Decision(
                score=score,
                action=action,
                fraud_type=types.get(i, (None, None))[0],
                fraud_type_score=types.get(i, (None, None))[1],
                reasons=reasons.get(i, []),
                category=categories[i],
                fraud_score=fraud_score,
                watched=tuple(row_watched),
            )
            for i, (score, action, fraud_score, row_watched) in enumerate(
                zip(scores.tolist(), actions.tolist(), fraud_values, watched.tolist(), strict=True))
        ]

    def acted(self, scored: Scored) -> tuple[np.ndarray, list[str | None], np.ndarray | None]:
        """The served action, category and P(fraud) of each scored row (:meth:`scored`): the score
        thresholds, then the category head's fraud_score thresholds and per-category actions.
        What :meth:`decide` answers and what evaluation and reports must measure, so a figure
        "at the block threshold" counts the blocks a hook actually gets."""
        actions = self.thresholds.actions(scored.scores)
        categories, fraud_scores = self._categorise(scored.features, actions)
        return actions, categories, fraud_scores

    def _add_memory_reasons(self, reasons: dict[int, list[str]], flagged: np.ndarray, raised: np.ndarray) -> None:
        """The memory's sentence first (the one fact an analyst can check at once: "labelled
        before, N times") for each flagged row whose score it raised."""
        for row in flagged[raised[flagged] > 0].tolist():
            sentence = self.template_memory.reason.format(value=int(raised[row]))
            reasons[row] = [sentence, *reasons.get(row, [])][: self.max_reasons]

    def _typed_rows(self, flagged: np.ndarray, categories: list[str | None]) -> np.ndarray:
        """The flagged rows that get a fraud type: all of them without a category head, else only
        those it calls fraud. The head walks its trees for these rows only (a row's type does not
        depend on the other rows), so a flagged advert no longer pays for a type it never shows."""
        if self.fraud_type_head is None:
            return flagged[:0]
        if self.category_head is None:
            return flagged
        return flagged[[categories[i] == self.category_head.fraud for i in flagged.tolist()]]

    def _categorise(self, features, actions: np.ndarray) -> tuple[list[str | None], np.ndarray | None]:
        """Category and P(fraud) per row, updating ``actions`` in place.

        The unwanted score judges *whether* a message is unwanted; the head says *which kind*.
        fraud_score has its own thresholds as a second judge: past them a message is ``fraud``
        and gets the stronger of the two actions, whatever the unwanted score says. A message
        both allow is named by :attr:`allowed_category_from_head` and stays allowed. Last, the
        per-category action policy applies to the messages the thresholds acted on."""
        head = self.category_head
        if head is None:
            return [None] * len(actions), None
        proba = head.proba(features)
        fraud_scores = head.fraud_proba(proba)
        allowed_kinds = head.allowed_category(proba) if self.allowed_category_from_head else [head.ham] * len(actions)
        categories: list[str | None] = [
            allowed if action == ALLOW else unwanted
            for action, allowed, unwanted in zip(actions, allowed_kinds, head.unwanted_category(proba), strict=True)
        ]
        if self.fraud_thresholds is not None:
            fraud_actions = self.fraud_thresholds.actions(fraud_scores)
            by_fraud_score = fraud_actions != ALLOW
            actions[by_fraud_score] = stronger(actions, fraud_actions)[by_fraud_score]
            categories = [head.fraud if hit else c for hit, c in zip(by_fraud_score, categories, strict=True)]
        acted_on = actions != ALLOW
        for i, category in enumerate(categories):
            fixed = (self.category_actions or {}).get(category or "")
            if fixed in ACTIONS and acted_on[i]:
                actions[i] = fixed
        return categories, fraud_scores

    def explain_features(self, features, records: pd.DataFrame | Sequence[Mapping[str, object]] | None = None,
                         texts: Sequence[str] | None = None) -> list[list[str]]:
        """Readable top positive contributions (TreeSHAP, :meth:`BoosterBag.contributions`) of each row.

        ``records`` (the same rows) lets a template name a column the model does not use,
        e.g. a den's known-fraud count beside the den's fraud share the model does use.
        ``texts`` (SMS: the same rows' normalised texts, :attr:`Scored.texts`) give each script
        cue's reason the words that fired it (``features.sms.reasons.quote_cue_reasons``).

        Stays sparse throughout: a dense copy of a 256-message batch would be ~100 MB.
        """
        contrib = self.booster.contributions(features)
        values = as_csr(features)
        bias_column = contrib.shape[1] - 1
        explanations = []
        lead_floor = self._lead
        for row in range(contrib.shape[0]):
            start, end = contrib.indptr[row], contrib.indptr[row + 1]
            columns, weights = contrib.indices[start:end], contrib.data[start:end]
            keep = (columns != bias_column) & (weights > 0)
            columns, weights = columns[keep], weights[keep]
            ordered = columns[np.argsort(-weights)]
            if self.reason_mask is not None:
                ordered = ordered[self.reason_mask[ordered]]
            # The row's values straight from the CSR arrays: scipy's row and element indexing
            # cost more per lookup than rendering the reason.
            low, high = values.indptr[row], values.indptr[row + 1]
            present = values.indices[low:high]
            present_values = dict(zip(present.tolist(), values.data[low:high].tolist(), strict=True))
            # Lead columns by a per-column floor, and the few leading ones taken out of the order by
            # comparison: np.isin's set machinery cost ~15 µs a call here, twice per explained row.
            leading = present[values.data[low:high] >= lead_floor[present]]
            if len(leading):
                ordered = np.concatenate([leading, ordered[~(ordered[:, None] == leading).any(axis=1)]])
            ordered = ordered.astype(int)
            candidates = ((self.feature_names[c], present_values.get(c, 0.0)) for c in ordered.tolist())
            row_values = _RowValues(values, row, self.feature_names, records)
            reasons = top_reasons(candidates, self.reason_templates, self.max_reasons, row_values, self.fallback_reasons)
            if reasons and texts is not None:
                reasons = quote_cue_reasons(reasons, texts[row], self.max_reason_quotes)
            explanations.append(reasons or self._generic_reasons(present_values, row_values))
        return explanations

    def _generic_reasons(self, present_values: dict[int, float], row_values: Mapping[str, float]) -> list[str]:
        """The generic reasons (``fallback_reasons``, e.g. "similar to scam texts") whatever their
        contribution's sign: a message flagged by fraud_score's own thresholds can have no feature
        pushing the *unwanted* score up, and a warn or block must still say why."""
        generic = [(name, present_values.get(column, 0.0)) for column, name in enumerate(self.feature_names)
                   if name in self.fallback_reasons]
        return top_reasons(generic, self.reason_templates, self.max_reasons, row_values)


class Scored(NamedTuple):
    """One featurisation's outputs: features and served scores and, with a template memory, per
    row the unwanted labelled copies of its template where the memory raised its score (else 0)
    and whether training labelled its template at all (``known``); for SMS, each row's normalised
    text (``texts``: what the script cues read, and what their reasons quote)."""

    features: object
    scores: np.ndarray
    raised: np.ndarray | None
    known: np.ndarray | None
    texts: list[str] | None = None


def _rows(records, rows: np.ndarray) -> pd.DataFrame | list[Mapping[str, object]] | None:
    """The records at ``rows`` (a frame's rows, or the mappings of a list), for reason templates
    that name a record's other columns; None where records are not kept by row (normalised SMS)."""
    if isinstance(records, pd.DataFrame):
        return records.iloc[rows]
    if isinstance(records, Sequence):
        return [records[i] for i in rows]
    return None


class _RowValues(Mapping):
    """One row's values by name (features first, then the record's other columns), looked up
    only when a template names something besides ``value`` (so the hot path pays nothing).
    A record's text (a den's id) comes back as text; every other value as a float."""

    def __init__(self, values: sp.csr_matrix, row: int, names: list[str],
                 records: pd.DataFrame | Sequence[Mapping[str, object]] | None) -> None:
        self._values, self._row, self._names, self._records = values, row, names, records

    def __getitem__(self, name: str) -> float | str:
        if name in self._names:
            return float(self._values[self._row, self._names.index(name)])
        if isinstance(self._records, pd.DataFrame):
            if name in self._records.columns:
                return _record_value(self._records[name].iloc[self._row])
        elif self._records is not None and name in self._records[self._row]:
            return _record_value(self._records[self._row][name])
        raise KeyError(name)

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _record_value(value: object) -> float | str:
    """A record's value for a reason template: text as it is, None and NA as NaN (absent, as in a frame)."""
    if isinstance(value, str):
        return value
    return float("nan") if pd.isna(value) else float(value)
