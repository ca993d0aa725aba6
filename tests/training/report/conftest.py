"""Synthetic report inputs: a model whose scores separate the classes imperfectly."""

from __future__ import annotations

import numpy as np
import pytest

from training.report.inputs import EvalData, ModelRun

FRAUD_TYPES = ("冒充公检法", "刷单返利", "贷款征信", "中奖")
SENDERS = ("10658888", "13912345678", "17012345678", "+447911123456", None)


@pytest.fixture()
def report_inputs() -> tuple[EvalData, ModelRun, ModelRun]:
    """(data, model, other) with Chinese texts, fraud types, senders, reasons and a reference sample."""
    rng = np.random.default_rng(0)
    n = 600
    labels = (rng.random(n) < 0.3).astype(int)
    scores = np.clip(labels * 0.5 + rng.normal(0.25, 0.2, n), 0, 1)
    texts = [f"【银行】您尾号1234的账户收到转账，如有疑问致电13812345678 {i}" for i in range(n)]
    texts[int(np.argmax(np.where(labels == 0, scores, -1)))] = "<script>alert('x')</script>请点击 http://t.cn/abc 领取补贴"
    data = EvalData(
        labels=labels,
        texts=texts,
        ids=[f"m{i}" for i in range(n)],
        fraud_types=[FRAUD_TYPES[i % 4] if label else None for i, label in enumerate(labels)],
        senders=[SENDERS[i % 5] for i in range(n)],
    )
    features = {f"词: 安全账户_{i}": rng.random(n) for i in range(4)}
    model = ModelRun(
        name="yunmao-sms v2", scores=scores, block=0.8, warn=0.6,
        reasons=[["含有短链接", "出现“安全账户”"]] * n,
        importances={name: float(i + 1) for i, name in enumerate(features)},
        features=features,
        reference_scores=rng.random(800),
        reference_features={name: rng.random(800) + 0.4 for name in features},
    )
    other = ModelRun(name="yunmao-sms v1", scores=np.clip(scores + rng.normal(0, 0.15, n), 0, 1), block=0.85, warn=0.55)
    return data, model, other
