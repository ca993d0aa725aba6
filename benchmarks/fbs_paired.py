"""Two settings of the model on the same held-out fbs_sms rows: which names more of them right?

    PYTHONPATH=. .venv/bin/python benchmarks/fbs_paired.py BASE_DIR OTHER_DIR [--fold K] [--show N]

Each DIR is a ``benchmarks/fbs_categories.py --fold K --save DIR`` run (``DIR/fbs_fold_{K-1}.parquet``);
the two runs differ only in configuration (e.g. ``YUNMAO_SMS__FEATURES__LINEAR_SCORE__CATEGORIES``),
so they held out identical rows. Separate Wilson intervals of two shares measured on the same
rows overlap even when one setting is right on strictly more rows; the paired figures answer
the question asked: the share difference (other − base) with its percentile bootstrap interval
over rows (``configs/evaluation.yaml`` bootstrap), and McNemar's exact test on the rows where
exactly one setting names the target category.

The largest change of any head probability is printed first: a configuration override that
never reached the model leaves it at 0, and then nothing below measured anything.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from benchmarks.dens_quality import wilson
from benchmarks.fbs_categories import TARGETS
from configs import default_config_path, load_config
from configs.evaluation import EvaluationConfig
from training.bootstrap import paired_rate_difference

GROUPS = {**TARGETS, "IL:": "illegal"}  # native label prefix -> the category it should get


def saved_rows(directory: Path, fold: int) -> pd.DataFrame:
    return pd.read_parquet(directory / f"fbs_fold_{fold - 1}.parquet")


def check_same_rows(base: pd.DataFrame, other: pd.DataFrame) -> None:
    """Refuse runs that held out different rows: a paired comparison of them means nothing."""
    if len(base) != len(other) or not (base[["native", "text"]].to_numpy() == other[["native", "text"]].to_numpy()).all():
        raise SystemExit("the two runs held out different rows (other --fold, --folds or --seed?)")


def largest_probability_change(base: pd.DataFrame, other: pd.DataFrame) -> float:
    columns = [c for c in base.columns if c.startswith("p_") and c in other.columns]
    return float(np.abs(base[columns].to_numpy() - other[columns].to_numpy()).max())


def mcnemar_p(base_hits: np.ndarray, other_hits: np.ndarray) -> float:
    """Exact McNemar p-value (two-sided binomial test on the discordant rows); 1.0 when none."""
    gained = int((other_hits & ~base_hits).sum())
    lost = int((base_hits & ~other_hits).sum())
    return 1.0 if gained + lost == 0 else float(binomtest(gained, gained + lost).pvalue)


def compare(base: pd.DataFrame, other: pd.DataFrame, evaluation: EvaluationConfig) -> None:
    print("| native | n | base share [95% Wilson] | other share [95% Wilson] | other − base [95% paired bootstrap] "
          "| rows gained / lost | McNemar p |")
    print("|---|---|---|---|---|---|---|")
    for prefix, wanted in GROUPS.items():
        part = base["native"].str.startswith(prefix).to_numpy()
        base_hits = (base.loc[part, "category"] == wanted).to_numpy()
        other_hits = (other.loc[part, "category"] == wanted).to_numpy()
        n = len(base_hits)
        if not n:
            continue
        cells = []
        for hits in (base_hits, other_hits):
            low, high = wilson(int(hits.sum()), n)
            cells.append(f"{hits.mean():.3f} [{low:.3f}, {high:.3f}]")
        difference, low, high = paired_rate_difference(other_hits, base_hits, evaluation)
        gained, lost = int((other_hits & ~base_hits).sum()), int((base_hits & ~other_hits).sum())
        print(f"| `{prefix}*` → {wanted} | {n} | {cells[0]} | {cells[1]} | {difference:+.4f} [{low:+.4f}, {high:+.4f}] "
              f"| {gained} / {lost} | {mcnemar_p(base_hits, other_hits):.3g} |")


def show_changed(base: pd.DataFrame, other: pd.DataFrame, limit: int) -> None:
    """The rows whose category changed, so the gains and losses can be read, not only counted."""
    changed = base.index[base["category"] != other["category"]]
    print(f"\n{len(changed)} rows named differently (first {min(limit, len(changed))}):")
    for row in changed[:limit]:
        print(f"  {base.at[row, 'native']}: {base.at[row, 'category']} → {other.at[row, 'category']}  {base.at[row, 'text'][:60]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("other", type=Path)
    parser.add_argument("--fold", type=int, default=1, help="the 1-based fold both runs held out")
    parser.add_argument("--show", type=int, default=0, help="list up to N rows named differently")
    args = parser.parse_args()
    base, other = saved_rows(args.base, args.fold), saved_rows(args.other, args.fold)
    check_same_rows(base, other)
    print(f"largest change of a head probability: {largest_probability_change(base, other):.4f}")
    compare(base, other, load_config(default_config_path("evaluation"), EvaluationConfig))
    if args.show:
        show_changed(base, other, args.show)


if __name__ == "__main__":
    main()
