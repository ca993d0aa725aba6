"""Shadow-challenger benchmark (``serve_bench.py --only-shadow``): what a shadow challenger costs the champion.

    .venv/bin/python benchmarks/serve_bench.py --only-shadow [--challenger models:/yunmao-sms@challenger] \
        [--before TREE] [--shadow-repeats 3] [--set shadow.max_batch=16]

Per run (:func:`shadow_rows`), one server with ``shadow.sms`` enabled (with ``--before TREE``, one
of that checkout's too), its challenger behind a benchmark-only alias that is deleted (shadow off)
and set again (shadow on) between the arms of each pair (``--shadow-rounds`` pairs, each off-on or
on-off at random), at one fixed open-loop rate of ``--shadow-load`` × the capacity measured first
(:func:`open_loop`: requests leave on schedule, latency counts from the scheduled time, so a
stalled server cannot slow the client down). The result goes to the "shadow" section of
docs/benchmarks.md (between its markers). The servers, load loops and section writer are
``serve_bench``'s; this module is imported by it (run it through ``serve_bench.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
from serve_bench import (
    ROOT,
    SHED_MARK,
    ms,
    process,
    quantile,
    raw_exchange,
    raw_load,
    raw_request,
    scratch_dir,
    serve_command,
    tree_serving_config,
    with_overrides,
    write_section,
)

SHADOW_MARKERS = ("<!-- shadow:start -->", "<!-- shadow:end -->")
MONITOR_ENV = "YUNMAO_MONITOR__"  # configs/monitor.yaml overrides by environment (configs/environment.py)
SHADOW_WARM_UP_S = 300  # at most, for the warm-up's samples to be shadow-scored (a loaded machine starts slowly)
SHADOW_ALIAS = "serve-bench-shadow"  # the benchmark's own alias: champion and challenger aliases stay as they are
# The capacity probe: closed-loop clients per worker. Few enough that no worker sheds even if every
# connection lands on it (overload.max_in_flight was 8 when chosen): at 16 clients one worker often accepted most
# connections and shed the rest in a storm of 503s (1,500-2,300 in 6 s), and "capacity" swung
# 25-171 req/s on one server (docs/benchmarks.md, shadow, session 8).
CAPACITY_CLIENTS_PER_WORKER = 2
SHADOW_BOOTSTRAP = 2000  # resamples of the pairs for the ratios' 95% intervals
P = TypeVar("P")  # a pair (or round) resampled whole by pair_bootstrap


def add_shadow_arguments(parser: argparse.ArgumentParser) -> None:
    """The shadow run's options on ``serve_bench.py``'s command line."""
    parser.add_argument("--challenger", default=None, help="shadow model (default: the challenger alias, else --model)")
    parser.add_argument("--shadow-share", type=float, default=0.1, help="shadow.sms.share of the shadow run")
    parser.add_argument("--shadow-load", type=float, default=0.7, help="open-loop rate as a share of measured capacity")
    parser.add_argument("--shadow-rounds", type=int, default=2, help="off/on pairs of --seconds arms (the ratio's spread)")
    parser.add_argument("--shadow-repeats", type=int, default=1, help="servers per tree in the shadow run (the spread)")
    parser.add_argument("--live-health", action="store_true", help="keep the monitor's live-health refresh on in the shadow run")


async def open_loop(port: int, path: str, bodies: list[bytes], rate: float, seconds: float) -> OpenLoopArm:
    """Open loop: request ``i`` leaves at ``i / rate`` s on an idle keep-alive connection (a new one
    when none is idle), whatever the answers to earlier ones; latency counts from that scheduled
    time (200 answers only: a shed 503 is counted apart, as is anything else)."""
    requests = [raw_request(path, body, {}) for body in bodies]
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    arm = OpenLoopArm([], 0, 0)

    async def one(i: int, scheduled: float) -> None:
        connection = idle.pop() if idle else await asyncio.open_connection("127.0.0.1", port)
        try:
            status, _, body = await raw_exchange(*connection, requests[i % len(requests)])
        except (OSError, asyncio.IncompleteReadError, ValueError):
            arm.errors += 1
            connection[1].close()
            return
        idle.append(connection)
        if status == 200 and SHED_MARK not in body:
            arm.latencies.append((time.perf_counter() - scheduled) * 1000)
        elif status == 503 or SHED_MARK in body:
            arm.shed += 1
        else:
            arm.errors += 1

    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))  # the load's schedule, not a test wait
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return arm


def shadow_counts(url: str) -> dict[str, float]:
    """The instance's shadow counters for SMS from ``/metrics``: sampled, scored, dropped (all reasons)."""
    counts = {"sampled": 0.0, "scored": 0.0, "dropped": 0.0}
    for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines():
        for name in counts:
            if line.startswith(f"yunmao_shadow_{name}_total{{") and 'kind="sms"' in line:
                counts[name] += float(line.rsplit(" ", 1)[1])
    return counts


