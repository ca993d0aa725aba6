"""Schema of ``configs/demo.yaml``: sizes and mixes of the embedded demo data.

The demo data powers the quickstart and fast tests. Its mixes are set so that a model trained
on it is good but not perfect: some fraud comes from 106 service codes and reads innocently,
some legitimate messages come from virtual or foreign numbers and talk about transfers.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from configs import StrictModel
from configs.sms import DuplicatesConfig

SENDER_KINDS = ("service", "mobile", "virtual", "foreign")


class SenderConfig(StrictModel):
    """Where messages come from: 106 codes, ordinary mobiles, 170/171/165/167, +86 or foreign."""

    # Number patterns per kind; each ``x`` becomes a random digit.
    patterns: dict[str, list[str]]
    # Fraud sender kinds (weights); hard positives come from "service".
    fraud_mix: dict[str, float]
    # Share of legitimate messages whose sender is replaced by a virtual or foreign number.
    normal_unusual_share: float = Field(ge=0, le=1)

    @field_validator("patterns")
    @classmethod
    def _all_kinds(cls, patterns: dict[str, list[str]]) -> dict[str, list[str]]:
        if set(patterns) != set(SENDER_KINDS) or not all(patterns.values()):
            raise ValueError(f"need a non-empty pattern list for exactly {list(SENDER_KINDS)}")
        return patterns

    @field_validator("fraud_mix")
    @classmethod
    def _known_kinds(cls, mix: dict[str, float]) -> dict[str, float]:
        if not set(mix) <= set(SENDER_KINDS):
            raise ValueError(f"unknown sender kinds {sorted(set(mix) - set(SENDER_KINDS))}")
        if min(mix.values(), default=-1) < 0 or sum(mix.values()) <= 0:
            raise ValueError("weights must be non-negative and sum to more than 0")
        return mix


class TimeConfig(StrictModel):
    start: str = "2025-01-01T00:00:00"
    days: int = Field(90, ge=1)
    # Share of messages sent between 00:00 and 06:59, per class (fraud skews to odd hours).
    odd_hour_share_normal: float = Field(0.04, ge=0, le=1)
    odd_hour_share_fraud: float = Field(0.15, ge=0, le=1)


class DemoSmsConfig(StrictModel):
    n: int = Field(4000, ge=10)
    seed: int = 7
    fraud_share: float = Field(0.3, gt=0, lt=1)
    # Share of fraud messages disguised (split keywords, full-width, 加V信, short links).
    obfuscated_share: float = Field(0.35, ge=0, le=1)
    # Share of fraud messages that borrow warning words mid-text ("谨防冒充，认准本人"). Kept small:
    # most messages with a reminder's words are reminders, and at a tenth of fraud the reminder cue
    # itself turned into fraud evidence (schools' and airlines' "不会通过…" notices warned).
    borrowed_warning_share: float = Field(0.02, ge=0, le=1)
    # Share of the notices from service codes that close with an institution's own warning
    # ("本行不会以任何理由索要短信验证码"): without them borrowed warnings made every warning word
    # fraud evidence (a school's "不会通过个人账户收费" warned).
    notice_disclaimer_share: float = Field(0.15, ge=0, le=1)
    # Share of ordinary messages replaced by look-alikes (the template file's ``lookalike``: people
    # introducing themselves with an ordinary request, delay notices, bill splits, notices giving
    # a number to call, fees paid on an institution's own platform, reminders naming scripts): with
    # scams borrowing warning words, "您好，我是…" of a courier or a recruiter was read as fraud.
    lookalike_share: float = Field(0.1, ge=0, le=1)
    # Share of the other ordinary messages replaced by a person's own new-number notice (the template
    # file's ``new_numbers``: "我是…，换号了，存一下", with no ask): the 冒充领导熟人 script opens the same way,
    # and without them every model touched a friend's notice (docs/benchmarks.md "Candidate N6").
    new_number_share: float = Field(0.015, ge=0, le=1)
    # Share of the 冒充领导熟人 scripts replaced by a notice of the same kind *with* the script's ask
    # (the template file's ``new_number_asks``), from a mobile at an ordinary hour like the notices:
    # the notice and its twin differ only in the ask, so the ask, not "我是…换号了", carries the score.
    # With notices alone they scored among the scripts out of fold and raised the thresholds
    # (docs/benchmarks.md "Candidate N6", "Candidate N7").
    new_number_twin_share: float = Field(0.3, ge=0, le=1)
    # Share of messages, ordinary and fraud alike, written in English instead (the template file's
    # ``english``: international services' codes and account notices; parcel, bank, job and romance
    # scams in English): with none, the quickstart model warned on or blocked 7 of 8 English
    # one-time codes a phone in China receives from Google, Microsoft, Uber, PayPal….
    english_share: float = Field(0.03, ge=0, le=1)
    senders: SenderConfig
    time: TimeConfig = TimeConfig()


class QuickstartConfig(StrictModel):
    """How ``yunmao quickstart`` (``make run``) trains its SMS model on the demo CSV it writes:
    ``configs/sms.yaml`` with these settings in place of its own."""

    # Copies of one normalised text kept. The generator's repeats are not a campaign collected
    # twice but its frequencies: a phone's ordinary traffic is mostly codes, parcels and notices
    # that differ only in digits, and `drop` left 3,400 of 4,000 rows, so the shipped model
    # flagged about twice as much real ordinary text (docs/benchmarks.md, session 20).
    duplicates: DuplicatesConfig = DuplicatesConfig(policy="keep")


class DemoConfig(StrictModel):
    sms: DemoSmsConfig
    quickstart: QuickstartConfig = QuickstartConfig()
