"""models/probe_outputs.py on a fitted model: what it records, and what it accepts and refuses."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from features.sms.behaviour import METADATA_PROBE, probe_lines
from models.probe_outputs import ProbeOutputs, check_probe_outputs, probe_outputs
from models.provenance import IncompatibleModelError
from models.scam_model import ScamModel


@pytest.fixture
def recorded_model(demo_model: ScamModel) -> ScamModel:
    model = copy.copy(demo_model)
    model.probe_outputs = probe_outputs(model)
    return model


def test_every_probe_gets_a_row_and_a_score_and_the_same_code_reproduces_them(recorded_model: ScamModel) -> None:
    recorded = recorded_model.probe_outputs
    metadata_probes = [line for line in probe_lines() if line.startswith(METADATA_PROBE)]
    assert len(recorded.records) == len(probe_lines()) and metadata_probes
    assert recorded.features.shape[0] == len(recorded.scores) == len(recorded.records)
    check_probe_outputs(recorded_model, "the demo model")


def test_a_model_without_the_record_loads_as_before(demo_model: ScamModel) -> None:
    assert demo_model.probe_outputs is None
    check_probe_outputs(demo_model, "the demo model")


def test_a_record_of_another_shape_is_refused_in_one_clear_error(recorded_model: ScamModel) -> None:
    recorded = recorded_model.probe_outputs
    recorded_model.probe_outputs = ProbeOutputs(recorded.records[:-1], recorded.features, recorded.scores)
    with pytest.raises(IncompatibleModelError, match="records its outputs on the probes in a form this yunmao cannot read"):
        check_probe_outputs(recorded_model, "the demo model")


def test_scores_beyond_the_tolerance_are_refused_and_within_it_accepted(recorded_model: ScamModel) -> None:
    recorded = recorded_model.probe_outputs
    recorded_model.probe_outputs = ProbeOutputs(recorded.records, recorded.features, recorded.scores + 1e-8)
    check_probe_outputs(recorded_model, "the demo model")
    recorded_model.probe_outputs = ProbeOutputs(recorded.records, recorded.features, np.clip(recorded.scores + 1e-3, 0, 2))
    with pytest.raises(IncompatibleModelError, match=r"the demo model scores its probes differently .*\(in a batch\).* by up to 0\.001"):
        check_probe_outputs(recorded_model, "the demo model")
