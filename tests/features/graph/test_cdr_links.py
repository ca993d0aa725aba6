"""Links from raw CDRs: shared devices, shared callees (MinHash + LSH, hub guard), direct calls."""

from __future__ import annotations

import pandas as pd
import pytest

from configs.call import LinksConfig, SharedCalleesConfig
from features.graph.cdr_links import LINK_COLUMNS, build_links

START = pd.Timestamp("2020-03-01")


def voc(rows: list[tuple[str, str, int, str | None]]) -> pd.DataFrame:
    """Voc rows ``(phone, opposite, calltype, imei)``, one minute apart, 30 s each."""
    return pd.DataFrame({
        "phone_no_m": [r[0] for r in rows],
        "opposite_no_m": [r[1] for r in rows],
        "calltype_id": [r[2] for r in rows],
        "start_datetime": [START + pd.Timedelta(minutes=i) for i in range(len(rows))],
        "call_dur": 30,
        "imei_m": [r[3] for r in rows],
    })


def calls_to(caller: str, callees: list[str], imei: str | None = None) -> list[tuple[str, str, int, str | None]]:
    return [(caller, callee, 1, imei) for callee in callees]


def test_shared_device_pairs_sorted_once_weighted_by_devices() -> None:
    rows = calls_to("b", ["x"], "i1") + calls_to("a", ["x", "y"], "i1") + calls_to("a", ["z"], "i2") + calls_to("b", ["z"], "i2")
    rows += calls_to("c", ["x"], "i2") + calls_to("d", ["x"], None)
    links = build_links(voc(rows), LinksConfig())
    assert tuple(links.columns) == LINK_COLUMNS
    device = links[links["kind"] == "shared_device"]
    assert device[["phone_no_m", "linked_no_m", "weight"]].values.tolist() == [["a", "b", 2.0], ["a", "c", 1.0], ["b", "c", 1.0]]


def test_a_placeholder_imei_on_too_many_numbers_links_nobody() -> None:
    rows = [row for n in range(6) for row in calls_to(f"n{n}", ["x"], "000000")]
    config = LinksConfig.model_validate({"shared_device": {"max_numbers_per_device": 5}})
    assert build_links(voc(rows), config).query("kind == 'shared_device'").empty
    assert len(build_links(voc(rows), LinksConfig()).query("kind == 'shared_device'")) == 15


def test_callers_with_overlapping_callee_sets_are_linked_with_estimated_jaccard() -> None:
    victims = [f"v{i}" for i in range(40)]
    rows = calls_to("g1", victims[:30]) + calls_to("g2", victims[10:40]) + calls_to("loner", [f"o{i}" for i in range(30)])
    links = build_links(voc(rows), LinksConfig()).query("kind == 'shared_callees'")
    assert links[["phone_no_m", "linked_no_m"]].values.tolist() == [["g1", "g2"]]
    assert links["weight"].iloc[0] == pytest.approx(20 / 40, abs=0.12)  # true Jaccard 0.5, 128 permutations


def test_hub_guard_a_bank_called_by_everyone_links_nobody() -> None:
    # 60 customers each call the same 3 bank lines and 2 numbers of their own: Jaccard 3/7 between any two.
    hubs = ["bank1", "bank2", "bank3"]
    rows = [row for n in range(60) for row in calls_to(f"c{n:02d}", hubs + [f"own{n}a", f"own{n}b"])]
    guarded = SharedCalleesConfig(min_callees=2, max_callers_per_callee=50)
    unguarded = SharedCalleesConfig(min_callees=2, max_callers_per_callee=1000)
    assert build_links(voc(rows), LinksConfig(shared_callees=guarded)).empty
    assert len(build_links(voc(rows), LinksConfig(shared_callees=unguarded))) > 1000  # what the guard prevents


def test_callers_with_few_callees_are_not_compared() -> None:
    rows = calls_to("a", ["x", "y"]) + calls_to("b", ["x", "y"])
    assert build_links(voc(rows), LinksConfig()).empty  # min_callees 5: two shared numbers prove nothing
    linked = build_links(voc(rows), LinksConfig(shared_callees=SharedCalleesConfig(min_callees=2)))
    assert linked[["phone_no_m", "linked_no_m", "kind", "weight"]].values.tolist() == [["a", "b", "shared_callees", 1.0]]


def test_direct_calls_between_subscribers_counted_once_per_call() -> None:
    # a→b recorded on both sides (a: type 1, b: type 2) twice; b→a once, seen only at b; a→outsider ignored.
    rows = [("a", "b", 1, None), ("a", "b", 1, None), ("b", "a", 2, None), ("b", "a", 2, None), ("b", "a", 1, None),
            ("a", "outsider", 1, None), ("a", "b", 3, None), ("c", "c", 1, None)]
    links = build_links(voc(rows), LinksConfig())
    assert links.values.tolist() == [["a", "b", "direct_call", 3.0]]
    assert build_links(voc(rows), LinksConfig.model_validate({"direct_call": {"min_calls": 4}})).empty


def test_voc_without_imei_column_still_links_by_calls() -> None:
    rows = voc([("a", "b", 1, None), ("b", "a", 1, None)]).drop(columns="imei_m")
    assert build_links(rows, LinksConfig())["kind"].tolist() == ["direct_call"]
