"""`yunmao campaigns --templates-store`: a campaign an analyst confirmed through the service carries
the store's template id, found by the service's own lookup (expiry, "not fraud", reminders included),
and the page says how many of the top campaigns still await an analyst."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from configs.campaigns import load_campaigns_config
from serving.reputation import DAY_S, TemplateReputation
from serving.template_store import TemplateEntry, TemplateStore, open_template_store
from tests.servers import free_port
from tests.training.campaigns.conftest import LOAN_A, LOAN_MOBILE, REFUND, demo_campaign_messages
from tests.training.campaigns.test_cli import run

SHIPPED = load_campaigns_config()
REFUND_COPY = REFUND.format(name="张伟", amount=368, wx=1234, mobile="13812345678", site=12, code=4567)
LOAN_COPY = LOAN_A.format(amount=20, mobile=LOAN_MOBILE, name="王")
FRAUD_TYPE = "冒充电商物流客服"


@pytest.fixture(autouse=True)
def _no_configured_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YUNMAO_TEMPLATE_STORE", raising=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo campaigns: refund (12 copies, one template) and loan (8, two wordings tied by a number)."""
    path = tmp_path_factory.mktemp("confirmed") / "sms.csv"
    demo_campaign_messages().drop(columns="campaign").to_csv(path, index=False)
    return path


def reputation(store: TemplateStore, now: float | None = None) -> TemplateReputation:
    """The service's reputation on ``store`` at time ``now``: what the admin route confirms with."""
    return TemplateReputation(SHIPPED, store, time.time if now is None else (lambda: now))


def campaigns_with(data: Path, out: Path, location: str) -> tuple[dict, dict, str]:
    """(campaigns.json, the command's summary line, campaigns.html) of a run reading ``location``."""
    code, output = run("--data", str(data), "--out", str(out), "--templates-store", location)
    assert code == 0, output
    table = json.loads((out / "campaigns.json").read_text(encoding="utf-8"))
    return table, json.loads(output.strip().splitlines()[-1]), (out / "campaigns.html").read_text(encoding="utf-8")


def by_size(table: dict) -> dict[int, dict]:
    return {campaign["size"]: campaign for campaign in table["campaigns"]}


def test_a_confirmed_campaign_shows_the_store_id_and_an_unconfirmed_one_null(data: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'templates.db'}"
    (entry,), _ = reputation(open_template_store(SHIPPED.reputation, url)).confirm(REFUND_COPY, 1, FRAUD_TYPE)
    table, summary, page = campaigns_with(data, tmp_path / "out", url)
    refund, loan = by_size(table)[12], by_size(table)[8]
    assert refund["confirmed"] == {"template_id": entry.id, "label": 1, "fraud_type": FRAUD_TYPE, "source": "analyst",
                                   "floor": "block", "seen": 0, "expires_at": entry.expires, "messages": 12}
    assert "confirmed" in loan and loan["confirmed"] is None
    assert table["templates_store"]["live_entries"] == 1
    assert table["templates_store"]["unconfirmed_in_top"] == summary["unconfirmed_in_top"] == 1
    assert f"{refund['id']} · 12 条短信<span class=\"badge analyst\">已确认诈骗 #{entry.id}</span>" in page
    assert f"{loan['id']} · 8 条短信<span class=\"badge open\">未确认</span>" in page
    assert "1 个尚无分析员结论" in page and FRAUD_TYPE in page
    assert table["templates_store"]["applied_by_service"] is True and "服务未启用模板信誉" not in page


def test_a_store_read_while_the_service_applies_no_reputation_says_so(data: Path, tmp_path: Path) -> None:
    """With reputation.enabled false the service stores confirmations but applies none: the
    campaigns still show what the store decides, and the command, the JSON and the page say it is not applied."""
    url = f"sqlite:///{tmp_path / 'templates.db'}"
    reputation(open_template_store(SHIPPED.reputation, url)).confirm(REFUND_COPY, 1, FRAUD_TYPE)
    config = tmp_path / "campaigns.yaml"
    config.write_text(yaml.safe_dump({**SHIPPED.model_dump(mode="json"),
                                      "reputation": {**SHIPPED.reputation.model_dump(mode="json"), "enabled": False}},
                                     allow_unicode=True), encoding="utf-8")
    code, output = run("--data", str(data), "--out", str(tmp_path / "out"), "--templates-store", url, "--config", str(config))
    assert code == 0, output
    table = json.loads((tmp_path / "out" / "campaigns.json").read_text(encoding="utf-8"))
    assert "reputation.enabled is false" in output
    assert table["templates_store"]["applied_by_service"] is False
    assert by_size(table)[12]["confirmed"]["source"] == "analyst"
    assert "服务未启用模板信誉" in (tmp_path / "out" / "campaigns.html").read_text(encoding="utf-8")


