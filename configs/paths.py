"""Where yunmao keeps its files when no server is configured.

The embedded default is the project's own ``data/`` folder (beside ``pyproject.toml``):
MLflow's SQLite store and artifacts, demo data, profile store and feedback all live there.
``YUNMAO_DATA_DIR`` moves it; ``MLFLOW_TRACKING_URI`` points MLflow at a real server instead.

With a read-only root filesystem (a container) every path written at run time must be movable
to a writable volume: the data dir, jieba's dictionary cache (``YUNMAO_JIEBA_CACHE_DIR``) and
BentoML's home (``BENTOML_HOME``, BentoML's own variable).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The project's data folder (created on first use, never at import time)."""
    path = Path(os.environ.get("YUNMAO_DATA_DIR") or PROJECT_ROOT / "data").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_file(path: str | None, default_name: str) -> Path:
    """A configured file: ``default_name`` in the data dir when ``path`` is None, a relative
    ``path`` under the data dir, an absolute one (``~`` expanded) as it is."""
    if path is None:
        return data_dir() / default_name
    chosen = Path(path).expanduser()
    return chosen if chosen.is_absolute() else data_dir() / chosen


def jieba_cache_dir() -> Path | None:
    """Where jieba keeps its prefix-dictionary cache: ``YUNMAO_JIEBA_CACHE_DIR``, else None (jieba's
    default, the system temp dir). Written once per dictionary; a worker start reads it (~1 s saved)."""
    value = os.environ.get("YUNMAO_JIEBA_CACHE_DIR")
    return Path(value).resolve() if value else None
