"""Links benchmark: generate ~10 million demo CDR rows (with gangs and hubs), time ``build_links``,
report peak RSS and how well the planted gangs are recovered.

Peak RSS of the build alone is read from ``VmHWM`` after resetting it once the data exists
(as in ``profile_build.py``, whose population scaling this reuses).

    .venv/bin/python benchmarks/links_build.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

import pandas as pd
from profile_build import rss_mib

from configs import default_config_path, load_config
from configs.call import CallConfig, DemoCallsConfig, HubConfig
from features.graph.cdr_links import build_links
from training.data.demo_calls import generate_demo_cdrs

GANG_EVIDENCE = ("shared_device", "shared_callees")


def gang_recovery(links: pd.DataFrame, gangs: pd.DataFrame) -> tuple[float, float]:
    """(share of within-gang pairs linked by devices or callees, share of links touching a gang
    member that stay inside its gang)."""
    gang_of = gangs.set_index("phone_no_m")["gang_id"]
    evidence = links[links["kind"].isin(GANG_EVIDENCE)].drop_duplicates(["phone_no_m", "linked_no_m"])
    first, second = evidence["phone_no_m"].map(gang_of), evidence["linked_no_m"].map(gang_of)
    sizes = gangs.groupby("gang_id").size()
    pairs_in_gangs = float((sizes * (sizes - 1) / 2).sum())
    touching = first.notna() | second.notna()
    inside = (first == second) & touching
    return inside.sum() / pairs_in_gangs, inside.sum() / max(int(touching.sum()), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    scale = args.rows / 10_000_000
    config = load_config(default_config_path("call"), CallConfig)
    demo = DemoCallsConfig(normal=int(40_000 * scale), delivery=int(2_000 * scale), sales=int(1_000 * scale),
                           fraud=int(1_500 * scale), simbox_farms=max(int(50 * scale), 1), sims_per_farm=10,
                           gangs=config.demo.gangs.model_copy(update={"count": max(int(250 * scale), 1)}),
                           hubs=HubConfig(count=20, call_share=config.demo.hubs.call_share))
    start = time.perf_counter()
    tables = generate_demo_cdrs(demo, seed=1)
    voc, gangs = tables["voc"], tables["gangs"]
    del tables
    print(f"generated {len(voc):,} voc rows for {voc['phone_no_m'].nunique():,} numbers "
          f"({len(gangs):,} in {gangs['gang_id'].nunique():,} gangs) in {time.perf_counter() - start:.1f} s", flush=True)
    gc.collect()
    base = rss_mib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    start = time.perf_counter()
    links = build_links(voc, config.links)
    elapsed = time.perf_counter() - start
    peak = rss_mib("VmHWM")
    recall, precision = gang_recovery(links, gangs)
    print(f"built {len(links):,} links {links['kind'].value_counts().to_dict()} in {elapsed:.1f} s; "
          f"RSS before build {base:,.0f} MiB, peak during build {peak:,.0f} MiB (+{peak - base:,.0f} MiB); "
          f"gang pairs linked {recall:.1%}, links touching a gang that stay inside it {precision:.1%}")


if __name__ == "__main__":
    main()