def test_automatic_and_cleared_entries_and_a_wording_confirmed_alone(data: Path, tmp_path: Path) -> None:
    """A cleared template is an analyst's verdict; an automatic entry still awaits one; a campaign
    whose other wording nothing matches shows how many of its messages the entry covers."""
    store = open_template_store(SHIPPED.reputation, f"sqlite:///{tmp_path / 'templates.db'}")
    (cleared,), _ = reputation(store).confirm(REFUND_COPY, 0, None)
    signature, template = reputation(store).signature(LOAN_COPY)
    now = time.time()
    automatic = store.save(TemplateEntry(signature=signature.hashvalues, template=template, label=1,  # type: ignore[union-attr]
                                         confirmed_by="automatic", floor="warn", first_seen=now, last_seen=now,
                                         expires_at=now + DAY_S, seen=25))
    table, summary, page = campaigns_with(data, tmp_path / "out", f"sqlite:///{store.path}")  # type: ignore[attr-defined]
    refund, loan = by_size(table)[12], by_size(table)[8]
    assert (refund["confirmed"]["template_id"], refund["confirmed"]["label"]) == (cleared.id, 0)
    assert loan["confirmed"] | {"expires_at": None} == {
        "template_id": automatic.id, "label": 1, "fraud_type": None, "source": "automatic", "floor": "warn",
        "seen": 25, "expires_at": None, "messages": 4}  # wording B (the other 4) matches nothing
    assert summary["unconfirmed_in_top"] == 1
    assert f"已确认非诈骗 #{cleared.id}" in page and f"自动确认 #{automatic.id}（警告，待分析员确认）" in page
    assert "覆盖本活动 4/8 条" in page


def test_an_expired_entry_is_not_shown_as_confirmed(data: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'templates.db'}"
    long_ago = time.time() - (SHIPPED.reputation.analyst_ttl_days + 1) * DAY_S
    reputation(open_template_store(SHIPPED.reputation, url), now=long_ago).confirm(REFUND_COPY, 1, None)
    table, summary, _ = campaigns_with(data, tmp_path / "out", url)
    assert by_size(table)[12]["confirmed"] is None
    assert table["templates_store"]["live_entries"] == 0 and summary["unconfirmed_in_top"] == 2


def test_an_official_reminder_quoting_a_confirmed_scam_is_not_confirmed(tmp_path: Path) -> None:
    """The service's rule: reminders quote the scripts they warn about and never match them."""
    store = open_template_store(SHIPPED.reputation, f"sqlite:///{tmp_path / 'templates.db'}")
    service = reputation(store)
    service.confirm(REFUND_COPY, 1, FRAUD_TYPE)
    reminders = [f"【反诈提醒】“{REFUND.format(name=name, amount=amount, wx=99, mobile='13900001111', site=5, code=7)}”是诈骗！"
                 for name, amount in (("张伟", 368), ("王芳", 720), ("李娜", 99))]
    # Without the rule the quote would match: the index finds the confirmed script for its bare signature.
    assert service.index.matches(service.signer.signature(reminders[0]))
    data = tmp_path / "reminders.csv"
    data.write_text("text\n" + "\n".join(reminders) + "\n", encoding="utf-8")
    table, summary, _ = campaigns_with(data, tmp_path / "out", f"sqlite:///{store.path}")  # type: ignore[attr-defined]
    [campaign] = table["campaigns"]
    assert campaign["size"] == 3 and campaign["confirmed"] is None and summary["unconfirmed_in_top"] == 1


@pytest.mark.parametrize("problem", ["missing", "not_a_database", "not_a_url", "unreachable_redis"])
def test_a_store_that_cannot_be_read_is_a_one_line_error(data: Path, tmp_path: Path, problem: str) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite", encoding="utf-8")
    location, message = {
        "missing": (f"sqlite:///{tmp_path / 'absent.db'}", "absent.db: no such file"),
        "not_a_database": (f"sqlite:///{junk}", "junk.db cannot be read: file is not a database"),
        "not_a_url": (str(junk), "unsupported template store URL"),
        "unreachable_redis": (f"redis://analyst:secret@127.0.0.1:{free_port()}/0", "cannot be read"),
    }[problem]
    code, output = run("--data", str(data), "--out", str(tmp_path / "out"), "--templates-store", location)
    assert code == 2, output
    assert message in output and len(output.strip().splitlines()) == 1 and "Traceback" not in output
    assert "secret" not in output  # a Redis password stays off the terminal
    assert not (tmp_path / "out").exists() and not (tmp_path / "absent.db").exists()  # nothing created


def test_configured_reads_the_redis_store_the_service_is_configured_with(
    data: Path, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"test:{tmp_path.name}:"
    writer = SHIPPED.reputation.model_copy(update={"key_prefix": prefix, "verify_durability": False})
    (entry,), _ = reputation(open_template_store(writer, redis_url)).confirm(REFUND_COPY, 1, None)
    monkeypatch.setenv("YUNMAO_TEMPLATE_STORE", redis_url)
    monkeypatch.setenv("YUNMAO_CAMPAIGNS__REPUTATION__KEY_PREFIX", prefix)
    table, _, _ = campaigns_with(data, tmp_path / "out", "configured")
    assert by_size(table)[12]["confirmed"]["template_id"] == entry.id
    assert table["templates_store"]["store"] == redis_url
