"""How ``yunmao serve`` and its worker processes stay one unit on the host.

BentoML's process manager (circus) starts each worker in a session of its own, so killing the
server's process group, or ``kill -9`` of the server, used to leave the workers running and
holding the port. Each worker therefore asks the kernel to kill it when the server process dies
(Linux ``PR_SET_PDEATHSIG``), and ``yunmao serve`` checks the port is free before starting
anything, so a second server fails with one line rather than a BentoML traceback.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import signal
import socket
import sys

from serving.logs import log_event

SERVER_PID_ENV = "YUNMAO_SERVER_PID"
_PR_SET_PDEATHSIG = 1


class PortBusy(OSError):
    """Another process is listening on the address ``yunmao serve`` was asked to bind."""


def ensure_port_free(host: str, port: int) -> None:
    """Raise :class:`PortBusy` when ``host:port`` cannot be bound.

    ``SO_REUSEADDR`` as BentoML's own listening socket sets it: a port in TIME_WAIT after a
    previous server is free to use; a port with a live listener is not.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortBusy(f"port {port} on {host} is already in use (another yunmao serve?)") from exc
            raise PortBusy(f"cannot bind {host}:{port}: {exc.strerror}") from exc


def die_with_server() -> None:
    """In a worker started by ``yunmao serve``: be killed when the server process dies.

    A no-op outside such a worker (``$YUNMAO_SERVER_PID`` unset, e.g. an in-process test app).
    If the server died before this ran, the worker exits now instead of serving as an orphan.
    Call it from the worker's main thread (BentoML builds the service there): Linux drops the
    setting when the thread that made it exits.
    """
    server_pid = os.environ.get(SERVER_PID_ENV)
    if server_pid is not None:
        die_with(int(server_pid))


def die_with(parent_pid: int) -> None:
    """Be killed (SIGKILL) when ``parent_pid``, this process's parent, dies; exit now if it
    already has. Linux only (elsewhere logged once and skipped); call it from the main thread."""
    if not sys.platform.startswith("linux"):
        log_event("process_outlives_parent", reason="PR_SET_PDEATHSIG is Linux-only", platform=sys.platform)
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:
        os._exit(1)


def exit_once_workers_are_gone() -> None:
    """End ``yunmao serve`` at once after its workers have stopped, skipping interpreter teardown.

    The server process holds no state of its own (the workers served and have finished every
    request), but it imported MLflow, SQLAlchemy and pandas to check the model, and tearing
    that heap down was a garbage collection of 10-16 s on this 2-core machine, once over two
    minutes (py-spy: ``gc_collect_main`` with no Python frame left), eating into an
    orchestrator's grace period after the real work was done. Logs are flushed first.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
