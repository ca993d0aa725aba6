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
from configs.sms import SmsConfig
from models.registry import CHAMPION, set_alias
from serving.profile_store import open_profile_store, publish_profiles
from training.data.cdr import load_call_training_data
from training.data.demo_calls import write_demo_cdrs
from training.data.demo_sms import default_demo_config, write_demo_sms
from training.predict import write_table
from training.tracking import TrainOutcome
from training.train import train_sms
from training.train_call import train_call


def prepare_demo_models(out_dir: Path, log: Callable[[str], None]) -> list[TrainOutcome]:
    """Demo data → trained, registered and promoted SMS and call models; returns what was promoted."""
    demo = default_demo_config()
    sms_path = write_demo_sms(out_dir, demo.n, demo.seed, demo)
    log(f"demo SMS written to {sms_path}")
    # The data already is the demo generator's: no demo mix on top of it.
    outcomes = [train_sms([sms_path], load_config(default_config_path("sms"), SmsConfig), demo_mix=False)]
    call_config = load_config(default_config_path("call"), CallConfig)
    outcomes.append(train_call([prepare_demo_profiles(out_dir, demo.seed, call_config, log)], call_config, "profiles"))
    for outcome in outcomes:
        set_alias(outcome.name, outcome.version, CHAMPION)
        log(f"{outcome.model_uri} trained and promoted to @{CHAMPION}")
    return outcomes


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