def settled_counts(url: str, timeout: float = 30) -> dict[str, float]:
    """Shadow counters once every sampled record is scored or dropped (or ``timeout`` passed)."""
    deadline = time.monotonic() + timeout
    while True:
        counts = shadow_counts(url)
        if counts["scored"] + counts["dropped"] >= counts["sampled"] or time.monotonic() > deadline:
            return counts
        time.sleep(0.2)  # the shadow queue drains on the server's own time


def scheduler_ms(server_pid: int) -> dict[str, float]:
    """CPU time and run-queue wait (ms, summed over threads, from ``/proc/PID/task/TID/schedstat``)
    of the server's processes: ``worker_*`` for the workers (and supervisors), ``shadow_*`` for the
    shadow processes (spawned ones). A worker's run-queue wait is the CPU it wanted and did not get:
    what a shadow process on its cores would add to the champion's latency."""
    import psutil

    totals = dict.fromkeys(("worker_cpu", "worker_wait", "shadow_cpu", "shadow_wait"), 0.0)
    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            role = "shadow" if any("spawn_main" in part for part in child.cmdline()) else "worker"
            for task in Path(f"/proc/{child.pid}/task").iterdir():
                cpu_ns, wait_ns, _ = (task / "schedstat").read_text().split()
                totals[f"{role}_cpu"] += int(cpu_ns) / 1e6
                totals[f"{role}_wait"] += int(wait_ns) / 1e6
        except (psutil.NoSuchProcess, FileNotFoundError, ProcessLookupError):  # gone between listing and reading
            continue
    return totals


@dataclass
class OpenLoopArm:
    """One open-loop arm's answers: latencies (ms) of the scored ones, shed ones, other failures."""

    latencies: list[float]
    shed: int
    errors: int
    scheduler: dict[str, float] = field(default_factory=dict)  # :func:`scheduler_ms` over the arm

    @property
    def p99_ms(self) -> float | None:
        return quantile(self.latencies, 99)


@dataclass
class ShadowPair:
    """An off arm and the on arm right after it, on one server at one rate: the unit the p99
    ratio is taken over (a shared machine's load drifts between pairs more than within one)."""

    off: OpenLoopArm
    on: OpenLoopArm
    sampled: float  # the on arm's shadow counters, settled before the next off arm starts
    scored: float
    dropped: float
    load: float  # the 1-minute load average at the pair's end

    @property
    def wait_ratio(self) -> float:
        """The workers' run-queue wait with the shadow on over off."""
        off = self.off.scheduler["worker_wait"]
        return self.on.scheduler["worker_wait"] / off if off else float("nan")

    @property
    def ratio(self) -> float:
        return self.on.p99_ms / self.off.p99_ms if self.on.p99_ms and self.off.p99_ms else float("nan")


@dataclass
class ShadowRun:
    label: str
    capacity: float
    rate: float
    pairs: list[ShadowPair]


