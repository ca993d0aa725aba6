"""configs/monitor.yaml validates at load (its values are the schema's defaults) and bad values fail
with the field named; the decision log's files live under the data dir unless a path says otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs import ConfigError, default_config_path, load_config
from configs.monitor import DecisionLogConfig, MonitorConfig


def test_shipped_config_loads_as_the_defaults() -> None:
    assert load_config(default_config_path("monitor"), MonitorConfig) == MonitorConfig()


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("decision_log: {audit_share: 1.5}", "decision_log.audit_share"),
        ("decision_log: {max_rows: 10}", "decision_log.max_rows"),
        ("decision_log: {backend: redis}", "decision_log: Value error, backend redis needs url"),
        ("decision_log: {url: 'redis://h:6379/0'}", "decision_log: Value error, url is set but backend is sqlite"),
        ("decision_log: {backend: redis, url: 'http://h:6379'}", "decision_log.url"),
        ("decision_log: {backend: postgres}", "decision_log.backend"),
        ("live: {window_h: 0}", "live.window_h"),
        ("live: {drift: {bins: 1}}", "live.drift.bins"),
        ("live: {windowh: 24}", "Extra inputs"),
        ("live: {late_write_s: 2}", r"live.late_write_s \(2\) must be at least decision_log.flush_interval_s \+ busy_timeout_s \(6\)"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message):
        load_config(path, MonitorConfig)


def test_log_and_key_paths(isolated_data_dir: Path, tmp_path: Path) -> None:
    assert DecisionLogConfig().db_path() == isolated_data_dir / "decisions.db"
    assert DecisionLogConfig().key_path() == isolated_data_dir / "decisions.key"
    assert DecisionLogConfig(path="live/d.db").db_path() == isolated_data_dir / "live" / "d.db"
    assert DecisionLogConfig(path=str(tmp_path / "d.db")).db_path() == tmp_path / "d.db"
