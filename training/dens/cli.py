"""``yunmao dens``: find and rank fraud dens, write ``dens.json`` and the analyst's ``dens.html``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import call_config, fail, warn_missing_columns, write_outputs


def dens(
    links: list[Path] = typer.Option(
        [], "--links", help="Links between numbers (phone_no_m, linked_no_m[, kind, weight]); repeatable."
    ),
    out: Path = typer.Option(..., "--out", help="Folder for dens.json and dens.html (created if absent)."),
    cdr: Path | None = typer.Option(
        None, "--cdr", help="CDR directory (voc): links built from it (as `yunmao links build`) and shared IMEIs, callees, counties per den."
    ),
    labels: list[Path] = typer.Option([], "--labels", help="Table with phone_no_m and label (known fraud); repeatable."),
    model: str | None = typer.Option(None, "--model", help="Call model that scores the members (with --data)."),
    data: list[Path] = typer.Option(
        [], "--data", help="Per-number table or CDR directory the --model scores; repeatable."
    ),
    features: list[Path] = typer.Option(
        [], "--features", help="Extra per-number table joined on phone_no_m for --model; repeatable."
    ),
    previous: Path | None = typer.Option(
        None, "--previous", help="Earlier dens.json whose ids matched dens keep (default: OUT/dens.json if present)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Dens config (default: configs/dens.yaml)."),
    call: Path | None = typer.Option(
        None, "--call-config", help="Call config for the graph settings (default: configs/call.yaml)."
    ),
) -> None:
    """Rank the call graph's communities by evidence: known fraud (Beta prior), model scores, shared devices."""
    from configs import ConfigError, default_config_path, load_config
    from configs.dens import DensConfig
    from models.registry import ModelNotFoundError
    from training.dens.build import discover_dens, load_inputs, previous_dens, score_members
    from training.report.fonts import FontError

    if bool(model) != bool(data):
        fail(ValueError("--model and --data go together: the model scores the members found in --data"))
    try:
        dens_config = load_config(config or default_config_path("dens"), DensConfig)
        call_cfg = call_config(call)
        inputs = load_inputs(links, labels, cdr, call_cfg.links)
        if model:
            inputs.member_scores, inputs.member_thresholds, missing = score_members(model, data, features, links)
            warn_missing_columns(missing)
        found = discover_dens(inputs, call_cfg, dens_config, previous_dens(previous, out), cdr)
    # LinkError, CdrLoadError and DensFileError are ValueErrors.
    except (ConfigError, ModelNotFoundError, FontError, ValueError) as exc:
        fail(exc)
    write_outputs(out, found.files)
    typer.echo(json.dumps({"out": str(out), **found.summary}, ensure_ascii=False))
