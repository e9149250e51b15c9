"""Hold gunicorn (production settings) under concurrent load on loopback, checking every answer, not just its status.

    python tests/soak/http_soak.py [--duration 60] [--clients 16] [--burst-clients 64] [--burst-duration 15]

Real paragraphs (``../shared/corpus`` read at run time: the seed article, windows of MT system
outputs and of their Russian and Ukrainian sources; a few SPEC §1 sentences where it is absent) go
to ``/v1/normalize`` as JSON and as text/plain and to ``/v1/normalize/batch``. A response counts as
an error unless its status is 200 and its text equals ``normalizer.normalize(text).text`` computed
here. Phases: a short warm-up, ``--clients`` for ``--duration`` seconds, then ``--burst-clients``
for ``--burst-duration`` seconds. Prints requests/s, p50/p99 latency and errors per phase; a 5xx
or a traceback in the server's log is an error too. Exit status 1 on any error.
``tests/test_web_soak.py`` is the short version that runs in ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import normalizer
from bench.http_load import CORPUS, HOST, free_port, request, wait_ready

FALLBACK = [
    "Soldiers from the 528th regiment of КНДР returned from Кursk; Ким Чен Ын welcomed them, "
    "according to the Central Telegraph Agency of Korea (CTAK).",
    "«It is over», — stated the minister in Kiev, adding that Lugansk and the LNR were „quiet“ at 22 °С.",
    "The village of Покровское lies 105х195 km from the front.\u00a0Kim Jong-un did not comment.",
    'Plain correct English, with "straight" quotes and an apostrophe that\'s fine, stays as it is.',
]
"""Sentences built from SPEC §1's table (most real paragraphs need no edit, these need several)."""
BATCH_SIZE = 8


@dataclass(frozen=True)
class Call:
    """One request, ready to send, and the texts its answer must carry."""

    kind: str  # "json", "text" or "batch"
    payload: bytes
    expected: tuple[str, ...]


