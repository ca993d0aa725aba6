"""Schema of ``configs/dens.yaml``: how ``yunmao dens`` finds, ranks and shows fraud dens.

Dens are Leiden communities of the call graph (:mod:`features.graph.links`); only the
resolution differs from the call model's graph features, because an analyst wants dens small
enough to act on while the model wants stable den-level shares.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from configs import StrictModel


class PriorConfig(StrictModel):
    """Beta prior on a den's fraud share, and the credible bound the ranking uses.

    The den's fraud evidence is the ``quantile`` lower bound of Beta(alpha + fraud,
    beta + normal): a den with 1 of 1 known fraud stays near the prior, one with 40 of 50 does not.
    """

    alpha: float = Field(1.0, gt=0)
    beta: float = Field(2.0, gt=0)
    quantile: float = Field(0.1, gt=0, lt=1)


class WeightsConfig(StrictModel):
    """Weight of each kind of evidence in a den's score (evidence that is absent is left out)."""

    known_fraud: float = Field(1.0, ge=0)
    model_score: float = Field(0.5, ge=0)
    shared_devices: float = Field(0.25, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> WeightsConfig:
        if self.known_fraud == 0 and self.model_score == 0 and self.shared_devices == 0:
            raise ValueError("at least one weight must be positive")
        return self


class CoreConfig(StrictModel):
    """Which community members form the den itself (its core); the rest are listed as its contacts.

    A Leiden community of the call graph holds a gang together with the people it calls. A member
    is core when at least ``min_labelled_neighbours`` of its neighbours have a known label and at
    least ``min_fraud_neighbour_share`` of those (weighted by link weight) are known fraud (all its
    links count, not only those inside the community). Known fraud members are always core; otherwise a member's
    own label never counts, so unlabelled members are judged exactly like labelled ones.
    Without labels there is no evidence to cut with, and the whole community is the den.

    Where a call model scored members (``yunmao dens --model --data``), a scored member must also
    reach the model's own threshold for ``member_score_action`` ("none": scores do not cut): a
    victim among a gang's contacts can have mostly fraud neighbours, but it does not call like one.
    """

    enabled: bool = True
    min_fraud_neighbour_share: float = Field(0.7, ge=0, le=1)
    min_labelled_neighbours: float = Field(1, ge=0)
    member_score_action: Literal["none", "warn", "block"] = "warn"


class CoreSelectionConfig(StrictModel):
    """Candidate core settings that nested cross-validation chooses from (``benchmarks/dens_quality.py``).

    Every pair of the two lists is tried on inner folds of the visible labels; the shipped
    ``core`` is the pair the same procedure picks on all labels.
    """

    min_fraud_neighbour_share: list[float] = Field(default=[0.5, 0.6, 0.7, 0.8, 0.9], min_length=1)
    min_labelled_neighbours: list[float] = Field(default=[1, 3, 5], min_length=1)
    inner_folds: int = Field(4, ge=2)

    @model_validator(mode="after")
    def _shares_are_shares(self) -> CoreSelectionConfig:
        if not all(0 <= share <= 1 for share in self.min_fraud_neighbour_share):
            raise ValueError("min_fraud_neighbour_share candidates must lie in [0, 1]")
        if any(count < 0 for count in self.min_labelled_neighbours):
            raise ValueError("min_labelled_neighbours candidates must be >= 0")
        return self


class PageConfig(StrictModel):
    """What ``dens.html`` shows: the top dens, members listed and drawn per den."""

    top_dens: int = Field(20, ge=1, le=500)
    members_listed: int = Field(20, ge=1)
    vertices_drawn: int = Field(120, ge=2, le=2000)
    shared_items_listed: int = Field(10, ge=1)


class DensConfig(StrictModel):
    leiden_resolution: float = Field(1.0, gt=0)
    min_size: int = Field(5, ge=2)
    prior: PriorConfig = PriorConfig()
    core: CoreConfig = CoreConfig()
    core_selection: CoreSelectionConfig = CoreSelectionConfig()
    weights: WeightsConfig = WeightsConfig()
    min_jaccard_same_den: float = Field(0.3, gt=0, le=1)
    page: PageConfig = PageConfig()
