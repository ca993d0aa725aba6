"""A candidate SMS configuration from ``KEY=VALUE`` overrides of the shipped one.

A quality candidate is written down before it is measured as the settings it changes, in the
project's one override language (``configs/environment``: ``YUNMAO_SMS__DUPLICATES__POLICY=keep_max``),
so the same line can later be set in a deployment's environment unchanged. The overrides are applied
on top of the shipped ``configs/sms.yaml`` and the process environment, and validated by the same
schema: a key that names no setting, or a value out of bounds, fails before any model is trained.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from configs import default_config_path, load_config
from configs.environment import ENV_PREFIX, NESTING, config_name
from configs.sms import SmsConfig

PREFIX = f"{ENV_PREFIX}{config_name(SmsConfig).upper()}{NESTING}"


def parse_overrides(assignments: Sequence[str]) -> dict[str, str]:
    """``["YUNMAO_SMS__A__B=v", …]`` → ``{"YUNMAO_SMS__A__B": "v"}``.

    Raises:
        ValueError: an item is not ``KEY=VALUE``, a key is not an SMS setting's variable
            (``YUNMAO_SMS__…``), or a key is given twice.
    """
    found: dict[str, str] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"candidate {item!r}: expected KEY=VALUE, e.g. {PREFIX}DUPLICATES__POLICY=keep_max")
        if not key.startswith(PREFIX):
            raise ValueError(f"candidate key {key!r} must start with {PREFIX} (an SMS setting, see docs/environment.md)")
        if key in found:
            raise ValueError(f"candidate key {key} given twice")
        found[key] = value
    return found


def candidate_config(assignments: Sequence[str], shipped: SmsConfig, path: Path | None = None,
                     environ: Mapping[str, str] | None = None) -> SmsConfig:
    """The SMS config at ``path`` (default: shipped ``configs/sms.yaml``) with ``assignments`` on top.

    Raises:
        ValueError: :func:`parse_overrides`'s errors; the result changes nothing from ``shipped``.
        configs.ConfigError: a key names no setting or a value breaks the schema (names the key).
    """
    overrides = parse_overrides(assignments)
    base = dict(os.environ if environ is None else environ)
    candidate = load_config(path or default_config_path("sms"), SmsConfig, {**base, **overrides})
    if candidate == shipped:
        raise ValueError(f"candidate {' '.join(assignments)} changes nothing from the shipped configuration")
    return candidate
