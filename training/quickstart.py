"""``make run``: from a fresh clone to serving models on the embedded demo data.

Generates the demo SMS and CDRs, trains and registers the SMS model, builds the links between
the demo's numbers (``DATA_DIR/demo/links.parquet``), finds the dens of its planted gangs
(``DATA_DIR/demo/dens/dens.json`` and the analyst's ``dens.html``), trains the call model on the
per-number profiles with graph features from those links, publishes the profiles with the graph
columns that model scores (from its own known-fraud set) and the den ids to the online profile
store, promotes both models to champion, and hands over to the service. So the demo's call
endpoint answers as a graph model does in production: a gang member's reasons name its den.
Every step is the same library call the CLI exposes (``data demo``, ``train``, ``links build``,
``dens --cdr --labels``, ``train call --links``, ``profiles build --links --model
--dens``/``publish``, ``promote``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.demo import DemoConfig
from configs.dens import DensConfig
from configs.sms import SmsConfig
from features.graph.cdr_links import build_links
from features.graph.links import LinkError
from models.registry import CHAMPION, load_scam_model, set_alias
from serving.profile_store import open_profile_store, publish_profiles
from training.data.cdr import CdrTables, load_cdr_dir, profiles_from_tables
from training.data.demo_calls import write_demo_cdrs
from training.data.demo_sms import write_demo_sms
from training.dens.build import DENS_FILE, PAGE_FILE, DenInputs, discover_dens, previous_dens, read_labels
from training.fit import FitResult
from training.profiles import complete_profile_table, read_den_ids
from training.tables import write_table, write_texts
from training.tracking import TrainOutcome
from training.train import load_sms_training_data, train_sms
from training.train_call import train_call


def prepare_demo_models(out_dir: Path, log: Callable[[str], None]) -> list[TrainOutcome]:
    """Demo data → trained, registered and promoted SMS and call models; returns what was promoted."""
    demo = load_config(default_config_path("demo"), DemoConfig)
    sms_path = write_demo_sms(out_dir, demo.sms.n, demo.sms.seed, demo.sms)
    log(f"demo SMS written to {sms_path}")
    # The data already is the demo generator's: no demo mix on top of it.
    outcomes = [train_sms([sms_path], quickstart_sms_config(demo), demo_mix=False)]
    call_config = load_config(default_config_path("call"), CallConfig)
    outcomes.append(prepare_demo_calls(out_dir, demo.sms.seed, call_config, log).outcome)
    for outcome in outcomes:
        set_alias(outcome.name, outcome.version, CHAMPION)
        log(f"{outcome.model_uri} trained and promoted to @{CHAMPION}")
    return outcomes


def quickstart_sms_config(demo: DemoConfig, sms: SmsConfig | None = None) -> SmsConfig:
    """``sms`` (default: the shipped configs/sms.yaml) as the quickstart trains on demo data."""
    sms = sms or load_config(default_config_path("sms"), SmsConfig)
    return sms.model_copy(update={"duplicates": demo.quickstart.duplicates})


def fit_demo_sms(out_dir: Path, seed: int, sms: SmsConfig | None = None) -> FitResult:
    """The SMS model ``make run`` trains, without MLflow: the demo data of configs/demo.yaml drawn
    with ``seed``, written to ``out_dir`` and loaded from there exactly as :func:`prepare_demo_models`
    loads it. Tests and benchmarks that speak of "the quickstart model" fit it here, so they measure
    what is registered (an in-memory twin once kept the generator's repeats that the CSV load dropped)."""
    demo = load_config(default_config_path("demo"), DemoConfig)
    path = write_demo_sms(out_dir, demo.sms.n, seed, demo.sms)
    cfg = quickstart_sms_config(demo, sms)
    return load_sms_training_data([path], cfg, demo_mix=False).fit(cfg)


@dataclass(frozen=True)
class DemoCalls:
    """The quickstart's registered call model and the profiles it published to the online store:
    the training table's rows (``call_profiles.parquet``: labels, den ids) with the model's
    scoring-time graph columns, which are not the out-of-fold ones it was fitted on."""

    outcome: TrainOutcome
    published: pd.DataFrame


def prepare_demo_calls(
    out_dir: Path, seed: int, config: CallConfig, log: Callable[[str], None], name: str | None = None
) -> DemoCalls:
    """Demo CDRs → links → dens → call model trained with graph features and registered (as
    ``name``, default the config's) → profiles with its graph columns and den ids published.

    The published graph columns are computed by ``profiles build --links --model``'s function from
    the registered model's known-fraud set (each number's own label hidden), never from the
    training table: the endpoint then scores a caller's stored profile as the model was trained.
    """
    cdr_dir = out_dir / "cdr"
    write_demo_cdrs(cdr_dir, seed, config.demo)
    log(f"demo CDRs written to {cdr_dir}")
    tables, loaded = load_cdr_dir(cdr_dir)
    links, dens_file = build_demo_graph(tables, cdr_dir, out_dir, config, log)
    dens = read_den_ids(dens_file) if dens_file is not None else None
    built, report = profiles_from_tables(tables, loaded, config.profiles)
    training, _ = complete_profile_table(built, report, dens=dens)
    path = out_dir / "call_profiles.parquet"
    write_table(training, path)
    outcome = train_call([path], config, "profiles", name=name, links=links)
    model = load_scam_model(outcome.model_uri) if links else None
    published, _ = complete_profile_table(built, report, links=links, model=model, dens=dens)
    count = publish_profiles(open_profile_store(config.profile_store), published)
    graph = f"{outcome.model_uri}'s graph features" if links else "no graph features"
    log(f"{count} caller profiles with {graph} published to the profile store")
    return DemoCalls(outcome, published)


def build_demo_graph(tables: CdrTables, cdr_dir: Path, out_dir: Path, config: CallConfig,
                     log: Callable[[str], None]) -> tuple[list[Path], Path | None]:
    """``yunmao links build`` and ``yunmao dens --cdr CDR --labels CDR/labels.csv`` on the demo CDRs
    (``tables``, loaded from ``cdr_dir`` once for this and the profiles), with the links built once:
    both would build the same links from the same calls (seconds of the quickstart), so the dens are
    found in the very links the call model is trained on.

    Returns :func:`write_demo_links`' files and :func:`discover_demo_dens`' dens.json (or None).
    """
    links = build_links(tables.voc, config.links)
    files = write_demo_links(links, out_dir / "links.parquet", log)
    inputs = DenInputs(links=links, known=read_labels([cdr_dir / "labels.csv"]), voc=tables.voc)
    return files, discover_demo_dens(inputs, cdr_dir, out_dir / "dens", config, log)


def write_demo_links(links: pd.DataFrame, out: Path, log: Callable[[str], None]) -> list[Path]:
    """What ``yunmao links build --out OUT`` writes of the demo's ``links``; returns ``[OUT]``, or no
    file when the CDRs link no two numbers.

    A demo config without gangs or SIM-box farms can leave no link: the quickstart then trains its
    call model without graph features, still serves, and says why.
    """
    if links.empty:
        log("no links between the demo's numbers: the call model is trained without graph features")
        return []
    write_table(links, out)
    log(f"{len(links)} links between the demo's numbers written to {out}")
    return [out]


def discover_demo_dens(inputs: DenInputs, cdr_dir: Path, out: Path, config: CallConfig, log: Callable[[str], None]) -> Path | None:
    """``yunmao dens --cdr CDR --labels CDR/labels.csv --out OUT`` on the demo's den ``inputs`` (the
    links built from ``cdr_dir``, its labels and calls); returns the dens.json written, None when the
    demo holds no den.

    A demo config without gangs or SIM-box farms can leave no den: the quickstart still serves, its
    profiles without den ids, and says why.
    """
    try:
        found = discover_dens(inputs, config, load_config(default_config_path("dens"), DensConfig), previous_dens(None, out), cdr_dir)
    except LinkError as exc:
        log(f"no den in the demo CDRs: {exc}")
        return None
    paths = write_texts(out, found.files)
    top = found.dens[0]
    log(f"{len(found.dens)} dens found in the demo calls; top {top.id}: {top.size} numbers, "
        f"{top.evidence.get('known_fraud', 0)} known fraud; see {paths[PAGE_FILE]}")
    return paths[DENS_FILE]
