"""`yunmao campaigns` as an analyst runs it: the files it writes, the page, and bad input."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from typer.testing import CliRunner

from tests.training.campaigns.conftest import demo_campaign_messages
from training.cli import app

runner = CliRunner()
FIELDS = {"id", "rank", "size", "template", "first_seen", "last_seen", "senders", "contact_points", "label_mix", "samples"}


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["campaigns", *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("campaigns")
    data = folder / "sms.csv"
    demo_campaign_messages().drop(columns="campaign").to_csv(data, index=False)
    code, output = run("--data", str(data), "--out", str(folder / "out"))
    assert code == 0, output
    return folder / "out", json.loads((folder / "out" / "campaigns.json").read_text(encoding="utf-8"))


def test_json_lists_ranked_campaigns_with_every_field_the_data_supports(written: tuple[Path, dict]) -> None:
    campaigns = written[1]["campaigns"]
    assert [c["rank"] for c in campaigns] == [1, 2] and [c["size"] for c in campaigns] == [12, 8]
    top = campaigns[0]
    assert set(top) == FIELDS  # no --model: no mean_score
    assert top["label_mix"] == {"normal": 0, "unwanted": 12}
    assert top["first_seen"] <= top["last_seen"] and top["senders"]["distinct"] == 3
    assert "NAME" in top["template"] and "URL" in top["template"]
    assert len(top["samples"]) == 6 and len({s["text"] for s in top["samples"]}) == 6
    assert {p["kind"] for p in top["contact_points"]} >= {"wechat", "phone", "domain"}
    loan = campaigns[1]
    assert {"kind": "phone", "value": "13912345678", "messages": 8, "hub": False} in loan["contact_points"]


def test_fields_the_data_lacks_are_absent(tmp_path: Path) -> None:
    data = tmp_path / "plain.csv"
    demo_campaign_messages()[["text"]].to_csv(data, index=False)
    code, output = run("--data", str(data), "--out", str(tmp_path / "out"))
    assert code == 0, output
    top = json.loads((tmp_path / "out" / "campaigns.json").read_text(encoding="utf-8"))["campaigns"][0]
    assert set(top) == FIELDS - {"first_seen", "last_seen", "senders", "label_mix"}


def test_page_is_self_contained_and_its_font_covers_every_chinese_character(written: tuple[Path, dict]) -> None:
    page = (written[0] / "campaigns.html").read_text(encoding="utf-8")
    top = written[1]["campaigns"][0]
    assert f"第 1 名 · {top['id']} · 12 条短信" in page
    assert not re.search(r"<script|<link|(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page)
    assert "<mark>" in page  # the copies' differences from the representative are highlighted
    font = TTFont(io.BytesIO(base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1))))
    cmap = font.getBestCmap()
    chinese = {char for char in re.sub(r"<style>.*?</style>", "", page, flags=re.S) if "\u4e00" <= char <= "\u9fff"}
    assert chinese and not {char for char in chinese if ord(char) not in cmap}


def test_a_sender_cannot_inject_markup(tmp_path: Path) -> None:
    data = tmp_path / "sms.csv"
    frame = demo_campaign_messages()[["text"]]
    frame["text"] = frame["text"] + "<script>alert(1)</script>"
    frame.to_csv(data, index=False)
    assert run("--data", str(data), "--out", str(tmp_path / "out"))[0] == 0
    page = (tmp_path / "out" / "campaigns.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty file"),
    ("content_x,other\nhello,1\n", "unknown format"),
    ("text,label\n", "no usable row"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    data = tmp_path / "bad.csv"
    data.write_text(content, encoding="utf-8")
    code, output = run("--data", str(data), "--out", str(tmp_path / "out"))
    assert code == 2, output
    assert message in output and len(output.strip().splitlines()) == 1 and "Traceback" not in output
    assert not (tmp_path / "out").exists()


def test_missing_text_column_is_named(tmp_path: Path) -> None:
    data = tmp_path / "notext.csv"
    data.write_text("text_body,label\n你好,0\n", encoding="utf-8")
    code, output = run("--data", str(data), "--format", "canonical", "--out", str(tmp_path / "out"))
    assert code == 2 and "missing required column(s) text" in output and len(output.strip().splitlines()) == 1


def test_unreadable_path_and_unknown_model_are_one_line_errors(tmp_path: Path, written: tuple[Path, dict]) -> None:
    code, output = run("--data", str(tmp_path / "absent.csv"), "--out", str(tmp_path / "out"))
    assert code == 2 and "no such file" in output and len(output.strip().splitlines()) == 1
    code, output = run("--data", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 2 and "not a regular file" in output
    data = next(written[0].parent.glob("*.csv"))
    code, output = run("--data", str(data), "--model", "models:/no-such-model/1", "--out", str(tmp_path / "out"))
    assert code == 2 and "no-such-model" in output and "Traceback" not in output


def test_an_out_folder_that_cannot_be_made_is_a_one_line_error(tmp_path: Path, written: tuple[Path, dict]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    data = next(written[0].parent.glob("*.csv"))
    code, output = run("--data", str(data), "--out", str(blocker / "out"))
    assert code == 2 and "cannot write to --out" in output and len(output.strip().splitlines()) == 1


def test_messages_without_any_campaign_give_an_empty_list_and_a_page(tmp_path: Path) -> None:
    data = tmp_path / "one.csv"
    data.write_text("text\n妈，我今天晚上加班不回家吃饭了，你们先吃别等我。\n", encoding="utf-8")
    code, output = run("--data", str(data), "--out", str(tmp_path / "out"))
    assert code == 0, output
    assert json.loads((tmp_path / "out" / "campaigns.json").read_text(encoding="utf-8")) == {"campaigns": []}
    assert "共 0 个活动" in (tmp_path / "out" / "campaigns.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_with_a_model_every_campaign_and_sample_carries_its_score(written: tuple[Path, dict], tmp_path: Path) -> None:
    from tests.models.conftest import SMALL_SMS_CONFIG
    from training.data.demo_sms import generate_demo_sms
    from training.tracking import log_and_register
    from training.train import SMS_INPUT_EXAMPLE, fit_sms

    fit = fit_sms(generate_demo_sms(n=300, seed=4), SMALL_SMS_CONFIG)
    outcome = log_and_register(fit, experiment="campaigns", name="campaigns-sms", params={}, data_report={},
                               input_example=SMS_INPUT_EXAMPLE)
    data = next(written[0].parent.glob("*.csv"))
    code, output = run("--data", str(data), "--model", outcome.model_uri, "--out", str(tmp_path))
    assert code == 0, output
    campaigns = json.loads((tmp_path / "campaigns.json").read_text(encoding="utf-8"))["campaigns"]
    assert all(0 <= c["mean_score"] <= 1 and all("score" in s for s in c["samples"]) for c in campaigns)
    expected = sorted(campaigns, key=lambda c: -c["size"] * c["mean_score"])
    assert [c["id"] for c in campaigns] == [c["id"] for c in expected]
    assert "平均模型评分" in (tmp_path / "campaigns.html").read_text(encoding="utf-8")
