"""Serving benchmark: in-process ceiling vs yunmao over HTTP (cache off/on) vs `mlflow models serve`,
and yunmao under overload (16, 64, 256 clients).

All on this machine, loopback only, every load loop bounded in requests and seconds:

    .venv/bin/python benchmarks/serve_bench.py [--model models:/yunmao-sms@champion] [--seconds 6]
    .venv/bin/python benchmarks/serve_bench.py --only-overload [--set overload.max_in_flight=4] [--deadline-ms 100] \
        [--front [--front-set front.shed_delay_ms=250]] [--overload-rounds 3]
    .venv/bin/python benchmarks/serve_bench.py --only-shadow [--challenger models:/yunmao-sms@challenger] \
        [--before TREE] [--shadow-repeats 3] [--set shadow.max_batch=16]
    .venv/bin/python benchmarks/serve_bench.py --only-http [--before TREE] [--rounds 8] [--block-seconds 3]

Texts are demo SMS (``training.data.demo_sms``): templated campaigns, as real spam is, which is what
the decision cache exploits. Results are printed and written to the "serving", "overload" and
"shadow" sections of docs/benchmarks.md (between their markers; the rest of the file is left alone).

The shadow run (``--only-shadow``) lives in ``benchmarks/shadow_bench.py``, with its options; the
interleaved HTTP comparison (``--only-http``: this tree, ``--before TREE`` and mlflow running at
once, with the server's CPU per request and paired intervals) in ``benchmarks/http_bench.py``.
HTTP rows report the CPU the server's processes spent per request (``server_cpu_s``).

Every load here (the HTTP rows of every server, the overload runs) comes from a minimal HTTP/1.1
client on raw sockets (:func:`raw_load`): httpx's own CPU (about a millisecond a request) would
take the server's cores on this 2-core machine and measure the client, not the server (the HTTP
rows used httpx until session 23; docs/benchmarks.md gives one run of each client side by side).

Every ``yunmao serve`` started here gets a fresh, empty template store of its own (a SQLite file in
a temp dir, :func:`serve_command`); the registry and the profile store stay the data dir's. The
service's campaign watch confirms templates automatically under load and writes them to the store,
and ``mlflow models serve`` (the pyfunc) has no store: with the data dir's store shared by every
server of a run, the later servers' answers carried template floors and reasons that the earlier
rows' load (or an earlier run) had confirmed, and the identical-outputs line compared two
different things (194 of 200, session 14). Fresh stores also leave the data dir's store as it was.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import functools
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- serving:start -->", "<!-- serving:end -->"
OVERLOAD_MARKERS = ("<!-- overload:start -->", "<!-- overload:end -->")
OVERLOAD_CLIENTS = (16, 64, 256)
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
    cpu_ms: float | None = None  # CPU of the server's processes per request (HTTP rows)


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


# How the MLflow pyfunc's in-process rows end their scenario names (:func:`pyfunc_rows`).
PYFUNC_SCENARIO = ", MLflow pyfunc"


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
    loaded.model.booster.prepare_contributions()  # as serving does at load (serving/reload.py)
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
        *pyfunc_rows(uri, records, seconds, system, batch),
    ]
    return rows + template_lookup_rows(records, seconds, system) + call_rows(seconds, system)


def target_lines(rows: list[Row], labels: list[str], systems: list[str]) -> list[str]:
    """Issue #12's in-process targets for each in-process ``label`` and its HTTP targets for each
    yunmao ``system``, each beside its figure from ``rows``. The service path's rows and the MLflow
    pyfunc's are told apart by the pyfunc's scenario suffix (:func:`pyfunc_rows`)."""

    def find(system_prefix: str, scenario: str, pyfunc: bool = False) -> Row:
        return next(r for r in rows if r.system.startswith(system_prefix) and r.scenario.startswith(scenario)
                    and r.scenario.endswith(PYFUNC_SCENARIO) == pyfunc)

    lines = []
    for label in labels:
        system = f"in-process ({label})"
        one, many = find(system, "1 SMS with reasons"), find(system, "batch")
        one_pyfunc, many_pyfunc = find(system, "1 SMS with reasons", pyfunc=True), find(system, "batch", pyfunc=True)
        lines.append(f"- {system}: one SMS with reasons p50 {one.p50_ms:.2f} ms (target ≤ 1); "
                     f"batch 256 {many.per_s:,.0f} msg/s on one thread (target ≥ 2,500); through the MLflow pyfunc "
                     f"one SMS {one_pyfunc.p50_ms / one.p50_ms:.2f}× the service path's p50, batches "
                     f"{many.per_s / many_pyfunc.per_s:.2f}× its time per message")
    for system in systems:
        lines.append(
            f"- {system}: c=1 p50 = {find(system, '1 msg, c=1').p50_ms:.1f} ms (target ≤ 3); "
            f"c=16 p99 = {find(system, '1 msg, c=16').p99_ms:.1f} ms (target ≤ 50); "
            f"c=16 req/s vs mlflow = {find(system, '1 msg, c=16').per_s / find('mlflow', '1 msg, c=16').per_s:.1f}× (target ≥ 3)"
        )
    return lines


def pyfunc_rows(uri: str, records: list[dict], seconds: float, system: str, batch: int) -> list[Row]:
    """The same decisions through the registered MLflow pyfunc (``mlflow.pyfunc.load_model(uri).predict``
    on a frame of one message, then of ``batch``): what batch jobs and ``mlflow models serve`` pay —
    MLflow's input schema enforcement and the frames in and out — beside the service's path."""
    import mlflow
    import pandas as pd

    pyfunc = mlflow.pyfunc.load_model(uri)
    ones = [pd.DataFrame([record]) for record in records]
    batches = [pd.DataFrame([records[(i * batch + j) % len(records)] for j in range(batch)]) for i in range(len(records) // batch)]
    pyfunc.predict(ones[0])
    one = timed_calls(lambda i: pyfunc.predict(ones[i % len(ones)]), seconds, 100_000)
    many = timed_calls(lambda i: pyfunc.predict(batches[i % len(batches)]), seconds, 1_000)
    return [latency_row(system, f"1 SMS with reasons{PYFUNC_SCENARIO}", one),
            latency_row(system, f"batch {batch}{PYFUNC_SCENARIO}", many, batch)]


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
    store = open_template_store(config.reputation, fresh_template_store())
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


def server_cpu_s(pid: int) -> float:
    """User + system CPU seconds of every process under the server ``pid`` (its workers, their
    supervisor): read before and after a scenario, the difference over its requests is what one
    request costs the server, whatever the neighbours on the cores do to its wall time."""
    import psutil

    total = 0.0
    for child in psutil.Process(pid).children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:  # gone between listing and reading
            continue
        total += times.user + times.system
    return total


def http_rows(system: str, url: str, body_for: Callable[[list[dict]], dict], records: list[dict], seconds: float,
              pid: int) -> list[Row]:
    """Single-message requests at concurrency 1/16/64, then 256-message batches at concurrency 2;
    each row with the CPU per request of the server ``pid``'s processes.

    Sent by the raw-socket client (:func:`raw_load`), as the overload and paired HTTP runs are: an
    httpx client spent about a millisecond of CPU per request on the same two cores as the server,
    which a carrier's hook (on its own machine) does not, so its rows measured the client as much
    as the service. Throughput and latency are the scored answers'; errors count every other answer
    (the overload policy's 503s included: at 64 raw clients they come back within a millisecond and
    by thousands, so counting them as throughput would read as speed)."""
    rows = []
    path = httpx.URL(url).path
    port = httpx.URL(url).port
    singles = [json.dumps(body_for([record]), ensure_ascii=False).encode() for record in records]
    # warm-up (also lets the batching dispatcher learn its cost model)
    asyncio.run(raw_load(port, path, singles, {}, 4, 2, 200))
    batch = 256
    batches = [json.dumps(body_for([records[(i * batch + j) % len(records)] for j in range(batch)]), ensure_ascii=False).encode()
               for i in range(max(1, len(records) // batch))]
    scenarios = [(f"1 msg, c={concurrency}", concurrency, 1, singles, 20_000) for concurrency in (1, 16, 64)]
    for scenario, concurrency, size, bodies, max_requests in [*scenarios, (f"{batch} msgs/req, c=2", 2, batch, batches, 2_000)]:
        cpu = server_cpu_s(pid)
        scored, shed, errors, elapsed = asyncio.run(raw_load(port, path, bodies, {}, concurrency, seconds, max_requests))
        cpu_ms = (server_cpu_s(pid) - cpu) * 1000 / max(len(scored) + len(shed), 1)
        unit = "req/s" if size == 1 else "msg/s"
        rows.append(Row(system, scenario, len(scored) * size / elapsed, unit, quantile(scored, 50), quantile(scored, 99),
                        errors + len(shed), cpu_ms))
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


@functools.cache
def _scratch_root() -> tempfile.TemporaryDirectory:
    """One temp dir per bench process, removed when the process exits: the serving configs, fresh
    template stores, shadow stores and row files of a run live under it, so runs leave nothing behind.
    (Server logs are kept apart: a failed start names its log.)"""
    return tempfile.TemporaryDirectory(prefix="serve-bench-")


def scratch_dir(prefix: str) -> Path:
    """A new empty dir under this process's scratch root."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=_scratch_root().name))


