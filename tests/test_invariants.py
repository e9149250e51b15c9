"""The four invariants of SPEC §2, under hypothesis, on every profile.

1. applying ``r.edits`` to the input gives ``r.text``;
2. ``normalize(r.text).text == r.text`` (idempotent);
3. plain English passes unchanged;
4. no ``str`` makes it raise; a non-``str`` is a clear ``TypeError``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import normalizer

PROFILES = ("default", "ascii", "minimal")

# Pieces of the debris we clean, to make the random texts hit every rule family.
DEBRIS = [
    "КНДР", "Ким Чен Ын", "Kim Jong-un", "Central Telegraph Agency of Korea", "CTAK", "Kiev", "Кiev", "Lugansk",
    "LNR", "Кursk", "WНO", "°С", "105х195", "Покровское", "Київ", "«", "»", "„", "“", "”", "‘", "’", "‚", "', — ",
    "», — ", ", - ", '," - said', "\u0096", "\u0097", "Ã©", "â€™", "\u00a0", "\u2009", "\u200b", "\u00ad", "\u202e",
    "ＤＰＲＫ", "，", "２０２４", "ﬁ", "\u2028", "Мы победили и это главное", "Αθήνα", "김정은", "https://х.рф/Kiev",
    "a@b.com", "@Kiev", "#КНДР", "`Kiev`", "<b>", "{x}", "\ud800", "\U0001f468\u200d\U0001f469", " ", "-", "—", "!",
    "?", "…", ".", ",", '"', "'", "\n", "\t",
]
WORDS = ["the", "regiment", "returned", "home", "said", "Kim", "Korea", "DPRK", "in", "on", "Kursk", "Kyiv", "a", "A"]

debris_text = st.lists(st.sampled_from(DEBRIS + WORDS), max_size=25).map("".join)
mixed_text = st.lists(st.one_of(st.sampled_from(DEBRIS + WORDS), st.text(max_size=6)), max_size=20).map("".join)
any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)

ENGLISH_WORDS = ["the", "soldiers", "returned", "from", "a", "mission", "in", "Russia", "it", "was", "He", "noted",
                 "that", "regiment", "DPRK", "Kim", "Jong", "Un", "Kyiv", "2024", "528th", "don't", "its"]
PUNCT = [" ", " ", " ", ", ", ". ", "; ", ": ", " - ", " -- ", " — ", "—", "–", '"', "'", "’", "(", ")", "?", "!", "\n"]
plain_english = st.lists(st.one_of(st.sampled_from(ENGLISH_WORDS), st.sampled_from(PUNCT)), max_size=40).map("".join)

SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str, profile: str) -> None:
    result = normalizer.normalize(text, profile=profile)
    assert normalizer.apply_edits(text, result.edits) == result.text
    previous_end = -1
    for e in result.edits:
        assert 0 <= e.start <= e.end <= len(text)
        assert e.start >= previous_end
        assert text[e.start:e.end] == e.original
        assert e.category in normalizer.model.CATEGORIES
        previous_end = e.end
    again = normalizer.normalize(result.text, profile=profile)
    assert again.text == result.text, (text, result.text, again.edits)
    for w in result.warnings:
        assert 0 <= w.start <= w.end <= len(text)


@pytest.mark.parametrize("profile", PROFILES)
@SETTINGS
@given(text=debris_text)
def test_invariants_on_debris(profile, text):
    _check(text, profile)


@pytest.mark.parametrize("profile", PROFILES)
@SETTINGS
@given(text=mixed_text)
def test_invariants_on_mixed_text(profile, text):
    _check(text, profile)


@pytest.mark.parametrize("profile", PROFILES)
@settings(max_examples=1000, deadline=None)
@given(text=any_text)
def test_any_str_is_valid_input(profile, text):
    _check(text, profile)


@settings(max_examples=1000, deadline=None)
@given(text=plain_english)
def test_plain_english_is_unchanged(text):
    for profile in ("default", "minimal"):
        result = normalizer.normalize(text, profile=profile)
        assert result.text == text
        assert result.edits == ()


@settings(max_examples=300, deadline=None)
@given(text=debris_text)
def test_original_span_points_into_the_input(text):
    result = normalizer.normalize(text)
    position = 0
    for e in result.edits:
        out_start = e.start + position
        if e.replacement:
            assert result.original_span(out_start, out_start + len(e.replacement)) == (e.start, e.end)
        position += len(e.replacement) - (e.end - e.start)
    previous = 0
    for start in range(len(result.text) + 1):
        orig_start, orig_end = result.original_span(start, len(result.text))
        assert previous <= orig_start <= orig_end <= len(text)
        previous = orig_start


@settings(max_examples=300, deadline=None)
@given(text=debris_text)
def test_apply_false_reports_without_changing(text):
    applied = normalizer.normalize(text)
    reported = normalizer.normalize(text, apply=False)
    assert reported.text == text
    assert reported.edits == applied.edits


@pytest.mark.parametrize("value", [None, b"bytes", 42, ["list"], bytearray(b"x")])
def test_non_str_is_a_clear_type_error(value):
    with pytest.raises(TypeError, match="takes a str"):
        normalizer.normalize(value)


@pytest.mark.parametrize("text", [
    "", "\x00\x01\x7f", "\ud800\udfff\ud83d", "\u0301" * 1_000_000, "x\u0301" * 100_000, "«" * 10_000,
    "Кiev " * 20_000, "\u202e\u2066" * 1000, "а" * 100_000,
])
def test_hostile_strings(text):
    result = normalizer.normalize(text)
    assert normalizer.apply_edits(text, result.edits) == result.text


QUOTE_MARKS = ['"', "`", "„", "“", "”", "‚", "‘", "’", "«", "»", "‹", "›", "「", "」", "『", "』", "'"]
QUOTE_DEBRIS = [*QUOTE_MARKS, "a", "К", " ", ",", "—", "-", "<b>", "{", "}", "http://", "@", "x "]


@pytest.mark.parametrize(("profile", "text"), [
    ("default", '"`„“‚`“„„‘’'),  # issue 13: a pair half inside inline code
    ("default", "a”‚К{「«»-}」‘‹”"),  # a mark in foreign text (the engine keeps it) pairing with a rewritten one
    ("default", "“<b>„К}»\"@-\"<b>‚„„"),  # an English ’ made from » closing a German ‚ the next time
    ("default", "-」」„http://„‚x “'』』@-"),
])
def test_quotation_marks_found_by_the_fuzzer_are_idempotent(profile, text):
    _check(text, profile)


@pytest.mark.parametrize("profile", ("default", "ascii"))
@settings(max_examples=1500, deadline=None)
@given(text=st.lists(st.sampled_from(QUOTE_DEBRIS), min_size=1, max_size=14).map("".join))
def test_quotation_marks_among_protected_and_foreign_text_are_idempotent(profile, text):
    _check(text, profile)
