"""A worker's startup heap moved out of the garbage collector's way once it is ready.

A worker holds a few hundred thousand long-lived container objects from startup on (jieba's
dictionary, the vectoriser's vocabulary, the model's Python side, imported modules). CPython's
full (generation-2) collection walks every one of them: about 0.35 s of CPU per collection,
measured on a demo-model worker, holding the interpreter lock the whole time. It runs whenever
enough objects have survived into the oldest generation, so under steady traffic it lands every
few minutes on whatever request is in flight and sets the champion's p99 for that window — with
the shadow challenger on or off (docs/benchmarks.md, shadow challenger, session 8).
``gc.freeze()`` moves everything alive at that moment to a permanent generation that
collections skip; what is allocated afterwards (requests) is collected as before.

The cost: a reference cycle that was alive when the heap was frozen and becomes garbage later
(a model replaced by a reload, if it holds cycles) is never freed by the cycle collector;
reference counting still frees everything acyclic.
"""

from __future__ import annotations

import gc
import time

from serving.logs import elapsed_ms, log_event


def freeze_startup_heap(enabled: bool) -> int:
    """Collect once, then freeze every object alive now (``serving.gc_freeze``); returns how
    many objects are frozen (0 when disabled)."""
    if not enabled:
        return 0
    start = time.perf_counter()
    gc.collect()  # startup's garbage first: frozen garbage would never be freed
    gc.freeze()
    frozen = gc.get_freeze_count()
    log_event("heap_frozen", objects=frozen, collect_ms=elapsed_ms(start))
    return frozen
