"""README's three commands on loopback: ``dask scheduler``, two ``dask worker`` processes, and a
job run with ``--scheduler``; then the same job with a worker killed while it runs.

Readiness is waited for by condition (a client that sees both workers; the job's own progress
line), never by sleeping.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from configs.call import ProfileConfig
from tests.servers import wait_until
from tests.training.distributed.test_profiles_links import assert_frames_equal
from training.data.cdr import load_call_training_data
from training.distributed.cluster import SCHEDULER_HTTP_ON_A_FREE_PORT

pytest.importorskip("distributed", reason="the dask extra is part of the test extra")
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60


def scheduler_address(scheduler_file: Path) -> str | None:
    """The address a scheduler started with ``--scheduler-file`` listens on, once it has written it."""
    try:
        return json.loads(scheduler_file.read_text())["address"]
    except (OSError, ValueError, KeyError):  # not written yet, or half written
        return None


@pytest.fixture
def loopback_cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler and two one-thread workers started as README says; stopped afterwards."""
    from distributed import Client

    # Ports 0, read back from the scheduler file: a port picked free beforehand can be taken by a
    # parallel test before the scheduler binds it, and the HTTP server distributed starts even
    # with --no-dashboard would otherwise reach for 8787.
    scheduler_file = tmp_path / "scheduler.json"
    logs = open(tmp_path / "cluster.log", "w")  # noqa: SIM115 (closed below, after the processes)
    scheduler = subprocess.Popen([BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--dashboard-address", SCHEDULER_HTTP_ON_A_FREE_PORT, "--scheduler-file", str(scheduler_file)],
                                 stdout=logs, stderr=logs)
    workers: list[subprocess.Popen] = []
    try:
        assert wait_until(lambda: scheduler_address(scheduler_file) is not None, STARTUP_SECONDS), \
            (tmp_path / "cluster.log").read_text()
        address = scheduler_address(scheduler_file)
        workers += [subprocess.Popen([BIN / "dask", "worker", address, "--nthreads", "1", "--no-dashboard",
                                      "--host", "127.0.0.1"], stdout=logs, stderr=logs) for _ in range(2)]
        with Client(address, timeout=STARTUP_SECONDS) as client:
            client.wait_for_workers(2, timeout=STARTUP_SECONDS)
        yield address, workers
    finally:
        for process in (*workers, scheduler):
            process.terminate()
        for process in (*workers, scheduler):
            process.wait(timeout=30)
        logs.close()


def profiles_job(cdr: Path, out: Path, address: str) -> list[str]:
    return [str(BIN / "yunmao"), "profiles", "build", "--cdr", str(cdr), "--out", str(out), "--engine", "dask",
            "--scheduler", address]


@pytest.mark.slow
def test_jobs_on_a_loopback_cluster(loopback_cluster, demo_cdrs: dict[str, Path], tmp_path: Path) -> None:
    address, workers = loopback_cluster
    local, _ = load_call_training_data(demo_cdrs["flat"], "cdr", ProfileConfig())

    out = tmp_path / "profiles.parquet"
    done = subprocess.run(profiles_job(demo_cdrs["hive"], out, address), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["numbers"] == len(local)
    assert "profiles: partition 4/4 done" in done.stderr
    assert_frames_equal(pd.read_parquet(out), local)

    # A worker killed once the data is loaded and partitions are being built: Dask recomputes
    # what it held on the other worker, or the job fails with one line and writes nothing.
    out = tmp_path / "after-kill.parquet"
    job = subprocess.Popen(profiles_job(demo_cdrs["hive"], out, address), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in job.stderr:
        if line.startswith("profiles: latest time"):
            os.kill(workers[0].pid, signal.SIGKILL)
            break
    stdout, stderr = job.communicate(timeout=300)
    if job.returncode == 0:
        assert_frames_equal(pd.read_parquet(out), local)
    else:
        assert job.returncode == 2 and "Dask job failed" in stderr and "Traceback" not in stderr, stderr
        assert not out.exists()
