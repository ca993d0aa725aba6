"""Schema of ``configs/sms.yaml``: features, LightGBM, thresholds and split for the SMS model."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from configs import StrictModel
from configs.taxonomy import load_taxonomy_config


class SplitConfig(StrictModel):
    """Cross-fitting: one booster per fold, out-of-fold scores for calibration and thresholds."""

    folds: int = Field(5, ge=2, le=20)
    seed: int = 42


class DuplicatesConfig(StrictModel):
    """How many copies of one normalised text training keeps (``training/data/sms/dedupe.py``).

    ``drop`` keeps one: each distinct message counts once, whatever its campaign's size. ``keep_max``
    keeps up to ``max_copies``: a repeating campaign weighs more (what a randomly split hold-out,
    where copies cross into the test part, rewards) without letting one template of thousands drown
    the rest. ``keep`` keeps every copy. ``weight`` keeps one row per text, as ``drop`` does, and
    gives it the sample weight ``1 + ln(copies)`` in every fit: a campaign counts for more, but
    the folds and the early-stopping split still see each text once (repeating rows, as
    ``keep_max`` does, cost the grouped view; docs/benchmarks.md). Copies of a text always stay in
    one fold group.
    """

    policy: Literal["drop", "keep_max", "keep", "weight"] = "drop"
    max_copies: int = Field(3, ge=2, le=1000)

    @property
    def copies(self) -> int | None:
        """Rows kept per text: 1 (drop, weight), ``max_copies`` (keep_max) or None (keep: all)."""
        return {"drop": 1, "keep_max": self.max_copies, "keep": None, "weight": 1}[self.policy]

    @property
    def weighs(self) -> bool:
        """Whether training weighs each text by its copy count (policy ``weight``)."""
        return self.policy == "weight"

    @property
    def source_copies(self) -> int | None:
        """Copies per text a file written for this trainer must keep (retraining's base + feedback):
        ``copies``, except every copy under ``weight``, which the trainer counts when it loads it."""
        return None if self.weighs else self.copies


ServedBoosters = Literal["refit", "bag", "merged"]
"""What a head serves: one refitted booster, the fold boosters averaged, or those merged into one."""


class ServeConfig(StrictModel):
    """Which boosters a fitted model serves, for the binary model and each multiclass head.

    Cross-fitting always builds one booster per fold: their out-of-fold scores set calibration
    and thresholds. ``refit`` then trains one more booster per head on every training row for a
    quantile of the folds' early-stopping rounds and serves that alone (one predict call per
    head instead of one per fold); ``bag`` serves the fold boosters themselves, averaged;
    ``merged`` serves the bag in one predict call per head with exactly the bag's outputs: the
    binary boosters merged into one (mean margin and contributions), each multiclass head's
    boosters stacked into one whose members' probabilities are averaged (models/merge.py).
    ``rounds_scale`` multiplies those rounds: a refit sees more rows than a fold booster did.
    Each multiclass head may serve its own way (``FraudTypeConfig.booster``).

    ``calibrate`` says which out-of-fold margins the unwanted score's Platt calibrator and its
    warn / block thresholds are fitted on. ``early_stopped``: the early-stopped fold boosters'
    (what ``bag`` and ``merged`` serve, so their cut-offs sit on the served scale). ``fixed_rounds``,
    for ``refit`` only: fold boosters trained as the refit is — no early stopping, the refit's rounds,
    on each fold's whole training part — so the thresholds sit on the scale of the booster served,
    which early-stopped folds' scores need not share (a refit cut at them lost warn recall on
    mudou; docs/benchmarks.md "One booster per head"). The multiclass heads are unaffected. Not
    the shipped setting: measured, it raised the refit's warn recall on mudou but lost block recall
    on mudou and UCI beyond the intervals (docs/benchmarks.md "Refit calibrated on its own recipe").
    """

    booster: ServedBoosters = "refit"
    rounds_quantile: float = Field(0.5, ge=0, le=1)
    rounds_scale: float = Field(1.0, gt=0, le=4)
    calibrate: Literal["early_stopped", "fixed_rounds"] = "early_stopped"

    @model_validator(mode="after")
    def _fixed_rounds_calibrate_a_refit(self) -> ServeConfig:
        if self.calibrate == "fixed_rounds" and self.booster != "refit":
            raise ValueError(f"calibrate: fixed_rounds needs booster: refit, not {self.booster!r} (it calibrates on fold "
                             f"boosters trained as the refit is; {self.booster} serves the early-stopped fold boosters, "
                             f"so keep calibrate: early_stopped)")
        return self


class ReferenceConfig(StrictModel):
    """Rows held out of the fit so the drift reference is the served model's own output on data it
    never saw (``training/fit.served_reference``): a ``share`` of the rows, at most ``max_rows``."""

    share: float = Field(0.05, gt=0, lt=0.5)
    max_rows: int = Field(2000, ge=50, le=100_000)
    top_features: int = Field(20, ge=0, le=200)


class CharNgramConfig(StrictModel):
    min_n: int = Field(1, ge=1)
    max_n: int = Field(3, ge=1)
    max_features: int = Field(60000, ge=100)
    min_df: int = Field(2, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> CharNgramConfig:
        if self.max_n < self.min_n:
            raise ValueError("max_n must be >= min_n")
        return self


class WordConfig(StrictModel):
    max_ngram: int = Field(2, ge=1, le=3)
    max_features: int = Field(30000, ge=100)
    min_df: int = Field(2, ge=1)


# The per-fraud-type score's losses (features/sms/text.py TextFeatures.type_loss).
TypeLoss = Literal["logistic", "squared_hinge"]
TYPE_LOSSES: tuple[str, ...] = get_args(TypeLoss)


class TypeScoreConfig(StrictModel):
    """The per-fraud-type linear text score's model: its loss and its own inverse regularisation."""

    # logistic: multinomial logistic regression; squared_hinge: one-vs-rest linear SVM, its per-type
    # probabilities the softmax of its margins (what serving computes from the stacked coefficients).
    loss: TypeLoss = "logistic"
    C: float = Field(4.0, gt=0)


