"""features/sms/template_memory.py: a campaign's labelled copies as features, never a row's own label."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from features.sms.normalise import normalise_text
from features.sms.template_memory import TemplateMemory, template_key
from features.sms.text import duplicate_folds

# Five campaigns of six variants each (only the digits change, so one template per campaign),
# every variant a distinct normalised text; campaigns 0-2 labelled unwanted, 3-4 normal.
CAMPAIGNS = [
    "您的快递丢失，我司将赔偿{n}元，请回复{n}办理",
    "恭喜您获得{n}元红包，点击领取，回T退订{n}",
    "您尾号{n}的账户存在风险，请在{n}分钟内验证",
    "会议改到下午{n}点，在{n}号会议室",
    "妈，我今天{n}点到家，晚饭留{n}个菜",
]
LABELS = [1, 1, 1, 0, 0]
VARIANTS = 6
SMOOTHING = 2.0


def _norm(campaign: int, variant: int) -> str:
    return normalise_text(CAMPAIGNS[campaign].format(n=10 * variant + campaign + 1))


@pytest.fixture(scope="module")
def training() -> tuple[list[str], np.ndarray]:
    norms = [_norm(c, v) for c in range(len(CAMPAIGNS)) for v in range(VARIANTS)]
    labels = np.array([LABELS[c] for c in range(len(CAMPAIGNS)) for _ in range(VARIANTS)])
    return norms, labels


def _memory() -> TemplateMemory:
    return TemplateMemory(smoothing=SMOOTHING, folds=3, random_state=0)


def test_variants_of_one_campaign_share_a_key() -> None:
    assert template_key(_norm(0, 1)) == template_key(_norm(0, 4))
    assert template_key(_norm(0, 1)) != template_key(_norm(1, 1))


def test_a_training_row_reads_a_memory_that_never_saw_it(training) -> None:
    """Each row's training columns are exactly what a memory fitted without the row's fold serves it."""
    norms, labels = training
    columns = _memory().fit_transform(norms, labels)
    for fitted, scored in duplicate_folds(labels, np.asarray(norms, dtype=object), 3, 0):
        blind = _memory().fit([norms[i] for i in fitted], labels[fitted])
        np.testing.assert_array_equal(columns[scored], blind.transform([norms[i] for i in scored]))
    assert np.isfinite(columns[:, 1]).any()  # some rows do see labelled copies from other folds


def test_training_rows_count_only_other_folds(training) -> None:
    """Out of fold: a row's template count is below the training total (its own fold is missing)."""
    norms, labels = training
    columns = _memory().fit_transform(norms, labels)
    seen = np.expm1(columns[:, 0])
    assert (seen < VARIANTS).all() and (seen > 0).all()


def test_copies_of_one_text_share_a_fold() -> None:
    """Exact copies of a text never count each other: a campaign of one text, copied, is unseen."""
    norms = [_norm(0, 0)] * 4 + [_norm(3, v) for v in range(8)]
    labels = np.array([1] * 4 + [0] * 8)
    columns = _memory().fit_transform(norms, labels)
    assert (columns[:4, 0] == 0).all() and np.isnan(columns[:4, 1:]).all()


def test_serving_reads_the_memory_of_every_training_row(training) -> None:
    norms, labels = training
    memory = _memory().fit(norms, labels)
    new_variant = normalise_text(CAMPAIGNS[0].format(n=97))
    seen, unwanted, share = memory.transform([new_variant])[0]
    prior = labels.mean()
    assert seen == pytest.approx(math.log1p(VARIANTS))
    assert unwanted == VARIANTS
    assert share == pytest.approx((VARIANTS + SMOOTHING * prior) / (VARIANTS + SMOOTHING))
    normal_seen, normal_unwanted, normal_share = memory.transform([_norm(3, 0)])[0]
    assert normal_seen == pytest.approx(math.log1p(VARIANTS))
    assert math.isnan(normal_unwanted)  # no labelled unwanted copy: nothing to say
    assert normal_share == pytest.approx(SMOOTHING * prior / (VARIANTS + SMOOTHING))


def test_an_unseen_template_reads_unseen(training) -> None:
    memory = _memory().fit(*training)
    seen, unwanted, share = memory.transform([normalise_text("周末一起去爬山吗？带上水和零食")])[0]
    assert seen == 0 and math.isnan(unwanted) and math.isnan(share)


def test_the_fitted_memory_holds_keys_not_texts(training) -> None:
    norms, labels = training
    memory = _memory().fit(norms, labels)
    blob = pickle.dumps(memory)
    assert "快递".encode() not in blob and "快递".encode("utf-16-le") not in blob
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.transform(norms), memory.transform(norms))
