"""Serving benchmark: in-process ceiling vs yunmao over HTTP (cache off/on) vs `mlflow models serve`,
and yunmao under overload (16, 64, 256 clients).

All on this machine, loopback only, every load loop bounded in requests and seconds:

    .venv/bin/python benchmarks/serve_bench.py [--model models:/yunmao-sms@champion] [--seconds 6]
    .venv/bin/python benchmarks/serve_bench.py --only-overload [--set overload.max_in_flight=4] [--deadline-ms 100]
    .venv/bin/python benchmarks/serve_bench.py --only-shadow [--challenger models:/yunmao-sms@challenger] \
        [--before TREE] [--shadow-repeats 3] [--set shadow.max_batch=16]

Texts are demo SMS (``training.data.demo_sms``): templated campaigns, as real spam is, which is what
the decision cache exploits. Results are printed and written to the "serving", "overload" and
"shadow" sections of docs/benchmarks.md (between their markers; the rest of the file is left alone).

The shadow run (:func:`shadow_rows`) measures what a shadow challenger costs the champion: per
run, one server with ``shadow.sms`` enabled (with ``--before TREE``, one of that checkout's
too), its challenger behind a benchmark-only alias that is deleted (shadow off) and set again
(shadow on) between the arms of each pair (``--shadow-rounds`` pairs, each off-on or on-off at random), at one
fixed open-loop rate of ``--shadow-load`` × the capacity measured first (:func:`open_loop`: requests leave on schedule,
latency counts from the scheduled time, so a stalled server cannot slow the client down).

The overload runs use a minimal HTTP/1.1 client on raw sockets (:func:`raw_load`): at 256
clients hammering shed answers, httpx's own CPU (about a millisecond a request) would take the
server's cores on this 2-core machine and measure the client, not the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- serving:start -->", "<!-- serving:end -->"
OVERLOAD_MARKERS = ("<!-- overload:start -->", "<!-- overload:end -->")
SHADOW_MARKERS = ("<!-- shadow:start -->", "<!-- shadow:end -->")
MONITOR_ENV = "YUNMAO_MONITOR__"  # configs/monitor.yaml overrides by environment (configs/environment.py)
SHADOW_WARM_UP_S = 300  # at most, for the warm-up's samples to be shadow-scored (a loaded machine starts slowly)
SHADOW_ALIAS = "serve-bench-shadow"  # the benchmark's own alias: champion and challenger aliases stay as they are
OVERLOAD_CLIENTS = (16, 64, 256)
# The shadow run's capacity probe: closed-loop clients per worker. Few enough that no worker sheds
# even if every connection lands on it (overload.max_in_flight is 8): at 16 clients one worker
# often accepted most connections and shed the rest in a storm of 503s (1,500-2,300 in 6 s),
# and "capacity" swung 25-171 req/s on one server (docs/benchmarks.md, shadow, session 8).
CAPACITY_CLIENTS_PER_WORKER = 2
SHADOW_BOOTSTRAP = 2000  # resamples of the pairs for the pooled p99 ratio's 95% interval
SAME_OUTPUT_MESSAGES = 200  # sent to yunmao and to mlflow models serve: their answers must agree
SHED_MARK = b'["overloaded"]'  # reasons of a fail-open policy answer
DEADLINE_HEADER = "X-Yunmao-Deadline-Ms"  # configs/serving.yaml overload.deadline_header
MUDOU = ROOT.parent / "shared" / "data" / "mudou_spam" / "mudou_spam.train"
CALL_MODEL = "models:/yunmao-call@champion"


@dataclass
class Row:
    system: str
    scenario: str
    per_s: float  # requests/s, or messages/s for batch scenarios
    unit: str
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mudou_records(n: int, seed: int) -> list[dict]:
    """``n`` real mudou SMS (mean ~70 characters), half of them spam: the in-process workload of
    issue #12 (new texts every time, so reasons are paid for on about half)."""
    from training.data.sms.load import load_labelled

    if not MUDOU.exists():
        raise SystemExit(f"serve_bench: {MUDOU} is absent (the in-process figures run on real mudou SMS)")
    frame = load_labelled([MUDOU]).frame
    parts = [frame[frame["label"] == label].sample(n // 2, random_state=seed) for label in (1, 0)]
    sample = pd.concat(parts).sample(frac=1, random_state=seed)
    return [{"id": f"m{i}", "text": text, "sender": None, "receiver": None, "sent_at": None}
            for i, text in enumerate(sample["text"])]


def timed_calls(call: Callable[[int], object], seconds: float, max_calls: int) -> list[float]:
    """CPU milliseconds of this thread in ``call(i)`` for i = 0, 1, … until ``seconds`` of CPU
    or ``max_calls``. CPU time, not wall time: on cores shared with other jobs, wall time
    measures the neighbours; CPU time is what one decision costs (and what two cores divide)."""
    latencies: list[float] = []
    spent = 0.0
    for i in range(max_calls):
        if spent > seconds:
            break
        t0 = time.thread_time()
        call(i)
        latencies.append((time.thread_time() - t0) * 1000)
        spent += latencies[-1] / 1000
    return latencies


def latency_row(system: str, scenario: str, latencies: list[float], per_call: int = 1) -> Row:
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return Row(system, scenario, per_call * len(latencies) / (sum(latencies) / 1000), "msg/s", q[49], q[98])


def in_process_rows(uri: str, records: list[dict], seconds: float, label: str) -> list[Row]:
    """The service's scoring step (``serving.scoring.decide``: records → decisions with reasons,
    no cache) on one thread: one SMS per call, then 256 per call; then the template-reputation
    lookup of one message; then one call decision from the SQLite profile store."""
    from models.registry import load_scam_model
    from serving.reload import LoadedModel
    from serving.scoring import decide

    loaded = LoadedModel("bench", "0", load_scam_model(uri), None)
    decide(loaded, records[:4], True)
    system = f"in-process ({label})"
    one = timed_calls(lambda i: decide(loaded, [records[i % len(records)]], True), seconds, 100_000)
    batch = 256
    many = timed_calls(
        lambda i: decide(loaded, [records[(i * batch + j) % len(records)] for j in range(batch)], True), seconds, 1_000
    )
    scams = demo_scams(1000)
    flagged = timed_calls(lambda i: decide(loaded, [scams[i % len(scams)]], True), seconds, 100_000)
    rows = [
        latency_row(system, "1 SMS with reasons", one),
        latency_row(system, f"batch {batch}", many, batch),
        latency_row(system, "1 demo scam SMS (flagged: reasons paid)", flagged),
    ]
    return rows + template_lookup_rows(records, seconds, system) + call_rows(seconds, system)


def demo_scams(n: int) -> list[dict]:
    """Scam messages of the demo generator (what the demo-trained model flags, so each one pays
    for its reasons): the explained path, which mudou's advertising rarely takes on that model."""
    from training.data.demo_sms import generate_demo_sms

    frame = generate_demo_sms(4 * n, seed=12)
    frame = frame[frame["label"] == 1].head(n)
    return [{"id": str(i), "text": text, "sender": sender, "receiver": None, "sent_at": None}
            for i, (text, sender) in enumerate(zip(frame["text"], frame["sender"], strict=True))]


def template_lookup_rows(records: list[dict], seconds: float, system: str) -> list[Row]:
    """Per message: reduce to the template, sign (signature cache off: every text new) and query
    an index of confirmed templates (every 4th message's template confirmed)."""
    from configs.campaigns import load_campaigns_config
    from serving.reputation import TemplateReputation
    from serving.template_store import open_template_store

    config = load_campaigns_config()
    config = config.model_copy(update={"reputation": config.reputation.model_copy(update={"signature_cache_entries": 0})})
    store = open_template_store(config.reputation, f"sqlite:///{tempfile.mkdtemp()}/templates.db")
    reputation = TemplateReputation(config, store)
    for record in records[::4]:
        try:
            reputation.confirm(record["text"], 1, None)
        except ValueError:  # too short or an official reminder: not a template
            pass
    texts = [r["text"] for r in records]
    rows = [latency_row(system, f"template lookup from raw text ({len(reputation.index)} templates)", timed_calls(
        lambda i: _matches(reputation, reputation.signature(texts[i % len(texts)])[0]), seconds, 100_000))]
    normalised = getattr(reputation, "normalised_signature", None)  # absent before one-pass normalisation
    if normalised is not None:
        from features.sms.normalise import normalise_text

        norms = [normalise_text(t) for t in texts]
        rows.append(latency_row(system, "template lookup from the features' normalised text", timed_calls(
            lambda i: _matches(reputation, normalised(norms[i % len(norms)])[0]), seconds, 100_000)))
    return rows


def _matches(reputation, signature) -> list:
    return [] if signature is None else reputation.index.matches(signature)


def call_rows(seconds: float, system: str) -> list[Row]:
    """One call decision: profile read from the SQLite store, featurised and scored (skipped
    without a registered call model and a profile store in the data dir)."""
    import sqlite3

    from configs.paths import data_dir
    from models.registry import load_scam_model
    from serving.call_scoring import decide_calls
    from serving.profile_store import SqliteProfileStore
    from serving.reload import LoadedModel

    path = data_dir() / "profiles.db"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        callers = [row[0] for row in conn.execute("SELECT number FROM profiles LIMIT 2000")]
    loaded = LoadedModel("bench", "0", load_scam_model(CALL_MODEL), None)
    store = SqliteProfileStore(path)
    calls = [{"id": f"c{i}", "caller": number} for i, number in enumerate(callers)]
    latencies = timed_calls(lambda i: decide_calls(loaded, [calls[i % len(calls)]], store, True, "allow"), seconds, 100_000)
    return [latency_row(system, "1 call from the SQLite profile store", latencies)]


async def load(
    url: str, make_body: Callable[[int], dict], concurrency: int, seconds: float, max_requests: int, headers: dict
) -> tuple[list[float], int, float]:
    """Closed-loop load: ``concurrency`` clients, until ``seconds`` or ``max_requests``."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(max_requests))
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits, headers=headers) as client:

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                t0 = time.perf_counter()
                try:
                    response = await client.post(url, json=make_body(i))
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += not ok

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - start


def http_rows(system: str, url: str, body_for: Callable[[list[dict]], dict], records: list[dict], seconds: float) -> list[Row]:
    """Single-message requests at concurrency 1/16/64, then 256-message batches at concurrency 2."""
    rows = []
    # warm-up (also lets the batching dispatcher learn its cost model)
    asyncio.run(load(url, lambda i: body_for([records[i % len(records)]]), 4, 2, 200, {}))
    for concurrency in (1, 16, 64):
        lat, errors, elapsed = asyncio.run(
            load(url, lambda i: body_for([records[i % len(records)]]), concurrency, seconds, 20_000, {})
        )
        q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
        rows.append(Row(system, f"1 msg, c={concurrency}", len(lat) / elapsed, "req/s", q[49], q[98], errors))
    batch = 256
    lat, errors, elapsed = asyncio.run(
        load(url, lambda i: body_for([records[(i * batch + j) % len(records)] for j in range(batch)]), 2, seconds, 2_000, {})
    )
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
    rows.append(Row(system, f"{batch} msgs/req, c=2", len(lat) * batch / elapsed, "msg/s", q[49], q[98], errors))
    return rows


@dataclass
class OverloadRow:
    setting: str
    clients: int
    scored_per_s: float  # model-scored decisions/s (shed answers excluded)
    p50_ms: float | None  # of scored answers
    p99_ms: float | None
    shed: int
    shed_p99_ms: float | None
    errors: int  # anything neither scored nor a policy answer


def quantile(values: list[float], q: int) -> float | None:
    """The ``q``-th percentile, None without data."""
    if not values:
        return None
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def raw_request(path: str, body: bytes, extra_headers: dict[str, str]) -> bytes:
    headers = "".join(f"{name}: {value}\r\n" for name, value in extra_headers.items())
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{headers}\r\n"
    ).encode() + body


async def raw_exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, dict[str, str], bytes]:
    """Send one request on a keep-alive connection; (status, lower-cased headers, body)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if fields.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            chunks.append(await reader.readexactly(size + 2))
        await reader.readuntil(b"\r\n")
        return status, fields, b"".join(c[:-2] for c in chunks)
    return status, fields, await reader.readexactly(int(fields.get("content-length", "0")))


async def raw_load(
    port: int, path: str, bodies: list[bytes], headers: dict[str, str], clients: int, seconds: float, max_requests: int,
    honour_retry_after: bool = False,
) -> tuple[list[float], list[float], int, float]:
    """Closed loop: ``clients`` keep-alive connections, each sending the next request as soon as
    it has an answer (or, with ``honour_retry_after``, once a 503's Retry-After has passed).
    (scored latencies ms, shed latencies ms, other errors, elapsed s)."""
    requests = [raw_request(path, body, headers) for body in bodies]
    scored: list[float] = []
    shed: list[float] = []
    errors = 0
    counter = iter(range(max_requests))
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                t0 = time.perf_counter()
                try:
                    status, fields, body = await raw_exchange(reader, writer, requests[i % len(requests)])
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                ms = (time.perf_counter() - t0) * 1000
                if status == 200 and SHED_MARK not in body:
                    scored.append(ms)
                elif status == 503 or (status == 200 and SHED_MARK in body):
                    shed.append(ms)
                    if honour_retry_after and status == 503:  # the client backs off as told (load model, not a test wait)
                        await asyncio.sleep(min(float(fields.get("retry-after", "0")), deadline - time.perf_counter()))
                else:
                    errors += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return scored, shed, errors, time.perf_counter() - start


def with_overrides(config: dict, overrides: list[str]) -> dict:
    """``config`` with each ``dotted.key=YAML value`` of ``overrides`` applied (validated on load)."""
    for override in overrides:
        key, _, value = override.partition("=")
        *parents, leaf = key.split(".")
        section = config
        for parent in parents:
            section = section[parent]
        section[leaf] = yaml.safe_load(value)
    return config


def tree_serving_config(tree: Path) -> dict:
    """The shipped serving config of the checkout ``tree`` (its schema may lack this tree's keys),
    validated by that checkout's own server."""
    return yaml.safe_load((tree / "configs" / "serving.yaml").read_text(encoding="utf-8"))


def serve_command(uri: str, config: dict, workers: int) -> tuple[int, dict[str, str], list[str]]:
    """(port, environment, command) of a ``yunmao serve`` with ``config`` as its serving config, no API key."""
    from configs.serving import SERVING_CONFIG_ENV

    config_file = Path(tempfile.mkdtemp()) / "serving.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True))
    env = {**os.environ, SERVING_CONFIG_ENV: str(config_file)}
    env.pop("YUNMAO_API_KEY", None)
    port = free_port()
    return port, env, [str(BIN / "yunmao"), "serve", "--model", uri, "--port", str(port), "--workers", str(workers)]


def overload_rows(uri: str, records: list[dict], seconds: float, workers: int, overrides: list[str],
                  deadline_ms: int | None) -> list[OverloadRow]:
    """One server; single-message requests at 16/64/256 clients without a deadline header, then
    (with ``deadline_ms``) the same with the hook's deadline header."""
    from configs.serving import ServingConfig, load_serving_config

    config = with_overrides({**load_serving_config().model_dump(), "cache": {"max_entries": 0}}, overrides)
    ServingConfig.model_validate(config)
    port, env, cmd = serve_command(uri, config, workers)
    bodies = [json.dumps({"messages": [r]}, ensure_ascii=False).encode() for r in records]
    limit = config["overload"]["max_in_flight"]
    changed = "".join(f", {o}" for o in overrides if not o.startswith("overload.max_in_flight="))
    settings = [(f"limit {limit}/worker{changed}, flood (Retry-After ignored)", {}, False),
                (f"limit {limit}/worker{changed}, clients honour Retry-After", {}, True)]
    if deadline_ms is not None:
        settings.append((f"limit {limit}/worker{changed}, deadline {deadline_ms} ms, flood", {DEADLINE_HEADER: str(deadline_ms)}, False))
    rows = []
    with process(cmd, f"http://127.0.0.1:{port}/readyz", env):
        asyncio.run(raw_load(port, "/v1/sms/score", bodies, {}, 4, 2, 200))  # warm-up: batching learns its cost
        for setting, headers, honour in settings:
            for clients in OVERLOAD_CLIENTS:
                scored, shed, errors, elapsed = asyncio.run(
                    raw_load(port, "/v1/sms/score", bodies, headers, clients, seconds, 200_000, honour)
                )
                rows.append(OverloadRow(setting, clients, len(scored) / elapsed, quantile(scored, 50),
                                        quantile(scored, 99), len(shed), quantile(shed, 99), errors))
    return rows


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
    :data:`CAPACITY_CLIENTS_PER_WORKER` clients per worker, shadow off, and the rate is set once from it for both arms. Each pair runs off-on or
    on-off at random (seeded). After each on arm the shadow is switched off and its queue drained before
    the next off arm, so the on arm's backlog is not scored during the off arm.
    ``tree``: serve the code (and shipped serving config) of that checkout instead of this one.
    ``live_health`` False: the monitor's live-health refresh is off (see docs/benchmarks.md, shadow)."""
    from mlflow import MlflowClient

    from configs.paths import data_dir
    from models.registry import resolve_model_version, set_alias
    from serving.shadow_store import SHADOW_KEY_ENV

    name, version = resolve_model_version(challenger)
    workdir = Path(tempfile.mkdtemp(prefix="serve-bench-shadow-"))
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


def pair_bootstrap(pairs: list[ShadowPair], statistic: Callable[[list[ShadowPair]], float],
                   resamples: int = SHADOW_BOOTSTRAP) -> tuple[float, float, float]:
    """``statistic`` of ``pairs`` and its 95% bootstrap interval, resampling whole pairs
    (requests within an arm share its stalls: they are not independent draws)."""
    draw = random.Random(0)
    spread = sorted(statistic(draw.choices(pairs, k=len(pairs))) for _ in range(resamples))
    return statistic(pairs), spread[int(0.025 * resamples)], spread[int(0.975 * resamples) - 1]


def ms(value: float | None) -> str:
    """A latency cell of the Markdown tables (blank where nothing was measured)."""
    return "" if value is None else f"{value:.1f}"


def render_overload(rows: list[OverloadRow], meta: str) -> str:
    lines = [
        "## Overload", "", meta, "",
        "| setting | clients | scored decisions/s | vs 16 clients | p50 ms (scored) | p99 ms (scored) | shed | p99 ms (shed) | other errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        base = next(r for r in rows if r.setting == row.setting and r.clients == OVERLOAD_CLIENTS[0])
        ratio = row.scored_per_s / base.scored_per_s if base.scored_per_s else float("nan")
        lines.append(
            f"| {row.setting} | {row.clients} | {row.scored_per_s:,.0f} | {ratio:.0%} | "
            f"{ms(row.p50_ms)} | {ms(row.p99_ms)} | {row.shed:,} | {ms(row.shed_p99_ms)} | {row.errors} |"
        )
    return "\n".join(lines)


@dataclass
class Started:
    """A server process that answered its readiness URL."""

    pid: int
    ready_s: float  # from spawning the process to the first 200 of the readiness URL

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each descendant of the server process (BentoML's and mlflow's
        workers; their supervisors are small): what one more worker costs."""
        import psutil

        rss = []
        for child in psutil.Process(self.pid).children(recursive=True):
            try:
                rss.append(child.memory_info().rss / 2**20)
            except psutil.NoSuchProcess:  # gone between listing and reading
                continue
        return sorted(rss)


@contextmanager
def process(cmd: list[str], ready_url: str, env: dict[str, str], timeout: float = 300,
            cwd: Path | None = None) -> Iterator[Started]:
    """Run a server in its own process group until the block ends; wait for ``ready_url``.
    ``cwd``: a checkout to serve from. PYTHONPATH alone is not enough: BentoML starts its workers
    with ``python -m`` in the server's working directory, which comes first on their import path."""
    log = tempfile.NamedTemporaryFile(prefix="serve-bench-", suffix=".log", delete=False)
    spawned = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=cwd)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} did not become ready; log: {log.name}")
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)  # polling an external process's readiness: nothing to wait on in-process
        yield Started(proc.pid, time.perf_counter() - spawned)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def footprint(system: str, started: Started) -> str:
    rss = started.worker_rss_mib()
    return (f"- {system}: ready {started.ready_s:.1f} s after start; "
            f"memory per worker {', '.join(f'{m:,.0f}' for m in rss)} MiB (RSS of each process under the supervisor)")


