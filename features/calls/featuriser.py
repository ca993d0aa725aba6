"""Call featuriser: per-number profile DataFrame → numeric matrix in a fixed, fitted column order.

Training may see the contest table, extra per-number tables and graph features, or builder
output; every numeric column present at ``fit`` is used unless configured out. Some contest
columns cannot be rebuilt from raw CDRs, so scoring may lack them: the fitted featuriser fills
them with NaN (LightGBM's "unknown") and :meth:`CallFeaturiser.missing_columns` names them so
evaluation and prediction can say so instead of degrading silently. Extra columns are ignored.
``REASON_TEMPLATES`` turn a column and its value into a Chinese explanation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from configs.call import CallConfig

NON_FEATURE_COLUMNS = frozenset({"phone_no_m", "label", "fraud_type"})

REASON_TEMPLATES: dict[str, str] = {
    "voc_user_cnt": "通话对象 {value:.0f} 个",
    "initiative_voc_user_cnt": "外呼对象 {value:.0f} 个",
    "callees_per_active_day": "日均外呼对象 {value:.0f} 个",
    "calls_per_active_day": "日均通话 {value:.0f} 次",
    "voc_cnt": "通话 {value:.0f} 次",
    "call_type_1_cnt": "主叫 {value:.0f} 次",
    "call_type_1_ratio": "主叫占比 {value:.0%}",
    "call_type_2_ratio": "被叫占比 {value:.0%}",
    "call_type_3_ratio": "呼转占比 {value:.0%}",
    "daily_call_type_1_cnt": "日均主叫 {value:.0f} 次",
    "max_cnt_inner_day": "单日最多通话 {value:.0f} 次",
    "user_max_cnt_inner_day": "单日最多联系 {value:.0f} 个号码",
    "voc_user_mean_cnt": "平均每个对象通话 {value:.1f} 次",
    "voc_cnt_per_user": "平均每个对象通话 {value:.1f} 次",
    "short_call_ratio": "短通话占比 {value:.0%}",
    "night_call_ratio": "夜间通话占比 {value:.0%}",
    "callback_ratio": "外呼对象回拨率 {value:.0%}",
    "interactive_call_user_ratio": "双向通话对象占比 {value:.0%}",
    "interactive_call_user_cnt": "双向通话对象 {value:.0f} 个",
    "imei_cnt": "使用 {value:.0f} 台设备",
    "imei_sims": "同一设备 {value:.0f} 张卡",
    "idcard_cnt": "同一身份证 {value:.0f} 个号码",
    "active_days": "活跃 {value:.0f} 天",
    "initiative_call_active_days": "外呼活跃 {value:.0f} 天",
    "passive_call_active_days": "接听活跃 {value:.0f} 天",
    "call_activate_days_diff": "外呼与接听活跃天数差 {value:.0f} 天",
    "city_cnt": "外呼涉及 {value:.0f} 个城市",
    "county_cnt": "通话涉及 {value:.0f} 个区县",
    "initial_voc_county_cnt": "外呼涉及 {value:.0f} 个区县",
    "call_interval_mean": "平均通话间隔 {value:.0f} 秒",
    "call_interval_std": "通话间隔标准差 {value:.0f} 秒",
    "initiative_call_interval_mean": "平均外呼间隔 {value:.0f} 秒",
    "initiative_call_interval_std": "外呼间隔标准差 {value:.0f} 秒",
    "dur_mean": "平均通话时长 {value:.0f} 秒",
    "dur_median": "通话时长中位数 {value:.0f} 秒",
    "call_dur": "通话总时长 {value:.0f} 秒",
    "initial_call_dur_ratio": "主叫时长占比 {value:.0%}",
    "passive_call_dur_ratio": "被叫时长占比 {value:.0%}",
    "duration_days_mean": "与同一对象平均联系 {value:.1f} 天",
    "duration_days_max": "与同一对象最长联系 {value:.0f} 天",
    "sms_cnt": "短信 {value:.0f} 条",
    "sms_type_1_cnt": "发送短信 {value:.0f} 条",
    "sms_type_2_ratio": "接收短信占比 {value:.0%}",
    "passive_sms_active_days": "接收短信活跃 {value:.0f} 天",
    "sms_activate_days_diff": "发送与接收短信活跃天数差 {value:.0f} 天",
    "sms_user_cnt": "短信对象 {value:.0f} 个",
    "multiple_passive_sms_cnt": "同一时刻收到同一号码多条短信 {value:.0f} 次",
    "arpu": "月均消费 {value:.1f} 元",
    "app_cnt": "使用应用 {value:.0f} 个",
    "flow": "流量 {value:.0f}",
}


def reason_text(column: str, value: float) -> str:
    """Human-readable reason for one feature value; a plain ``column = value`` where no template."""
    template = REASON_TEMPLATES.get(column)
    return template.format(value=value) if template else f"{column} = {value:g}"


class CallFeaturiser(TransformerMixin, BaseEstimator):
    """Select profile columns in a fixed order; NaN for columns a profile lacks.

    Args:
        columns: candidate columns; None means every numeric column of the training frame
            except ids and labels. At ``fit`` the candidates present become the fixed order.
        exclude: columns never used (ablation, or a column judged unreliable).
    """

    def __init__(self, columns: tuple[str, ...] | None = None, exclude: tuple[str, ...] = ()) -> None:
        self.columns = columns
        self.exclude = exclude

    def fit(self, X: pd.DataFrame, y: object = None) -> "CallFeaturiser":
        candidates = self.columns if self.columns is not None else _numeric_columns(X)
        chosen = [c for c in candidates if c in X.columns and c not in set(self.exclude)]
        if not chosen:
            raise ValueError("no profile columns to use: the training frame has none of the candidate columns")
        self.columns_ = np.asarray(chosen, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "columns_")
        frame = X.reindex(columns=list(self.columns_))
        return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)

    def missing_columns(self, X: pd.DataFrame) -> list[str]:
        """Columns the model was trained on that ``X`` lacks (scored as unknown)."""
        check_is_fitted(self, "columns_")
        return [c for c in self.columns_ if c not in X.columns]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "columns_")
        return self.columns_.copy()


def _numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in NON_FEATURE_COLUMNS and pd.api.types.is_numeric_dtype(frame[c])]


def build_call_featuriser(config: CallConfig) -> CallFeaturiser:
    """Unfitted featuriser from ``configs/call.yaml`` (the factory the trainer calls)."""
    return CallFeaturiser(exclude=config.features.excluded_columns)
