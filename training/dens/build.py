"""Links (+ labels, model scores, CDRs) → ranked dens with stable ids, as ``yunmao dens`` runs it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from configs.call import CallConfig, LinksConfig
from configs.dens import DensConfig
from features.graph.links import CallGraph, LinkError
from features.labels import parse_label
from models.scam_model import Thresholds
from training.data.call_tables import load_links
from training.data.cdr import read_table
from training.dens.core import core_numbers, split_cores
from training.dens.devices import den_cdr_evidence
from training.dens.identity import PARTITION_KEY, assign_ids, read_dens
from training.dens.page import render_page
from training.dens.ranking import Den, communities, rank_dens

NUMBER = "phone_no_m"
DENS_FILE, PAGE_FILE = "dens.json", "dens.html"


@dataclass
class DenInputs:
    """Everything the ranking may use; all but ``links`` optional.

    ``member_thresholds``: the scoring model's block/warn cuts, with which ``member_scores`` decide
    who is in a den's core (:func:`training.dens.core.core_numbers`).
    """

    links: pd.DataFrame
    known: pd.Series | None = None
    member_scores: pd.Series | None = None
    member_thresholds: Thresholds | None = None
    voc: pd.DataFrame | None = None


def read_labels(paths: Sequence[str | Path]) -> pd.Series:
    """Label (0/1) by number from tables with ``phone_no_m`` and ``label``; unparsable labels dropped.

    Raises:
        ValueError: a table lacks either column, or no row has a usable label.
    """
    frames = []
    for path in map(Path, paths):
        table = read_table(path)
        missing = [c for c in (NUMBER, "label") if c not in table.columns]
        if missing:
            raise ValueError(f"{path}: labels table lacks columns {missing} (got {list(table.columns)[:6]})")
        frames.append(table[[NUMBER, "label"]])
    table = pd.concat(frames, ignore_index=True)
    labels = table["label"].map(parse_label)
    table = table.assign(label=labels)[labels.notna()].drop_duplicates(NUMBER, keep="last")
    if table.empty:
        raise ValueError(f"no usable label (0/1, fraud/normal) in {[str(p) for p in paths]}")
    return pd.Series(table["label"].astype(int).to_numpy(), index=table[NUMBER].astype(str).str.strip())


def den_graph(links: pd.DataFrame, known: pd.Series | None, call: CallConfig, dens: DensConfig) -> CallGraph:
    """The call graph at the dens' Leiden resolution (same cleaning, seed and community code).

    Raises:
        LinkError: wrong schema, no usable link, or links sharing no number with the labels.
    """
    graph_config = call.graph.model_copy(update={"leiden_resolution": dens.leiden_resolution})
    numbers = [] if known is None else known.index
    return CallGraph.from_links(links, numbers, graph_config)


def find_dens(
    graph: CallGraph, inputs: DenInputs, config: DensConfig, previous: dict[str, set[str]] | None = None
) -> list[Den]:
    """Ranked dens (rank 1 first) of ``graph`` (see :func:`den_graph`) with ids matched to ``previous`` dens.

    With labels and ``config.core.enabled``, a den is the core of a community (members whose
    labelled neighbours are mostly known fraud) and the rest of the community are its contacts.

    Raises:
        LinkError: no community (or core) reaches ``min_size``.
    """
    members = communities(graph, config.min_size)
    contacts = None
    if inputs.known is not None and config.core.enabled:
        core = core_numbers(graph, inputs.known, config.core, inputs.member_scores, inputs.member_thresholds)
        split = split_cores(members, core, set(inputs.known.index), config.min_size)
        members, contacts = [core for core, _ in split], [rest for _, rest in split]
    if not members:
        cut = " once communities are cut to their cores (configs/dens.yaml core)" if contacts is not None else ""
        raise LinkError(f"no den of {config.min_size}+ numbers in the graph{cut} "
                        f"({graph.report.vertices} numbers, {graph.report.links_kept} links)")
    cdr = None if inputs.voc is None else [den_cdr_evidence(inputs.voc, m, config.page.shared_items_listed) for m in members]
    share = None if cdr is None else [e.pop("shared_device_share") for e in cdr]
    dens = rank_dens(members, config, inputs.known, inputs.member_scores, share, contacts)
    if cdr is not None:
        by_first_member = {m[0]: e for m, e in zip(members, cdr, strict=True)}
        for den in dens:
            den.evidence.update(by_first_member[den.members[0]])
    assign_ids(dens, previous or {}, config.min_jaccard_same_den)
    return dens


@dataclass
class DenDiscovery:
    """What one den discovery found and writes: ranked dens, file name → text, and the summary."""

    dens: list[Den]
    files: dict[str, str]
    summary: dict


def discover_dens(inputs: DenInputs, call: CallConfig, config: DensConfig, previous: dict[str, set[str]],
                  cdr: Path | None = None) -> DenDiscovery:
    """``yunmao dens`` from its loaded inputs: the graph, the ranked dens (ids matched to
    ``previous``), ``dens.json``, the analyst's ``dens.html`` and the summary the CLI prints.
    The quickstart calls it too, so the dens it shows are the ones the CLI would find.

    Raises:
        LinkError: unusable links, or no den (see :func:`find_dens`).
        FontError: the page's CJK font is missing.
    """
    graph = den_graph(inputs.links, inputs.known, call, config)
    found = find_dens(graph, inputs, config, previous)
    sources = {"links": graph.report.links_kept, "numbers": graph.report.vertices,
               "labels": 0 if inputs.known is None else len(inputs.known),
               "scored": 0 if inputs.member_scores is None else len(inputs.member_scores), "cdr": str(cdr or "—")}
    page = render_page(found, graph, inputs.known, config.page, sources)
    table = json.dumps({PARTITION_KEY: graph.config.partition_settings(), "dens": [d.as_dict() for d in found]},
                       ensure_ascii=False, indent=1)
    summary = {"dens": len(found), "ids_kept": sum(1 for d in found if d.id in previous),
               "numbers_in_dens": sum(d.size for d in found), **sources}
    return DenDiscovery(found, {DENS_FILE: table, PAGE_FILE: page}, summary)


def load_inputs(
    links: Sequence[Path], labels: Sequence[Path], cdr: Path | None, links_config: LinksConfig | None = None
) -> DenInputs:
    """Link files, label tables and the CDR calls table; with CDRs, also the links built from them
    (shared devices, shared callees, direct calls: :func:`features.graph.cdr_links.build_links`).

    Raises:
        ValueError: (LinkError, CdrLoadError) a file is absent, unreadable or has the wrong columns;
            neither link files nor CDRs given.
    """
    from features.graph.cdr_links import build_links
    from training.data.cdr import load_cdr_dir

    if not links and cdr is None:
        raise ValueError("give --links, --cdr or both: dens are found in the links between numbers")
    voc = load_cdr_dir(cdr)[0].voc if cdr is not None else None
    frames = [load_links(links)] if links else []
    if voc is not None:
        built = build_links(voc, links_config or LinksConfig())
        # A link file without weights means every link counts once: say so, so that its rows
        # beside the weighted links built from CDRs are not read as links with a missing weight.
        frames = [frame if "weight" in frame else frame.assign(weight=1.0) for frame in frames] + [built]
    return DenInputs(links=pd.concat(frames, ignore_index=True), known=read_labels(labels) if labels else None, voc=voc)


def previous_dens(path: Path | None, out: Path) -> dict[str, set[str]]:
    """Previous dens from ``path``, else from ``out/dens.json`` when it exists, else none."""
    path = path or (out / DENS_FILE)
    if not path.exists():
        if path != out / DENS_FILE:
            raise ValueError(f"{path}: no such previous dens file")
        return {}
    return read_dens(path)


def score_members(
    model_uri: str, data: Sequence[Path], features: Sequence[Path], links: Sequence[Path]
) -> tuple[pd.Series, Thresholds, list[str]]:
    """Call-model score by number for the records of ``data`` (graph columns from ``links`` when the
    model has them), the model's thresholds, and the trained columns ``data`` lacks (scored as unknown).

    Raises:
        ModelNotFoundError: no such model.
        ValueError: an SMS model, or unusable data.
    """
    from models.pyfunc import decisions_frame
    from models.registry import load_scam_model
    from training.data.datasets import load_for_model

    model = load_scam_model(model_uri)
    if model.kind != "call":
        raise ValueError(f"{model_uri} is a {model.kind} model; dens are scored with a call model")
    frame, notes = load_for_model(model, data, labelled=False, features=features, links=links if model.graph is not None else ())
    scores = decisions_frame(model, frame, explain=False)["score"].to_numpy(dtype=float)
    by_number = pd.Series(scores, index=frame[NUMBER].astype(str).to_numpy()).groupby(level=0).mean()
    return by_number, model.thresholds, notes.get("missing_columns", [])
