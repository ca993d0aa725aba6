"""configs/sms.yaml ↔ configs/sms.py: the shipped file is valid; mistakes fail at load, naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from configs import ConfigError, default_config_path, load_config
from configs.sms import SmsConfig

SHIPPED = default_config_path("sms")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sms.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _shipped_with(tmp_path: Path, section: str, key: str, value: object) -> Path:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    raw[section][key] = value
    return _write(tmp_path, yaml.safe_dump(raw, allow_unicode=True))


def test_shipped_config_loads_with_issue_defaults() -> None:
    config = load_config(SHIPPED, SmsConfig)
    assert config.thresholds.block_max_fpr == 0.001 and config.thresholds.warn_max_fpr == 0.01
    assert config.features.char.min_n <= config.features.char.max_n
    assert config.duplicates.copies == 1, "training keeps one copy per normalised text unless a measurement says otherwise"
    assert 0 < config.demo_mix.share <= 1  # real-data training mixes in the demo scripts (issue #10)


@pytest.mark.parametrize("policy, copies", [("drop", 1), ("keep_max", 3), ("keep", None), ("weight", 1)])
def test_duplicates_policy_says_how_many_copies_training_keeps(policy: str, copies: int | None) -> None:
    assert SmsConfig.model_validate({"duplicates": {"policy": policy, "max_copies": 3}}).duplicates.copies == copies


@pytest.mark.parametrize("policy, weighs, source_copies", [("drop", False, 1), ("keep_max", False, 3), ("weight", True, None)])
def test_only_the_weight_policy_weighs_and_it_needs_every_copy_of_a_file_written_for_the_trainer(
    policy: str, weighs: bool, source_copies: int | None,
) -> None:
    """Retraining rewrites base + feedback for the trainer: under ``weight`` the trainer counts the
    copies itself, so the file must keep all of them (one would weigh every text 1)."""
    duplicates = SmsConfig.model_validate({"duplicates": {"policy": policy, "max_copies": 3}}).duplicates
    assert (duplicates.weighs, duplicates.source_copies) == (weighs, source_copies)


@pytest.mark.parametrize("head_booster, served", [(None, "merged"), ("refit", "refit"), ("bag", "bag")])
def test_fraud_type_head_serves_its_own_booster_choice_or_the_models(head_booster: str | None, served: str) -> None:
    cfg = SmsConfig.model_validate({"serve": {"booster": "merged"}, "fraud_type": {"booster": head_booster}})
    assert cfg.fraud_type.serving(cfg.serve).booster == served
    assert cfg.category.serving(cfg.serve).booster == "merged", "unset, the category head serves as serve says"
    assert cfg.fraud_type.serving(cfg.serve).rounds_scale == cfg.serve.rounds_scale


@pytest.mark.parametrize("booster", ["bag", "merged"])
def test_fixed_rounds_calibration_is_for_a_refit_only(booster: str) -> None:
    """bag and merged serve the early-stopped fold boosters, whose own out-of-fold margins calibrate them."""
    with pytest.raises(ValidationError, match=f"calibrate: fixed_rounds needs booster: refit, not '{booster}'"):
        SmsConfig.model_validate({"serve": {"booster": booster, "calibrate": "fixed_rounds"}})
    assert SmsConfig.model_validate({"serve": {"booster": booster}}).serve.calibrate == "early_stopped"
    assert SmsConfig.model_validate({"serve": {"booster": "refit", "calibrate": "fixed_rounds"}}).serve.calibrate == "fixed_rounds"


def test_fixed_rounds_calibration_of_no_refit_fails_at_load_naming_file_and_serve(tmp_path: Path) -> None:
    path = _write(tmp_path, "serve: {booster: merged, calibrate: fixed_rounds}\n")
    with pytest.raises(ConfigError, match=r"sms\.yaml: invalid config: serve: .*calibrate: fixed_rounds needs booster: refit"):
        load_config(path, SmsConfig)


@pytest.mark.parametrize("policy", ["drop", "keep_max", "weight"])
def test_with_the_template_memory_a_file_written_for_the_trainer_keeps_every_copy(policy: str) -> None:
    """The memory counts each labelled copy; the trainer still keeps ``duplicates``' rows for the boosters."""
    with_memory = SmsConfig.model_validate({"duplicates": {"policy": policy, "max_copies": 3}, "memory": {"enabled": True}})
    without = SmsConfig.model_validate({"duplicates": {"policy": policy, "max_copies": 3}, "memory": {"enabled": False}})
    assert with_memory.source_copies is None and without.source_copies == without.duplicates.source_copies


def test_an_explicit_empty_mapping_gives_the_defaults(tmp_path: Path) -> None:
    """``{}`` says "every default" on purpose; an empty file is refused (see below)."""
    assert load_config(_write(tmp_path, "{}\n"), SmsConfig) == SmsConfig()