def fresh_template_store() -> str:
    """The URL of a new, empty SQLite template store in a temp dir of its own."""
    return f"sqlite:///{scratch_dir('templates-')}/templates.db"


def serve_command(uri: str, config: dict, workers: int,
                  template_store: str | None = None) -> tuple[int, dict[str, str], list[str]]:
    """(port, environment, command) of a ``yunmao serve`` with ``config`` as its serving config, no API key,
    and the template store at ``template_store`` (None: a fresh, empty one of its own, not the data dir's:
    see the module docstring)."""
    from configs.environment import variable_name
    from configs.serving import SERVING_CONFIG_ENV
    from serving.template_store import TEMPLATE_STORE_ENV

    config_file = scratch_dir("config-") / "serving.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True))
    env = {**os.environ, SERVING_CONFIG_ENV: str(config_file), TEMPLATE_STORE_ENV: template_store or fresh_template_store()}
    env.pop(variable_name("campaigns", ("reputation", "store_url")), None)  # would conflict with the shortcut
    env.pop("YUNMAO_API_KEY", None)
    port = free_port()
    return port, env, [str(BIN / "yunmao"), "serve", "--model", uri, "--port", str(port), "--workers", str(workers)]


def front_command(port: int, config: dict) -> tuple[int, list[str]]:
    """(port, command) of an HAProxy front (``yunmao front-config``'s config for ``config``) before the
    ``yunmao serve`` at ``port``, on loopback ports of its own."""
    from pydantic import ValidationError

    from configs import validation_problems
    from configs.serving import ServingConfig
    from serving.front import FrontPolicyError, render_front_config

    haproxy = shutil.which("haproxy")
    if haproxy is None:
        raise SystemExit("--front needs HAProxy on PATH (apt-get install haproxy)")
    front_port = free_port()
    front = {**config["front"], "listen": f"127.0.0.1:{front_port}", "backend": f"127.0.0.1:{port}",
             "metrics_listen": f"127.0.0.1:{free_port()}"}
    config_file = scratch_dir("front-") / "haproxy.cfg"
    try:
        config_file.write_text(render_front_config(ServingConfig.model_validate({**config, "front": front})))
    except FrontPolicyError as exc:  # e.g. --set overload.policy=allow: the front answers only 503s
        raise SystemExit(f"--front: {exc}") from exc
    except ValidationError as exc:  # e.g. --front-set front.shed_delay_ms=-1
        raise SystemExit(f"--front: invalid front settings: {validation_problems(exc)}") from exc
    return front_port, [haproxy, "-f", str(config_file)]


