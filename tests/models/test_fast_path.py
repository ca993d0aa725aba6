"""The optimised scoring path decides exactly as the straightforward one it replaced.

Reference: sklearn's own ``TfidfVectorizer.transform`` and the per-column pandas preprocessing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.sms import factory, text
from features.sms.normalise import normalise_text
from features.sms.preprocess import METADATA_COLUMNS
from features.sms.tokenise import tokenise
from training.data.demo_sms import generate_demo_sms


def _reference_preprocess(records: pd.DataFrame) -> pd.DataFrame:
    norm = [normalise_text(t) for t in records["text"].astype(str)]
    frame = pd.DataFrame({"norm": norm, "tokens": [" ".join(tokenise(t)) for t in norm]}, index=records.index)
    for column in METADATA_COLUMNS:
        frame[column] = records[column].to_numpy(dtype=object) if column in records else None
    return frame


def test_fast_path_matches_reference(demo_model, monkeypatch):
    records = generate_demo_sms(n=300, seed=7)
    records.loc[records.index[:5], "sender"] = None
    fast = [demo_model.decide(records.iloc[[i]])[0] for i in range(40)] + demo_model.decide(records.iloc[40:])
    with monkeypatch.context() as patch:
        patch.setattr(text, "tfidf_transform", lambda vectoriser, documents: vectoriser.transform(documents))
        patch.setattr(factory, "prepare_records", _reference_preprocess)
        reference = demo_model.decide(records)
    assert any(d.action != "allow" for d in reference) and any(d.reasons for d in reference)
    np.testing.assert_allclose([d.score for d in fast], [d.score for d in reference], rtol=0, atol=1e-9)
    assert [(d.action, d.fraud_type, d.reasons) for d in fast] == [(d.action, d.fraud_type, d.reasons) for d in reference]
    np.testing.assert_allclose(
        [d.fraud_type_score or 0.0 for d in fast], [d.fraud_type_score or 0.0 for d in reference], rtol=0, atol=1e-9
    )
