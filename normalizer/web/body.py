"""Reading a request body: content type, size limit, strict UTF-8, JSON, and the OpenAPI schema."""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import jsonschema
from flask import Request, current_app
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .deadline import BodyDeadline
from .errors import ApiError

JSON = "application/json"
TEXT = "text/plain"
_CHARSETS = {"utf-8", "utf8", "us-ascii"}
_DOC_URI = "urn:normalizer:openapi"


class BodySchemas:
    """Validators for the request schemas of the OpenAPI document (its components, by name)."""

    def __init__(self, document: dict) -> None:
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry = Registry().with_resource(_DOC_URI, resource)
        self._validators: dict[str, jsonschema.Draft202012Validator] = {}

    def validate(self, name: str, value: Any) -> None:
        """Raise a 400 ``invalid-request`` naming the first field that breaks schema ``name``."""
        validator = self._validators.get(name)
        if validator is None:
            schema = {"$ref": f"{_DOC_URI}#/components/schemas/{name}"}
            validator = self._validators[name] = jsonschema.Draft202012Validator(schema, registry=self._registry)
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "body"
            raise ApiError(400, "invalid-request", f"{where}: {error.message[:300]}")


def body_kind(request: Request, accepted: tuple[str, ...]) -> str:
    """The request's media type if it is one of ``accepted`` (with a UTF-8 charset), else a 415."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.mimetype not in accepted or charset not in _CHARSETS:
        got = request.content_type or "no content type"
        raise ApiError(415, "unsupported-media-type", f"send {' or '.join(accepted)} in UTF-8, not {got}")
    return request.mimetype


def read_text(request: Request) -> str:
    """The body as text. Over the size limit is a 413 before it is read whole; bad UTF-8 is a 400."""
    try:
        return read_bytes(request).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid-utf8", f"the body is not valid UTF-8 (byte {exc.start}: {exc.reason})") from None


def read_bytes(request: Request) -> bytes:
    """The body, at most ``max_content_length`` bytes of it (a 413 past that, whether or not it is chunked).

    A declared length over the limit is refused unread. A chunked body (no length; the server
    terminates the stream) is read up to one byte past the limit: werkzeug would cut it at the
    limit without a word. A body that has not arrived within ``RECEIVE_TIMEOUT`` seconds is a 408;
    one the client stops sending (or garbles) midway is a 400.
    """
    limit, length = request.max_content_length, request.content_length
    if limit is not None and length is not None and length > limit:
        raise ApiError(413, "body-too-large", f"the body is {length} bytes; the limit is {limit}")
    with BodyDeadline(request.environ, float(current_app.config["RECEIVE_TIMEOUT"])) as deadline:
        try:
            data = _receive(request, limit, length)
        except ApiError:
            raise
        except Exception as exc:  # the server's input stream failed: a client gone, a bad chunk, the deadline
            raise _cut_short(deadline, str(exc)) from None
    if length is not None and len(data) < length:  # a server that trusts its own framing ends the stream early
        raise _cut_short(deadline, f"{len(data)} of the {length} bytes announced arrived")
    return data


def _cut_short(deadline: BodyDeadline, why: str) -> ApiError:
    if deadline.expired:
        return ApiError(408, "body-timeout", f"the body did not arrive within {deadline.seconds:g} s")
    return ApiError(400, "body-incomplete", f"the body could not be read whole: {why}"[:300])


def _receive(request: Request, limit: int | None, length: int | None) -> bytes:
    if limit is None or length is not None or "wsgi.input_terminated" not in request.environ:
        return request.get_data(cache=False)
    data = _read_at_most(request.environ["wsgi.input"], limit + 1)
    if len(data) > limit:
        raise ApiError(413, "body-too-large", f"the body is over the limit of {limit} bytes")
    return data


def _read_at_most(stream: BinaryIO, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_json(request: Request, schemas: BodySchemas, schema: str) -> dict:
    """The body as a JSON object that satisfies the named request schema."""
    body_kind(request, (JSON,))
    return parse_json(read_text(request), schemas, schema)


def parse_json(text: str, schemas: BodySchemas, schema: str) -> dict:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "invalid-json", f"the body is not valid JSON: {str(exc)[:200]}") from None
    schemas.validate(schema, value)
    return value
