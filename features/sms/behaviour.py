"""What this checkout's SMS feature code makes of text and metadata, recorded on probes, so a model is not
scored by code that reads text differently from the code it was trained with.

The data files a model's scoring reads are hashed beside it (``features/resource_files.py``); the
code is covered only by the project version, which a change to the feature path does not bump by
itself. Session 24's normaliser change (look-alike letters, numbers in Chinese digits) reached
every model trained before it: the same columns, other values, nothing refused. Hashing the source
would refuse a model after any refactoring; what matters is behaviour. So each step that is code,
not fitted state — normalising, jieba's tokens, the template a campaign is matched by, the pattern
and script-cue features, the sender and time features — is run on the probes of
``resources/behaviour_probes.txt`` (message texts, and ``metadata: SENDER | SENT_AT`` lines for the
sender and time features) at training, the digest of each output recorded beside the model, and
recomputed before the model is scored (``models/provenance.py``): a probe whose output differs
names the step that changed.

The fitted steps (TF-IDF vocabularies, the linear text models, the boosters) are pickled with the
model; what the model as a whole makes of these probes (its feature rows and scores) is pickled
with it too and reproduced at every load (``models/probe_outputs.py``), which covers the fitted
steps' code; a new scikit-learn or LightGBM is covered by the model's logged requirements. The
probes cover the rules they exercise, not every text: a rule changed without a probe that reaches
it is not seen, so every rule deserves a probe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from functools import cache

import pandas as pd

from features.resource_files import BEHAVIOUR_PROBES_FILE, resource_path
from features.sms.metadata import MetadataFeatures
from features.sms.normalise import normalise_text
from features.sms.patterns import PatternFeatures
from features.sms.templates import normalised_template
from features.sms.tokenise import tokenise

_DIGEST_CHARS = 16  # 64 bits of sha256 per step and probe: collisions are no concern at a few dozen probes
_DECIMALS = 6  # pattern features are counts and shares; rounding keeps a digest independent of float printing


def _pattern_values(norm: str) -> str:
    """The pattern and script-cue features of one normalised text, in this checkout's column order."""
    return _rounded(PatternFeatures().fit([norm]).transform([norm])[0])


def _rounded(row) -> str:
    return " ".join(f"{value:.{_DECIMALS}f}" for value in row)


STEPS: Mapping[str, Callable[[str], str]] = {
    "normalising": lambda norm: norm,
    "tokenising": lambda norm: "\x1f".join(tokenise(norm)),
    "template masking": normalised_template,
    "pattern features": _pattern_values,
}
"""Step name (as a refusal names it) -> what it makes of a normalised text, as a string."""
METADATA_PROBE = "metadata: "  # a probe line of a sender and a send time: "metadata: 95588 | 2026-12-02T03:15:00+08:00"
METADATA_STEP = "sender and time features"


def _sender_and_time(probe: str) -> tuple[str, str]:
    """The sender and the send time of a ``metadata:`` probe line."""
    sender, _, sent_at = probe.removeprefix(METADATA_PROBE).partition("|")
    return sender.strip(), sent_at.strip()


def _metadata_values(probe: str) -> str:
    """The sender and time features of a ``metadata:`` probe's sender and send time."""
    sender, sent_at = _sender_and_time(probe)
    record = pd.DataFrame({"sender": [sender], "sent_at": [sent_at]})
    return _rounded(MetadataFeatures().fit(record).transform(record)[0])


def probe_lines() -> list[str]:
    """The probes of this checkout's resource file (texts and ``metadata:`` lines), notes and
    blank lines skipped."""
    lines = resource_path(BEHAVIOUR_PROBES_FILE).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def probe_records() -> list[dict[str, str | None]]:
    """The probes as SMS records, for running a whole fitted model on them
    (``models/probe_outputs.py``): a text probe is a message without sender or time, a
    ``metadata:`` probe a message without text from that sender at that time."""
    records: list[dict[str, str | None]] = []
    for probe in probe_lines():
        if probe.startswith(METADATA_PROBE):
            sender, sent_at = _sender_and_time(probe)
            records.append({"text": "", "sender": sender, "sent_at": sent_at})
        else:
            records.append({"text": probe, "sender": None, "sent_at": None})
    return records


def _digest(output: str) -> str:
    return hashlib.sha256(output.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]


@cache
def probe_digests(probe: str) -> dict[str, str]:
    """{step: digest of its output} for one probe (a text, or a ``metadata:`` line); computed once
    per process and probe."""
    if probe.startswith(METADATA_PROBE):
        return {METADATA_STEP: _digest(_metadata_values(probe))}
    norm = normalise_text(probe)
    return {step: _digest(run(norm)) for step, run in STEPS.items()}


def behaviour_record() -> dict[str, dict[str, str]]:
    """{probe: {step: digest}} for every probe: what a model trained here records."""
    return {probe: probe_digests(probe) for probe in probe_lines()}


def changed_steps(recorded: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """{step: the recorded probes whose output of that step differs here}, steps that changed only.

    Compares what was recorded (by the code that trained a model) with what this checkout makes of
    the same probes; a step this checkout no longer has counts as changed, a step it added as
    not recorded (nothing to compare)."""
    changed: dict[str, list[str]] = {}
    for probe, then in recorded.items():
        now = probe_digests(probe)
        for step, digest in then.items():
            if now.get(step) != digest:
                changed.setdefault(step, []).append(probe)
    return changed


def is_record(recorded: object) -> bool:
    """True when ``recorded`` has the form :func:`behaviour_record` gives ({probe: {step: digest}},
    all strings): what a model's metadata must hold before it is compared."""
    return isinstance(recorded, Mapping) and all(
        isinstance(probe, str) and isinstance(steps, Mapping)
        and all(isinstance(step, str) and isinstance(digest, str) for step, digest in steps.items())
        for probe, steps in recorded.items()
    )
