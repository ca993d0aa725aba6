"""Embedded demo SMS: realistic synthetic Chinese messages for the quickstart and fast tests.

Messages are templates with slots (``training/data/resources/demo_sms_templates.yaml``), several
phrasings for each fraud type of ``configs/taxonomy.yaml`` (the ten MPS types + 其他); sizes and
mixes come from ``configs/demo.yaml``. A share of fraud is disguised the way real campaigns
are (split keywords, full-width characters, 加V信-style spellings, short links, an appended
"谨防诈骗", warning words borrowed mid-text), and both classes include hard cases (fraud from 106
codes, legitimate texts from virtual numbers or about transfers, look-alikes that read the way
scripts do: "您好，我是…") so a demo model is good but not trivially perfect. Never used to claim
accuracy.
Everything is drawn from one seeded generator: the same seed gives the same file, byte for byte.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from configs import default_config_path, load_config
from configs.demo import DemoConfig, DemoSmsConfig
from features.labels import shipped_taxonomy
from training.data.sms.records import LABELLED_COLUMNS, make_frame

TEMPLATES_PATH = Path(__file__).resolve().parent / "resources" / "demo_sms_templates.yaml"
SMS_FILE = "sms.csv"
_ALNUM = string.ascii_letters + string.digits
ODD_HOURS = range(0, 7)
DAY_HOURS = range(7, 24)
# Path tokens of generated links: a company page's short path, a cloud-drive share's long key.
_TOKEN_LENGTHS = {"legit": 5, "share": 10}
# A cloud-drive share's extraction code (提取码) has four characters.
_SHARE_CODE_LENGTH = 4
# Keys of the own random streams: borrowed warnings and notice disclaimers (``_Writer.borrow_rng``),
# look-alike ordinary messages (``_Writer.lookalike_rng``), English messages (``_Writer.english_rng``,
# and per English message a generator keyed by its draw count), new-number notices
# (``_Writer.new_number_rng``) and their scripted twins (``_Writer.twin_rng``).
_BORROW_STREAM = 1
_LOOKALIKE_STREAM = 2
_ENGLISH_STREAM = 3
_NEW_NUMBER_STREAM = 4
_TWIN_STREAM = 5
# Where a script borrows a warning: after a clause, never after its last one.
_CLAUSE_BREAKS = "，,。！!？?；;"


@cache
def load_templates() -> dict[str, Any]:
    """The template/vocabulary file, parsed once per process."""
    return yaml.safe_load(TEMPLATES_PATH.read_text(encoding="utf-8"))


def default_demo_config() -> DemoSmsConfig:
    """The SMS section of the shipped ``configs/demo.yaml``."""
    return load_config(default_config_path("demo"), DemoConfig).sms


class _Writer:
    """Draws every random choice of one demo set from a single seeded generator."""

    def __init__(self, config: DemoSmsConfig, seed: int) -> None:
        self.config = config
        self.rng = np.random.default_rng(seed)
        # The borrowed warnings and disclaimers draw from a stream of their own: adding them left
        # every other draw of a seed as it was, so a change in a demo model's figures is theirs,
        # not a reshuffled set's.
        self.borrow_rng = np.random.default_rng([seed, _BORROW_STREAM])
        self.lookalike_rng = np.random.default_rng([seed, _LOOKALIKE_STREAM])
        self.english_rng = np.random.default_rng([seed, _ENGLISH_STREAM])
        self.new_number_rng = np.random.default_rng([seed, _NEW_NUMBER_STREAM])
        self.twin_rng = np.random.default_rng([seed, _TWIN_STREAM])
        self.seed, self.english_draws = seed, 0
        self.vocab = load_templates()

    def pick(self, options: list[Any]) -> Any:
        return options[int(self.rng.integers(len(options)))]

    def weighted(self, weights: dict[str, float]) -> str:
        names = list(weights)
        p = np.array([weights[name] for name in names], dtype=float)
        return names[int(self.rng.choice(len(names), p=p / p.sum()))]

    def pattern(self, pattern: str) -> str:
        """A number from a pattern where each ``x`` is a random digit."""
        return "".join(str(self.rng.integers(10)) if ch == "x" else ch for ch in pattern)

    def number(self, kind: str) -> str:
        return self.pattern(self.pick(self.config.senders.patterns[kind]))

    def token(self, length: int) -> str:
        return "".join(self.pick(_ALNUM) for _ in range(length))

    def link(self, kind: str) -> str:
        """A link of ``kind``: ``legit`` (a company's page), ``share`` (a person's cloud-drive or
        document share, longer token) or anything else: a scam landing page or short link."""
        hosts = self.vocab["link_hosts"]
        if kind in ("legit", "share"):
            return f"https://{self.pick(hosts[kind])}/{self.token(_TOKEN_LENGTHS[kind])}"
        host = self.pick(hosts["scam"] + hosts["short"])
        scheme = "http://" if host in hosts["scam"] else ""
        return f"{scheme}{host}/{self.token(6)}"

    def slot(self, name: str) -> str:
        """The value of one template slot (see the header of the template file)."""
        if name in self.vocab["slots"]:
            return str(self.pick(self.vocab["slots"][name]))
        if name in self.vocab["ranges"]:
            low, high = self.vocab["ranges"][name]
            return str(int(self.rng.integers(low, high + 1)))
        generated = {
            "mobile": lambda: self.number("mobile"),
            "landline": lambda: self.pattern(self.pick(self.vocab["landlines"])),
            "link": lambda: self.link("scam"),
            "legit_link": lambda: self.link("legit"),
            "share_link": lambda: self.link("share"),
            "share_code": lambda: self.token(_SHARE_CODE_LENGTH).lower(),
            "date": lambda: f"{self.rng.integers(1, 13)}月{self.rng.integers(1, 29)}日",
            "time": lambda: f"{self.rng.integers(0, 24):02d}:{self.rng.integers(0, 60):02d}",
            "wxid": lambda: f"{self.token(3).lower()}{self.rng.integers(1000, 99999)}",
        }
        if name not in generated:
            raise KeyError(f"{TEMPLATES_PATH}: unknown slot {{{name}}}")
        return generated[name]()

    def fill(self, template: str) -> str:
        names = [field for _, field, _, _ in string.Formatter().parse(template) if field]
        return template.format(**{name: self.slot(name) for name in dict.fromkeys(names)}).strip()

    def sent_at(self, fraud: bool) -> str:
        time = self.config.time
        odd_share = time.odd_hour_share_fraud if fraud else time.odd_hour_share_normal
        hours = ODD_HOURS if self.rng.random() < odd_share else DAY_HOURS
        moment = datetime.fromisoformat(time.start) + timedelta(
            days=int(self.rng.integers(time.days)),
            hours=self.pick(list(hours)),
            seconds=int(self.rng.integers(3600)),
        )
        return moment.isoformat()

    @contextmanager
    def drawing_from(self, rng: np.random.Generator) -> Iterator[None]:
        """Every draw inside the block comes from ``rng`` (a stream of its own), so the draws of
        the main stream, and with them every other message of a seed, stay as they were."""
        main, self.rng = self.rng, rng
        try:
            yield
        finally:
            self.rng = main

    def normal(self) -> dict[str, Any]:
        """An ordinary message; ``lookalike_share`` of them replaced by a look-alike and
        ``new_number_share`` of the rest by a new-number notice (drawn in full first, so the main
        stream moves on as without either)."""
        categories = self.vocab["normal"]
        name = self.weighted({key: value["weight"] for key, value in categories.items()})
        kind = categories[name]["sender"]
        if self.rng.random() < self.config.senders.normal_unusual_share:
            kind = self.pick(["virtual", "foreign"])
        text = self.fill(self.pick(categories[name]["templates"]))
        if categories[name]["sender"] == "service" and self.borrow_rng.random() < self.config.notice_disclaimer_share:
            text = self.disclaimer(text)
        record = {"text": text, "sender": self.number(kind), "sent_at": self.sent_at(False), "label": 0, "fraud_type": None}
        english = self.english_instead()
        if self.lookalike_rng.random() < self.config.lookalike_share:
            with self.drawing_from(self.lookalike_rng):
                return self.lookalike()
        if self.new_number_rng.random() < self.config.new_number_share:
            with self.drawing_from(self.new_number_rng):
                return self.new_number_notice()
        return self.in_english(record) if english else record

    def lookalike(self) -> dict[str, Any]:
        """An ordinary message that reads the way scripts do ("您好，我是…", a delay notice, a
        number to call back, a bill split): without them, once scams borrow warning words, a
        script's first words ("我是") became fraud evidence of their own."""
        categories = self.vocab["lookalike"]
        name = self.weighted({key: value["weight"] for key, value in categories.items()})
        text = self.fill(self.pick(categories[name]["templates"]))
        sender = self.number(categories[name]["sender"])
        return {"text": text, "sender": sender, "sent_at": self.sent_at(False), "label": 0, "fraud_type": None}

    def new_number_notice(self) -> dict[str, Any]:
        """A person giving their own new number and asking nothing of it (``new_numbers``), from a
        stream of its own: the look-alikes, and every other message of a seed, stay as they were."""
        return self.from_a_friend(self.fill(self.pick(self.vocab["new_numbers"])), label=0, fraud_type=None)

    def new_number_twin(self) -> dict[str, Any]:
        """A new-number notice followed by the script's ask (``new_number_asks``), sent as the
        notices are (a mobile, an ordinary hour): beside the notices it teaches that the ask, not the
        opener, makes the script."""
        twins = self.vocab["new_number_asks"]
        notice = self.fill(self.pick(self.vocab["new_numbers"])).rstrip("。")
        text = f"{notice}。{self.fill(self.pick(twins['asks']))}"
        return self.from_a_friend(text, label=1, fraud_type=twins["fraud_type"])

    def from_a_friend(self, text: str, label: int, fraud_type: str | None) -> dict[str, Any]:
        """``text`` as a person sends it: from a mobile, at an ordinary hour; notices and their twins
        share it, so only the text tells them apart."""
        return {"text": text, "sender": self.number("mobile"), "sent_at": self.sent_at(False), "label": label, "fraud_type": fraud_type}

    def disclaimer(self, text: str) -> str:
        """``【银行】…已到账。`` → ``【银行】…已到账。本行不会以任何理由索要验证码。``: the warning an
        institution closes its notice with, the same words scripts borrow; so a warning word is
        evidence of neither side, and the script cues decide."""
        disclaimers = self.vocab["obfuscation"]["notice_disclaimers"]
        return f"{text.rstrip('。')}。{disclaimers[int(self.borrow_rng.integers(len(disclaimers)))]}。"

    def fraud(self) -> dict[str, Any]:
        """A scam of a random type; ``new_number_twin_share`` of the 冒充领导熟人 ones replaced by a
        new-number notice with its ask (drawn in full first, from a stream of its own)."""
        fraud_type = self.pick(list(self.vocab["fraud"]))
        text = self.fill(self.pick(self.vocab["fraud"][fraud_type]))
        if self.rng.random() < self.config.obfuscated_share:
            text = self.obfuscate(text)
        if self.borrow_rng.random() < self.config.borrowed_warning_share:
            text = self.borrowed_warning(text)
        kind = self.weighted(self.config.senders.fraud_mix)
        record = {"text": text, "sender": self.number(kind), "sent_at": self.sent_at(True), "label": 1, "fraud_type": fraud_type}
        record = self.in_english(record) if self.english_instead() else record
        if fraud_type == self.vocab["new_number_asks"]["fraud_type"] and self.twin_rng.random() < self.config.new_number_twin_share:
            with self.drawing_from(self.twin_rng):
                return self.new_number_twin()
        return record

    def english_instead(self) -> bool:
        """Whether this message is written in English instead (``english_share``): drawn once for
        every message, ordinary and fraud, so which messages are English never depends on the
        other mixes."""
        self.english_draws += 1
        return bool(self.english_rng.random() < self.config.english_share)

    def in_english(self, record: dict[str, Any]) -> dict[str, Any]:
        """A message of ``record``'s class and time in English: a phone in China also receives
        international services' codes and notices, and scams written like them; with no English in
        the demo data the quickstart model read any English text as fraud. Drawn from a generator
        of its own per message, so turning another mix on or off changes no English text."""
        with self.drawing_from(np.random.default_rng([self.seed, _ENGLISH_STREAM, self.english_draws])):
            english = self.vocab["english"]
            if record["label"]:
                fraud_type = self.pick(list(english["fraud"]))
                text, kind = self.fill(self.pick(english["fraud"][fraud_type])), self.weighted(self.config.senders.fraud_mix)
            else:
                fraud_type = None
                name = self.weighted({key: value["weight"] for key, value in english["normal"].items()})
                text, kind = self.fill(self.pick(english["normal"][name]["templates"])), english["normal"][name]["sender"]
            return {**record, "text": text, "sender": self.number(kind), "fraud_type": fraud_type}

    def obfuscate(self, text: str) -> str:
        """Apply one or two disguises, as real campaigns do to slip past keyword filters."""
        disguises = [self.split_keyword, self.full_width, self.wechat_spelling, self.short_link, self.sign_off]
        count = int(self.rng.integers(1, 3))
        for index in sorted(self.rng.choice(len(disguises), size=count, replace=False)):
            text = disguises[index](text)
        return text

    def split_keyword(self, text: str) -> str:
        """``安全账户`` → ``安 全*账 户``: separators inside a filtered word."""
        present = [word for word in self.vocab["obfuscation"]["keywords"] if word in text]
        if not present:
            return text
        word = self.pick(present)
        separators = self.vocab["obfuscation"]["separators"]
        split = word[0] + "".join(self.pick(separators) + ch for ch in word[1:])
        return text.replace(word, split, 1)

    def full_width(self, text: str) -> str:
        """ASCII letters and digits as their full-width forms (NFKC undoes it)."""
        return "".join(chr(ord(ch) + 0xFEE0) if ch in _ALNUM else ch for ch in text)

    def wechat_spelling(self, text: str) -> str:
        """微信 → 加V信/薇信 …; messages without a contact get one appended."""
        spelling = self.pick(self.vocab["obfuscation"]["wechat_spellings"])
        if "微信" in text:
            return text.replace("微信", spelling)
        return f"{text.rstrip('。')}，{spelling}：{self.slot('wxid')}"

    def sign_off(self, text: str) -> str:
        """``…注册 URL`` → ``…注册 URL，谨防诈骗``: a warning appended to the script, so that a
        warning word alone never reads as an anti-fraud reminder."""
        return f"{text.rstrip('。')}，{self.pick(self.vocab['obfuscation']['sign_offs'])}"

    def borrowed_warning(self, text: str) -> str:
        """``…洗钱，现在需要你配合…`` → ``…洗钱，谨防冒充，认准本人，现在需要你配合…``: warning
        words inserted at the clause break nearest the middle, before the ask, as scripts borrow
        them to look official; a reminder's words then never excuse a script."""
        warnings = self.vocab["obfuscation"]["borrowed_warnings"]
        return insert_mid_text(text, f"{warnings[int(self.borrow_rng.integers(len(warnings)))]}，")

    def short_link(self, text: str) -> str:
        """A short link instead of (or besides) the landing page."""
        short = f"{self.pick(self.vocab['link_hosts']['short'])}/{self.token(6)}"
        hosts = self.vocab["link_hosts"]["scam"]
        for word in text.split():
            if any(host in word for host in hosts):
                return text.replace(word, short)
        return f"{text} {short}"


