"""The files of one running ``yunmao serve`` instance: its Prometheus multiprocess directory and
the reload board its workers share (``serving/reload_sync``).

One folder per bound address under ``<data dir>/serving/``, emptied when the instance starts:
BentoML's default (``~/bentoml/prometheus_multiproc_dir``) is shared by every BentoML process of
the user and wiped whenever any of them starts, which emptied a running service's ``/metrics``.
Workers find the folder through ``$YUNMAO_INSTANCE_DIR``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from configs.paths import data_dir

INSTANCE_DIR_ENV = "YUNMAO_INSTANCE_DIR"


def prepare_instance_dir(host: str, port: int) -> Path:
    """An empty folder for the instance bound to ``host:port`` (call once the port is known free)."""
    path = data_dir() / "serving" / f"{host.replace(':', '_')}-{port}"
    shutil.rmtree(path, ignore_errors=True)
    (path / "prometheus").mkdir(parents=True)
    return path


def current_instance_dir() -> Path | None:
    """This worker's instance folder, or None outside ``yunmao serve`` (in-process test apps)."""
    value = os.environ.get(INSTANCE_DIR_ENV)
    return Path(value) if value else None
