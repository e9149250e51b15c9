"""The one gunicorn configuration of the service: ``normalizer serve``, ``make serve`` and the Docker image.

On a command line: ``gunicorn -c python:normalizer.web.gunicorn_config`` (add ``--bind``,
``--workers`` to override). Every setting can also come from ``GUNICORN_CMD_ARGS``.
"""

from __future__ import annotations

wsgi_app = "normalizer.web:create_app()"
bind = ["127.0.0.1:8000"]
"""Loopback unless told otherwise (``--bind 0.0.0.0:8000`` in the Docker image)."""
workers = 2
worker_class = "normalizer.web.server.ThreadWorker"
threads = 64
"""Requests one worker runs at once. Request heads are read in its main loop, so clients still sending one take
no thread; a body is read in a thread, for at most RECEIVE_TIMEOUT seconds."""
worker_connections = 1000
preload_app = True
"""The rules compile once, in the master, before the workers fork."""
timeout = 60
"""The master restarts a worker whose main loop is silent this long (requests run in threads, under WORK_BUDGET)."""
graceful_timeout = 10
keepalive = 5
accesslog = None
"""No gunicorn access log: the app logs one line per request itself (with its request id)."""
errorlog = "-"
loglevel = "info"
proc_name = "normalizer"
control_socket_disable = True
"""No ``gunicornc`` control socket (it would live in $HOME, and several servers on one machine would share it)."""

_SETTINGS = ("wsgi_app", "bind", "workers", "worker_class", "threads", "worker_connections", "preload_app", "timeout",
             "graceful_timeout", "keepalive", "accesslog", "errorlog", "loglevel", "proc_name",
             "control_socket_disable")


def settings() -> dict:
    """The settings above as a dict, for ``gunicorn.app.base.BaseApplication``."""
    return {name: globals()[name] for name in _SETTINGS}
