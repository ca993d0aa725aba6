"""``yunmao campaigns``: group SMS into campaigns, rank them, write ``campaigns.json`` and ``campaigns.html``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from training.cli_support import fail, write_outputs

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def campaigns(
    data: list[Path] = typer.Option(..., "--data", help="SMS file(s) in any supported format; repeatable."),
    out: Path = typer.Option(..., "--out", help="Folder for campaigns.json and campaigns.html (created if absent)."),
    fmt: str = typer.Option("auto", "--format", help="SMS format of every file (default: detected per file)."),
    model: str | None = typer.Option(
        None, "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS: rank by members' scores too."
    ),
    config: Path | None = typer.Option(None, "--config", help="Campaigns config (default: configs/campaigns.yaml)."),
) -> None:
    """Group messages sharing a template or a contact point into campaigns, ranked by unwanted messages."""
    from configs import ConfigError, default_config_path, load_config
    from configs.campaigns import CampaignsConfig
    from models.registry import ModelNotFoundError
    from training.campaigns.grouping import group_messages
    from training.campaigns.page import render_page
    from training.campaigns.ranking import build_campaigns
    from training.data.sms import load_unlabelled
    from training.report.fonts import FontError

    try:
        settings = load_config(config or default_config_path("campaigns"), CampaignsConfig)
        frame = load_unlabelled(data, fmt).frame
        scores = _scores(model, frame) if model else None
        grouping = group_messages(frame["text"].tolist(), settings)
        found = build_campaigns(frame, grouping, settings.campaigns.min_size, settings.campaigns.page, scores)
        sources = {"messages": len(frame), "files": len(data), "model": model or "—"}
        page = render_page(found, settings.campaigns.page, sources)
    except (ConfigError, ModelNotFoundError, FontError, ValueError) as exc:
        fail(exc)
    table = json.dumps({"campaigns": [c.as_dict() for c in found]}, ensure_ascii=False, indent=1)
    write_outputs(out, {"campaigns.json": table, "campaigns.html": page})
    typer.echo(json.dumps({"out": str(out), "messages": len(frame), "campaigns": len(found),
                           "messages_in_campaigns": sum(c.size for c in found), "hub_contacts": len(grouping.hubs)},
                          ensure_ascii=False))


def _scores(model_uri: str, frame: pd.DataFrame) -> np.ndarray:
    """Each message's unwanted score from the registered SMS model."""
    from models.pyfunc import decisions_frame
    from models.registry import load_scam_model

    model = load_scam_model(model_uri)
    if model.kind == "call":
        raise ValueError(f"{model_uri} is a call model; campaigns need an SMS model")
    return decisions_frame(model, frame)["score"].to_numpy(dtype=float)
