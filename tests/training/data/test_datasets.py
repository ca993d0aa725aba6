"""training/data/datasets.py: evaluate / report / predict build call profiles exactly as training did."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from configs.call import CallConfig, ProfileConfig, WindowConfig
from tests.models.conftest import SMALL_SMS_CONFIG
from training.data.cdr import load_call_training_data
from training.data.datasets import load_records
from training.train_call import fit_call_model

LAST_3_DAYS = ProfileConfig(window=WindowConfig(last_days=3))


def _cdr_dir(path: Path) -> Path:
    """One call a day through March 2020 for each number: a window changes every count."""
    days = pd.date_range("2020-03-01 10:00", periods=31, freq="D")
    numbers = [f"n{i}" for i in range(4)]
    pd.DataFrame({
        "phone_no_m": np.repeat(numbers, len(days)), "opposite_no_m": "peer", "calltype_id": 1,
        "start_datetime": np.tile(days.astype(str), len(numbers)), "call_dur": 30,
    }).to_csv(path / "voc.csv", index=False)
    pd.DataFrame({"phone_no_m": numbers, "label": [0, 1, 0, 1]}).to_csv(path / "labels.csv", index=False)
    return path


def _call_model(profiles: ProfileConfig):
    """A call model trained under ``profiles`` on a small made-up profile table."""
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 2
    frame = pd.DataFrame({"phone_no_m": [f"t{i}" for i in range(60)], "voc_cnt": labels * 20 + rng.integers(0, 30, 60),
                          "call_dur": rng.integers(0, 500, 60), "label": labels})
    cfg = CallConfig(profiles=profiles, lightgbm=SMALL_SMS_CONFIG.lightgbm, split=SMALL_SMS_CONFIG.split)
    return fit_call_model(frame, cfg).fit.model


def test_cdrs_are_profiled_with_the_training_window(tmp_path: Path) -> None:
    model = _call_model(LAST_3_DAYS)
    assert model.profile_config == LAST_3_DAYS
    scored, _ = load_records(model, [_cdr_dir(tmp_path)], "cdr", labelled=True)
    trained_like, _ = load_call_training_data(tmp_path, "cdr", LAST_3_DAYS)
    default, _ = load_call_training_data(tmp_path, "cdr")
    pd.testing.assert_frame_equal(scored, trained_like)
    assert (scored["voc_cnt"] == 3).all() and (default["voc_cnt"] == 31).all()
