"""Campaign purity: do the messages grouped together carry one label?

Over campaigns of at least ``min_size`` messages, purity is the share of their messages whose
campaign's majority label is their own. A campaign is only useful to an analyst (and as a fold
group or a template to confirm) when it is pure, so this is the grouping's quality figure; the
share of all messages that land in such campaigns says how much the grouping covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Purity:
    purity: float
    messages_in_campaigns: int
    messages: int
    campaigns: int

    @property
    def coverage(self) -> float:
        """Share of all messages that are in a campaign of at least ``min_size``."""
        return self.messages_in_campaigns / self.messages if self.messages else float("nan")


def campaign_purity(campaign: np.ndarray, labels: np.ndarray, min_size: int) -> Purity:
    """Purity of the campaigns (``campaign`` number per message) of at least ``min_size`` messages."""
    table = pd.DataFrame({"campaign": campaign, "label": labels})
    sizes = table.groupby("campaign")["label"].transform("size")
    kept = table[sizes >= min_size]
    if kept.empty:
        return Purity(float("nan"), 0, len(table), 0)
    majority = kept.groupby(["campaign", "label"]).size().groupby(level="campaign").max()
    return Purity(float(majority.sum() / len(kept)), len(kept), len(table), int(kept["campaign"].nunique()))
