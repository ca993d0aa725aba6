"""Chinese reason templates for every call feature, kept as data and loaded once at import.

The sentences live in ``resources/reason_templates.yaml`` (one per column of the contest
tables and of the profile builder). Other feature families register theirs in
:data:`CALL_REASON_TEMPLATES` below — the one place where template tables are merged — so a
call model trained on any of them explains itself in sentences, never in column names.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import yaml

from features.graph.reasons import GRAPH_REASON_TEMPLATES
from features.reasons import ZERO_SUFFIX, merge_templates
from features.resource_files import CALL_TEMPLATES_FILE, resource_path


def load_templates(path: Path) -> dict[str, str]:
    """Read and check a template file (the shipped one is ``CALL_TEMPLATES_FILE``): each entry
    formats a number, except a feature's zero-case sentence (key ending in :data:`ZERO_SUFFIX`),
    which has no number to show. Read in training: a call model keeps the sentences it was fitted with.

    Raises:
        ValueError: an entry is not text or does not format ``{value}``.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name}: expected a mapping of feature name to template")
    for name, template in raw.items():
        if name.endswith(ZERO_SUFFIX):
            if not isinstance(template, str) or name.removesuffix(ZERO_SUFFIX) not in raw:
                raise ValueError(f"{path.name}: {name!r} must be text beside a template for {name.removesuffix(ZERO_SUFFIX)!r}")
            continue
        if not isinstance(template, str) or "{value" not in template:
            raise ValueError(f"{path.name}: template of {name!r} must be text with a {{value}} field")
        template.format(value=1.5)  # a malformed format spec fails here, at import, not mid-request
    return raw


CALL_REASON_TEMPLATES = MappingProxyType(merge_templates(load_templates(resource_path(CALL_TEMPLATES_FILE)), GRAPH_REASON_TEMPLATES))
