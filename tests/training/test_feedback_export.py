"""`yunmao feedback export`: the store becomes a canonical labelled file the loaders read."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from configs.feedback import FeedbackConfig
from serving.feedback_store import SqliteFeedbackStore
from training.cli import app
from training.feedback_export import ExportError, export_feedback, feedback_frame

runner = CliRunner()


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteFeedbackStore:
    """The default store in a data dir of this test's own (other tests post feedback to the
    session's), so the CLI's default config finds exactly these records."""
    monkeypatch.setenv("YUNMAO_DATA_DIR", str(tmp_path / "data"))
    store = SqliteFeedbackStore(FeedbackConfig())
    store.append_many(
        [
            {"id": "m1", "text": "您的快递已到驿站", "label": 1, "fraud_type": "虚假购物服务", "source": "victim_report"},
            {"id": "m2", "text": "请转账到安全账户，否则冻结", "label": 1, "fraud_type": "冒充公检法", "source": "analyst"},
            {"call": {"phone_no_m": "abc", "calls_per_day": 41.0}, "label": 1, "source": "analyst"},
        ]
    )
    # An analyst corrects m1: the later verdict must win in the export.
    store.append_many([{"id": "m1", "text": "您的快递已到驿站", "label": 0, "source": "analyst"}])
    return store


def test_latest_report_per_id_wins(store: SqliteFeedbackStore) -> None:
    frame = feedback_frame(store, "sms")
    assert frame[["id", "label", "source"]].values.tolist() == [["m2", 1, "analyst"], ["m1", 0, "analyst"]]
    assert frame["fraud_type"].isna().tolist() == [False, True]
    calls = feedback_frame(store, "call")
    assert calls.columns.tolist()[:3] == ["id", "calls_per_day", "phone_no_m"]
    assert calls["phone_no_m"].tolist() == ["abc"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_export_is_read_back_by_the_loaders(store: SqliteFeedbackStore, tmp_path: Path, suffix: str) -> None:
    from training.data.sms import load_labelled

    out = tmp_path / f"feedback{suffix}"
    assert export_feedback(store, out) == 2
    loaded = load_labelled([out], "auto").frame.sort_values("id").reset_index(drop=True)
    assert loaded["id"].astype(str).tolist() == ["m1", "m2"]
    assert loaded["text"].tolist() == ["您的快递已到驿站", "请转账到安全账户，否则冻结"]
    assert loaded["label"].tolist() == [0, 1]
    assert loaded["fraud_type"].tolist()[1] == "冒充公检法"


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_a_text_holding_nul_is_exported_readable(store: SqliteFeedbackStore, tmp_path: Path, suffix: str) -> None:
    """POST /v1/feedback accepts a NUL inside a text or an id (200); its CSV export was refused by every
    loader as a binary file, taking every other record with it."""
    from training.data.sms import load_labelled

    store.append_many([{"id": "m\x003", "text": "验证码\x00 836145，请勿泄露", "label": 1, "source": "analyst"}])
    out = tmp_path / f"feedback{suffix}"
    assert export_feedback(store, out) == 3
    loaded = load_labelled([out], "auto").frame.set_index("id")
    assert loaded.loc["m3", "text"] == "验证码 836145，请勿泄露"
    assert len(loaded) == 3


def test_unsupported_suffix_is_refused(store: SqliteFeedbackStore, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unsupported export type '.xlsx'"):
        export_feedback(store, tmp_path / "feedback.xlsx")


def test_cli_export_with_since(store: SqliteFeedbackStore, tmp_path: Path) -> None:
    out = tmp_path / "fb.csv"
    result = runner.invoke(app, ["feedback", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == {"out": str(out), "rows": 2, "kind": "sms"}
    assert pd.read_csv(out).columns.tolist() == ["id", "text", "label", "category", "fraud_type", "source", "received_at"]

    result = runner.invoke(app, ["feedback", "export", "--out", str(out), "--since", "2999-01-01"])
    assert result.exit_code == 0 and json.loads(result.output.strip().splitlines()[-1])["rows"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.xlsx"], "unsupported export type"),
        (["--out", "x.csv", "--since", "yesterday"], "Invalid value for '--since'"),
        (["--out", "x.csv", "--kind", "fax"], "Invalid value for '--kind'"),
    ],
)
def test_cli_bad_input_exits_2_with_a_message(store: SqliteFeedbackStore, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["feedback", "export", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_out_under_a_file_exits_2_with_one_line(store: SqliteFeedbackStore, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    result = runner.invoke(app, ["feedback", "export", "--out", str(tmp_path / "a-file" / "fb.csv")])
    assert result.exit_code == 2 and "cannot write to --out" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