def overload_rows(uri: str, records: list[dict], seconds: float, workers: int, overrides: list[str],
                  deadline_ms: int | None, front: bool = False, rounds: int = 1,
                  front_candidate: list[str] | None = None) -> list[OverloadRow]:
    """One server; single-message requests at 16/64/256 clients without a deadline header, then
    (with ``deadline_ms``) the same with the hook's deadline header. ``front``: every scenario also
    through an HAProxy front of the same server; ``front_candidate`` (``front.KEY=VALUE`` overrides):
    also through a second front with those settings, so two front configs are compared paired. The
    targets take turns (which goes first rotates every round); ``rounds`` blocks of ``seconds`` per
    target and scenario, pooled."""
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
    with ExitStack() as servers:
        servers.enter_context(process(cmd, f"http://127.0.0.1:{port}/readyz", env))
        targets = [("workers", port)]
        if front:
            front_port, front_cmd = front_command(port, config)
            servers.enter_context(process(front_cmd, f"http://127.0.0.1:{front_port}/readyz", env))
            shape = config["front"]
            targets.append((f"HAProxy front ({shape['max_in_flight']} in flight, queue {shape['queue_timeout_ms']} ms)", front_port))
            if front_candidate:
                candidate_port, candidate_cmd = front_command(port, with_overrides(copy.deepcopy(config), front_candidate))
                servers.enter_context(process(candidate_cmd, f"http://127.0.0.1:{candidate_port}/readyz", env))
                targets.append((f"HAProxy front, {', '.join(front_candidate)}", candidate_port))
        for _, target_port in targets:  # warm-up: batching learns its cost
            asyncio.run(raw_load(target_port, "/v1/sms/score", bodies, {}, 4, 2, 200))
        pooled: dict[tuple[str, str, int], tuple[list[float], list[float], list[int], list[float]]] = {}
        for setting, headers, honour in settings:
            for clients in OVERLOAD_CLIENTS:
                for round_ in range(rounds):
                    for target, target_port in targets[round_ % len(targets):] + targets[:round_ % len(targets)]:
                        scored, shed, errors, elapsed = asyncio.run(
                            raw_load(target_port, "/v1/sms/score", bodies, headers, clients, seconds, 200_000, honour)
                        )
                        all_scored, all_shed, all_errors, all_elapsed = pooled.setdefault((target, setting, clients), ([], [], [], []))
                        all_scored.extend(scored)
                        all_shed.extend(shed)
                        all_errors.append(errors)
                        all_elapsed.append(elapsed)
    named = len(targets) > 1
    return [OverloadRow(f"{target}: {setting}" if named else setting, clients, len(scored) / sum(elapsed),
                        quantile(scored, 50), quantile(scored, 99), len(shed), quantile(shed, 99), sum(errors))
            for (target, setting, clients), (scored, shed, errors, elapsed) in pooled.items()]


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
        with suppress(ProcessLookupError):  # it may have died already (the readiness error names its log)
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def footprint(system: str, started: Started) -> str:
    rss = started.worker_rss_mib()
    return (f"- {system}: ready {started.ready_s:.1f} s after start; "
            f"memory per worker {', '.join(f'{m:,.0f}' for m in rss)} MiB (RSS of each process under the supervisor)")


