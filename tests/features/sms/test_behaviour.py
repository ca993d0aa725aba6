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
from features.sms import metadata, normalise
from features.sms.behaviour import METADATA_PROBE, METADATA_STEP, STEPS, behaviour_record, changed_steps, probe_digests, probe_lines
from features.sms.normalise import normalise_text


@pytest.fixture
def fresh_digests() -> Iterator[None]:
    """Probe outputs recomputed inside the test (they are cached per process), and again after it."""
    probe_digests.cache_clear()
    yield
    probe_digests.cache_clear()


def test_every_probe_records_every_step_of_its_kind() -> None:
    record = behaviour_record()
    assert list(record) == probe_lines()
    texts = [probe for probe in record if not probe.startswith(METADATA_PROBE)]
    assert len(texts) >= 20 and all(list(record[text]) == list(STEPS) for text in texts)
    metadata = [probe for probe in record if probe.startswith(METADATA_PROBE)]
    assert len(metadata) >= 5 and all(list(record[probe]) == [METADATA_STEP] for probe in metadata)


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
    assert any(reached(text, normalise_text(text)) for text in probe_lines())


def test_the_metadata_probes_reach_every_sender_kind_and_day_night_and_unreadable_times() -> None:
    senders, times = zip(*(probe.removeprefix(METADATA_PROBE).partition("|")[::2]
                           for probe in probe_lines() if probe.startswith(METADATA_PROBE)), strict=True)
    assert {metadata.sender_kind(sender.strip()) for sender in senders} == set(metadata.SENDER_KINDS)
    hours = [metadata.hour_of_day(sent_at.strip()) for sent_at in times]
    assert any(h in metadata._NIGHT_HOURS for h in hours) and any(h == h and h not in metadata._NIGHT_HOURS for h in hours)
    assert any(h != h for h in hours)  # NaN: absent or unreadable


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
    texts = [probe for probe in recorded if not probe.startswith(METADATA_PROBE)]
    assert list(changed) == ["tokenising"] and changed["tokenising"] == texts


def test_a_new_virtual_operator_range_is_named_as_the_sender_features_on_those_probes_only(
    fresh_digests: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = behaviour_record()
    probe_digests.cache_clear()
    monkeypatch.setattr(metadata, "_VIRTUAL_PREFIXES", tuple(p for p in metadata._VIRTUAL_PREFIXES if p != "170"))
    changed = changed_steps(recorded)
    ranges_170 = [probe for probe in recorded if probe.startswith(f"{METADATA_PROBE}170")]
    assert ranges_170 and changed == {METADATA_STEP: ranges_170}


def test_a_step_this_checkout_no_longer_has_counts_as_changed() -> None:
    recorded = {text: {**steps, "a step since removed": "0" * 16} for text, steps in behaviour_record().items()}
    assert changed_steps(recorded) == {"a step since removed": list(recorded)}
