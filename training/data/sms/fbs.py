"""fbs_sms (fake-base-station SMS, Zhang et al., CCS 2020): ``category<TAB>text``, no header.

The publishers segmented every text with spaces and replaced contacts by their own placeholders
(``URL``, ``PHONE``, ``CELLPHONE``, ``WECHAT``, ``NAME``, ``PLACE``, ``DIGIT``, sometimes glued
to letters: ``URLapp``, ``CELLPHONEWECHAT``). No other set looks like that, and the set has no
ordinary messages, so left as is a model learns "this formatting = unwanted". The reader turns
each text back into the form of an ordinary SMS before anything else sees it: the spaces between
CJK words go, and the placeholders become what the project's own normalisation
(:data:`features.sms.normalise.PLACEHOLDERS`) writes for the same thing.
"""

from __future__ import annotations

import re
from pathlib import Path

from features.sms.normalise import NUMBER, PHONE, URL
from features.sms.scripts import CJK
from training.data.sms.native import tsv_lines
from training.data.sms.records import RowCollector

# Publisher placeholder → the project's spelling. NAME and PLACE have no mask in the project
# (ordinary texts keep their names and places as words), so they are dropped; a WeChat id
# becomes the word 微信, which is what normalisation makes of WeChat mentions.
PUBLISHER_PLACEHOLDERS = {
    "CELLPHONE": PHONE,
    "PHONE": PHONE,
    "URL": URL,
    "WECHAT": "微信",
    "DIGIT": NUMBER,
    "NAME": "",
    "PLACE": "",
}
_PLACEHOLDER = re.compile("|".join(sorted(PUBLISHER_PLACEHOLDERS, key=len, reverse=True)))
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])\s+(?=[{CJK}])")
_SPACES = re.compile(r"\s+")


def unsegment(text: str) -> str:
    """An fbs_sms text in ordinary SMS form: placeholders mapped (kept as separate words, as
    the project's masking writes them), then the segmentation spaces between CJK removed."""
    text = _PLACEHOLDER.sub(lambda match: f" {PUBLISHER_PLACEHOLDERS[match.group()]} ", text)
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BETWEEN_CJK.sub("", text)


def read_fbs(path: Path, rows: RowCollector) -> None:
    """``category<TAB>text``; the category is mapped by ``configs/taxonomy.yaml`` (``sources.fbs``)."""
    for line, fields in tsv_lines(path):
        if len(fields) < 2:
            rows.reject("too_few_columns", line)
        else:
            rows.add(line, unsegment(" ".join(fields[1:])), fields[0])
