"""The shadow gates of two-phase promotion: live evidence for one exact challenger version.

Offline gates (``training/gates``) judge a challenger on a fixed evaluation set; these judge what
it did beside the champion on live traffic. They read only pairs whose challenger is exactly
``models:/NAME/VERSION``, so evidence gathered for one version never promotes another.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from configs.retrain import ShadowGates
from training.shadow.evidence import block_disagreement


@dataclass(frozen=True)
class ShadowVerdict:
    passed: bool
    pairs: int
    block_disagreement: float | None
    why: str


def check_shadow_evidence(gates: ShadowGates, pairs: pd.DataFrame, name: str, version: str) -> ShadowVerdict:
    """Pass when ``pairs`` (this version's) are at least ``min_shadow_pairs`` and the share where
    exactly one model blocks is at most ``max_block_disagreement``; ``why`` says which failed."""
    uri = f"models:/{name}/{version}"
    disagreement = block_disagreement(pairs)
    if len(pairs) < gates.min_shadow_pairs:
        why = (f"{uri} has {len(pairs)} shadow pairs, min_shadow_pairs is {gates.min_shadow_pairs}: let the "
               "service shadow it longer (shadow.* in configs/serving.yaml, alias challenger)")
        return ShadowVerdict(False, len(pairs), disagreement, why)
    if disagreement is not None and disagreement > gates.max_block_disagreement:
        why = (f"{uri} disagrees with the champion on blocking in {disagreement:.2%} of {len(pairs)} shadow pairs, "
               f"max_block_disagreement is {gates.max_block_disagreement:.2%} (see yunmao shadow report)")
        return ShadowVerdict(False, len(pairs), disagreement, why)
    return ShadowVerdict(True, len(pairs), disagreement,
                         f"{uri}: {len(pairs)} shadow pairs, block disagreement {disagreement:.2%}: shadow gates passed")


def promotion_evidence(name: str, version: str, gates: ShadowGates) -> ShadowVerdict | None:
    """The shadow gates' verdict on promoting ``models:/NAME/VERSION``, from the service's pair
    table (``shadow`` of the serving config: SQLite or Redis); None when there is no other champion to have
    shadowed it beside (the first promotion, or re-promoting the champion).

    Raises:
        ModelNotFoundError: no such version.
    """
    from configs.serving import load_serving_config
    from models.registry import resolve_model_version
    from serving.shadow_store import open_shadow_store
    from training.retrain import current_champion

    resolve_model_version(f"models:/{name}/{version}")
    if current_champion(name) in (None, f"models:/{name}/{version}"):
        return None
    pairs = open_shadow_store(load_serving_config().shadow).read(challenger=(name, version))
    return check_shadow_evidence(gates, pairs, name, version)
