"""A request id on every request (the client's ``X-Request-ID`` when well formed) and one log line each."""

from __future__ import annotations

import logging
import time
import uuid

import regex
from flask import Flask, g, request

HEADER = "X-Request-ID"
_WELL_FORMED = regex.compile(r"[A-Za-z0-9._:-]{1,128}")
log = logging.getLogger("normalizer.web.requests")


def install(app: Flask) -> None:
    """Tag each request with an id, echo it in the response, and log method, path, status and time."""

    @app.before_request
    def tag() -> None:
        given = request.headers.get(HEADER, "")
        g.request_id = given if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def record(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[HEADER] = request_id
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info("%s %s %s %d %.1fms", request_id, request.method, request.path, response.status_code, elapsed)
        return response
