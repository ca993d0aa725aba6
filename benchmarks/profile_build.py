"""Profile-build benchmark: generate ~10 million demo CDR rows, time ``build_profiles``, report peak RSS.

Peak RSS of the build alone is read from ``VmHWM`` after resetting it (``/proc/self/clear_refs``)
once the data is generated, so generation does not count against the builder.

    .venv/bin/python benchmarks/profile_build.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

import pandas as pd

from configs.call import DemoCallsConfig, ProfileConfig
from features.calls.profiles import build_profiles
from training.data.demo_calls import generate_demo_cdrs

NORMAL_ROWS_PER_NUMBER = 135  # 4 calls/day + 1, 90% of 30 days: keeps --rows roughly honoured


def rss_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def demo_config_for_rows(rows: int) -> DemoCallsConfig:
    """Demo populations scaled so the voc table has about ``rows`` calls."""
    scale = rows / 10_000_000
    return DemoCallsConfig(normal=int(40_000 * scale), delivery=int(2_000 * scale), sales=int(1_000 * scale),
                           fraud=int(1_500 * scale), simbox_farms=max(int(50 * scale), 1), sims_per_farm=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    start = time.perf_counter()
    tables = generate_demo_cdrs(demo_config_for_rows(args.rows), seed=1)
    print(f"generated {len(tables['voc']):,} voc + {len(tables['sms']):,} sms rows for {len(tables['labels']):,} numbers "
          f"in {time.perf_counter() - start:.1f} s", flush=True)
    tables["app"]["month"] = pd.to_datetime(tables["app"]["month_id"], format="%Y-%m")  # as the loader types it
    gc.collect()
    base = rss_mib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    start = time.perf_counter()
    profiles = build_profiles(tables["voc"], tables["sms"], tables["user"], tables["app"], ProfileConfig())
    elapsed = time.perf_counter() - start
    peak = rss_mib("VmHWM")
    print(f"built {len(profiles):,} profiles x {profiles.shape[1] - 1} columns in {elapsed:.1f} s; "
          f"RSS before build {base:,.0f} MiB, peak during build {peak:,.0f} MiB (+{peak - base:,.0f} MiB)")


if __name__ == "__main__":
    main()
