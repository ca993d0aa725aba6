"""features/metadata.py: sender kinds, hour of day and the columns they fill."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from features.sms.metadata import HOUR_FEATURE, NIGHT_FEATURE, SENDER_KINDS, MetadataFeatures, hour_of_day, sender_kind


@pytest.mark.parametrize(
    "sender, kind",
    [
        ("1069012345", "service_code"),
        ("10690123456789", "service_code"),
        ("95588", "service_code"),
        ("10086", "service_code"),
        ("13812345678", "mobile"),
        ("+86 138 1234 5678", "mobile"),
        ("008613812345678", "mobile"),
        ("17012345678", "virtual_operator"),
        ("17112345678", "virtual_operator"),
        ("16512345678", "virtual_operator"),
        ("16712345678", "virtual_operator"),
        ("+447911123456", "foreign"),
        ("0044791112345", "foreign"),
        ("01012345678", "landline"),
        ("0755-12345678", "landline"),
        ("12345", "other"),
        (None, "unknown"),
        ("", "unknown"),
        ("   ", "unknown"),
        (float("nan"), "unknown"),
    ],
)
def test_sender_kind(sender: object, kind: str) -> None:
    assert sender_kind(sender) == kind


@pytest.mark.parametrize(
    "sent_at, hour",
    [
        ("2025-01-01T09:07:44", 9.0),
        ("2025-01-01 23:59:00", 23.0),
        ("2025-01-01T03:00:00Z", 3.0),
        ("2025-01-01T03:00:00+08:00", 3.0),
        (datetime(2025, 1, 1, 4), 4.0),
    ],
)
def test_hour_of_day(sent_at: object, hour: float) -> None:
    assert hour_of_day(sent_at) == hour


@pytest.mark.parametrize("sent_at", ["yesterday", "", "2025-13-01T00:00:00", None, 12345, float("nan")])
def test_unparsable_time_is_nan(sent_at: object) -> None:
    assert math.isnan(hour_of_day(sent_at))


def test_columns_follow_feature_names() -> None:
    records = pd.DataFrame(
        {"sender": ["1069012345", "17012345678", None], "sent_at": ["2025-01-01T03:10:00", "2025-01-01T14:00:00", "bad"]}
    )
    features = MetadataFeatures().fit(records)
    names = list(features.get_feature_names_out())
    matrix = features.transform(records)
    assert matrix.shape == (3, len(names))
    column = {name: matrix[:, i] for i, name in enumerate(names)}
    assert column[SENDER_KINDS["service_code"]].tolist() == [1, 0, 0]
    assert column[SENDER_KINDS["virtual_operator"]].tolist() == [0, 1, 0]
    assert column[SENDER_KINDS["unknown"]].tolist() == [0, 0, 1]
    assert matrix[:, : len(SENDER_KINDS)].sum(axis=1).tolist() == [1, 1, 1]  # exactly one kind each
    assert column[HOUR_FEATURE][:2].tolist() == [3, 14]
    assert column[NIGHT_FEATURE][:2].tolist() == [1, 0]
    assert np.isnan(column[HOUR_FEATURE][2]) and np.isnan(column[NIGHT_FEATURE][2])


def test_records_without_metadata_columns_score_as_unknown_sender() -> None:
    features = MetadataFeatures().fit(pd.DataFrame({"text": ["a"]}))
    matrix = features.transform(pd.DataFrame({"text": ["a", "b"]}))
    unknown = list(features.get_feature_names_out()).index(SENDER_KINDS["unknown"])
    assert matrix[:, unknown].tolist() == [1, 1]
