"""Template reputation on a real store with hand-made model decisions: floors, reasons, automatic
confirmation and the rules that keep it safe, expiry, and two workers sharing one store."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from configs.campaigns import CampaignsConfig, ReputationConfig, load_campaigns_config
from features.sms.preprocess import normalise_records
from features.sms.templates import template_text
from models.scam_model import Decision, Thresholds
from serving.reputation import DAY_S, TemplateRefused, TemplateReputation
from serving.template_store import TemplateStore, open_template_store
from tests.servers import CONDITION_SECONDS, wait_until

MODEL = SimpleNamespace(thresholds=Thresholds(block=0.9, warn=0.5), category_head=None, max_reasons=5)
SHIPPED = load_campaigns_config()
NAMES = ["张伟", "李建国", "王芳", "刘洋", "陈静", "杨帆"]


def script_copy(rng: random.Random) -> str:
    """One copy of a fake-compensation campaign: name, amount, number and link change."""
    return (f"【顺丰】尊敬的{rng.choice(NAMES)}：您的快递丢失，我司将赔偿您{rng.randint(100, 2000)}元，请联系理赔专员"
            f"1{rng.randint(3, 9)}{rng.randint(10**8, 10**9 - 1)}办理，退款链接 http://sf-pei.cn/{rng.randint(1, 999)}")


def otp(rng: random.Random) -> str:
    return f"【招商银行】您的验证码为{rng.randint(100000, 999999)}，您正在进行登录操作，5分钟内有效，切勿告知他人。"


OTHER = "妈，我今晚加班，晚饭不用等我了，你们先吃，记得把汤热一下"


@dataclass
class Clock:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def decision(action: str = "allow", score: float = 0.1) -> Decision:
    return Decision(score=score, action=action, fraud_type=None, fraud_type_score=None, reasons=["含电话号码"] if action != "allow" else [])


def judge(reputation: TemplateReputation, text: str, action: str = "allow", score: float = 0.1) -> Decision:
    return reputation.apply(MODEL, normalise_records([{"text": text}]), [decision(action, score)])[0]  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> TemplateStore:
    return open_template_store(SHIPPED.reputation, f"sqlite:///{tmp_path / 'templates.db'}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def reputation(store: TemplateStore, clock: Clock) -> TemplateReputation:
    return TemplateReputation(SHIPPED, store, clock)


def test_analyst_confirmation_blocks_copies_with_the_template_as_reason(reputation: TemplateReputation) -> None:
    rng = random.Random(1)
    assert judge(reputation, script_copy(rng)).action == "allow"  # nothing confirmed yet
    (entry,), created = reputation.confirm(script_copy(rng), 1, "冒充客服")
    assert created and entry.floor == "block"
    copy = judge(reputation, script_copy(rng))
    assert copy.action == "block" and copy.score >= MODEL.thresholds.block and copy.fraud_type == "冒充客服"
    assert copy.reasons[0] == f"与已确认诈骗模板 #{entry.id} 相同，已见 1 条"
    assert judge(reputation, script_copy(rng)).reasons[0].endswith("已见 2 条")
    assert judge(reputation, OTHER) == decision()  # an unrelated message is untouched


@pytest.mark.parametrize(("action", "named", "expected"), [
    ("allow", "ham", "fraud"), ("allow", "spam", "fraud"),  # let through, whatever kind it was named: now fraud
    ("warn", "spam", "spam"),                               # the model's own unwanted verdict keeps its kind
])
def test_a_raised_message_is_named_fraud_only_when_the_model_let_it_through(
    reputation: TemplateReputation, action: str, named: str, expected: str
) -> None:
    model = SimpleNamespace(**{**vars(MODEL), "category_head": SimpleNamespace(ham="ham", fraud="fraud")})
    reputation.confirm(script_copy(random.Random(8)), 1, None)
    before = replace(decision(action, 0.6), category=named)
    raised = reputation.apply(model, normalise_records([{"text": script_copy(random.Random(9))}]), [before])[0]  # type: ignore[arg-type]
    assert (raised.action, raised.category) == ("block", expected)


def test_a_floor_never_lowers_a_decision(reputation: TemplateReputation) -> None:
    reputation.confirm(script_copy(random.Random(2)), 1, None)
    strong = judge(reputation, script_copy(random.Random(3)), action="block", score=0.99)
    assert strong.action == "block" and strong.score == 0.99


def block_copies(reputation: TemplateReputation, count: int, seed: int) -> None:
    """``count`` copies the model blocked, then what the sync thread's next tick does."""
    rng = random.Random(seed)
    for _ in range(count):
        judge(reputation, script_copy(rng), action="block", score=0.95)
    reputation.index.save_queued()