class LinearScoreConfig(StrictModel):
    """Out-of-fold linear text scores fed to LightGBM as features (stacking)."""

    folds: int = Field(5, ge=2, le=10)
    C: float = Field(4.0, gt=0)
    # Value the fraud-script cues take in the linear model's input (0: characters only). Character
    # TF-IDF values are ~0.1, so a cue at 1.0 is far cheaper for the L2 penalty than the n-grams
    # it competes with, and keeps weight even where the n-grams separate the data (features/sms/text.py).
    cue_weight: float = Field(0.0, ge=0)
    # Categories that get a one-vs-rest linear text score for the category head (not for the
    # unwanted boosters); each must be a category of configs/taxonomy.yaml other than its ham.
    categories: list[str] = ["fraud"]
    # The per-type score (three or more fraud types in the training data) has a model of its own.
    types: TypeScoreConfig = TypeScoreConfig()

    @model_validator(mode="after")
    def _known_categories(self) -> LinearScoreConfig:
        taxonomy = load_taxonomy_config()
        unknown = [name for name in self.categories if name not in taxonomy.categories or name == taxonomy.ham_category]
        if unknown or len(set(self.categories)) != len(self.categories):
            raise ValueError(f"categories must be distinct categories of the taxonomy other than "
                             f"{taxonomy.ham_category!r}: {[c for c in taxonomy.categories if c != taxonomy.ham_category]}")
        return self


class BoosterGramsConfig(StrictModel):
    """How many n-gram columns (chosen by chi²) LightGBM sees directly."""

    max_features: int = Field(2000, ge=10)


class FeatureConfig(StrictModel):
    char: CharNgramConfig = CharNgramConfig()
    word: WordConfig = WordConfig()
    linear_score: LinearScoreConfig = LinearScoreConfig()
    booster_grams: BoosterGramsConfig = BoosterGramsConfig()


class LightGBMConfig(StrictModel):
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    num_boost_round: int = Field(2000, ge=1)
    early_stopping_rounds: int = Field(100, ge=1)
    # Stop when the validation loss improved by less than this over ``early_stopping_rounds``
    # rounds. 0 waits for any improvement, which on data the model already separates (the demo
    # set) never ends: the loss creeps towards zero for all ``num_boost_round`` rounds.
    early_stopping_min_delta: float = Field(0.0, ge=0)


class ThresholdConfig(StrictModel):
    """Targets on validation negatives: the highest share of legitimate messages each action may hit."""

    block_max_fpr: float = Field(0.001, gt=0, lt=1)
    warn_max_fpr: float = Field(0.01, gt=0, lt=1)
    # Floors on the calibrated score: when validation separates perfectly, the FPR rule alone
    # would put the cut just above the highest negative (e.g. 0.0001) and block anything.
    block_min_score: float = Field(0.5, ge=0, lt=1)
    warn_min_score: float = Field(0.2, ge=0, lt=1)

    @model_validator(mode="after")
    def _block_stricter(self) -> ThresholdConfig:
        if self.block_max_fpr > self.warn_max_fpr:
            raise ValueError("block_max_fpr must be <= warn_max_fpr (block is the stricter action)")
        if self.warn_min_score > self.block_min_score:
            raise ValueError("warn_min_score must be <= block_min_score (block is the stricter action)")
        return self


