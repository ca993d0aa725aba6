"""yunmao must beat the afternoon baseline (char 1–3-gram TF-IDF + LogisticRegression, trained
on the same development part) on data the model never saw (held-out groups, deduplicated).
README's table comes from benchmarks/quality.py, which repeats this over several seeds.
Here: UCI SMS Spam Collection (English).
"""

from __future__ import annotations

import pytest

from configs.sms import SmsConfig
from tests.conftest import shared_data
from tests.quality.conftest import FOLDS, SEED
from training.compare import compare_with_baseline
from training.data.sms import load_labelled

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

# On UCI, ROC-AUC ties within noise (4-fold CV: 0.9967 vs 0.9970; both rank ~99.7% of
# spam/ham pairs right). That shortfall is reported in the issue; this bound keeps it from growing.
UCI_ROC_AUC_TOLERANCE = 0.001


def test_beats_baseline_on_uci_pr_auc_and_f1(shipped_sms_config: SmsConfig) -> None:
    # 1.6k messages, 237 spam: every fold is held out once so each message counts.
    frame = load_labelled([shared_data("uci_sms_spam", "SMSSpamCollection.train30")]).frame
    result = compare_with_baseline(frame, shipped_sms_config, FOLDS, SEED)
    yunmao, baseline = result["yunmao"], result["baseline"]
    assert yunmao["pr_auc"] > baseline["pr_auc"], (yunmao, baseline)
    assert yunmao["best_f1"] > baseline["best_f1"], (yunmao, baseline)
    assert yunmao["roc_auc"] > baseline["roc_auc"] - UCI_ROC_AUC_TOLERANCE, (yunmao, baseline)
