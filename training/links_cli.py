"""``yunmao links build``: links between numbers (shared devices, shared callees, direct calls)
from a folder of raw CDRs, for graph features. Registered on the main app in ``training.cli``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import ENGINE_OPTION, SCHEDULER_OPTION, call_config, cluster_config, fail, progress, use_dask

links_app = typer.Typer(no_args_is_help=True, help="Links between numbers from raw CDRs (input of graph features).")


@links_app.command("build")
def links_build(
    cdr: Path = typer.Option(..., "--cdr", help="Directory of CDR tables (a voc table is required)."),
    out: Path = typer.Option(..., "--out", help="Links table to write: .parquet or .csv."),
    config: Path | None = typer.Option(None, "--config", help="Call config (default: configs/call.yaml; section links)."),
    engine: str = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """Write phone_no_m, linked_no_m, kind, weight (each pair once per kind, phone_no_m < linked_no_m)."""
    from configs import ConfigError
    from features.graph.cdr_links import build_links
    from training.data.cdr import CdrLoadError, load_cdr_dir
    from training.distributed.cluster import DaskJobError
    from training.tables import write_table

    try:
        if out.suffix.lower() not in (".parquet", ".pq", ".csv"):
            raise ValueError(f"{out}: --out must end in .parquet or .csv")
        links_config = call_config(config).links
        if use_dask(engine, scheduler):
            from training.distributed.cluster import dask_client
            from training.distributed.links import build_links_dask

            with dask_client(scheduler, cluster_config()) as client:
                links, report = build_links_dask(client, cdr, links_config, progress)
        else:
            tables, report = load_cdr_dir(cdr)
            links = build_links(tables.voc, links_config)
        write_table(links, out)
    except (ConfigError, CdrLoadError, ValueError, DaskJobError) as exc:
        fail(exc)
    linked = len(set(links["phone_no_m"]) | set(links["linked_no_m"]))
    voc_rows = sum(file.rows_loaded for file in report.files if file.format == "voc")
    summary = {"out": str(out), "links": len(links), "by_kind": links["kind"].value_counts().to_dict(),
               "numbers_linked": linked, "voc_rows": voc_rows, "bad_rows": report.bad_rows}
    typer.echo(json.dumps(summary, ensure_ascii=False))