@pytest.mark.parametrize(
    "section, key, value, field",
    [
        ("split", "fold", 5, "split.fold"),  # unknown key (typo)
        ("split", "folds", "five", "split.folds"),  # wrong type
        ("split", "folds", 1, "split.folds"),  # out of range
        ("thresholds", "block_max_fpr", 0.05, "thresholds"),  # block looser than warn
        ("thresholds", "warn_max_fpr", 1.5, "thresholds.warn_max_fpr"),
        ("lightgbm", "num_boost_round", [100], "lightgbm.num_boost_round"),
        ("features", "max_text_chars", 2000, "features.max_text_chars"),  # removed: nothing read it
        ("serve", "booster", "stacked", "serve.booster"),  # only refit | bag | merged
        ("fraud_type", "booster", "stacked", "fraud_type.booster"),
        ("category", "booster", "stacked", "category.booster"),  # the shipped refit setting, misspelt
        ("serve", "rounds_quantile", 1.5, "serve.rounds_quantile"),
        ("serve", "rounds_scale", 0, "serve.rounds_scale"),
        ("serve", "calibrate", "refit", "serve.calibrate"),  # only early_stopped | fixed_rounds
        ("memory", "prior_weight", 0, "memory.prior_weight"),  # the model's score must count for something
        ("memory", "prior_weight", -2.0, "memory.prior_weight"),
        ("memory", "enabled", "sometimes", "memory.enabled"),
        ("memory", "prior", 2.0, "memory.prior"),  # unknown key (typo)
        ("duplicates", "policy", "keep_some", "duplicates.policy"),  # only drop | keep_max | keep | weight
        ("duplicates", "policy", "weights", "duplicates.policy"),  # a near miss is refused, not read as drop
        ("duplicates", "policy", None, "duplicates.policy"),
        ("duplicates", "max_copies", 1, "duplicates.max_copies"),  # 1 copy is drop
        ("demo_mix", "share", 1.5, "demo_mix.share"),  # more generated rows than real ones
        ("demo_mix", "share", -0.1, "demo_mix.share"),
        ("demo_mix", "shares", 0.2, "demo_mix.shares"),
    ],
)
def test_invalid_config_names_file_and_field(tmp_path: Path, section: str, key: str, value: object, field: str) -> None:
    path = _shipped_with(tmp_path, section, key, value)
    with pytest.raises(ConfigError) as error:
        load_config(path, SmsConfig)
    assert str(path) in str(error.value) and field in str(error.value)


def test_block_looser_than_warn_says_why(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="block_max_fpr must be <= warn_max_fpr"):
        load_config(_shipped_with(tmp_path, "thresholds", "block_max_fpr", 0.05), SmsConfig)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sms\.yaml: invalid config: max_reason:"):
        load_config(_write(tmp_path, "max_reason: 3\n"), SmsConfig)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.yaml: config file not found"):
        load_config(tmp_path / "absent.yaml", SmsConfig)


@pytest.mark.parametrize("text, message", [("- a\n- b\n", "top level must be a mapping, got list"),
                                           ("just text\n", "top level must be a mapping, got str"),
                                           ("split: {folds: [\n", "not valid YAML")])
def test_file_that_is_not_a_mapping(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        load_config(_write(tmp_path, text), SmsConfig)
    assert str(tmp_path / "sms.yaml") in str(error.value)


@pytest.mark.parametrize("categories", [["frud"], ["ham"], ["fraud", "fraud"]])
def test_linear_score_categories_must_be_unwanted_categories_of_the_taxonomy(tmp_path: Path, categories: list[str]) -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    raw["features"]["linear_score"]["categories"] = categories
    path = _write(tmp_path, yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ConfigError, match=r"features\.linear_score.*'spam', 'illegal', 'fraud'"):
        load_config(path, SmsConfig)


@pytest.mark.parametrize(("types", "message"), [({"loss": "hinge"}, r"types\.loss"), ({"C": 0}, r"types\.C"),
                                               ({"loss": "logistic", "penalty": "l1"}, r"types\.penalty")])
def test_the_type_score_model_must_be_a_known_loss_with_a_positive_C(tmp_path: Path, types: dict, message: str) -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    raw["features"]["linear_score"]["types"] = types
    with pytest.raises(ConfigError, match=r"features\.linear_score\." + message):
        load_config(_write(tmp_path, yaml.safe_dump(raw, allow_unicode=True)), SmsConfig)


@pytest.mark.parametrize(("content", "message"), [
    (None, "a folder, not a config file"),
    (b"\x00\x01binary", "not valid YAML: unacceptable character #x0000"),
    ("split: 折叠".encode("gb18030"), "not UTF-8 text (byte 0xd5 at offset 7)"),
    (b"", "empty config file"),
    (b"\n  \n# split:\n#   folds: 5\n", "empty config file"),
], ids=["folder", "binary", "not_utf8", "empty", "only_comments"])
def test_a_config_that_cannot_be_read_is_one_line_naming_it(tmp_path: Path, content: bytes | None, message: str) -> None:
    """A folder was an IsADirectoryError traceback from every --config; PyYAML's error spanned lines;
    an empty file was taken as every default, silently (most likely the wrong file was given)."""
    path = tmp_path / "sms.yaml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as error:
        load_config(path, SmsConfig)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("value", [-1, 11, "two"])
def test_the_quote_limit_of_a_cue_reason_is_checked_at_load(tmp_path: Path, value: object) -> None:
    assert load_config(SHIPPED, SmsConfig).max_reason_quotes == 3
    with pytest.raises(ConfigError, match=r"sms\.yaml: invalid config: max_reason_quotes"):
        load_config(_write(tmp_path, f"max_reason_quotes: {value}\n"), SmsConfig)
