"""Cleaning texts in chunks, in order, on this process, a process pool or a Dask cluster.

The same pure function (``clean_chunk``) runs everywhere, so every backend gives the same output
and the same report. Results come back in input order and lazily: at most ``2 × parallelism``
chunks are in flight, so memory stays flat on an endless input.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from .api import _get

Config = tuple[str, tuple[str, ...], tuple]
"""What a worker needs to build its engine: profile, extra rule folders, option overrides (sorted pairs)."""

Outcome = tuple[str, tuple[tuple[str, str], ...], tuple[str, ...], str | None] | None
"""``None`` for a text that needs nothing; else (new text, (rule, category) per edit, warning codes, error)."""


def clean_one(engine, text: str) -> Outcome:
    """Clean one text; a failure is caught and returned with its reason, so no record is ever lost."""
    try:
        result = engine.normalize(text)
    except Exception as exc:
        return text, (), (), f"{type(exc).__name__}: {exc}"
    if not result.edits and not result.warnings:
        return None
    return (result.text, tuple((e.rule, e.category) for e in result.edits),
            tuple(w.code for w in result.warnings), None)


def clean_chunk(texts: list[str], config: Config) -> list[Outcome]:
    """Clean a chunk of texts with the engine for ``config`` (compiled once per process)."""
    profile, rules, options = config
    engine = _get(profile, rules, _unfreeze(options))
    return [clean_one(engine, t) for t in texts]


def freeze(options: dict) -> tuple:
    """Options as a hashable, picklable tuple (nested dicts become sorted pairs)."""
    return tuple(sorted((k, tuple(sorted(v.items())) if isinstance(v, dict) else v) for k, v in options.items()))


def _unfreeze(options: tuple) -> dict:
    return {k: dict(v) if isinstance(v, tuple) and all(isinstance(p, tuple) for p in v) else v for k, v in options}


def ordered_map(submit: Callable[..., Any], fn: Callable, texts: Iterable[str], chunk_size: int, in_flight: int,
                *args) -> Iterator:
    """``fn(chunk, *args)`` for consecutive chunks of ``texts`` via ``submit`` (a future factory), results in order."""
    source = iter(texts)
    chunks = iter(lambda: list(itertools.islice(source, chunk_size)), [])
    pending = [submit(fn, c, *args) for c in itertools.islice(chunks, in_flight)]
    while pending:
        done = pending.pop(0).result()
        nxt = next(chunks, None)
        if nxt is not None:
            pending.append(submit(fn, nxt, *args))
        yield from done


def _init_worker() -> None:
    """Workers leave Ctrl-C to the parent (which stops cleanly and keeps its checkpoint) and end with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(os.getppid(),), name="exit-with-parent", daemon=True).start()


def _exit_with(parent: int, interval: float = 0.5) -> None:
    """Exit once ``parent`` is gone (killed with SIGKILL, it cannot stop its pool: no orphan may keep running)."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def clean_texts(texts: Iterable[str], config: Config, workers: int = 1, chunk_size: int = 256) -> Iterator[Outcome]:
    """Outcomes for ``texts`` in order: in this process (``workers`` ≤ 1) or on a pool of ``workers`` processes."""
    if workers <= 1:
        profile, rules, options = config
        engine = _get(profile, rules, _unfreeze(options))
        yield from (clean_one(engine, t) for t in texts)
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:
        yield from ordered_map(pool.submit, clean_chunk, texts, chunk_size, 2 * workers, config)
