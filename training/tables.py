"""Writing a result table by its file suffix, without importing the model stack (MLflow)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet", ".pq")


class OutputError(ValueError):
    """An output path that cannot be created or written; the message names it and why."""


@contextmanager
def writing(out: Path) -> Iterator[None]:
    """Writes to ``out`` (a file or a folder) inside this block fail as :class:`OutputError`.

    An ``--out`` under a file, on a read-only or full disk, is the user's input: the commands'
    one-line failure names it, where the bare ``OSError`` was a traceback.
    """
    try:
        yield
    except FileExistsError as exc:  # creating a folder where a file is: "File exists" says too little
        raise OutputError(f"cannot write to --out {out}: {exc.filename} is a file, not a folder") from exc
    except OSError as exc:
        raise OutputError(f"cannot write to --out {out}: {exc.strerror or exc}") from exc


def refuse_overwriting(out: Path, inputs: Iterable[str | Path]) -> None:
    """Refuse an ``--out`` that is one of the command's input files: the write would replace the
    input with its own results, and the user learns it only when the data is gone.

    Raises:
        OutputError: names the input.
    """
    target = Path(out).resolve()
    for path in inputs:
        if Path(path).resolve() == target:
            raise OutputError(f"--out {out} is also an input ({path}); writing would destroy it: choose another --out")


def write_texts(out: Path, files: dict[str, str]) -> dict[str, Path]:
    """Each ``name: text`` of ``files`` written as UTF-8 into folder ``out`` (created); returns the
    paths by name.

    Raises:
        OutputError: ``out`` cannot be created or written (see :func:`writing`).
    """
    paths = {name: out / name for name in files}
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            paths[name].write_text(text, encoding="utf-8")
    return paths


def write_table(frame: pd.DataFrame, out: Path) -> None:
    """CSV, JSONL or Parquet by suffix — the formats the loaders read back.

    Raises:
        ValueError: an unsupported suffix; :class:`OutputError` when ``out`` cannot be written.
    """
    suffix = out.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ValueError(f"{out}: output must end in .csv, .jsonl or .parquet")
    with writing(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            frame.to_csv(out, index=False, encoding="utf-8")
        elif suffix == ".jsonl":
            frame.to_json(out, orient="records", lines=True, force_ascii=False)
        else:
            frame.to_parquet(out, index=False)
