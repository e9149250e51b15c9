"""The routes of SPEC §5. Thin: parse and check the body, call the library, shape the answer."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from .. import __version__, transliterate
from .body import JSON, TEXT, body_kind, parse_json, read_json, read_text
from .errors import ApiError
from .service import Service

api = Blueprint("api", __name__)


def service() -> Service:
    return current_app.extensions["normalizer"]


@api.post("/v1/normalize")
def normalize():
    svc = service()
    if body_kind(request, (JSON, TEXT)) == TEXT:
        text = read_text(request)
        profile = request.args.get("profile", "default")
        return Response(svc.engine(profile, {}).normalize(text).text, mimetype=TEXT)
    body = parse_json(read_text(request), svc.schemas, "NormalizeRequest")
    engine = svc.engine(body.get("profile", "default"), body.get("options", {}))
    result = engine.normalize(body["text"], lang=body.get("lang"), apply=body.get("apply", True))
    return jsonify(result.to_dict())


@api.post("/v1/normalize/batch")
def normalize_batch():
    svc = service()
    body = read_json(request, svc.schemas, "BatchRequest")
    items = body["items"]
    if len(items) > svc.batch_max_items:
        raise ApiError(413, "too-many-items", f"{len(items)} items; the limit is {svc.batch_max_items} per request")
    engine = svc.engine(body.get("profile", "default"), body.get("options", {}))
    lang = body.get("lang")
    return jsonify(results=[engine.normalize(text, lang=lang).to_dict() for text in items])


@api.post("/v1/transliterate")
def transliterate_view():
    svc = service()
    body = read_json(request, svc.schemas, "TransliterateRequest")
    lang = body.get("lang", "ru")
    scheme = svc.scheme_name(lang, body.get("scheme"))
    return jsonify(text=transliterate(body["text"], lang=lang, scheme=scheme), lang=lang, scheme=scheme)


@api.get("/v1/rules")
def rules():
    svc = service()
    return jsonify(ruleset=svc.ruleset.version, files=svc.rule_files(), schemes=svc.schemes())


@api.get("/v1/profiles")
def profiles():
    descriptions = service().ruleset.descriptions
    return jsonify(default="default", profiles=[{"name": n, "description": d} for n, d in sorted(descriptions.items())])


@api.get("/healthz")
def healthz():
    svc = service()
    return jsonify(status="ok", version=__version__, ruleset=svc.ruleset.version, files=len(svc.ruleset.files),
                   rules=sum(f["rules"] for f in svc.rule_files()), profiles=len(svc.ruleset.profiles),
                   schemes=sum(len(s) for s in svc.ruleset.schemes.values()))


@api.get("/openapi.json")
def openapi():
    return jsonify(service().document)


@api.get("/")
def playground():
    return render_template("playground.html")
