"""Per-number behaviour profiles from call-detail records (CDR → one row per ``phone_no_m``).

Columns that exist in the contest table ``number_features_train.csv`` keep its name AND its
definition, quirks included, so a model trained on that table scores builder output the same
way (checked against the raw sample numbers in ``tests/features/test_call_profiles.py``):

* ``voc_user_max_cnt`` is the *smallest* and ``voc_user_min_cnt`` the *largest* number of calls
  with one callee (the contest's names are swapped; its values are what we reproduce);
* ``call_interval_*`` is the gap from the end of one call to the start of the next, taken
  modulo one day (the contest used ``Timedelta.seconds``), so it lies in [0, 86400);
* ``std`` is the sample standard deviation, 0 where only one value exists; numbers with no
  activity of a kind get 0 when that table was supplied (contest convention) and NaN when the
  table is absent altogether (unknown, not zero).

Further columns (``callees_per_active_day``, ``short_call_ratio``, ``night_call_ratio``,
``callback_ratio``, ``imei_sims``, ``dur_*``, ``county_cnt``…) add what the issue asks for.
Everything is vectorised over integer codes; no Python loop runs per number or per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from configs.call import ProfileConfig, WindowConfig

DAY_SECONDS = 86400
STATS = ("min", "max", "mean", "median", "std")
CALL_TYPE_NAMES = {1: "initial", 2: "passive", 3: "turn"}

VOC_COLUMNS = (
    "voc_cnt", "voc_user_cnt", "user_cnt", "voc_cnt_per_user",
    "voc_user_max_cnt", "voc_user_min_cnt", "voc_user_mean_cnt", "voc_user_median_cnt", "voc_user_std_cnt",
    "user_max_cnt_inner_day", "user_min_cnt_inner_day", "max_cnt_inner_day", "min_cnt_inner_day",
    "call_type_1_cnt", "call_type_2_cnt", "call_type_3_cnt",
    "call_type_1_ratio", "call_type_2_ratio", "call_type_3_ratio",
    "active_days", "city_cnt",
    *(f"call_interval_{s}" for s in STATS), *(f"initiative_call_interval_{s}" for s in STATS),
    "imei_cnt", "initial_voc_county_cnt", "passive_voc_county", "turn_voc_county",
    "call_dur", "turn_call_dur", "initial_call_dur", "passive_call_dur",
    "passive_call_dur_ratio", "initial_call_dur_ratio", "turn_call_dur_ratio",
    "passive_call_daily_dur", "initial_call_daily_dur", "turn_call_daily_dur",
    "daily_call_type_1_cnt", "daily_call_type_2_cnt", "daily_call_type_3_cnt",
    "initiative_call_active_days", "passive_call_active_days", "call_activate_days_diff",
    "interactive_call_user_cnt", "interactive_call_user_ratio",
    *(f"duration_days_{s}" for s in STATS),
    # beyond the contest table
    "initiative_voc_user_cnt", "calls_per_active_day", "callees_per_active_day",
    *(f"dur_{s}" for s in STATS), "short_call_ratio", "night_call_ratio", "callback_ratio",
    "county_cnt", "imei_sims",
)
SMS_COLUMNS = (
    "sms_cnt", "sms_type_1_cnt", "sms_type_2_cnt", "sms_type_1_ratio", "sms_type_2_ratio",
    *(f"sms_type_1_{s}_cnt_per_interval" for s in ("min", "max", "avg", "median", "std")),
    "multiple_initial_sms_cnt", "multiple_passive_sms_cnt",
    "initiative_sms_active_days", "passive_sms_active_days", "sms_activate_days_diff",
    "interactive_sms_user_cnt", "interactive_sms_user_ratio", "sms_user_cnt",
)
USER_COLUMNS = ("idcard_cnt", "arpu")
APP_COLUMNS = ("app_cnt", "flow")
PROFILE_COLUMNS = (*VOC_COLUMNS, *SMS_COLUMNS, *USER_COLUMNS, *APP_COLUMNS)


def in_window(times: pd.Series, window: WindowConfig, latest: pd.Timestamp | None) -> pd.Series:
    """Boolean mask of ``times`` inside the window (``last_days`` counts back from ``latest``)."""
    mask = times.notna()
    if window.last_days is not None and latest is not None:
        start = latest.normalize() - pd.Timedelta(days=window.last_days - 1)
        return mask & (times >= start)
    if window.start is not None:
        mask &= times >= pd.Timestamp(window.start)
    if window.end is not None:
        mask &= times < pd.Timestamp(window.end)
    return mask


def group_stats(values: np.ndarray, groups: np.ndarray, prefix: str, names: Iterable[str] = STATS) -> pd.DataFrame:
    """min/max/mean/median/sample-std of ``values`` per group code, std 0 for single values."""
    frame = pd.Series(values).groupby(groups).agg(list(STATS))
    frame["std"] = frame["std"].fillna(0.0)
    frame.columns = [f"{prefix}{name}" for name in names]
    return frame


def nunique_by(groups: np.ndarray, values: np.ndarray) -> pd.Series:
    """Distinct non-missing ``values`` per group code (values are integer codes, -1 = missing)."""
    keep = values >= 0
    pairs = pd.DataFrame({"g": groups[keep], "v": values[keep]}).drop_duplicates()
    return pairs.groupby("g").size()


def safe_divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Contest convention: x / 0 is 0, not NaN or inf."""
    return (numerator / denominator.where(denominator > 0)).fillna(0.0)


