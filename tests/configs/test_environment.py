"""``YUNMAO_NAME__…`` variables override any config setting, validated by the file's own schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from configs import CONFIG_DIR, ConfigError, default_config_path, load_config
from configs.env_reference import SCHEMAS, reference
from configs.environment import EnvVarError, config_name, shortcut_value
from configs.feedback import FeedbackConfig
from configs.paths import PROJECT_ROOT
from configs.serving import ServingConfig
from configs.sms import SmsConfig
from training.cli import app

SERVING = default_config_path("serving")


def serving(**environ: str) -> ServingConfig:
    return load_config(SERVING, ServingConfig, environ=environ)


def test_nested_number_bool_and_literal_override_the_file() -> None:
    config = serving(
        YUNMAO_SERVING__OVERLOAD__MAX_IN_FLIGHT="16",
        YUNMAO_SERVING__OVERLOAD__POLICY="allow",
        YUNMAO_SERVING__EXPLAIN="false",
        YUNMAO_SERVING__RELOAD__SYNC_INTERVAL_S="0.5",
    )
    assert config.overload.max_in_flight == 16 and config.overload.policy == "allow"
    assert config.explain is False and config.reload.sync_interval_s == 0.5
    assert config.limits == serving().limits  # untouched sections keep the file's values


def test_a_setting_spelt_with_capitals_is_reached_by_its_upper_case_variable() -> None:
    """A variable's name is upper case; ``linear_score.C`` is still the setting it names."""
    sms = load_config(default_config_path("sms"), SmsConfig, environ={
        "YUNMAO_SMS__FEATURES__LINEAR_SCORE__C": "8", "YUNMAO_SMS__FEATURES__LINEAR_SCORE__TYPES__C": "0.5"})
    assert sms.features.linear_score.C == 8.0 and sms.features.linear_score.types.C == 0.5


def test_null_lists_and_mappings_are_yaml_flow_or_json() -> None:
    config = serving(YUNMAO_SERVING__AUTH__API_KEY="null", YUNMAO_SERVING__AUTH__ADMIN_API_KEY="0123456789abcdef0")
    assert config.auth.api_key is None and config.auth.admin_api_key == "0123456789abcdef0"  # digits stay text
    sms = load_config(default_config_path("sms"), SmsConfig, environ={"YUNMAO_SMS__LIGHTGBM__PARAMS": '{"num_leaves": 7}'})
    assert sms.lightgbm.params == {"num_leaves": 7}
    whole = serving(YUNMAO_SERVING__READ_TIMEOUTS='{"headers_s": 3}')
    assert whole.read_timeouts.headers_s == 3 and whole.read_timeouts.body_s == 10  # a section set whole: defaults


def test_the_process_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNMAO_FEEDBACK__MAX_BATCH", "7")
    assert load_config(default_config_path("feedback"), FeedbackConfig).max_batch == 7


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"YUNMAO_SERVING__OVERLOAD__MAX_IN_FLIGHT": "0"},
         r"overload\.max_in_flight: Input should be greater than or equal to 1 \(from YUNMAO_SERVING__OVERLOAD__MAX_IN_FLIGHT='0'\)"),
        ({"YUNMAO_SERVING__OVERLOAD__MAX_IN_FLIGHT": "many"}, "valid integer.*YUNMAO_SERVING__OVERLOAD__MAX_IN_FLIGHT='many'"),
        ({"YUNMAO_SERVING__OVERLOAD__MAX_INFLIGHT": "4"},
         "YUNMAO_SERVING__OVERLOAD__MAX_INFLIGHT: serving has no setting overload.max_inflight"),
        ({"YUNMAO_SERVING__TIMEOUTS": "4"}, "YUNMAO_SERVING__TIMEOUTS: serving has no setting timeouts"),
        ({"YUNMAO_SERVING__WORKERS__MAX": "4"}, "workers is a single value; set it whole with YUNMAO_SERVING__WORKERS"),
        ({"YUNMAO_SERVING__AUTH": "{api_key: [unclosed"}, "YUNMAO_SERVING__AUTH: not a valid YAML/JSON"),
        ({"YUNMAO_SERVING__TIMEOUT_S": "10"},  # cross-field rule of the schema, blamed on the variable
         r"converge_timeout_s must be < timeout_s.*YUNMAO_SERVING__TIMEOUT_S='10'"),
    ],
)
def test_a_bad_variable_is_refused_naming_it(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        serving(**environ)


def test_other_yunmao_variables_are_not_overrides() -> None:
    """``YUNMAO_SERVING_CONFIG`` (one underscore) is the older single-purpose variable, not a setting."""
    assert serving(YUNMAO_SERVING_CONFIG="/elsewhere.yaml", YUNMAO_SMS_MODEL="models:/x@y") == serving()


def test_a_shortcut_variable_wins_but_may_not_contradict_the_settings_own_variable() -> None:
    setting = "YUNMAO_SERVING__AUTH__API_KEY"
    assert shortcut_value("YUNMAO_API_KEY", setting, "from-file", {}) == "from-file"
    assert shortcut_value("YUNMAO_API_KEY", setting, "from-file", {"YUNMAO_API_KEY": ""}) == "from-file"  # empty = unset
    assert shortcut_value("YUNMAO_API_KEY", setting, "from-file", {"YUNMAO_API_KEY": "k"}) == "k"
    assert shortcut_value("YUNMAO_API_KEY", setting, "k", {"YUNMAO_API_KEY": "k", setting: "k"}) == "k"  # agreeing
    with pytest.raises(EnvVarError, match="YUNMAO_API_KEY and YUNMAO_SERVING__AUTH__API_KEY are both set, to different"):
        shortcut_value("YUNMAO_API_KEY", setting, "b", {"YUNMAO_API_KEY": "a", setting: "b"})


def test_cli_refuses_a_bad_variable_with_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["feedback", "export", "--out", str(tmp_path / "out.csv")], env={"YUNMAO_FEEDBACK__MAX_BATCH": "0"}
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "max_batch: Input should be greater than or equal to 1 (from YUNMAO_FEEDBACK__MAX_BATCH='0')" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_every_yaml_file_has_a_schema_in_the_reference() -> None:
    assert sorted(config_name(model) for model in SCHEMAS) == sorted(path.stem for path in CONFIG_DIR.glob("*.yaml"))


def test_reference_doc_is_up_to_date() -> None:
    """docs/environment.md is generated; regenerate with `python -m configs.env_reference > docs/environment.md`."""
    assert (PROJECT_ROOT / "docs" / "environment.md").read_text(encoding="utf-8") == reference()
    assert "| `YUNMAO_SERVING__OVERLOAD__MAX_IN_FLIGHT` | int | >= 1, <= 10000 | `16` |" in reference()
