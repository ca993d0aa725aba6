"""Deterministic demo CDRs in the contest schema: who calls whom, how long, from which device.

Populations and why they are there:

* ``normal``   — few calls a day inside a personal circle that calls back, long calls.
* ``delivery`` — legitimately high volume to ever-new numbers, but customers call back.
* ``sales``    — high-volume office-hours outbound, few callbacks: the hardest negatives.
* ``fraud``    — bursts of short outbound calls to strangers, night calls, nobody calls back.
* ``simbox``   — farms (猫池): many SIMs on ONE IMEI, very short calls, many callees.
* ``gang``     — fraud numbers in groups (``demo.gangs``) that pass handsets around and work one
  victim list; delivery and sales numbers reach some of those victims too.
* hub callees  — bank and courier lines (``demo.hubs``) that normal and delivery numbers call.

The planted gang membership (``phone_no_m, gang_id``) is written to ``truth/gangs.csv`` beside
the CDR tables, outside the folder's top level that the CDR loader reads.

Everything is drawn from one ``numpy`` generator seeded by ``seed`` and vectorised per
population, so the same seed gives byte-identical files and 10 million rows take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from configs.call import DemoCallsConfig

COUNTIES = np.array(["武侯区", "锦江区", "青羊区", "金牛区", "成华区", "郫都区", "岳池县", "涪城区", "顺庆区", "翠屏区"])
CITIES = np.array(["成都", "成都", "成都", "成都", "成都", "成都", "广安", "绵阳", "南充", "宜宾"])
PEER_POOL = 200_000  # opposite numbers are drawn from this many synthetic subscribers
PREFIX = {"normal": "n", "delivery": "d", "sales": "a", "fraud": "f", "simbox": "m", "gang": "g"}  # id's first letter
HUB_CALLERS = ("normal", "delivery")
HARD_NEGATIVES = ("delivery", "sales")
GANGS_FILE = Path("truth") / "gangs.csv"


@dataclass(frozen=True)
class Population:
    """How one kind of subscriber behaves; rates are per active day."""

    name: str
    label: int
    calls_per_day: float
    outgoing_share: float
    forwarded_share: float
    circle_size: int          # callees drawn from a personal circle (0: always strangers)
    stranger_share: float     # share of outgoing calls to numbers outside the circle
    callback_share: float     # share of incoming calls that come from earlier callees
    duration_mean_s: float
    active_day_share: float
    night_share: float
    counties: int


POPULATIONS = {
    "normal": Population("normal", 0, 4, 0.5, 0.02, 25, 0.1, 0.9, 120, 0.9, 0.02, 2),
    "delivery": Population("delivery", 0, 35, 0.7, 0.0, 40, 0.8, 0.6, 35, 0.85, 0.0, 4),
    "sales": Population("sales", 0, 60, 0.95, 0.0, 30, 0.9, 0.25, 45, 0.7, 0.0, 1),
    "fraud": Population("fraud", 1, 50, 0.97, 0.0, 5, 0.97, 0.03, 18, 0.3, 0.15, 2),
    "simbox": Population("simbox", 1, 80, 0.99, 0.0, 0, 1.0, 0.01, 8, 0.4, 0.1, 1),
}


def _ids(prefix: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Hex ids that look like the contest's hashed numbers (unique by construction)."""
    return numbered_ids(prefix, id_salt(rng), 0, n)


def id_salt(rng: np.random.Generator) -> int:
    """The random middle part shared by one population's ids."""
    return int(rng.integers(0, 2**31, dtype=np.int64))


def numbered_ids(prefix: str, salt: int, first: int, n: int) -> np.ndarray:
    """Ids ``first .. first+n-1`` of one population: shards that number on from each other never collide."""
    return np.array([f"{prefix}{salt:08x}{i:08x}" for i in range(first, first + n)], dtype=object)


def population_calls(
    pop: Population, phones: np.ndarray, imeis: np.ndarray, days: int, start: pd.Timestamp,
    peers: np.ndarray, rng: np.random.Generator,
) -> pd.DataFrame:
    """Voc rows for the subscribers ``phones`` (one IMEI id each, shared for SIM-box farms)."""
    n = len(phones)
    active = rng.random((n, days)) < pop.active_day_share
    active[np.arange(n), rng.integers(0, days, n)] = True  # everyone is active at least one day
    sub, day = np.nonzero(active)
    per_day = rng.poisson(pop.calls_per_day, len(sub)) + 1
    sub, day = np.repeat(sub, per_day), np.repeat(day, per_day)
    rows = len(sub)
    night = rng.random(rows) < pop.night_share
    hour = np.where(night, rng.integers(0, 6, rows), rng.integers(8, 22, rows))
    seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, rows)
    kind = rng.random(rows)
    calltype = np.where(kind < pop.outgoing_share, 1, np.where(kind < pop.outgoing_share + pop.forwarded_share, 3, 2))
    circle_base = rng.integers(0, len(peers) - max(pop.circle_size, 1), n)
    in_circle = circle_base[sub] + rng.integers(0, max(pop.circle_size, 1), rows)
    from_circle = np.where(calltype == 2, rng.random(rows) < pop.callback_share, rng.random(rows) >= pop.stranger_share)
    peer = np.where(from_circle & (pop.circle_size > 0), in_circle, rng.integers(0, len(peers), rows))
    county = (sub * 7 + rng.integers(0, pop.counties, rows)) % len(COUNTIES)
    return pd.DataFrame({
        "phone_no_m": phones[sub],
        "opposite_no_m": peers[peer],
        "calltype_id": calltype.astype("int8"),
        "start_datetime": start + pd.to_timedelta(seconds, unit="s"),
        "call_dur": np.maximum(rng.exponential(pop.duration_mean_s, rows), 1).astype(np.int64),
        "city_name": CITIES[county],
        "county_name": COUNTIES[county],
        "imei_m": imeis[sub],
    })


