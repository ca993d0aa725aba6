"""The live model of one endpoint, and how a new champion replaces it without a restart.

A :class:`ModelSlot` holds a :class:`LoadedModel` reference. Reloading resolves the alias,
loads and warms the new version *beside* the old one, then rebinds the reference in one
assignment (atomic under the GIL). A batch reads the reference once and keeps using that object,
so requests in flight finish on the old model and later ones see the new one; none fail.
``POST /v1/admin/reload`` calls :meth:`ModelSlot.reload`; :class:`AliasPoller` can call it on a
timer for deployments without a release hook.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from serving.cache import LruCache
from serving.logs import elapsed_ms, log_event
from serving.metrics import record_reload
from serving.model_source import ResolvedModel, resolve_model

if TYPE_CHECKING:
    from models.scam_model import Decision, ScamModel

# SMS: two messages exercise both paths of decide(): one plain, one with the entities and
# wording that make block/warn (and so the explanation path) likely. Call: a profile row with
# every column unknown (the featuriser fills absent columns with NaN) runs featuriser, booster
# and calibrator without depending on which profile columns a version was trained on.
WARM_UP_RECORDS = {
    "sms": pd.DataFrame(
        {
            "id": ["warm-up-1", "warm-up-2"],
            "text": ["明天下午三点开会，记得带材料", "【银行】您的账户异常，请点击 http://a.top 转入安全账户，客服 17012345678"],
            "sender": ["10658888", "17012345678"],
            "receiver": [None, None],
            "sent_at": ["2024-05-01T10:00:00+08:00", None],
        }
    ),
    "call": pd.DataFrame({"phone_no_m": ["warm-up-1"]}),
}


@dataclass(frozen=True)
class LoadedModel:
    """A registered model version ready to score, with its own decision cache (or None)."""

    name: str
    version: str
    model: ScamModel
    cache: LruCache[Decision] | None


def load_for_serving(resolved: ResolvedModel, kind: str, cache_entries: int) -> LoadedModel:
    """Load the resolved version, check it is a ``kind`` model, and run a warm-up prediction.

    Loading the resolved version (not the alias again) means the version reported in responses
    is the one that scores, even if the alias moves during the load.
    """
    start = time.perf_counter()
    name, version = resolved.name, resolved.version
    model = resolved.load()
    if model.kind != kind:
        raise ValueError(f"models:/{name}/{version} is a {model.kind!r} model; this endpoint serves {kind!r}")
    model.booster.prepare_contributions()
    model.decide(WARM_UP_RECORDS[kind], explain=True)
    log_event("model_loaded", model=name, version=version, kind=kind, load_ms=elapsed_ms(start))
    return LoadedModel(name, version, model, LruCache(cache_entries) if cache_entries else None)


@dataclass(frozen=True)
class ReloadOutcome:
    previous: str | None
    current: str
    swapped: bool


class ModelSlot:
    """The model an endpoint serves, resolved from a registry URI such as ``models:/x@champion``
    or a model packed into a Bento, ``bento:TAG`` (``serving/model_source``)."""

    def __init__(self, uri: str, loader: Callable[[ResolvedModel], LoadedModel]) -> None:
        self.uri = uri
        self._loader = loader
        self._lock = threading.Lock()  # one reload at a time; scoring never takes it
        self._current: LoadedModel | None = None

    @property
    def current(self) -> LoadedModel:
        """The live model; read once per batch and keep the object for the whole batch."""
        if self._current is None:
            raise RuntimeError(f"no model loaded yet for {self.uri}")
        return self._current

    @property
    def is_loaded(self) -> bool:
        return self._current is not None

    @property
    def version(self) -> str | None:
        """The live version, or None before the first successful load."""
        return None if self._current is None else self._current.version

    def reload(self) -> ReloadOutcome:
        """Load the version the URI names now, if it differs from the live one, and swap it in.

        A failed load raises and leaves the live model untouched.
        """
        with self._lock:
            previous = self._current
            try:
                resolved = resolve_model(self.uri)
                name, version = resolved.name, resolved.version
                if previous is not None and (previous.name, previous.version) == (name, version):
                    record_reload("unchanged")
                    return ReloadOutcome(previous.version, version, swapped=False)
                self._current = self._loader(resolved)
            except Exception:
                record_reload("failed")
                raise
        record_reload("swapped")
        log_event("model_swapped", model=name, previous=previous and previous.version, version=version)
        return ReloadOutcome(previous and previous.version, version, swapped=True)


class AliasPoller:
    """Calls :meth:`ModelSlot.reload` of each slot every ``interval_s`` seconds on a daemon thread.

    A failed reload is logged and retried at the next tick; the live model keeps serving, and a
    slot that failed (say, no call model registered yet) never holds back the others.
    """

    def __init__(self, slots: Sequence[ModelSlot], interval_s: float) -> None:
        self.slots = list(slots)
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="yunmao-alias-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval_s + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            for slot in self.slots:
                try:
                    slot.reload()
                except Exception as exc:  # noqa: BLE001 - a poller must survive any failed load
                    log_event("model_reload_failed", uri=slot.uri, error=type(exc).__name__)
