"""Load and abuse the HTTP API under gunicorn, on loopback only, bounded in time and count.

    python -m bench.http_load [--duration 30] [--clients 16] [--workers 2] [--burst 1000]

1. Throughput: ``--clients`` concurrent connections POST a ~2 KB news paragraph (from
   ``../shared/corpus/seed-article.txt``, never copied here) to ``/v1/normalize`` for
   ``--duration`` seconds; reports requests/s, p50/p99 latency and every non-200.
2. Abuse: each malformed request kind ``--burst`` times; reports the statuses per kind
   (every one must be a 4xx), then checks the server still answers ``/healthz``.

The server is ``normalizer.web.serve()`` (gunicorn, production mode) in a child process on a
free 127.0.0.1 port; it is stopped at the end. Exit status 1 if any request failed or got a 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
HOST = "127.0.0.1"


def news_paragraph(path: Path, size: int = 2048) -> str:
    """Whole paragraphs from the start of ``path`` until they reach ``size`` UTF-8 bytes."""
    out: list[str] = []
    for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
        out.append(paragraph)
        if len("\n\n".join(out).encode()) >= size:
            break
    return "\n\n".join(out)


def request(method: str, path: str, body: bytes = b"", content_type: str | None = "application/json",
            length: int | None = None) -> bytes:
    """Raw HTTP/1.1 bytes; ``length`` overrides the declared Content-Length (to announce a huge body)."""
    declared = len(body) if length is None else length
    headers = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", f"Content-Length: {declared}"]
    if content_type:
        headers.append(f"Content-Type: {content_type}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def malformed() -> dict[str, bytes]:
    """One request per error case of the API (and one the HTTP server itself refuses)."""
    js = lambda value: json.dumps(value).encode()  # noqa: E731
    return {
        "invalid JSON": request("POST", "/v1/normalize", b'{"text": '),
        "deeply nested JSON": request("POST", "/v1/normalize", b"[" * 100_000),
        "missing text": request("POST", "/v1/normalize", js({"profile": "default"})),
        "non-string text": request("POST", "/v1/normalize", js({"text": 42})),
        "wrong option type": request("POST", "/v1/normalize", js({"text": "x", "options": {"passage_words": "x"}})),
        "unknown profile": request("POST", "/v1/normalize", js({"text": "x", "profile": "shouty"})),
        "unknown scheme": request("POST", "/v1/transliterate", js({"text": "x", "lang": "ru", "scheme": "klingon"})),
        "too many batch items": request("POST", "/v1/normalize/batch", js({"items": ["a"] * 1001})),
        "body over the size limit": request("POST", "/v1/normalize", b'{"text": "', length=2 << 20),
        "invalid UTF-8": request("POST", "/v1/normalize", b'{"text": "\xd0\xff"}'),
        "wrong content type": request("POST", "/v1/normalize", b"<text/>", "application/xml"),
        "no content type": request("POST", "/v1/normalize", b'{"text": "x"}', None),
        "unknown route": request("GET", "/v2/normalize", content_type=None),
        "wrong method": request("DELETE", "/v1/normalize", content_type=None),
        "garbage request line": b"\x16\x03\x01 NOT HTTP\r\n\r\n",
    }


async def exchange(port: int, payload: bytes, timeout: float = 30) -> int:
    """Send one request on a fresh connection; the response status, or 0 if the exchange failed."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    except (OSError, TimeoutError):
        return 0
    try:
        writer.write(payload)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status = int(head.split(b" ", 2)[1])
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), None)
        if length is not None:
            await asyncio.wait_for(reader.readexactly(length), timeout)
        return status
    except (OSError, TimeoutError, ValueError, IndexError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return 0
    finally:
        writer.close()


async def throughput(port: int, payload: bytes, clients: int,
                     duration: float) -> tuple[list[float], collections.Counter]:
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    deadline = time.perf_counter() + duration

    async def client() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status = await exchange(port, payload)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, statuses


async def burst(port: int, payload: bytes, count: int, clients: int) -> collections.Counter:
    statuses: collections.Counter = collections.Counter()
    remaining = iter(range(count))

    async def client() -> None:
        for _ in remaining:
            statuses[await exchange(port, payload)] += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    return statuses


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--text", type=Path, default=CORPUS / "seed-article.txt")
    args = parser.parse_args(argv)
    if not args.text.is_file():
        raise SystemExit(f"no text to send: {args.text} is missing")
    text = news_paragraph(args.text)
    payload = request("POST", "/v1/normalize", json.dumps({"text": text}).encode())
    port = free_port()
    code = f"from normalizer.web import serve; serve(port={port}, workers={args.workers}, bind='{HOST}')"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=log)
        try:
            wait_ready(f"http://{HOST}:{port}/healthz")
            return report(port, payload, len(text.encode()), args)
        finally:
            server.terminate()
            server.wait(timeout=30)


def report(port: int, payload: bytes, text_bytes: int, args: argparse.Namespace) -> int:
    failed = False
    print(f"POST /v1/normalize, {text_bytes} B of news text, {args.clients} clients, {args.duration:.0f} s, "
          f"gunicorn {args.workers} workers")
    asyncio.run(throughput(port, payload, args.clients, 2.0))  # warm-up: imports, caches
    latencies, statuses = asyncio.run(throughput(port, payload, args.clients, args.duration))
    q = statistics.quantiles(latencies, n=100)
    print(f"  {len(latencies)} requests, {len(latencies) / args.duration:.0f} req/s, "
          f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, statuses {dict(statuses)}")
    failed |= set(statuses) != {200}
    print(f"malformed requests, {args.burst} of each kind:")
    for kind, bad in malformed().items():
        statuses = asyncio.run(burst(port, bad, args.burst, args.clients))
        ok = all(400 <= s < 500 for s in statuses)
        failed |= not ok
        print(f"  {'ok ' if ok else 'BAD'} {kind:26} {dict(sorted(statuses.items()))}")
    alive = asyncio.run(exchange(port, request("GET", "/healthz", content_type=None)))
    print(f"after the abuse, /healthz answers {alive}")
    failed |= alive != 200
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
