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
    from training.dens.build import den_graph, find_dens, load_inputs, previous_dens, score_members
    from training.dens.page import render_page
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
        earlier = previous_dens(previous, out)
        graph = den_graph(inputs.links, inputs.known, call_cfg, dens_config)
        found = find_dens(graph, inputs, dens_config, earlier)
        sources = {"links": graph.report.links_kept, "numbers": graph.report.vertices,
                   "labels": 0 if inputs.known is None else len(inputs.known),
                   "scored": 0 if inputs.member_scores is None else len(inputs.member_scores), "cdr": str(cdr or "—")}
        page = render_page(found, graph, inputs.known, dens_config.page, sources)
    # LinkError, CdrLoadError and DensFileError are ValueErrors.
    except (ConfigError, ModelNotFoundError, FontError, ValueError) as exc:
        fail(exc)
    table = json.dumps({"dens": [d.as_dict() for d in found]}, ensure_ascii=False, indent=1)
    write_outputs(out, {"dens.json": table, "dens.html": page})
    kept = sum(1 for d in found if d.id in earlier)
    typer.echo(json.dumps({"out": str(out), "dens": len(found), "ids_kept": kept, "numbers_in_dens": sum(d.size for d in found),
                           **sources}, ensure_ascii=False))
