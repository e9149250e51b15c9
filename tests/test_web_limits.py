"""Every request answered in bounded time, with JSON, by a real gunicorn (the production configuration).

Issue 13: a 304 KB body of short Cyrillic lines got gunicorn's HTML 500 after 60 s, a 41 KB batch took
15 s, 1 MB of ``«`` with ``apply: false`` answered 142 MB, two half-sent requests starved ``/healthz``,
and gunicorn's own parser errors were HTML.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_web import _free_port, _wait_for

BUDGET = 1.0
RESPONSE_CAP = 256 * 1024
LIMIT = 2 << 20
SLACK = 2.0
"""Seconds over the budget an answer may take on a shared 2-CPU machine (body upload, JSON, scheduling)."""
PROMPT = 1.0
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    port: int
    log: Path


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    seconds: float

    @property
    def error(self) -> str:
        assert self.content_type.startswith("application/json"), self.body[:200]
        return json.loads(self.body)["error"]["code"]


def _start(command: list[str], log: Path, env: dict) -> subprocess.Popen:
    with log.open("wb") as sink:
        return subprocess.Popen(command, stdout=sink, stderr=sink, env={**os.environ, **env}, cwd=ROOT)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=15)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = {"NORMALIZER_WORK_BUDGET": str(BUDGET), "NORMALIZER_MAX_RESPONSE_BYTES": str(RESPONSE_CAP),
           "NORMALIZER_MAX_CONTENT_LENGTH": str(LIMIT), "NORMALIZER_RECEIVE_TIMEOUT": "10"}
    process = _start([sys.executable, "-m", "normalizer", "serve", "--port", str(port)], log, env)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/healthz"), log.read_text()
        yield Server(port, log)
    finally:
        _stop(process)


def exchange(port: int, raw: bytes, give_up: float = 30.0) -> Answer:
    """Send ``raw`` as it is and read the whole answer (the server closes or announces its length)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=give_up) as sock:
        sock.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _length(data):
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return Answer(int(lines[0].split(" ")[1]), content_type, body, time.monotonic() - started)


def _length(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0]
    found = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return len(head) + 4 + int(found.group(1)) if found else 1 << 62


def post(port: int, path: str, body: bytes, content_type: str = "application/json") -> Answer:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    return exchange(port, head + body)


def cyrillic_lines(size: int) -> str:
    """Short Russian lines (names and words), ``size`` bytes of them: slow work for every pass."""
    words = ["Москва", "Киев", "Покровское", "КНДР", "солдаты", "из", "города", "сказал", "Путин"]
    pick = random.Random(13).choice
    lines, total = [], 0
    while total < size:
        line = " ".join(pick(words) for _ in range(3)) + "\n"
        lines.append(line)
        total += len(line.encode())
    return "".join(lines)


def healthz_seconds(port: int) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
        assert response.status == 200
    return time.monotonic() - started


def test_a_304_kb_body_of_short_cyrillic_lines_gets_413_too_expensive_at_the_budget(server):
    answer = post(server.port, "/v1/normalize", cyrillic_lines(304_000).encode(), "text/plain; charset=utf-8")
    assert (answer.status, answer.error) == (413, "too-expensive")
    assert answer.seconds < BUDGET + SLACK
    assert "WORKER TIMEOUT" not in server.log.read_text()


@pytest.mark.xfail(reason="issue 16: which 413 comes first depends on machine speed", strict=False)
def test_a_41_kb_batch_gets_413_too_expensive_at_the_budget(server):
    lines = cyrillic_lines(41_000).splitlines()
    items = ["\n".join(lines[i:i + 20]) for i in range(0, len(lines), 20)]
    answer = post(server.port, "/v1/normalize/batch", json.dumps({"items": items}).encode())
    assert (answer.status, answer.error) == (413, "too-expensive")
    assert answer.seconds < BUDGET + SLACK


def test_a_megabyte_of_guillemets_reported_not_applied_is_refused_in_time(server):
    body = json.dumps({"text": "«" * 500_000, "apply": False}, ensure_ascii=False).encode()  # 1 MB
    answer = post(server.port, "/v1/normalize", body)
    assert (answer.status, answer.error) == (413, "too-expensive")
    assert answer.seconds < BUDGET + SLACK


