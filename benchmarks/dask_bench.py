"""Dask engine benchmark: profiles of generated CDRs (Parquet dataset) and batch SMS scoring,
on a local cluster of 1 and 2 one-thread worker processes against the one-machine engine.

Profiles: demo CDRs at ``--rows`` calls (population scaling of ``profile_build.py``) written as
``--files`` shards of Parquet files by :mod:`training.data.demo_cdr_dataset` (``--cdr DIR`` keeps
them for the next run); peak memory is ``VmHWM`` of this process for the local engine and
of each worker process for Dask (each run starts a fresh cluster). Scoring: the demo SMS,
repeated to ``--messages`` and written as ``--files`` CSV files, scored with a small SMS model
registered in a temporary MLflow store.

    nice .venv/bin/python benchmarks/dask_bench.py [--rows 10000000] [--messages 40000] [--workers 1 2]
        [--engines local dask] [--cdr DIR] [--skip-profiles] [--skip-scoring]
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from profile_build import demo_config_for_rows, rss_mib

from configs.call import ProfileConfig
from configs.cluster import ClusterConfig
from training.data.cdr import load_call_training_data
from training.data.demo_cdr_dataset import write_demo_cdr_dataset


def peak_of_workers(client) -> list[float]:
    return list(client.run(lambda: rss_mib("VmHWM")).values())


def bench_profiles_local(cdr: Path) -> tuple[float, float, int]:
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    start = time.perf_counter()
    profiles, _ = load_call_training_data(cdr, "cdr", ProfileConfig())
    return time.perf_counter() - start, rss_mib("VmHWM"), len(profiles)


def bench_profiles_dask(cdr: Path, workers: int) -> tuple[float, list[float], int]:
    from distributed import Client, LocalCluster

    from training.distributed.profiles import build_profiles_dask

    config = ClusterConfig(workers=workers)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=0) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        profiles, _ = build_profiles_dask(client, cdr, ProfileConfig(), config, progress=lambda _: None)
        elapsed = time.perf_counter() - start
        return elapsed, peak_of_workers(client), len(profiles)


def registered_sms_model(tmp: Path) -> str:
    """A small SMS model (few boosting rounds) trained on the demo SMS and registered in ``tmp``."""
    import yaml
    from typer.testing import CliRunner

    from configs import default_config_path
    from training.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["data", "demo", "--out", str(tmp / "demo")]).exit_code == 0
    config = yaml.safe_load(default_config_path("sms").read_text(encoding="utf-8"))
    config["lightgbm"]["num_boost_round"] = 100
    (tmp / "sms.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["train", "sms", "--data", str(next((tmp / "demo").glob("*.csv"))),
                                 "--config", str(tmp / "sms.yaml"), "--name", "dask-bench-sms"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def write_sms_dataset(tmp: Path, messages: int, files: int) -> Path:
    demo = pd.read_csv(next((tmp / "demo").glob("*.csv")), dtype=str)
    texts = demo.drop(columns=[c for c in ("label", "fraud_type") if c in demo]).sample(messages, replace=True, random_state=0)
    texts["id"] = np.arange(messages).astype(str)
    out = tmp / "sms-dataset"
    out.mkdir()
    for part in range(files):
        texts.iloc[part::files].to_csv(out / f"sms-{part:03d}.csv", index=False)
    return out


def bench_scoring(uri: str, dataset: Path, workers_list: list[int], tmp: Path) -> list[tuple[str, float, int]]:
    from distributed import Client, LocalCluster

    from models.registry import load_scam_model
    from training.distributed.predict import predict_dataset
    from training.predict import predict_files

    files = sorted(dataset.iterdir())
    model = load_scam_model(uri)
    start = time.perf_counter()
    decisions, _ = predict_files(model, files, tmp / "local.parquet")
    rows = [("local predict", time.perf_counter() - start, len(decisions))]
    for workers in workers_list:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            start = time.perf_counter()
            summary = predict_dataset(client, uri, dataset, tmp / f"dask-{workers}", "auto", (), (), progress=lambda _: None)
            rows.append((f"dask, {workers} worker(s)", time.perf_counter() - start, summary["rows"]))
    return rows


def bench_profiles(cdr: Path, rows: int, files: int, engines: list[str], workers_list: list[int]) -> None:
    """Profiles of the demo dataset at ``cdr`` (generated there first unless it holds one)."""
    if not any(cdr.glob("voc-*.parquet")):
        start = time.perf_counter()
        written = write_demo_cdr_dataset(cdr, demo_config_for_rows(rows), seed=1, files=files)
        print(f"wrote {written['voc']:,} voc + {written['sms']:,} sms rows as {files} shards in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    if "local" in engines:
        seconds, peak, numbers = bench_profiles_local(cdr)
        print(f"| profiles | local engine | {seconds:.1f} s | {peak:,.0f} MiB (process) | {numbers:,} numbers |", flush=True)
    if "dask" in engines:
        for workers in workers_list:
            seconds, peaks, numbers = bench_profiles_dask(cdr, workers)
            print(f"| profiles | dask, {workers} worker(s) | {seconds:.1f} s | "
                  f"{' / '.join(f'{p:,.0f}' for p in peaks)} MiB (per worker) | {numbers:,} numbers |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--messages", type=int, default=40_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--engines", nargs="+", choices=("local", "dask"), default=["local", "dask"],
                        help="profile engines to run (one per invocation lets the local one run under a memory cap)")
    parser.add_argument("--cdr", type=Path, help="CDR dataset folder: generated there if it holds none, else reused "
                                                 "(default: a temporary folder)")
    parser.add_argument("--skip-profiles", action="store_true")
    parser.add_argument("--skip-scoring", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="dask-bench-") as name:
        tmp = Path(name)
        os.environ["YUNMAO_DATA_DIR"] = str(tmp / "yunmao-data")
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        if not args.skip_profiles:
            bench_profiles(args.cdr or tmp / "cdr", args.rows, args.files, args.engines, args.workers)
        if not args.skip_scoring:
            uri = registered_sms_model(tmp)
            dataset = write_sms_dataset(tmp, args.messages, args.files)
            for label, seconds, rows in bench_scoring(uri, dataset, args.workers, tmp):
                print(f"| scoring | {label} | {seconds:.1f} s | {rows / seconds:,.0f} msg/s | {rows:,} messages |", flush=True)
        print(f"load average at end: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
