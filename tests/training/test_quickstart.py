"""How ``yunmao quickstart`` trains on its demo SMS (every generated message, repeats included)
and what its call part shows: the dens of the planted gangs, their ids in the published profiles."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from configs import default_config_path, load_config
from configs.call import CallConfig, ProfileStoreConfig
from configs.demo import DemoConfig
from configs.sms import SmsConfig
from features.graph.reasons import DEN_ID
from serving.profile_store import SqliteProfileStore
from training.data.demo_sms import write_demo_sms
from training.quickstart import prepare_demo_profiles, quickstart_sms_config
from training.train import load_sms_training_data

MOSTLY = 0.8  # share of the top den's members that are planted gang members, all of one gang


def test_quickstart_keeps_every_generated_message(tmp_path: Path) -> None:
    """The demo's repeated texts (codes and notices that differ only in digits) are its frequencies:
    the quickstart fits all of them, where sms.yaml's own policy would drop them as copies."""
    demo = load_config(default_config_path("demo"), DemoConfig)
    path = write_demo_sms(tmp_path, 600, 3, demo.sms)

    quickstart = load_sms_training_data([path], quickstart_sms_config(demo), demo_mix=False)
    as_a_file = load_sms_training_data([path], load_config(default_config_path("sms"), SmsConfig), demo_mix=False)

    assert len(quickstart.frame) == 600
    assert quickstart.report["duplicates_removed"] == 0
    assert len(as_a_file.frame) < 600  # the difference the setting makes, on this very file


def test_quickstart_config_changes_only_the_duplicates_policy() -> None:
    demo = load_config(default_config_path("demo"), DemoConfig)
    shipped = load_config(default_config_path("sms"), SmsConfig)

    quickstart = quickstart_sms_config(demo, shipped)

    assert quickstart.duplicates == demo.quickstart.duplicates
    assert quickstart.model_dump(exclude={"duplicates"}) == shipped.model_dump(exclude={"duplicates"})


def test_quickstart_shows_a_gang_den_and_publishes_its_members_den_id(tmp_path: Path) -> None:
    """The call part of the quickstart on the shipped demo config: dens.json and dens.html under
    the demo folder, their top den one of the planted gangs, a log line naming it, and the
    published profiles of its members carrying its id (what the call endpoint's den reason names)."""
    call = load_config(default_config_path("call"), CallConfig)
    call = call.model_copy(update={"profile_store": ProfileStoreConfig(url=f"sqlite:///{tmp_path / 'profiles.db'}")})
    lines: list[str] = []

    prepare_demo_profiles(tmp_path, load_config(default_config_path("demo"), DemoConfig).sms.seed, call, lines.append)

    dens = json.loads((tmp_path / "dens" / "dens.json").read_text(encoding="utf-8"))["dens"]
    top = dens[0]
    gangs = pd.read_csv(tmp_path / "cdr" / "truth" / "gangs.csv", dtype=str).set_index("phone_no_m")["gang_id"]
    gang_of_member = gangs.reindex(top["members"])
    assert gang_of_member.notna().mean() >= MOSTLY and gang_of_member.value_counts(normalize=True).iloc[0] >= MOSTLY, top
    page = tmp_path / "dens" / "dens.html"
    assert page.stat().st_size > 0
    assert any(f"top {top['id']}: {top['size']} numbers, {top['known_fraud']} known fraud; see {page}" in line
               for line in lines), lines
    store = SqliteProfileStore(tmp_path / "profiles.db")
    assert {store.get(number)[DEN_ID] for number in top["members"]} == {top["id"]}
    in_dens = {number for den in dens for number in den["members"]}
    outsider = next(n for n in pd.read_csv(tmp_path / "cdr" / "labels.csv", dtype=str)["phone_no_m"] if n not in in_dens)
    assert math.isnan(store.get(outsider)[DEN_ID])  # no den, no id
