"""What the SMS feature code makes of the probe texts is recorded the same way in every process,
reaches every rule the normaliser has, and names the step whose output changed, not its neighbours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

import features.sms.behaviour as behaviour
from configs.paths import PROJECT_ROOT
from features.sms import normalise
from features.sms.behaviour import STEPS, behaviour_record, changed_steps, probe_digests, probe_texts
from features.sms.normalise import normalise_text


@pytest.fixture
def fresh_digests() -> Iterator[None]:
    """Probe outputs recomputed inside the test (they are cached per process), and again after it."""
    probe_digests.cache_clear()
    yield
    probe_digests.cache_clear()


def test_every_probe_records_every_step() -> None:
    record = behaviour_record()
    assert list(record) == probe_texts() and len(record) >= 20
    assert all(list(steps) == list(STEPS) for steps in record.values())


def test_another_process_with_another_hash_seed_records_the_same() -> None:
    """A digest that depended on set or dict order would refuse models at random."""
    script = "import json; from features.sms.behaviour import behaviour_record; print(json.dumps(behaviour_record()))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert json.loads(done.stdout) == behaviour_record()


@pytest.mark.parametrize(
    "rule",
    [*normalise.PLACEHOLDERS, "look-alike letters", "numbers in Chinese digits", "separators inside words", "full-width"],
)
def test_the_probes_reach_each_normalising_rule(rule: str) -> None:
    """A rule no probe reaches could change unseen; each of these is reached by some probe."""
    reached = {
        "look-alike letters": lambda raw, norm: any(0x400 <= ord(ch) <= 0x4FF or 0x30A0 <= ord(ch) <= 0x30FF for ch in raw),
        "numbers in Chinese digits": lambda raw, norm: "〇〇" in raw and "〇" not in norm,
        "separators inside words": lambda raw, norm: "安 全" in raw and "安全" in norm,
        "full-width": lambda raw, norm: "ｗ" in raw,
    }.get(rule, lambda raw, norm: rule in norm.split())
    assert any(reached(text, normalise_text(text)) for text in probe_texts())


def test_an_unchanged_checkout_changes_no_step() -> None:
    assert changed_steps(behaviour_record()) == {}


def test_a_normaliser_that_no_longer_reads_chinese_digits_is_named_on_those_probes_only(
    fresh_digests: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = behaviour_record()
    probe_digests.cache_clear()
    monkeypatch.setattr(normalise, "_CHINESE_DIGIT_RUN", normalise.re.compile("(?!)"))  # the rule before session 24
    changed = changed_steps(recorded)
    chinese_digits = [text for text in recorded if "〇〇" in text]
    assert chinese_digits and changed["normalising"] == chinese_digits


def test_a_tokeniser_change_is_named_as_tokenising_alone(fresh_digests: None, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = behaviour_record()
    probe_digests.cache_clear()
    monkeypatch.setattr(behaviour, "tokenise", lambda norm: list(norm))  # characters, not words
    changed = changed_steps(recorded)
    assert list(changed) == ["tokenising"] and changed["tokenising"] == list(recorded)


def test_a_step_this_checkout_no_longer_has_counts_as_changed() -> None:
    recorded = {text: {**steps, "a step since removed": "0" * 16} for text, steps in behaviour_record().items()}
    assert changed_steps(recorded) == {"a step since removed": list(recorded)}
