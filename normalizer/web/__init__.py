"""The web service: ``create_app(config)`` builds a Flask app around one compiled engine."""

from __future__ import annotations

from flask import Flask, jsonify, request

from ..api import _get
from ..errors import NormalizerError
from ..ruleset import load_ruleset


def create_app(config: dict | None = None) -> Flask:
    """Build the app; the rule set is compiled here, once, before the first request."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=1 << 20)
    app.config.update(config or {})
    ruleset = load_ruleset()

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", ruleset=ruleset.version, files=len(ruleset.files))

    @app.post("/v1/normalize")
    def normalize_view():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return _error(400, "invalid-request", "send JSON with a string field 'text'")
        try:
            result = _get(body.get("profile", "default"), (), body.get("options") or {}).normalize(body["text"])
        except (NormalizerError, TypeError) as exc:
            return _error(400, getattr(exc, "code", "invalid"), str(exc))
        return jsonify(result.to_dict())

    return app


def _error(status: int, code: str, message: str):
    return jsonify(error={"code": code, "message": message}), status
