"""Fuzz the HTTP API against its own served OpenAPI document with schemathesis, in-process.

    python tests/soak/api_fuzz.py [--examples 1000] [--seed 0]

Every operation of ``/openapi.json`` (the document's own endpoint included) gets ``--examples``
generated requests per generation mode (schema-valid and schema-breaking), each sent to the WSGI
app built by ``create_app()`` with its default limits and checked with ``CHECKS``. Prints the
number of cases per operation and every distinct failure; exit status 1 if there was one.
``tests/test_web_schemathesis.py`` is the short version that runs in ``make test``.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from dataclasses import dataclass, field

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

from normalizer.web import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection, positive_data_acceptance, unsupported_method,
          allow_header_conformance]
"""What every response must satisfy. A schema-valid request may still get a 422: which profiles,
schemes and rule ids exist is rule data, not something the document can enumerate."""

CONFIG = {"generation": {"mode": "all"},
          "checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", "422"]}}}
"""schemathesis configuration (the keys of its ``schemathesis.toml``), explicit so that no config
file found on disk changes what runs."""


def load_schema(app: Flask) -> schemathesis.schemas.BaseSchema:
    """The document the app serves at ``/openapi.json``, bound to the app.

    Loaded from its content rather than with ``from_wsgi``, which leaves out the operation that
    serves the document itself.
    """
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200, response.data
    schema = schemathesis.openapi.from_dict(response.json, config=SchemathesisConfig.from_dict(CONFIG))
    schema.app = app
    return schema


@dataclass
class Report:
    """Cases sent per operation label and the distinct failures (their report text), in order found."""

    cases: collections.Counter = field(default_factory=collections.Counter)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.cases.values())


def fuzz(schema: schemathesis.schemas.BaseSchema, examples: int, seed: int = 0) -> Report:
    """Send up to ``examples`` generated cases per operation and generation mode; record, never raise, failures."""
    report = Report()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in GenerationMode:
            _fuzz_operation(operation, mode, examples, seed, report)
    return report


def _fuzz_operation(operation: APIOperation, mode: GenerationMode, examples: int, seed: int, report: Report) -> None:
    strategy = operation.as_strategy(generation_mode=mode)

    @hypothesis_seed(seed)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case) -> None:
        report.cases[operation.label] += 1
        try:
            case.call_and_validate(checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                report.failures.setdefault(f"{operation.label}: {failure.title}", str(group))

    try:
        run()
    except Exception as exc:  # a generation error is reported, it does not end the run
        if isinstance(exc, Unsatisfiable) and mode is GenerationMode.NEGATIVE and not _takes_input(operation):
            return  # no schema-breaking request exists for an operation that takes no input
        report.failures.setdefault(f"{operation.label} {mode.value}: {type(exc).__name__}", str(exc)[:2000])


def _takes_input(operation: APIOperation) -> bool:
    return bool(operation.body) or any(True for _ in operation.iter_parameters())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="cases per operation and generation mode")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = fuzz(load_schema(create_app({"LOG_LEVEL": "WARNING"})), args.examples, args.seed)
    for label, count in sorted(report.cases.items()):
        print(f"  {label:28} {count:6} cases")
    print(f"{report.total} cases in {time.perf_counter() - started:.0f} s, {len(report.failures)} distinct failures")
    for title, text in report.failures.items():
        print(f"\nFAILURE {title}\n{text}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
