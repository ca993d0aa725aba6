"""The account of a load, one shape for SMS files and call data alike.

Every loader reports per input file (a CDR table is one file): rows read, rows kept, bad rows
by reason with the first bad line, so ``yunmao train`` and ``profiles build`` tell a user the
same things in the same words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FileReport:
    """What happened to one input file (``format``: its SMS format or CDR table kind)."""

    path: str
    format: str
    rows_read: int = 0
    rows_loaded: int = 0
    bad_rows: dict[str, int] = field(default_factory=dict)
    first_bad_line: dict[str, int] = field(default_factory=dict)

    def count_bad(self, reason: str, count: int, first_line: int) -> None:
        """Record ``count`` rows rejected for ``reason``; ``first_line`` is kept the first time."""
        if count:
            self.bad_rows[reason] = self.bad_rows.get(reason, 0) + count
            self.first_bad_line.setdefault(reason, first_line)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "bad_rows": dict(sorted(self.bad_rows.items())),
            "first_bad_line": dict(sorted(self.first_bad_line.items())),
        }


@dataclass
class LoadReport:
    """Per-file counts plus what deduplication removed; ``rows`` is the final frame's length."""

    files: list[FileReport]
    rows: int
    duplicates_removed: int = 0
    conflicting_labels: int = 0

    @property
    def bad_rows(self) -> dict[str, int]:
        """Bad rows by reason over all files."""
        totals: Counter[str] = Counter()
        for report in self.files:
            totals.update(report.bad_rows)
        return dict(sorted(totals.items()))

    @property
    def total_bad(self) -> int:
        return sum(self.bad_rows.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": [report.as_dict() for report in self.files],
            "rows": self.rows,
            "duplicates_removed": self.duplicates_removed,
            "conflicting_labels": self.conflicting_labels,
        }

    def summary(self) -> str:
        """Human-readable report, one line per file then the totals."""
        lines = []
        for report in self.files:
            bad = ", ".join(f"{reason}={count}" for reason, count in sorted(report.bad_rows.items()))
            lines.append(
                f"{report.path} [{report.format}]: read {report.rows_read}, loaded {report.rows_loaded}"
                f", bad rows: {bad or 'none'}"
            )
        lines.append(
            f"total: {self.rows} rows after removing {self.duplicates_removed} duplicates"
            f" ({self.conflicting_labels} with conflicting labels)"
        )
        return "\n".join(lines)
