"""models/registry.py: model URIs and where MLflow tracking points."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.registry import parse_model_uri, tracking_uri


@pytest.mark.parametrize(
    "uri, parsed",
    [
        ("models:/yunmao-sms/3", ("yunmao-sms", "3", None)),
        ("models:/yunmao-sms/latest", ("yunmao-sms", "latest", None)),
        ("models:/yunmao-sms@champion", ("yunmao-sms", None, "champion")),
        ("models:/yunmao_sms@my-challenger", ("yunmao_sms", None, "my-challenger")),
        ("  models:/yunmao-sms/12\n", ("yunmao-sms", "12", None)),
    ],
)
def test_parse_model_uri(uri: str, parsed: tuple) -> None:
    assert parse_model_uri(uri) == parsed


@pytest.mark.parametrize(
    "uri",
    ["runs:/abc123/model", "models:/yunmao-sms", "models:/yunmao-sms/v3", "models:/yunmao-sms@", "models:/a/b/1",
     "yunmao-sms/1", "models:/yunmao-sms/1@champion"],
)
def test_malformed_model_uri_is_a_clear_error(uri: str) -> None:
    with pytest.raises(ValueError, match="models:/NAME/VERSION"):
        parse_model_uri(uri)


def test_tracking_uri_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    assert tracking_uri() == "http://127.0.0.1:5000"


@pytest.mark.parametrize("value", [None, ""])
def test_tracking_uri_defaults_to_sqlite_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value) -> None:
    monkeypatch.setenv("YUNMAO_DATA_DIR", str(tmp_path))
    if value is None:
        monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    else:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", value)
    uri = tracking_uri()
    assert uri.startswith("sqlite:///")
    assert Path(uri.removeprefix("sqlite:///")).parent == tmp_path.resolve()