def yunmao_rows(uri: str, records: list[dict], seconds: float, workers: int, cache_entries: int,
                tree: Path | None = None, label: str = "", overrides: tuple[str, ...] = ()) -> tuple[list[Row], str, list[dict]]:
    """HTTP rows, the footprint line, and the answers to the first messages of ``records``.
    ``tree``: serve the code in that checkout instead of this one (the "before" of a change)."""
    from configs.paths import data_dir
    from configs.serving import load_serving_config

    shipped = load_serving_config().model_dump() if tree is None else tree_serving_config(tree)
    config = with_overrides(shipped, list(overrides))
    config["cache"]["max_entries"] = cache_entries
    port, env, cmd = serve_command(uri, config, workers)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        env.setdefault("YUNMAO_DATA_DIR", str(data_dir()))  # this checkout's registry, not an empty one in the tree
    system = f"yunmao{label} (w={workers}, cache {'on' if cache_entries else 'off'})"
    url = f"http://127.0.0.1:{port}/v1/sms/score"
    with process(cmd, f"http://127.0.0.1:{port}/readyz", env, cwd=tree) as started:
        answers = httpx.post(url, json={"messages": records[:SAME_OUTPUT_MESSAGES]}, timeout=60).json()["results"]
        rows = http_rows(system, url, lambda msgs: {"messages": msgs}, records, seconds)
        return rows, footprint(system, started), answers