def yunmao_command(uri: str, workers: int, cache_entries: int, tree: Path | None = None,
                   overrides: tuple[str, ...] = (), template_store: str | None = None) -> tuple[int, dict[str, str], list[str]]:
    """(port, environment, command) of a ``yunmao serve`` of the shipped config with ``overrides``
    and ``cache_entries``; ``tree``: the code and shipped config of that checkout (start it there);
    ``template_store``: as in :func:`serve_command` (None: a fresh, empty one)."""
    from configs.paths import data_dir
    from configs.serving import load_serving_config

    shipped = load_serving_config().model_dump() if tree is None else tree_serving_config(tree)
    config = with_overrides(shipped, list(overrides))
    config["cache"]["max_entries"] = cache_entries
    port, env, cmd = serve_command(uri, config, workers, template_store)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        env.setdefault("YUNMAO_DATA_DIR", str(data_dir()))  # this checkout's registry, not an empty one in the tree
    return port, env, cmd


def yunmao_rows(uri: str, records: list[dict], seconds: float, workers: int, cache_entries: int,
                tree: Path | None = None, label: str = "", overrides: tuple[str, ...] = ()) -> tuple[list[Row], str, list[dict]]:
    """HTTP rows, the footprint line, and the answers to the first messages of ``records``.
    ``tree``: serve the code in that checkout instead of this one (the "before" of a change)."""
    port, env, cmd = yunmao_command(uri, workers, cache_entries, tree, overrides)
    system = f"yunmao{label} (w={workers}, cache {'on' if cache_entries else 'off'})"
    url = f"http://127.0.0.1:{port}/v1/sms/score"
    with process(cmd, f"http://127.0.0.1:{port}/readyz", env, cwd=tree) as started:
        answers = httpx.post(url, json={"messages": records[:SAME_OUTPUT_MESSAGES]}, timeout=60).json()["results"]
        rows = http_rows(system, url, lambda msgs: {"messages": msgs}, records, seconds, started.pid)
        return rows, footprint(system, started), answers


def mlflow_command(uri: str) -> tuple[int, dict[str, str], list[str]]:
    """(port, environment, command) of ``mlflow models serve`` of ``uri`` with 2 workers."""
    from models.registry import tracking_uri

    port = free_port()
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "MLFLOW_TRACKING_URI": tracking_uri()}
    cmd = [str(BIN / "mlflow"), "models", "serve", "-m", uri, "--env-manager", "local", "-w", "2", "-p", str(port), "-h", "127.0.0.1"]
    return port, env, cmd


