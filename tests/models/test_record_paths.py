"""One feature code path: a frame of messages (training, batch scoring) and the service's record
dicts, one at a time or already normalised, give identical features and decisions on real SMS."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from features.sms.preprocess import normalise_records
from models.scam_model import ScamModel
from tests.conftest import shared_data
from training.data.sms.load import load_unlabelled

MESSAGES = 120


def _real_records() -> pd.DataFrame:
    frame = load_unlabelled([shared_data("mudou_spam", "mudou_spam.train")]).frame
    sample = frame.sample(MESSAGES, random_state=5).reset_index(drop=True)
    records = pd.DataFrame({"text": sample["text"], "sender": None, "sent_at": None})
    records.loc[::3, "sender"] = "17012345678"  # metadata travels both paths too
    records.loc[::4, "sent_at"] = "2026-11-30T02:15:00+08:00"
    return records


def test_frame_and_single_record_paths_give_identical_features_and_decisions(demo_model: ScamModel) -> None:
    frame = _real_records()
    dicts = frame.to_dict("records")

    batch_features = demo_model.features(frame)
    single_features = sp.vstack([demo_model.features([record]) for record in dicts], format="csr")
    np.testing.assert_array_equal(single_features.toarray(), batch_features.toarray())  # NaN (no timestamp) equals NaN

    batch = demo_model.decide(frame)
    singles = [demo_model.decide([record])[0] for record in dicts]
    normalised = demo_model.decide(normalise_records(dicts))
    assert any(d.action != "allow" and d.reasons for d in batch)  # the explained path ran
    for decisions in (singles, normalised):  # watched feature values compared apart: NaN (no timestamp) equals NaN
        assert [replace(d, watched=None) for d in decisions] == [replace(d, watched=None) for d in batch]
        np.testing.assert_array_equal([d.watched for d in decisions], [d.watched for d in batch])
    np.testing.assert_array_equal([d.score for d in singles], [d.score for d in batch])
