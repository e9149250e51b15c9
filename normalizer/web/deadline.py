"""Time limits on receiving a request and on the work it asks for, so no request can hold a worker.

gunicorn's workers block on the client's socket with no timeout of their own; the only
bound is the master killing a silent worker. At a deadline the socket's read side is shut
instead, which makes the blocked read return at once: the worker closes the connection (a
request head) or the view answers 408 (a body), and goes on serving.
A ``WorkBudget`` raises ``TooExpensive`` in the thread doing a request's work once its
seconds are spent, so the view answers a 413 instead of running on.
One watchdog thread per process keeps the deadlines, so arming one costs no thread start.
"""

from __future__ import annotations

import contextlib
import ctypes
import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable
from functools import partial
from types import TracebackType

from .errors import ApiError

_SOCKET_KEYS = ("gunicorn.socket", "werkzeug.socket")
"""Where the servers we run under put the client's socket in the WSGI environ."""


class Deadline:
    """One deadline; ``expired`` turns true when the watchdog runs its ``action``."""

    __slots__ = ("action", "cancelled", "expired", "seconds", "when")

    def __init__(self, action: Callable[[], None], seconds: float) -> None:
        self.action, self.seconds, self.when = action, seconds, time.monotonic() + seconds
        self.expired = self.cancelled = False


def _shut_read(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the connection is already gone
        sock.shutdown(socket.SHUT_RD)


class Watchdog:
    """Runs the action of each deadline that passes before it is cancelled (shutting a socket, stopping work)."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked worker starts afresh, with its own thread

    def _reset(self) -> None:
        self._wake = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._running = False

    def arm(self, sock: socket.socket, seconds: float) -> Deadline:
        """Shut ``sock``'s read side in ``seconds`` unless cancelled first."""
        return self.schedule(partial(_shut_read, sock), seconds)

    def schedule(self, action: Callable[[], None], seconds: float) -> Deadline:
        """Run ``action`` on the watchdog thread in ``seconds`` unless cancelled first."""
        deadline = Deadline(action, seconds)
        with self._wake:
            if not self._running:
                threading.Thread(target=self._run, name="normalizer-deadlines", daemon=True).start()
                self._running = True
            heapq.heappush(self._heap, (deadline.when, next(self._order), deadline))
            if self._heap[0][2] is deadline:
                self._wake.notify()
        return deadline

    def cancel(self, deadline: Deadline) -> None:
        deadline.cancelled = True  # dropped from the heap when it comes up

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap or (self._heap[0][0] > time.monotonic() and not self._heap[0][2].cancelled):
                    self._wake.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                _, _, deadline = heapq.heappop(self._heap)
                if deadline.cancelled:
                    continue
                deadline.expired = True
            deadline.action()


WATCHDOG = Watchdog()


class BodyDeadline:
    """``with BodyDeadline(environ, seconds) as deadline:`` read the body; ``deadline.expired`` says it ran out.

    Without a known socket (another server, a test client) or with ``seconds`` 0 it does nothing.
    """

    def __init__(self, environ: dict, seconds: float) -> None:
        self.seconds = seconds
        self._sock = next((environ[key] for key in _SOCKET_KEYS if isinstance(environ.get(key), socket.socket)), None)
        self._deadline: Deadline | None = None

    @property
    def expired(self) -> bool:
        return self._deadline is not None and self._deadline.expired

    def __enter__(self) -> BodyDeadline:
        if self._sock is not None and self.seconds > 0:
            self._deadline = WATCHDOG.arm(self._sock, self.seconds)
        return self

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._deadline is not None:
            WATCHDOG.cancel(self._deadline)


class TooExpensive(ApiError):
    """A request whose work did not fit in the per-request budget (``WORK_BUDGET`` seconds)."""

    def __init__(self) -> None:
        super().__init__(413, "too-expensive", "the text needs more work than one request may take here; "
                         "send it in smaller parts (or raise WORK_BUDGET)")


class WorkBudget:
    """``with WorkBudget(seconds):`` the work; past ``seconds`` it raises ``TooExpensive`` in this thread.

    The exception is delivered between two Python bytecodes of the working thread (as
    ``PyThreadState_SetAsyncExc`` does), so pure-Python work stops within microseconds and a
    long C call when it returns. Leaving the block settles the race with the watchdog: once
    it has fired, a pending exception is cleared and ``TooExpensive`` raised here instead,
    so it can never surface after the block. ``seconds`` 0 means no budget.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._thread = threading.get_ident()
        self._lock = threading.Lock()
        self._done = self._fired = False
        self._deadline: Deadline | None = None

    def __enter__(self) -> WorkBudget:
        if self.seconds > 0:
            self._deadline = WATCHDOG.schedule(self._interrupt, self.seconds)
        return self

    def _interrupt(self) -> None:
        with self._lock:
            if not self._done:
                self._fired = True
                _set_async_exc(self._thread, TooExpensive)

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        with self._lock:
            self._done = True
        if self._deadline is not None:
            WATCHDOG.cancel(self._deadline)
        if self._fired:
            _set_async_exc(self._thread, None)  # not raised yet: drop it, raise it here
            if not isinstance(exc, TooExpensive):
                raise TooExpensive() from exc


def _set_async_exc(thread: int, kind: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(kind) if kind else None)
