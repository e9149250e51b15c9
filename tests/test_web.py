"""The HTTP API of SPEC §5: every response is checked against the served OpenAPI 3.1 document."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from normalizer import Edit, apply_edits
from normalizer.options import Options
from normalizer.web import create_app

LIMIT = 64 * 1024
MAX_ITEMS = 5


class CheckedClient:
    """Flask's test client; every response must match the OpenAPI document (or its Error schema)."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        self.document = app.extensions["normalizer"].document
        self.openapi = OpenAPI.from_dict(self.document)
        self.documented = {(path, method) for path, ops in self.document["paths"].items() for method in ops}
        self.error = OAS31Validator(self.document["components"]["schemas"]["Error"])

    def open(self, method: str, url: str, **kwargs):
        response = self.client.open(url, method=method, **kwargs)
        parts = urlsplit(url)
        if not response.data and response.mimetype == "text/plain":
            assert response.status_code == 200  # an empty string, which openapi-core reads as "missing data"
        elif (parts.path, method.lower()) in self.documented:
            request = MockRequest("http://localhost", method, parts.path, args=dict(parse_qsl(parts.query)))
            self.openapi.validate_response(request, MockResponse(response.data, response.status_code,
                                                                 dict(response.headers), response.mimetype))
        else:
            self.error.validate(response.json)
        assert response.status_code < 500, response.data
        return response

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.open("POST", url, **kwargs)


@pytest.fixture(scope="module")
def app():
    return create_app({"MAX_CONTENT_LENGTH": LIMIT, "BATCH_MAX_ITEMS": MAX_ITEMS})


@pytest.fixture(scope="module")
def client(app) -> CheckedClient:
    return CheckedClient(app)


def test_the_openapi_document_is_valid_openapi_3_1(client):
    served = client.get("/openapi.json").json
    validate_spec(served)
    assert served["openapi"].startswith("3.1")
    assert set(served["paths"]) >= {"/v1/normalize", "/v1/normalize/batch", "/v1/transliterate", "/v1/rules",
                                    "/v1/profiles", "/healthz", "/openapi.json", "/"}


def test_the_documented_options_are_the_library_options(client):
    documented = client.document["components"]["schemas"]["Options"]["properties"]
    assert set(documented) == {f.name for f in dataclasses.fields(Options)}


@pytest.mark.parametrize(("text", "expected"), [
    ("sappers from КНДР", "sappers from DPRK"),
    ("Kim Jong-un visited Kiev", "Kim Jong Un visited Kyiv"),
    ("the «victory» parade", "the “victory” parade"),
    ("plain correct English, with \"straight\" quotes.", "plain correct English, with \"straight\" quotes."),
])
def test_normalize_json_returns_the_text_and_edits_that_rebuild_it(client, text, expected):
    body = client.post("/v1/normalize", json={"text": text}).json
    assert body["text"] == expected
    edits = body["edits"]
    rebuilt = apply_edits(text, [_edit(e) for e in edits])
    assert rebuilt == expected
    assert body["profile"] == "default"
    assert body["ruleset"] == client.get("/healthz").json["ruleset"]


def _edit(e: dict) -> Edit:
    return Edit(e["start"], e["end"], e["original"], e["replacement"], e["rule"], e["category"], tuple(e["rules"]))


def test_edit_offsets_are_code_points_even_after_astral_characters(client):
    text = "😀🇰🇵 from КНДР"
    edit = client.post("/v1/normalize", json={"text": text}).json["edits"][0]
    assert (edit["start"], edit["end"], edit["original"]) == (9, 13, "КНДР")


def test_normalize_with_a_profile_and_options(client):
    ascii_ = client.post("/v1/normalize", json={"text": "the «victory»", "profile": "ascii"}).json
    assert ascii_["text"] == 'the "victory"' and ascii_["profile"] == "ascii"
    kept = client.post("/v1/normalize", json={"text": "in Kiev", "options": {"exclude": ["gazetteer.place.kyiv"]}})
    assert kept.status_code == 200
    dry = client.post("/v1/normalize", json={"text": "from КНДР", "apply": False}).json
    assert dry["text"] == "from КНДР" and dry["applied"] is False and dry["edits"][0]["replacement"] == "DPRK"


