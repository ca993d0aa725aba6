"""The sharded demo CDR dataset: the one-table generator's schema, deterministic per seed, loadable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from configs.call import DemoCallsConfig, GangConfig
from features.calls.profiles import build_profiles
from training.data.cdr import load_cdr_dir
from training.data.demo_calls import generate_demo_cdrs
from training.data.demo_cdr_dataset import TABLES, write_demo_cdr_dataset

SMALL = DemoCallsConfig(normal=30, delivery=5, sales=5, fraud=6, simbox_farms=3, sims_per_farm=5, days=10)


def test_files_have_the_one_table_generators_columns_and_types(tmp_path: Path) -> None:
    write_demo_cdr_dataset(tmp_path, SMALL, seed=1, files=3)
    reference = generate_demo_cdrs(SMALL, seed=1)
    for name in TABLES:
        reference[name].to_parquet(tmp_path / f"reference-{name}.parquet", index=False)
        expected = pd.read_parquet(tmp_path / f"reference-{name}.parquet").dtypes
        for shard in range(3):
            assert pd.read_parquet(tmp_path / f"{name}-{shard:03d}.parquet").dtypes.to_dict() == expected.to_dict(), name


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    for folder, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_demo_cdr_dataset(tmp_path / folder, SMALL, seed=seed, files=2)
    names = sorted(path.name for path in (tmp_path / "a").iterdir())
    assert names == sorted(f"{name}-{shard:03d}.parquet" for name in TABLES for shard in range(2))
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "voc-000.parquet").read_bytes() != (tmp_path / "c" / "voc-000.parquet").read_bytes()


def test_shards_hold_every_subscriber_once_and_farms_whole(tmp_path: Path) -> None:
    rows = write_demo_cdr_dataset(tmp_path, SMALL, seed=2, files=4)
    tables, report = load_cdr_dir(tmp_path)
    assert report.rows == sum(rows.values())
    assert tables.labels["phone_no_m"].is_unique
    assert len(tables.labels) == 30 + 5 + 5 + 6 + 3 * 5
    profiles = build_profiles(tables.voc).set_index("phone_no_m")
    farm = profiles.index.str[0] == "m"
    assert (profiles.loc[farm, "imei_sims"] == 5).all()
    assert (profiles.loc[~farm, "imei_sims"] == 1).all()
    assert tables.voc["opposite_no_m"].str[0].eq("p").all()  # callees come from the one shared peer pool


@pytest.mark.parametrize(("config", "files", "message"), [
    (SMALL, 0, "files must be between 1 and the 30"),
    (SMALL, 31, "files must be between 1 and the 30"),
    (SMALL.model_copy(update={"gangs": GangConfig(count=2)}), 2, "planted gangs are not sharded"),
])
def test_refuses_what_it_cannot_shard(tmp_path: Path, config: DemoCallsConfig, files: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        write_demo_cdr_dataset(tmp_path, config, seed=1, files=files)
