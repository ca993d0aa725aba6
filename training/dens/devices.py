"""What a den's members share in the raw CDRs: devices (IMEIs), callees and counties.

A SIM farm puts many numbers on one phone and a call centre works one victim list, so
devices and callees that several members share are the evidence an analyst acts on. The share
of members on a device another member also used is ranking evidence; the lists are for the page.
"""

from __future__ import annotations

import pandas as pd

NUMBER = "phone_no_m"


def _shared(voc: pd.DataFrame, column: str, limit: int) -> tuple[list[dict], pd.Series]:
    """Values of ``column`` used by ≥ 2 members (most members first) and the members using them."""
    if column not in voc.columns:
        return [], pd.Series(dtype=object)
    pairs = voc[[NUMBER, column]].dropna().drop_duplicates()
    users = pairs.groupby(column, sort=False)[NUMBER].nunique()
    shared = users[users >= 2].sort_values(ascending=False, kind="stable")
    listed = [{column: str(value), "members": int(count)} for value, count in shared.head(limit).items()]
    return listed, pairs.loc[pairs[column].isin(shared.index), NUMBER]


def den_cdr_evidence(voc: pd.DataFrame, members: list[str], limit: int) -> dict:
    """Shared IMEIs and callees, counties (calls per county) and the shared-device share of one den."""
    rows = voc[voc[NUMBER].isin(members)]
    imeis, on_shared_device = _shared(rows, "imei_m", limit)
    callees, _ = _shared(rows, "opposite_no_m", limit)
    counties = rows["county_name"].value_counts().head(limit) if "county_name" in rows.columns else pd.Series(dtype=int)
    return {
        "shared_device_share": on_shared_device.nunique() / len(members),
        "shared_imeis": imeis,
        "shared_callees": callees,
        "counties": [{"county_name": str(name), "calls": int(calls)} for name, calls in counties.items()],
        "members_with_calls": int(rows[NUMBER].nunique()),
    }