def insert_mid_text(text: str, clause: str) -> str:
    """``text`` with ``clause`` inserted after the clause break nearest its middle (never after
    its last character; at the start when it has none): where a script puts borrowed words."""
    breaks = [at + 1 for at, ch in enumerate(text[:-1]) if ch in _CLAUSE_BREAKS]
    if not breaks:
        return clause + text
    at = min(breaks, key=lambda position: abs(position - len(text) / 2))
    return text[:at] + clause + text[at:]


def generate_demo_sms(n: int, seed: int, config: DemoSmsConfig | None = None) -> pd.DataFrame:
    """``n`` labelled demo messages in the record contract, ordered by ``sent_at``.

    Args:
        n: number of messages.
        seed: the same seed always gives the same messages.
        config: mixes and sender patterns; the shipped ``configs/demo.yaml`` by default.
    """
    writer = _Writer(config or default_demo_config(), seed)
    rows = [writer.fraud() if writer.rng.random() < writer.config.fraud_share else writer.normal() for _ in range(n)]
    taxonomy = shipped_taxonomy()
    for row in rows:
        row["receiver"] = writer.number("mobile")
        row["category"] = taxonomy.fraud_category if row["label"] else taxonomy.ham_category
    rows.sort(key=lambda row: row["sent_at"])
    for index, row in enumerate(rows, start=1):
        row["id"] = f"demo-sms:{index:06d}"
    return make_frame(rows, LABELLED_COLUMNS)


def write_demo_sms(out_dir: str | Path, n: int, seed: int, config: DemoSmsConfig | None = None) -> Path:
    """Write ``generate_demo_sms(n, seed)`` as canonical CSV ``out_dir/sms.csv``; returns its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / SMS_FILE
    generate_demo_sms(n, seed, config).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