def test_plain_text_in_gives_plain_text_out(client):
    response = client.post("/v1/normalize?profile=ascii", data="sappers from КНДР, «victory»".encode(),
                           content_type="text/plain; charset=utf-8")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == 'sappers from DPRK, "victory"'


def test_batch_keeps_the_input_order(client):
    items = ["in Kiev", "sappers from КНДР", "plain text"]
    results = client.post("/v1/normalize/batch", json={"items": items}).json["results"]
    assert [r["text"] for r in results] == ["in Kyiv", "sappers from DPRK", "plain text"]


@pytest.mark.parametrize(("request_body", "expected"), [
    ({"text": "Покровское"}, {"text": "Pokrovskoye", "lang": "ru", "scheme": "wikipedia"}),
    ({"text": "Згурський", "lang": "uk"}, {"text": "Zghurskyi", "lang": "uk", "scheme": "kmu-2010"}),
    ({"text": "Згурський", "lang": "uk", "scheme": "kmu-2010"}, {"text": "Zghurskyi", "lang": "uk",
                                                                   "scheme": "kmu-2010"}),
])
def test_transliterate_reports_the_scheme_it_used(client, request_body, expected):
    assert client.post("/v1/transliterate", json=request_body).json == expected


def test_rules_lists_every_rule_file_with_counts(client):
    body = client.get("/v1/rules").json
    paths = {f["path"]: f for f in body["files"]}
    assert "gazetteer/acronyms.toml" in paths and paths["gazetteer/acronyms.toml"]["rules"] > 0
    assert all(f["source"] for f in body["files"])
    assert body["schemes"]["ru"][0] == "wikipedia"
    assert body["ruleset"] == client.get("/healthz").json["ruleset"]


def test_profiles_have_names_and_descriptions(client):
    body = client.get("/v1/profiles").json
    names = [p["name"] for p in body["profiles"]]
    assert {"default", "ascii", "minimal"} <= set(names) and body["default"] == "default"
    assert all(p["description"] for p in body["profiles"])


def test_healthz_reports_the_ruleset_version_and_counts(client):
    body = client.get("/healthz").json
    assert body["status"] == "ok"
    assert body["ruleset"].startswith(body["version"] + "+")
    assert body["files"] > 5 and body["rules"] > body["files"] and body["profiles"] >= 3


