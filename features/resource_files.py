"""The data files the feature path reads at run time, named in one place, and their fingerprint.

Lexicons, script cues, the negation rule, jieba's user dictionary and the call reason sentences
live in ``features/**/resources/`` and are read when a process first scores, not stored in the
fitted model. A model trained before one of them was edited would be scored with features it was
never trained on (a cue that fired in training no longer fires) while its columns still line up.
So the content hash of each file is recorded beside the model (``models/provenance.py``) and
compared before a registered model is loaded for scoring.

Every reader takes its path from :func:`resource_path` and a constant below, so the files hashed
are the files read; a test fails when a file under ``features/**/resources/`` is not listed.
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
FEATURE_RESOURCES = (PATTERNS_FILE, FRAUD_WORDS_FILE, CALL_TEMPLATES_FILE)


def resource_path(name: str) -> Path:
    """Where the resource ``name`` (one of :data:`FEATURE_RESOURCES`) is read from."""
    return RESOURCE_ROOT / name


@cache
def feature_resource_hashes() -> Mapping[str, str]:
    """{resource name: sha256 of its bytes} for every :data:`FEATURE_RESOURCES`, in that order.

    Computed once per process (the files are read once per process too): checking a model costs
    a dictionary comparison, and nothing is hashed per request.
    """
    return MappingProxyType({name: hashlib.sha256(resource_path(name).read_bytes()).hexdigest() for name in FEATURE_RESOURCES})
