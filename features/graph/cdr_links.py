"""Links between numbers from raw call records: the edges graph features are computed on.

Three kinds, each an undirected pair written once with ``phone_no_m < linked_no_m``:

* ``shared_device``  — both numbers were used on one IMEI (weight: devices shared). Gangs and
  SIM-box farms swap SIMs between a few handsets.
* ``shared_callees`` — the sets of numbers the two called overlap (weight: Jaccard estimated
  by MinHash). Found with MinHash + LSH (``datasketch``), so the cost grows with the number of
  callers, not with their pairs. Hub callees (banks, couriers) are dropped first: see
  :class:`configs.call.SharedCalleesConfig`.
* ``direct_call``    — the two numbers, both subscribers in the data, called each other
  (weight: calls). A call may be recorded by both sides (type 1 at the caller, type 2 at the
  callee); each direction counts the larger of the two records, so it is not counted twice.
  Forwarded calls (type 3) do not link the two ends.

A pair linked in several ways has one row per kind (graph features and dens merge them into one
edge weighing their sum: :func:`features.graph.links.clean_links`). Work is vectorised over integer codes
except one MinHash per caller.

Every kind depends on the calls only through which (number, peer, call type, device) rows occur
and how often, so :func:`build_links` gives the same links on the raw calls and on their
:func:`call_summary` (one row per such combination, its count in ``calls``): a distributed job
reduces the calls to that summary across partitions and builds the links from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from datasketch import MinHash, MinHashLSH

from configs.call import DirectCallConfig, LinksConfig, SharedCalleesConfig, SharedDeviceConfig

LINK_COLUMNS = ("phone_no_m", "linked_no_m", "kind", "weight")
SUMMARY_KEYS = ("phone_no_m", "opposite_no_m", "calltype_id", "imei_m")
CALLS = "calls"  # calls a row of a call summary stands for (a raw voc row stands for one)
SHARED_DEVICE, SHARED_CALLEES, DIRECT_CALL = "shared_device", "shared_callees", "direct_call"
OUTGOING, INCOMING = 1, 2
_SIGNATURE_CHUNK = 100_000  # candidate pairs compared per step (bounds memory: chunk × num_perm)


def build_links(voc: pd.DataFrame, config: LinksConfig) -> pd.DataFrame:
    """All links of the voc table (``training.data.cdr`` schema), sorted by pair then kind.

    Columns :data:`LINK_COLUMNS`; ``phone_no_m < linked_no_m`` in every row.
    """
    phone, uniques = pd.factorize(voc["phone_no_m"], sort=True)
    numbers = np.asarray(uniques, dtype=object)
    parts = [
        shared_device_links(phone, voc, config.shared_device),
        shared_callee_links(phone, voc, config.shared_callees),
        direct_call_links(phone, numbers, voc, config.direct_call),
    ]
    codes = pd.concat(parts, ignore_index=True)
    links = pd.DataFrame({
        "phone_no_m": numbers[codes["a"].to_numpy()],
        "linked_no_m": numbers[codes["b"].to_numpy()],
        "kind": codes["kind"].astype(str),
        "weight": codes["weight"].astype(float),
    })
    return links.sort_values(["phone_no_m", "linked_no_m", "kind"], ignore_index=True)


def call_summary(voc):
    """Calls counted per (number, peer, call type, device); missing devices kept as a key.

    Works on a pandas or a Dask frame (lazy there: the count is a groupby across partitions).
    """
    keys = [key for key in SUMMARY_KEYS if key in voc.columns]
    return voc.groupby(keys, dropna=False).size().rename(CALLS).reset_index()


def _pairs(a: np.ndarray, b: np.ndarray, weight: np.ndarray, kind: str) -> pd.DataFrame:
    """Rows of integer pairs with ``a < b`` (codes are in sorted-number order, so names are too)."""
    return pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b), "kind": kind, "weight": weight})


def _no_pairs(kind: str) -> pd.DataFrame:
    empty = np.empty(0, np.int64)
    return _pairs(empty, empty, empty, kind)


def shared_device_links(phone: np.ndarray, voc: pd.DataFrame, config: SharedDeviceConfig) -> pd.DataFrame:
    """Pairs of numbers seen on one IMEI; weight = how many IMEIs they share."""
    if "imei_m" not in voc:
        return _no_pairs(SHARED_DEVICE)
    device = pd.factorize(voc["imei_m"], use_na_sentinel=True)[0]
    seen = pd.DataFrame({"p": phone, "d": device})[device >= 0].drop_duplicates()
    numbers_on_device = seen.groupby("d")["p"].transform("size")
    seen = seen[(numbers_on_device >= 2) & (numbers_on_device <= config.max_numbers_per_device)]
    both = seen.merge(seen, on="d")
    both = both[both["p_x"] < both["p_y"]]
    weight = both.groupby(["p_x", "p_y"]).size()
    return _pairs(weight.index.get_level_values(0).to_numpy(), weight.index.get_level_values(1).to_numpy(),
                  weight.to_numpy(), SHARED_DEVICE)


def callee_sets(phone: np.ndarray, voc: pd.DataFrame, config: SharedCalleesConfig) -> pd.DataFrame:
    """Distinct (caller code ``p``, callee code ``o``) of outgoing calls after the hub guard and
    the minimum set size, sorted by caller; ``h`` is a stable 32-bit hash of the callee."""
    outgoing = (voc["calltype_id"] == OUTGOING).to_numpy()
    callee, callee_names = pd.factorize(voc["opposite_no_m"][outgoing])
    pairs = pd.DataFrame({"p": phone[outgoing], "o": callee}).drop_duplicates()
    callers_of_callee = pairs.groupby("o")["p"].transform("size")
    pairs = pairs[callers_of_callee <= config.max_callers_per_callee]
    callees_of_caller = pairs.groupby("p")["o"].transform("size")
    pairs = pairs[callees_of_caller >= config.min_callees].sort_values(["p", "o"], ignore_index=True)
    callee_hash = pd.util.hash_array(np.asarray(callee_names, dtype=object)) & np.uint64(0xFFFFFFFF)
    pairs["h"] = callee_hash[pairs["o"].to_numpy()].astype(np.uint32)
    return pairs


def shared_callee_links(phone: np.ndarray, voc: pd.DataFrame, config: SharedCalleesConfig) -> pd.DataFrame:
    """Callers whose callee sets have estimated Jaccard ≥ ``threshold`` (MinHash + LSH)."""
    pairs = callee_sets(phone, voc, config)
    if pairs.empty:
        return _no_pairs(SHARED_CALLEES)
    callers, starts = np.unique(pairs["p"].to_numpy(), return_index=True)
    hashes = pairs["h"].to_numpy()
    ends = np.append(starts[1:], len(hashes))
    template = MinHash(num_perm=config.num_perm, seed=config.seed, hashfunc=int)
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    sketches, signatures = [], np.empty((len(callers), config.num_perm), dtype=np.uint32)
    with lsh.insertion_session() as session:
        for i, (start, end) in enumerate(zip(starts, ends, strict=False)):
            sketch = template.copy()
            sketch.update_batch(hashes[start:end])
            signatures[i] = sketch.hashvalues
            session.insert(i, sketch, check_duplication=False)
            sketches.append(sketch)
    first, second = [], []
    for i, sketch in enumerate(sketches):
        similar = [j for j in lsh.query(sketch) if j > i]
        first.extend([i] * len(similar))
        second.extend(similar)
    first_arr, second_arr = np.asarray(first, np.int64), np.asarray(second, np.int64)
    jaccard = np.concatenate([
        (signatures[first_arr[s:s + _SIGNATURE_CHUNK]] == signatures[second_arr[s:s + _SIGNATURE_CHUNK]]).mean(axis=1)
        for s in range(0, len(first_arr), _SIGNATURE_CHUNK)
    ] or [np.empty(0)])
    keep = jaccard >= config.threshold  # LSH bands admit some pairs below the threshold
    return _pairs(callers[first_arr[keep]], callers[second_arr[keep]], jaccard[keep], SHARED_CALLEES)


def direct_call_links(
    phone: np.ndarray, numbers: np.ndarray, voc: pd.DataFrame, config: DirectCallConfig
) -> pd.DataFrame:
    """Subscribers in the data that called each other; weight = calls in both directions
    (a row of a :func:`call_summary` counts as its ``calls``)."""
    ctype = voc["calltype_id"].to_numpy()
    peer = pd.Index(numbers).get_indexer(voc["opposite_no_m"].to_numpy(dtype=object))
    direct = (peer >= 0) & (peer != phone) & np.isin(ctype, (OUTGOING, INCOMING))
    outgoing = ctype[direct] == OUTGOING
    calls = voc[CALLS].to_numpy()[direct] if CALLS in voc else np.ones(int(direct.sum()), np.int64)
    records = pd.DataFrame({
        "caller": np.where(outgoing, phone[direct], peer[direct]),
        "callee": np.where(outgoing, peer[direct], phone[direct]),
        "recorded_by_caller": outgoing,
        "calls": calls,
    })
    per_side = records.groupby(["caller", "callee", "recorded_by_caller"])["calls"].sum()
    per_direction = per_side.groupby(level=[0, 1]).max()
    caller = per_direction.index.get_level_values(0).to_numpy()
    callee = per_direction.index.get_level_values(1).to_numpy()
    undirected = _pairs(caller, callee, per_direction.to_numpy(), DIRECT_CALL)
    calls = undirected.groupby(["a", "b", "kind"], as_index=False)["weight"].sum()
    return calls[calls["weight"] >= config.min_calls]
