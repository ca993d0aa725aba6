"""How ``yunmao quickstart`` trains on its demo SMS: every generated message, repeats included."""

from __future__ import annotations

from pathlib import Path

from configs import default_config_path, load_config
from configs.demo import DemoConfig
from configs.sms import SmsConfig
from training.data.demo_sms import write_demo_sms
from training.quickstart import quickstart_sms_config
from training.train import load_sms_training_data


def test_quickstart_keeps_every_generated_message(tmp_path: Path) -> None:
    """The demo's repeated texts (codes and notices that differ only in digits) are its frequencies:
    the quickstart fits all of them, where sms.yaml's own policy would drop them as copies."""
    demo = load_config(default_config_path("demo"), DemoConfig)
    path = write_demo_sms(tmp_path, 600, 3, demo.sms)

    quickstart = load_sms_training_data([path], quickstart_sms_config(demo), demo_mix=False)
    as_a_file = load_sms_training_data([path], load_config(default_config_path("sms"), SmsConfig), demo_mix=False)

    assert len(quickstart.frame) == 600
    assert quickstart.report["duplicates_removed"] == 0
    assert len(as_a_file.frame) < 600  # the difference the setting makes, on this very file


def test_quickstart_config_changes_only_the_duplicates_policy() -> None:
    demo = load_config(default_config_path("demo"), DemoConfig)
    shipped = load_config(default_config_path("sms"), SmsConfig)

    quickstart = quickstart_sms_config(demo, shipped)

    assert quickstart.duplicates == demo.quickstart.duplicates
    assert quickstart.model_dump(exclude={"duplicates"}) == shipped.model_dump(exclude={"duplicates"})