class FraudTypeConfig(StrictModel):
    """A multiclass head (the fraud-type head; the category head below adds its thresholds).

    ``booster`` serves this head its own way (None: as ``serve.booster``). The fraud-type head has
    no threshold (its output is the argmax over types), so a refit cannot cost it recall at a
    cut-off set on the folds' scores, the loss that keeps the unwanted score on the bag; and it is
    the largest forest a fraud message walks (docs/benchmarks.md "The fraud-type head as one
    refitted booster"). The category head's fraud_score is cut, yet its refit moved almost no
    action or category where measured (one hand-written scam of 931 allowed), and it runs on every
    message ("The category head as one refitted booster").
    """

    min_examples_per_type: int = Field(5, ge=1)
    lightgbm: LightGBMConfig = LightGBMConfig()
    booster: ServedBoosters | None = None

    def serving(self, serve: ServeConfig) -> ServeConfig:
        """``serve`` as this head is fitted: its own ``booster`` where set, the rounds settings kept."""
        return serve if self.booster is None else serve.model_copy(update={"booster": self.booster})


class CategoryConfig(FraudTypeConfig):
    """The category head (ham/spam/illegal/fraud of ``configs/taxonomy.yaml``): same knobs as the
    fraud-type head; ``min_examples_per_type`` is per category.

    ``fraud_thresholds`` cut fraud_score the way ``thresholds`` cut the unwanted score, with the
    FPR targets measured on out-of-fold *non-fraud* rows (ham, spam, illegal): a message past
    them is categorised fraud and acted on even when the unwanted score allows it."""

    fraud_thresholds: ThresholdConfig = ThresholdConfig()


class DemoMixConfig(StrictModel):
    """Demo generator rows added to real training data by ``yunmao train sms`` / ``retrain sms``.

    The real sets are advertising-spam corpora: a model trained on them alone learns
    "promotional = bad" and misses the fraud scripts (issue #10: 32 of 43 hand-written scams
    flagged, a parent's note to a teacher blocked). ``share`` × the number of real rows are drawn
    from ``training/data/demo_sms.py`` with ``seed`` (0: no mix).
    """

    share: float = Field(0.0, ge=0, le=1)
    seed: int = 0


class MemoryConfig(StrictModel):
    """Known-template memory after the model (models/template_memory.py, issue #11).

    Per template, training counts its labelled messages (copies included) and the unwanted ones
    among them; a scored message whose template is known gets its calibrated score updated by them,
    ``(unwanted + prior_weight · score) / (messages + prior_weight)``: the model's score counts as
    ``prior_weight`` pseudo-messages, so one labelled copy moves it less than forty. Unknown
    templates keep the model's score exactly. Off here, on in the shipped ``configs/sms.yaml``
    since its pre-registered measurement passed (docs/benchmarks.md "Known-message memory after
    the model"); a config built in code (tests' small models) opts in.
    """

    enabled: bool = False
    prior_weight: float = Field(2.0, gt=0, le=1000)


class SmsConfig(StrictModel):
    name: str = "yunmao-sms"
    experiment: str = "yunmao-sms"
    split: SplitConfig = SplitConfig()
    duplicates: DuplicatesConfig = DuplicatesConfig()
    serve: ServeConfig = ServeConfig()
    reference: ReferenceConfig = ReferenceConfig()
    features: FeatureConfig = FeatureConfig()
    lightgbm: LightGBMConfig = LightGBMConfig()
    thresholds: ThresholdConfig = ThresholdConfig()
    fraud_type: FraudTypeConfig = FraudTypeConfig()
    category: CategoryConfig = CategoryConfig()
    demo_mix: DemoMixConfig = DemoMixConfig()
    memory: MemoryConfig = MemoryConfig()
    max_reasons: int = Field(5, ge=0, le=20)
    # Words of the message a script cue's reason quotes, at most ("冒充公检法称涉案：“公安”“涉嫌”"; 0: the label alone).
    max_reason_quotes: int = Field(3, ge=0, le=10)

    @property
    def source_copies(self) -> int | None:
        """Copies per text a file written for this trainer (retraining's base + feedback) must keep:
        every copy when the template memory counts them (the trainer still deduplicates for the
        boosters as ``duplicates`` says), else ``duplicates.source_copies``."""
        return None if self.memory.enabled else self.duplicates.source_copies
