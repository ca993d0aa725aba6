"""The call endpoint's den reason names the den an analyst sees in dens.json, read from the stored profile.

A small graph call model (the synthetic numbers of tests/training/test_call_graph_model.py) scores
profiles published with and without a den id, through the store and the service's call path.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from features.graph.links import CallGraph
from features.graph.reasons import DEN_ID
from serving.call_scoring import decide_calls
from serving.profile_store import SqliteProfileStore, publish_profiles
from serving.reload import LoadedModel
from tests.training.test_call_graph_model import CONFIG, numbers_and_links
from training.data.datasets import ready_for_model
from training.train_call import fit_call_model

DEN = "同一窝点"


@pytest.fixture(scope="module")
def scored_profiles():
    """A graph model (every feature may be a reason) and its profiles of unseen numbers, den columns filled."""
    frame, links = numbers_and_links()
    train, test = frame.iloc[:180].reset_index(drop=True), frame.iloc[180:].reset_index(drop=True)
    model = fit_call_model(train, CONFIG, CallGraph.from_links(links, frame.phone_no_m, CONFIG.graph)).fit.model
    model = dataclasses.replace(model, max_reasons=len(model.feature_names))
    profiles, _ = ready_for_model(model, test.drop(columns="label"), links, evaluation=False)
    return model, profiles


def test_a_den_members_reason_names_its_den_and_anothers_does_not(scored_profiles, tmp_path: Path) -> None:
    model, profiles = scored_profiles
    plain = {number: decision.reasons for number, decision in zip(profiles.phone_no_m, model.decide(profiles), strict=True)}
    in_den = [number for number, reasons in plain.items() if any(r.startswith(DEN) for r in reasons)]
    assert len(in_den) >= 2, plain
    member, outsider = in_den[0], in_den[1]
    store = SqliteProfileStore(tmp_path / "profiles.db")
    publish_profiles(store, profiles.assign(**{DEN_ID: profiles.phone_no_m.map({member: "den-12"})}))

    verdicts = decide_calls(LoadedModel("call", "1", model, None), [{"caller": member}, {"caller": outsider}], store,
                            explain=True, unknown_action="allow")

    named = [r for r in verdicts[0].reasons if r.startswith(DEN)]
    assert named and all(r.startswith(f"{DEN} den-12") for r in named), verdicts[0].reasons
    assert [r for r in verdicts[1].reasons if r.startswith(DEN)] == [r for r in plain[outsider] if r.startswith(DEN)]
    assert not any("den-" in r or "nan" in r or r.startswith("graph_") for r in verdicts[1].reasons), verdicts[1].reasons
    assert verdicts[0].score == pytest.approx(float(model.score(profiles[profiles.phone_no_m == member])[0]))


def test_a_flagged_callers_den_leads_its_reasons_only_when_mostly_confirmed_fraud(scored_profiles) -> None:
    """The den sentence comes first for a flagged caller whose den's confirmed-fraud share reaches
    ``graph.den_reason_min_share``, and only by contribution (if at all) below it."""
    model, profiles = scored_profiles
    assert model.lead_minimums == {"graph_den_fraud_share": CONFIG.graph.den_reason_min_share}
    share = profiles["graph_den_fraud_share"].astype(float)
    flagged = np.array([d.action != "allow" for d in model.decide(profiles)])
    mostly_fraud = profiles[flagged & (share >= CONFIG.graph.den_reason_min_share)]
    assert len(mostly_fraud), "the synthetic gangs give flagged callers in fraud-heavy dens"
    assert all(d.reasons[0].startswith(DEN) for d in model.decide(mostly_fraud))
    never = dataclasses.replace(model, lead_minimums={"graph_den_fraud_share": 1.01})  # a share never reaches it
    first = [d.reasons[0] for d in never.decide(mostly_fraud)]
    by_contribution = [d.reasons[0] for d in dataclasses.replace(model, lead_reasons=frozenset()).decide(mostly_fraud)]
    assert first == by_contribution