BAD_REQUESTS = [
    ("invalid JSON", "POST", "/v1/normalize", {"data": b'{"text": ', "content_type": "application/json"},
     400, "invalid-json"),
    ("deeply nested JSON", "POST", "/v1/normalize", {"data": b"[" * 50_000, "content_type": "application/json"},
     400, "invalid-json"),
    ("invalid UTF-8 in JSON", "POST", "/v1/normalize",
     {"data": b'{"text": "\xd0"}', "content_type": "application/json"}, 400, "invalid-utf8"),
    ("invalid UTF-8 in plain text", "POST", "/v1/normalize",
     {"data": b"caf\xe9", "content_type": "text/plain"}, 400, "invalid-utf8"),
    ("missing text", "POST", "/v1/normalize", {"json": {"profile": "default"}}, 400, "invalid-request"),
    ("non-string text", "POST", "/v1/normalize", {"json": {"text": 42}}, 400, "invalid-request"),
    ("a JSON array, not an object", "POST", "/v1/normalize", {"json": ["text"]}, 400, "invalid-request"),
    ("an option of the wrong type", "POST", "/v1/normalize",
     {"json": {"text": "x", "options": {"passage_words": "many"}}}, 400, "invalid-request"),
    ("an unknown option", "POST", "/v1/normalize", {"json": {"text": "x", "options": {"colour": "red"}}},
     400, "invalid-request"),
    ("non-string batch item", "POST", "/v1/normalize/batch", {"json": {"items": ["a", None]}},
     400, "invalid-request"),
    ("unknown profile", "POST", "/v1/normalize", {"json": {"text": "x", "profile": "shouty"}},
     422, "unknown-profile"),
    ("unknown profile, plain text", "POST", "/v1/normalize?profile=shouty",
     {"data": b"x", "content_type": "text/plain"}, 422, "unknown-profile"),
    ("unknown scheme", "POST", "/v1/transliterate", {"json": {"text": "x", "lang": "ru", "scheme": "klingon"}},
     422, "unknown-scheme"),
    ("unknown language", "POST", "/v1/transliterate", {"json": {"text": "x", "lang": "tlh"}},
     422, "unknown-scheme"),
    ("unknown scheme in options", "POST", "/v1/normalize",
     {"json": {"text": "Покровское", "options": {"schemes": {"ru": "klingon"}}}}, 422, "unknown-scheme"),
    ("unknown scheme in options, for a text that needs none", "POST", "/v1/normalize",
     {"json": {"text": "plain English", "options": {"schemes": {"ru": "klingon"}}}}, 422, "unknown-scheme"),
    ("unknown language in options' schemes", "POST", "/v1/normalize",
     {"json": {"text": "x", "options": {"schemes": {"tlh": "klingon"}}}}, 422, "unknown-scheme"),
    ("unknown quote style", "POST", "/v1/normalize", {"json": {"text": "«x»", "options": {"quote_style": "nope"}}},
     422, "invalid-option"),
    ("unknown stage", "POST", "/v1/normalize", {"json": {"text": "x", "options": {"stages": ["unicode", "nope"]}}},
     422, "invalid-option"),
    ("unknown rule id to exclude", "POST", "/v1/normalize/batch",
     {"json": {"items": ["x"], "options": {"exclude": ["gazetteer.place.kyiv", "gazetteer.place.kiyv"]}}},
     422, "invalid-option"),
    ("too many batch items", "POST", "/v1/normalize/batch", {"json": {"items": ["a"] * (MAX_ITEMS + 1)}},
     413, "too-many-items"),
    ("body over the size limit", "POST", "/v1/normalize", {"json": {"text": "a" * LIMIT}}, 413, "body-too-large"),
    ("wrong content type", "POST", "/v1/normalize", {"data": b"<text/>", "content_type": "application/xml"},
     415, "unsupported-media-type"),
    ("no content type", "POST", "/v1/transliterate", {"data": b'{"text": "x"}'}, 415, "unsupported-media-type"),
    ("a charset other than UTF-8", "POST", "/v1/normalize",
     {"data": b"caf\xe9", "content_type": "text/plain; charset=latin-1"}, 415, "unsupported-media-type"),
    ("plain text to a JSON-only route", "POST", "/v1/normalize/batch",
     {"data": b"x", "content_type": "text/plain"}, 415, "unsupported-media-type"),
    ("unknown route", "GET", "/v2/normalize", {}, 404, "not-found"),
    ("wrong method", "GET", "/v1/normalize", {}, 405, "method-not-allowed"),
    ("wrong method on a GET route", "DELETE", "/v1/rules", {}, 405, "method-not-allowed"),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "status", "code"), [case[1:] for case in BAD_REQUESTS],
                         ids=[case[0] for case in BAD_REQUESTS])
def test_a_bad_request_gets_a_json_error_with_the_right_4xx(client, method, url, kwargs, status, code):
    response = client.open(method, url, **kwargs)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


@pytest.mark.parametrize(("options", "named"), [
    ({"quote_style": "nope"}, ("quote_style", "'nope'", "ascii, typographic")),
    ({"stages": ["nope"]}, ("stages", "'nope'", "unicode, whitespace, script")),
    ({"exclude": ["gazetteer.place.kiyv"]}, ("exclude", "'gazetteer.place.kiyv'", "gazetteer.place.kyiv")),
    ({"schemes": {"ru": "klingon"}}, ("schemes.ru", "'klingon'", "bgn-pcgn", "wikipedia")),
])
def test_an_option_value_the_rules_do_not_have_is_a_422_naming_the_option_and_its_allowed_values(
        client, options, named):
    response = client.post("/v1/normalize", json={"text": "plain English", "options": options})
    assert response.status_code == 422
    message = response.json["error"]["message"]
    assert all(part in message for part in named), message


def test_known_option_values_are_accepted(client):
    options = {"quote_style": "ascii", "stages": ["unicode", "punctuation"], "exclude": ["gazetteer.place.kyiv"],
               "schemes": {"ru": "bgn-pcgn"}}
    response = client.post("/v1/normalize", json={"text": "x\u0097y in Kiev", "options": options})
    assert response.status_code == 200
    assert response.json["text"] == "x—y in Kiev"


def test_wrong_method_names_the_allowed_ones(client):
    assert "POST" in client.get("/v1/normalize").headers["Allow"]


