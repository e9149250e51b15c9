"""The module-level API: thin functions over cached ``Normalizer`` instances."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from .engine import Normalizer
from .errors import NormalizerError
from .fragments import fragments
from .model import Fragment, Result
from .ruleset import load_ruleset
from .translit import fallback


@functools.lru_cache(maxsize=32)
def _normalizer(profile: str, rules: tuple[str, ...], options: tuple) -> Normalizer:
    return Normalizer(profile, rules, **dict(options))


def _key(options: dict) -> tuple:
    return tuple(sorted((k, tuple(v.items()) if isinstance(v, dict) else tuple(v) if isinstance(v, list) else v)
                        for k, v in options.items()))


def _get(profile: str, rules: Iterable[str], options: dict) -> Normalizer:
    if not isinstance(profile, str):
        raise TypeError(f"profile must be a str, not {type(profile).__name__}")
    try:
        return _normalizer(profile, tuple(map(str, rules)), _key(options))
    except TypeError:
        return Normalizer(profile, rules, **options)


def normalize(text: str, profile: str = "default", lang: str | None = None, *, apply: bool = True,
              rules: Iterable[str] = (), **options) -> Result:
    """Normalise ``text`` with a profile; see ``Result`` for what comes back.

    >>> normalize("Kim Jong-un visited Kiev").text
    'Kim Jong Un visited Kyiv'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() takes a str, not {type(text).__name__}")
    return _get(profile, rules, options).normalize(text, lang=lang, apply=apply)


def transliterate(text: str, lang: str = "ru", scheme: str | None = None, *, reverse: bool = False) -> str:
    """Romanise every letter of ``lang``'s alphabet in ``text`` with ``scheme`` (default: the language's first).

    A language without a scheme here gets its named fallback (SPEC §3); ``reverse=True``
    turns Latin back into Cyrillic with a reversible scheme (``iso9``).

    >>> transliterate("Покровское"), transliterate("Згурський", lang="uk")
    ('Pokrovskoye', 'Zghurskyi')
    >>> transliterate("Ŝukin", scheme="iso9", reverse=True), transliterate("Երևան", lang="hy")
    ('Щукин', 'Erewan')
    """
    if not isinstance(text, str):
        raise TypeError(f"transliterate() takes a str, not {type(text).__name__}")
    rs = load_ruleset()
    if lang not in rs.schemes and scheme is None and not reverse:
        return fallback(lang)[1](text)
    chosen = rs.scheme(lang, scheme)
    if not reverse:
        return chosen.apply(text)
    if chosen.inverse is None:
        raise NormalizerError(f"scheme {scheme or chosen.id!r} is not reversible")
    return chosen.reverse(text)


def detect_fragments(text: str, lang: str | None = None) -> list[Fragment]:
    """Runs of text in a non-Latin script, each with its script and language.

    >>> [(f.text, f.script, f.lang, f.lang_reason) for f in detect_fragments("from КНДР and Київ")]
    [('КНДР', 'Cyrillic', 'uk', 'document'), ('Київ', 'Cyrillic', 'uk', 'letters')]
    """
    if not isinstance(text, str):
        raise TypeError(f"detect_fragments() takes a str, not {type(text).__name__}")
    rs = load_ruleset()
    return fragments(text, rs.guesser, lang, rs.profile("default").passage_words)


_worker: Normalizer | None = None


def _init_worker(profile: str, rules: tuple[str, ...], options: dict) -> None:
    global _worker
    _worker = Normalizer(profile, rules, **options)


def _work(texts: list[str]) -> list[Result | None]:
    """A chunk's results; ``None`` for a text left as it was (the parent has it: less to send back)."""
    assert _worker is not None
    results = [_worker.normalize(t) for t in texts]
    return [r if r.edits or r.warnings or r.fragments else None for r in results]


def normalize_many(texts: Iterable[str], workers: int | None = None, profile: str = "default", *,
                   rules: Iterable[str] = (), chunk_size: int = 256, client=None, **options) -> Iterator[Result]:
    """Normalise many texts, yielding results in input order.

    ``client``: a ``distributed.Client``; the work then runs on that Dask cluster, in the same order.

    Lazy: at most ``2 × workers`` chunks are in flight, so an endless iterator works.
    ``workers`` > 1 uses a process pool; each process compiles the rules once.
    """
    if client is not None:
        from .distributed import normalize_many_dask

        yield from normalize_many_dask(texts, client, profile, rules=rules, chunk_size=chunk_size, **options)
        return
    normalizer = _get(profile, rules, options)
    if not workers or workers <= 1:
        yield from (normalizer.normalize(t) for t in texts)
        return
    source = iter(texts)
    chunks = iter(lambda: list(itertools.islice(source, chunk_size)), [])
    unchanged = functools.partial(Result, profile=normalizer.profile, ruleset=normalizer.ruleset.version)
    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(profile, tuple(map(str, rules)), options)) as pool:
        pending = [(c, pool.submit(_work, c)) for c in itertools.islice(chunks, 2 * workers)]
        while pending:
            chunk, future = pending.pop(0)
            done = future.result()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(_work, nxt)))
            yield from (r if r is not None else unchanged(t, t) for t, r in zip(chunk, done, strict=True))
