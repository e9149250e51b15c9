"""The one place where failures become ``{"error": {"code", "message"}}`` responses."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import NormalizerError

log = logging.getLogger("normalizer.web")

HTTP_CODES = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
}
"""Error codes for the HTTP errors werkzeug raises itself (routing, body size)."""


class ApiError(Exception):
    """A request the service refuses: an HTTP status, a stable code and one sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify(error={"code": code, "message": message}), status


def register(app: Flask) -> None:
    """Install the handlers: API errors, library errors, HTTP errors, and bugs (logged, 500)."""

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(NormalizerError)
    def normalizer_error(exc: NormalizerError):
        return error_response(422, exc.code, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        response, _ = error_response(status, HTTP_CODES.get(status, f"http-{status}"), exc.description or exc.name)
        response.headers.extend((k, v) for k, v in exc.get_headers() if k.lower() != "content-type")
        return response, status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal", "internal error; the request id in X-Request-ID finds it in the log")
