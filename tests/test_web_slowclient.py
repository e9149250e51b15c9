"""Slow clients and large bodies against a real gunicorn (2 workers, production settings) on loopback.

A body announced over the size limit gets its 413 before it is sent, let alone read; a chunked one
as soon as the limit is passed; a body trickled in slower than ``RECEIVE_TIMEOUT`` gets a 408 at the
deadline, and a request head that never ends has its connection closed then. Meanwhile the other
worker keeps answering, and the server never logs a 5xx or has to kill a worker.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_web import _free_port, _wait_for

import normalizer
from normalizer.web.deadline import WATCHDOG

LIMIT = 64 * 1024
RECEIVE_TIMEOUT = 2.0
PROMPT = 1.0
"""Seconds within which an answer that needs no body counts as prompt (loopback, a shared 2-CPU machine)."""
HEAD = "POST /v1/normalize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain; charset=utf-8\r\n{}\r\n\r\n"


@dataclass
class Server:
    port: int
    log: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = {**os.environ, "NORMALIZER_MAX_CONTENT_LENGTH": str(LIMIT),
           "NORMALIZER_RECEIVE_TIMEOUT": str(RECEIVE_TIMEOUT)}
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-c", "from normalizer.web import serve; "
                                    f"serve(port={port}, workers=2, bind='127.0.0.1')"],
                                   stdout=sink, stderr=sink, env=env)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/healthz"), log.read_text()
        yield Server(port, log)
    finally:
        process.terminate()
        process.wait(timeout=15)


@dataclass
class Exchange:
    status: int
    body: bytes
    seconds: float
    trickled: int

    @property
    def error(self) -> str:
        return json.loads(self.body)["error"]["code"]


def trickle(port: int, head: bytes, first: bytes = b"", every: float = 0.1, give_up: float = 10.0) -> Exchange:
    """Send ``head`` and ``first``, then one byte every ``every`` seconds until the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=give_up) as sock:
        sock.sendall(head + first)
        started, trickled = time.monotonic(), 0
        while not select.select([sock], [], [], every)[0]:
            assert time.monotonic() - started < give_up, f"no answer after {trickled} bytes trickled"
            sock.sendall(b"a")
            trickled += 1
        seconds = time.monotonic() - started
        return Exchange(*_read_response(sock), seconds, trickled)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data or len(data) < _response_length(data):
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split(b" ", 2)[1]), body


def _response_length(data: bytes) -> int:
    head, _ = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    return len(head) + 4 + length


def normalize_meanwhile(port: int, results: list) -> None:
    """One ordinary request (to run while another client trickles): its status, text and duration."""
    text = "sappers from КНДР in Kiev"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/normalize", data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        results.append((response.status, json.load(response)["text"], time.monotonic() - started))


def test_a_declared_length_over_the_limit_gets_413_before_any_of_the_body(server):
    exchange = trickle(server.port, HEAD.format(f"Content-Length: {100 * LIMIT}").encode())
    assert (exchange.status, exchange.error) == (413, "body-too-large")
    assert exchange.trickled == 0 and exchange.seconds < PROMPT


def test_a_chunked_body_over_the_limit_gets_413_once_the_limit_is_passed(server):
    announced = f"{100 * LIMIT:x}\r\n".encode()  # one chunk, announced at 100 times the limit
    head = HEAD.format("Transfer-Encoding: chunked").encode()
    exchange = trickle(server.port, head, announced + b"a" * (LIMIT + 2048))
    assert (exchange.status, exchange.error) == (413, "body-too-large")
    assert exchange.seconds < PROMPT


@pytest.mark.parametrize("framing", [f"Content-Length: {LIMIT // 2}", "Transfer-Encoding: chunked"])
def test_a_trickled_body_gets_408_at_the_deadline_while_others_are_served(server, framing):
    first = f"{LIMIT // 2:x}\r\n".encode() if "chunked" in framing else b""
    others: list = []
    meanwhile = threading.Timer(0.3, normalize_meanwhile, (server.port, others))
    meanwhile.start()
    exchange = trickle(server.port, HEAD.format(framing).encode(), first)
    meanwhile.join()
    assert (exchange.status, exchange.error) == (408, "body-timeout")
    assert RECEIVE_TIMEOUT - 0.1 < exchange.seconds < RECEIVE_TIMEOUT + PROMPT
    status, text, seconds = others[0]
    assert (status, text) == (200, normalizer.normalize("sappers from КНДР in Kiev").text)
    assert seconds < RECEIVE_TIMEOUT - 0.3  # answered during the trickle, not after it


def test_heads_that_never_end_hold_no_worker_and_are_cut_off_at_the_deadline(server):
    slow = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(2)]  # one per worker
    try:
        for sock in slow:
            sock.sendall(b"POST /v1/normalize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-")
        time.sleep(0.3)
        others: list = []
        normalize_meanwhile(server.port, others)
        assert others[0][0] == 200 and others[0][2] < PROMPT  # answered at once, not after the deadline
        for sock in slow:
            sock.settimeout(RECEIVE_TIMEOUT + PROMPT)
            assert sock.recv(1) == b""  # closed by the server, not answered
    finally:
        for sock in slow:
            sock.close()


def test_a_client_that_stops_midway_gets_400_and_nothing_is_logged_as_a_server_error(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(HEAD.format("Content-Length: 100").encode() + b"only part of it")
        sock.shutdown(socket.SHUT_WR)
        status, body = _read_response(sock)
    assert (status, json.loads(body)["error"]["code"]) == (400, "body-incomplete")
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=10) as response:
        assert response.status == 200
    log = server.log.read_text()
    assert "Traceback" not in log and " 500 " not in log and "WORKER TIMEOUT" not in log


def test_the_watchdog_shuts_each_socket_at_its_own_deadline_unless_cancelled():
    pairs = [socket.socketpair() for _ in range(3)]
    try:
        late, early, cancelled = (WATCHDOG.arm(ours, seconds) for (ours, _), seconds
                                 in zip(pairs, (1.0, 0.1, 0.2), strict=True))
        WATCHDOG.cancel(cancelled)
        time.sleep(0.4)
        assert (early.expired, late.expired, cancelled.expired) == (True, False, False)
        pairs[1][0].settimeout(1)
        assert pairs[1][0].recv(1) == b""  # its read side is shut: a blocked read returns at once
        time.sleep(0.8)
        assert late.expired and not cancelled.expired
        pairs[2][1].sendall(b"x")
        assert pairs[2][0].recv(1) == b"x"
    finally:
        for pair in pairs:
            for sock in pair:
                sock.close()
