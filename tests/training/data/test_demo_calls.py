"""Demo CDRs: deterministic per seed, and the populations behave as designed."""

from __future__ import annotations

from pathlib import Path

from configs.call import DemoCallsConfig
from features.calls.profiles import build_profiles
from training.data.demo_calls import generate_demo_cdrs, write_demo_cdrs

SMALL = DemoCallsConfig(normal=30, delivery=5, sales=5, fraud=6, simbox_farms=2, sims_per_farm=5, days=10)


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    write_demo_cdrs(tmp_path / "a", 5, SMALL)
    write_demo_cdrs(tmp_path / "b", 5, SMALL)
    write_demo_cdrs(tmp_path / "c", 6, SMALL)
    for name in ("voc.csv", "sms.csv", "user.csv", "app.csv", "labels.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "voc.csv").read_bytes() != (tmp_path / "c" / "voc.csv").read_bytes()
    assert (tmp_path / "a" / "labels.csv").read_text().splitlines()[0] == "phone_no_m,label"


def test_simbox_farms_share_devices_and_nobody_calls_back() -> None:
    tables = generate_demo_cdrs(SMALL, seed=1)
    profiles = build_profiles(tables["voc"]).merge(tables["labels"], on="phone_no_m").set_index("phone_no_m")
    kind = profiles.index.str[0]
    assert (profiles[kind == "m"]["imei_sims"] == 5).all()
    assert (profiles[kind != "m"]["imei_sims"] == 1).all()
    means = profiles.groupby(kind)[["callback_ratio", "callees_per_active_day", "label"]].mean()
    assert means.loc["n", "callback_ratio"] > 0.5 > means.loc["f", "callback_ratio"]
    assert means.loc["a", "callees_per_active_day"] > 10 * means.loc["n", "callees_per_active_day"]  # hard negatives
    assert means["label"].to_dict() == {"a": 0, "d": 0, "f": 1, "m": 1, "n": 0}
