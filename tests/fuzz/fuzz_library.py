"""atheris fuzz target: the library under hostile input, checked against the SPEC §2 invariants.

One input is a selector byte and a string: the selector picks the profile and whether the
string may hold lone surrogates (``ConsumeUnicode``) or not (``ConsumeUnicodeNoSurrogates``).
Every input goes through ``normalize`` (applied, re-normalised, ``apply=False``),
``original_span``, ``to_dict``, ``detect_fragments`` and ``transliterate`` for every
(lang, scheme) pair the rule set compiles. Any exception or broken invariant is a finding.

    python tests/fuzz/fuzz_library.py --keep-going --findings artifacts/fuzz -max_total_time=600
    python tests/fuzz/fuzz_library.py artifacts/fuzz/crashes/finding-….bin      # replay a finding

Flags starting with ``-`` go straight to libFuzzer (``-max_total_time``, ``-runs``, ``-timeout``);
findings (crash files; with ``--keep-going`` one minimised ``.bin`` + ``.json`` per distinct
failure), the grown corpus, the seeds built at start and the log live under ``--findings``.
The script runs libFuzzer in a child process, then prints the figures and exits 1 if the run
found anything.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import subprocess
import sys
import time
import tomllib
import traceback
import types
from collections.abc import Iterator
from pathlib import Path

import atheris

import normalizer
from normalizer.ruleset import load_ruleset

PROFILES = ("default", "ascii", "minimal")
_CHILD = "NORMALIZER_FUZZ_CHILD"
"""Set in the environment of the libFuzzer child process."""
SURROGATES = 4
"""Selector bit: decode the string with ``ConsumeUnicode`` (lone surrogates allowed)."""
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
SEED_CHARS = 1000
"""Longest seed text, in code points (longer corpus texts are cut)."""
HOSTILE = ["", "\ud800", "a\udfffb", "\ud83d\ude00", "«" * 50, "\u0301" * 200, "\u202e\u2066Кiev\u2069",
           "КНДР" * 30, "x" * 1500, "\n" * 300, '"' * 100, "\u00a0" * 100, "ＤＰＲＫ，２０２４", "Ã©â€™\u0096\u0097",
           "https://х.рф/Kiev «a», — said", "<b>{x}</b> `Кiev` @Кiev #КНДР a@b.com",
           "Уфİ"]  # the last ones: inputs the fuzzer once found failing, kept as regression seeds


def decode(data: bytes) -> tuple[str, str]:
    """The profile and the text a fuzz input stands for."""
    fdp = atheris.FuzzedDataProvider(data)
    selector = fdp.ConsumeBytes(1)[0] if data else 0
    consume = fdp.ConsumeUnicode if selector & SURROGATES else fdp.ConsumeUnicodeNoSurrogates
    return PROFILES[(selector & 3) % len(PROFILES)], consume(fdp.remaining_bytes())


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def encode(profile: str, text: str) -> bytes:
    """The fuzz input that ``decode`` turns back into ``(profile, text)`` (UTF-32 mode of the provider)."""
    selector = PROFILES.index(profile) + (SURROGATES if _has_surrogate(text) else 0)
    return bytes([selector, 0]) + text.encode("utf-32-le", "surrogatepass")


def schemes() -> list[tuple[str, str, bool]]:
    """Every (lang, scheme, reversible) the built-in rule set compiles."""
    return [(lang, name, scheme.inverse is not None)
            for lang, by_name in sorted(load_ruleset().schemes.items()) for name, scheme in sorted(by_name.items())]


def _require(condition: bool, message: str, *context: object) -> None:
    if not condition:
        raise AssertionError(f"{message}: {context!r}")


def check_normalize(text: str, profile: str) -> None:
    """SPEC §2 invariants of one ``normalize`` call."""
    r = normalizer.normalize(text, profile=profile)
    _require(normalizer.apply_edits(text, r.edits) == r.text, "edits do not reproduce the text", text, profile)
    previous_end = 0
    for e in r.edits:
        _require(previous_end <= e.start <= e.end <= len(text), "edit out of range, unsorted or overlapping", e)
        _require(text[e.start:e.end] == e.original, "edit.original is not the input span", e)
        _require(e.category in normalizer.model.CATEGORIES, "unknown category", e)
        previous_end = e.end
    for w in r.warnings:
        _require(0 <= w.start <= w.end <= len(text), "warning out of range", w)
    again = normalizer.normalize(r.text, profile=profile)
    _require(again.text == r.text, "not idempotent", text, profile, r.text, again.edits)
    _check_spans(r, text)
    payload = r.to_dict()
    decoded = json.loads(json.dumps(payload))  # JSON joins a lone surrogate pair into one character
    _require(decoded == payload or _has_surrogate(text), "to_dict() does not survive JSON", payload)
    reported = normalizer.normalize(text, profile=profile, apply=False)
    _require(reported.text == text and reported.edits == r.edits, "apply=False differs", text, profile)


def _check_spans(r: normalizer.Result, text: str) -> None:
    out = len(r.text)
    points = sorted({0, out, out // 2, *range(0, out + 1, max(1, out // 16))})
    previous = 0
    for start in points:
        orig_start, orig_end = r.original_span(start, out)
        _require(previous <= orig_start <= orig_end <= len(text), "original_span out of range", start, out)
        previous = orig_start
    shift = 0
    for e in r.edits:
        begin = e.start + shift
        if e.replacement:
            _require(r.original_span(begin, begin + len(e.replacement)) == (e.start, e.end),
                     "original_span of a replacement is not its edit", e)
        shift += len(e.replacement) - (e.end - e.start)


def check_fragments(text: str) -> None:
    previous_end = 0
    for f in normalizer.detect_fragments(text):
        _require(previous_end <= f.start < f.end <= len(text) and text[f.start:f.end] == f.text,
                 "fragment out of range or overlapping", f)
        previous_end = f.end


def check_transliterate(text: str, pairs: list[tuple[str, str, bool]]) -> None:
    for lang, scheme, reversible in pairs:
        _require(isinstance(normalizer.transliterate(text, lang=lang, scheme=scheme), str), "not a str", lang, scheme)
        if reversible:
            _require(isinstance(normalizer.transliterate(text, lang=lang, scheme=scheme, reverse=True), str),
                     "reverse: not a str", lang, scheme)


def check(data: bytes, pairs: list[tuple[str, str, bool]]) -> None:
    """Everything one fuzz input must satisfy; raises on a finding (noting which call failed)."""
    profile, text = decode(data)
    for name, call in (("normalize", lambda: check_normalize(text, profile)),
                       ("detect_fragments", lambda: check_fragments(text)),
                       ("transliterate", lambda: check_transliterate(text, pairs))):
        try:
            call()
        except Exception as exc:
            exc.add_note(f"in {name}")
            raise


def seed_texts(use_corpus: bool = True) -> Iterator[str]:
    """Rule files' examples and negatives, a few hostile strings, and (if present) corpus lines."""
    yield from HOSTILE
    for path in sorted((ROOT / "rules").rglob("*.toml")):
        yield from _examples(tomllib.loads(path.read_text(encoding="utf-8")))
    if use_corpus and CORPUS.is_dir():
        for path in sorted(CORPUS.rglob("*"))[:40]:
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                yield from (text[i:i + SEED_CHARS] for i in range(0, min(len(text), 5 * SEED_CHARS), SEED_CHARS))


