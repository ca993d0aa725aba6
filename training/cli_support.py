"""What every ``yunmao`` command shares: the one-line failure and the model configs most of them read.

Commands fail with a one-line message on stderr and exit code 2 on bad input, never a traceback.
Heavy imports happen inside functions so ``yunmao --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from serving.cli import BAD_INPUT_EXIT_CODE, fail  # noqa: F401  (re-exported: the one failure of every command)

# The call-model inputs beside --data, declared once for every command that takes them.
FEATURES_OPTION = typer.Option(
    [], "--features", help="Call models: extra per-number table joined on phone_no_m; repeatable."
)
LINKS_OPTION = typer.Option(
    [], "--links",
    help="Call models: links between numbers (phone_no_m, linked_no_m[, kind, weight]) for graph features; repeatable.",
)

# The engine of the jobs that can run past one machine (profiles build, links build, predict).
ENGINE_OPTION = typer.Option(
    "local", "--engine", help="local: this process; dask: a Dask cluster (needs the dask extra).",
)
SCHEDULER_OPTION = typer.Option(
    None, "--scheduler", help="--engine dask: a running scheduler (tcp://HOST:PORT); default: a local cluster.",
)
ENGINES = ("local", "dask")

if TYPE_CHECKING:
    from configs.call import CallConfig
    from configs.cluster import ClusterConfig
    from configs.sms import SmsConfig


def use_dask(engine: str, scheduler: str | None) -> bool:
    """Whether the job runs on Dask; a wrong engine, or ``--scheduler`` without Dask, is bad input.

    Raises:
        ValueError: names the flag and what it accepts.
    """
    if engine not in ENGINES:
        raise ValueError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if scheduler and engine != "dask":
        raise ValueError("--scheduler needs --engine dask")
    return engine == "dask"


def cluster_config() -> ClusterConfig:
    """The Dask cluster config (``configs/cluster.yaml``)."""
    from configs import default_config_path, load_config
    from configs.cluster import ClusterConfig

    return load_config(default_config_path("cluster"), ClusterConfig)


def progress(message: str) -> None:
    """A long job's progress line, on stderr so stdout stays the JSON summary."""
    typer.echo(message, err=True)


def warn_missing_columns(missing: list[str]) -> None:
    """Say on stderr which trained columns the scored data lacks (the model scored them as unknown)."""
    if missing:
        typer.echo(f"warning: scored without {len(missing)} trained columns (unknown to the model): {missing[:10]}", err=True)


def warn_numbers_missing_from_features(notes: dict) -> None:
    """Say on stderr how many scored numbers each ``--features`` table lacks (their columns from
    it are scored as unknown): a table for the wrong period or region must not pass unnoticed."""
    for path, count in (notes.get("numbers_missing_from_features") or {}).items():
        typer.echo(f"warning: {count} scored numbers are not in --features {path}: its columns are unknown for them", err=True)


def warn_bad_rows(notes: dict) -> None:
    """Say on stderr how many input rows the load left out or changed, by reason, and where each
    reason first occurs (``bad_rows`` / ``first_bad_row`` of the load notes): the output covers
    the rest only, so a shrunk file must not pass unnoticed."""
    from training.data.datasets import describe_bad_rows

    if (described := describe_bad_rows(notes)) is not None:
        typer.echo(f"warning: {described}", err=True)


def warn_one_class(note: str | None) -> None:
    """Say on stderr what a single-class evaluation set leaves undefined (``training.metrics.one_class``):
    the command goes on, since the rest is what such a file is run for, but nulls must not pass unnoticed."""
    if note is not None:
        typer.echo(f"warning: {note}", err=True)


def write_outputs(out: Path, files: dict[str, str]) -> None:
    """Write each ``name: text`` of ``files`` into folder ``out`` (created); a folder that cannot be
    written is the one-line failure, not a traceback."""
    from training.tables import OutputError, write_texts

    try:
        write_texts(out, files)
    except OutputError as exc:
        fail(exc)


def sms_config(config: Path | None) -> SmsConfig:
    """The SMS config at ``config``, or the shipped ``configs/sms.yaml``."""
    from configs import default_config_path, load_config
    from configs.sms import SmsConfig

    return load_config(config or default_config_path("sms"), SmsConfig)


def call_config(config: Path | None) -> CallConfig:
    """The call config at ``config``, or the shipped ``configs/call.yaml``."""
    from configs import default_config_path, load_config
    from configs.call import CallConfig

    return load_config(config or default_config_path("call"), CallConfig)
