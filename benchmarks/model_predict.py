"""Model-side predict time (issue #12): the fold bag vs the one refitted booster vs the merged bag, per head, in one run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/model_predict.py [--fit-rows 3000] [--fit-cache PATH] [--compiled]

One SMS fit on the first ``--fit-rows`` of shuffled, deduplicated mudou_spam (the shipped
configs/sms.yaml with ``serve.booster`` refit); the next 1,000 messages are featurised once and scored by both
models the fit yields: ``fit.model`` (one refitted booster per head), ``fit.cross_fitted_model()`` (the
fold boosters averaged) and ``fit.merged_model()`` (the fold boosters merged: the bag's outputs from
one booster per head, ``serve: merged``). Timed per call, single-threaded: one row at a time (median over
``--rows`` rows) and one 1,000-row batch (median of 5), for the unwanted score (margin +
calibration), each multiclass head and the contributions reasons are built from. Featurisation
(jieba, TF-IDF) is not timed: it is the same for all.

``--compiled`` adds the refitted binary booster compiled by tl2cgen (gcc), where ``tl2cgen`` and
``treelite`` are installed (they are not project dependencies; see docs/benchmarks.md for why).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import joblib
import numpy as np

from configs import default_config_path, load_config
from configs.paths import PROJECT_ROOT
from configs.sms import SmsConfig
from models.scam_model import ScamModel
from training.compare import serving_refit
from training.data.sms.load import load_labelled
from training.train import fit_sms

MUDOU = PROJECT_ROOT.parent / "shared" / "data" / "mudou_spam" / "mudou_spam.train"
BATCH = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-rows", type=int, default=3000)
    parser.add_argument("--rows", type=int, default=300, help="rows timed one at a time")
    parser.add_argument("--fit-cache", type=Path, default=None, help="reuse (or write) the fitted models here")
    parser.add_argument("--compiled", action="store_true", help="also the refit compiled by tl2cgen, if installed")
    args = parser.parse_args()
    models, test = _fitted(args.fit_rows, args.fit_cache)
    features = models["one booster"].features(test)
    print(f"{features.shape[0]} mudou messages, {features.shape[1]} model columns; boosters (trees): "
          + "; ".join(f"{name} {_trees(model)}" for name, model in models.items()) + "\n")
    print("| part | model | per row µs (median) | 1,000-row batch ms (median of 5) | bag ÷ this, per row | bag ÷ this, batch |")
    print("|---|---|---:|---:|---:|---:|")
    for part, predict_call in PARTS.items():
        calls = {name: predict_call(model) for name, model in models.items()}
        if None in calls.values():
            continue
        timed = {name: (_per_row(call, features, args.rows), _batch(call, features)) for name, call in calls.items()}
        bag_row, bag_batch = timed["bag"]
        for name, (row, batch) in timed.items():
            print(f"| {part} | {name} | {row:.0f} | {batch:.1f} | {bag_row / row:.2f} | {bag_batch / batch:.2f} |", flush=True)
    if args.compiled:
        _compiled(models["one booster"], features, args.rows)


def _fitted(fit_rows: int, cache: Path | None) -> tuple[dict[str, ScamModel], object]:
    if cache is not None and cache.exists():
        return joblib.load(cache)
    frame = load_labelled([MUDOU], dedupe=True).frame.sample(frac=1, random_state=0).reset_index(drop=True)
    fit = fit_sms(frame.iloc[:fit_rows], serving_refit(load_config(default_config_path("sms"), SmsConfig)))
    models = {"bag": fit.cross_fitted_model(), "one booster": fit.model, "merged": fit.merged_model()}
    fitted = models, frame.iloc[fit_rows:fit_rows + BATCH].reset_index(drop=True)
    if cache is not None:
        joblib.dump(fitted, cache)
    return fitted


def _trees(model: ScamModel) -> str:
    heads = {"unwanted": model.booster, "category": model.category_head, "fraud type": model.fraud_type_head}
    return ", ".join(f"{name} {len(head.boosters)} ({sum(b.num_trees() for b in head.boosters)})"
                     for name, head in heads.items() if head is not None)


# Each part's predict call on a model (None: the model has no such head, e.g. mudou has no fraud types).
PARTS: dict[str, Callable[[ScamModel], Callable | None]] = {
    "unwanted score": lambda m: m.score_features,
    "category head": lambda m: m.category_head and m.category_head.proba,
    "fraud-type head": lambda m: m.fraud_type_head and m.fraud_type_head.proba,
    "contributions": lambda m: m.booster.contributions,
}


def _compiled(served: ScamModel, features, rows: int) -> None:
    """The refitted binary booster's raw score: LightGBM against tl2cgen's compiled code (gcc)."""
    try:
        import tl2cgen
        import treelite
    except ImportError:
        print("\n--compiled: tl2cgen / treelite not installed (pip install tl2cgen treelite); skipped")
        return
    booster = served.booster.boosters[0]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        library = Path(folder) / "refit.so"
        tl2cgen.export_lib(treelite.frontend.from_lightgbm(booster), toolchain="gcc", libpath=library, nthread=1)
        compile_s = time.perf_counter() - started
        predictor = tl2cgen.Predictor(library, nthread=1)

    def compiled(x) -> np.ndarray:  # tl2cgen 1.0 needs dense float32 under numpy 2 (its CSR path fails)
        dense = np.ascontiguousarray(x.toarray(), dtype=np.float32)
        return predictor.predict(tl2cgen.DMatrix(dense, dtype="float32"), pred_margin=True).ravel()

    def lightgbm(x) -> np.ndarray:
        return booster.predict(x, raw_score=True, num_threads=1)

    gap = float(np.abs(compiled(features) - lightgbm(features)).max())
    print(f"\nrefit booster's trees alone (no base margin): tl2cgen compile {compile_s:.1f} s; max |compiled − LightGBM| {gap:.2e}")
    print("| trees | per row µs | 1,000-row batch ms |\n|---|---:|---:|")
    for name, call in (("LightGBM", lightgbm), ("tl2cgen (gcc)", compiled)):
        print(f"| {name} | {_per_row(call, features, rows):.0f} | {_batch(call, features):.1f} |", flush=True)


def _per_row(call: Callable, features, rows: int) -> float:
    times = []
    for row in range(min(rows, features.shape[0])):
        one = features[row]
        started = time.perf_counter()
        call(one)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def _batch(call: Callable, features) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        call(features[:BATCH])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


if __name__ == "__main__":
    main()