def paragraphs(corpus: Path = CORPUS, count: int = 240, seed: int = 0) -> list[str]:
    """``FALLBACK`` and real paragraphs from the corpus (a fixed sample) where it is present."""
    if not corpus.is_dir():
        return list(FALLBACK)
    rng = random.Random(seed)
    article = (corpus / "seed-article.txt").read_text(encoding="utf-8")
    out = [*FALLBACK, *(p for p in article.split("\n\n") if p.strip())]
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in {".en", ".ru", ".uk"})
    per_file = max(1, (count - len(out)) // max(1, len(files)))
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        for _ in range(per_file):
            start = rng.randrange(max(1, len(lines) - 6))
            out.append(" ".join(lines[start:start + rng.randint(1, 6)]))
    return out


def calls(texts: list[str]) -> list[Call]:
    """Every text as JSON and as text/plain, and the texts in batches of ``BATCH_SIZE``, interleaved."""
    expected = [normalizer.normalize(text).text for text in texts]
    out = []
    for i, (text, want) in enumerate(zip(texts, expected, strict=True)):
        out.append(Call("json", request("POST", "/v1/normalize", json.dumps({"text": text}).encode()), (want,)))
        out.append(Call("text", request("POST", "/v1/normalize", text.encode(), "text/plain; charset=utf-8"), (want,)))
        if i % BATCH_SIZE == 0:
            items = texts[i:i + BATCH_SIZE]
            body = json.dumps({"items": items}).encode()
            out.append(Call("batch", request("POST", "/v1/normalize/batch", body), tuple(expected[i:i + BATCH_SIZE])))
    return out


def check(call: Call, status: int, body: bytes) -> str | None:
    """Why the answer is wrong, or None."""
    if status != 200:
        return f"status {status}" if status else "no answer"
    if call.kind == "text":
        got: tuple[str, ...] = (body.decode("utf-8"),)
    elif call.kind == "json":
        got = (json.loads(body)["text"],)
    else:
        got = tuple(result["text"] for result in json.loads(body)["results"])
    return None if got == call.expected else f"{call.kind}: wrong text"


async def fetch(port: int, payload: bytes, timeout: float = 60) -> tuple[int, bytes]:
    """One request on a fresh connection: the status and body, or ``(0, reason)`` if the exchange failed."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    except (OSError, TimeoutError) as exc:
        return 0, repr(exc).encode()
    try:
        writer.write(payload)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        return int(head.split(b" ", 2)[1]), await asyncio.wait_for(reader.readexactly(length), timeout)
    except (OSError, TimeoutError, ValueError, IndexError, StopIteration, asyncio.IncompleteReadError,
            asyncio.LimitOverrunError) as exc:
        return 0, repr(exc).encode()
    finally:
        writer.close()


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: collections.Counter = field(default_factory=collections.Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def line(self) -> str:
        q = statistics.quantiles(self.latencies, n=100) if len(self.latencies) > 1 else [0.0] * 99
        return (f"{self.name:8} {self.clients:3} clients {self.seconds:5.1f} s  {self.requests:6} requests  "
                f"{self.requests / self.seconds:6.1f} req/s  p50 {q[49] * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms  "
                f"errors {sum(self.errors.values())}" + (f" {dict(self.errors)}" if self.errors else ""))


async def load(port: int, work: list[Call], phase: Phase) -> Phase:
    """``phase.clients`` clients, each sending the calls in turn from its own offset, for ``phase.seconds``."""
    deadline = time.perf_counter() + phase.seconds

    async def client(offset: int) -> None:
        i = offset
        while time.perf_counter() < deadline:
            call = work[i % len(work)]
            started = time.perf_counter()
            status, body = await fetch(port, call.payload)
            phase.latencies.append(time.perf_counter() - started)
            try:
                error = check(call, status, body)
            except (ValueError, KeyError, TypeError) as exc:
                error = f"{call.kind}: unreadable answer ({type(exc).__name__})"
            if error:
                phase.errors[error] += 1
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(n * len(work) // phase.clients) for n in range(phase.clients)))
    phase.seconds = time.perf_counter() - started
    return phase


def server_errors(log: str) -> int:
    """Lines of the server's log that show a 5xx answer or a traceback."""
    return sum(1 for line in log.splitlines() if line.startswith("Traceback") or " 500 " in line
               or "WORKER TIMEOUT" in line)


@dataclass
class Soak:
    """The phases and the number of server-log lines showing a 5xx, a traceback or a worker timeout."""

    phases: list[Phase]
    logged: int

    @property
    def errors(self) -> int:
        return sum(sum(p.errors.values()) for p in self.phases) + self.logged


def soak(duration: float = 60, clients: int = 16, burst_clients: int = 64, burst_duration: float = 15,
         workers: int = 2, warmup: float = 1, say: Callable[[str], object] = print) -> Soak:
    """Run the phases against a fresh gunicorn, saying one line per phase as it ends."""
    texts = paragraphs()
    work = calls(texts)
    say(f"{len(texts)} texts, {len(work)} distinct requests; gunicorn {workers} workers on {HOST}")
    port = free_port()
    code = f"from normalizer.web import serve; serve(port={port}, workers={workers}, bind='{HOST}')"
    phases = [Phase("warm-up", clients, warmup), Phase("steady", clients, duration),
              Phase("burst", burst_clients, burst_duration)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=log)
        try:
            wait_ready(f"http://{HOST}:{port}/healthz")
            for phase in phases:
                asyncio.run(load(port, work, phase))
                say(phase.line())
        finally:
            server.terminate()
            server.wait(timeout=30)
        log.seek(0)
        logged = server_errors(log.read().decode("utf-8", "replace"))
    say(f"server log: {logged} lines with a 5xx, a traceback or a worker timeout")
    return Soak(phases, logged)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the steady phase")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--burst-clients", type=int, default=64)
    parser.add_argument("--burst-duration", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    errors = soak(args.duration, args.clients, args.burst_clients, args.burst_duration, args.workers).errors
    print(f"{errors} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
