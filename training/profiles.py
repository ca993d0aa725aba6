"""``yunmao profiles build``: per-number profiles for the online store, graph columns included.

The live call scorer reads one stored profile per caller, so graph features must be in the
profile: they are computed here by the same function training used, from the links and the
known-label set of the model that will score them (``model``), never from labels in the data.

A profile also names the den its number belongs to (``den_id``), so the call endpoint's den
reason can point the analyst at it. The id is read from the ``dens.json`` that ``yunmao dens``
wrote (``--dens``), not assigned here: ids are the analyst's handle on a den — annotated,
kept across rebuilds by :mod:`training.dens.identity` — and ``yunmao dens`` alone decides
which numbers make up a den (its core cut) and what each is called. A second id assignment over
the profile build's own communities would be a second notion of "den" under the same names, and
numbers the analyst sees in den-12 could be published in another. Only a den's members get its
id; its contacts (the victims and others the gang talks to) and numbers in no den get none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from configs.call import CallConfig
from features.graph.reasons import DEN_ID
from models.scam_model import ScamModel
from training.data.call_tables import NUMBER_COLUMN, join_feature_tables, load_links
from training.data.cdr import load_call_training_data
from training.data.datasets import ready_for_model
from training.data.report import LoadReport
from training.dens.identity import DensFileError, read_dens_file


def build_profile_table(
    cdr: str | Path,
    cfg: CallConfig,
    features: Sequence[str | Path] = (),
    links: Sequence[str | Path] = (),
    model: ScamModel | None = None,
    dens: DenIds | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Profiles from CDRs (+ extra tables, + graph columns for ``model``, + den ids from ``dens``)
    and a load report.

    Raises:
        ValueError: unusable CDRs, tables or links; dens of other data; ``links`` without a graph ``model``.
    """
    profiles, report = load_call_training_data(cdr, "cdr", cfg.profiles)
    return complete_profile_table(profiles, report, features, links, model, dens)


def complete_profile_table(
    profiles: pd.DataFrame,
    report: LoadReport,
    features: Sequence[str | Path] = (),
    links: Sequence[str | Path] = (),
    model: ScamModel | None = None,
    dens: DenIds | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Built profiles joined with the extra tables, given ``model``'s graph columns and the den
    ids of ``dens``, whichever engine built them; and the summary of what was loaded.

    Raises:
        ValueError: unusable tables or links; dens of other data; ``links`` without a graph ``model``.
    """
    if links and model is None:
        raise ValueError("--links needs --model: graph features use the known-fraud set of the model that will score them")
    profiles, feature_reports = join_feature_tables(profiles, features)
    summary = {**report.as_dict(), "feature_tables": feature_reports}
    if links:
        check_den_partition(dens, model)
        profiles, notes = ready_for_model(model, profiles, load_links(links), evaluation=False)
        summary.update(notes)
    if dens is not None:
        profiles, summary["dens"] = attach_den_ids(profiles, dens)
    return profiles, summary


@dataclass(frozen=True)
class DenIds:
    """The ``dens.json`` id of every den member (``by_number``), read from ``path`` before any
    profile is built: a bad dens file then fails in a moment rather than after the CDRs' build
    (a cluster's job with ``--engine dask``)."""

    path: Path
    by_number: dict[str, str]
    partition: dict[str, float | int] | None = None  # the Leiden settings the dens were found with


def read_den_ids(dens: Path) -> DenIds:
    """The den id of each member of ``dens`` (contacts are no member: they get no id).

    Raises:
        DensFileError: ``dens`` is absent or not a dens.json, or puts a number in two dens.
    """
    owner: dict[str, str] = {}
    table = read_dens_file(dens)
    for den_id, members in table.members.items():
        for number in members:
            if owner.setdefault(number, den_id) != den_id:
                raise DensFileError(f"{dens}: number {number} is a member of both {owner[number]} and {den_id}")
    return DenIds(dens, owner, table.partition)


def check_den_partition(dens: DenIds | None, model: ScamModel | None) -> None:
    """Raise unless ``dens`` were found with the Leiden settings ``model``'s graph features use.

    A den reason gives the size and fraud count of the number's community in the model's graph
    (``graph_den_*``) under the ``dens.json`` id of the den it is a member of: found at another
    resolution, that id names another community, and the analyst opening it in ``dens.html`` finds
    other numbers than the sentence counted. A file written before ``yunmao dens`` recorded its
    settings passes (they were the defaults then, as the model's usually are).

    Raises:
        DensFileError: names each setting that differs, both values, and what to do.
    """
    if dens is None or dens.partition is None or model is None or model.graph is None:
        return
    ours = model.graph.config.partition_settings()
    differ = {name: (dens.partition.get(name), value) for name, value in ours.items() if dens.partition.get(name) != value}
    if differ:
        settings = ", ".join(f"{name} {theirs} (the model's graph: {value})" for name, (theirs, value) in differ.items())
        raise DensFileError(
            f"{dens.path}: its dens were found with {settings}, so its den ids name other communities than the den "
            "sizes the model's reasons give: rebuild the dens with the model's settings (configs/dens.yaml) or drop --dens"
        )


def attach_den_ids(profiles: pd.DataFrame, dens: DenIds) -> tuple[pd.DataFrame, dict]:
    """``profiles`` with :data:`DEN_ID`: the id of the den each number is a member of (missing for
    contacts and numbers in no den); and what matched.

    Raises:
        DensFileError: the dens share no member with the profiles (dens of other data), which only
            the built profiles can tell.
    """
    ids = profiles[NUMBER_COLUMN].astype(str).map(dens.by_number)
    if len(profiles) and not ids.notna().any():
        raise DensFileError(f"{dens.path}: none of its {len(dens.by_number)} den members is among the {len(profiles)} profiled "
                            "numbers (dens of other data?)")
    return profiles.assign(**{DEN_ID: ids.astype("str")}), {"path": str(dens.path), "numbers_in_dens": int(ids.notna().sum()),
                                                            "dens_matched": int(ids.nunique())}