def test_automatic_confirmation_raises_to_warn_at_most(reputation: TemplateReputation) -> None:
    needed = SHIPPED.reputation.automatic.min_blocked
    block_copies(reputation, needed - 1, seed=4)
    assert len(reputation.index) == 0  # one short of the rule
    block_copies(reputation, 1, seed=5)
    assert len(reputation.index) == 1
    allowed_copy = judge(reputation, script_copy(random.Random(6)))
    assert allowed_copy.action == "warn" and allowed_copy.score >= MODEL.thresholds.warn
    assert allowed_copy.reasons[0].startswith("与疑似诈骗模板 #")


def test_blocks_spread_wider_than_the_window_never_add_up(reputation: TemplateReputation, clock: Clock) -> None:
    rng = random.Random(27)
    automatic = SHIPPED.reputation.automatic
    for _ in range(3 * automatic.min_blocked):
        judge(reputation, script_copy(rng), action="block", score=0.95)
        clock.now += automatic.window_s / (automatic.min_blocked - 1) + 1
    reputation.index.save_queued()
    assert len(reputation.index) == 0


def test_config_refuses_a_block_floor_for_automatic_entries() -> None:
    with pytest.raises(ValidationError, match="automatic_floor"):
        ReputationConfig.model_validate({"automatic_floor": "block"})


def test_a_benign_flood_the_model_allows_never_becomes_a_campaign(reputation: TemplateReputation) -> None:
    rng = random.Random(7)
    for _ in range(2_000):
        assert judge(reputation, otp(rng)).action == "allow"
    assert len(reputation.index) == 0 and len(reputation.watch) == 0  # type: ignore[arg-type]


def test_a_template_the_model_blocks_only_sometimes_is_not_confirmed(reputation: TemplateReputation) -> None:
    """A few false positives inside a benign flood: more than min_blocked blocks, but the
    allowed share (automatic.max_allowed_share) keeps the template out."""
    rng = random.Random(8)
    for i in range(1_000):
        blocked = i % 10 == 0  # 100 blocks, 900 allowed
        judge(reputation, otp(rng), action="block" if blocked else "allow", score=0.95 if blocked else 0.1)
    assert len(reputation.index) == 0


REMINDER = ("【反诈提醒】收到“【顺丰】尊敬的张伟：您的快递丢失，我司将赔偿您368元，请联系理赔专员13812345678办理，"
            "退款链接 http://sf-pei.cn/a1”是诈骗！")


def test_an_official_reminder_quoting_a_script_does_not_match_it(reputation: TemplateReputation) -> None:
    script = script_copy(random.Random(9))
    signer = reputation.signer
    # Without the rule the quote would match: the reminder is almost all script.
    assert signer.similarity(signer.signature(REMINDER), signer.signature(script)) >= signer.config.match_threshold
    reputation.confirm(script, 1, None)
    assert judge(reputation, REMINDER) == decision()
    with pytest.raises(TemplateRefused, match="anti-fraud reminder"):
        reputation.confirm(REMINDER, 1, None)


def test_analyst_not_fraud_overrides_a_template_and_stops_automatic_confirmation(reputation: TemplateReputation) -> None:
    block_copies(reputation, SHIPPED.reputation.automatic.min_blocked, seed=10)
    assert judge(reputation, script_copy(random.Random(11))).action == "warn"
    entries, created = reputation.confirm(script_copy(random.Random(12)), 0, None)
    assert not created and [(e.label, e.floor) for e in entries] == [(0, "allow")]
    assert judge(reputation, script_copy(random.Random(13))) == decision()
    block_copies(reputation, 3 * SHIPPED.reputation.automatic.min_blocked, seed=14)  # the model keeps blocking it
    assert judge(reputation, script_copy(random.Random(15))) == decision()
    assert len(reputation.index) == 1  # still the one cleared entry


def test_entries_expire(reputation: TemplateReputation, store: TemplateStore, clock: Clock) -> None:
    reputation.confirm(script_copy(random.Random(16)), 1, None)
    clock.now += SHIPPED.reputation.analyst_ttl_days * DAY_S - 1
    assert judge(reputation, script_copy(random.Random(17))).action == "block"
    clock.now += 2
    assert judge(reputation, script_copy(random.Random(18))) == decision()
    assert store.purge_expired(clock.now) == 1


