"""``dens.html``: the analyst's page — top dens with their evidence and a drawing of each den's links.

Self-contained like the evaluation report: drawings are embedded PNGs rendered with the bundled
CJK font (:mod:`training.report.fonts`, a missing glyph is an error via
:func:`training.report.plots.to_png`), no external script or stylesheet. Numbers come from
carriers' files, so the template autoescapes everything.
"""

from __future__ import annotations

from datetime import datetime, timezone

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection

from configs.dens import PageConfig
from features.graph.links import CallGraph
from training.dens.ranking import Den
from training.report.fonts import embedded_font_face, use_cjk_font
from training.report.html import template_environment
from training.report.plots import to_png

_ENV = template_environment("training.dens")
COLOURS = {1: "#c0392b", 0: "#2e86c1", None: "#aab7b8"}  # known fraud, known normal, unknown


def draw_den(graph: CallGraph, den: Den, known: pd.Series | None, max_vertices: int) -> str:
    """Base64 PNG of the den's links; a den larger than ``max_vertices`` shows its best-connected members."""
    vertices = graph.positions(den.members)
    sub = graph.graph.induced_subgraph(vertices)
    if sub.vcount() > max_vertices:
        keep = np.argsort(-np.asarray(sub.degree()), kind="stable")[:max_vertices]
        vertices = vertices[np.sort(keep)]
        sub = graph.graph.induced_subgraph(vertices)
    names = graph.names[vertices]
    labels = known.reindex(names) if known is not None else pd.Series(np.nan, index=names)
    colours = [COLOURS[None if np.isnan(v) else int(v)] for v in labels.to_numpy(dtype=float)]
    coords = np.asarray(sub.layout_fruchterman_reingold(niter=200).coords) if sub.vcount() > 1 else np.zeros((1, 2))
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    edges = np.asarray(sub.get_edgelist(), dtype=int).reshape(-1, 2)
    ax.add_collection(LineCollection(coords[edges], colors="#d5d8dc", linewidths=0.5, zorder=1))
    ax.scatter(coords[:, 0], coords[:, 1], c=colours, s=28, edgecolors="white", linewidths=0.5, zorder=2)
    shown = f"（显示联系最多的 {sub.vcount()} 个）" if sub.vcount() < den.size else ""
    ax.set_title(f"{den.id}：{den.size} 个号码{shown}\n红=已确认诈骗 蓝=已核实正常 灰=未知", fontsize=9)
    ax.set_axis_off()
    return to_png(fig)


def render_page(dens: list[Den], graph: CallGraph, known: pd.Series | None, config: PageConfig, sources: dict) -> str:
    """The whole HTML page for the first ``config.top_dens`` dens (``dens`` sorted by rank)."""
    use_cjk_font()
    top = dens[: config.top_dens]
    rows = []
    for den in top:
        listed = den.members[: config.members_listed]
        member_labels = known.reindex(listed) if known is not None else pd.Series(np.nan, index=listed)
        rows.append({
            "den": den,
            "members": [{"number": n, "label": None if np.isnan(v) else int(v)} for n, v in member_labels.items()],
            "more_members": den.size - len(listed),
            "drawing": draw_den(graph, den, known, config.vertices_drawn),
        })
    context = {"rows": rows, "total": len(dens), "sources": sources,
               "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    template = _ENV.get_template("dens.html.j2")
    # Rendered twice: the first pass collects the characters the embedded font must cover.
    text = template.render(font_face="", **context)
    return template.render(font_face=embedded_font_face(text), **context)
