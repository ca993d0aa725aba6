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

    from configs.campaigns import CampaignsConfig
    from serving.reputation import TemplateReputation

# --templates-store value naming the store the service itself opens (its URL stays off the command line).
CONFIGURED_STORE = "configured"


def campaigns(
    data: list[Path] = typer.Option(..., "--data", help="SMS file(s) in any supported format; repeatable."),
    out: Path = typer.Option(..., "--out", help="Folder for campaigns.json and campaigns.html (created if absent)."),
    fmt: str = typer.Option("auto", "--format", help="SMS format of every file (default: detected per file)."),
    model: str | None = typer.Option(
        None, "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS: rank by members' scores too."
    ),
    config: Path | None = typer.Option(None, "--config", help="Campaigns config (default: configs/campaigns.yaml)."),
    templates_store: str | None = typer.Option(
        None, "--templates-store",
        help=f"Mark each campaign the service's template store decides (its template id, label, source): a store URL "
             f"as reputation.store_url takes (sqlite:///PATH, redis://HOST:PORT/DB) or '{CONFIGURED_STORE}' (the store "
             "the service opens: $YUNMAO_TEMPLATE_STORE, else reputation.store_url, else data/templates.db). Read only.",
    ),
) -> None:
    """Group messages sharing a template or a contact point into campaigns, ranked by unwanted messages."""
    from configs import ConfigError, default_config_path, load_config
    from configs.campaigns import CampaignsConfig
    from models.registry import ModelNotFoundError
    from serving.store_errors import StoreUnavailable
    from training.campaigns.confirmed import mark_confirmed, store_summary
    from training.campaigns.grouping import group_messages
    from training.campaigns.page import render_page
    from training.campaigns.ranking import build_campaigns
    from training.data.sms import load_unlabelled
    from training.report.fonts import FontError

    try:
        settings = load_config(config or default_config_path("campaigns"), CampaignsConfig)
        reputation = _reputation(templates_store, settings) if templates_store is not None else None  # a bad store fails first
        frame = load_unlabelled(data, fmt).frame
        scores = _scores(model, frame) if model else None
        grouping = group_messages(frame["text"].tolist(), settings)
        found = build_campaigns(frame, grouping, settings.campaigns.min_size, settings.campaigns.page, scores)
        store = None
        if reputation is not None:
            mark_confirmed(found, reputation)
            store = store_summary(found, reputation, settings.campaigns.page.top_campaigns)
            if not store["applied_by_service"]:
                typer.echo("warning: reputation.enabled is false in the campaigns config: the service applies no "
                           "confirmed template; 'confirmed' says what it would do once enabled", err=True)
        sources = {"messages": len(frame), "files": len(data), "model": model or "—"}
        page = render_page(found, settings.campaigns.page, sources, store)
    except (ConfigError, ModelNotFoundError, FontError, StoreUnavailable, ValueError) as exc:
        fail(exc)
    listed = {"templates_store": store} if store is not None else {}
    table = json.dumps({**listed, "campaigns": [c.as_dict() for c in found]}, ensure_ascii=False, indent=1)
    write_outputs(out, {"campaigns.json": table, "campaigns.html": page})
    unconfirmed = {"unconfirmed_in_top": store["unconfirmed_in_top"]} if store is not None else {}
    typer.echo(json.dumps({"out": str(out), "messages": len(frame), "campaigns": len(found),
                           "messages_in_campaigns": sum(c.size for c in found), "hub_contacts": len(grouping.hubs),
                           **unconfirmed}, ensure_ascii=False))


def _reputation(location: str, settings: CampaignsConfig) -> TemplateReputation:
    """The service's template reputation read once from the store at ``location`` (or the configured one).

    Raises:
        StoreUnavailable: no such file, not a template store, an unreachable server.
        ValueError: not a template store URL.
    """
    from serving.reputation import TemplateReputation
    from serving.template_store import open_template_reader

    store = open_template_reader(settings.reputation, None if location == CONFIGURED_STORE else location)
    return TemplateReputation(settings, store)


def _scores(model_uri: str, frame: pd.DataFrame) -> np.ndarray:
    """Each message's unwanted score from the registered SMS model."""
    from models.pyfunc import decisions_frame
    from models.registry import load_scam_model

    model = load_scam_model(model_uri)
    if model.kind == "call":
        raise ValueError(f"{model_uri} is a call model; campaigns need an SMS model")
    return decisions_frame(model, frame)["score"].to_numpy(dtype=float)
