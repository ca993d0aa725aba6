"""The hand-over from a worker to its shadow process: pickled frames on a non-blocking pipe.

Why not a ``multiprocessing.Queue``: its ``put_nowait`` wakes a feeder thread in the worker that
pickles and writes each item, ~53 µs of CPU holding the interpreter lock plus ~0.75 context
switches per put, competing with the champion's requests (docs/benchmarks.md, shadow section).
Here the request thread pickles the job itself and writes it with one non-blocking ``os.write``:
no thread, no wakeup, nothing in the worker that runs later.

Bounded as the queue was: at most ``capacity`` frames wait for the reader (a shared semaphore,
taken without blocking by :meth:`FrameSender.send` and given back by :meth:`FrameReceiver.get`
for each frame read), and the pipe's buffer (``shadow.pipe_bytes``) bounds the bytes. Whichever
is full first, :meth:`FrameSender.send` sends nothing and says so; its caller counts the drop.

A frame is a 4-byte big-endian length and the pickle. Linux writes at most ``PIPE_BUF`` (4 KiB)
bytes to a non-blocking pipe whole or not at all; a longer frame (one SMS of 2,000 characters
pickles to ~6 KB) may be written in part. The rest of a partly written frame is kept and written
before anything else: by the next :meth:`FrameSender.send` (which drops its own frame while that
rest does not fit) or by :meth:`FrameSender.flush`. One lock makes the worker's threads (requests,
reloads, stop) one writer, so the reader never sees two frames interleaved.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pickle
import queue
import select
import struct
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from multiprocessing.synchronize import BoundedSemaphore

from serving.logs import log_event

_HEADER = struct.Struct("!I")  # a frame's length, before its pickle
READ_BYTES = 1 << 16  # what the reader asks the pipe for at once (the default pipe buffer's size)


class FrameSender:
    """The worker's end: :meth:`send` never blocks (the caller counts what it could not send)."""

    def __init__(self, writer: Connection, slots: BoundedSemaphore) -> None:
        self._writer = writer
        self._fd = writer.fileno()
        os.set_blocking(self._fd, False)
        self._slots = slots
        self._lock = threading.Lock()
        self._rest = b""  # the unwritten end of a partly written frame
        self._closed = False

    def send(self, message: object) -> bool:
        """Pickle ``message`` and write it as one frame without waiting. False (nothing of it sent)
        when ``capacity`` frames wait, the pipe is full, a partly written frame's rest does not fit
        yet, or the reader is gone."""
        body = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        frame = _HEADER.pack(len(body)) + body
        with self._lock:
            if self._closed or self._write_rest() or not self._slots.acquire(False):
                return False
            try:
                written = os.write(self._fd, frame)
            except OSError:  # EAGAIN: the pipe is full; EPIPE: the reader died
                self._slots.release()
                return False
            self._rest = frame[written:]
            return True

    def _write_rest(self) -> bool:
        """Write what is left of a partly written frame; True while some is still left."""
        if self._rest:
            try:
                self._rest = self._rest[os.write(self._fd, self._rest):]
            except BlockingIOError:
                pass
            except OSError:  # the reader is gone: the rest can never be read
                self._rest = b""
        return bool(self._rest)

    def flush(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` until a partly written frame is all written (for callers that may
        wait: tests, benchmarks, a stop); True once nothing is left. Gives up on a dead reader."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while not self._closed and self._write_rest():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                writable = select.poll()
                writable.register(self._fd, select.POLLOUT)
                writable.poll(remaining * 1000)
            return True

    def set_buffer(self, size: int) -> None:
        """Ask the kernel for a pipe buffer of ``size`` bytes (Linux ``F_SETPIPE_SZ``); where it is
        refused (above ``/proc/sys/fs/pipe-max-size`` for an unprivileged process, not Linux), the
        pipe keeps its buffer and the event says how large it is."""
        try:
            fcntl.fcntl(self._fd, fcntl.F_SETPIPE_SZ, size)
        except (AttributeError, OSError) as exc:
            error = errno.errorcode.get(getattr(exc, "errno", 0) or 0, type(exc).__name__)
            log_event("shadow_pipe_not_resized", wanted=size, error=error)

    def close(self) -> None:
        """Close the worker's end: the reader reads what was sent, then sees the end of the pipe.
        Later sends send nothing (the closed descriptor's number may already name another file)."""
        with self._lock:
            self._closed = True
            self._rest = b""
            self._writer.close()


class FrameReceiver:
    """The shadow process's end: frames in the order they were sent."""

    def __init__(self, reader: Connection, slots: BoundedSemaphore) -> None:
        self._reader = reader
        self._slots = slots
        self._buffer = bytearray()

    def get(self, timeout_s: float | None = None) -> object:
        """The next message, waiting up to ``timeout_s`` (None: for ever).

        Raises:
            queue.Empty: no whole frame arrived within ``timeout_s``.
            EOFError: the worker closed its end (stopped, or died) and every whole frame was read.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while (frame := self._next_frame()) is None:
            if deadline is not None and not self._reader.poll(max(0.0, deadline - time.monotonic())):
                raise queue.Empty
            chunk = os.read(self._reader.fileno(), READ_BYTES)
            if not chunk:
                raise EOFError("the worker closed the shadow pipe")
            self._buffer += chunk
        self._slots.release()
        return pickle.loads(frame)  # noqa: S301 - frames come only from this process's own worker

    def close(self) -> None:
        """Close this end (the worker's copy, once the shadow process has its own)."""
        self._reader.close()

    def _next_frame(self) -> bytes | None:
        """The first whole frame's pickle, taken off the buffer; None until one has arrived."""
        if len(self._buffer) < _HEADER.size:
            return None
        end = _HEADER.size + _HEADER.unpack_from(self._buffer)[0]
        if len(self._buffer) < end:
            return None
        frame = bytes(self._buffer[_HEADER.size:end])
        del self._buffer[:end]
        return frame


def frame_pipe(context: SpawnContext, capacity: int, buffer_bytes: int) -> tuple[FrameSender, FrameReceiver]:
    """A pipe for at most ``capacity`` waiting frames: the worker keeps the sender, the receiver
    goes to the shadow process (picklable for a spawned process: its pipe end and semaphore are
    passed to the child at its start)."""
    reader, writer = context.Pipe(duplex=False)
    slots = context.BoundedSemaphore(capacity)
    sender = FrameSender(writer, slots)
    sender.set_buffer(buffer_bytes)
    return sender, FrameReceiver(reader, slots)
