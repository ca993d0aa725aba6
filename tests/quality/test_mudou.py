"""yunmao must beat the afternoon baseline (char 1–3-gram TF-IDF + LogisticRegression, trained
on the same development part) on data the model never saw (held-out groups, deduplicated).
README's table comes from benchmarks/quality.py, which repeats this over several seeds.
Here: mudou (Chinese, advertising spam vs ham).
"""

from __future__ import annotations

import pytest

from configs.sms import SmsConfig
from tests.conftest import shared_data
from tests.quality.conftest import FOLDS, SEED
from training.compare import COMPARED, compare_with_baseline
from training.data.sms import load_labelled

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_beats_char_tfidf_logistic_regression_on_mudou(shipped_sms_config: SmsConfig) -> None:
    # 6.7k messages and a wide margin: one held-out quarter keeps CI fast.
    frame = load_labelled([shared_data("mudou_spam", "mudou_spam.train")]).frame
    result = compare_with_baseline(frame, shipped_sms_config, FOLDS, SEED, max_folds=1)
    for metric in COMPARED:
        assert result["yunmao"][metric] > result["baseline"][metric], (metric, result["yunmao"], result["baseline"])
