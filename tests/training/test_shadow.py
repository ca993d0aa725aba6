"""Shadow evidence on a synthetic pair table: the report's numbers and the two-phase gates of
``yunmao promote`` (registry versions without model files: the gates read only the registry and
the pairs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from configs.feedback import FeedbackConfig
from configs.serving import SERVING_CONFIG_ENV, ShadowConfig, load_serving_config
from serving.feedback_store import open_feedback_store
from serving.shadow_store import SHADOW_KEY_ENV, ShadowPair, ShadowStore, now_iso, open_shadow_store, record_content, record_key
from tests.serving.cases import PHONE
from training.cli import app

runner = CliRunner()
KEY = "report-shadow-key-0123456789"


def pair(text: str, mine: tuple[float, str], theirs: tuple[float, str], version: str = "2", model: str = "m",
         keep_text: bool = True) -> ShadowPair:
    return ShadowPair("sms", record_key(KEY.encode(), "sms", record_content("sms", {"text": text})), model, "1",
                      mine[0], mine[1], model, version, theirs[0], theirs[1], text if keep_text else None, now_iso())


@pytest.fixture
def shadow_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ShadowStore:
    """A serving config whose pair table is in ``tmp_path``, the HMAC key set, feedback beside it."""
    config = tmp_path / "serving.yaml"
    config.write_text(yaml.safe_dump({"shadow": {"path": str(tmp_path / "shadow.db")}}), encoding="utf-8")
    monkeypatch.setenv(SERVING_CONFIG_ENV, str(config))
    monkeypatch.setenv(SHADOW_KEY_ENV, KEY)
    load_serving_config.cache_clear()
    yield open_shadow_store(ShadowConfig(path=str(tmp_path / "shadow.db")))
    load_serving_config.cache_clear()


def test_report_counts_agreement_and_joins_feedback_labels(shadow_env: ShadowStore, tmp_path: Path) -> None:
    fraud, ham, unlabelled = "您的账户异常请转入安全账户", "明天下午三点开会", f"快递到了，联系 {PHONE}"
    shadow_env.append([
        pair(fraud, (0.4, "allow"), (0.95, "block")),  # the challenger catches what the champion missed
        pair(ham, (0.1, "allow"), (0.2, "allow")),
        pair(unlabelled, (0.8, "warn"), (0.99, "block")),
        pair(ham, (0.1, "allow"), (0.1, "allow"), version="3"),
    ])
    feedback_config = tmp_path / "feedback.yaml"
    feedback_config.write_text(yaml.safe_dump({"path": str(tmp_path / "feedback.db")}), encoding="utf-8")
    open_feedback_store(FeedbackConfig(path=str(tmp_path / "feedback.db"))).append_many([
        {"text": fraud, "label": "fraud", "source": "analyst"}, {"text": ham, "label": 0, "source": "analyst"}])
    out = tmp_path / "report"
    result = runner.invoke(app, ["shadow", "report", "--out", str(out), "--feedback-config", str(feedback_config)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "shadow.json").read_text(encoding="utf-8"))
    assert report["pairs"] == 4
    by_version = {c["version"]: c for c in report["challengers"]}
    v2 = by_version["2"]
    assert v2["pairs"] == 3 and by_version["3"]["pairs"] == 1
    assert v2["agreement"]["allow"] == {"block": 1, "warn": 0, "allow": 1}
    assert v2["agreement"]["warn"]["block"] == 1
    assert v2["block_disagreement"] == pytest.approx(2 / 3)
    assert v2["score_difference"]["max_abs"] == pytest.approx(0.55)
    assert v2["most_disagreeing"][0]["text"] == fraud and PHONE not in json.dumps(v2["most_disagreeing"])
    labelled = v2["labelled"]
    assert (labelled["records"], labelled["fraud"]) == (2, 1)
    champion_block, challenger_block = labelled["champion"][0], labelled["challenger"][0]
    assert (champion_block["recall"], champion_block["precision"]) == (0.0, None)  # blocked nothing
    assert (challenger_block["recall"], challenger_block["precision"]) == (1.0, 1.0)
    html = (out / "shadow.html").read_text(encoding="utf-8")
    assert "m version 2 (challenger)" in html and fraud in html


def test_report_without_the_key_says_why_there_are_no_labels(shadow_env: ShadowStore, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SHADOW_KEY_ENV)
    shadow_env.append([pair("你好", (0.1, "allow"), (0.1, "allow"), keep_text=False)])
    result = runner.invoke(app, ["shadow", "report", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r" / "shadow.json").read_text(encoding="utf-8"))
    assert SHADOW_KEY_ENV in report["feedback_note"] and report["challengers"][0]["labelled"] is None
    assert report["challengers"][0]["most_disagreeing"] == []


def test_a_pair_table_that_is_not_sqlite_is_one_line(shadow_env: ShadowStore, tmp_path: Path) -> None:
    (tmp_path / "shadow.db").write_bytes(b"not a database " * 100)
    result = runner.invoke(app, ["shadow", "report", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot read the shadow pairs") and len(result.stderr.splitlines()) == 1


def registered(name: str, versions: int) -> None:
    """``versions`` registry versions of ``name`` (no model files), version 1 champion."""
    from mlflow import MlflowClient

    from models.registry import configure_tracking, set_alias

    configure_tracking()
    client = MlflowClient()
    client.create_registered_model(name)
    for _ in range(versions):
        client.create_model_version(name, "file:///nowhere")
    set_alias(name, "1", "champion")


def champion_of(name: str) -> str:
    from models.registry import resolve_model_version

    return resolve_model_version(f"models:/{name}@champion")[1]


@pytest.mark.slow
def test_promote_needs_shadow_evidence_for_that_exact_version(shadow_env: ShadowStore, tmp_path: Path) -> None:
    retrain = yaml.safe_load((Path(__file__).resolve().parents[2] / "configs" / "retrain.yaml").read_text(encoding="utf-8"))
    retrain["shadow_gates"] = {"enabled": True, "min_shadow_pairs": 4, "max_block_disagreement": 0.3}
    config = tmp_path / "retrain.yaml"
    config.write_text(yaml.safe_dump(retrain), encoding="utf-8")
    name = "shadow-gated"
    registered(name, 3)

    def promote(version: str, *extra: str):
        return runner.invoke(app, ["promote", name, version, "--config", str(config), *extra])

    refused = promote("2")
    assert refused.exit_code == 1 and "models:/shadow-gated/2 has 0 shadow pairs" in refused.stderr
    shadow_env.append([pair(f"短信{i}", (0.1, "allow"), (0.1, "allow"), version="3", model=name) for i in range(10)])
    assert "has 0 shadow pairs" in promote("2").stderr  # version 3's evidence is not version 2's
    shadow_env.append([pair(f"信息{i}", (0.1, "allow"), (0.9 if i < 2 else 0.1, "block" if i < 2 else "allow"),
                            model=name) for i in range(5)])
    disagrees = promote("2")
    assert disagrees.exit_code == 1 and "40.00% of 5 shadow pairs" in disagrees.stderr
    assert champion_of(name) == "1"
    agreed = promote("3")
    assert agreed.exit_code == 0, agreed.output
    assert "shadow gates passed" in agreed.stdout and champion_of(name) == "3"
    rollback = promote("1", "--skip-shadow-gates")
    assert rollback.exit_code == 0 and champion_of(name) == "1"
    missing = promote("9")
    assert missing.exit_code == 2 and "not found" in missing.stderr