def _examples(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("examples", "negative") and isinstance(value, list):
                for item in value:
                    yield from ([item] if isinstance(item, str) else item[:1])
            else:
                yield from _examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from _examples(value)


def write_seeds(folder: Path, use_corpus: bool = True) -> int:
    """Write one seed per distinct text, cycling through the profiles; returns the count."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = list(dict.fromkeys(t[:SEED_CHARS] for t in seed_texts(use_corpus)))
    for i, text in enumerate(texts):
        (folder / f"seed-{i:05d}").write_bytes(encode(PROFILES[i % len(PROFILES)], text))
    return len(texts)


def signature(exc: BaseException) -> str:
    """What makes two failures the same: the exception type, where it was raised, and the call."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/normalizer/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}"
    message = str(exc).split(":")[0] if isinstance(exc, AssertionError) else ""
    return " ".join(filter(None, [type(exc).__name__, where, message, *getattr(exc, "__notes__", ())]))


def _failure(profile: str, text: str, pairs: list[tuple[str, str, bool]]) -> str | None:
    try:
        check(encode(profile, text), pairs)
    except Exception as exc:
        return signature(exc)
    return None


def minimise(profile: str, text: str, pairs: list[tuple[str, str, bool]], budget: int = 1500) -> str:
    """The shortest text found (by deleting chunks, then characters) that fails with the same signature."""
    wanted = _failure(profile, text, pairs)
    chunk = max(1, len(text) // 2)
    while budget > 0:
        i, shrunk = 0, False
        while i < len(text) and budget > 0:
            candidate = text[:i] + text[i + chunk:]
            budget -= 1
            if _failure(profile, candidate, pairs) == wanted:
                text, shrunk = candidate, True
            else:
                i += chunk
        if chunk == 1 and not shrunk:
            break
        chunk = max(1, chunk // 2)
    return text


class Recorder:
    """``--keep-going``: note each distinct failure once (minimised) and keep fuzzing."""

    def __init__(self, folder: Path, pairs: list[tuple[str, str, bool]]) -> None:
        self.folder, self.pairs, self.seen = folder, pairs, set()

    def __call__(self, data: bytes) -> None:
        try:
            check(data, self.pairs)
        except Exception as exc:
            sig = signature(exc)
            if sig not in self.seen:
                self.seen.add(sig)
                self._record(data, sig, exc)

    def _record(self, data: bytes, sig: str, exc: Exception) -> None:
        profile, text = decode(data)
        small = minimise(profile, text, self.pairs)
        name = f"finding-{hashlib.sha1(sig.encode()).hexdigest()[:10]}"
        (self.folder / f"{name}.bin").write_bytes(encode(profile, small))
        report = {"signature": sig, "profile": profile, "text": small, "original_text": text[:SEED_CHARS],
                  "traceback": "".join(traceback.format_exception(exc))}
        (self.folder / f"{name}.json").write_text(json.dumps(report, indent=1))
        print(f"\nFINDING {name}: {sig}\n  minimised: profile={profile!r} text={small!r}", file=sys.stderr, flush=True)


def _child(args: argparse.Namespace, libfuzzer: list[str], crashes: Path, grown: Path, seeds: Path) -> None:
    """The libFuzzer process: instrumented, fed by the grown corpus and the seeds."""
    pairs = schemes()
    target = Recorder(crashes, pairs) if args.keep_going else (lambda data: check(data, pairs))
    flags = [f"-artifact_prefix={crashes}/", "-timeout=20", "-max_len=4096"]
    flags = [f for f in flags if not any(a.startswith(f.split("=")[0] + "=") for a in libfuzzer)]
    files = [a for a in libfuzzer if not a.startswith("-")]
    check(encode("default", "Кiev «КНДР» Мы победили"), pairs)  # load what the library imports lazily
    _instrument(args.instrument_all)
    atheris.Setup([sys.argv[0], *flags, *libfuzzer, *([] if files else [str(grown), str(seeds)])], target)
    atheris.Fuzz()


def _instrument(everything: bool) -> None:
    """Coverage feedback from the library's own functions (or every loaded one: ~15 s more to start)."""
    if everything:
        atheris.instrument_all()
        return
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType) and (getattr(obj, "__module__", None) or "").startswith("normalizer"):
            atheris.instrument_func(obj)


def _summary(log: str, crashes: Path, started: float) -> int:
    """Print the run's figures and findings; the exit status (1 if anything was found)."""
    stats = [line for line in log.splitlines() if line.startswith("#") and "exec/s" in line]
    found = sorted(p for p in crashes.iterdir() if p.stat().st_mtime >= started and p.suffix != ".bin")
    print(f"fuzz: {time.time() - started:.0f} s; last status: {stats[-1] if stats else 'none'}")
    for path in found:
        print(f"fuzz: finding {path}")
    return 1 if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--findings", type=Path, default=ROOT / "artifacts" / "fuzz",
                        help="folder for findings, the grown corpus, seeds and the log (default: artifacts/fuzz)")
    parser.add_argument("--keep-going", action="store_true",
                        help="record each distinct failure (minimised) and keep fuzzing instead of stopping")
    parser.add_argument("--instrument-all", action="store_true",
                        help="coverage from every loaded module (ftfy, regex wrappers, …), not only normalizer's")
    parser.add_argument("--no-corpus", action="store_true", help="do not seed from ../shared/corpus")
    args, libfuzzer = parser.parse_known_args()
    crashes, grown, seeds = (args.findings / name for name in ("crashes", "corpus", "seeds"))
    if os.environ.get(_CHILD):
        _child(args, libfuzzer, crashes, grown, seeds)
        return 0
    for folder in (crashes, grown):
        folder.mkdir(parents=True, exist_ok=True)
    print(f"fuzz: {write_seeds(seeds, not args.no_corpus)} seeds in {seeds}", flush=True)
    started = time.time()
    with subprocess.Popen([sys.executable, *sys.argv], env={**os.environ, _CHILD: "1"}, stderr=subprocess.PIPE,
                          text=True, errors="replace") as child, open(args.findings / "fuzz.log", "w") as log:
        lines = []
        for line in child.stderr:
            sys.stderr.write(line)
            log.write(line)
            lines.append(line)
    status = _summary("".join(lines), crashes, started)
    return status or child.returncode


if __name__ == "__main__":
    sys.exit(main())