def generate_demo_cdrs(config: DemoCallsConfig, seed: int) -> dict[str, pd.DataFrame]:
    """voc, sms, user, app, labels (``phone_no_m,label``) and gangs (``phone_no_m,gang_id``) tables."""
    rng = np.random.default_rng(seed)
    peers = _ids("p", PEER_POOL, rng)
    start = pd.Timestamp(config.start)
    sizes = {"normal": config.normal, "delivery": config.delivery, "sales": config.sales, "fraud": config.fraud,
             "simbox": config.simbox_farms * config.sims_per_farm}
    gangs = config.gangs
    victims = rng.integers(0, PEER_POOL, (gangs.count, gangs.victims)) if gangs.count else np.empty((0, 0), np.int64)
    hubs = _ids("h", config.hubs.count, rng) if config.hubs.count else np.empty(0, dtype=object)
    voc_parts, labels = [], []
    for name, size in sizes.items():
        if size == 0:
            continue
        pop = POPULATIONS[name]
        phones = _ids(PREFIX[name], size, rng)
        per_device = config.sims_per_farm if name == "simbox" else 1
        imeis = np.repeat(_ids("i" + PREFIX[name], -(-size // per_device), rng), per_device)[:size]
        voc_parts.append(subscriber_calls(pop, phones, imeis, config, start, peers, hubs, victims, rng))
        labels.append(pd.DataFrame({"phone_no_m": phones, "label": pop.label}))
    membership = pd.DataFrame({"phone_no_m": pd.Series(dtype=object), "gang_id": pd.Series(dtype=np.int64)})
    if gangs.count:
        gang_voc, membership = gang_calls(config, start, peers, peers[victims], rng)
        voc_parts.append(gang_voc)
        labels.append(pd.DataFrame({"phone_no_m": membership["phone_no_m"], "label": POPULATIONS["fraud"].label}))
    voc = pd.concat(voc_parts, ignore_index=True)
    label_table = pd.concat(labels, ignore_index=True)
    return {"voc": voc, "labels": label_table, **side_tables(label_table, config, start, peers, rng), "gangs": membership}


def subscriber_calls(
    pop: Population, phones: np.ndarray, imeis: np.ndarray, config: DemoCallsConfig, start: pd.Timestamp,
    peers: np.ndarray, hubs: np.ndarray, victims: np.ndarray, rng: np.random.Generator,
) -> pd.DataFrame:
    """Voc rows of ``phones`` with the population's share of calls sent to hubs and gang victims."""
    calls = population_calls(pop, phones, imeis, config.days, start, peers, rng)
    if pop.name in HUB_CALLERS:
        redirect_outgoing(calls, config.hubs.call_share, hubs, rng)
    if pop.name in HARD_NEGATIVES:
        redirect_outgoing(calls, config.gangs.hard_negative_victim_share, peers[victims.ravel()], rng)
    return calls


def redirect_outgoing(calls: pd.DataFrame, share: float, targets: np.ndarray, rng: np.random.Generator) -> None:
    """Send ``share`` of the outgoing calls in ``calls`` to numbers drawn from ``targets`` (in place)."""
    if share == 0 or len(targets) == 0:
        return
    hit = (calls["calltype_id"].to_numpy() == 1) & (rng.random(len(calls)) < share)
    calls.loc[hit, "opposite_no_m"] = targets[rng.integers(0, len(targets), int(hit.sum()))]


def gang_calls(
    config: DemoCallsConfig, start: pd.Timestamp, peers: np.ndarray, victims: np.ndarray, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Voc rows of the planted gangs and their membership (``phone_no_m, gang_id``).

    Members call like the fraud population, but from their gang's handsets (member ``i`` uses
    devices ``i`` and ``i+1``), mostly to their gang's ``victims`` row, and a few times each other.
    """
    gangs = config.gangs
    phones = _ids(PREFIX["gang"], gangs.count * gangs.size, rng)
    gang = np.repeat(np.arange(gangs.count), gangs.size)
    member = np.tile(np.arange(gangs.size), gangs.count)
    devices = _ids("i" + PREFIX["gang"], gangs.count * gangs.devices, rng).reshape(gangs.count, gangs.devices)
    calls = population_calls(POPULATIONS["fraud"], phones, devices[gang, member % gangs.devices],
                             config.days, start, peers, rng)
    internal = calls_between_members(calls, phones, gangs.size, gangs.calls_between_members, rng)
    calls = pd.concat([calls, internal], ignore_index=True)
    sub = pd.Index(phones).get_indexer(calls["phone_no_m"])
    handset = (member[sub] + rng.integers(0, 2, len(calls))) % gangs.devices
    calls["imei_m"] = devices[gang[sub], handset]
    outgoing_to_strangers = (calls["calltype_id"].to_numpy() == 1) & ~calls["opposite_no_m"].isin(phones).to_numpy()
    hit = outgoing_to_strangers & (rng.random(len(calls)) < gangs.victim_share)
    calls.loc[hit, "opposite_no_m"] = victims[gang[sub[hit]], rng.integers(0, gangs.victims, int(hit.sum()))]
    return calls, pd.DataFrame({"phone_no_m": phones, "gang_id": gang})


def calls_between_members(
    calls: pd.DataFrame, phones: np.ndarray, size: int, per_member: int, rng: np.random.Generator
) -> pd.DataFrame:
    """``per_member`` outgoing calls from each member to others of its gang, at times of its own calls."""
    if per_member == 0:
        return calls.iloc[:0]
    picked = calls.iloc[rng.integers(0, len(calls), len(phones) * per_member)].reset_index(drop=True)
    caller = pd.Index(phones).get_indexer(picked["phone_no_m"])
    offset = rng.integers(1, size, len(picked))
    picked["opposite_no_m"] = phones[(caller // size) * size + (caller % size + offset) % size]
    picked["calltype_id"] = np.int8(1)
    return picked


def side_tables(labels: pd.DataFrame, config: DemoCallsConfig, start: pd.Timestamp, peers: np.ndarray,
                rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """sms (mostly received; fraud numbers send bulk), user (ID card count, ARPU) and app tables."""
    phones, fraud = labels["phone_no_m"].to_numpy(), labels["label"].to_numpy() == 1
    n = len(phones)
    per_number = rng.poisson(np.where(fraud, 40, 60))
    sub = np.repeat(np.arange(n), per_number)
    sent = rng.random(len(sub)) < np.where(fraud[sub], 0.6, 0.1)
    sms = pd.DataFrame({
        "phone_no_m": phones[sub],
        "opposite_no_m": peers[rng.integers(0, len(peers), len(sub))],
        "calltype_id": np.where(sent, 1, 2).astype("int8"),
        "request_datetime": start + pd.to_timedelta(rng.integers(0, config.days * 86400, len(sub)), unit="s"),
    })
    month = start.strftime("%Y%m")
    user = pd.DataFrame({
        "phone_no_m": phones,
        "city_name": "成都",
        "county_name": COUNTIES[rng.integers(0, len(COUNTIES), n)],
        "idcard_cnt": np.where(fraud, rng.integers(2, 8, n), rng.integers(1, 3, n)),
        f"arpu_{month}": np.round(np.where(fraud, rng.gamma(2, 60, n), rng.gamma(3, 20, n)), 2),
    })
    apps_per = rng.integers(1, 15, n)
    app_sub = np.repeat(np.arange(n), apps_per)
    app = pd.DataFrame({
        "phone_no_m": phones[app_sub],
        "busi_name": np.char.add("app", rng.integers(0, 200, len(app_sub)).astype(str)),
        "flow": np.round(rng.exponential(300, len(app_sub)), 3),
        "month_id": start.strftime("%Y-%m"),
    })
    return {"sms": sms, "user": user, "app": app}


def write_demo_cdrs(out_dir: str | Path, seed: int, config: DemoCallsConfig | None = None) -> dict[str, int]:
    """Write voc/sms/user/app CSVs and ``labels.csv`` into ``out_dir`` and the planted gangs
    into ``out_dir/truth/gangs.csv``; returns rows per file."""
    out = Path(out_dir)
    (out / GANGS_FILE).parent.mkdir(parents=True, exist_ok=True)
    tables = generate_demo_cdrs(config or DemoCallsConfig(), seed)
    tables["gangs"].to_csv(out / GANGS_FILE, index=False)
    tables = {name: table for name, table in tables.items() if name != "gangs"}
    for name, table in tables.items():
        frame = table.copy()
        for column in ("start_datetime", "request_datetime"):
            if column in frame:
                frame[column] = frame[column].dt.strftime("%Y-%m-%d %H:%M:%S")
        frame.to_csv(out / f"{name}.csv", index=False)
    return {name: len(table) for name, table in tables.items()}
