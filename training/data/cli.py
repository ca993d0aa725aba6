"""``yunmao data demo|inspect`` and ``yunmao profiles build|publish``: data in, checked, turned into profiles."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import (
    ENGINE_OPTION,
    FEATURES_OPTION,
    LINKS_OPTION,
    SCHEDULER_OPTION,
    call_config,
    cluster_config,
    fail,
    progress,
    use_dask,
)

data_app = typer.Typer(no_args_is_help=True, help="Demo and canonical data.")
profiles_app = typer.Typer(no_args_is_help=True, help="Per-number call profiles: build and publish.")


@data_app.command("demo")
def data_demo(
    out: Path = typer.Option(..., "--out", help="Folder to write the demo files into (created if absent)."),
    n: int | None = typer.Option(None, "--n", min=10, help="Number of SMS (default: configs/demo.yaml)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed; the same seed writes the same files."),
) -> None:
    """Write the embedded demo data (synthetic; for the quickstart and tests, never for accuracy claims)."""
    from configs import ConfigError
    from training.data.demo_calls import write_demo_cdrs
    from training.data.demo_sms import default_demo_config, write_demo_sms
    from training.tables import OutputError, writing

    try:
        sms_config = default_demo_config()
        calls = call_config(None)
        seed = sms_config.seed if seed is None else seed
        with writing(out):
            sms_path = write_demo_sms(out, sms_config.n if n is None else n, seed, sms_config)
            cdr_rows = write_demo_cdrs(out / "cdr", seed, calls.demo)
    except (ConfigError, OutputError) as exc:
        fail(exc)
    typer.echo(str(sms_path))
    typer.echo(f"call records with labels: {out / 'cdr'} {json.dumps(cdr_rows)}", err=True)


@data_app.command("inspect")
def data_inspect(
    data: list[Path] = typer.Option(..., "--data", help="Labelled file; repeat to mix files and formats."),
    fmt: str = typer.Option("auto", "--format", help="auto, canonical, mudou, sms80w, uci or telecom5."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Load labelled files as training would and print what was read, skipped and deduplicated."""
    from training.data.sms import DataFormatError, load_labelled

    try:
        result = load_labelled(data, fmt)
    except (DataFormatError, ValueError) as exc:
        fail(exc)
    report = result.report
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False) if as_json else report.summary())


@profiles_app.command("build")
def profiles_build(
    cdr: Path = typer.Option(..., "--cdr", help="Directory of CDR tables (voc required; sms/user/app optional)."),
    out: Path = typer.Option(..., "--out", help="Profile table to write: .csv or .parquet."),
    config: Path | None = typer.Option(None, "--config", help="Call config (default: configs/call.yaml)."),
    features: list[Path] = FEATURES_OPTION,
    links: list[Path] = LINKS_OPTION,
    model: str | None = typer.Option(
        None, "--model", help="Call model whose known-fraud set the graph features use (needed with --links)."
    ),
    dens: Path | None = typer.Option(
        None, "--dens", help="dens.json from `yunmao dens`: each den member's profile carries its den id (den_id)."
    ),
    engine: str = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """Build one profile row per number from raw CDRs (window and definitions from config).

    With ``--engine dask`` the CDRs may be a Parquet/CSV dataset of many files (hive folders too).
    With ``--dens`` the call endpoint's den reasons name the den as dens.json and dens.html do.
    """
    from configs import ConfigError
    from models.registry import ModelNotFoundError, load_scam_model
    from training.distributed.cluster import DaskJobError
    from training.predict import write_table
    from training.profiles import build_profile_table, check_den_partition, complete_profile_table, read_den_ids

    try:
        cfg = call_config(config)
        scam_model = load_scam_model(model) if model else None
        den_ids = read_den_ids(dens) if dens is not None else None
        if links:  # before the build, which may be a cluster's job
            check_den_partition(den_ids, scam_model)
        if use_dask(engine, scheduler):
            from training.distributed.cluster import dask_client
            from training.distributed.profiles import build_profiles_dask

            clusters = cluster_config()
            with dask_client(scheduler, clusters) as client:
                built, load_report = build_profiles_dask(client, cdr, cfg.profiles, clusters, progress)
            profiles, report = complete_profile_table(built, load_report, features, links, scam_model, den_ids)
        else:
            profiles, report = build_profile_table(cdr, cfg, features, links, scam_model, den_ids)
        write_table(profiles, out)
    # CdrLoadError, LinkError and DensFileError are ValueErrors
    except (ConfigError, ModelNotFoundError, ValueError, DaskJobError) as exc:
        fail(exc)
    typer.echo(json.dumps({"out": str(out), "numbers": len(profiles), **report}, ensure_ascii=False))


@profiles_app.command("publish")
def profiles_publish(
    profiles: Path = typer.Option(..., "--profiles", help="Profile table (.csv or .parquet) with phone_no_m."),
    store: str | None = typer.Option(
        None, "--store", help="sqlite:///PATH or redis://HOST:PORT/DB (default: $YUNMAO_PROFILE_STORE, else config)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Call config (default: configs/call.yaml)."),
) -> None:
    """Load built profiles into the online store the live scorer reads."""
    from configs import ConfigError
    from serving.profile_store import open_profile_store, publish_profiles
    from serving.store_errors import StoreUnavailable, redacted
    from training.data.cdr import CdrLoadError, load_profile_table

    try:
        table, report = load_profile_table(profiles)
        written = publish_profiles(open_profile_store(call_config(config).profile_store, store), table)
    except (ConfigError, CdrLoadError, ValueError, StoreUnavailable) as exc:
        fail(exc)
    typer.echo(json.dumps({"published": written, "store": redacted(store) if store else "config", "bad_rows": report.bad_rows},
                          ensure_ascii=False))
