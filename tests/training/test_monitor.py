"""``yunmao monitor``: the live-health report from the decision log and feedback, and its bad input."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from configs.feedback import FeedbackConfig
from configs.monitor import DecisionLogConfig, MonitorConfig
from models.scam_model import REFERENCE_SCORE
from serving.decision_log import DecisionLog, log_scored
from serving.feedback_store import open_feedback_store
from serving.schemas import ScoreResult, new_decision_id
from training.cli import app
from training.monitor import MonitorError, monitor_report, parse_since, write_monitor
from training.tables import OutputError

runner = CliRunner()
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def log_decisions(log: DecisionLog, version: str, scores: np.ndarray) -> list[ScoreResult]:
    model = SimpleNamespace(name="yunmao-sms", version=version, model=SimpleNamespace(watched_features=["f"]))
    results = [ScoreResult(decision_id=new_decision_id(), id=f"m{i}", score=float(s), action="block" if s > 0.5 else "allow")
               for i, s in enumerate(scores)]
    log_scored(log, model, results, [SimpleNamespace(watched=(float(s),)) for s in scores], [None] * len(results))  # type: ignore[arg-type]
    log.flush()
    return results


def test_report_per_version_with_drift_precision_and_an_unloadable_reference(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    log = DecisionLog(DecisionLogConfig(path=str(tmp_path / "d.db"), audit_share=0.0), b"k" * 32)
    same = log_decisions(log, "1", rng.beta(0.4, 3.0, 400))
    log_decisions(log, "2", rng.beta(3.0, 0.4, 400))  # a version whose reference cannot be loaded
    feedback = open_feedback_store(FeedbackConfig(path=str(tmp_path / "f.db")))
    blocked = [r for r in same if r.action == "block"]
    feedback.append_many([{"text": f"短信{i}", "label": 1, "source": "analyst", "decision_id": r.decision_id} for i, r in enumerate(blocked)])
    references = {("yunmao-sms", "1"): {REFERENCE_SCORE: rng.beta(0.4, 3.0, 2000), "f": rng.beta(0.4, 3.0, 2000)}}

    def load(name: str, version: str):
        return references[(name, version)]

    config = MonitorConfig.model_validate({"live": {"min_decisions": 100, "min_labelled": 1}})
    report = monitor_report(log, feedback, load, EPOCH, config)
    first, second = report["versions"]
    assert (first["version"], first["decisions"], report["decisions"]) == ("1", 400, 800)
    assert [r["name"] for r in first["drift"]] == [REFERENCE_SCORE, "f"] and not report["drift_flagged"]
    assert first["precision"] == [{"action": "block", "sample": "feedback", "labelled": len(blocked), "scam": len(blocked), "precision": 1.0}]
    assert second["drift"] == [] and "reference unavailable" in second["drift_problem"]
    files = write_monitor(report, tmp_path / "out")
    assert json.loads(files.json.read_text(encoding="utf-8"))["versions"][0]["version"] == "1"
    assert "yunmao-sms v1" in files.html.read_text(encoding="utf-8")
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OutputError, match="cannot write to --out .*a-file/out: Not a directory"):  # as the CLI said
        write_monitor(report, tmp_path / "a-file" / "out")


@pytest.mark.parametrize(("text", "hours"), [("24h", 24.0), ("90m", 1.5), ("7d", 168.0)])
def test_since_durations(text: str, hours: float) -> None:
    assert parse_since(text) == pytest.approx(hours)


@pytest.mark.parametrize("text", ["yesterday", "0h", "-3h", "24", "h"])
def test_bad_since_is_refused(text: str) -> None:
    with pytest.raises(MonitorError, match="--since"):
        parse_since(text)


def test_cli_bad_since_exits_2_with_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["monitor", "--since", "yesterday", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--since 'yesterday'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_without_a_decision_log_exits_2_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNMAO_DATA_DIR", str(tmp_path / "empty"))
    result = runner.invoke(app, ["monitor", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no decision log at" in result.output


def test_cli_writes_both_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNMAO_DATA_DIR", str(tmp_path))
    log = DecisionLog(DecisionLogConfig(), b"k" * 32)
    log_decisions(log, "no-such-version", np.linspace(0, 1, 10))
    result = runner.invoke(app, ["monitor", "--since", "1h", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["decisions"] == 10 and Path(summary["html"]).exists() and Path(summary["json"]).exists()
