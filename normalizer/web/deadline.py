"""Time limits on receiving a request, so a client that trickles it cannot hold a worker.

gunicorn's sync workers block on the client's socket with no timeout of their own; the only
bound is the master killing a silent worker. At a deadline the socket's read side is shut
instead, which makes the blocked read return at once: the worker closes the connection (a
request head) or the view answers 408 (a body), and goes on serving.
One watchdog thread per process keeps the deadlines, so arming one costs no thread start.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from types import TracebackType

_SOCKET_KEYS = ("gunicorn.socket", "werkzeug.socket")
"""Where the servers we run under put the client's socket in the WSGI environ."""


class Deadline:
    """One socket's deadline; ``expired`` turns true when the watchdog shuts its read side."""

    __slots__ = ("cancelled", "expired", "seconds", "sock", "when")

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.sock, self.seconds, self.when = sock, seconds, time.monotonic() + seconds
        self.expired = self.cancelled = False


class Watchdog:
    """Shuts the read side of each armed socket whose deadline passes before it is cancelled."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked worker starts afresh, with its own thread

    def _reset(self) -> None:
        self._wake = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._running = False

    def arm(self, sock: socket.socket, seconds: float) -> Deadline:
        deadline = Deadline(sock, seconds)
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
            with contextlib.suppress(OSError):  # the connection is already gone
                deadline.sock.shutdown(socket.SHUT_RD)


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