def mlflow_rows(uri: str, records: list[dict], seconds: float) -> tuple[list[Row], str, list[dict]]:
    port, env, cmd = mlflow_command(uri)
    system = "mlflow models serve (w=2)"
    url = f"http://127.0.0.1:{port}/invocations"
    with process(cmd, f"http://127.0.0.1:{port}/ping", env) as started:
        body = {"dataframe_records": records[:SAME_OUTPUT_MESSAGES]}
        answers = httpx.post(url, json=body, timeout=60).json()["predictions"]
        rows = http_rows(system, url, lambda msgs: {"dataframe_records": msgs}, records, seconds, started.pid)
        return rows, footprint(system, started), answers


SCORE_FIELDS = frozenset({"score", "fraud_score", "fraud_type_score"})  # equal to 1e-9; other fields exactly


class Absent:
    """A field an answer lacks: equal to no value (a server dropping a field is a difference)."""

    def __repr__(self) -> str:
        return "absent"


ABSENT = Absent()


def same_outputs(yunmao: list[dict], mlflow: list[dict]) -> str:
    """One line: do both servers give the same answer to the same messages, in every field both
    produce (the pyfunc's output columns), as issue #12 requires? Names the first field that differed.

    Scores are equal to 1e-9 (JSON round trips of one float), other fields exactly. A field with no
    value is one value whichever way it travels: yunmao sends null, the pyfunc's frame NaN in a
    float column with some values (``fraud_type_score`` of non-fraud rows). Reasons are yunmao's
    list joined as the pyfunc joins them.
    """
    from models.pyfunc import OUTPUT_COLUMNS, REASON_SEPARATOR

    def value(answer: dict, field: str) -> object:
        found = answer.get(field, ABSENT)
        if isinstance(found, float) and math.isnan(found):
            return None
        return REASON_SEPARATOR.join(found) if field == "reasons" and isinstance(found, list) else found

    def differing(a: dict, b: dict) -> str | None:
        for field in OUTPUT_COLUMNS:
            x, y = value(a, field), value(b, field)
            numbers = field in SCORE_FIELDS and isinstance(x, float | int) and isinstance(y, float | int)
            if not (abs(x - y) <= 1e-9 if numbers else x == y):
                return field
        return None

    fields = [differing(a, b) for a, b in zip(yunmao, mlflow, strict=True)]
    first = next(((i, field) for i, field in enumerate(fields) if field is not None), None)
    same = f"{fields.count(None)} of {len(fields)}"
    line = f"- identical outputs ({', '.join(OUTPUT_COLUMNS)}; scores to 1e-9) on {len(fields)} messages: {same}"
    if first is None:
        return line
    i, field = first
    return f"{line}; first difference: {field} of message {i} (yunmao {value(yunmao[i], field)!r}, mlflow {value(mlflow[i], field)!r})"


