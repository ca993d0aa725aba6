"""Module paths of the layout before features were split into ``features/sms`` and ``features/calls``.

Registered models are pickles that name the module of every class inside them. Models pickled
before the move name ``features.text``, ``features.call_features`` and so on; registering those
old names as aliases of the new modules lets such models load unchanged, with no re-registration.
"""

from __future__ import annotations

import importlib
import sys

# old module path -> module that holds its classes now
MOVED_MODULES = {
    "features.normalise": "features.sms.normalise",
    "features.tokenise": "features.sms.tokenise",
    "features.text": "features.sms.text",
    "features.tfidf": "features.sms.tfidf",
    "features.patterns": "features.sms.patterns",
    "features.metadata": "features.sms.metadata",
    "features.reasons": "features.sms.reasons",
    "features.preprocess": "features.sms.preprocess",
    "features.factory": "features.sms.factory",
    "features.call_profiles": "features.calls.profiles",
    "features.call_features": "features.calls.featuriser",
}


def alias_moved_modules() -> None:
    """Make every old module path importable as its new module (idempotent)."""
    for old, new in MOVED_MODULES.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)
