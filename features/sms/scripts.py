"""Unicode ranges of the writing systems the SMS normaliser tells apart, named once.

Chinese characters are the CJK Unified Ideographs and Extension A (the characters an SMS input
method produces); compatibility and radical forms are folded into them before anything reads
these ranges (NFKC; :mod:`features.sms.lookalikes`).
"""

from __future__ import annotations

# For a regex character class: "[" + CJK + "]".
CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
