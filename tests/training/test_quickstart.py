"""How ``yunmao quickstart`` trains on its demo SMS (every generated message, repeats included)
and what its call part shows: the dens of the planted gangs, their ids in the published profiles,
a call model trained with the demo's links, and its den reason for a gang member's call."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from mlflow.artifacts import load_dict

from configs import default_config_path, load_config
from configs.call import CallConfig, ProfileStoreConfig
from configs.demo import DemoConfig
from configs.sms import SmsConfig
from features.graph.features import GRAPH_COLUMNS
from features.graph.reasons import DEN_ID
from models.registry import load_scam_model
from serving.call_scoring import INSUFFICIENT_HISTORY, decide_calls
from serving.profile_store import SqliteProfileStore
from serving.reload import LoadedModel
from training.data.demo_sms import write_demo_sms
from training.quickstart import DemoCalls, prepare_demo_calls, quickstart_sms_config
from training.train import load_sms_training_data

MOSTLY = 0.8  # share of the top den's members that are planted gang members, all of one gang
MODEL = "yunmao-call-quickstart-test"
UNKNOWN_CALLER = "13900139000"  # README's caller with no history


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


@pytest.fixture(scope="module")
def demo_calls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoCalls, list[str]]:
    """The call part of the quickstart on the shipped configs (its own model name and profile
    store): its folder, what it registered and published, and the lines it logged."""
    out = tmp_path_factory.mktemp("quickstart-calls")
    call = load_config(default_config_path("call"), CallConfig)
    call = call.model_copy(update={"profile_store": ProfileStoreConfig(url=f"sqlite:///{out / 'profiles.db'}")})
    lines: list[str] = []
    made = prepare_demo_calls(out, load_config(default_config_path("demo"), DemoConfig).sms.seed, call, lines.append,
                              name=MODEL)
    return out, made, lines


def test_quickstart_shows_a_gang_den_and_publishes_its_members_den_id(demo_calls) -> None:
    """dens.json and dens.html under the demo folder, their top den one of the planted gangs, a
    log line naming it, and the published profiles of its members carrying its id (what the call
    endpoint's den reason names)."""
    out, _, lines = demo_calls
    dens = json.loads((out / "dens" / "dens.json").read_text(encoding="utf-8"))["dens"]
    top = dens[0]
    gangs = pd.read_csv(out / "cdr" / "truth" / "gangs.csv", dtype=str).set_index("phone_no_m")["gang_id"]
    gang_of_member = gangs.reindex(top["members"])
    assert gang_of_member.notna().mean() >= MOSTLY and gang_of_member.value_counts(normalize=True).iloc[0] >= MOSTLY, top
    page = out / "dens" / "dens.html"
    assert page.stat().st_size > 0
    assert any(f"top {top['id']}: {top['size']} numbers, {top['known_fraud']} known fraud; see {page}" in line
               for line in lines), lines
    store = SqliteProfileStore(out / "profiles.db")
    assert {store.get(number)[DEN_ID] for number in top["members"]} == {top["id"]}
    in_dens = {number for den in dens for number in den["members"]}
    outsider = next(n for n in pd.read_csv(out / "cdr" / "labels.csv", dtype=str)["phone_no_m"] if n not in in_dens)
    assert math.isnan(store.get(outsider)[DEN_ID])  # no den, no id


def test_quickstart_call_model_is_trained_with_the_demo_links(demo_calls) -> None:
    """The registered call model has graph features and the demo's known-fraud set, and records
    the links it was trained with; the store holds the graph columns it scores."""
    out, made, _ = demo_calls
    model = load_scam_model(made.outcome.model_uri)
    assert model.graph is not None and set(model.feature_names) & set(GRAPH_COLUMNS)
    labels = pd.read_csv(out / "cdr" / "labels.csv", dtype=str)
    assert model.graph.summary()["known_numbers"] == len(labels)
    report = load_dict(f"runs:/{made.outcome.run_id}/data_report.json")
    assert report["links"]["links_kept"] > 0 and report["graph_knowledge"]["known_fraud"] > 0, report
    stored = SqliteProfileStore(out / "profiles.db").get(labels["phone_no_m"].iloc[0])
    assert set(model.feature_names) <= set(stored)


def test_quickstart_endpoint_names_a_gang_members_den(demo_calls) -> None:
    """Every planted gang member in a den is blocked from its published profile with a reason
    naming its den; a number the store does not hold still gets insufficient_history."""
    out, made, _ = demo_calls
    dens = json.loads((out / "dens" / "dens.json").read_text(encoding="utf-8"))["dens"]
    gangs = set(pd.read_csv(out / "cdr" / "truth" / "gangs.csv", dtype=str)["phone_no_m"])
    den_of = {number: den["id"] for den in dens for number in den["members"] if number in gangs}
    assert den_of, dens
    model = LoadedModel("call", made.outcome.version, load_scam_model(made.outcome.model_uri), None)
    callers = [*den_of, UNKNOWN_CALLER]

    verdicts = decide_calls(model, [{"caller": number} for number in callers], SqliteProfileStore(out / "profiles.db"),
                            explain=True, unknown_action="allow")

    for number, verdict in zip(den_of, verdicts, strict=False):
        assert verdict.action == "block", (number, verdict)
        assert any(reason.startswith(f"同一窝点 {den_of[number]}（含联系人）") for reason in verdict.reasons), verdict
    assert (verdicts[-1].action, verdicts[-1].reasons) == ("allow", (INSUFFICIENT_HISTORY,))


def test_a_demo_without_links_trains_its_call_model_without_graph_features(tmp_path: Path) -> None:
    """No gang, no SIM-box farm: no two numbers linked. The quickstart says so and still registers
    a call model (without graph features) and publishes its callers, as it serves without a den."""
    call = CallConfig.model_validate({
        "demo": {"normal": 60, "delivery": 6, "sales": 6, "fraud": 12, "simbox_farms": 0, "gangs": {"count": 0}, "days": 7},
        "split": {"folds": 2}, "profile_store": {"url": f"sqlite:///{tmp_path / 'profiles.db'}"},
        "lightgbm": {"num_boost_round": 20, "early_stopping_rounds": 5, "params": {"num_threads": 1}},
    })
    lines: list[str] = []

    made = prepare_demo_calls(tmp_path, 7, call, lines.append, name=f"{MODEL}-unlinked")

    assert "no links between the demo's numbers: the call model is trained without graph features" in lines
    assert load_scam_model(made.outcome.model_uri).graph is None
    assert not (tmp_path / "links.parquet").exists()
    assert SqliteProfileStore(tmp_path / "profiles.db").get(made.published["phone_no_m"].iloc[0]) is not None
