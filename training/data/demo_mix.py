"""Demo generator messages mixed into real SMS training data (``demo_mix`` of configs/sms.yaml).

The real sets teach "advertising = unwanted" but hold few of the fraud scripts the anti-fraud
centre warns about; the demo generator writes every fraud type of the taxonomy, and ordinary
messages beside them. Mixed in at a share of the real rows, it teaches the scripts without
drowning the real data. The rows are a function of the real row count and the seed only, so the
retraining round can name them (to keep them out of its evaluation set) before the trainer draws them.
"""

from __future__ import annotations

import pandas as pd

from configs.sms import DemoMixConfig
from features.sms.normalise import normalise_text
from training.data.demo_sms import generate_demo_sms
from training.data.sms.dedupe import drop_duplicates


def demo_mix_rows(n_real: int, mix: DemoMixConfig) -> pd.DataFrame:
    """The ``round(share × n_real)`` generated messages mixed into ``n_real`` real rows."""
    return generate_demo_sms(round(mix.share * n_real), seed=mix.seed)


def with_demo_mix(real: pd.DataFrame, mix: DemoMixConfig) -> tuple[pd.DataFrame, int]:
    """``real`` untouched, then one copy of each generated message whose normalised text no real
    row has; returns the frame and how many generated rows it gained.

    The real rows keep the copies the trainer's ``duplicates`` setting left them (deduplicating the
    union would cut them back to one) and their own labels (a real row wins over a generated copy).
    """
    generated = demo_mix_rows(len(real), mix)
    if generated.empty:
        return real, 0
    generated = drop_duplicates(generated).frame
    new = generated[~generated["text"].map(normalise_text).isin(set(real["text"].map(normalise_text)))]
    return pd.concat([real, new.reindex(columns=real.columns)], ignore_index=True), len(new)
