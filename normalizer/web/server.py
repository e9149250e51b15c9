"""gunicorn workers with the service's protections, and ``serve()`` (the CLI's ``normalizer serve``).

``ThreadWorker`` (the one ``gunicorn_config`` names) reads each request head in its main loop
and hands a connection to a thread only once the head has arrived, so idle or slow clients
hold no thread; ``SyncWorker`` is the one-request-at-a-time alternative. Both answer the
errors gunicorn's own parser finds (414, 431, a bad Content-Length) with the service's JSON
error instead of gunicorn's HTML page.
"""

from __future__ import annotations

import json
import selectors
import socket
from functools import partial

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn
from gunicorn.workers.gthread import ThreadWorker as _GunicornThreadWorker
from gunicorn.workers.sync import SyncWorker as _GunicornSyncWorker

from . import gunicorn_config
from .deadline import WATCHDOG, Deadline

HEAD_END = b"\r\n\r\n"
HEAD_BUFFER = 64 * 1024
"""Bytes of a request head read in the main loop; a longer head goes to a thread (and gunicorn's limits)."""


class _Captured:
    """Stands in for the client socket while gunicorn writes its HTML error page, to keep its status line."""

    def __init__(self) -> None:
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.data += data


class JsonErrors:
    """gunicorn's ``handle_error`` (its status, reason, log lines), answered as ``{"error": {"code", "message"}}``."""

    def handle_error(self, req, client, addr, exc) -> None:
        captured = _Captured()
        super().handle_error(req, captured, addr, exc)
        _, status, reason = captured.data.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        write_json_error(client, int(status), reason, str(exc) if int(status) < 500 else "internal error")


def write_json_error(client: socket.socket, status: int, reason: str, message: str) -> None:
    """Send one JSON error response and nothing else (the connection is closed after it)."""
    code = "-".join(reason.lower().split()) or f"http-{status}"
    body = json.dumps({"error": {"code": code, "message": message[:300]}}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    client.setblocking(False)
    try:
        client.sendall(head + body)
    except OSError:  # the client is gone or not reading: nothing more to tell it
        pass
    finally:
        client.setblocking(True)


def _receive_timeout(wsgi) -> float:
    """The app's ``RECEIVE_TIMEOUT`` (0, no limit, for an app that is not ours)."""
    return float(getattr(wsgi, "config", {}).get("RECEIVE_TIMEOUT", 0))


class SyncWorker(JsonErrors, _GunicornSyncWorker):
    """gunicorn's sync worker, with the app's ``RECEIVE_TIMEOUT`` on the request line and headers.

    A client that sends them slower than that (or not at all) gets its connection closed, instead
    of holding the worker until the master kills it. An app that is not ours (no
    ``RECEIVE_TIMEOUT`` in its config) gets no time limit.
    """

    _head: Deadline | None = None

    def handle(self, listener, client, addr) -> None:
        seconds = _receive_timeout(self.wsgi)
        self._head = WATCHDOG.arm(client, seconds) if seconds > 0 else None
        try:
            super().handle(listener, client, addr)
        finally:
            self._end_head()

    def handle_request(self, listener, req, client, addr) -> None:
        self._end_head()  # the head has arrived; the view times the body
        super().handle_request(listener, req, client, addr)

    def _end_head(self) -> None:
        if self._head is not None:
            WATCHDOG.cancel(self._head)


class HeadConn(TConn):
    """A connection whose request head is read in the worker's main loop before a thread takes it."""

    head = b""
    deadline: Deadline | None = None

    def init(self) -> None:
        """Make the parser (once), and give it the head bytes read so far, as if it had read them itself."""
        super().init()
        if self.head:
            self.parser.unreader.unread(self.head)
            self.head = b""

    def end_head(self) -> None:
        if self.deadline is not None:
            WATCHDOG.cancel(self.deadline)
            self.deadline = None


class ThreadWorker(JsonErrors, _GunicornThreadWorker):
    """gunicorn's gthread worker; a thread takes a connection only when its request head is complete.

    New and kept-alive connections wait in the main loop's poller while their head arrives
    (at most ``RECEIVE_TIMEOUT`` seconds, then they are closed), so fifty idle or half-sent
    requests cost fifty sockets, not fifty threads, and ``/healthz`` stays prompt. The body
    is read by the thread, under the view's own ``RECEIVE_TIMEOUT``.
    """

    def accept(self, listener) -> None:
        if self.cfg.is_ssl:
            super().accept(listener)
            return
        try:
            client, addr = listener.accept()
        except (BlockingIOError, ConnectionAbortedError, InterruptedError):
            return
        self.nr_conns += 1
        self._await_head(HeadConn(self.cfg, client, addr, listener.getsockname()))

    def on_client_socket_readable(self, conn, client) -> None:
        """A kept-alive connection has bytes again: its next head is read in the main loop too."""
        if not isinstance(conn, HeadConn):
            super().on_client_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_head(conn)

    def _head_deadline(self, conn: HeadConn) -> Deadline | None:
        seconds = _receive_timeout(self.wsgi)
        return WATCHDOG.arm(conn.sock, seconds) if seconds > 0 else None

    def _await_head(self, conn: HeadConn) -> None:
        conn.deadline = self._head_deadline(conn)
        conn.sock.setblocking(False)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_head_bytes, conn))

    def _on_head_bytes(self, conn: HeadConn, client) -> None:
        try:
            chunk = conn.sock.recv(HEAD_BUFFER)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        conn.head += chunk
        if chunk and HEAD_END not in conn.head and len(conn.head) < HEAD_BUFFER:
            return
        self.poller.unregister(conn.sock)
        if not chunk:  # closed by the client, or by the head deadline
            conn.end_head()
            self.nr_conns -= 1
            conn.close()
            return
        conn.data_ready = True
        self.enqueue_req(conn)

    def handle(self, conn):
        if isinstance(conn, HeadConn) and conn.deadline is None:  # a pipelined request, read ahead by the last one
            conn.deadline = self._head_deadline(conn)
        try:
            return super().handle(conn)
        finally:
            if isinstance(conn, HeadConn):
                conn.end_head()

    def handle_request(self, req, conn):
        if isinstance(conn, HeadConn):
            conn.end_head()  # the head has arrived; the view times the body
        return super().handle_request(req, conn)


class _Gunicorn(BaseApplication):
    """gunicorn, configured from a dict instead of a command line."""

    def __init__(self, options: dict, app_config: dict) -> None:
        self.options, self.app_config = options, app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app(self.app_config)


def serve(port: int = 8000, workers: int | None = None, bind: str = "127.0.0.1", **app_config) -> None:
    """Run the app under gunicorn with ``gunicorn_config``'s settings, on ``bind:port``.

    ``app_config`` goes to ``create_app`` (e.g. ``RULES_DIRS``, ``PROFILE``); the rules compile
    once, before the workers fork.
    """
    options = {**gunicorn_config.settings(), "bind": [f"{bind}:{port}"]}
    if workers is not None:
        options["workers"] = workers
    options.pop("wsgi_app", None)
    _Gunicorn(options, app_config).run()