def shadow_rows(uri: str, challenger: str, records: list[dict], seconds: float, workers: int, share: float,
                load: float, rounds: int, overrides: list[str], tree: Path | None = None,
                live_health: bool = False) -> tuple[float, float, list[ShadowPair]]:
    """(capacity req/s, offered rate, one :class:`ShadowPair` per round): shadow off and on alternate
    ``rounds`` times on one server at ``load`` × capacity; capacity is measured closed-loop at
    :data:`CAPACITY_CLIENTS_PER_WORKER` clients per worker, shadow off, and the rate is set once from
    it for both arms. Each pair runs off-on or on-off at random (seeded). After each on arm the shadow is switched off and its queue drained before
    the next off arm, so the on arm's backlog is not scored during the off arm.
    ``tree``: serve the code (and shipped serving config) of that checkout instead of this one.
    ``live_health`` False: the monitor's live-health refresh is off (see docs/benchmarks.md, shadow)."""
    from mlflow import MlflowClient

    from configs.paths import data_dir
    from models.registry import resolve_model_version, set_alias
    from serving.shadow_store import SHADOW_KEY_ENV

    name, version = resolve_model_version(challenger)
    workdir = scratch_dir("shadow-")
    config = tree_serving_config(tree or ROOT)
    config["cache"]["max_entries"] = 0
    config["shadow"] = {**config["shadow"], "path": str(workdir / "shadow.db"),
                        "sms": {**config["shadow"]["sms"], "enabled": True, "share": share, "model": f"models:/{name}@{SHADOW_ALIAS}"}}
    config = with_overrides(config, overrides)
    port, env, cmd = serve_command(uri, config, workers)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        env.setdefault("YUNMAO_DATA_DIR", str(data_dir()))  # this checkout's registry, not an empty one in the tree
    env[SHADOW_KEY_ENV] = os.urandom(16).hex()
    env[f"{MONITOR_ENV}DECISION_LOG__PATH"] = str(workdir / "decisions.db")  # a fresh log, not the data dir's growing one
    if not live_health:  # its refresh holds each worker's GIL for seconds a minute, landing in either arm at random
        env[f"{MONITOR_ENV}LIVE__REFRESH_S"] = "0"
    url = f"http://127.0.0.1:{port}"
    bodies = [json.dumps({"messages": [r]}, ensure_ascii=False).encode() for r in records]
    client = MlflowClient()

    def shadow(on: bool) -> None:
        if on:
            set_alias(name, version, SHADOW_ALIAS)
        else:
            client.delete_registered_model_alias(name, SHADOW_ALIAS)
        httpx.post(f"{url}/v1/admin/reload", timeout=60).raise_for_status()

    def arm(rate: float) -> OpenLoopArm:
        start = scheduler_ms(server.pid)
        answers = asyncio.run(open_loop(port, "/v1/sms/score", bodies, rate, seconds))
        answers.scheduler = {key: value - start[key] for key, value in scheduler_ms(server.pid).items()}
        return answers

    set_alias(name, version, SHADOW_ALIAS)
    pairs = []
    try:
        with process(cmd, f"{url}/readyz", env, cwd=tree) as server:
            # Warm-up with the shadow on: batching learns its cost, and every worker's challenger has
            # scored (loaded, where a shadow process loads it) before anything is measured.
            asyncio.run(raw_load(port, "/v1/sms/score", bodies, {}, 4, 2, 200))
            settled_counts(url, timeout=SHADOW_WARM_UP_S)
            shadow(False)
            scored, _, _, elapsed = asyncio.run(raw_load(port, "/v1/sms/score", bodies, {}, CAPACITY_CLIENTS_PER_WORKER * workers,
                                                         seconds, 200_000))
            capacity = len(scored) / elapsed
            rate = load * capacity
            order = random.Random(13)
            for _ in range(rounds):
                # Random, not alternating: a periodic stall in the server (a full garbage collection
                # every N requests) aliased with a strict off-on/on-off cycle and hit one arm kind.
                off_first = order.random() < 0.5
                off = arm(rate) if off_first else None
                before = settled_counts(url)
                shadow(True)
                on = arm(rate)
                shadow(False)
                after = settled_counts(url, timeout=SHADOW_WARM_UP_S)
                if off is None:
                    off = arm(rate)
                pairs.append(ShadowPair(off, on, *(after[key] - before[key] for key in ("sampled", "scored", "dropped")),
                                        os.getloadavg()[0]))
    finally:
        client.delete_registered_model_alias(name, SHADOW_ALIAS)
    return capacity, rate, pairs