def mlflow_rows(uri: str, records: list[dict], seconds: float) -> tuple[list[Row], str, list[dict]]:
    from models.registry import tracking_uri

    port = free_port()
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "MLFLOW_TRACKING_URI": tracking_uri()}
    cmd = [str(BIN / "mlflow"), "models", "serve", "-m", uri, "--env-manager", "local", "-w", "2", "-p", str(port), "-h", "127.0.0.1"]
    system = "mlflow models serve (w=2)"
    url = f"http://127.0.0.1:{port}/invocations"
    with process(cmd, f"http://127.0.0.1:{port}/ping", env) as started:
        body = {"dataframe_records": records[:SAME_OUTPUT_MESSAGES]}
        answers = httpx.post(url, json=body, timeout=60).json()["predictions"]
        rows = http_rows(system, url, lambda msgs: {"dataframe_records": msgs}, records, seconds)
        return rows, footprint(system, started), answers


def same_outputs(yunmao: list[dict], mlflow: list[dict]) -> str:
    """One line: do both servers give the same score, action and reasons for the same messages?"""
    def key(answer: dict) -> tuple:
        reasons = answer["reasons"] if isinstance(answer["reasons"], str) else "；".join(answer["reasons"])
        return round(answer["score"], 9), answer["action"], reasons

    differ = sum(key(a) != key(b) for a, b in zip(yunmao, mlflow, strict=True))
    return f"- identical outputs (score to 1e-9, action, reasons) on {len(yunmao)} messages: {len(yunmao) - differ} of {len(yunmao)}"


