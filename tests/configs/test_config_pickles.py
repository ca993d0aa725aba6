"""Config sections pickled inside registered models keep loading after new fields are added."""

from __future__ import annotations

import pickle

from configs.call import GraphConfig


def test_a_config_pickled_before_a_field_existed_loads_with_that_fields_default() -> None:
    config = GraphConfig(pagerank_damping=0.7)
    state = config.__getstate__()
    del state["__dict__"]["pagerank_tolerance"]  # as pickled before the field was added
    old = GraphConfig.__new__(GraphConfig)
    old.__setstate__(state)
    assert old.pagerank_tolerance == GraphConfig().pagerank_tolerance
    assert old.pagerank_damping == 0.7
    assert pickle.loads(pickle.dumps(old)) == GraphConfig(pagerank_damping=0.7)
