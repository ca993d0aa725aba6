"""benchmarks/call_quality.py --pair: a code change's before and after on the same outer folds."""

from pathlib import Path

import numpy as np
import pytest

from benchmarks.call_quality import pair_checkouts
from training.compare_call import HeldOutScores, save_scores

SHIPPED = "yunmao: contest + extra columns + graph"


def _folds(shift: float) -> list[HeldOutScores]:
    rng = np.random.default_rng(0)
    folds = []
    for fold in range(3):
        labels = rng.integers(0, 2, 60)
        scores = np.clip(labels * 0.4 + rng.random(60) * 0.6 + shift * (labels - 0.5), 0, 1)
        folds.append(HeldOutScores(np.array([f"n{fold}-{i}" for i in range(60)], dtype=object), labels, scores, 0.5))
    return folds


def test_after_minus_before_per_fold_and_with_an_interval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    save_scores({SHIPPED: _folds(0.0)}, before)
    save_scores({SHIPPED: _folds(0.2)}, after)  # the change separates the classes further
    pair_checkouts(before, after)
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert set(lines) == {"f1", "roc_auc", "pr_auc"}
    roc = lines["roc_auc"]
    assert roc.startswith("+") and roc.count("/") == 2  # better, on each of the three folds shown


def test_files_without_the_shipped_model_or_with_other_folds_exit_2(tmp_path: Path) -> None:
    before, other, foreign = tmp_path / "before.json", tmp_path / "other.json", tmp_path / "foreign.json"
    save_scores({SHIPPED: _folds(0.0)}, before)
    save_scores({"candidate x": _folds(0.0)}, other)
    moved = [HeldOutScores(f.numbers[::-1].copy(), f.labels, f.scores, f.warn) for f in _folds(0.0)]
    save_scores({SHIPPED: moved}, foreign)
    for after in (other, foreign):
        with pytest.raises(SystemExit) as exit_:
            pair_checkouts(before, after)
        assert exit_.value.code == 2