def codes(series: pd.Series) -> np.ndarray:
    """Integer codes for a text column (-1 for missing), the unit every aggregation works on."""
    return pd.factorize(series, use_na_sentinel=True)[0]


def two_way_peers(phone: np.ndarray, opp: np.ndarray, ctype: np.ndarray) -> pd.Series:
    """Per (phone, peer) pair: True where both directions occur (type 1 and type 2)."""
    pairs = pd.DataFrame({"p": phone, "o": opp, "out": ctype == 1, "in": ctype == 2}).groupby(["p", "o"])
    flags = pairs[["out", "in"]].max()
    return flags["out"] & flags["in"]


def gap_stats(phone: np.ndarray, start_s: np.ndarray, dur: np.ndarray, prefix: str) -> pd.DataFrame:
    """Contest ``call_interval``: (start − previous end) mod one day; rows sorted by phone, time."""
    gap = np.mod(start_s[1:] - (start_s[:-1] + dur[:-1]), DAY_SECONDS).astype(float)
    same = phone[1:] == phone[:-1]
    return group_stats(gap[same], phone[1:][same], prefix)


@dataclass(frozen=True)
class ProfileContext:
    """What one number's profile needs from beyond its own rows, computed once over all the data.

    A distributed build computes these across partitions and passes them to every partition,
    so each partition's profiles equal the one-machine build's.

    Attributes:
        latest: the data's latest call or SMS time (``window.last_days`` counts back from it).
        sims_per_imei: distinct numbers per IMEI in the window's calls (index: ``imei_m``).
    """

    latest: pd.Timestamp
    sims_per_imei: pd.Series


def latest_times(voc, sms=None) -> list:
    """Latest call time and latest SMS time; works on pandas and on Dask frames (lazy there)."""
    return [voc["start_datetime"].max(), *(() if sms is None else (sms["request_datetime"].max(),))]


def count_sims_per_imei(voc):
    """Distinct numbers seen on each IMEI; works on pandas and on Dask frames (lazy there)."""
    if "imei_m" not in voc.columns:
        return pd.Series(dtype="int64")
    return voc[["imei_m", "phone_no_m"]].dropna(subset=["imei_m"]).drop_duplicates().groupby("imei_m").size()


def profile_context(voc: pd.DataFrame, sms: pd.DataFrame | None, config: ProfileConfig) -> ProfileContext:
    """The :class:`ProfileContext` of tables held in memory (the one-machine build)."""
    latest = max(latest_times(voc, sms))
    voc_in = voc[in_window(voc["start_datetime"], config.window, latest).to_numpy()]
    return ProfileContext(latest=latest, sims_per_imei=count_sims_per_imei(voc_in))