def render_shadow(runs: list[ShadowRun], meta: str) -> str:
    """Per server run: one table row per off/on pair (each pair's p99 ratio), then the median
    ratio over all pairs with its range, and the share of sampled records shadow-scored."""
    lines = [
        "## Shadow challenger (issue #13)", "", meta, "",
        "| code | run | capacity req/s | offered req/s | pair | p99 off ms | p99 on ms | on / off | shed off | shed on | "
        "errors | sampled | shadow-scored | dropped | load | worker wait off / on ms | worker CPU on ms | shadow CPU ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    targets = []
    for number, run in enumerate(runs, 1):
        lines += [f"| {run.label} | {number} | {run.capacity:,.0f} | {run.rate:,.0f} | {i} | {ms(p.off.p99_ms)} | "
                  f"{ms(p.on.p99_ms)} | {p.ratio:.2f} | {p.off.shed} | {p.on.shed} | {p.off.errors + p.on.errors} | "
                  f"{p.sampled:,.0f} | {p.scored:,.0f} | {p.dropped:,.0f} | {p.load:.1f} | "
                  f"{p.off.scheduler['worker_wait']:,.0f} / {p.on.scheduler['worker_wait']:,.0f} | "
                  f"{p.on.scheduler['worker_cpu']:,.0f} | {p.on.scheduler['shadow_cpu']:,.0f} |"
                  for i, p in enumerate(run.pairs, 1)]
    for label in dict.fromkeys(run.label for run in runs):
        pairs = [p for run in runs if run.label == label for p in run.pairs]
        ratios = sorted(p.ratio for p in pairs)
        pooled, pooled_low, pooled_high = pair_bootstrap(pairs, pooled_p99_ratio)
        mean, mean_low, mean_high = pair_bootstrap(pairs, geometric_mean_ratio)
        sampled = sum(p.sampled for p in pairs)
        share = sum(p.scored for p in pairs) / sampled if sampled else float("nan")
        targets.append(f"- {label}: champion p99 shadow on / off, median of {len(ratios)} pairs = "
                       f"**{statistics.median(ratios):.2f}** (range {ratios[0]:.2f}–{ratios[-1]:.2f}), geometric mean **{mean:.2f}** "
                       f"(95% interval {mean_low:.2f}–{mean_high:.2f}, pairs resampled; target ≤ 1.10); p99 of all on arms' requests / "
                       f"of all off arms' = {pooled:.2f} ({pooled_low:.2f}–{pooled_high:.2f}); "
                       f"sampled records actually shadow-scored = **{share:.1%}** (target ≥ 95%); shed 503s off / on = "
                       f"{sum(p.off.shed for p in pairs)} / {sum(p.on.shed for p in pairs)}; workers' run-queue wait "
                       f"on / off, median of pairs = **{statistics.median(p.wait_ratio for p in pairs):.2f}**")
    return "\n".join([*lines, "", *targets])


def pooled_p99_ratio(pairs: list[ShadowPair]) -> float:
    """p99 of every on arm's latencies over p99 of every off arm's: it rests on ~1 % of all
    requests, not on an arm's 2-3 slowest; but a load that drifts between pairs biases it."""
    return quantile([x for p in pairs for x in p.on.latencies], 99) / quantile([x for p in pairs for x in p.off.latencies], 99)


def geometric_mean_ratio(pairs: list[ShadowPair]) -> float:
    """Geometric mean of the per-pair p99 ratios: each compares arms minutes apart at most, so a
    drifting load cancels within pairs; every pair counts, not only the median one."""
    return math.exp(statistics.fmean(math.log(p.ratio) for p in pairs))


def pair_bootstrap(pairs: list[P], statistic: Callable[[list[P]], float],
                   resamples: int = SHADOW_BOOTSTRAP) -> tuple[float, float, float]:
    """``statistic`` of ``pairs`` and its 95% bootstrap interval, resampling whole pairs
    (requests within an arm share its stalls: they are not independent draws)."""
    draw = random.Random(0)
    spread = sorted(statistic(draw.choices(pairs, k=len(pairs))) for _ in range(resamples))
    return statistic(pairs), spread[int(0.025 * resamples)], spread[int(0.975 * resamples) - 1]


def run_shadow(args: argparse.Namespace, records: list[dict]) -> None:
    """The shadow section: print it and write it to docs/benchmarks.md."""
    from models.registry import ModelNotFoundError, resolve_model_version

    challenger = args.challenger
    if challenger is None:
        try:
            challenger = "models:/{}/{}".format(*resolve_model_version(args.model.split("@")[0] + "@challenger"))
        except ModelNotFoundError:
            challenger = args.model
    load_before = os.getloadavg()[0]
    trees = [("before", args.before)] * bool(args.before) + [(args.label, None)]
    runs = [ShadowRun(label, *shadow_rows(args.model, challenger, records, args.seconds, args.workers, args.shadow_share,
                                          args.shadow_load, args.shadow_rounds, args.set, tree, args.live_health))
            for _ in range(args.shadow_repeats) for label, tree in trees]
    champion = "models:/{}/{}".format(*resolve_model_version(args.model))
    text = render_shadow(runs, (
        f"Champion `{champion}`, shadow challenger `{challenger}` (share {args.shadow_share:g}); single-message requests of "
        f"{len(records)} real mudou SMS (half spam); {args.workers} workers, cache off, {os.cpu_count()} cores shared with "
        f"whatever else runs (load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after); per server, "
        f"{args.shadow_rounds} pairs of {args.seconds:.0f} s arms (off-on or on-off, seeded random order) at one open-loop rate (the shadow switched "
        f"by deleting and setting its alias, then a reload; its queue drained before each off arm); "
        f"{args.shadow_repeats} server(s) per tree, one after the other; "
        f"live-health refresh {'on' if args.live_health else 'off'}, a fresh decision log per server. "
        f"Run: `nice .venv/bin/python benchmarks/serve_bench.py {' '.join(sys.argv[1:])}`."
    ))
    print(text)
    if not args.no_write:
        write_section(text, SHADOW_MARKERS)
