"""schemathesis against our own served ``/openapi.json``: every operation, schema-valid and schema-breaking
requests (its examples, coverage and fuzzing phases), no 5xx, and every response as documented.

The long version is ``tests/soak/api_fuzz.py`` (``make soak``).
"""

from __future__ import annotations

from flask import Response, jsonify, request
from hypothesis import HealthCheck, settings
from soak.api_fuzz import CHECKS, fuzz, load_schema

from normalizer.web import create_app

APP = create_app()
SCHEMA = load_schema(APP)
"""Built at import: ``schemathesis.pytest.from_fixture`` (the lazy way) fails under pytest 9 (no ``Node._nodeid``)."""


@SCHEMA.parametrize()
@settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_response_is_documented_and_no_request_gets_a_5xx(case):
    case.call_and_validate(checks=CHECKS)


def test_every_documented_operation_is_fuzzed():
    fuzzed = {result.ok().label for result in SCHEMA.get_all_operations()}
    documented = {f"{method.upper()} {path}" for path, ops in APP.extensions["normalizer"].document["paths"].items()
                  for method in ops}
    assert fuzzed == documented and "GET /openapi.json" in fuzzed


def test_fuzz_counts_cases_and_reports_an_undocumented_response():
    broken = create_app()

    @broken.after_request
    def break_health(response: Response) -> Response:
        return jsonify(status="sick") if response.json and response.json.get("status") == "ok" else response

    report = fuzz(load_schema(broken).include(path="/healthz"), examples=5)
    assert report.cases == {"GET /healthz": 1}
    assert any("GET /healthz" in title for title in report.failures), report.failures
    assert any("sick" in text for text in report.failures.values())


def test_fuzz_reports_a_server_error():
    broken = create_app()

    @broken.before_request
    def crash() -> None:
        if request.path == "/v1/transliterate":
            raise RuntimeError("a bug")

    report = fuzz(load_schema(broken).include(path="/v1/transliterate"), examples=5)
    assert report.cases["POST /v1/transliterate"] > 0
    assert any("Server error" in title for title in report.failures), list(report.failures)
