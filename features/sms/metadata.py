"""Sender and timing features from SMS metadata, when the carrier sends it.

Legitimate bulk SMS comes from 106 service codes; scams lean on ordinary mobiles, virtual-
operator ranges (170/171/165/167, cheap and loosely registered) and foreign numbers, and on
odd hours. Absent metadata is its own category, so models trained without it still score.
"""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from features.fitted import require_fitted

SENDER_KINDS = {
    "service_code": "发送方: 106等服务号码",
    "mobile": "发送方: 普通手机号",
    "virtual_operator": "发送方: 虚拟运营商号段",
    "landline": "发送方: 固定电话",
    "foreign": "发送方: 境外号码",
    "other": "发送方: 其他号码",
    "unknown": "发送方: 未知",
}
HOUR_FEATURE = "发送时刻(时)"
NIGHT_FEATURE = "夜间发送"
_NON_DIGIT = re.compile(r"[^\d+]")
_VIRTUAL_PREFIXES = ("170", "171", "162", "165", "167")
_NIGHT_HOURS = frozenset({0, 1, 2, 3, 4, 5})


def sender_kind(sender: object) -> str:
    """Classify a sender number into one of :data:`SENDER_KINDS` keys."""
    if not isinstance(sender, str) or not sender.strip():
        return "unknown"
    number = _NON_DIGIT.sub("", sender.strip())
    if number.startswith("+") and not number.startswith("+86"):
        return "foreign"
    if number.startswith("00") and not number.startswith("0086"):
        return "foreign"
    number = re.sub(r"^(\+86|0086)", "", number).lstrip("+")
    if number.startswith(("106", "95", "96", "10")) and len(number) <= 20 and not re.fullmatch(r"1[3-9]\d{9}", number):
        return "service_code"
    if re.fullmatch(r"1[3-9]\d{9}", number):
        return "virtual_operator" if number.startswith(_VIRTUAL_PREFIXES) else "mobile"
    if re.fullmatch(r"0\d{9,11}", number):
        return "landline"
    return "other"


def hour_of_day(sent_at: object) -> float:
    """Hour (0–23) of an ISO timestamp, or NaN when absent or unparsable."""
    if isinstance(sent_at, datetime):
        return float(sent_at.hour)
    if not isinstance(sent_at, str) or not sent_at.strip():
        return float("nan")
    try:
        return float(datetime.fromisoformat(sent_at.strip().replace("Z", "+00:00")).hour)
    except ValueError:
        return float("nan")


class MetadataFeatures(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Records with ``sender``/``sent_at`` → one-hot sender kind, hour of day, night flag."""

    def fit(self, records: pd.DataFrame, y=None) -> MetadataFeatures:
        self.names_ = np.array(list(SENDER_KINDS.values()) + [HOUR_FEATURE, NIGHT_FEATURE], dtype=object)
        return self

    def transform(self, records: pd.DataFrame) -> np.ndarray:
        require_fitted(self, "names_")
        kinds = list(SENDER_KINDS)
        senders = records["sender"] if "sender" in records else [None] * len(records)
        times = records["sent_at"] if "sent_at" in records else [None] * len(records)
        out = np.zeros((len(records), len(self.names_)), dtype=np.float32)
        for row, (sender, sent_at) in enumerate(zip(senders, times, strict=False)):
            out[row, kinds.index(sender_kind(sender))] = 1.0
            hour = hour_of_day(sent_at)
            out[row, len(kinds)] = hour
            out[row, len(kinds) + 1] = np.nan if np.isnan(hour) else float(int(hour) in _NIGHT_HOURS)
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        require_fitted(self, "names_")
        return self.names_
