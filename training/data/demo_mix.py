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
from training.data.demo_sms import generate_demo_sms
from training.data.sms.dedupe import drop_duplicates


def demo_mix_rows(n_real: int, mix: DemoMixConfig) -> pd.DataFrame:
    """The ``round(share × n_real)`` generated messages mixed into ``n_real`` real rows."""
    return generate_demo_sms(round(mix.share * n_real), seed=mix.seed)


def with_demo_mix(real: pd.DataFrame, mix: DemoMixConfig) -> tuple[pd.DataFrame, int]:
    """``real`` plus its demo mix, deduplicated (a real row wins over a generated copy); returns
    the frame and how many generated rows it gained."""
    generated = demo_mix_rows(len(real), mix)
    if generated.empty:
        return real, 0
    merged = drop_duplicates(pd.concat([real, generated.reindex(columns=real.columns)], ignore_index=True)).frame
    return merged, len(merged) - len(real)
