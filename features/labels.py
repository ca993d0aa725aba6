"""What a label means: the one place that turns a label's spelling into a class.

Data loaders (training) and the feedback store (serving) both read labels written by people and
other tools; they must agree on what ``"spam"`` or ``1.0`` means, so the mapping lives here, on
the lowest floor both stand on.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

# Case-folded spellings accepted for each class; every source in ../shared/data uses one of them.
_LABELS = {
    "0": 0, "ham": 0, "normal": 0, "legit": 0, "正常": 0,
    "1": 1, "spam": 1, "fraud": 1, "scam": 1, "诈骗": 1, "垃圾": 1,
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
