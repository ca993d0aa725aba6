"""Merging a bag of LightGBM boosters into one booster that predicts the bag's mean raw score.

A booster's raw score is the sum of its trees' leaf values, and SHAP contributions are linear
in them too, so one model holding every member's trees (each member cut at the rounds it
predicts with) with every leaf value — and internal value, which the SHAP expected value is
read from — divided by k predicts exactly the members' mean margin and mean contributions, in
one predict call instead of k (two per scored message: margin and reasons).

The members must share one input space (same features, same objective and class count):
cross-fitted members do — each is trained on the featuriser's full output, with the columns its
fold did not select held constant (training/fit.py ``_only_columns``), so it never splits on them.
Merging goes through LightGBM's text model format, the one format LightGBM documents for
loading a model back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import lightgbm as lgb
import numpy as np

from models.ensemble import BoosterBag

_TREE_HEADER = re.compile(r"^Tree=\d+$", re.MULTILINE)
_SCALED_KEYS = ("leaf_value=", "internal_value=")
_ZERO_TREE = "Tree=0\nnum_leaves=1\nnum_cat=0\nleaf_value=0\nis_linear=0\nshrinkage=1"
_SHARED_HEADER_KEYS = ("num_class", "num_tree_per_iteration", "max_feature_idx", "objective", "feature_names")


def merge_boosters(boosters: Sequence[lgb.Booster], rounds: Sequence[int]) -> lgb.Booster:
    """One booster whose raw score and contributions are the mean of ``boosters``' own, each
    member predicting with its first ``rounds[i]`` iterations."""
    header, tree_blocks = _member_trees(boosters, rounds)
    scale = 1.0 / len(boosters)
    trees = [_scale_tree(block, scale) for blocks in tree_blocks for block in blocks]
    return lgb.Booster(model_str=_join_model(header, trees))


def stack_multiclass(boosters: Sequence[lgb.Booster], rounds: Sequence[int]) -> lgb.Booster:
    """One booster whose raw score holds every member's raw class margins side by side (rows ×
    members·classes, member by member), each member at its first ``rounds[i]`` iterations.

    A multiclass head averages its members' *probabilities*, which are not linear in the leaf
    values, so its members cannot be summed into one model the way :func:`merge_boosters` does;
    they can share one predict call as extra "classes" (:func:`mean_member_proba` finishes the
    job). Members that stop early are padded with one-leaf trees worth 0.
    """
    header, tree_blocks = _member_trees(boosters, rounds)
    classes = boosters[0].num_model_per_iteration()
    width = classes * len(boosters)
    trees = [
        blocks[iteration * classes + c] if iteration < n else _ZERO_TREE
        for iteration in range(max(rounds))
        for blocks, n in zip(tree_blocks, rounds, strict=True)
        for c in range(classes)
    ]
    for key, value in (("num_class", width), ("num_tree_per_iteration", width), ("objective", f"multiclass num_class:{width}")):
        header = re.sub(rf"^{key}=.*$", f"{key}={value}", header, count=1, flags=re.MULTILINE)
    return lgb.Booster(model_str=_join_model(header, trees))


def mean_member_proba(stacked_margins: np.ndarray, members: int) -> np.ndarray:
    """Rows × classes: the mean over members of each member's softmax, from a
    :func:`stack_multiclass` booster's raw scores (what LightGBM's multiclass predict returns per
    member)."""
    margins = np.asarray(stacked_margins, dtype=np.float64).reshape(len(stacked_margins), members, -1)
    shifted = np.exp(margins - margins.max(axis=2, keepdims=True))
    return (shifted / shifted.sum(axis=2, keepdims=True)).mean(axis=1)


def _member_trees(boosters: Sequence[lgb.Booster], rounds: Sequence[int]) -> tuple[str, list[list[str]]]:
    """(first member's model header, each member's tree blocks at its ``rounds``), after checking
    the members can share one model."""
    if not boosters or len(boosters) != len(rounds):
        raise ValueError(f"merge needs one round count per booster, got {len(boosters)} boosters and {len(rounds)} rounds")
    texts = [booster.model_to_string(num_iteration=n) for booster, n in zip(boosters, rounds, strict=True)]
    headers, tree_blocks = zip(*(_split_model(text) for text in texts), strict=True)
    _check_same_input(headers)
    return headers[0], list(tree_blocks)


def _split_model(text: str) -> tuple[str, list[str]]:
    """(header, tree blocks) of a model text; each block starts at its ``Tree=`` line."""
    body_end = text.index("end of trees")
    starts = [m.start() for m in _TREE_HEADER.finditer(text, 0, body_end)]
    if not starts:
        raise ValueError("booster has no trees to merge")
    bounds = [*starts, body_end]
    return text[: starts[0]], [text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]


def _header_values(header: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in header.splitlines() if "=" in line)


def _check_same_input(headers: Sequence[str]) -> None:
    """Members must agree on what a row is and what a tree predicts, or their trees cannot sum."""
    first = _header_values(headers[0])
    for index, header in enumerate(headers[1:], start=1):
        values = _header_values(header)
        differing = [key for key in _SHARED_HEADER_KEYS if values.get(key) != first.get(key)]
        if differing:
            raise ValueError(f"booster {index} differs from booster 0 in {', '.join(differing)}: cannot merge")


def _scale_tree(block: str, scale: float) -> str:
    """A tree block with its leaf and internal values multiplied by ``scale`` (``shrinkage`` is
    informational only: leaf values already include it)."""
    lines = block.splitlines()
    for i, line in enumerate(lines):
        key = next((k for k in _SCALED_KEYS if line.startswith(k)), None)
        if key is not None:
            values = (repr(float(v) * scale) for v in line[len(key) :].split())
            lines[i] = key + " ".join(values)
    return "\n".join(lines)


def _join_model(header: str, trees: list[str]) -> str:
    """Model text of ``header`` with ``trees`` renumbered; ``tree_sizes`` (byte offsets for
    parallel loading) is dropped, as LightGBM then parses the trees one after another."""
    header = "\n".join(line for line in header.splitlines() if not line.startswith("tree_sizes="))
    numbered = [_TREE_HEADER.sub(f"Tree={i}", tree, count=1) for i, tree in enumerate(trees)]
    return header.rstrip("\n") + "\n\n" + "\n\n".join(numbered) + "\n\nend of trees\n"


def merged_bag(bag: BoosterBag) -> BoosterBag:
    """``bag`` as a bag of one merged booster (same base margin): same margins and contributions."""
    return BoosterBag([merge_boosters(bag.boosters, bag.rounds)], bag.base_margin_column)
