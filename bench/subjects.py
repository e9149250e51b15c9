"""What the benchmark times: normalizer, its peers in their natural mode, and two floors.

A ``Subject`` does one whole job over a corpus (every line, or the whole document) and
is timed by ``run.py``. Peers are called the way their users call them, line by line.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import regex

from .corpora import Corpus

ENGLISH = ("clean", "mt", "debris")
PROFILES = ("default", "ascii", "minimal")
IULIIA_SCHEMAS = {"wikipedia": "WIKIPEDIA", "bgn-pcgn": "BGN_PCGN", "icao": "ICAO_DOC_9303", "ala-lc": "ALA_LC",
                   "iso9": "GOST_779", "scientific": "SCIENTIFIC"}
"""normalizer's Russian scheme → the iuliia schema of the same standard (SPEC §3)."""
CYRTRANSLIT_LANG = {"ru": "ru", "uk": "ua", "be": "by", "bg": "bg", "sr": "sr", "mk": "mk", "el": "el"}
LANGDETECT_SAMPLE = 300_000
"""langdetect runs at a few hundred lines a second; it is timed on a sample of this many bytes."""


@dataclass(frozen=True)
class Subject:
    """One timed job: ``run(corpus)`` processes all of it once."""

    name: str
    kind: str  # normalizer | peer | floor
    corpus: str
    run: Callable[[Corpus], object]
    mode: str = "line"  # line | document | batch | unique (each line once, caches emptied first) | archive
    cap: int | None = None  # bytes; a slow subject is timed on the corpus' first lines


def per_line(fn: Callable[[str], object]) -> Callable[[Corpus], None]:
    """A job calling ``fn`` on every line, as users of a line-oriented library do."""
    def run(corpus: Corpus) -> None:
        for line in corpus.lines:
            fn(line)
    return run


def normalizer_subjects(corpora: Iterable[str]) -> list[Subject]:
    """Every profile line by line, the whole document, and ``normalize_many`` with 1 and 2 workers."""
    import normalizer

    out = []
    for corpus in (c for c in ENGLISH if c in corpora):
        for profile in PROFILES:
            out.append(Subject(f"normalizer {profile}", "normalizer", corpus,
                               per_line(normalizer.Normalizer(profile).normalize)))
    if "clean" in corpora:
        default = normalizer.Normalizer("default")
        out.append(Subject("normalizer default", "normalizer", "clean", lambda c: default.normalize(c.text),
                           "document"))
    for lang in (c for c in ("ru", "uk") if c in corpora):
        default = normalizer.Normalizer("default")
        out.append(Subject("normalizer default", "normalizer", lang, per_line(default.normalize)))
        out.append(Subject("normalizer default", "normalizer", lang, cold(per_line(default.normalize)), "unique"))
    if "mixed" in corpora:
        for workers in (1, 2):
            out.append(Subject(f"clean workers={workers}", "normalizer", "mixed", _clean(workers), "archive"))
    if "debris" in corpora:
        out.append(Subject("detect_fragments", "normalizer", "debris", per_line(normalizer.detect_fragments)))
        for workers in (1, 2):
            out.append(Subject(f"normalize_many workers={workers}", "normalizer", "debris",
                               _many(normalizer.normalize_many, workers), "batch"))
    return out


def cold(job: Callable[[Corpus], None]) -> Callable[[Corpus], None]:
    """``job`` after emptying every cache keyed by a text, a run or a word: each line is new to it."""
    from .cold import clear_text_caches

    def run(corpus: Corpus) -> None:
        clear_text_caches()
        job(corpus)
    return run


def _clean(workers: int) -> Callable[[Corpus], None]:
    """``normalizer clean`` of the corpus as a JSON Lines archive (``{"id", "text"}`` records) into a new folder."""
    from normalizer.clean import CleanOptions, clean

    def run(corpus: Corpus) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp, "records.jsonl")
            with src.open("w", encoding="utf-8") as f:
                f.writelines(json.dumps({"id": i, "text": line}, ensure_ascii=False) + "\n"
                             for i, line in enumerate(corpus.lines))
            clean(src, Path(tmp, "out.jsonl"), CleanOptions(workers=workers), log=lambda *a, **k: None)
    return run


