"""HTTP per-request overhead, side by side (``serve_bench.py --only-http``): yunmao of this tree,
yunmao of ``--before TREE``, this tree's server behind its HAProxy front (``--front``) and
``mlflow models serve``, all running at once, measured in interleaved blocks.

On cores shared with other work, two runs minutes apart differ by more than the change being
measured, so the servers run together and take turns: each round sends every scenario (1 and 16
closed-loop clients, single-message requests, the raw-socket client of :func:`raw_load`) to each
server for ``--block-seconds``, the order reversed every other round. Each block records the
scored answers' latencies, the policy answers (503), other errors and the CPU the server's
processes spent (:func:`server_cpu_s`). Differences are taken within a round (same minute, same
neighbours) and given with a 95% bootstrap interval over rounds (:func:`pair_bootstrap`).

    PYTHONPATH=. .venv/bin/python benchmarks/serve_bench.py --only-http --before /tmp/base [--rounds 8] [--block-seconds 3]

The yunmao servers of a run share one fresh, empty template store (not the data dir's, which
earlier runs filled with automatic confirmations): one store, so the campaign watch's confirmations
under the warm-up reach both servers alike and :func:`same_answers` compares like with like.

Printed only (the serving section of docs/benchmarks.md is the full run's).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from serve_bench import (
    fresh_template_store,
    front_command,
    mlflow_command,
    ms,
    process,
    quantile,
    raw_load,
    server_cpu_s,
    yunmao_command,
)
from shadow_bench import pair_bootstrap

CLIENTS = (1, 16)
WARM_UP_SECONDS = 2
MAX_BLOCK_REQUESTS = 100_000
SAME_ANSWER_MESSAGES = 300  # sent one per request to each yunmao server before the blocks
THIS, BEFORE, MLFLOW = "yunmao (this tree)", "yunmao (before)", "mlflow models serve"
FRONT = "yunmao (this tree) behind the HAProxy front"


@dataclass(frozen=True)
class Target:
    """A running server and how to send it one message."""

    system: str
    port: int
    path: str
    bodies: list[bytes]
    cpu_s: Callable[[], float]  # CPU seconds its processes have used so far


@dataclass
class Block:
    system: str
    clients: int
    round: int
    latencies: list[float]  # ms, scored answers
    shed: int
    errors: int
    elapsed_s: float
    cpu_s: float

    @property
    def cpu_ms_per_request(self) -> float:
        answered = len(self.latencies) + self.shed
        return self.cpu_s * 1000 / answered if answered else float("nan")


def add_http_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only-http", action="store_true",
                        help="only the HTTP comparison: this tree, --before TREE and mlflow, interleaved (benchmarks/http_bench.py)")
    parser.add_argument("--rounds", type=int, default=8,
                        help="--only-http, and --only-in-process with --before: rounds of interleaved blocks")
    parser.add_argument("--block-seconds", type=float, default=3.0, help="--only-http: seconds per server per scenario per round")
    # --front (serve_bench.py's, shared with the overload section): this tree's server also behind its front


def start(stack: ExitStack, system: str, command: tuple[int, dict[str, str], list[str]], ready_path: str, path: str,
          bodies: list[bytes], tree: Path | None = None) -> Target:
    """Start the server of ``command`` (port, environment, argv) until ``stack`` closes."""
    port, env, cmd = command
    started = stack.enter_context(process(cmd, f"http://127.0.0.1:{port}{ready_path}", env, cwd=tree))
    return Target(system, port, path, bodies, functools.partial(server_cpu_s, started.pid))


def start_front(stack: ExitStack, server: Target) -> Target:
    """``server`` behind an HAProxy front of ``yunmao front-config`` (serve_bench's): its CPU is the
    front's and the server's together."""
    import psutil

    from configs.serving import load_serving_config

    port, cmd = front_command(server.port, load_serving_config().model_dump())
    front = psutil.Process(stack.enter_context(process(cmd, f"http://127.0.0.1:{port}/readyz", os.environ.copy())).pid)

    def cpu_s() -> float:
        times = front.cpu_times()
        return times.user + times.system + server.cpu_s()

    return Target(FRONT, port, server.path, server.bodies, cpu_s)


def same_answers(targets: list[Target], records: list[dict]) -> str:
    """One line: do the yunmao servers answer the same messages identically (one per request, every
    field but the random decision_id)? Each message goes to every server back to back: the
    servers share the run's template store, whose automatic reasons quote a count
    ("已见 83 条") that the traffic in between moves (all 300 to one server, then all to the
    other, differed in 2-8 answers for that count alone, docs/benchmarks.md, session 11)."""
    import httpx

    def answer(target: Target, record: dict) -> dict:
        url = f"http://127.0.0.1:{target.port}{target.path}"
        result = httpx.post(url, json={"messages": [record]}, timeout=60).json()["results"][0]
        return {k: v for k, v in result.items() if k != "decision_id"}

    differ = 0
    systems = ", ".join(t.system for t in targets)
    for record in records:
        first, *others = [answer(t, record) for t in targets]
        unequal = [{k: (first[k], other.get(k)) for k in first if first[k] != other.get(k)} for other in others if other != first]
        differ += bool(unequal)
        for fields in unequal:  # what differs, so a difference can be judged (e.g. a count in a reason)
            print(f"http_bench: answers differ ({systems}) on {record['id']}: {fields}", flush=True)
    return f"- identical answers over HTTP ({systems}), every field but decision_id: {len(records) - differ} of {len(records)}"


def run_block(target: Target, clients: int, seconds: float, round_: int) -> Block:
    cpu = target.cpu_s()
    scored, shed, errors, elapsed = asyncio.run(raw_load(target.port, target.path, target.bodies, {}, clients, seconds, MAX_BLOCK_REQUESTS))
    return Block(target.system, clients, round_, scored, len(shed), errors, elapsed, target.cpu_s() - cpu)


def paired(blocks: list[Block], rounds: int, clients: int, a: str, b: str, value: Callable[[Block], float]) -> tuple[float, float, float]:
    """Mean over rounds of ``value(a's block) − value(b's block)`` at ``clients``, with its interval."""
    by_key = {(x.system, x.clients, x.round): x for x in blocks}
    diffs = [value(by_key[a, clients, r]) - value(by_key[b, clients, r]) for r in range(rounds)]
    return pair_bootstrap(diffs, statistics.fmean)


def render_http(blocks: list[Block], systems: list[str], rounds: int, meta: str) -> str:
    lines = [meta, "",
             "| system | clients | scored req/s | p50 ms | p99 ms | server CPU ms/req | shed (503) | other errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for clients in CLIENTS:
        for system in systems:
            mine = [b for b in blocks if b.system == system and b.clients == clients]
            latencies = [x for b in mine for x in b.latencies]
            answered = len(latencies) + sum(b.shed for b in mine)
            lines.append(
                f"| {system} | {clients} | {len(latencies) / sum(b.elapsed_s for b in mine):,.0f} | {ms(quantile(latencies, 50))} | "
                f"{ms(quantile(latencies, 99))} | {sum(b.cpu_s for b in mine) * 1000 / max(answered, 1):.2f} | "
                f"{sum(b.shed for b in mine)} | {sum(b.errors for b in mine)} |"
            )
    lines.append("")
    measures: list[tuple[str, Callable[[Block], float]]] = [
        ("server CPU ms/req", lambda b: b.cpu_ms_per_request),
        ("p50 ms", lambda b: quantile(b.latencies, 50) or float("nan")),
        ("p99 ms", lambda b: quantile(b.latencies, 99) or float("nan")),
        ("scored req/s", lambda b: len(b.latencies) / b.elapsed_s),
    ]
    for other, label in ((BEFORE, "this tree − before"), (FRONT, "behind the front − this tree")):
        if other not in systems:
            continue
        first, second = (THIS, BEFORE) if other == BEFORE else (FRONT, THIS)
        for clients in CLIENTS:
            for name, value in measures:
                mean, low, high = paired(blocks, rounds, clients, first, second, value)
                lines.append(f"- c={clients}, {name}, {label}, mean of {rounds} rounds: {mean:+.2f} [{low:+.2f}, {high:+.2f}]")
    if MLFLOW in systems:
        by_key = {(x.system, x.clients, x.round): x for x in blocks}
        ratios = [len(by_key[THIS, 16, r].latencies) / by_key[THIS, 16, r].elapsed_s
                  / max(len(by_key[MLFLOW, 16, r].latencies) / by_key[MLFLOW, 16, r].elapsed_s, 1e-9) for r in range(rounds)]
        mean, low, high = pair_bootstrap(ratios, statistics.fmean)
        lines.append(f"- c=16 scored req/s, this tree ÷ mlflow, mean of {rounds} rounds: {mean:.2f}× [{low:.2f}, {high:.2f}] (target ≥ 3)")
    return "\n".join(lines)


def run_http(args: argparse.Namespace, records: list[dict], meta: str) -> None:
    """Start the servers together, take the interleaved blocks, print the table."""
    sms = [json.dumps({"messages": [r]}, ensure_ascii=False).encode() for r in records]
    frames = [json.dumps({"dataframe_records": [r]}, ensure_ascii=False).encode() for r in records]
    trees = [(THIS, None)] + [(BEFORE, args.before)] * bool(args.before)
    store = fresh_template_store()
    with ExitStack() as stack:
        targets = [start(stack, system, yunmao_command(args.model, args.workers, 0, tree, template_store=store), "/readyz",
                         "/v1/sms/score", sms, tree)
                   for system, tree in trees]
        if args.front:
            targets.append(start_front(stack, targets[0]))
        targets.append(start(stack, MLFLOW, mlflow_command(args.model), "/ping", "/invocations", frames))
        for target in targets:  # warm-up: imports, caches, the batching dispatcher's cost model
            run_block(target, 4, WARM_UP_SECONDS, -1)
        same = same_answers([t for t in targets if t.system != MLFLOW], records[:SAME_ANSWER_MESSAGES])
        blocks = []
        for round_ in range(args.rounds):
            order = targets if round_ % 2 == 0 else targets[::-1]
            for clients in CLIENTS:
                blocks += [run_block(target, clients, args.block_seconds, round_) for target in order]
            print(f"http_bench: round {round_ + 1}/{args.rounds} done, load {os.getloadavg()[0]:.1f}", flush=True)
    print(render_http(blocks, [t.system for t in targets], args.rounds, meta) + "\n" + same)
