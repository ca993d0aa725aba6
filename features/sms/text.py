"""Text features: character n-grams beside jieba words, plus a stacked linear text score.

SMS are short, so neither words nor characters alone are enough: jieba misses obfuscated or
unseen words that character n-grams still catch, while words carry meaning n-grams blur.
A gradient-boosted model on sparse n-grams alone loses to a plain linear model (each tree
sees few n-grams), so the linear model's out-of-fold score is fed to LightGBM as one more
feature: LightGBM then combines that evidence with the dense pattern and metadata features.
LightGBM itself only sees the ``booster_grams`` most class-related n-grams (chi²): training
time grows steeply with sparse columns while the linear score already carries the rest.

The linear model also sees the fraud-script cues (``features.sms.patterns``), scaled by
``cue_weight``. The boosters start from the linear score's margin, and where the n-grams alone
separate the training data (the demo generator's templates do, perfectly) every tree leaves the
cues at zero weight: the model then knows the training sentences, not the scripts, and misses a
script worded another way. Inside the linear model a cue competes with the n-grams under the
same L2 penalty; a cue that fires on every message of a script carries that script's evidence
more cheaply than many n-grams do, so it keeps a weight of its own and that weight reaches a
message that shares the script but none of the sentences.

Both supervised steps keep out-of-fold quantities honest: the linear model's folds keep
duplicate texts (same normalised text) on one side, and when the caller's cross-fitting folds
are given, chi² selection is fitted once per fold on that fold's training rows only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from configs.sms import TYPE_LOSSES
from features.fitted import require_fitted
from features.labels import shipped_taxonomy
from features.reasons import CHAR_GRAM_PREFIX, WORD_GRAM_PREFIX
from features.sms.patterns import cue_matrix, reminder_zeroed_cue_matrix
from features.sms.preprocess import PreparedSms
from features.sms.sparse_blocks import Triples, assemble, column_lookup, dense_triples, sparse_triples
from features.sms.tfidf import tfidf_transform

LINEAR_SCORE_NAME = "文本整体与诈骗短信相似"
TYPE_SCORE_NAME = "文本类似「{fraud_type}」类诈骗"
FRAUD_SCORE_NAME = "文本与诈骗（而非营销）短信相似"
# One-vs-rest text score of a scored category other than fraud (``category_scores``).
CATEGORY_SCORE_NAME = "文本与「{category}」类（而非其他类）短信相似"


class SoftmaxLinearSVC(LinearSVC):
    """A linear SVM whose class probabilities are the softmax of its margins (:func:`_class_proba`):
    exactly what serving computes from its stacked coefficients (:class:`_LinearStack`), so the
    out-of-fold scores training stacks are the scores serving gives. Not calibrated probabilities:
    the boosters read them as scores."""

    def predict_proba(self, X) -> np.ndarray:
        return _class_proba(np.asarray(self.decision_function(X)).reshape(X.shape[0], -1))


LinearModel = LogisticRegression | SoftmaxLinearSVC


class TextFeatures(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Frame with ``norm`` and ``tokens`` → [selected char/word TF-IDF columns | linear score].

    ``fit_transform`` returns the linear score *out of fold*, so LightGBM never trains on a
    score that has memorised its own rows; ``transform`` uses the model fitted on all rows.
    Given ``folds`` (the boosters' cross-fitting folds), the n-gram columns are the union of
    per-fold chi² selections and ``fold_column_masks_[k]`` marks the columns fold ``k``'s
    boosters may use: those chosen without its held-out labels. ``head_only_columns_`` marks the
    columns only the multiclass heads may use (the category scores), never the unwanted booster.
    """

    def __init__(
        self,
        char_min_n: int = 1,
        char_max_n: int = 3,
        char_max_features: int = 60000,
        char_min_df: int = 2,
        word_max_ngram: int = 2,
        word_max_features: int = 30000,
        word_min_df: int = 2,
        linear_folds: int = 5,
        linear_C: float = 4.0,
        booster_grams: int = 2000,
        cue_weight: float = 0.0,
        category_scores: tuple[str, ...] = ("fraud",),
        type_loss: str = "logistic",
        type_C: float = 4.0,
        random_state: int = 0,
    ) -> None:
        self.char_min_n = char_min_n
        self.char_max_n = char_max_n
        self.char_max_features = char_max_features
        self.char_min_df = char_min_df
        self.word_max_ngram = word_max_ngram
        self.word_max_features = word_max_features
        self.word_min_df = word_min_df
        self.linear_folds = linear_folds
        self.linear_C = linear_C
        self.booster_grams = booster_grams
        self.cue_weight = cue_weight
        self.category_scores = category_scores
        self.type_loss = type_loss
        self.type_C = type_C
        self.random_state = random_state

    def fit(self, frame: pd.DataFrame, y=None, folds=None) -> TextFeatures:
        self.fit_transform(frame, y, folds=folds)
        return self

    def fit_transform(
        self, frame: pd.DataFrame, y=None, fraud_type=None, folds=None, category=None, sample_weight=None, **fit_params
    ) -> sp.csr_matrix:
        """Fit on ``frame``; ``fraud_type`` (per row, None for normal) adds per-type text scores.

        ``category`` (per row, None where unknown) adds, for each of ``category_scores`` present
        among the known rows with something else, a one-vs-rest text score (that category
        against every other known one). The unwanted score learns "promotional = unwanted" from
        advertising sets: the category head's P(fraud) ranks scripts it never saw far better when
        it can start from a linear fraud score that reads the script cues (leave-one-data-set-out,
        README), and it tells illegal services from adverts (both unwanted, both promotional)
        only from a score that was fitted to tell them apart (docs/benchmarks.md, fbs_sms).

        ``folds``: positional (train, held-out) pairs of the model trained on these features;
        ``fold_column_masks_`` then says which columns each fold's booster may use.
        ``sample_weight`` (per row, None: each counts once) weighs every linear model's fit, in and
        out of fold; chi² selection counts rows unweighted (``SelectKBest`` takes no weights).
        """
        if y is None:
            raise ValueError("TextFeatures needs labels: its linear text score is supervised")
        if self.type_loss not in TYPE_LOSSES:
            raise ValueError(f"TextFeatures: type_loss must be one of {', '.join(TYPE_LOSSES)}, not {self.type_loss!r}")
        y = np.asarray(y).astype(int)
        self.char_ = self._vectoriser(analyzer="char", ngram_range=(self.char_min_n, self.char_max_n),
                                      min_df=self.char_min_df, max_features=self.char_max_features)
        self.word_ = self._vectoriser(tokenizer=str.split, token_pattern=None, ngram_range=(1, self.word_max_ngram),
                                      min_df=self.word_min_df, max_features=self.word_max_features)
        chars = self.char_.fit_transform(frame["norm"])
        grams = sp.hstack([chars, self.word_.fit_transform(frame["tokens"])], format="csr")
        duplicates = np.asarray(frame["norm"], dtype=object)
        self.quoted_cues_ = True  # the linear models read the quoted-script columns (``cue_matrix``)
        inputs = self._linear_input(chars, frame["norm"])
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.linear_, binary_oof = self._fit_out_of_fold(inputs, y, duplicates, weights)
        binary_oof = binary_oof[:, 1]
        types, self.type_classes_ = _type_codes(y, fraud_type, self.linear_folds)
        type_oof = None
        target = y
        if self.type_classes_:
            typed = np.flatnonzero(types >= 0)
            self.type_linear_, typed_oof = self._fit_out_of_fold(
                inputs[typed], types[typed], duplicates[typed], weights[typed], typed=True
            )
            type_oof = _class_proba(self._margins(inputs, self.type_linear_))
            type_oof[typed] = typed_oof
            target = np.where(types >= 0, types + 2, y)  # chi² also keeps n-grams that separate types
        category_oof = self._fit_category_scores(inputs, category, duplicates, weights)
        selected, gram_masks = self._select_grams(grams, target, folds)
        n_chars = len(self.char_.vocabulary_)
        self.char_columns_ = selected[selected < n_chars]
        self.word_columns_ = selected[selected >= n_chars] - n_chars
        # Scores are out of fold already, so every fold may use them.
        n_scores = 1 + len(self.type_classes_) + (0 if category_oof is None else category_oof.shape[1])
        self.fold_column_masks_ = None if gram_masks is None else [np.concatenate([m, np.ones(n_scores, dtype=bool)]) for m in gram_masks]
        # The category scores are the category head's: in the unwanted boosters the fraud score made
        # hard hams' out-of-fold scores jump (demo + marketing: warn threshold 0.80 → 0.99, most fraud
        # then allowed).
        self.head_only_columns_ = np.arange(len(selected) + n_scores) >= len(selected) + 1 + len(self.type_classes_)
        return self._output(grams[:, selected], binary_oof, type_oof, category_oof)

    def transform(self, frame: pd.DataFrame | PreparedSms) -> sp.csr_matrix:
        blocks, n_columns = self.transform_blocks(frame)
        return assemble(blocks, len(frame["norm"]), n_columns)

    def transform_blocks(
        self, frame: pd.DataFrame | PreparedSms, offset: int = 0, cues: np.ndarray | None = None
    ) -> tuple[list[Triples], int]:
        """Per-message hot path: the output's entries as blocks (``features.sms.sparse_blocks``),
        starting at column ``offset``, and its column count. No hstack or fancy column selection
        of the full n-gram space, no sklearn re-validation. ``cues``: the messages' script cues
        (``features.sms.patterns.cue_rows``), when the caller computed them for the pattern features."""
        require_fitted(self, "linear_")
        chars = tfidf_transform(self.char_, list(frame["norm"]))
        words = tfidf_transform(self.word_, list(frame["tokens"]))
        binary_margins, *margins = self._linear_stack().margins(chars, self._weighted_cues(frame["norm"], cues))
        binary = 1.0 / (1.0 + np.exp(-binary_margins[:, 0]))
        types = _class_proba(margins.pop(0)) if self.type_classes_ else None
        categories = np.column_stack([_class_proba(m)[:, 1] for m in margins]) if margins else None
        scores = self._scores(binary, types, categories)
        char_lookup, word_lookup = self._gram_lookups()
        n_chars, n_grams = len(self.char_columns_), len(self.char_columns_) + len(self.word_columns_)
        blocks = [
            sparse_triples(chars, offset, char_lookup),
            sparse_triples(words, offset + n_chars, word_lookup),
            dense_triples(scores, offset + n_grams),
        ]
        return blocks, n_grams + scores.shape[1]

    def _linear_stack(self) -> _LinearStack:
        """The binary, per-type and per-category linear models stacked (:class:`_LinearStack`), in
        that order; built on first use, not pickled."""
        if getattr(self, "_stack", None) is None:
            models = [self.linear_, *([self.type_linear_] if self.type_classes_ else []), *self._category_models().values()]
            self._stack = _LinearStack(models, len(self.char_.vocabulary_))
        return self._stack

    def _gram_lookups(self) -> tuple[np.ndarray, np.ndarray]:
        """Vocabulary column → selected column (or -1), char and word; built on first use, not pickled."""
        if getattr(self, "_lookups", None) is None:
            self._lookups = (
                column_lookup(self.char_columns_, len(self.char_.vocabulary_)),
                column_lookup(self.word_columns_, len(self.word_.vocabulary_)),
            )
        return self._lookups

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_lookups", None)
        state.pop("_stack", None)
        return state

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        require_fitted(self, "linear_")
        chars = [f"{CHAR_GRAM_PREFIX}{gram}" for gram in self.char_.get_feature_names_out()]
        words = [f"{WORD_GRAM_PREFIX}{gram}" for gram in self.word_.get_feature_names_out()]
        selected = [chars[i] for i in self.char_columns_] + [words[i] for i in self.word_columns_]
        type_names = [TYPE_SCORE_NAME.format(fraud_type=name) for name in self.type_classes_]
        category_names = [category_score_name(name) for name in self._category_models()]
        return np.array([*selected, LINEAR_SCORE_NAME, *type_names, *category_names], dtype=object)

    @classmethod
    def _output(
        cls, selected_grams: sp.csr_matrix, binary: np.ndarray, types: np.ndarray | None, categories: np.ndarray | None = None
    ) -> sp.csr_matrix:
        return sp.hstack([selected_grams, sp.csr_matrix(cls._scores(binary, types, categories))], format="csr")

    @staticmethod
    def _scores(binary: np.ndarray, types: np.ndarray | None, categories: np.ndarray | None) -> np.ndarray:
        """Rows × [linear score | per-type scores | per-category scores], float32."""
        scores = np.asarray(binary, dtype=np.float32).reshape(-1, 1)
        for block in (types, categories):
            if block is not None and block.shape[1]:
                scores = np.hstack([scores, block.astype(np.float32)])
        return scores

    def _category_models(self) -> dict[str, LogisticRegression]:
        """The fitted one-vs-rest category models, in column order. Models pickled before
        ``category_linear_`` existed have at most the fraud one (``fraud_linear_``)."""
        if hasattr(self, "category_linear_"):
            return self.category_linear_
        fraud_linear = getattr(self, "fraud_linear_", None)
        return {} if fraud_linear is None else {shipped_taxonomy().fraud_category: fraud_linear}

    def _fit_category_scores(
        self, inputs: sp.csr_matrix, category, duplicates: np.ndarray, weights: np.ndarray
    ) -> np.ndarray | None:
        """Rows × scored categories: out-of-fold P(category) against every other known category
        (rows of unknown category are scored by the model fitted on all known rows). A category
        is scored where the known rows hold at least ``linear_folds`` of it and of the rest (none
        with 0/1 labels only); None when no category is."""
        self.category_linear_ = {}
        if category is None:
            return None
        category = pd.Series(category).reset_index(drop=True)
        known = np.flatnonzero(category.notna().to_numpy())
        columns = []
        for name in self.category_scores:
            is_name = (category.iloc[known] == name).to_numpy().astype(int)
            if min(is_name.sum(), len(is_name) - is_name.sum()) < self.linear_folds:
                continue
            self.category_linear_[name], known_oof = self._fit_out_of_fold(inputs[known], is_name, duplicates[known], weights[known])
            scores = _class_proba(self._margins(inputs, self.category_linear_[name]))[:, 1]
            scores[known] = known_oof[:, 1]
            columns.append(scores)
        return np.column_stack(columns) if columns else None

    def _select_grams(self, grams: sp.csr_matrix, target: np.ndarray, folds) -> tuple[np.ndarray, list[np.ndarray] | None]:
        """Column indices LightGBM sees and, with ``folds``, each fold's mask over them.

        Without folds: one selection on all rows, no masks (nothing out of fold depends on it).
        """
        k = min(self.booster_grams, grams.shape[1])
        if folds is None:
            return np.flatnonzero(SelectKBest(chi2, k=k).fit(grams, target).get_support()), None
        per_fold = [SelectKBest(chi2, k=k).fit(grams[train_idx], target[train_idx]).get_support() for train_idx, _ in folds]
        union = np.logical_or.reduce(per_fold)
        return np.flatnonzero(union), [support[union] for support in per_fold]

    def _linear_input(self, chars: sp.csr_matrix, norm) -> sp.csr_matrix:
        """What the linear models read: character TF-IDF, plus the script cues × ``cue_weight``
        (training; serving computes the same margins from :class:`_LinearStack`)."""
        cues = self._weighted_cues(norm)
        return chars if cues is None else sp.hstack([chars, sp.csr_matrix(cues)], format="csr")

    def _weighted_cues(self, norm, raw: np.ndarray | None = None) -> np.ndarray | None:
        """Script cues × ``cue_weight`` as the linear models read them (float32), or None where
        they read characters only (``cue_weight`` 0, or pickled before the cues joined). Models
        fitted before the quoted-script columns (no ``quoted_cues_``) read the cues zeroed under a
        reminder, as they were trained: their coefficients have no quoted columns."""
        weight = getattr(self, "cue_weight", 0.0)
        if not weight:
            return None
        matrix = cue_matrix if getattr(self, "quoted_cues_", False) else reminder_zeroed_cue_matrix
        return matrix(norm, raw) * np.float32(weight)

    def _fit_out_of_fold(
        self, grams: sp.csr_matrix, target: np.ndarray, duplicates: np.ndarray, weights: np.ndarray, typed: bool = False
    ) -> tuple[LinearModel, np.ndarray]:
        """A linear model on all rows, and its out-of-fold probabilities (rows × classes, also
        for two classes: the per-type score of data with exactly two fraud types is one), every
        fit weighing rows by ``weights``; ``typed``: the per-type score's model (:meth:`_linear`).

        Rows with the same ``duplicates`` key (normalised text) share a fold, so no row is
        scored by a model that trained on its copy.
        """
        classes = len(np.unique(target))
        oof = np.zeros((len(target), classes), dtype=np.float32)
        folds = StratifiedGroupKFold(self.linear_folds, shuffle=True, random_state=self.random_state)
        for train_idx, score_idx in folds.split(grams, target, duplicates):
            model = self._linear(classes == 2, typed).fit(grams[train_idx], target[train_idx], sample_weight=weights[train_idx])
            oof[score_idx] = model.predict_proba(grams[score_idx])
        return self._linear(classes == 2, typed).fit(grams, target, sample_weight=weights), oof

    def _linear(self, binary: bool = True, typed: bool = False) -> LinearModel:
        """The binary and category scores' logistic regression at ``linear_C``; with ``typed``, the
        per-type score's model: ``type_loss`` at ``type_C``."""
        if typed and self.type_loss == "squared_hinge":
            return SoftmaxLinearSVC(C=self.type_C, random_state=self.random_state)  # liblinear's dual solver shuffles rows
        C = self.type_C if typed else self.linear_C
        return LogisticRegression(C=C, solver="liblinear" if binary else "lbfgs", max_iter=1000)

    def _vectoriser(self, **options) -> TfidfVectorizer:
        return TfidfVectorizer(lowercase=False, sublinear_tf=True, dtype=np.float32, **options)

    @staticmethod
    def _margins(inputs: sp.csr_matrix, model: LogisticRegression) -> np.ndarray:
        """Decision values computed directly (predict_proba re-validates the whole input)."""
        return np.asarray(inputs @ model.coef_.T + model.intercept_)


