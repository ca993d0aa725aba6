"""Stable den ids: a rebuilt den keeps the id of the previous den it mostly overlaps.

Analysts annotate dens by id, so rebuilding with a few more or fewer links must not renumber
them. New communities are matched to the previous ``dens.json`` greedily by Jaccard overlap of
their members (best pair first, each id used once, at least ``min_jaccard``); the rest get
fresh ids above every id seen before.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from training.dens.ranking import Den

ID_PATTERN = re.compile(r"^den-(\d+)$")
# dens.json key of the Leiden settings its dens were found with: a den id names a community of that
# partition only (``training/profiles.check_den_partition``).
PARTITION_KEY = "partition"


class DensFileError(ValueError):
    """A dens.json is absent, unreadable or not in the format ``yunmao dens`` writes."""


@dataclass(frozen=True)
class DensFile:
    """A ``dens.json`` as read: den id → members, and the Leiden settings its dens were found with
    (``configs.call.GraphConfig.partition_settings``; None in files written before they were recorded)."""

    members: dict[str, set[str]]
    partition: dict[str, float | int] | None


def read_dens_file(path: Path) -> DensFile:
    """The dens of a ``dens.json``: the previous dens whose ids a rebuild keeps, or the dens whose
    ids ``profiles build --dens`` gives the numbers.

    Raises:
        DensFileError: no such file, unreadable JSON, no ``dens`` list of objects with ``id`` and
            ``members``, or a ``partition`` that is not an object.
    """
    if not path.is_file():
        raise DensFileError(f"{path}: no such dens file")
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        members = {str(den["id"]): set(map(str, den["members"])) for den in table["dens"]}
        partition = table.get(PARTITION_KEY)
        if partition is not None and not isinstance(partition, dict):
            raise TypeError(f"{PARTITION_KEY} is a {type(partition).__name__}, not an object")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DensFileError(f"{path}: not a dens.json written by yunmao dens ({exc})") from exc
    return DensFile(members, partition)


def read_dens(path: Path) -> dict[str, set[str]]:
    """Den id → members of a ``dens.json`` (:func:`read_dens_file`).

    Raises:
        DensFileError: as :func:`read_dens_file`.
    """
    return read_dens_file(path).members


def assign_ids(dens: list[Den], previous: dict[str, set[str]], min_jaccard: float) -> None:
    """Set ``den.id`` in place: previous ids by greedy best Jaccard match, fresh ids otherwise."""
    owner = {number: den_id for den_id, numbers in previous.items() for number in numbers}
    candidates = []
    for index, den in enumerate(dens):
        members = set(den.members)
        for den_id in {owner[n] for n in members if n in owner}:
            overlap = len(members & previous[den_id])
            jaccard = overlap / len(members | previous[den_id])
            if jaccard >= min_jaccard:
                candidates.append((jaccard, index, den_id))
    taken_dens: set[int] = set()
    taken_ids: set[str] = set()
    for _, index, den_id in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if index not in taken_dens and den_id not in taken_ids:
            dens[index].id = den_id
            taken_dens.add(index)
            taken_ids.add(den_id)
    numbers = [int(m.group(1)) for m in map(ID_PATTERN.match, previous) if m]
    fresh = max(numbers, default=0) + 1
    for den in dens:
        if not den.id:
            den.id = f"den-{fresh}"
            fresh += 1