def _many(normalize_many: Callable, workers: int) -> Callable[[Corpus], None]:
    def run(corpus: Corpus) -> None:
        for _ in normalize_many(corpus.lines, workers=workers):
            pass
    return run


def scheme_subjects(corpora: Iterable[str]) -> list[Subject]:
    """``normalizer.transliterate`` for every scheme of every benchmarked language."""
    import normalizer
    from normalizer.ruleset import load_ruleset

    out = []
    for lang, by_name in load_ruleset().schemes.items():
        if lang in corpora:
            for scheme in by_name:
                out.append(Subject(f"transliterate {lang}/{scheme}", "normalizer", lang,
                                   per_line(partial(normalizer.transliterate, lang=lang, scheme=scheme))))
    return out


def peer_subjects(corpora: Iterable[str]) -> list[Subject]:
    """The peer libraries, each on the corpora it is meant for."""
    import anyascii
    import cyrtranslit
    import ftfy
    import iuliia
    import langdetect
    import transliterate
    import unidecode
    from sacremoses import MosesPunctNormalizer

    langdetect.DetectorFactory.seed = 0
    moses = MosesPunctNormalizer(lang="en")
    out = []
    for corpus in (c for c in ENGLISH if c in corpora):
        out += [
            Subject("ftfy.fix_text", "peer", corpus, per_line(ftfy.fix_text)),
            Subject("sacremoses", "peer", corpus, per_line(moses.normalize)),
            Subject("unidecode", "peer", corpus, per_line(unidecode.unidecode)),
            Subject("anyascii", "peer", corpus, per_line(anyascii.anyascii)),
            Subject("langdetect", "peer", corpus, per_line(_detect(langdetect)), cap=LANGDETECT_SAMPLE),
        ]
    for lang in (c for c in ("ru", "uk") if c in corpora):
        schemas = dict.fromkeys(IULIIA_SCHEMAS.values()) if lang == "ru" else ("WIKIPEDIA",)
        for schema in schemas:
            out.append(Subject(f"iuliia {schema}", "peer", lang, per_line(getattr(iuliia, schema).translate)))
        out.append(Subject("iuliia WIKIPEDIA", "peer", lang, per_line(iuliia.WIKIPEDIA.translate), "unique"))
        out += [
            Subject("cyrtranslit", "peer", lang,
                    per_line(partial(cyrtranslit.to_latin, lang_code=CYRTRANSLIT_LANG[lang]))),
            Subject("transliterate", "peer", lang,
                    per_line(partial(transliterate.translit, language_code=lang, reversed=True))),
            Subject("unidecode", "peer", lang, per_line(unidecode.unidecode)),
            Subject("anyascii", "peer", lang, per_line(anyascii.anyascii)),
        ]
    return out


def _detect(langdetect) -> Callable[[str], str | None]:
    def detect(text: str) -> str | None:
        try:
            return langdetect.detect(text)
        except langdetect.LangDetectException:  # a line without letters has no language
            return None
    return detect


NON_ASCII = regex.compile(r"[^\x00-\x7f]")


def floor_subjects(corpora: Iterable[str]) -> list[Subject]:
    """Two lower bounds on the cost of looking at the text: a regex scan, one Aho-Corasick pass."""
    import ahocorasick

    from normalizer.ruleset import load_ruleset

    automaton = ahocorasick.Automaton()
    for key in load_ruleset()._gazetteer.forms:
        automaton.add_word(key, key)
    automaton.make_automaton()
    out = []
    for corpus in (c for c in ENGLISH if c in corpora):
        out += [
            Subject("floor regex", "floor", corpus, per_line(NON_ASCII.search)),
            Subject("floor regex", "floor", corpus, lambda c: _drain(NON_ASCII.finditer(c.text)),
                    "document"),
            Subject("floor aho-corasick", "floor", corpus, per_line(lambda t: _drain(automaton.iter(t)))),
            Subject("floor aho-corasick", "floor", corpus, lambda c: _drain(automaton.iter(c.text)),
                    "document"),
        ]
    return out


def _drain(matches: Iterable) -> int:
    return sum(1 for _ in matches)


def all_subjects(corpora: Iterable[str]) -> list[Subject]:
    names = set(corpora)
    return normalizer_subjects(names) + scheme_subjects(names) + peer_subjects(names) + floor_subjects(names)