@pytest.mark.parametrize("char", ["«", "\u0097"], ids=["guillemets", "C1 em dashes"])
def test_a_run_of_one_character_is_at_most_one_edit_and_one_warning_in_the_response(server, char):
    text = char * 2_000
    answer = post(server.port, "/v1/normalize", json.dumps({"text": text, "apply": False}).encode())
    assert answer.status == 200
    result = json.loads(answer.body)
    assert len(result["edits"]) <= 1 and len(result["warnings"]) <= 1
    assert len(answer.body) < 40 * len(text)  # was 270 bytes a character
    if char == "\u0097":
        assert [(e["start"], e["end"], e["original"], e["replacement"]) for e in result["edits"]] == [
            (0, len(text), text, "—" * len(text))]


def test_an_answer_over_the_response_cap_gets_413_response_too_large(server):
    text = "\u0097\u00a0" * 2_000  # alternating rules: nothing to merge, 4,000 edits
    answer = post(server.port, "/v1/normalize", json.dumps({"text": text}).encode())
    assert (answer.status, answer.error) == (413, "response-too-large")


def test_the_server_keeps_answering_after_work_was_cut_off(server):
    answer = post(server.port, "/v1/normalize", json.dumps({"text": "sappers from КНДР"}).encode())
    assert answer.status == 200 and json.loads(answer.body)["text"] == "sappers from DPRK"
    log = server.log.read_text()
    assert "Traceback" not in log and " 500 " not in log


HALF_HEAD = b"POST /v1/normalize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"
HALF_BODY = (b"POST /v1/normalize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
             b"Content-Length: 1000\r\n\r\nonly a part")


@pytest.mark.parametrize("sent", [b"", HALF_HEAD, HALF_BODY], ids=["nothing", "half a head", "half a body"])
def test_healthz_answers_within_a_second_while_50_clients_hold_half_sent_requests(server, sent):
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(50)]
    try:
        for sock in idle:
            sock.sendall(sent)
        time.sleep(0.5)  # every connection accepted and read as far as it goes
        assert healthz_seconds(server.port) < PROMPT
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.parametrize(("raw", "status", "code"), [
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri-too-long"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n",
     431, "request-header-fields-too-large"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431, "request-header-fields-too-large"),
    (b"POST /v1/normalize HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "bad-request"),
    (b"POST /v1/normalize HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400,
     "bad-request"),
    (b"NOT A REQUEST\r\n\r\n", 400, "bad-request"),
], ids=["414 request line", "431 too many headers", "431 header too long", "bad Content-Length",
        "two Content-Lengths", "garbage"])
def test_gunicorns_own_parser_errors_are_the_json_error(server, raw, status, code):
    answer = exchange(server.port, raw)
    assert (answer.status, answer.error) == (status, code)
    assert json.loads(answer.body)["error"]["message"]


def test_serve_binds_loopback_by_default_and_the_address_given_with_bind(tmp_path):
    for extra, expected in (([], "127.0.0.1"), (["--bind", "0.0.0.0"], "0.0.0.0")):
        port, log = _free_port(), tmp_path / f"serve-{expected}.log"
        process = _start([sys.executable, "-m", "normalizer", "serve", "--port", str(port), *extra], log, {})
        try:
            assert _wait_for(f"http://127.0.0.1:{port}/healthz"), log.read_text()
            assert f"Listening at: http://{expected}:{port}" in log.read_text()
        finally:
            _stop(process)


def test_make_serve_the_docker_image_and_serve_use_the_one_gunicorn_configuration():
    config = "python:normalizer.web.gunicorn_config"
    makefile = (ROOT / "Makefile").read_text()
    serve_recipe = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert f"-c {config}" in serve_recipe
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert config in dockerfile and "0.0.0.0:8000" in dockerfile


def test_gunicorn_with_the_configuration_logs_one_line_per_request(tmp_path):
    port, log = _free_port(), tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "python:normalizer.web.gunicorn_config",
               "--bind", f"127.0.0.1:{port}"]
    process = _start(command, log, {})
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/healthz"), log.read_text()
        healthz_seconds(port)
    finally:
        _stop(process)
    text = log.read_text()
    assert "ThreadWorker" in text or "Booting worker" in text
    assert len([line for line in text.splitlines() if "/healthz" in line]) == 2  # _wait_for's and ours
