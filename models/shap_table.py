"""A booster's TreeSHAP contributions read from per-tree tables of LightGBM's own values.

Why: LightGBM's ``pred_contrib`` runs TreeSHAP's recursion over every tree for every row — about
0.8 ms a flagged message on the served ~1,300-tree booster, over a third of a batch's time
(docs/benchmarks.md, session 28). Yet one tree's path-dependent SHAP values depend on a row only
through which side of each of the tree's splits the row falls on. For a numerical tree that is,
per feature it splits on, how many of that feature's thresholds in the tree lie below the row's
value: a tree splitting on features with r₁, r₂, … distinct thresholds has (r₁ + 1)(r₂ + 1)…
*cases* (the served trees: at most 64). The table holds, for every case of every tree, the values
LightGBM's ``pred_contrib`` gives for that tree alone on a row of that case, so a row's
contributions are one lookup per tree and a sum — the same values (a test compares them on real
messages), about ten times cheaper in a batch.

Boosters the tables cannot express keep ``pred_contrib`` (:func:`contribution_table` gives None):
more than one tree per iteration (multiclass), categorical splits, splits that send missing values
or zeros their own way (``missing_type`` other than None), linear trees, or a tree of more than
``MAX_CASES_PER_TREE`` cases.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import scipy.sparse as sp

from models.csr import as_csr

# A tree with more cases than this keeps the booster on ``pred_contrib``: its table (cases × features
# values) would outgrow what it saves. The served trees have at most 64 (depth ≤ 6, one threshold per
# feature); 4,096 is a tree splitting on twelve features, each once.
MAX_CASES_PER_TREE = 4096
# LightGBM's kZeroThreshold (1e-35 as a float): it reads values this close to 0 as 0, and splits at
# ± this value separate zero from the rest.
ZERO_BAND = float(np.float32(1e-35))
_TABLES: weakref.WeakKeyDictionary[lgb.Booster, ContributionTable | None] = weakref.WeakKeyDictionary()
_BUILDING = threading.Lock()


@dataclass(frozen=True)
class ContributionTable:
    """Per-tree tables of one booster's TreeSHAP values (module docstring).

    ``split_feature`` / ``split_threshold``: one entry per distinct (tree, feature, threshold).
    ``case_weights`` (trees × splits): a row's case number in each tree is the sum, over the
    tree's splits it falls right of, of its feature's radix in that tree. ``lookup_offset`` /
    ``lookup_stride``: one entry per (tree, feature), at ``values[offset + case × stride]``;
    ``feature_sums`` (features + 1 × lookups) adds each feature's lookups up.
    """

    split_feature: np.ndarray
    split_threshold: np.ndarray
    case_weights: sp.csr_matrix
    lookup_tree: np.ndarray
    lookup_offset: np.ndarray
    lookup_stride: np.ndarray
    feature_sums: sp.csr_matrix
    values: np.ndarray
    expected_value: float

    def contributions(self, features) -> np.ndarray:
        """Dense rows × (features + 1) contributions of ``features`` (a CSR matrix or an array),
        the last column the booster's expected value: what ``pred_contrib`` returns for them."""
        rows = _dense(features, self.feature_sums.shape[0] - 1)
        right = (rows[:, self.split_feature] > self.split_threshold).astype(np.float64)
        cases = np.rint(self.case_weights @ right.T).astype(np.intp)  # trees × rows
        looked_up = self.values[cases[self.lookup_tree] * self.lookup_stride[:, None] + self.lookup_offset[:, None]]
        out = np.ascontiguousarray((self.feature_sums @ looked_up).T)
        out[:, -1] = self.expected_value
        return out


def contribution_table(booster: lgb.Booster) -> ContributionTable | None:
    """The booster's table, built at the first call (about half a second for 1,300 trees) and kept
    while the booster lives; None where the booster needs ``pred_contrib`` (module docstring).
    Built once however many threads ask at once (a Dask worker's threads, a service's scoring
    threads): the others wait for it."""
    with _BUILDING:
        if booster not in _TABLES:
            _TABLES[booster] = _build(booster)
        return _TABLES[booster]


