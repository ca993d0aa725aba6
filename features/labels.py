"""What a label means: the one place that turns a label's spelling into a class.

Data loaders (training) and the feedback store (serving) both read labels written by people and
other tools; they must agree on what ``"spam"`` or ``1.0`` means, so the mapping lives here, on
the lowest floor both stand on.
"""

from __future__ import annotations

import math
import numbers
from functools import lru_cache
from typing import Any

from configs.taxonomy import TaxonomyConfig, load_taxonomy_config

# Case-folded spellings accepted for each class; every source in ../shared/data uses one of them.
_LABELS = {
    "0": 0, "ham": 0, "normal": 0, "legit": 0, "正常": 0,
    "1": 1, "spam": 1, "fraud": 1, "scam": 1, "诈骗": 1, "垃圾": 1,
    "marketing": 1, "营销": 1, "illegal": 1, "违法": 1,
}


def parse_label(value: Any) -> int | None:
    """0/1 from the accepted spellings (ints, floats 0.0/1.0, bools, words); None if unparsable."""
    if value is None:
        return None
    if isinstance(value, numbers.Real):  # also numpy scalars and bools read from Parquet/JSON
        if math.isnan(value):
            return None
        return int(value) if value in (0, 1) else None
    text = str(value).strip().casefold()
    if text in ("0.0", "1.0"):
        text = text[0]
    return _LABELS.get(text)


def label_spellings(label: int) -> list[str]:
    """Every accepted spelling of ``label`` (0 or 1), for an error that lists what is accepted."""
    return [spelling for spelling, value in _LABELS.items() if value == label]


# Words that name a category outright (feedback, canonical files). A bare 1 says "unwanted" but
# not which kind, so it maps to no category: such rows train the unwanted score, not the category head.
_CATEGORY_WORDS = {
    "0": "ham", "ham": "ham", "normal": "ham", "legit": "ham", "正常": "ham",
    "spam": "spam", "垃圾": "spam", "营销": "spam", "marketing": "spam",
    "fraud": "fraud", "scam": "fraud", "诈骗": "fraud",
    "illegal": "illegal", "违法": "illegal",
}


@lru_cache(maxsize=1)
def shipped_taxonomy() -> TaxonomyConfig:
    """``configs/taxonomy.yaml``, read once: labels are parsed row by row."""
    return load_taxonomy_config()


def parse_category(label: Any, category: Any = None, fraud_type: Any = None) -> str | None:
    """The taxonomy category of a record labelled by a person or another tool.

    An explicit ``category`` wins (validated against ``configs/taxonomy.yaml``); else a label
    word that names one (``spam``, ``fraud``, ``0``); else a fraud type implies ``fraud``.
    Returns None when only "unwanted" is known (label ``1`` without type).

    Raises:
        ValueError: ``category`` is given but is not a category of the taxonomy.
    """
    taxonomy = shipped_taxonomy()
    if category is not None and str(category).strip():
        name = str(category).strip().casefold()
        if name not in taxonomy.categories:
            raise ValueError(f"unknown category {category!r}; expected one of {', '.join(taxonomy.categories)}")
        return name
    word = _CATEGORY_WORDS.get(str(label).strip().casefold()) if label is not None else None
    if word is None and parse_label(label) == 0:
        word = taxonomy.ham_category
    if word is None and parse_label(label) == 1 and fraud_type is not None and str(fraud_type).strip():
        word = taxonomy.fraud_category
    return word
