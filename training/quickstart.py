"""``make run``: from a fresh clone to serving models on the embedded demo data.

Generates the demo SMS and CDRs, trains and registers the SMS model, finds the dens of the
demo's planted gangs (``DATA_DIR/demo/dens/dens.json`` and the analyst's ``dens.html``), builds
per-number profiles from the CDRs with those den ids and publishes them to the online profile
store, trains the call model on the same profiles, promotes both to champion, and hands over to
the service. Every step is the same library call the CLI exposes (``data demo``, ``train``,
``dens --cdr --labels``, ``profiles build --dens``/``publish``, ``promote``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.demo import DemoConfig
from configs.dens import DensConfig
from configs.sms import SmsConfig
from features.graph.links import LinkError
from models.registry import CHAMPION, set_alias
from serving.profile_store import open_profile_store, publish_profiles
from training.data.demo_calls import write_demo_cdrs
from training.data.demo_sms import write_demo_sms
from training.dens.build import DENS_FILE, PAGE_FILE, discover_dens, load_inputs, previous_dens
from training.fit import FitResult
from training.predict import write_table
from training.profiles import build_profile_table
from training.tables import write_texts
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
    outcomes.append(train_call([prepare_demo_profiles(out_dir, demo.sms.seed, call_config, log)], call_config, "profiles"))
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


def prepare_demo_profiles(out_dir: Path, seed: int, config: CallConfig, log: Callable[[str], None]) -> Path:
    """Demo CDRs → dens → labelled profile table with den ids (returned path) → published to the online store."""
    cdr_dir = out_dir / "cdr"
    write_demo_cdrs(cdr_dir, seed, config.demo)
    dens = discover_demo_dens(cdr_dir, out_dir / "dens", config, log)
    profiles, _ = build_profile_table(cdr_dir, config, dens=dens)
    path = out_dir / "call_profiles.parquet"
    write_table(profiles, path)
    published = publish_profiles(open_profile_store(config.profile_store), profiles)
    log(f"demo CDRs written to {cdr_dir}; {published} caller profiles published to the profile store")
    return path


def discover_demo_dens(cdr_dir: Path, out: Path, config: CallConfig, log: Callable[[str], None]) -> Path | None:
    """``yunmao dens --cdr CDR --labels CDR/labels.csv --out OUT`` on the demo CDRs (links built from
    them as ``yunmao links build`` does); returns the dens.json written, None when the demo holds no den.

    A demo config without gangs or SIM-box farms can leave no den: the quickstart still serves, its
    profiles without den ids, and says why.
    """
    try:
        inputs = load_inputs([], [cdr_dir / "labels.csv"], cdr_dir, config.links)
        found = discover_dens(inputs, config, load_config(default_config_path("dens"), DensConfig), previous_dens(None, out), cdr_dir)
    except LinkError as exc:
        log(f"no den in the demo CDRs: {exc}")
        return None
    paths = write_texts(out, found.files)
    top = found.dens[0]
    log(f"{len(found.dens)} dens found in the demo calls; top {top.id}: {top.size} numbers, "
        f"{top.evidence.get('known_fraud', 0)} known fraud; see {paths[PAGE_FILE]}")
    return paths[DENS_FILE]
