"""Quality on real, public data the model never saw (held-out groups, deduplicated).

yunmao must beat the afternoon baseline (char 1–3-gram TF-IDF + LogisticRegression, trained
on the same development part) on ROC-AUC, PR-AUC and best F1, and name fraud types with
macro-F1 >= 0.98 on Telecom_Fraud_Texts_5. README's table comes from benchmarks/quality.py,
which repeats this over several seeds.
"""

from __future__ import annotations

import pytest

from configs import default_config_path, load_config
from configs.sms import SmsConfig
from tests.conftest import shared_data
from training.compare import COMPARED, compare_with_baseline
from training.loaders import load_labelled

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
HELD_OUT = 0.25
SEED = 0


@pytest.fixture(scope="module")
def config() -> SmsConfig:
    return load_config(default_config_path("sms"), SmsConfig)


@pytest.mark.parametrize(
    "path",
    [("mudou_spam", "mudou_spam.train"), ("uci_sms_spam", "SMSSpamCollection.train30")],
    ids=["mudou_spam", "uci_sms_spam"],
)
def test_beats_char_tfidf_logistic_regression_on_held_out_data(path: tuple[str, str], config: SmsConfig) -> None:
    frame = load_labelled([shared_data(*path)]).frame
    result = compare_with_baseline(frame, config, HELD_OUT, SEED)
    for metric in COMPARED:
        assert result["yunmao"][metric] > result["baseline"][metric], (metric, result["yunmao"], result["baseline"])


def test_fraud_type_macro_f1_on_telecom_fraud_texts(config: SmsConfig) -> None:
    files = sorted(shared_data("telecom_fraud_texts_5").glob("label0*-last.csv"))
    assert len(files) == 5
    result = compare_with_baseline(load_labelled(files).frame, config, HELD_OUT, SEED)
    assert result["yunmao"]["fraud_type_n"] > 500
    assert result["yunmao"]["fraud_type_macro_f1"] >= 0.98
