"""One self-contained HTML file from the report's numbers and figures (Jinja2 template in the package).

Autoescaping is on: message texts and reasons come from senders and must never become markup.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from training.metrics import recall_key
from training.report.fonts import embedded_font_face


def template_environment(package: str) -> Environment:
    """Jinja2 templates of ``package``/templates with the analyst pages' rules: autoescaped (texts
    come from senders), undefined names fail loudly, block tags leave no blank lines."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_ENV = template_environment("training.report")
_ENV.filters["recall_key"] = recall_key


def render_html(metrics: dict[str, Any], plots: dict[str, str | None]) -> str:
    """Fill ``report.html.j2``: ``metrics`` is what ``metrics.json`` holds, ``plots`` base64 PNGs by name."""
    columns = [{"name": metrics["model"], "h": metrics["headline"]}]
    if metrics.get("compare"):
        columns.append({"name": metrics["compare"]["model"], "h": metrics["compare"]["headline"]})
    context = {"m": metrics, "plots": plots, "headline_columns": columns,
               "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    template = _ENV.get_template("report.html.j2")
    # Rendered twice, as the dens and campaign pages are: the first pass collects the characters
    # (headings, messages, reasons) the embedded font subset must cover, so the page reads in
    # Chinese on a viewer without a CJK font, not as boxes.
    text = template.render(font_face="", **context)
    return template.render(font_face=embedded_font_face(text), **context)
