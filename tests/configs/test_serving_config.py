"""configs/serving.yaml's process settings (reload sync, read timeouts, overload) validate at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs import ConfigError, default_config_path, load_config
from configs.serving import ServingConfig, ShadowConfig


def test_shipped_config_loads_with_a_reload_bound_below_the_request_timeout() -> None:
    config = load_config(default_config_path("serving"), ServingConfig)
    assert config.reload.converge_timeout_s < config.timeout_s
    assert config.read_timeouts.headers_s > 0 and config.read_timeouts.body_s > 0
    assert not config.shadow.sms.enabled and not config.shadow.call.enabled  # shadow challengers are opt-in


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("timeout_s: 10\nreload: {converge_timeout_s: 10}", "converge_timeout_s must be < timeout_s"),
        ("reload: {sync_interval_s: 0}", "sync_interval_s"),
        ("read_timeouts: {headers_s: 0}", "headers_s"),
        ("read_timeouts: {body_s: -1}", "body_s"),
        ("read_timeouts: {keep_alive_s: 0}", "keep_alive_s"),
        ("read_timeouts: {header_s: 5}", "header_s: Extra inputs"),
        ("overload: {max_in_flight: 0}", "max_in_flight"),
        ("overload: {policy: queue}", "policy"),
        ("overload: {deadline_header: 'X Deadline'}", "deadline_header"),
        ("registry_uri: ''", "registry_uri: String should have at least 1 character"),
        ("timeout_s: 1\nreload: {converge_timeout_s: 0.5}\noverload: {max_deadline_ms: 2000}", "max_deadline_ms must be <= timeout_s"),
        ("shadow: {sms: {share: 0}}", "shadow.sms.share"),
        ("shadow: {sms: {share: 1.5}}", "shadow.sms.share"),
        ("shadow: {sms: {model: yunmao-sms}}", "shadow.sms.model"),
        ("shadow: {call: {queue_size: 0}}", "shadow.call.queue_size"),
        ("shadow: {call: {keep_text: true}}", "shadow.call.keep_text must be false"),
        ("shadow: {hmac_key: short}", "shadow.hmac_key"),
        ("shadow: {max_rows: 10}", "shadow.max_rows"),
        ("shadow: {backend: redis}", "shadow: Value error, backend redis needs url"),
        ("shadow: {url: 'redis://h:6379/0'}", "shadow: Value error, url is set but backend is sqlite"),
        ("shadow: {nice: 20}", "shadow.nice"),
        ("shadow: {scheduler: fifo}", "shadow.scheduler"),
        ("shadow: {idle_poll_ms: 0}", "shadow.idle_poll_ms"),
        ("shadow: {pipe_bytes: 1024}", "shadow.pipe_bytes"),  # below one page: a 4 KiB frame could never be written whole
        ("trace_scoring: maybe", "trace_scoring"),
    ],
)
def test_bad_values_are_refused_naming_the_field(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "serving.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message):
        load_config(path, ServingConfig)


def test_shadow_pairs_live_under_the_data_dir_unless_a_path_says_otherwise(
    isolated_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert ShadowConfig().db_path() == isolated_data_dir / "shadow.db"
    assert ShadowConfig(path="live/s.db").db_path() == isolated_data_dir / "live" / "s.db"
    assert ShadowConfig(path=str(tmp_path / "s.db")).db_path() == tmp_path / "s.db"
    assert ShadowConfig(path="~/s.db").db_path() == tmp_path / "s.db"
