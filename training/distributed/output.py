"""Output datasets that are whole or absent: written under a hidden temporary name, then renamed.

A reader (or the next job) never sees a half-written dataset under the real name: a job that
dies leaves only a ``.NAME.partial-*`` folder, which the next run of the job removes.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL_MARK = ".partial-"


def partial_dirs(out: Path) -> list[Path]:
    """Temporary folders earlier runs writing ``out`` left behind."""
    return sorted(out.parent.glob(f".{out.name}{PARTIAL_MARK}*"))


@contextmanager
def replaced_whole(out: Path) -> Iterator[Path]:
    """A temporary folder to write into; on success it replaces ``out`` whole (old files and
    all), on failure it is removed and ``out`` is left as it was."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in partial_dirs(out):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = out.parent / f".{out.name}{PARTIAL_MARK}{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
