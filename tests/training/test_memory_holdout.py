"""training/train.py fit_sms: the template memory leaves out the groups the drift reference holds
out, not every row sharing a held-out text. The two differ only when the caller's groups put one
text on both sides (here: block groups over a frame that sends every text twice)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from configs.sms import MemoryConfig
from features.sms.normalise import normalise_text
from models.template_memory import TemplateMemory
from tests.models.conftest import SMALL_SMS_CONFIG
from training.data.demo_sms import generate_demo_sms
from training.fit import reference_holdout
from training.train import fit_sms

CONFIG = SMALL_SMS_CONFIG.model_copy(update={"memory": MemoryConfig(enabled=True)})
BLOCKS = 7  # groups: a text's position modulo BLOCKS, its second copy's one further on, so never the same group
ROWS = 300


@pytest.fixture(scope="module")
def twice() -> tuple[pd.DataFrame, pd.Series]:
    """Every demo text sent twice, the copies in different groups; (frame, groups)."""
    once = generate_demo_sms(n=ROWS, seed=21)
    once = once[~once["text"].map(normalise_text).duplicated()]
    frame = pd.concat([once, once], ignore_index=True)
    position = np.arange(len(once))
    return frame, pd.Series(np.concatenate([position % BLOCKS, (position + 1) % BLOCKS]))


def _held(frame: pd.DataFrame, groups: pd.Series) -> np.ndarray:
    held = np.zeros(len(frame), dtype=bool)
    held[reference_holdout(groups, CONFIG.reference, CONFIG.split.seed)[1]] = True
    return held


def _counts(memory: TemplateMemory) -> tuple[list, list, list]:
    return memory.keys.tolist(), memory.messages.tolist(), memory.unwanted.tolist()


def _memory_of(rows: pd.DataFrame) -> TemplateMemory:
    return TemplateMemory.fit(rows["text"].map(normalise_text).tolist(), rows["label"].to_numpy(), 2.0, "{value}")


def test_the_memory_counts_every_fitted_row_and_no_held_out_one(twice: tuple[pd.DataFrame, pd.Series]) -> None:
    frame, groups = twice
    held = _held(frame, groups)
    norms = frame["text"].map(normalise_text)
    assert held.any() and norms[held].isin(set(norms[~held])).all()  # every held-out text is also fitted
    memory = fit_sms(frame, CONFIG, groups=groups).model.template_memory
    assert memory.messages.sum() == (~held).sum()
    assert _counts(memory) == _counts(_memory_of(frame[~held]))


def test_labelled_copies_follow_their_texts_rows(twice: tuple[pd.DataFrame, pd.Series]) -> None:
    """With ``labelled``: copies of a text held out on one side only are left out; copies of a text
    the groups also fit are counted (the boosters saw it: its template is no news to the reference)."""
    frame, groups = twice
    half = len(frame) // 2
    once, split_groups = frame.iloc[:half], groups.iloc[:half]  # each text once: held out or fitted, never both
    both = pd.concat([once, frame.iloc[half:][_held(frame, groups)[half:]]], ignore_index=True)  # some texts on both sides
    both_groups = pd.concat([split_groups, groups.iloc[half:][_held(frame, groups)[half:]]], ignore_index=True)
    labelled = pd.concat([frame, frame], ignore_index=True)  # every text four times
    held = _held(both, both_groups)
    norms = both["text"].map(normalise_text)
    held_only = set(norms[held]) - set(norms[~held])
    assert held_only and set(norms[held]) - held_only  # texts held out only, and texts on both sides
    memory = fit_sms(both, CONFIG, groups=both_groups, labelled=labelled).model.template_memory
    counted = labelled[~labelled["text"].map(normalise_text).isin(held_only)]
    assert memory.messages.sum() == len(counted)
    assert _counts(memory) == _counts(_memory_of(counted))
