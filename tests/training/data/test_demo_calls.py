"""Demo CDRs: deterministic per seed, and the populations behave as designed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from configs import default_config_path, load_config
from configs.call import CallConfig, DemoCallsConfig, GangConfig
from features.graph.cdr_links import build_links
from features.calls.profiles import build_profiles
from training.data.cdr import load_cdr_dir
from training.data.demo_calls import generate_demo_cdrs, write_demo_cdrs

SMALL = DemoCallsConfig(normal=30, delivery=5, sales=5, fraud=6, simbox_farms=2, sims_per_farm=5, days=10)


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    write_demo_cdrs(tmp_path / "a", 5, SMALL)
    write_demo_cdrs(tmp_path / "b", 5, SMALL)
    write_demo_cdrs(tmp_path / "c", 6, SMALL)
    for name in ("voc.csv", "sms.csv", "user.csv", "app.csv", "labels.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "voc.csv").read_bytes() != (tmp_path / "c" / "voc.csv").read_bytes()
    assert (tmp_path / "a" / "labels.csv").read_text().splitlines()[0] == "phone_no_m,label"


def test_simbox_farms_share_devices_and_nobody_calls_back() -> None:
    tables = generate_demo_cdrs(SMALL, seed=1)
    profiles = build_profiles(tables["voc"]).merge(tables["labels"], on="phone_no_m").set_index("phone_no_m")
    kind = profiles.index.str[0]
    assert (profiles[kind == "m"]["imei_sims"] == 5).all()
    assert (profiles[kind != "m"]["imei_sims"] == 1).all()
    means = profiles.groupby(kind)[["callback_ratio", "callees_per_active_day", "label"]].mean()
    assert means.loc["n", "callback_ratio"] > 0.5 > means.loc["f", "callback_ratio"]
    assert means.loc["a", "callees_per_active_day"] > 10 * means.loc["n", "callees_per_active_day"]  # hard negatives
    assert means["label"].to_dict() == {"a": 0, "d": 0, "f": 1, "m": 1, "n": 0}


@pytest.fixture(scope="module")
def shipped_demo() -> tuple[CallConfig, dict[str, pd.DataFrame], pd.DataFrame]:
    """configs/call.yaml as shipped (its demo has gangs and hubs), the demo tables and their links."""
    config = load_config(default_config_path("call"), CallConfig)
    tables = generate_demo_cdrs(config.demo, seed=11)
    return config, tables, build_links(tables["voc"], config.links)


def _components(members: set[str], links: pd.DataFrame) -> int:
    """Connected components of ``members`` using only links between two members."""
    parent = {m: m for m in members}

    def root(m: str) -> str:
        while parent[m] != m:
            m = parent[m]
        return m

    inside = links[links["phone_no_m"].isin(members) & links["linked_no_m"].isin(members)]
    for a, b in zip(inside["phone_no_m"], inside["linked_no_m"]):
        parent[root(a)] = root(b)
    return len({root(m) for m in members})


def test_planted_gangs_are_written_beside_the_cdrs_and_the_loader_skips_them(tmp_path: Path) -> None:
    config = SMALL.model_copy(update={"gangs": GangConfig(count=2, size=4, devices=2)})
    rows = write_demo_cdrs(tmp_path, 5, config)
    gangs = pd.read_csv(tmp_path / "truth" / "gangs.csv")
    assert list(gangs.columns) == ["phone_no_m", "gang_id"] and gangs.groupby("gang_id").size().tolist() == [4, 4]
    tables, _ = load_cdr_dir(tmp_path)
    assert len(tables.voc) == rows["voc"]
    labels = tables.labels.set_index("phone_no_m")["label"]
    assert (labels[gangs["phone_no_m"]] == 1).all()


def test_links_recover_every_planted_gang_and_nothing_else(shipped_demo) -> None:
    config, tables, links = shipped_demo
    evidence = links[links["kind"].isin(["shared_device", "shared_callees"])]
    gang_of = tables["gangs"].set_index("phone_no_m")["gang_id"]
    assert gang_of.nunique() == config.demo.gangs.count >= 2
    for _, members in tables["gangs"].groupby("gang_id")["phone_no_m"]:
        assert _components(set(members), evidence) == 1
    touches_gang = links["phone_no_m"].isin(gang_of.index) | links["linked_no_m"].isin(gang_of.index)
    same_gang = links["phone_no_m"].map(gang_of) == links["linked_no_m"].map(gang_of)
    assert touches_gang.any() and (same_gang | ~touches_gang).all()  # no gang member linked outside its gang
    # shared callees alone also recover each gang (devices are not the only evidence)
    callees = links[links["kind"] == "shared_callees"]
    assert (callees["phone_no_m"].map(gang_of) == callees["linked_no_m"].map(gang_of)).sum() >= config.demo.gangs.count * (config.demo.gangs.size - 1)


def test_a_hub_callee_does_not_link_normal_numbers(shipped_demo) -> None:
    config, tables, with_hubs = shipped_demo
    voc = tables["voc"]
    to_hub = voc["opposite_no_m"].str.startswith("h")
    callers_per_hub = voc[to_hub & (voc["calltype_id"] == 1)].groupby("opposite_no_m")["phone_no_m"].nunique()
    assert len(callers_per_hub) == config.demo.hubs.count
    assert (callers_per_hub > config.links.shared_callees.max_callers_per_callee).all()  # the guard applies
    without_hubs = build_links(voc[~to_hub], config.links)
    pd.testing.assert_frame_equal(with_hubs, without_hubs)
