"""The data files the feature path reads, named in one place, and the fingerprint of those read
at scoring time.

SMS lexicons, script cues and the negation rule (``patterns.yaml``) and jieba's user dictionary
(``fraud_words.txt``) are read when a process first scores, not stored in the fitted model. A model
trained before one of them was edited would be scored with features it was never trained on (a
cue that fired in training no longer fires) while its columns still line up. So the content hash
of each is recorded beside the model (``models/provenance.py``) and compared before a registered
model is loaded for scoring. The call reason sentences (``reason_templates.yaml``) and the SMS
function words (``function_words.txt``) are read in training only: a call model keeps their text
(``ScamModel.reason_templates``), an SMS model the reason mask computed from them
(``ScamModel.reason_mask``), so an edit reaches the models trained after it and no other, and
nothing needs refusing. The probes (``behaviour_probes.txt``) are read in training too: an
SMS model records what the feature code made of them (``features/sms/behaviour.py``), probe and all.

Every reader takes its path from :func:`resource_path` and a constant below; a test fails when a
file under ``features/**/resources/`` is in neither list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

# The folder holding the ``features`` package (the checkout, or site-packages): names below are
# relative to it, so a fingerprint does not depend on where the checkout lives.
RESOURCE_ROOT = Path(__file__).resolve().parent.parent
PATTERNS_FILE = "features/sms/resources/patterns.yaml"
FRAUD_WORDS_FILE = "features/sms/resources/fraud_words.txt"
CALL_TEMPLATES_FILE = "features/calls/resources/reason_templates.yaml"
SMS_FUNCTION_WORDS_FILE = "features/sms/resources/function_words.txt"
BEHAVIOUR_PROBES_FILE = "features/sms/resources/behaviour_probes.txt"
# Model kind -> the files its scoring reads (SMS scoring reads no call resource, and call scoring
# no SMS one: an SMS lexicon edit leaves call models servable).
SCORING_RESOURCES = {"sms": (PATTERNS_FILE, FRAUD_WORDS_FILE), "call": ()}
# Read in training only; the fitted model keeps their content (or, for the function words, the
# reason mask computed from them; for the probes, what the feature code made of them).
CARRIED_RESOURCES = (CALL_TEMPLATES_FILE, SMS_FUNCTION_WORDS_FILE, BEHAVIOUR_PROBES_FILE)


def resource_path(name: str) -> Path:
    """Where the resource ``name`` (a constant above) is read from."""
    return RESOURCE_ROOT / name


@cache
def feature_resource_hashes() -> Mapping[str, str]:
    """{resource name: sha256 of its bytes} for every file of :data:`SCORING_RESOURCES`, SMS first.

    Computed once per process (the files are read once per process too): checking a model costs
    a dictionary comparison, and nothing is hashed per request.
    """
    names = dict.fromkeys(name for names in SCORING_RESOURCES.values() for name in names)
    return MappingProxyType({name: hashlib.sha256(resource_path(name).read_bytes()).hexdigest() for name in names})


def scoring_resource_hashes(kind: str) -> dict[str, str]:
    """{resource name: sha256} of the files scoring a ``kind`` model reads: what it records."""
    hashes = feature_resource_hashes()
    return {name: hashes[name] for name in SCORING_RESOURCES[kind]}
