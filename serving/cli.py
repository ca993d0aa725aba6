"""``yunmao serve``: the command lives beside the server it starts; ``training/cli`` only
registers it (``training`` may import ``serving``, never the reverse)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import NoReturn

import typer


def serve(
    model: str | None = typer.Option(None, "--model", help="SMS model URI (default: $YUNMAO_SMS_MODEL, else configs/serving.yaml)."),
    port: int = typer.Option(3000, "--port", min=1, max=65535, help="TCP port."),
    workers: int | None = typer.Option(None, "--workers", min=1, max=64, help="Worker processes (default: serving config)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; loopback unless you mean to expose it."),
    call_model: str | None = typer.Option(
        None, "--call-model", help="Call model URI (default: $YUNMAO_CALL_MODEL, else configs/serving.yaml; optional)."
    ),
) -> None:
    """Serve POST /v1/sms/score and /v1/call/score (plus /livez, /readyz, /metrics, /v1/admin/reload) until Ctrl-C.

    Bad input (unknown model, bad config, a host name instead of an IP, port in use, a shared
    store that is down) is one line on stderr and exit code 2; so are workers that fail to start
    ``serving.max_start_failures`` times before any has started (``serving/start_watch``).
    """
    from configs import ConfigError
    from configs.serving import load_serving_config
    from serving.process import PortBusy, ensure_port_free

    try:
        load_serving_config()  # before anything imports the service, which builds itself from it
    except ConfigError as exc:
        fail(exc)
    try:
        ipaddress.ip_address(host)  # BentoML binds IP addresses only and fails on a name with a traceback
    except ValueError:
        fail(ValueError(f"--host must be an IP address such as 127.0.0.1 or 0.0.0.0, not {host!r}"))
    try:
        ensure_port_free(host, port)  # before the heavy imports below: a busy port fails at once
    except PortBusy as exc:
        fail(exc)
    from models.registry import ModelNotFoundError
    from serving.process import exit_once_workers_are_gone
    from serving.start_watch import WorkersCannotStart
    from serving.store_errors import StoreUnavailable

    try:
        from serving.server import run_server  # the service's modules read their configs when imported

        run_server(host=host, port=port, model_uri=model, workers=workers, call_model_uri=call_model)
    except (ConfigError, ModelNotFoundError, PortBusy, ValueError, StoreUnavailable, WorkersCannotStart) as exc:
        fail(exc)
    exit_once_workers_are_gone()


def front_config(
    out: Path | None = typer.Option(None, "--out", help="Write the config here (default: print it)."),
) -> None:
    """Write HAProxy's config for a front that sheds a flood before Python (docs/overload.md).

    From the serving config (``front:``, ``overload:``, timeouts), so the front's limits follow
    the workers'. Run ``haproxy -f FILE`` beside ``yunmao serve``; hooks then connect to
    ``front.listen``. A config the front cannot serve (``overload.policy: allow``) is one line on
    stderr and exit code 2.
    """
    from configs import ConfigError
    from configs.serving import load_serving_config
    from serving.front import FrontPolicyError, render_front_config

    try:
        text = render_front_config(load_serving_config())
    except (ConfigError, FrontPolicyError) as exc:
        fail(exc)
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:  # a missing folder, a directory, no permission: say which, no traceback
        fail(OSError(f"cannot write --out {out}: {exc.strerror}"))


BAD_INPUT_EXIT_CODE = 2


def fail(exc: Exception) -> NoReturn:
    """One line on stderr and exit code 2 (bad input), never a traceback: every yunmao command's failure."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(BAD_INPUT_EXIT_CODE) from exc