def _build(booster: lgb.Booster) -> ContributionTable | None:
    """The tables of every tree ``predict`` uses, or None (module docstring)."""
    if booster.num_model_per_iteration() != 1:
        return None
    features = booster.num_feature()
    trees = booster.dump_model()["tree_info"]  # the iterations predict uses (its best, else all)
    # Every tree checked before any is tabulated: a booster that must keep pred_contrib costs no predict calls.
    all_thresholds = [_thresholds(tree["tree_structure"]) for tree in trees]
    if any(thresholds is None or _cases(thresholds) > MAX_CASES_PER_TREE for thresholds in all_thresholds):
        return None
    # The values come from a copy: LightGBM keeps the iteration range of a booster's last
    # prediction in the booster itself, and its cached one-row predictor (models/ensemble.py
    # ``predict_row``) scores with whatever range that was — one tree, after the calls below.
    copy = lgb.Booster(model_str=booster.model_to_string())
    split_columns: dict[str, list] = {"feature": [], "threshold": [], "tree": [], "weight": []}
    lookup_columns: dict[str, list] = {"tree": [], "feature": [], "offset": [], "stride": []}
    tables: list[np.ndarray] = []
    expected_value, offset = 0.0, 0
    for index, thresholds in enumerate(all_thresholds):
        split_on = sorted(thresholds)
        sizes = [len(thresholds[f]) + 1 for f in split_on]
        radix = np.cumprod([1, *sizes[:-1]])[: len(split_on)]
        table, bias = _tree_table(copy, index, features, split_on, [thresholds[f] for f in split_on], radix)
        expected_value += bias
        for position, (feature, weight) in enumerate(zip(split_on, radix, strict=True)):
            for threshold in thresholds[feature]:
                for key, value in (("feature", feature), ("threshold", threshold), ("tree", index), ("weight", weight)):
                    split_columns[key].append(value)
            for key, value in (("tree", index), ("feature", feature), ("offset", offset + position), ("stride", len(split_on))):
                lookup_columns[key].append(value)
        tables.append(table.ravel())
        offset += table.size
    split = {key: np.array(values, dtype=np.float64 if key in ("threshold", "weight") else np.intp)
             for key, values in split_columns.items()}
    lookup = {key: np.array(values, dtype=np.intp) for key, values in lookup_columns.items()}
    case_weights = sp.csr_matrix((split["weight"], (split["tree"], np.arange(len(split["tree"])))),
                                 shape=(len(trees), len(split["tree"])))
    feature_sums = sp.csr_matrix((np.ones(len(lookup["feature"])), (lookup["feature"], np.arange(len(lookup["feature"])))),
                                 shape=(features + 1, len(lookup["feature"])))
    return ContributionTable(split["feature"], split["threshold"], case_weights, lookup["tree"], lookup["offset"],
                             lookup["stride"], feature_sums, np.concatenate(tables), expected_value)


def _cases(thresholds: dict[int, list[float]]) -> int:
    """How many cases a tree splitting at ``thresholds`` has (module docstring)."""
    return int(np.prod([len(cuts) + 1 for cuts in thresholds.values()]))


def _thresholds(root: dict) -> dict[int, list[float]] | None:
    """Each feature the tree splits on → its distinct thresholds, ascending; None if a split or leaf
    is one the tables cannot express (categorical, missing values sent their own way, linear)."""
    found: dict[int, set[float]] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if "split_feature" not in node:
            if "leaf_coeff" in node:
                return None
            continue
        if node["decision_type"] != "<=" or node["missing_type"] != "None":
            return None
        found.setdefault(node["split_feature"], set()).add(node["threshold"])
        stack += [node["left_child"], node["right_child"]]
    return {feature: sorted(values) for feature, values in found.items()}


def _tree_table(booster: lgb.Booster, index: int, features: int, split_on: list[int],
                thresholds: list[list[float]], radix: np.ndarray) -> tuple[np.ndarray, float]:
    """(cases × split features) contributions of tree ``index`` alone, row c for case number c, and
    its expected value: LightGBM's ``pred_contrib`` on one row per case.

    The row of a case puts each split feature at a value of its interval between two thresholds
    (:func:`_inside`)."""
    if not split_on:  # a lone leaf: no split to credit, its value is the expected value
        return np.zeros((1, 0)), float(booster.predict(np.zeros((1, features)), pred_contrib=True,
                                                       start_iteration=index, num_iteration=1)[0, -1])
    grid = np.indices([len(t) + 1 for t in thresholds]).reshape(len(split_on), -1).T
    rows = np.zeros((len(grid), features))
    for column, (feature, cuts) in enumerate(zip(split_on, thresholds, strict=True)):
        bounds = [-np.inf, *cuts, np.inf]
        representatives = np.array([_inside(bounds[case], bounds[case + 1]) for case in range(len(cuts) + 1)])
        rows[:, feature] = representatives[grid[:, column]]
    out = booster.predict(rows, pred_contrib=True, start_iteration=index, num_iteration=1)
    table = np.empty((len(grid), len(split_on)))
    table[grid @ radix] = out[:, split_on]
    return table, float(out[0, -1])


def _inside(low: float, high: float) -> float:
    """A value LightGBM reads as lying in (low, high] — splits send ``value <= threshold`` left —
    or 0 where no value does (the interval lies inside the band LightGBM reads as zero, so no row
    ever falls in it). Zero itself wherever the interval holds it: trees split at ±ZERO_BAND to
    tell zero from the rest, and every value within the band is read as zero."""
    candidates = (0.0, high, np.nextafter(-ZERO_BAND, -np.inf), np.nextafter(ZERO_BAND, np.inf), np.nextafter(low, np.inf))
    return next((float(v) for v in candidates if low < v <= high and (v == 0 or abs(v) > ZERO_BAND)), 0.0)


def _dense(features, width: int) -> np.ndarray:
    """Rows of ``features`` as a float64 array, read as LightGBM reads them for these trees: NaN as
    0 (``missing_type`` None) and, from a dense array, values within ``ZERO_BAND`` of 0 as 0 (it
    drops them when it reads a dense row; a CSR matrix's stored values it takes as they are)."""
    if getattr(features, "format", None) is not None:
        csr = as_csr(features)
        rows = np.zeros((csr.shape[0], width))
        rows[np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr)), csr.indices] = csr.data
    else:
        rows = np.array(features, dtype=np.float64, ndmin=2)
        rows[np.abs(rows) <= ZERO_BAND] = 0.0
    rows[np.isnan(rows)] = 0.0
    return rows
