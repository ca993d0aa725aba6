"""Which yunmao pickled a model, and refusing to unpickle one pickled by another.

A registered model is a pickle of yunmao's own classes: unpickled by other code, it fails
somewhere deep inside (a missing attribute, a renamed module) or, worse, loads and scores
differently. So the version that pickled it travels beside the pickle (the MLflow model's
``metadata``, then the BentoML model's), and is compared before unpickling, with a message
naming both versions.

``YUNMAO_VERSION`` is the single source of the project's version: ``pyproject.toml`` reads it,
and it is known where yunmao is not pip-installed (the source inside a Bento).
"""

from __future__ import annotations

YUNMAO_VERSION = "0.1.0"
VERSION_KEY = "yunmao_version"


class IncompatibleModelError(RuntimeError):
    """A model was pickled by another yunmao version than the one about to unpickle it."""


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
