"""The shortcuts of issue 15 (fast on foreign text) find exactly what the plain definitions find,
and leave every output as it was."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import normalizer
from normalizer import fragments
from normalizer.engine import _span_met
from normalizer.ruleset import load_ruleset
from normalizer.stages.script import HomoglyphPass, _after_unit_sign, _words_with_cyrillic_or_greek

# Cyrillic, Greek, Latin, Hebrew letters, digits (one of them not ASCII), a combining accent, a degree sign.
_ALPHABET = "КкхСΩωaZxיא15٣\u0301° -.\u00a0"


def _homoglyph_pass() -> HomoglyphPass:
    return next(p for p in load_ruleset().passes(load_ruleset().profile("default")) if isinstance(p, HomoglyphPass))


def _plain_homoglyph_changes(p: HomoglyphPass, text: str) -> list[tuple[int, int, str]]:
    """The pass's definition: every word with a Cyrillic or Greek letter that ``repair`` changes."""
    found = []
    for start, end in _words_with_cyrillic_or_greek(text):
        fixed = p.repair(text[start:end], after_unit_sign=_after_unit_sign(text, start))
        if fixed is not None and fixed != text[start:end]:
            found.append((start, end, fixed))
    return found


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=30))
def test_the_homoglyph_pass_skips_only_lines_where_no_word_needs_repair(text):
    p = _homoglyph_pass()
    assert [(c.start, c.end, c.replacement) for c in p.run(text, None)] == _plain_homoglyph_changes(p, text)


def _plain_span_met(start: int, end: int, spans: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    return next(((s, e) for s, e, _ in spans if (s < end and start < e) or s <= start < e), None)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=30), st.integers(0, 80), st.integers(0, 6))
def test_the_span_a_change_meets_is_the_first_the_linear_scan_finds(widths, start, length):
    edges = list(itertools.accumulate(widths))
    spans = [(a, b, "k") for a, b in zip(edges[::2], edges[1::2], strict=False)]
    expected = _plain_span_met(start, start + length, spans)
    if expected is not None:
        assert _span_met(start, start + length, spans) == expected


def _ambiguous_runs(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The (run, choices) pairs of ``lines`` that langdetect is asked about."""
    guesser = load_ruleset().guesser
    asked = []
    for line in lines:
        for run in fragments.runs(line):
            found = guesser.candidates(run.text)
            if run.script == "Cyrillic" and len(found) != 1 and len(run.words) >= fragments.DETECT_WORDS:
                asked.append((run.text, (found or list(fragments.PREFERENCE))[:fragments.DETECT_CHOICES]))
    return list(dict.fromkeys((t, tuple(c)) for t, c in asked))


def _full_langdetect(text: str, allowed: tuple[str, ...]) -> str | None:
    """The plain definition: langdetect with every profile it ships."""
    import langdetect

    langdetect.DetectorFactory.seed = 0
    try:
        ranked = langdetect.detect_langs(text)
    except langdetect.LangDetectException:
        return None
    return next((g.lang for g in ranked if g.lang in allowed), None)


@pytest.mark.corpus
def test_langdetect_with_the_profiles_of_the_runs_script_answers_as_with_all(corpus):
    lines = []
    for pattern in ("*/sources/*.src.ru", "*/sources/*.src.uk"):
        lines += [line for path in sorted(corpus.glob(pattern)) for line in path.read_text("utf-8").splitlines()][:600]
    asked = _ambiguous_runs(lines)[:150]
    assert len(asked) > 50
    for text, allowed in asked:
        assert fragments.detect_language(text, list(allowed)) == _full_langdetect(text, allowed), text


def _outputs(lines: list[str]) -> list[dict]:
    engine = normalizer.Normalizer("default")
    return [engine.normalize(line).to_dict() for line in lines]


@pytest.mark.corpus
def test_a_line_seen_before_gets_the_output_it_gets_when_new(corpus):
    from bench.cold import clear_text_caches

    lines = [line for pattern in ("*/sources/*.src.uk", "*/sources/*.src.ru")
             for path in sorted(corpus.glob(pattern)) for line in path.read_text("utf-8").splitlines()[:40]]
    clear_text_caches()
    cold = _outputs(lines)
    assert _outputs(lines) == cold
    assert _outputs(lines[::-1]) == cold[::-1]
