"""`retrain call` on raw evaluation CDRs scores the champion on the profiles ITS config builds.

Was: the evaluation CDRs became profiles once, with the challenger's profile config, and the
champion — trained on a 3-day window — was gated (and reported) on whole-period profiles it never
saw. Small demo CDRs (train seed 1, evaluation seed 2) and a small LightGBM keep it fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from mlflow import MlflowClient

from configs import default_config_path, load_config
from configs.call import CallConfig, DemoCallsConfig, ProfileConfig, WindowConfig
from configs.retrain import load_retrain_config
from models.registry import CHAMPION, load_scam_model, set_alias
from training.data.cdr import load_call_training_data
from training.data.demo_calls import write_demo_cdrs
from training.evaluate import evaluate_model
from training.retrain import RetrainRequest, retrain
from training.train_call import train_call

pytestmark = pytest.mark.slow
NAME = "rt-call-profiles"
DEMO = DemoCallsConfig(normal=60, delivery=6, sales=6, fraud=20, simbox_farms=1, sims_per_farm=3, days=10)
LAST_3_DAYS = ProfileConfig(window=WindowConfig(last_days=3))  # the champion's window; the challenger's: all 10 days
SMALL_LIGHTGBM = {"params": {"num_leaves": 7, "num_threads": 1, "min_child_samples": 5},
                  "num_boost_round": 30, "early_stopping_rounds": 10}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Training and evaluation CDR folders, the small call config (default window) and a retrain config naming it."""
    root = tmp_path_factory.mktemp("retrain-call-profiles")
    write_demo_cdrs(root / "train", 1, DEMO)
    write_demo_cdrs(root / "eval", 2, DEMO)
    call = yaml.safe_load(default_config_path("call").read_text(encoding="utf-8"))
    call.update(split={"folds": 3, "seed": 0}, lightgbm=SMALL_LIGHTGBM)
    (root / "call.yaml").write_text(yaml.safe_dump(call), encoding="utf-8")
    retrain_cfg = yaml.safe_load(default_config_path("retrain").read_text(encoding="utf-8"))
    retrain_cfg.update(training_config={"call": str(root / "call.yaml")}, lock_timeout_s=0.2)
    (root / "retrain.yaml").write_text(yaml.safe_dump(retrain_cfg), encoding="utf-8")
    return {"train": root / "train", "eval": root / "eval", "call": root / "call.yaml", "retrain": root / "retrain.yaml"}


def evaluation_rows(files: dict[str, Path], profiles: ProfileConfig) -> pd.DataFrame:
    """The evaluation CDRs profiled with ``profiles``, minus the training numbers (as retraining removes them)."""
    trained = set(load_call_training_data(files["train"], "cdr")[0]["phone_no_m"])
    rows, _ = load_call_training_data(files["eval"], "cdr", profiles)
    return rows[~rows["phone_no_m"].isin(trained)].reset_index(drop=True)


def test_champion_is_gated_and_reported_on_the_profiles_of_its_own_window(files: dict[str, Path]) -> None:
    cfg = load_config(files["call"], CallConfig)
    champion = train_call([files["train"]], cfg.model_copy(update={"profiles": LAST_3_DAYS}), "cdr", NAME)
    set_alias(NAME, champion.version, CHAMPION)
    request = RetrainRequest("call", [files["train"]], [files["eval"]], "cdr", "cdr", name=NAME, report=True)
    result = retrain(request, load_retrain_config(files["retrain"]))

    model = load_scam_model(champion.model_uri)
    own_rows = evaluation_rows(files, LAST_3_DAYS)
    own = evaluate_model(model, own_rows)
    assert own != evaluate_model(model, evaluation_rows(files, cfg.profiles))  # the window matters: the test can fail
    gated = result.metrics["champion"]
    assert {key: gated[key] for key in own} == own
    assert gated["n"] == result.metrics["challenger"]["n"] == result.eval_rows
    assert gated["numbers_without_calls_in_window"] == int((own_rows["voc_cnt"] == 0).sum()) > 0
    client = MlflowClient()
    report = client.download_artifacts(result.run_id, f"{client.get_run(result.run_id).data.tags['yunmao.last_report']}/metrics.json")
    reported = json.loads(Path(report).read_text(encoding="utf-8"))["compare"]["headline"]
    assert reported["roc_auc"] == own["roc_auc"] and {key: reported["warn"][key] for key in own["warn"]} == own["warn"]