def render(rows: list[Row], ratios: list[str], meta: str) -> str:
    lines = [
        "## Serving", "", meta, "",
        "| system | scenario | throughput | p50 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *(f"| {r.system} | {r.scenario} | {r.per_s:,.0f} {r.unit} | {ms(r.p50_ms)} | {ms(r.p99_ms)} | {r.errors} |" for r in rows),
        "", *ratios,
    ]
    return "\n".join(lines)


def write_section(text: str, markers: tuple[str, str] = (START, END)) -> None:
    """Replace only one section of docs/benchmarks.md (other sections belong to others)."""
    start, end = markers
    DOC.parent.mkdir(parents=True, exist_ok=True)
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{text}\n{end}"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        current = head + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(current, encoding="utf-8")


def before_in_process(tree: Path, model: str, seconds: float, messages: int) -> list[Row]:
    """:func:`in_process_rows` on the code in ``tree``, in a child process (imports resolve there first)."""
    out = Path(tempfile.mkdtemp()) / "rows.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--only-in-process", "--no-write", "--label", "before",
           "--model", model, "--seconds", str(seconds), "--messages", str(messages), "--rows-json", str(out)]
    subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": str(tree)}, stdout=subprocess.DEVNULL)
    return [Row(**row) for row in json.loads(out.read_text())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models:/yunmao-sms@champion")
    parser.add_argument("--seconds", type=float, default=6.0, help="per scenario (bounded)")
    parser.add_argument("--workers", type=int, default=2, help="yunmao worker processes")
    parser.add_argument("--messages", type=int, default=2000, help="real mudou messages to send (half spam)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--only-overload", action="store_true", help="run only the overload section")
    parser.add_argument("--only-in-process", action="store_true", help="run only the in-process rows (a py-spy target)")
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="also measure the code in TREE (a checkout of the base commit) in the same run")
    parser.add_argument("--label", default="this tree", help=argparse.SUPPRESS)
    parser.add_argument("--rows-json", type=Path, help=argparse.SUPPRESS)  # child of --before: rows as JSON here
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="serving config override for the overload and shadow servers, e.g. overload.max_in_flight=4")
    parser.add_argument("--deadline-ms", type=int, default=100, help="the hook's deadline header in the second overload setting")
    parser.add_argument("--only-shadow", action="store_true", help="run only the shadow-challenger section")
    parser.add_argument("--challenger", default=None, help="shadow model (default: the challenger alias, else --model)")
    parser.add_argument("--shadow-share", type=float, default=0.1, help="shadow.sms.share of the shadow run")
    parser.add_argument("--shadow-load", type=float, default=0.7, help="open-loop rate as a share of measured capacity")
    parser.add_argument("--shadow-rounds", type=int, default=2, help="off/on pairs of --seconds arms (the ratio's spread)")
    parser.add_argument("--shadow-repeats", type=int, default=1, help="servers per tree in the shadow run (the spread)")
    parser.add_argument("--live-health", action="store_true", help="keep the monitor's live-health refresh on in the shadow run")
    args = parser.parse_args()

    from models.registry import resolve_model_version

    name, version = resolve_model_version(args.model)
    records = mudou_records(args.messages, seed=11)
    if args.only_shadow:
        run_shadow(args, records)
        return
    if args.only_in_process:
        rows = in_process_rows(args.model, records, args.seconds, args.label)
        if args.rows_json:
            args.rows_json.write_text(json.dumps([row.__dict__ for row in rows]))
        print(render(rows, [], ""))
        return
    overload = overload_rows(args.model, records, args.seconds, args.workers, args.set, args.deadline_ms)
    overload_text = render_overload(overload, (
        f"Model `models:/{name}/{version}`; single-message requests of {len(records)} real mudou SMS (half spam), closed loop: each client "
        f"sends its next request on an answer (flood), or after a 503's Retry-After (honour); {args.workers} workers, cache off, "
        f"{os.cpu_count()} cores shared with whatever else runs; {args.seconds:.0f} s per row; one server, one run. "
        f"Run: `nice .venv/bin/python benchmarks/serve_bench.py {' '.join(sys.argv[1:])}`."
    ))
    print(overload_text)
    if not args.no_write:
        write_section(overload_text, OVERLOAD_MARKERS)
    if args.only_overload:
        return
    rows = in_process_rows(args.model, records, args.seconds, args.label)
    if args.before:
        rows = before_in_process(args.before, args.model, args.seconds, args.messages) + rows
    notes = []
    if args.before:
        before_rows, line, _ = yunmao_rows(args.model, records, args.seconds, args.workers, 0, args.before, " before")
        rows += before_rows
        notes.append(line)
    http, line, yunmao_answers = yunmao_rows(args.model, records, args.seconds, args.workers, 0)
    cached, cached_line, _ = yunmao_rows(args.model, records, args.seconds, args.workers, 100_000)
    unbatched, unbatched_line, _ = yunmao_rows(args.model, records, args.seconds, args.workers, 0, label=" unbatched",
                                               overrides=("batching.direct_min_messages=1",))
    rows += http + cached + unbatched
    notes += [line, cached_line, unbatched_line]
    http, line, mlflow_answers = mlflow_rows(args.model, records, args.seconds)
    rows += http
    notes += [line, same_outputs(yunmao_answers, mlflow_answers)]

    def find(system_prefix: str, scenario: str) -> Row:
        return next(r for r in rows if r.system.startswith(system_prefix) and r.scenario.startswith(scenario))

    ratios = []
    for label in ["before"] * bool(args.before) + [args.label]:
        one = find(f"in-process ({label})", "1 SMS")
        ratios.append(f"- in-process ({label}): one SMS with reasons p50 {one.p50_ms:.2f} ms (target ≤ 1); "
                      f"batch 256 {find(f'in-process ({label})', 'batch').per_s:,.0f} msg/s on one thread (target ≥ 2,500)")
    for system in [f"yunmao before (w={args.workers}, cache off)"] * bool(args.before) + [f"yunmao (w={args.workers}, cache off)"]:
        ratios.append(
            f"- {system}: c=1 p50 = {find(system, '1 msg, c=1').p50_ms:.1f} ms (target ≤ 3); "
            f"c=16 p99 = {find(system, '1 msg, c=16').p99_ms:.1f} ms (target ≤ 50); "
            f"c=16 req/s vs mlflow = {find(system, '1 msg, c=16').per_s / find('mlflow', '1 msg, c=16').per_s:.1f}× (target ≥ 3)"
        )
    meta = (
        f"Model `models:/{name}/{version}`; {len(records)} real mudou SMS, half spam (mean "
        f"{statistics.mean(len(r['text']) for r in records):.0f} chars), no cache unless stated; in-process rows: CPU time "
        f"of the scoring thread per call (p50/p99) and messages per CPU second; HTTP rows: wall time at the client; "
        f"{os.cpu_count()} cores shared with whatever else runs; {args.seconds:.0f} s per scenario; loopback. "
        f"Run: `nice .venv/bin/python benchmarks/serve_bench.py {' '.join(sys.argv[1:])}`."
    )
    text = render(rows, ratios + notes, meta)
    print(text)
    if not args.no_write:
        write_section(text)


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


if __name__ == "__main__":
    main()