def test_a_shadow_challenger_gets_the_floors_but_is_never_counted_or_watched(reputation: TemplateReputation) -> None:
    """observe=False (the shadow challenger's decisions): confirmed templates still raise them,
    but its blocks never confirm a template that would then change the champion's answers."""
    rng = random.Random(31)
    for _ in range(3 * SHIPPED.reputation.automatic.min_blocked):
        copy = normalise_records([{"text": script_copy(rng)}])
        reputation.apply(MODEL, copy, [decision("block", 0.95)], observe=False)  # type: ignore[arg-type]
    reputation.index.save_queued()
    assert len(reputation.index) == 0 and len(reputation.watch) == 0  # type: ignore[arg-type]
    (entry,), _ = reputation.confirm(script_copy(rng), 1, None)
    raised = reputation.apply(MODEL, normalise_records([{"text": script_copy(rng)}]), [decision()], observe=False)[0]  # type: ignore[arg-type]
    assert raised.action == "block" and raised.reasons[0].endswith("已见 0 条")
    assert judge(reputation, script_copy(rng)).reasons[0].endswith("已见 1 条")  # the champion's is the first sighting


def test_seen_counts_are_written_in_batches_not_per_message(reputation: TemplateReputation, store: TemplateStore) -> None:
    (entry,), _ = reputation.confirm(script_copy(random.Random(19)), 1, None)
    version = store.version()
    block_copies(reputation, 50, seed=20)
    assert store.version() == version  # 50 matches, no write
    reputation.index.flush_seen()
    _, (stored,) = store.changes(version)
    assert stored.id == entry.id and stored.seen == 50


def test_verdict_names_the_deciding_entry_without_counting_a_sighting(
    reputation: TemplateReputation, store: TemplateStore
) -> None:
    """What ``yunmao campaigns`` asks: the entry scoring would apply, and reading it is not a message seen."""
    (entry,), _ = reputation.confirm(script_copy(random.Random(27)), 1, None)
    assert reputation.verdict(template_text(script_copy(random.Random(28)))).id == entry.id  # type: ignore[union-attr]
    assert reputation.verdict(template_text(OTHER)) is None
    reputation.index.flush_seen()
    assert [stored.seen for stored in store.changes(-1)[1]] == [0]


@pytest.fixture(params=["sqlite", "redis"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> TemplateStore:
    if request.param == "sqlite":
        return open_template_store(SHIPPED.reputation, f"sqlite:///{tmp_path / 'shared.db'}")
    config = SHIPPED.reputation.model_copy(update={"key_prefix": f"test:{tmp_path.name}:", "verify_durability": False})
    return open_template_store(config, request.getfixturevalue("redis_url"))


def test_a_second_worker_follows_a_confirmation_without_restart(shared_store: TemplateStore) -> None:
    store = shared_store
    fast = CampaignsConfig.model_validate({**SHIPPED.model_dump(), "reputation": {"sync_interval_s": 0.05}})
    first, second = TemplateReputation(fast, store), TemplateReputation(fast, store)
    second.start()
    try:
        first.confirm(script_copy(random.Random(21)), 1, None)
        assert wait_until(lambda: judge(second, script_copy(random.Random(22))).action == "block", CONDITION_SECONDS)
        first.confirm(script_copy(random.Random(23)), 0, None)
        assert wait_until(lambda: judge(second, script_copy(random.Random(24))).action == "allow", CONDITION_SECONDS)
    finally:
        second.stop()


class UnreachableStore:
    """A store whose every call fails, like Redis down or a locked, full disk."""

    def __getattr__(self, name: str):
        def fail(*args: object, **kwargs: object):
            raise ConnectionError("store down")

        return fail


def test_an_unreachable_store_never_stops_scoring(clock: Clock) -> None:
    reputation = TemplateReputation(SHIPPED, UnreachableStore(), clock)  # type: ignore[arg-type]
    rng = random.Random(25)
    for _ in range(SHIPPED.reputation.automatic.min_blocked):  # qualifies; the write is queued, not done here
        assert judge(reputation, script_copy(rng), action="block", score=0.95).action == "block"
    reputation._sync._tick(flush=True)  # the sync thread's write fails, is logged, and stays queued
    assert len(reputation.index._pending_saves) == 1
    assert judge(reputation, OTHER) == decision()
    with pytest.raises(ConnectionError):
        reputation.confirm(script_copy(random.Random(26)), 1, None)  # the route answers 503
