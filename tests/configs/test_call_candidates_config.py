"""configs/call_candidates.yaml: candidates validate as whole call configs and override only what they name."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs import ConfigError, default_config_path, load_config
from configs.call import CallConfig
from configs.call_candidates import CallCandidatesConfig


def _shipped() -> tuple[CallConfig, CallCandidatesConfig]:
    return (load_config(default_config_path("call"), CallConfig),
            load_config(default_config_path("call_candidates"), CallCandidatesConfig))


def test_a_candidate_changes_only_the_settings_it_names() -> None:
    shipped, candidates = _shipped()
    leaves7 = candidates.candidates["leaves7"].applied_to(shipped)
    assert leaves7.lightgbm.params["num_leaves"] == 7 and leaves7.lightgbm.num_boost_round == 800
    # Unnamed params keep the shipped values (merged key by key, not replaced wholesale).
    assert leaves7.lightgbm.params["lambda_l2"] == shipped.lightgbm.params["lambda_l2"]
    assert leaves7.lightgbm.early_stopping_rounds == shipped.lightgbm.early_stopping_rounds
    assert leaves7.model_copy(update={"lightgbm": shipped.lightgbm}) == shipped


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("candidates: {x: {why: typo, overrides: {lightgbmm: {}}}}", "lightgbmm"),
        ("candidates: {x: {why: bad, overrides: {lightgbm: {num_boost_round: 0}}}}", "num_boost_round"),
        ("candidates: {x: {why: none, overrides: {}}}", "overrides"),
        ("candidates: {x: {overrides: {max_reasons: 3}}}", "why"),
    ],
)
def test_bad_candidates_are_refused_at_load(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "call_candidates.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message):
        load_config(path, CallCandidatesConfig)
