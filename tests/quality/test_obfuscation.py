"""Issue #11: "nothing lost on obfuscated text". On one held-out mudou fold, yunmao and the
baseline (trained on the same development part) score the held-out rows clean and with the
unwanted rows respelt as scammers do (training/obfuscate.py, configs/obfuscation.yaml; ham stays
clean, so a threshold set on the clean ham holds in both views). One fit serves every view.
docs/benchmarks.md ("Obfuscated scam text") has the full table from benchmarks/obfuscation.py.

What holds, and is asserted: yunmao ranks and catches at FPR 1% at least as well as the baseline on
the obfuscated rows (this fold: ROC-AUC +0.0105, lower 95% bound +0.0059; recall +0.147, lower bound
+0.026; on benchmarks/obfuscation.py's two pooled folds the recall gap is +0.014 [-0.060, +0.201],
within noise), loses nothing to the evasions its normaliser undoes, and its loss to every evasion together
stays near what was measured. What does not hold, and is not asserted: "nothing lost" overall.
Respelt, yunmao lost about 0.005 ROC-AUC and 0.12 recall at FPR 1% here when this test was written,
most of it to look-alike characters; since digits spelt with letters (session 22), letters of other
scripts and Chinese-digit numbers (session 24) are read back, what is left is mostly pinyin initials
(docs/benchmarks.md, "Letters of other scripts and numbers in Chinese digits").
"""

from __future__ import annotations

import pytest

from configs.obfuscation import load_obfuscation_config
from configs.sms import SmsConfig
from tests.conftest import shared_data
from tests.quality.conftest import FOLDS, SEED
from training.compare import compare_with_baseline
from training.data.sms import load_labelled
from training.metrics import recall_key
from training.obfuscate import unwanted_obfuscated

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

RECALL_AT_1 = recall_key(0.01)
OBFUSCATED = "obfuscated"
# Evasions the normaliser undoes before any model sees the text (benchmarks/obfuscation.py: every
# respelt mudou message normalises back to its clean form): yunmao must lose exactly nothing there.
UNDONE = ("full_width", "zero_width")
# yunmao's drop, clean − obfuscated, every evasion at the shipped strength (0.2), on this fold (95%
# paired bootstrap intervals; a scratch run of this fixture's comparison in each tree): when this test
# was written (session 21) ROC-AUC 0.0047 [0.0031, 0.0064] and recall at FPR 1% 0.125 [0.075, 0.172];
# just before session 24 (c2b29a3, digits spelt with letters already read back) 0.0040 [0.0027, 0.0053]
# and 0.080 [0.039, 0.110]; since look-alike letters of other scripts and Chinese-digit numbers are
# read back too (session 24) 0.0021 [0.0013, 0.0030] and 0.040 [0.018, 0.057]. The bounds sit above
# the current intervals, so sampling noise does not fail the test, and below the c2b29a3 figures, so
# undoing session 24's normaliser change (or anything costing as much) does.
MAX_ROC_AUC_DROP = 0.0035
MAX_RECALL_DROP = 0.07


@pytest.fixture(scope="module")
def respelt(shipped_sms_config: SmsConfig) -> dict:
    """``compare_with_baseline``'s ``variants`` for one held-out fold: one fit, three respelt views."""
    frame = load_labelled([shared_data("mudou_spam", "mudou_spam.train")]).frame
    obfuscation = load_obfuscation_config()
    variants = {OBFUSCATED: unwanted_obfuscated(obfuscation),
                **{evasion: unwanted_obfuscated(obfuscation.only(evasion)) for evasion in UNDONE}}
    result = compare_with_baseline(frame, shipped_sms_config, FOLDS, SEED, max_folds=1, variants=variants)
    return result["variants"]


def test_yunmao_holds_up_at_least_as_well_as_the_baseline_on_obfuscated_scams(respelt: dict) -> None:
    yunmao, baseline = respelt[OBFUSCATED]["yunmao"], respelt[OBFUSCATED]["baseline"]
    for metric in ("roc_auc", RECALL_AT_1):
        assert yunmao[metric] >= baseline[metric], (metric, yunmao[metric], baseline[metric])


def test_yunmao_loses_little_to_obfuscation(respelt: dict) -> None:
    drop = respelt[OBFUSCATED]["drop"]["yunmao"]
    assert drop["roc_auc"] <= MAX_ROC_AUC_DROP, drop
    assert drop[RECALL_AT_1] <= MAX_RECALL_DROP, drop


@pytest.mark.parametrize("evasion", UNDONE)
def test_yunmao_loses_nothing_to_what_its_normaliser_undoes(respelt: dict, evasion: str) -> None:
    drop = respelt[evasion]["drop"]["yunmao"]
    assert drop["roc_auc"] <= 0 and drop[RECALL_AT_1] <= 0, drop
