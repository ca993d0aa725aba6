"""Typed, validated configuration: every tunable number lives in ``configs/*.yaml``.

Each YAML file has a pydantic model beside it (``sms.yaml`` ↔ ``configs/sms.py``). Loading
validates the whole file up front so a typo fails at start with the field path and the problem,
not halfway through a training run. ``YUNMAO_NAME__…`` environment variables override any setting
(``configs/environment``), validated by the same schema in the same place.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from configs.environment import EnvVarError, apply_overrides, blame, overrides

CONFIG_DIR = Path(__file__).resolve().parent

ConfigT = TypeVar("ConfigT", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file is missing, unparsable or invalid; the message says where."""


class StrictModel(BaseModel):
    """Base for config sections: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle, giving fields added since the pickle was written their defaults.

        Registered models pickle the config sections they were trained with; a model registered
        before a field existed must still load (and then behaves as that default says).
        """
        values = state.get("__dict__", {})
        added = {name: field.get_default(call_default_factory=True) for name, field in type(self).model_fields.items()
                 if name not in values}
        super().__setstate__({**state, "__dict__": {**added, **values}})


def default_config_path(name: str) -> Path:
    """Path of the shipped default config ``configs/<name>.yaml``."""
    return CONFIG_DIR / f"{name}.yaml"


def load_config(path: str | Path, model: type[ConfigT], environ: Mapping[str, str] | None = None) -> ConfigT:
    """Read ``path`` as YAML, apply ``environ``'s overrides (default: the process environment)
    and validate the result against ``model``.

    Raises:
        ConfigError: the file is absent, a folder, unreadable, not UTF-8, not YAML or empty
            (most likely the wrong file), an override variable names no setting,
            or the result does not match the schema; the message names the file, every
            offending field and the variable that set it.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{path}: a folder, not a config file") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from exc
    except yaml.YAMLError as exc:  # PyYAML's message spans lines; a command's failure is one line
        raise ConfigError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from exc
    if raw is None:  # not "all defaults": a user who meant those leaves --config out (or writes {})
        raise ConfigError(f"{path}: empty config file (no settings, only blanks or comments): is it the right file? "
                          "For every default leave --config out, or write {} in it")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(raw).__name__}")
    try:
        found = overrides(model, os.environ if environ is None else environ)
    except EnvVarError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        return model.model_validate(apply_overrides(raw, found))
    except ValidationError as exc:
        problems = validation_problems(exc, lambda location: blame(location, found))
        raise ConfigError(f"{path}: invalid config: {problems}") from exc


def validation_problems(exc: ValidationError, note: Callable[[tuple[str, ...]], str] = lambda location: "",
                        at: tuple[str, ...] = ()) -> str:
    """Pydantic's errors as one line, ``dotted.location: message`` each, ``; ``-separated (its own
    message spans lines, and a command's failure is one); ``note`` adds to each what set that value,
    ``at`` is where the validated part sits in the whole (``("auth",)`` reads ``auth.api_key``)."""
    problems = []
    for error in exc.errors():
        location = at + tuple(str(part) for part in error["loc"])
        problems.append(f"{'.'.join(location) or '<root>'}: {error['msg']}{note(location)}")
    return "; ".join(problems)
