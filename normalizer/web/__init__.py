"""The web service (SPEC §5): ``create_app(config)`` builds a Flask app around one compiled rule set.

>>> app = create_app({"BATCH_MAX_ITEMS": 10})
>>> app.test_client().post("/v1/normalize", json={"text": "sappers from КНДР"}).json["text"]
'sappers from DPRK'
"""

from __future__ import annotations

import logging
import sys

from flask import Flask

from ..ruleset import load_ruleset
from . import errors, requestlog
from .server import serve
from .service import Service
from .views import api

DEFAULTS = {
    "MAX_CONTENT_LENGTH": 1 << 20,
    "BATCH_MAX_ITEMS": 1000,
    "RECEIVE_TIMEOUT": 20,
    "WORK_BUDGET": 10,
    "MAX_RESPONSE_BYTES": 16 << 20,
    "RULES": [],
    "PROFILE": "default",
    "LOG_LEVEL": "INFO",
}
"""Configuration: the body size limit in bytes (413 past it), items per batch, the seconds a request's
head and then its body may each take to arrive (under gunicorn: the connection is closed, or a 408),
the seconds of work one request may take (a 413 ``too-expensive`` past it), the bytes one response
may take (a 413 ``response-too-large``), extra rule folders, the profile of a request that names
none, the log level. Each can be set in the environment too, e.g. ``NORMALIZER_MAX_CONTENT_LENGTH=4194304``,
``NORMALIZER_RULES='["my-rules"]'`` (JSON)."""

__all__ = ["DEFAULTS", "create_app", "serve"]


def create_app(config: dict | None = None) -> Flask:
    """Build the app; the rule set is compiled here, once, before the first request."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("NORMALIZER")
    app.config.update(config or {})
    app.json.sort_keys = False
    app.extensions["normalizer"] = _service(app.config)
    _configure_logging(app.config["LOG_LEVEL"])
    requestlog.install(app)
    errors.register(app)
    app.register_blueprint(api)
    return app


def _service(config: dict) -> Service:
    given = config["RULES"]
    rules = tuple(str(d) for d in ([given] if isinstance(given, str) else given))
    return Service(load_ruleset(rules), int(config["BATCH_MAX_ITEMS"]), rules=rules, profile=config["PROFILE"],
                   work_budget=float(config["WORK_BUDGET"]), max_response_bytes=int(config["MAX_RESPONSE_BYTES"]))


def _configure_logging(level: str) -> None:
    """Log ``normalizer.web`` records to stderr unless the host (a test, an embedding app) already routes them."""
    logger = logging.getLogger("normalizer.web")
    logger.setLevel(level)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