def voc_profile(voc: pd.DataFrame, phone: np.ndarray, config: ProfileConfig, sims_per_imei: pd.Series) -> pd.DataFrame:
    """Call features per phone code, computed from voc rows of the window (``sims_per_imei``:
    distinct numbers per IMEI over all the data, see :class:`ProfileContext`)."""
    order = np.lexsort((voc["start_datetime"].to_numpy(), phone))
    voc, phone = voc.iloc[order].reset_index(drop=True), phone[order]
    start_s = voc["start_datetime"].to_numpy().astype("datetime64[s]").astype(np.int64)
    day = start_s // DAY_SECONDS
    dur = voc["call_dur"].to_numpy(np.int64)
    ctype = voc["calltype_id"].to_numpy()
    opp = codes(voc["opposite_no_m"])
    out = pd.DataFrame(index=pd.Index(np.unique(phone)))
    per_phone = pd.Series(dur).groupby(phone)

    out["voc_cnt"] = per_phone.size()
    out["voc_user_cnt"] = nunique_by(phone, opp)
    out["user_cnt"] = out["voc_user_cnt"]
    out["voc_cnt_per_user"] = safe_divide(out["voc_cnt"], out["voc_user_cnt"])
    pair = pd.DataFrame({"p": phone, "o": opp})
    pair_counts = pair.groupby(["p", "o"]).size()
    per_user = group_stats(pair_counts.to_numpy(float), pair_counts.index.get_level_values("p").to_numpy(), "voc_user_")
    # The contest's max/min names are swapped; reproduce its values (see module docstring).
    out["voc_user_max_cnt"], out["voc_user_min_cnt"] = per_user["voc_user_min"], per_user["voc_user_max"]
    for stat in ("mean", "median", "std"):
        out[f"voc_user_{stat}_cnt"] = per_user[f"voc_user_{stat}"]

    daily = pd.DataFrame({"p": phone, "d": day, "o": opp}).groupby(["p", "d"])
    calls_day, users_day = daily.size(), daily["o"].nunique()
    out["max_cnt_inner_day"] = calls_day.groupby(level="p").max()
    out["min_cnt_inner_day"] = calls_day.groupby(level="p").min()
    out["user_max_cnt_inner_day"] = users_day.groupby(level="p").max()
    out["user_min_cnt_inner_day"] = users_day.groupby(level="p").min()
    out["active_days"] = calls_day.groupby(level="p").size()

    outgoing = ctype == 1
    for k, name in CALL_TYPE_NAMES.items():
        typed = ctype == k
        out[f"call_type_{k}_cnt"] = pd.Series(typed).groupby(phone).sum()
        out[f"call_type_{k}_ratio"] = safe_divide(out[f"call_type_{k}_cnt"], out["voc_cnt"])
        out[f"{name}_call_dur"] = pd.Series(np.where(typed, dur, 0)).groupby(phone).sum()
        out[f"daily_call_type_{k}_cnt"] = safe_divide(out[f"call_type_{k}_cnt"], out["active_days"])
        out[f"{name}_call_daily_dur"] = safe_divide(out[f"{name}_call_dur"], out["active_days"])
    out["call_dur"] = per_phone.sum()
    for name in CALL_TYPE_NAMES.values():
        out[f"{name}_call_dur_ratio"] = safe_divide(out[f"{name}_call_dur"], out["call_dur"])

    county = codes(voc["county_name"]) if "county_name" in voc else np.full(len(voc), -1)
    city = codes(voc["city_name"]) if "city_name" in voc else np.full(len(voc), -1)
    imei, imei_names = pd.factorize(voc["imei_m"]) if "imei_m" in voc else (np.full(len(voc), -1), pd.Index([]))
    out["city_cnt"] = nunique_by(phone[outgoing], city[outgoing])
    out["county_cnt"] = nunique_by(phone, county)
    for k, column in ((1, "initial_voc_county_cnt"), (2, "passive_voc_county"), (3, "turn_voc_county")):
        out[column] = nunique_by(phone[ctype == k], county[ctype == k])
    out["imei_cnt"] = nunique_by(phone, imei)
    sims_of_code = sims_per_imei.reindex(imei_names).to_numpy()
    has_imei = imei >= 0
    out["imei_sims"] = pd.Series(sims_of_code[imei[has_imei]]).groupby(phone[has_imei]).max()

    out = out.join(gap_stats(phone, start_s, dur, "call_interval_"))
    out = out.join(gap_stats(phone[outgoing], start_s[outgoing], dur[outgoing], "initiative_call_interval_"))
    out = out.join(group_stats(dur.astype(float), phone, "dur_"))

    out["initiative_call_active_days"] = nunique_by(phone[outgoing], day[outgoing])
    out["passive_call_active_days"] = nunique_by(phone[ctype == 2], day[ctype == 2])
    out["call_activate_days_diff"] = out["initiative_call_active_days"].fillna(0) - out["passive_call_active_days"].fillna(0)
    out["interactive_call_user_cnt"] = two_way_peers(phone, opp, ctype).groupby(level="p").sum()
    out["interactive_call_user_ratio"] = safe_divide(out["interactive_call_user_cnt"], out["voc_user_cnt"])
    out["initiative_voc_user_cnt"] = nunique_by(phone[outgoing], opp[outgoing])
    out["callback_ratio"] = safe_divide(out["interactive_call_user_cnt"], out["initiative_voc_user_cnt"])

    span = pd.DataFrame({"p": phone, "o": opp, "d": day}).groupby(["p", "o"])["d"].agg(["min", "max"])
    span_days = (span["max"] - span["min"] + 1).to_numpy(float)
    out = out.join(group_stats(span_days, span.index.get_level_values("p").to_numpy(), "duration_days_"))
    out["calls_per_active_day"] = safe_divide(out["voc_cnt"], out["active_days"])
    out["callees_per_active_day"] = safe_divide(out["initiative_voc_user_cnt"], out["active_days"])
    short = dur <= config.short_call_seconds
    out["short_call_ratio"] = safe_divide(pd.Series(short).groupby(phone).sum(), out["voc_cnt"])
    hour = (start_s % DAY_SECONDS) // 3600
    night = (hour >= config.night_start_hour) & (hour < config.night_end_hour)
    out["night_call_ratio"] = safe_divide(pd.Series(night).groupby(phone).sum(), out["voc_cnt"])
    return out


