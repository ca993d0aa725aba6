"""``yunmao links build``: links between numbers (shared devices, shared callees, direct calls)
from a folder of raw CDRs, for graph features. Registered on the main app in ``training.cli``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import call_config, fail

links_app = typer.Typer(no_args_is_help=True, help="Links between numbers from raw CDRs (input of graph features).")


@links_app.command("build")
def links_build(
    cdr: Path = typer.Option(..., "--cdr", help="Directory of CDR tables (a voc table is required)."),
    out: Path = typer.Option(..., "--out", help="Links table to write: .parquet or .csv."),
    config: Path | None = typer.Option(None, "--config", help="Call config (default: configs/call.yaml; section links)."),
) -> None:
    """Write phone_no_m, linked_no_m, kind, weight (each pair once per kind, phone_no_m < linked_no_m)."""
    from configs import ConfigError
    from features.graph.cdr_links import build_links
    from training.data.cdr import CdrLoadError, load_cdr_dir
    from training.tables import write_table

    try:
        if out.suffix.lower() not in (".parquet", ".pq", ".csv"):
            raise ValueError(f"{out}: --out must end in .parquet or .csv")
        links_config = call_config(config).links
        tables, report = load_cdr_dir(cdr)
        links = build_links(tables.voc, links_config)
        write_table(links, out)
    except (ConfigError, CdrLoadError, ValueError) as exc:
        fail(exc)
    linked = len(set(links["phone_no_m"]) | set(links["linked_no_m"]))
    summary = {"out": str(out), "links": len(links), "by_kind": links["kind"].value_counts().to_dict(),
               "numbers_linked": linked, "voc_rows": len(tables.voc), "bad_rows": report.bad_rows}
    typer.echo(json.dumps(summary, ensure_ascii=False))
