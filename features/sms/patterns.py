"""Entity and pattern features: masked entities, fraud lexicons and shape of the text.

These are few, dense and readable, which is what lets LightGBM generalise beyond the exact
n-grams of the training campaigns and what makes its explanations useful ("含短链接",
"要求转账或付款"). Script cues ("冒充公检法称涉案") name the scam scripts of the public
anti-fraud guidance, so a model trained on a few campaigns still recognises a script it has not
seen worded that way. Lexicons and cues live in ``resources/patterns.yaml``, not in code.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import numpy as np
import yaml
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from features.sms import normalise

ENTITY_REASONS = {
    normalise.URL: "含网址/短链接",
    normalise.PHONE: "含电话号码",
    normalise.MONEY: "含金额",
    normalise.CARD: "含银行卡号",
    normalise.IDNO: "含身份证号",
    normalise.NUMBER: "含长数字串",
}
SHAPE_FEATURES = {
    "length": "文本长度",
    "digit_share": "数字占比",
    "latin_share": "字母占比",
    "exclamations": "感叹号数量",
    "has_signature": "含【签名】",
}
# The one cue that speaks *for* a message: official reminders quote the scripts they warn about.
ANTI_FRAUD_REMINDER = "官方反诈提醒用语"
_SIGNATURE = re.compile(r"^\s*【[^】]{2,12}】|【[^】]{2,12}】\s*$")


@cache
def _resource() -> dict:
    return yaml.safe_load((files("features.sms") / "resources" / "patterns.yaml").read_text(encoding="utf-8"))


@cache
def _lexicon_groups() -> dict[str, tuple[str, tuple[str, ...]]]:
    raw = _resource()
    return {name: (group["reason"], tuple(group["words"])) for name, group in raw["groups"].items()}


@cache
def script_cues() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Reason → word lists of each script cue; the cue fires when every list has a hit."""
    cues = _resource()["cues"].values()
    return {cue["reason"]: tuple(tuple(str(word) for word in words) for words in cue["all_of"]) for cue in cues}


def cue_fires(text: str, word_lists: tuple[tuple[str, ...], ...]) -> bool:
    """True when normalised ``text`` contains a word of every list."""
    return all(any(word in text for word in words) for words in word_lists)


class PatternFeatures(TransformerMixin, BaseEstimator):
    """Normalised texts → dense counts of entities, lexicon hits and text-shape measures."""

    def fit(self, texts, y=None) -> PatternFeatures:
        self.names_ = np.array(
            list(ENTITY_REASONS.values())
            + [reason for reason, _ in _lexicon_groups().values()]
            + list(script_cues())
            + list(SHAPE_FEATURES.values()),
            dtype=object,
        )
        return self

    def transform(self, texts) -> np.ndarray:
        check_is_fitted(self, "names_")
        return np.array([self._row(text) for text in texts], dtype=np.float32).reshape(-1, len(self.names_))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "names_")
        return self.names_

    @staticmethod
    def _row(text: str) -> list[float]:
        tokens = text.split()
        entities = [float(tokens.count(placeholder)) for placeholder in ENTITY_REASONS]
        lexicons = [float(sum(text.count(word) for word in words)) for _, words in _lexicon_groups().values()]
        cues = [float(cue_fires(text, word_lists)) for word_lists in script_cues().values()]
        plain = text
        for placeholder in ENTITY_REASONS:
            plain = plain.replace(placeholder, "")
        length = max(len(plain), 1)
        shape = [
            float(len(plain)),
            sum(ch.isdigit() for ch in plain) / length,
            sum("a" <= ch <= "z" for ch in plain) / length,
            float(plain.count("!")),
            float(bool(_SIGNATURE.search(text))),
        ]
        return entities + lexicons + cues + shape