def sms_profile(sms: pd.DataFrame, phone: np.ndarray) -> pd.DataFrame:
    """SMS features per phone code (type 1 = sent, 2 = received), from sms rows of the window."""
    ctype = sms["calltype_id"].to_numpy()
    ts = sms["request_datetime"].to_numpy().astype("datetime64[s]").astype(np.int64)
    day, hour = ts // DAY_SECONDS, ts // 3600
    opp = codes(sms["opposite_no_m"])
    sent, received = ctype == 1, ctype == 2
    out = pd.DataFrame(index=pd.Index(np.unique(phone)))
    out["sms_cnt"] = pd.Series(phone).value_counts()
    out["sms_type_1_cnt"] = pd.Series(sent).groupby(phone).sum()
    out["sms_type_2_cnt"] = pd.Series(received).groupby(phone).sum()
    out["sms_type_1_ratio"] = safe_divide(out["sms_type_1_cnt"], out["sms_cnt"])
    out["sms_type_2_ratio"] = safe_divide(out["sms_type_2_cnt"], out["sms_cnt"])
    per_hour = pd.DataFrame({"p": phone[sent], "h": hour[sent]}).groupby(["p", "h"]).size()
    hourly = group_stats(per_hour.to_numpy(float), per_hour.index.get_level_values("p").to_numpy(), "sms_type_1_",
                         names=("min", "max", "avg", "median", "std"))
    out = out.join(hourly.rename(columns=lambda c: f"{c}_cnt_per_interval"))
    same_moment = pd.DataFrame({"p": phone, "o": opp, "t": ts, "c": ctype}).groupby(["p", "o", "t", "c"]).size() > 1
    repeated = same_moment[same_moment].reset_index()
    out["multiple_initial_sms_cnt"] = repeated[repeated["c"] == 1].groupby("p").size()
    out["multiple_passive_sms_cnt"] = repeated[repeated["c"] == 2].groupby("p").size()
    out["initiative_sms_active_days"] = nunique_by(phone[sent], day[sent])
    out["passive_sms_active_days"] = nunique_by(phone[received], day[received])
    out["sms_activate_days_diff"] = out["initiative_sms_active_days"].fillna(0) - out["passive_sms_active_days"].fillna(0)
    two_way = two_way_peers(phone, opp, ctype)
    out["interactive_sms_user_cnt"] = two_way.groupby(level="p").sum()
    out["sms_user_cnt"] = two_way.groupby(level="p").size()
    out["interactive_sms_user_ratio"] = safe_divide(out["interactive_sms_user_cnt"], out["sms_user_cnt"])
    return out


