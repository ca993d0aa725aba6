"""``make run``: from a fresh clone to serving models on the embedded demo data.

Generates the demo SMS and CDRs, trains and registers the SMS model, builds per-number profiles
from the CDRs and publishes them to the online profile store, trains the call model on the same
profiles, promotes both to champion, and hands over to the service. Every step is the same
library call the CLI exposes (``data demo``, ``train``, ``profiles build/publish``, ``promote``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.demo import DemoConfig
from configs.sms import SmsConfig
from models.registry import CHAMPION, set_alias
from serving.profile_store import open_profile_store, publish_profiles
from training.data.cdr import load_call_training_data
from training.data.demo_calls import write_demo_cdrs
from training.data.demo_sms import write_demo_sms
from training.fit import FitResult
from training.predict import write_table
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
    """Demo CDRs → labelled profile table (returned path) → published to the online store."""
    cdr_dir = out_dir / "cdr"
    write_demo_cdrs(cdr_dir, seed, config.demo)
    profiles, _ = load_call_training_data(cdr_dir, "cdr", config.profiles)
    path = out_dir / "call_profiles.parquet"
    write_table(profiles, path)
    published = publish_profiles(open_profile_store(config.profile_store), profiles)
    log(f"demo CDRs written to {cdr_dir}; {published} caller profiles published to the profile store")
    return path