def test_an_oversized_body_is_refused_before_it_is_read(client):
    stream = io.BytesIO(b"a" * (100 * LIMIT))
    response = client.post("/v1/normalize", input_stream=stream, content_type="text/plain")
    assert response.status_code == 413
    assert stream.tell() == 0


def test_a_chunked_body_is_cut_off_at_the_limit(client):
    stream = io.BytesIO(b"a" * (100 * LIMIT))
    response = client.post("/v1/normalize", input_stream=stream, content_type="text/plain",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert 0 < stream.tell() <= 2 * LIMIT


def test_the_body_limit_is_configurable():
    small = CheckedClient(create_app({"MAX_CONTENT_LENGTH": 100}))
    assert small.post("/v1/normalize", json={"text": "a" * 100}).status_code == 413
    assert small.post("/v1/normalize", json={"text": "a" * 10}).status_code == 200


def test_the_request_id_is_echoed_or_generated_and_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="normalizer.web.requests"):
        echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        generated = client.get("/v2/none", headers={"X-Request-ID": "bad id; drop table"})
    assert echoed.headers["X-Request-ID"] == "abc-123"
    generated_id = generated.headers["X-Request-ID"]
    assert len(generated_id) == 32 and generated_id != "bad id"
    logged = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("abc-123 GET /healthz 200") for m in logged)
    assert any(m.startswith(f"{generated_id} GET /v2/none 404") for m in logged)


OPTION_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5),
                          st.lists(st.text(max_size=5), max_size=3),
                          st.dictionaries(st.text(max_size=3), st.text(max_size=5), max_size=2))
OPTION_NAMES = st.sampled_from([*(f.name for f in dataclasses.fields(Options)), "other"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40), profile=st.sampled_from(["default", "ascii", "minimal", "x"]),
       options=st.dictionaries(OPTION_NAMES, OPTION_VALUES, max_size=3))
def test_no_json_request_gets_a_5xx(client, text, profile, options):
    body = {"text": text, "profile": profile, "options": options}
    status = client.post("/v1/normalize", json=body).status_code
    assert status in (200, 400, 422)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=60), content_type=st.sampled_from(["application/json", "text/plain"]))
def test_no_body_bytes_get_a_5xx(client, data, content_type):
    status = client.post("/v1/normalize", data=data, content_type=content_type).status_code
    assert status in (200, 400, 422)


def test_the_page_uses_no_asset_from_the_internet(client):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'id="source"' in html and 'id="profile"' in html and 'id="normalize"' in html
    static = Path(__file__).resolve().parent.parent / "normalizer" / "web" / "static"
    for text in [html, *(p.read_text(encoding="utf-8") for p in static.iterdir())]:
        text = text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a namespace name, not an address
        assert "http://" not in text and "https://" not in text and "//cdn" not in text
    for asset in ("/static/playground.js", "/static/playground.css", "/static/favicon.svg"):
        assert client.client.get(asset).status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def _send_raw(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        return s.recv(200)


def test_serve_runs_gunicorn_and_keeps_serving_after_bad_requests(tmp_path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "-c", "from normalizer.web import serve; "
                                   f"serve(port={port}, workers=1, bind='127.0.0.1')"], stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(base + "/healthz"), log.read_text()
        assert _send_raw(port, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400")
        assert _send_raw(port, b"POST /v1/normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               b"Content-Length: 5\r\n\r\n{\"te").startswith(b"HTTP/1.1 400")
        request = urllib.request.Request(base + "/v1/normalize", data=json.dumps({"text": "from КНДР"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["text"] == "from DPRK"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(base + "/v1/normalize", data=b"\xff",
                                                          headers={"Content-Type": "text/plain"}), timeout=10)
        assert refused.value.code == 400
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_a_lone_surrogate_in_json_text_is_answered_not_crashed_on(client):
    response = client.post("/v1/normalize", data=b'{"text": "\\ud800 from \\u041a\\u041d\\u0414\\u0420"}',
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json["text"] == "\ud800 from DPRK"


def test_limits_can_be_set_in_the_environment(monkeypatch):
    monkeypatch.setenv("NORMALIZER_BATCH_MAX_ITEMS", "2")
    limited = CheckedClient(create_app())
    assert limited.post("/v1/normalize/batch", json={"items": ["a", "b", "c"]}).status_code == 413
    assert limited.post("/v1/normalize/batch", json={"items": ["a", "b"]}).status_code == 200