class _LinearStack:
    """The text's linear models side by side: one sparse product gives every model's decision values.

    A message's margins from the binary, per-type and per-category models were one scipy product
    each (plus its dispatch and upcast), on the same input row. Here their coefficients are one
    C-contiguous array (characters × every model's outputs) and one product serves them all.
    Each output column is accumulated exactly as ``TextFeatures._margins`` accumulates it on the
    hstacked [characters | weighted cues] input: scipy's kernel adds a row's products in column
    order per output, so the character products come first, then the cue terms, one cue column at
    a time, then the intercept — the values are bit-identical (``tests/features/sms/test_text.py``).
    The [characters | cues] hstack itself (format conversions of a one-row matrix) would cost more
    than the products, so the cues stay a dense array beside the characters.
    """

    def __init__(self, models: list[LinearModel], n_chars: int) -> None:
        coefficients = np.vstack([model.coef_ for model in models])
        self.chars = np.ascontiguousarray(coefficients[:, :n_chars].T)
        self.cues = coefficients[:, n_chars:]
        self.intercepts = np.concatenate([model.intercept_ for model in models])
        self.splits = np.cumsum([len(model.intercept_) for model in models])[:-1]

    def margins(self, chars: sp.csr_matrix, cues: np.ndarray | None) -> list[np.ndarray]:
        """Each model's decision values (rows × its outputs), in the models' order."""
        margins = np.asarray(chars @ self.chars)
        if cues is not None:
            for row, column in zip(*np.nonzero(cues), strict=True):
                margins[row] += np.float64(cues[row, column]) * self.cues[:, column]
        return np.split(margins + self.intercepts, self.splits, axis=1)


