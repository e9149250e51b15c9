"""Real text from ../shared/corpus: human references must pass (almost) untouched,
machine-translated output gets its debris fixed, under every profile."""

from __future__ import annotations

import collections

import pytest
import regex

import normalizer
from normalizer.ruleset import load_ruleset


def _lines(corpus, pattern):
    files = sorted(corpus.glob(pattern))
    assert files, pattern
    return [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def references(corpus):
    return _lines(corpus, "*/references/*.en")


@pytest.fixture(scope="module")
def outputs(corpus):
    return _lines(corpus, "*/system-outputs/*.en")


def _edits(lines, profile):
    return [(line, e) for line in lines for e in normalizer.normalize(line, profile=profile).edits]


def test_references_change_only_by_invisible_and_look_alike_repairs(references):
    by_category = collections.Counter(e.category for _, e in _edits(references, "default"))
    nbsp = sum(line.count("\u00a0") for line in references)
    assert by_category["whitespace"] <= nbsp + 5
    assert by_category["transliteration"] == 0
    # the few real fixes in human text (a Cyrillic С in °С, a Cyrillic Н in WНO, one Kim Jong-un)
    assert by_category["script"] <= 15
    assert by_category["translation"] <= 5
    assert by_category["punctuation"] <= 5


def test_every_look_alike_repair_in_references_gives_ascii(references):
    for line, e in _edits(references, "minimal"):
        assert e.category in ("script", "whitespace", "unicode"), (line, e)
        if e.category == "script":
            assert e.replacement.isascii() and not e.original.isascii(), (line, e)


def test_references_are_idempotent_under_every_profile(references):
    for profile in ("default", "ascii", "minimal"):
        for line in references[::7]:
            once = normalizer.normalize(line, profile=profile).text
            assert normalizer.normalize(once, profile=profile).text == once


def test_ascii_profile_leaves_only_ascii_outside_protected_spans(references):
    protector = load_ruleset().protector
    for line in references[::3]:
        text = protector.remove(normalizer.normalize(line, profile="ascii").text)
        assert text.isascii(), text


def test_mt_output_has_kiev_fixed_everywhere_but_kept_contexts(outputs):
    fixed = [line for line, e in _edits(outputs, "default") if e.rule == "gazetteer.place.kyiv"]
    assert len(fixed) >= 150
    for line in outputs:
        out = normalizer.normalize(line).text
        for m in regex.finditer(r"\bKiev\b", out):
            before = out[max(0, m.start() - 10):m.start()].lower()
            assert "chicken" in before or "dynamo" in before or "dinamo" in before, out


def test_mt_output_attribution_calques_are_fixed(outputs):
    rules = collections.Counter(e.rule for _, e in _edits(outputs, "default"))
    assert rules["punct.attribution.ru-comma-dash"] >= 10
    assert rules["punct.attribution.mt-dash"] >= 5
    assert rules["script.homoglyph.to-latin"] >= 5
