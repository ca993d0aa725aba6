"""The Dask engine's profiles and links equal the one-machine engine's on the same dataset.

The calls are spread over 4 files and shuffled into 4 partitions by number, so a SIM-box farm's
numbers sit in different partitions: ``imei_sims`` is right only through the global step.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from configs import default_config_path, load_config
from configs.call import CallConfig, ProfileConfig, WindowConfig
from features.graph.cdr_links import build_links
from tests.training.distributed.conftest import TEST_CLUSTER, VOC_FILES
from training.data.cdr import load_call_training_data, load_cdr_dir
from training.distributed.cdr import BUCKET_COLUMN, load_dataset
from training.distributed.links import build_links_dask
from training.distributed.profiles import build_profiles_dask

pytest.importorskip("distributed", reason="the dask extra is part of the test extra")


def assert_frames_equal(dask_result: pd.DataFrame, local: pd.DataFrame) -> None:
    """Same rows in the same order, same columns, numbers equal within 1e-9 relative."""
    assert list(dask_result.columns) == list(local.columns)
    assert dask_result["phone_no_m"].tolist() == local["phone_no_m"].tolist()
    for column in local.columns:
        if pd.api.types.is_numeric_dtype(local[column]):
            np.testing.assert_allclose(dask_result[column].to_numpy(float), local[column].to_numpy(float),
                                       rtol=1e-9, atol=0, equal_nan=True, err_msg=column)
        else:
            assert dask_result[column].astype(str).tolist() == local[column].astype(str).tolist(), column


@pytest.mark.parametrize(("layout", "window"), [("flat", WindowConfig()), ("hive", WindowConfig(last_days=4))],
                         ids=["flat-whole-data", "hive-last-4-days"])
def test_profiles_equal_the_local_engine(client, demo_cdrs: dict[str, Path], window: WindowConfig, layout: str) -> None:
    config = ProfileConfig(window=window)
    local, _ = load_call_training_data(demo_cdrs["flat"], "cdr", config)
    distributed, report = build_profiles_dask(client, demo_cdrs[layout], config, TEST_CLUSTER, progress=lambda _: None)
    assert_frames_equal(distributed, local)
    assert len(report.files) == VOC_FILES + 4 and report.rows == len(local)
    assert distributed["imei_sims"].max() > 1  # farms: several SIMs on one IMEI, seen across partitions


def test_a_farm_imei_is_spread_over_files_and_partitions(client, demo_cdrs: dict[str, Path]) -> None:
    """The premise of the equality test: without the global step, imei_sims would come out lower."""
    voc = load_dataset(demo_cdrs["hive"], npartitions=4).tables["voc"].compute()
    numbers_per_imei = voc.groupby("imei_m")["phone_no_m"].nunique()
    farm = numbers_per_imei.idxmax()
    on_farm = voc[voc["imei_m"] == farm]
    assert on_farm["_file"].nunique() == VOC_FILES and on_farm[BUCKET_COLUMN].nunique() > 1


def test_links_equal_the_local_engine(client, demo_cdrs: dict[str, Path]) -> None:
    config = load_config(default_config_path("call"), CallConfig).links
    local = build_links(load_cdr_dir(demo_cdrs["flat"])[0].voc, config)
    distributed, report = build_links_dask(client, demo_cdrs["hive"], config, progress=lambda _: None)
    assert set(local["kind"]) == {"shared_device", "shared_callees", "direct_call"}
    assert_frames_equal(distributed, local)
    assert report.rows == sum(f.rows_loaded for f in load_cdr_dir(demo_cdrs["flat"])[1].files if f.format == "voc")
