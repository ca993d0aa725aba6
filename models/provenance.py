"""Which yunmao pickled a model and which feature resources it was trained with, and refusing
to score it where either differs.

A registered model is a pickle of yunmao's own classes: unpickled by other code, it fails
somewhere deep inside (a missing attribute, a renamed module) or, worse, loads and scores
differently. So the version that pickled it travels beside the pickle (the MLflow model's
``metadata``, then the BentoML model's), and is compared before unpickling, with a message
naming both versions.

The SMS feature path also reads data files at scoring time (lexicons, script cues, jieba's user
dictionary: ``features/resource_files.py``), edited far more often than the version is bumped. A
model scored with resources it was not trained with gets other features under the same column
names, and nothing else notices; so the hashes of the files a model's scoring reads travel beside
the version and are compared too, naming the files that differ.

``YUNMAO_VERSION`` is the single source of the project's version: ``pyproject.toml`` reads it,
and it is known where yunmao is not pip-installed (the source inside a Bento).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from features.resource_files import feature_resource_hashes, scoring_resource_hashes
from features.sms.behaviour import behaviour_record, changed_steps, is_record

YUNMAO_VERSION = "0.1.0"
VERSION_KEY = "yunmao_version"
RESOURCES_KEY = "feature_resources"
BEHAVIOUR_KEY = "feature_behaviour"
PROVENANCE_KEYS = (VERSION_KEY, RESOURCES_KEY, BEHAVIOUR_KEY)
_EXAMPLE_CHARS = 24  # of a probe quoted in a refusal


class IncompatibleModelError(ValueError):
    """A model was pickled by another yunmao version, or trained with other feature resources,
    than the checkout about to score it: a bad ``--model`` for this checkout, so the commands
    that report a bad input in one line (they catch ValueError) report this one too."""


def provenance(kind: str) -> dict[str, Any]:
    """What to record beside a ``kind`` model pickled here: this version, the hashes of the feature
    resources its scoring reads (``features/resource_files.py``) and, for an SMS model, what the SMS
    feature code makes of the probes (``features/sms/behaviour.py``; empty for a call model,
    whose scoring runs none of that code)."""
    return {
        VERSION_KEY: YUNMAO_VERSION,
        RESOURCES_KEY: scoring_resource_hashes(kind),
        BEHAVIOUR_KEY: behaviour_record() if kind == "sms" else {},
    }


def check_provenance(model: str, metadata: Mapping[str, Any], *, run_feature_code: bool = True) -> None:
    """Raise unless ``model``'s recorded provenance (``metadata``, as :func:`provenance` wrote it)
    is this checkout's: the version first (nothing else is comparable across versions), then the
    feature resources, then (``run_feature_code``) the feature code's behaviour.

    Comparing the behaviour runs the feature code on the probes, which loads jieba's
    dictionaries (about 170 MiB and a second): what a process about to score pays anyway, but
    not ``yunmao serve``'s supervisor, which scores nothing and checks before its workers start;
    it passes ``run_feature_code=False``, and each worker checks everything as it loads.

    Raises:
        IncompatibleModelError: names the model, what differs and what to do.
    """
    check_pickled_by(model, metadata.get(VERSION_KEY))
    check_feature_resources(model, metadata.get(RESOURCES_KEY))
    if run_feature_code:
        check_feature_behaviour(model, metadata.get(BEHAVIOUR_KEY))


def check_pickled_by(model: str, pickled_by: str | None) -> None:
    """Raise unless ``pickled_by`` (the recorded version of ``model``) is this yunmao's version.

    Raises:
        IncompatibleModelError: names the model, both versions and what to do.
    """
    if pickled_by is None:
        raise IncompatibleModelError(
            f"{model} does not record which yunmao version pickled it (registered before yunmao {YUNMAO_VERSION} "
            "recorded it): retrain it with this version"
        )
    if pickled_by != YUNMAO_VERSION:
        raise IncompatibleModelError(
            f"{model} was pickled by yunmao {pickled_by}; this is yunmao {YUNMAO_VERSION}: "
            f"retrain it with yunmao {YUNMAO_VERSION}, or build and serve it with yunmao {pickled_by}"
        )


def check_feature_resources(model: str, trained_with: Mapping[str, str] | None) -> None:
    """Raise unless every resource of ``trained_with`` ({resource: sha256} recorded with
    ``model``: the files its scoring reads) has the same content in this checkout.

    Raises:
        IncompatibleModelError: names the model and every such resource whose content differs
            (or that this checkout no longer has), and what to do.
    """
    if trained_with is None:
        raise IncompatibleModelError(
            f"{model} does not record the feature resources it was trained with (registered before yunmao "
            "recorded them), so its features here may not be the ones it learned: retrain it with this checkout"
        )
    here = feature_resource_hashes()
    differing = sorted(name for name, digest in trained_with.items() if here.get(name) != digest)
    if differing:
        raise IncompatibleModelError(
            f"{model} was trained with other feature resources than this checkout's: {', '.join(differing)} "
            "differ, so it would be scored with features it was not trained on: retrain it with this checkout, "
            "or serve it from the checkout it was trained with"
        )


def check_feature_behaviour(model: str, recorded: object) -> None:
    """Raise unless this checkout's SMS feature code makes of every probe ``model`` recorded
    ({probe: {step: digest}}, ``features/sms/behaviour.py``) what the code that trained it made.

    Raises:
        IncompatibleModelError: no record, or one not of that form (a hand-edited MLmodel); else
            names the model, each step whose output changed with how many probes it changed on
            and the first of them, and what to do.
    """
    if recorded is None:
        raise IncompatibleModelError(
            f"{model} does not record what its feature code made of text (registered before yunmao recorded it), "
            "so its features here may not be the ones it learned: retrain it with this checkout"
        )
    if not is_record(recorded):
        raise IncompatibleModelError(
            f"{model} records what its feature code made of text in a form this yunmao cannot read "
            f"({BEHAVIOUR_KEY} must map each probe to {{step: digest}}): retrain it with this checkout"
        )
    changed = changed_steps(recorded)
    if changed:
        steps = "; ".join(
            f"{step} on {len(probes)} of {len(recorded)} probes (e.g. {probes[0][:_EXAMPLE_CHARS]!r})"
            for step, probes in changed.items()
        )
        raise IncompatibleModelError(
            f"{model} was trained by feature code that reads text differently from this checkout's: {steps} "
            "give other features here, so it would be scored with features it was not trained on: retrain it "
            "with this checkout, or serve it from the checkout it was trained with"
        )
