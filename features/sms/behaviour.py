"""What this checkout's SMS feature code makes of text, recorded on probe texts, so a model is not
scored by code that reads text differently from the code it was trained with.

The data files a model's scoring reads are hashed beside it (``features/resource_files.py``); the
code is covered only by the project version, which a change to the feature path does not bump by
itself. Session 24's normaliser change (look-alike letters, numbers in Chinese digits) reached
every model trained before it: the same columns, other values, nothing refused. Hashing the source
would refuse a model after any refactoring; what matters is behaviour. So each step that is code,
not fitted state — normalising, jieba's tokens, the template a campaign is matched by, the pattern
and script-cue features — is run on the probe texts of ``resources/behaviour_probes.txt`` at
training, the digest of each output recorded beside the model, and recomputed before the model is
scored (``models/provenance.py``): a probe whose output differs names the step that changed.

The fitted steps (TF-IDF vocabularies, the linear text models, the boosters) are pickled with the
model; their code is covered by the project version, and a new scikit-learn or LightGBM by the
model's logged requirements. The probes cover the rules they exercise, not every text: a rule
changed without a probe that reaches it is not seen, so every rule deserves a probe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from functools import cache

from features.resource_files import BEHAVIOUR_PROBES_FILE, resource_path
from features.sms.normalise import normalise_text
from features.sms.patterns import PatternFeatures
from features.sms.templates import normalised_template
from features.sms.tokenise import tokenise

_DIGEST_CHARS = 16  # 64 bits of sha256 per step and probe: collisions are not a concern at 30 probes
_DECIMALS = 6  # pattern features are counts and shares; rounding keeps a digest independent of float printing


def _pattern_values(norm: str) -> str:
    """The pattern and script-cue features of one normalised text, in this checkout's column order."""
    row = PatternFeatures().fit([norm]).transform([norm])[0]
    return " ".join(f"{value:.{_DECIMALS}f}" for value in row)


STEPS: Mapping[str, Callable[[str], str]] = {
    "normalising": lambda norm: norm,
    "tokenising": lambda norm: "\x1f".join(tokenise(norm)),
    "template masking": normalised_template,
    "pattern features": _pattern_values,
}
"""Step name (as a refusal names it) -> what it makes of a normalised text, as a string."""


def probe_texts() -> list[str]:
    """The probes of this checkout's resource file, notes and blank lines skipped."""
    lines = resource_path(BEHAVIOUR_PROBES_FILE).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@cache
def probe_digests(text: str) -> dict[str, str]:
    """{step: digest of its output} for one probe text; computed once per process and text."""
    norm = normalise_text(text)
    return {step: hashlib.sha256(run(norm).encode("utf-8")).hexdigest()[:_DIGEST_CHARS] for step, run in STEPS.items()}


def behaviour_record() -> dict[str, dict[str, str]]:
    """{probe text: {step: digest}} for every probe: what a model trained here records."""
    return {text: probe_digests(text) for text in probe_texts()}


def changed_steps(recorded: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """{step: the recorded probes whose output of that step differs here}, steps that changed only.

    Compares what was recorded (by the code that trained a model) with what this checkout makes of
    the same probe texts; a step this checkout no longer has counts as changed, a step it added as
    not recorded (nothing to compare)."""
    changed: dict[str, list[str]] = {}
    for text, then in recorded.items():
        now = probe_digests(text)
        for step, digest in then.items():
            if now.get(step) != digest:
                changed.setdefault(step, []).append(text)
    return changed
