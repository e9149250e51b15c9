"""``serve()``: the app under gunicorn in production mode (the CLI's ``normalizer serve``)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


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
    _Gunicorn({"bind": f"{bind}:{port}", "workers": workers, "preload_app": True, "timeout": 60,
               "graceful_timeout": 10, "proc_name": "normalizer"}).run()
