"""A den is its community's core: members whose labelled fellow members are mostly known fraud.

Small hand-made graphs: a gang clique with some members labelled fraud, and victims each called
by one gang member and linked to labelled ordinary numbers, all in one community.
"""

from __future__ import annotations

import pandas as pd
import pytest

from configs.call import CallConfig
from configs.dens import CoreConfig, CoreSelectionConfig, DensConfig
from features.graph.links import CallGraph
from models.scam_model import Thresholds
from training.dens.build import DenInputs, find_dens
from training.dens.core import core_numbers

GANG = [f"g{i}" for i in range(6)]
VICTIMS = [f"v{i}" for i in range(3)]
NORMAL = [f"n{i}" for i in range(3)]


def gang_graph() -> CallGraph:
    pairs = [(a, b) for a in GANG for b in GANG if a < b]
    pairs += [(victim, GANG[i]) for i, victim in enumerate(VICTIMS)]
    pairs += [(victim, normal) for victim in VICTIMS for normal in NORMAL]
    links = pd.DataFrame(pairs, columns=["phone_no_m", "linked_no_m"])
    return CallGraph.from_links(links, [], CallConfig().graph.model_copy(update={"leiden_resolution": 0.1}))


KNOWN = pd.Series({"g0": 1, "g1": 1, "g2": 1, **{n: 0 for n in NORMAL}})


def test_gang_numbers_are_core_and_their_victims_are_not() -> None:
    graph = gang_graph()
    assert len(set(graph.dens)) == 1, "the whole toy graph is one community"
    core = core_numbers(graph, KNOWN, CoreConfig(min_fraud_neighbour_share=0.7, min_labelled_neighbours=1))
    assert core == set(GANG)


def test_a_members_own_label_does_not_decide_its_core_membership() -> None:
    graph = gang_graph()
    config = CoreConfig(min_fraud_neighbour_share=0.7, min_labelled_neighbours=1)
    hidden = core_numbers(graph, KNOWN.drop("g0"), config)
    assert "g0" in hidden  # judged on its neighbours alone, as a hidden number is
    assert "g3" in core_numbers(graph, pd.concat([KNOWN, pd.Series({"g3": 0})]), config)


def test_too_few_labelled_neighbours_is_no_evidence() -> None:
    graph = gang_graph()
    core = core_numbers(graph, KNOWN, CoreConfig(min_fraud_neighbour_share=0.7, min_labelled_neighbours=4))
    assert core == {"g0", "g1", "g2"}  # known fraud stays; the rest have at most 3 labelled neighbours


def test_dens_list_the_core_as_members_and_the_rest_as_contacts() -> None:
    graph = gang_graph()
    config = DensConfig(core=CoreConfig(min_fraud_neighbour_share=0.7, min_labelled_neighbours=1))
    (den,) = find_dens(graph, DenInputs(links=pd.DataFrame(), known=KNOWN), config)
    assert den.members == GANG and den.contacts == sorted(VICTIMS + NORMAL)
    assert den.as_dict()["contacts"] == den.contacts and den.evidence["labelled"] == 3


def test_without_labels_or_with_the_core_off_the_den_is_the_whole_community() -> None:
    graph = gang_graph()
    everyone = sorted(GANG + VICTIMS + NORMAL)
    (unlabelled,) = find_dens(graph, DenInputs(links=pd.DataFrame()), DensConfig())
    off = DensConfig(core=CoreConfig(enabled=False))
    (whole,) = find_dens(graph, DenInputs(links=pd.DataFrame(), known=KNOWN), off)
    assert unlabelled.members == whole.members == everyone and whole.contacts == []


@pytest.mark.parametrize("field", ["min_fraud_neighbour_share", "min_labelled_neighbours"])
def test_bad_core_candidates_are_refused(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        CoreSelectionConfig(**{field: [-1.0]})


def test_a_scored_member_below_the_models_threshold_is_not_core() -> None:
    """A member with mostly-fraud neighbours that the call model would not even warn on is a contact."""
    graph = gang_graph()
    config = CoreConfig(min_fraud_neighbour_share=0.7, min_labelled_neighbours=1)
    scores = pd.Series({"g3": 0.05, "g4": 0.6, "g0": 0.01})  # g5 not scored: its neighbours decide
    core = core_numbers(graph, KNOWN, config, scores, Thresholds(block=0.8, warn=0.4))
    assert core == set(GANG) - {"g3"}  # g0 is known fraud: core whatever its score
    assert core_numbers(graph, KNOWN, config.model_copy(update={"member_score_action": "block"}), scores,
                        Thresholds(block=0.8, warn=0.4)) == set(GANG) - {"g3", "g4"}
    assert core_numbers(graph, KNOWN, config.model_copy(update={"member_score_action": "none"}), scores,
                        Thresholds(block=0.8, warn=0.4)) == set(GANG)


@pytest.mark.parametrize("action", ["allow", "WARN", "", 0.5])
def test_an_unknown_member_score_action_is_refused_with_the_field_named(action) -> None:
    with pytest.raises(ValueError, match="member_score_action"):
        CoreConfig(member_score_action=action)
