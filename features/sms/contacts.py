"""Contact points in a message: where a campaign tells its victims to go (link, 微信/QQ, callback number).

Templates mask these (they change between copies), but one campaign re-uses a handful of them
across its template variants, so a shared contact point is evidence that two differently worded
messages come from the same sender. Extraction reads the raw text after :func:`clean_text`
(obfuscation undone, nothing masked) with the same link and phone patterns the masking uses.
Official numbers and sites anyone may quote are dropped here (``configs/campaigns.yaml``);
contacts quoted by too many templates are dropped by the grouping's hub guard.
"""

from __future__ import annotations

import re

from configs.campaigns import ContactsConfig
from features.sms.normalise import PHONE_PATTERN, URL_PATTERN, clean_text

DOMAIN, WECHAT, QQ, PHONE = "domain", "wechat", "qq", "phone"
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([a-z0-9\-]+(?:\.[a-z0-9\-]+)*)")
# A WeChat id has at most 20 characters and a QQ account is a number (at most 11 digits); "qq" inside
# a longer Latin word is not a cue, and a longer run is not an id (it is a glued sentence or a link).
_HANDLE = re.compile(
    r"(?:(微信)|(?<![a-z0-9])(?:qq|企鹅))(?:号码|号|帐号|账号|群)?[:：\s]*"
    r"((?(1)[a-z0-9][a-z0-9_\-]{0,19}|\d{1,11}))(?![a-z0-9_\-])"
)
# Short codes and local numbers are callback numbers only when the text says to call them.
_CALL_CUE = re.compile(r"(?:电话|热线|咨询|致电|拨打|回电|联系|tel)[:：\s]*(\d{5,12})(?!\d)")
_NOT_DIGIT = re.compile(r"\D")


def registered_domain(url: str, second_level_suffixes: frozenset[str]) -> str:
    """``http://a.b.icbc.com.cn/x`` → ``icbc.com.cn``: the part a sender registers, not its sub-domains
    (empty when the link has no host, e.g. ``http://?``)."""
    host = _HOST.match(url)
    if host is None:
        return ""
    labels = host.group(1).split(".")
    keep = 3 if ".".join(labels[-2:]) in second_level_suffixes else 2
    return ".".join(labels[-keep:])


def _national_number(raw: str) -> str:
    """Digits only, without the +86 country code, so 138-0013-8000 and +8613800138000 are one number."""
    digits = _NOT_DIGIT.sub("", raw)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


class ContactExtractor:
    """Contact points of raw messages as ``kind:value`` keys, official ones left out."""

    def __init__(self, config: ContactsConfig) -> None:
        self.config = config
        self._suffixes = frozenset(config.second_level_suffixes)
        self._service_numbers = frozenset(config.service_numbers)
        self._short_code_prefixes = tuple(config.service_number_prefixes)
        self._service_domains = tuple(config.service_domains)

    def contacts(self, text: str) -> list[str]:
        """Distinct contact keys of one message in order of appearance (``phone:13800138000``)."""
        cleaned = clean_text(text)
        found = [f"{DOMAIN}:{domain}" for domain in self._domains(cleaned)]
        found += [f"{kind}:{handle}" for kind, handle in self._handles(cleaned)]
        numbers = [_national_number(m.group()) for m in PHONE_PATTERN.finditer(cleaned)]
        numbers += [m.group(1) for m in _CALL_CUE.finditer(cleaned)]
        found += [f"{PHONE}:{number}" for number in numbers if not self.is_service_number(number)]
        return list(dict.fromkeys(found))

    def is_service_number(self, number: str) -> bool:
        """An official short code (by prefix and length) or a listed service number: anyone may quote it."""
        short_code = len(number) <= self.config.service_number_max_digits and number.startswith(self._short_code_prefixes)
        return short_code or number in self._service_numbers

    def _domains(self, cleaned: str) -> list[str]:
        domains = [registered_domain(m.group(), self._suffixes) for m in URL_PATTERN.finditer(cleaned)]
        return [d for d in domains if d and not any(d == s or d.endswith("." + s) for s in self._service_domains)]

    def _handles(self, cleaned: str) -> list[tuple[str, str]]:
        handles = []
        for match in _HANDLE.finditer(cleaned):
            kind = WECHAT if match.group(1) == "微信" else QQ
            handle = match.group(2)
            if len(handle) >= self.config.min_handle_chars:
                handles.append((kind, handle))
        return handles
