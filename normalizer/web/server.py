"""``serve()``: the app under gunicorn in production mode (the CLI's ``normalizer serve``)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker as _GunicornSyncWorker

from .deadline import WATCHDOG, Deadline


class SyncWorker(_GunicornSyncWorker):
    """gunicorn's sync worker, with the app's ``RECEIVE_TIMEOUT`` on the request line and headers.

    A client that sends them slower than that (or not at all) gets its connection closed, instead
    of holding the worker until the master kills it. ``gunicorn --worker-class
    normalizer.web.server.SyncWorker`` uses it outside ``serve()``; an app that is not ours
    (no ``RECEIVE_TIMEOUT`` in its config) gets no time limit.
    """

    _head: Deadline | None = None

    def handle(self, listener, client, addr) -> None:
        seconds = float(getattr(self.wsgi, "config", {}).get("RECEIVE_TIMEOUT", 0))
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


class _Gunicorn(BaseApplication):
    """gunicorn, configured from a dict instead of a command line."""

    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app()


def serve(port: int = 8000, workers: int = 2, bind: str = "0.0.0.0") -> None:
    """Run gunicorn on ``bind:port`` with ``workers`` processes; the rules compile once, before forking."""
    _Gunicorn({"bind": f"{bind}:{port}", "workers": workers, "worker_class": f"{__name__}.SyncWorker",
               "preload_app": True, "timeout": 60, "graceful_timeout": 10, "proc_name": "normalizer"}).run()
