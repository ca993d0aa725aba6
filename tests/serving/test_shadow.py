"""Shadow challengers without a real model: the request path never waits on or fails with the
challenger, a full queue drops and counts, a vanished alias disables the shadow until it returns,
the stored pairs hold no number or text unless told to, and the shadow process never outlives
its stop or its worker."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from configs import ConfigError
from configs.serving import CallShadowConfig, OverloadConfig, ShadowConfig, ShadowModelConfig
from models.registry import ModelNotFoundError
from serving import shadow as shadow_module
from serving.overload import Admission
from serving.reload import LoadedModel
from serving.scoring import Unscored
from serving.shadow import ShadowScorer, ShadowSlot, open_shadows
from serving.shadow_pipe import frame_pipe
from serving.shadow_store import SHADOW_KEY_ENV, ShadowPair, check_shadow_key, open_shadow_store, record_key
from serving.sqlite_tx import WalFile
from tests.servers import wait_until
from tests.serving.cases import PHONE, SECRET_TEXT
from tests.serving.servers import is_running
from tests.serving.shadow_fakes import FakeChallenger
from tests.serving.shadow_fakes import FakeVerdict as _Scored

KEY = b"test-shadow-key-0123456789"
CHAMPION = LoadedModel("yunmao-sms", "1", model=None, cache=None)  # type: ignore[arg-type]
SPAWN = multiprocessing.get_context("spawn")
WAIT_S = 60  # a bound, not a pause: a shadow process takes ~1.5 s of CPU to start, far longer on a loaded machine
REAL_MODEL_WAIT_S = 240  # a bound too: a shadow process loading a real model from the registry first
# "Did not wait": far above what offers take (milliseconds) plus a full collection of a test process's
# heap (0.47 s measured in CI under load), far below any wait on a stuck challenger or reader.
NO_WAIT_S = 2.0


def loaded_slot(monkeypatch: pytest.MonkeyPatch) -> ShadowSlot:
    """A challenger slot whose alias resolves to version 2 of yunmao-sms (no registry needed)."""
    monkeypatch.setattr("models.registry.resolve_model_version", lambda uri: ("yunmao-sms", "2"))
    slot = ShadowSlot("sms", "models:/yunmao-sms@challenger")
    slot.reload()
    return slot


def store_config(tmp_path: Path, **changes) -> ShadowConfig:
    """nice 0 and no SCHED_IDLE unless changed: these tests are about the queue, and at 19 (or
    idle) a busy machine can starve the shadow process for seconds."""
    return ShadowConfig(**{"path": str(tmp_path / "shadow.db"), "max_rows": 100, "max_batch": 64, "max_wait_ms": 50,
                           "nice": 0, "scheduler": "nice", **changes})


def scorer(slot: ShadowSlot, challenger: FakeChallenger, tmp_path: Path, queue_size: int = 10, share: float = 1.0,
           keep_text: bool = False) -> ShadowScorer:
    sms = ShadowModelConfig(enabled=True, model=slot.uri, share=share, queue_size=queue_size, keep_text=keep_text)
    config = store_config(tmp_path, sms=sms)
    open_shadow_store(config)
    return ShadowScorer(slot, config, challenger, KEY)


def dropped(reason: str) -> float:
    """``yunmao_shadow_dropped_total{kind="sms", reason=...}`` over this process and the shadow
    processes it started (the multiprocess files this session's metrics are written to)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry.get_sample_value("yunmao_shadow_dropped_total", {"kind": "sms", "reason": reason}) or 0.0


def sms(i: int, text: str = "你好") -> dict:
    return {"id": f"m{i}", "text": f"{text}{i}", "sender": PHONE}


def test_a_slow_challenger_never_delays_the_offer_and_a_full_queue_drops(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    release, entered = SPAWN.Event(), SPAWN.Event()
    shadow = scorer(loaded_slot(monkeypatch), FakeChallenger("block", entered=entered, release=release), tmp_path,
                    queue_size=2)
    shadow.start()
    full_before = dropped("queue_full")
    try:
        shadow.offer(CHAMPION, [sms(0)], [_Scored(0.1, "allow")])
        assert entered.wait(WAIT_S)  # the challenger is stuck on the first record
        start = time.perf_counter()
        for i in range(1, 20):
            shadow.offer(CHAMPION, [sms(i)], [_Scored(0.1, "allow")])
        offered_s = time.perf_counter() - start
    finally:
        release.set()
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    assert offered_s < NO_WAIT_S  # 19 offers while the challenger is stuck: none waited for it
    rows = open_shadow_store(store_config(tmp_path)).read()
    assert len(rows) == 3  # the one in hand and the queue's two
    assert dropped("queue_full") - full_before == 17
    assert set(rows["challenger_action"]) == {"block"} and set(rows["champion_action"]) == {"allow"}


def test_offers_start_no_thread_in_the_worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The request thread writes the sample itself: no feeder thread wakes up per offer."""
    shadow = scorer(loaded_slot(monkeypatch), FakeChallenger("allow"), tmp_path, queue_size=100)
    shadow.start()
    threads = set(threading.enumerate())
    for i in range(20):
        shadow.offer(CHAMPION, [sms(i)], [_Scored(0.1, "allow")])
    # No new thread, rather than the same set: a thread of an earlier test (a pool's idle worker, a
    # stopped poller) may end meanwhile, which says nothing about the offers.
    assert set(threading.enumerate()) - threads == set()
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    assert len(open_shadow_store(store_config(tmp_path)).read()) == 20


def test_frames_longer_than_pipe_buf_arrive_whole_and_in_order_or_not_at_all() -> None:
    """A 4-KiB pipe and 10-KB frames: writes are partial, the pipe fills, later frames are dropped;
    what the sender said it sent arrives, whole and in order, and then the end of the pipe."""
    sender, receiver = frame_pipe(SPAWN, capacity=100, buffer_bytes=4096)
    messages = [(i, "诈" * 3000) for i in range(8)]
    sent = [message for message in messages if sender.send(message)]
    assert 0 < len(sent) < len(messages)

    def received(count: int) -> list[object]:
        """What the reader gets while the sender writes what is left of a partly written frame."""
        flushing = threading.Thread(target=sender.flush, args=(WAIT_S,))
        flushing.start()
        got = [receiver.get(WAIT_S) for _ in range(count)]
        flushing.join()
        return got

    assert received(len(sent)) == sent
    assert sender.send((99, "诈" * 3000))  # room again once read
    assert received(1) == [(99, "诈" * 3000)]
    with pytest.raises(queue.Empty):
        receiver.get(0.05)
    sender.close()
    with pytest.raises(EOFError):
        receiver.get(WAIT_S)
    assert not sender.send((100, "late"))  # after a stop: nothing written, nothing raised


def test_a_dead_reader_fails_the_send_at_once() -> None:
    sender, receiver = frame_pipe(SPAWN, capacity=10, buffer_bytes=4096)
    assert sender.send((0, "诈" * 3000))  # partly written: its rest waits for the reader
    receiver.close()  # the shadow process died
    start = time.perf_counter()
    assert not sender.send((1, "诈"))
    assert sender.flush(WAIT_S)  # nothing left that could still be read
    assert time.perf_counter() - start < NO_WAIT_S


def test_at_most_capacity_frames_wait_for_the_reader() -> None:
    sender, receiver = frame_pipe(SPAWN, capacity=2, buffer_bytes=1 << 16)
    assert [sender.send(i) for i in range(3)] == [True, True, False]
    assert receiver.get(WAIT_S) == 0
    assert sender.send(3)
    assert [receiver.get(WAIT_S), receiver.get(WAIT_S)] == [1, 3]


def pair(i: int) -> ShadowPair:
    return ShadowPair("sms", f"k{i}", "yunmao-sms", "1", 0.1, "allow", "yunmao-sms", "2", 0.2, "allow", None, "2026-12-01T00:00:00")


def test_the_store_keeps_one_connection_across_batches_and_reopens_after_an_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    opened: list[Path] = []
    real_open = WalFile.open
    monkeypatch.setattr(WalFile, "open", lambda wal: opened.append(wal.path) or real_open(wal))
    config = store_config(tmp_path)
    store = open_shadow_store(config)
    opened.clear()  # creating the table
    for i in range(50):
        store.append([pair(i)])
    assert len(opened) == 1
    with sqlite3.connect(config.db_path()) as other:
        other.execute("DROP TABLE shadow_pair")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store.append([pair(50)])
    open_shadow_store(config)  # the table again
    before = len(opened)
    store.append([pair(51)])
    assert len(opened) == before + 1  # a new connection after the error
    assert list(store.read()["record_key"]) == ["k51"]
    store.close()


def shadow_db_files(pid: int, db: Path) -> set[tuple[str, int]]:
    """The shadow process's open file descriptors on ``db``: (fd, inode)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if Path(os.readlink(fd)) == db:
                found.add((fd.name, os.stat(fd).st_ino))
        except OSError:  # closed meanwhile
            continue
    return found


def test_the_shadow_process_writes_every_batch_on_one_connection_and_closes_it_on_stop(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shadow = scorer(loaded_slot(monkeypatch), FakeChallenger("allow"), tmp_path)
    db = store_config(tmp_path).db_path()
    shadow.start()
    held = []
    for i in range(3):
        shadow.offer(CHAMPION, [sms(i)], [_Scored(0.1, "allow")])
        assert shadow.wait_idle(WAIT_S)
        held.append(shadow_db_files(shadow.process.pid, db))
    shadow.stop()
    assert len(held[0]) == 1 and held[0] == held[1] == held[2]  # opened once, kept between batches
    assert shadow.process.exitcode == 0
    assert not Path(f"{db}-wal").exists()  # its last connection closed: checkpointed and removed
    assert len(open_shadow_store(store_config(tmp_path)).read()) == 3


def test_a_failing_store_never_fails_the_offer_and_the_process_reconnects(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    shadow = scorer(loaded_slot(monkeypatch), FakeChallenger("allow"), tmp_path)
    config = store_config(tmp_path)
    shadow.start()
    failed_before = dropped("store_failed")
    try:
        shadow.offer(CHAMPION, [sms(0)], [_Scored(0.1, "allow")])
        assert shadow.wait_idle(WAIT_S)  # the process holds its connection now
        with sqlite3.connect(config.db_path()) as other:
            other.execute("DROP TABLE shadow_pair")
        start = time.perf_counter()
        shadow.offer(CHAMPION, [sms(1), sms(2)], [_Scored(0.1, "allow")] * 2)  # the write of these fails
        offered_s = time.perf_counter() - start
        assert shadow.wait_idle(WAIT_S)
        assert dropped("store_failed") - failed_before == 2
        open_shadow_store(config)  # the table again
        shadow.offer(CHAMPION, [sms(3)], [_Scored(0.1, "allow")])
        assert shadow.wait_idle(WAIT_S)
    finally:
        shadow.stop()
    assert offered_s < NO_WAIT_S
    assert list(open_shadow_store(config).read()["record_key"]) == [record_key(KEY, "sms", "你好3")]


def test_a_failing_challenger_stores_nothing_and_the_offer_does_not_raise(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    shadow = scorer(loaded_slot(monkeypatch), FakeChallenger(fail=True), tmp_path)
    shadow.start()
    failed_before = dropped("model_failed")
    shadow.offer(CHAMPION, [sms(1), sms(2)], [_Scored(0.1, "allow"), _Scored(0.9, "block")])
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    assert open_shadow_store(store_config(tmp_path)).read().empty
    assert dropped("model_failed") - failed_before == 2


def test_pairs_carry_both_versions_and_only_scored_records_are_sampled(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    shadow = scorer(loaded_slot(monkeypatch), FakeChallenger("warn", 0.6), tmp_path)
    shadow.start()
    no_profile = Unscored(action="allow", reasons=("insufficient_history",))
    shadow.offer(CHAMPION, [sms(1), sms(2)], [_Scored(0.2, "allow"), no_profile])
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    rows = open_shadow_store(store_config(tmp_path)).read()
    assert len(rows) == 1  # the unscored record says nothing about either model
    row = rows.iloc[0]
    assert (row.champion_version, row.challenger_version) == ("1", "2")
    assert (row.champion_score, row.challenger_score) == pytest.approx((0.2, 0.6))
    assert row.record_key == record_key(KEY, "sms", "你好1") != record_key(b"another-key-0123456789", "sms", "你好1")


def test_share_samples_about_that_fraction(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    draws = iter([0.05, 0.5, 0.09, 0.95])
    shadow = scorer(loaded_slot(monkeypatch), FakeChallenger("allow"), tmp_path, share=0.1)
    shadow._draw = lambda: next(draws)
    shadow.start()
    shadow.offer(CHAMPION, [sms(i) for i in range(4)], [_Scored(0.1, "allow")] * 4)
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    assert list(open_shadow_store(store_config(tmp_path)).read()["record_key"]) == [
        record_key(KEY, "sms", "你好0"), record_key(KEY, "sms", "你好2")]


def test_stored_pairs_hold_no_number_or_text_unless_keep_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for keep_text in (False, True):
        folder = tmp_path / str(keep_text)
        folder.mkdir()
        shadow = scorer(loaded_slot(monkeypatch), FakeChallenger("block"), folder, keep_text=keep_text)
        shadow.start()
        shadow.offer(CHAMPION, [{"id": "secret", "text": SECRET_TEXT, "sender": PHONE}], [_Scored(0.9, "block")])
        assert shadow.wait_idle(WAIT_S)
        shadow.stop()
        raw = b"".join(path.read_bytes() for path in folder.glob("shadow.db*"))
        assert (SECRET_TEXT.encode() in raw) is keep_text
        if not keep_text:
            for secret in (PHONE, "836145", "取件码", "快递"):
                assert secret.encode() not in raw, secret


def test_a_vanished_alias_disables_the_shadow_until_a_reload_finds_it(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    slot = loaded_slot(monkeypatch)
    shadow = scorer(slot, FakeChallenger("block"), tmp_path)
    shadow.start()

    def deleted(uri: str):
        raise ModelNotFoundError(f"{uri}: not found")

    monkeypatch.setattr("models.registry.resolve_model_version", deleted)
    with pytest.raises(ModelNotFoundError):
        slot.reload()
    assert not slot.enabled
    shadow.offer(CHAMPION, [sms(1)], [_Scored(0.1, "allow")])  # not sampled while disabled
    monkeypatch.setattr("models.registry.resolve_model_version", lambda uri: ("yunmao-sms", "2"))
    slot.reload()
    assert slot.enabled
    shadow.offer(CHAMPION, [sms(2)], [_Scored(0.1, "allow")])
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    assert list(open_shadow_store(store_config(tmp_path)).read()["record_key"]) == [record_key(KEY, "sms", "你好2")]


def test_the_table_keeps_at_most_max_rows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shadow = scorer(loaded_slot(monkeypatch), FakeChallenger("allow"), tmp_path, queue_size=1000)
    shadow.start()
    for i in range(250):
        shadow.offer(CHAMPION, [sms(i)], [_Scored(0.1, "allow")])
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    rows = open_shadow_store(store_config(tmp_path)).read()
    assert len(rows) == 100  # max_rows
    assert rows["record_key"].iloc[-1] == record_key(KEY, "sms", "你好249")  # the newest kept


def test_an_enabled_shadow_needs_a_secret_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SHADOW_KEY_ENV, raising=False)
    enabled = store_config(tmp_path, sms=ShadowModelConfig(enabled=True, model="models:/yunmao-sms@challenger"))
    check_shadow_key(store_config(tmp_path))  # off: no key needed
    with pytest.raises(ConfigError, match=SHADOW_KEY_ENV):
        check_shadow_key(enabled)
    monkeypatch.setenv(SHADOW_KEY_ENV, "short")
    with pytest.raises(ConfigError, match="at least 16"):
        check_shadow_key(enabled)
    monkeypatch.setenv(SHADOW_KEY_ENV, KEY.decode())
    check_shadow_key(enabled)
    monkeypatch.setenv("YUNMAO_SERVING__SHADOW__HMAC_KEY", "another-key-0123456789")
    with pytest.raises(ValueError, match=f"{SHADOW_KEY_ENV} and YUNMAO_SERVING__SHADOW__HMAC_KEY are both set"):
        check_shadow_key(enabled)


def test_the_shadow_process_runs_below_the_worker_and_the_worker_keeps_its_priority(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    config = store_config(tmp_path, nice=7, sms=ShadowModelConfig(enabled=True))
    shadow = ShadowScorer(loaded_slot(monkeypatch), config, FakeChallenger(), KEY)
    shadow.start()
    try:
        assert os.getpriority(os.PRIO_PROCESS, shadow.process.pid) == min(own + 7, 19)
        assert os.getpriority(os.PRIO_PROCESS, 0) == own
    finally:
        shadow.stop()


def test_the_idle_scheduler_puts_only_the_shadow_process_under_sched_idle(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    own = os.sched_getscheduler(0)
    shadow = ShadowScorer(loaded_slot(monkeypatch), store_config(tmp_path, scheduler="idle"), FakeChallenger(), KEY)
    shadow.start()
    try:
        assert os.sched_getscheduler(shadow.process.pid) == os.SCHED_IDLE
        assert os.sched_getscheduler(0) == own == os.SCHED_OTHER
    finally:
        shadow.stop()


def test_a_refused_sched_idle_leaves_the_shadow_process_niced_and_says_so(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    def refuse(pid: int, policy: int, param: os.sched_param) -> None:
        raise PermissionError(1, "Operation not permitted")

    events: list[str] = []
    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    monkeypatch.setattr("serving.shadow.log_event", lambda event, **fields: events.append(event))
    own = os.getpriority(os.PRIO_PROCESS, 0)
    shadow = ShadowScorer(loaded_slot(monkeypatch), store_config(tmp_path, scheduler="idle", nice=5), FakeChallenger(), KEY)
    shadow.start()
    try:
        assert os.sched_getscheduler(shadow.process.pid) == os.SCHED_OTHER
        assert os.getpriority(os.PRIO_PROCESS, shadow.process.pid) == min(own + 5, 19)
        shadow.offer(CHAMPION, [sms(1)], [_Scored(0.1, "allow")])
        assert shadow.wait_idle(WAIT_S)  # it still scores
    finally:
        shadow.stop()
    assert "shadow_not_idle" in events


def test_the_idle_gate_holds_shadow_scoring_while_the_worker_has_a_request_in_flight(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sms_config = ShadowModelConfig(enabled=True, share=1.0, queue_size=10)
    shadow = ShadowScorer(loaded_slot(monkeypatch), store_config(tmp_path, idle_gate=True, idle_poll_ms=1, sms=sms_config),
                          FakeChallenger(), KEY)
    gate: Admission[str] = Admission(OverloadConfig(), shadow.worker_in_flight)  # the worker's overload gate
    shadow.start()
    try:
        shadow.offer(CHAMPION, [sms(1)], [_Scored(0.1, "allow")])
        assert shadow.wait_idle(WAIT_S)  # idle worker: scored (and the process is up)
        gate.enter()
        shadow.offer(CHAMPION, [sms(2)], [_Scored(0.1, "allow")])
        assert not shadow.wait_idle(1)  # held while a request is in flight
        gate.leave()
        assert shadow.wait_idle(WAIT_S)  # and scored once none is
    finally:
        shadow.stop()
    assert len(open_shadow_store(store_config(tmp_path)).read()) == 2


@pytest.mark.parametrize("idle_gate", [False, True])
def test_a_shared_in_flight_counter_exists_and_is_written_only_with_the_idle_gate(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, idle_gate: bool) -> None:
    allocated = []
    raw_value = shadow_module._CONTEXT.RawValue
    monkeypatch.setattr(shadow_module._CONTEXT, "RawValue", lambda *args: allocated.append(raw_value(*args)) or allocated[-1])
    assert open_shadows(store_config(tmp_path, idle_gate=idle_gate, hmac_key=KEY.decode())).in_flight is None  # none enabled
    both = {"sms": ShadowModelConfig(enabled=True), "call": CallShadowConfig(enabled=True)}
    shadows = open_shadows(store_config(tmp_path, idle_gate=idle_gate, hmac_key=KEY.decode(), **both))
    gate: Admission[str] = Admission(OverloadConfig(), shadows.in_flight)  # as the service builds its gate
    if not idle_gate:
        assert allocated == [] and shadows.in_flight is None and gate.shared_in_flight is None
        assert [scorer.worker_in_flight for scorer in shadows.scorers.values()] == [None, None]
        gate.enter()  # counts locally, writes nothing shared
        assert gate.in_flight == 1
        gate.leave()  # the in-flight gauge sums live processes: leave none behind for other tests
        return
    assert allocated == [shadows.in_flight]  # one counter per worker, shared by both shadows
    assert all(scorer.worker_in_flight is shadows.in_flight for scorer in shadows.scorers.values())
    gate.enter()
    gate.enter()
    assert shadows.in_flight.value == 2
    gate.leave()
    assert shadows.in_flight.value == 1
    gate.leave()
    assert shadows.in_flight.value == 0


def test_a_shadow_process_that_died_is_started_again_by_the_next_reload(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    slot = loaded_slot(monkeypatch)
    shadow = scorer(slot, FakeChallenger("block"), tmp_path)
    shadow.start()
    first = shadow.process
    first.kill()  # what the kernel's OOM killer does
    first.join(WAIT_S)
    shadow.offer(CHAMPION, [sms(1)], [_Scored(0.1, "allow")])  # lost with the dead process; never raises
    slot.reload()
    assert shadow.process is not first and shadow.process.is_alive()
    shadow.offer(CHAMPION, [sms(2)], [_Scored(0.1, "allow")])
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    assert list(open_shadow_store(store_config(tmp_path)).read()["record_key"]) == [record_key(KEY, "sms", "你好2")]


def test_a_stop_ends_the_shadow_process_even_when_the_challenger_is_stuck(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    idle = scorer(loaded_slot(monkeypatch), FakeChallenger("allow"), tmp_path / "idle")
    stuck_entered = SPAWN.Event()
    stuck = scorer(loaded_slot(monkeypatch), FakeChallenger("allow", entered=stuck_entered, release=SPAWN.Event()),
                   tmp_path / "stuck")
    for shadow in (idle, stuck):
        shadow.start()
    stuck.offer(CHAMPION, [sms(1)], [_Scored(0.1, "allow")])
    assert stuck_entered.wait(WAIT_S)
    idle.stop(timeout_s=WAIT_S)
    start = time.perf_counter()
    stuck.stop(timeout_s=0.2)
    stopped_s = time.perf_counter() - start
    assert idle.process.exitcode == 0  # it left on the stop message
    assert not stuck.process.is_alive() and stuck.process.exitcode != 0  # terminated: it never read the stop
    assert stopped_s < 5


def test_the_shadow_process_dies_with_its_worker(tmp_path: Path) -> None:
    """SIGKILL of the worker (no shutdown hook runs) takes its shadow process with it. At nice 0:
    the shadow process may still be importing when the worker dies (it then exits at its
    die_with check), and at the shipped idle priority a loaded machine delays that past WAIT_S."""
    script = textwrap.dedent(f"""
        import signal
        from configs.serving import OverloadConfig, ShadowConfig, ShadowModelConfig
        from serving.shadow import ShadowScorer, ShadowSlot
        from tests.serving.shadow_fakes import FakeChallenger

        sms = ShadowModelConfig(enabled=True)
        config = ShadowConfig(path={str(tmp_path / "shadow.db")!r}, sms=sms, nice=0, scheduler="nice")
        shadow = ShadowScorer(ShadowSlot("sms", sms.model), config, FakeChallenger(), {KEY!r})
        shadow.start()
        print(shadow.process.pid, flush=True)
        signal.pause()
    """)
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        shadow_pid = int(worker.stdout.readline())  # type: ignore[union-attr]
        assert is_running(shadow_pid)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(WAIT_S)
    assert wait_until(lambda: not is_running(shadow_pid), WAIT_S)


@pytest.mark.slow
def test_the_service_shadows_its_challenger_and_follows_the_alias(
    serving_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_frame
) -> None:
    """The real service and models: every sampled answer gets a pair naming both versions; a
    crashed shadow process or a deleted alias leaves the champion's answers as they were."""
    import asyncio

    from mlflow import MlflowClient

    from configs.serving import SERVING_CONFIG_ENV, load_serving_config
    from models.registry import set_alias
    from serving.schemas import SmsMessage
    from serving.service import YunmaoService
    from tests.serving.conftest import register_copy

    name = "yunmao-sms-shadow-test"
    version = register_copy(serving_env, name)
    set_alias(name, version, "challenger")
    config = tmp_path / "serving.yaml"
    config.write_text(
        f"shadow:\n  sms: {{enabled: true, model: 'models:/{name}@challenger', share: 1.0}}\n"
        f"  path: {tmp_path / 'shadow.db'}\n"
        "  scheduler: nice\n  nice: 0\n", encoding="utf-8")  # the shipped idle / nice 19 waits for a spare core: see store_config
    monkeypatch.setenv(SERVING_CONFIG_ENV, str(config))
    monkeypatch.setenv(SHADOW_KEY_ENV, KEY.decode())
    load_serving_config.cache_clear()
    store = open_shadow_store(store_config(tmp_path))
    messages = [SmsMessage(id=f"m{i}", text=text) for i, text in enumerate(demo_frame["text"].head(6))]
    try:
        service = YunmaoService()
        shadow = service._shadows.scorers["sms"]

        async def score() -> list[tuple[float | None, str]]:
            response = await service.score_sms(messages=messages)
            return [(r.score, r.action) for r in response.results]

        async def scenario() -> None:  # one event loop: the batcher belongs to the loop it first ran on
            answers = await score()
            assert await asyncio.to_thread(shadow.wait_idle, REAL_MODEL_WAIT_S)
            pairs = store.read()
            assert len(pairs) == len(messages)
            assert set(pairs["challenger_version"]) == {version} and set(pairs["challenger_model"]) == {name}
            assert list(pairs["champion_action"]) == [action for _, action in answers]
            assert list(pairs["champion_score"]) == pytest.approx([score for score, _ in answers])
            assert (pairs["challenger_score"] == pairs["champion_score"]).all()  # same weights, same scores

            shadow.process.kill()  # a crashed challenger: sampled records pile up in the queue, answers do not change
            assert await score() == answers
            assert len(store.read()) == len(messages)

            MlflowClient().delete_registered_model_alias(name, "challenger")
            service.reload()
            assert not shadow.slot.enabled and await score() == answers
            set_alias(name, version, "challenger")
            service.reload()
            assert shadow.slot.enabled

        asyncio.run(scenario())
    finally:
        service._stop_poller()
        load_serving_config.cache_clear()
