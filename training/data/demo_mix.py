"""Demo generator messages mixed into real SMS training data (``demo_mix`` of configs/sms.yaml).

The real sets teach "advertising = unwanted" but hold few of the fraud scripts the anti-fraud
centre warns about; the demo generator writes every fraud type of the taxonomy, and ordinary
messages beside them. Mixed in at a share of the real rows, it teaches the scripts without
drowning the real data. The rows are a function of the real row count and the seed only, so the
retraining round can name them (to keep them out of its evaluation set) before the trainer draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from configs.sms import DemoMixConfig
from features.sms.normalise import normalise_text
from training.data.demo_sms import generate_demo_sms
from training.data.sms.dedupe import drop_duplicates


def demo_mix_rows(n_real: int, mix: DemoMixConfig) -> pd.DataFrame:
    """The ``round(share × n_real)`` generated messages mixed into ``n_real`` real rows."""
    return generate_demo_sms(round(mix.share * n_real), seed=mix.seed)


@dataclass(frozen=True)
class DemoMix:
    """What mixing gave: the training ``frame`` (the real rows, then the generated ones) and the
    generated rows ``added`` on their own, so a caller never has to know where in ``frame`` they lie."""

    frame: pd.DataFrame
    added: pd.DataFrame


def unmixed(real: pd.DataFrame) -> DemoMix:
    """``real`` as it is, no generated row added."""
    return DemoMix(real, real.iloc[:0])


def with_demo_mix(real: pd.DataFrame, mix: DemoMixConfig) -> DemoMix:
    """``real`` untouched, then one copy of each generated message whose normalised text no real
    row has (``added``, in ``real``'s columns).

    The real rows keep the copies the trainer's ``duplicates`` setting left them (deduplicating the
    union would cut them back to one) and their own labels (a real row wins over a generated copy).
    """
    generated = demo_mix_rows(len(real), mix)
    if generated.empty:
        return unmixed(real)
    generated = drop_duplicates(generated).frame
    added = generated[~generated["text"].map(normalise_text).isin(set(real["text"].map(normalise_text)))]
    added = added.reindex(columns=real.columns)
    return DemoMix(pd.concat([real, added], ignore_index=True), added)
