"""``make run``: from a fresh clone to a serving model on the embedded demo data.

Generates the demo data, trains and registers the SMS model, promotes it to champion, and
hands over to the service. Every step is the same library call the CLI exposes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from configs import default_config_path, load_config
from configs.sms import SmsConfig
from models.registry import CHAMPION, set_alias
from training.demo_sms import default_demo_config, write_demo_sms
from training.tracking import TrainOutcome
from training.train import train_sms


def prepare_demo_models(out_dir: Path, log: Callable[[str], None]) -> list[TrainOutcome]:
    """Demo data → trained, registered and promoted models; returns what was promoted."""
    demo = default_demo_config()
    sms_path = write_demo_sms(out_dir, demo.n, demo.seed, demo)
    log(f"demo SMS written to {sms_path}")
    outcome = train_sms([sms_path], load_config(default_config_path("sms"), SmsConfig))
    set_alias(outcome.name, outcome.version, CHAMPION)
    log(f"{outcome.model_uri} trained and promoted to @{CHAMPION}")
    return [outcome]
