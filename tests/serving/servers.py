"""Real ``yunmao serve`` processes for tests: started in their own session on a free loopback
port, waited for (readiness and every worker up), and killed with every worker even when the
test fails. Built on the generic helpers in ``tests/servers``."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

from tests.servers import CONDITION_SECONDS, free_port, http_ok, port_open, running_server, system_binary, wait_until

CLI = Path(sys.executable).with_name("yunmao")
SERVE_STARTUP_SECONDS = 180


@dataclass(frozen=True)
class RunningServer:
    url: str
    port: int
    proc: Popen[bytes]
    log: Path
    workers: tuple[int, ...]  # worker pids (children of the server process)


def child_pids(pid: int) -> tuple[int, ...]:
    """Direct children of ``pid`` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return tuple(sorted(children))


def is_running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def serve_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the server makes its own
    return env


@contextmanager
def yunmao_serve(args: list[str], log: Path, env: Mapping[str, str] | None = None, workers: int = 1) -> Iterator[RunningServer]:
    """``yunmao serve ARGS --port P --host 127.0.0.1 --workers N``, ready (``/readyz`` 200 and
    ``workers`` worker processes up); afterwards its process group and any worker left are killed."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [str(CLI), "serve", *args, "--port", str(port), "--host", "127.0.0.1", "--workers", str(workers)]
    seen: list[tuple[int, ...]] = [()]
    readyz = http_ok(f"{url}/readyz")
    proc_box: list[Popen[bytes]] = []

    def ready() -> bool:
        seen[0] = child_pids(proc_box[0].pid) if proc_box else ()
        return len(seen[0]) >= workers and readyz()

    try:
        with running_server(argv, ready, timeout=SERVE_STARTUP_SECONDS, log=log, env=serve_env(env),
                            on_start=proc_box.append) as proc:
            yield RunningServer(url, port, proc, log, seen[0])
    finally:
        for pid in seen[0]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@dataclass(frozen=True)
class Front:
    url: str
    metrics_url: str


@contextmanager
def front_before(backend: str, workdir: Path, **settings: object) -> Iterator[Front]:
    """A running HAProxy front (``yunmao front-config``'s config: the shipped ``front`` settings with
    ``settings`` changed) before the server at ``backend`` (``HOST:PORT``), on free loopback ports.
    Skips where HAProxy is absent (CI installs it)."""
    from configs.serving import ServingConfig, load_serving_config
    from serving.front import render_front_config

    haproxy = system_binary("haproxy")
    shipped = load_serving_config().model_dump()
    front_port, metrics_port = free_port(), free_port()
    front = {**shipped["front"], "listen": f"127.0.0.1:{front_port}", "backend": backend,
             "metrics_listen": f"127.0.0.1:{metrics_port}", **settings}
    config = workdir / "haproxy.cfg"
    config.write_text(render_front_config(ServingConfig.model_validate({**shipped, "front": front})), encoding="utf-8")
    url = f"http://127.0.0.1:{front_port}"
    with running_server([haproxy, "-f", str(config)], port_open(front_port), timeout=CONDITION_SECONDS, log=workdir / "haproxy.log"):
        yield Front(url, f"http://127.0.0.1:{metrics_port}/metrics")


def logged_events(log: Path, event: str, offset: int = 0) -> list[dict[str, object]]:
    """The JSON log lines of ``event`` written to ``log`` after byte ``offset``."""
    lines = log.read_bytes()[offset:].decode(errors="replace").splitlines()
    return [json.loads(line[line.index("{"):]) for line in lines if f'"event": "{event}"' in line]


def every_worker_logs(server: RunningServer, send: Callable[[], object], offset: int, event: str = "sms_scored",
                      where: Callable[[dict[str, object]], object] = bool) -> set[object]:
    """Call ``send`` (a round of requests on new connections) until every worker of ``server`` has
    logged ``event`` (a line ``where`` accepts) after byte ``offset``; the pids that have, once all
    have or after CONDITION_SECONDS.

    The kernel, not the test, gives each new connection to a worker, and may give a busy machine's
    slow worker none for a while: a fixed number of requests proves nothing about both workers.
    Sending until the log holds the evidence makes only the time to it vary."""

    def pids() -> set[object]:
        return {e["pid"] for e in logged_events(server.log, event, offset) if where(e)}

    def sent_and_all_seen() -> bool:
        send()
        return pids() >= set(server.workers)

    wait_until(sent_and_all_seen, CONDITION_SECONDS)
    return pids()