def user_profile(user: pd.DataFrame, window: WindowConfig) -> pd.DataFrame:
    """``idcard_cnt`` and ``arpu``: mean monthly spend over ``arpu_YYYYMM`` months in the window."""
    months = {c: pd.to_datetime(c[5:], format="%Y%m", errors="coerce") for c in user.columns if c.startswith("arpu_")}
    chosen = [c for c, month in months.items() if pd.notna(month) and in_window(pd.Series([month]), window, None).iloc[0]]
    chosen = chosen or list(months) or [c for c in user.columns if c == "arpu"]
    grouped = user.groupby("phone_no_m")
    out = pd.DataFrame({"idcard_cnt": grouped["idcard_cnt"].max()})
    out["arpu"] = grouped[chosen].mean().mean(axis=1) if chosen else np.nan
    return out


def app_profile(app: pd.DataFrame) -> pd.DataFrame:
    """``app_cnt`` (distinct apps) and ``flow`` (total traffic) per number."""
    grouped = app.groupby("phone_no_m")
    return pd.DataFrame({"app_cnt": grouped["busi_name"].nunique(), "flow": grouped["flow"].sum()})


def build_profiles(
    voc: pd.DataFrame,
    sms: pd.DataFrame | None = None,
    user: pd.DataFrame | None = None,
    app: pd.DataFrame | None = None,
    config: ProfileConfig | None = None,
    context: ProfileContext | None = None,
) -> pd.DataFrame:
    """One row per number seen in any table: ``phone_no_m`` then :data:`PROFILE_COLUMNS`.

    Args:
        voc, sms, user, app: validated tables as returned by ``training.data.cdr``.
        config: window, short-call and night definitions (defaults: whole data, 10 s, 0–6 h).
        context: global inputs when the tables hold only some numbers' rows (one partition of
            a distributed build); default: computed from these tables.
    """
    config = config or ProfileConfig()
    window = config.window
    context = context or profile_context(voc, sms, config)
    latest = context.latest
    numbers = pd.Index(pd.concat([t["phone_no_m"] for t in (voc, sms, user, app) if t is not None]).unique())
    parts: list[pd.DataFrame] = []

    voc_in = voc[in_window(voc["start_datetime"], window, latest).to_numpy()]
    voc_part = voc_profile(voc_in, numbers.get_indexer(voc_in["phone_no_m"]), config, context.sims_per_imei)
    parts.append(voc_part.reindex(range(len(numbers))))
    if sms is not None:
        sms_in = sms[in_window(sms["request_datetime"], window, latest).to_numpy()]
        parts.append(sms_profile(sms_in, numbers.get_indexer(sms_in["phone_no_m"])).reindex(range(len(numbers))))
    if user is not None:
        parts.append(user_profile(user, window).reindex(numbers).reset_index(drop=True))
    if app is not None:
        app_in = app[in_window(app["month"], window, latest).to_numpy()]
        parts.append(app_profile(app_in).reindex(numbers).reset_index(drop=True))
    profiles = pd.concat(parts, axis=1).fillna(0.0)
    profiles = profiles.reindex(columns=list(PROFILE_COLUMNS))  # absent tables → NaN columns
    profiles.insert(0, "phone_no_m", numbers.astype("string"))
    return profiles
