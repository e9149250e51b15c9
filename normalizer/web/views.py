"""The routes of SPEC §5. Thin: parse and check the body, call the library within the work budget, answer."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from .. import __version__, transliterate
from .body import JSON, TEXT, body_kind, parse_json, read_json, read_text
from .deadline import WorkBudget
from .errors import ApiError
from .payload import dump_capped, item_count, result_payload
from .service import Service

api = Blueprint("api", __name__)


def service() -> Service:
    return current_app.extensions["normalizer"]


def capped_json(payload: dict, items: int = 0) -> Response:
    """A JSON response, refused with a 413 if it is over the service's response size limit."""
    return Response(dump_capped(payload, items, service().max_response_bytes), mimetype=JSON)


@api.post("/v1/normalize")
def normalize():
    svc = service()
    if body_kind(request, (JSON, TEXT)) == TEXT:
        text = read_text(request)
        engine = svc.engine(request.args.get("profile"), {})
        with WorkBudget(svc.work_budget):
            out = engine.normalize(text).text
        return Response(out, mimetype=TEXT)
    body = parse_json(read_text(request), svc.schemas, "NormalizeRequest")
    engine = svc.engine(body.get("profile"), body.get("options", {}))
    with WorkBudget(svc.work_budget):
        payload = result_payload(engine.normalize(body["text"], lang=body.get("lang"), apply=body.get("apply", True)))
        return capped_json(payload, item_count(payload))


@api.post("/v1/normalize/batch")
def normalize_batch():
    svc = service()
    body = read_json(request, svc.schemas, "BatchRequest")
    items = body["items"]
    if len(items) > svc.batch_max_items:
        raise ApiError(413, "too-many-items", f"{len(items)} items; the limit is {svc.batch_max_items} per request")
    engine = svc.engine(body.get("profile"), body.get("options", {}))
    lang = body.get("lang")
    with WorkBudget(svc.work_budget):
        results = [result_payload(engine.normalize(text, lang=lang)) for text in items]
        return capped_json({"results": results}, sum(map(item_count, results)))


@api.post("/v1/transliterate")
def transliterate_view():
    svc = service()
    body = read_json(request, svc.schemas, "TransliterateRequest")
    lang = body.get("lang", "ru")
    scheme = svc.scheme_name(lang, body.get("scheme"))
    with WorkBudget(svc.work_budget):
        text = transliterate(body["text"], lang=lang, scheme=scheme)
    return capped_json({"text": text, "lang": lang, "scheme": scheme})


@api.get("/v1/rules")
def rules():
    svc = service()
    return jsonify(ruleset=svc.ruleset.version, files=svc.rule_files(), schemes=svc.schemes())


@api.get("/v1/profiles")
def profiles():
    svc = service()
    descriptions = svc.ruleset.descriptions
    return jsonify(default=svc.profile,
                   profiles=[{"name": n, "description": d} for n, d in sorted(descriptions.items())])


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
