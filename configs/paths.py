"""Where yunmao keeps its files when no server is configured.

The embedded default is the project's own ``data/`` folder (beside ``pyproject.toml``):
MLflow's SQLite store and artifacts, demo data, profile store and feedback all live there.
``YUNMAO_DATA_DIR`` moves it; ``MLFLOW_TRACKING_URI`` points MLflow at a real server instead.
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