def render(rows: list[Row], ratios: list[str], meta: str) -> str:
    lines = [
        "## Serving", "", meta, "",
        "| system | scenario | throughput | p50 ms | p99 ms | server CPU ms/req | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        *(f"| {r.system} | {r.scenario} | {r.per_s:,.0f} {r.unit} | {ms(r.p50_ms)} | {ms(r.p99_ms)} | {ms(r.cpu_ms)} | {r.errors} |"
          for r in rows),
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
    out = scratch_dir("rows-") / "rows.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--only-in-process", "--no-write", "--label", "before",
           "--model", model, "--seconds", str(seconds), "--messages", str(messages), "--rows-json", str(out)]
    subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": str(tree)}, stdout=subprocess.DEVNULL)
    return [Row(**row) for row in json.loads(out.read_text())]


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (0 rounds would measure nothing and divide by 0)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models:/yunmao-sms@champion")
    parser.add_argument("--seconds", type=float, default=6.0, help="per scenario (bounded)")
    parser.add_argument("--workers", type=int, default=2, help="yunmao worker processes")
    parser.add_argument("--messages", type=int, default=2000, help="real mudou messages to send (half spam)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--only-overload", action="store_true", help="run only the overload section")
    parser.add_argument("--only-in-process", action="store_true",
                        help="run only the in-process rows (a py-spy target); with --before, both trees in interleaved rounds")
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="also measure the code in TREE (a checkout of the base commit) in the same run")
    parser.add_argument("--label", default="this tree", help=argparse.SUPPRESS)
    parser.add_argument("--rows-json", type=Path, help=argparse.SUPPRESS)  # child of --before: rows as JSON here
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="serving config override for the overload and shadow servers, e.g. overload.max_in_flight=4")
    parser.add_argument("--deadline-ms", type=int, default=100, help="the hook's deadline header in the second overload setting")
    parser.add_argument("--front", action="store_true",
                        help="overload section and --only-http: also through an HAProxy front of the same server (yunmao front-config), interleaved")
    parser.add_argument("--front-set", action="append", default=[], metavar="front.KEY=VALUE",
                        help="overload section with --front: also through a second front with these settings, in the same rounds")
    parser.add_argument("--overload-rounds", type=positive_int, default=1, help="overload section: blocks per target and scenario, pooled")
    parser.add_argument("--only-shadow", action="store_true", help="run only the shadow-challenger section")
    from http_bench import add_http_arguments, run_http  # here: these import this module's helpers
    from shadow_bench import add_shadow_arguments, run_shadow

    add_shadow_arguments(parser)
    add_http_arguments(parser)
    args = parser.parse_args()
    if args.front_set and not args.front:
        parser.error("--front-set compares a second front with the first: it needs --front")
    from configs.serving import FrontConfig

    def front_setting(override: str) -> bool:
        section, _, key = override.partition("=")[0].partition(".")
        return section == "front" and key in FrontConfig.model_fields

    if bad := [o for o in args.front_set if not front_setting(o)]:
        parser.error(f"--front-set takes front.KEY=VALUE settings, not {', '.join(bad)} (KEY: {', '.join(FrontConfig.model_fields)})")

    from models.registry import resolve_model_version

    name, version = resolve_model_version(args.model)
    records = mudou_records(args.messages, seed=11)
    if args.only_shadow:
        run_shadow(args, records)
        return
    if args.only_http:
        run_http(args, records, (
            f"Model `models:/{name}/{version}`; {len(records)} real mudou SMS (half spam), one per request; "
            f"{args.workers} workers each, cache off; {os.cpu_count()} cores shared with whatever else runs; "
            f"{args.rounds} rounds × {args.block_seconds:g} s blocks per server and scenario, interleaved; loopback. "
            f"Run: `nice .venv/bin/python benchmarks/serve_bench.py {' '.join(sys.argv[1:])}`."
        ))
        return
    if args.only_in_process and args.before:
        from in_process_ab import run_ab

        print(run_ab(args.before, args.model, args.messages, args.rounds))
        return
    if args.only_in_process:
        rows = in_process_rows(args.model, records, args.seconds, args.label)
        if args.rows_json:
            args.rows_json.write_text(json.dumps([row.__dict__ for row in rows]))
        print(render(rows, [], ""))
        return
    overload = overload_rows(args.model, records, args.seconds, args.workers, args.set, args.deadline_ms, args.front,
                             args.overload_rounds, args.front_set)
    overload_text = render_overload(overload, (
        f"Model `models:/{name}/{version}`; single-message requests of {len(records)} real mudou SMS (half spam), closed loop: each client "
        f"sends its next request on an answer (flood), or after a 503's Retry-After (honour); {args.workers} workers, cache off, "
        f"{os.cpu_count()} cores shared with whatever else runs; {args.overload_rounds} × {args.seconds:.0f} s per row; one server, one run. "
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

    ratios = target_lines(rows, ["before"] * bool(args.before) + [args.label],
                          [f"yunmao before (w={args.workers}, cache off)"] * bool(args.before) + [f"yunmao (w={args.workers}, cache off)"])
    meta = (
        f"Model `models:/{name}/{version}`; {len(records)} real mudou SMS, half spam (mean "
        f"{statistics.mean(len(r['text']) for r in records):.0f} chars), no cache unless stated; in-process rows: CPU time "
        f"of the scoring thread per call (p50/p99) and messages per CPU second; HTTP rows: wall time of scored answers at a raw-socket client, "
        f"errors = every other answer (503s of the overload policy included); "
        f"{os.cpu_count()} cores shared with whatever else runs; {args.seconds:.0f} s per scenario; loopback. "
        f"Run: `nice .venv/bin/python benchmarks/serve_bench.py {' '.join(sys.argv[1:])}`."
    )
    text = render(rows, ratios + notes, meta)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
