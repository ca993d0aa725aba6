"""Shared set-up of the SMS quality tests on real data: the shipped config and the outer folds.

Each data set's test lives in its own module so the parallel runner can put them on different
cores (a module's tests stay on one worker).
"""

from __future__ import annotations

import pytest

from configs import default_config_path, load_config
from configs.sms import SmsConfig

FOLDS = 4
SEED = 0


@pytest.fixture(scope="session")
def shipped_sms_config() -> SmsConfig:
    return load_config(default_config_path("sms"), SmsConfig)