def category_score_name(category: str) -> str:
    """Feature name of ``category``'s one-vs-rest text score (fraud keeps the name models had before)."""
    return FRAUD_SCORE_NAME if category == shipped_taxonomy().fraud_category else CATEGORY_SCORE_NAME.format(category=category)


def _type_codes(y: np.ndarray, fraud_type, folds: int) -> tuple[np.ndarray, list[str]]:
    """Per-row type code (-1: normal or untyped) and the type names, for types with >= ``folds`` fraud rows.

    Fewer than two such types: no type scores (empty class list).
    """
    codes = np.full(len(y), -1)
    if fraud_type is None:
        return codes, []
    types = pd.Series(fraud_type).reset_index(drop=True).where(y == 1)
    counts = types.value_counts()
    classes = sorted(counts[counts >= folds].index)
    if len(classes) < 2:
        return codes, []
    return types.map({name: i for i, name in enumerate(classes)}).fillna(-1).astype(int).to_numpy(), classes


def _class_proba(margins: np.ndarray) -> np.ndarray:
    """Per-class probabilities from a linear model's decision values.

    A two-class model has one margin column (the second class's logit against the first):
    its probabilities are ``[1 − σ(m), σ(m)]``, the softmax of ``[0, m]``.
    """
    if margins.shape[1] == 1:
        margins = np.hstack([np.zeros_like(margins), margins])
    return _softmax(margins)


def _softmax(margins: np.ndarray) -> np.ndarray:
    shifted = np.exp(margins - margins.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
