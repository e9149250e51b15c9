"""The fast paths (issue 9) find exactly what the plain, slow definitions find."""

from __future__ import annotations

import re

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.model import apply_edits
from normalizer.quick import any_of
from normalizer.ruleset import load_ruleset
from normalizer.stages import literal_alternation
from normalizer.stages.script import _TOKEN, _words_with_cyrillic_or_greek
from normalizer.stages.translation import _longest_first
from normalizer.trace import Change, Trace

# Letters of several scripts, a Greek tonos (a Greek character that is not a letter), a
# combining accent, digits, spaces, joiners, quotes, an emoji and an ancient Greek numeral.
_ALPHABET = "aZКкΩω΄\u0301ё1 .-«»\"\u00a0\u200c😀\U00010140@#:/w"
_texts = st.text(alphabet=_ALPHABET, max_size=40)


@settings(max_examples=400, deadline=None)
@given(_texts)
def test_homoglyph_words_are_the_words_the_token_pattern_finds(text):
    assert list(_words_with_cyrillic_or_greek(text)) == [m.span() for m in _TOKEN.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abK-. ", min_size=1, max_size=6), min_size=1, max_size=8),
       st.text("abK-. x", max_size=30))
def test_a_trie_finds_what_the_plain_alternation_finds(words, text):
    plain = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    trie = re.compile(literal_alternation(words))
    assert bool(trie.search(text)) == bool(plain.search(text))
    assert [m.start() for m in trie.finditer(text)] == [m.start() for m in plain.finditer(text)]


_classes = st.sampled_from(["[«»]", "[^\x00-\u024f]", "[\u00a0\u2009]", "\U0001f600", "[\U00010140-\U0001018f]",
                            "[Кк]", "ω", "[^\x00-\U0001f5ff]"])
_others = st.sampled_from([r"\d\d", "ab|ba", r"\b:\w", "(?i:w)w", '["»К][ \\t]*,?[ \\t]*[—-]', "@w", "a?b"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_classes, _others), min_size=1, max_size=5), _texts, st.booleans())
def test_one_merged_class_answers_as_the_alternation_does(sources, text, ascii_text):
    if ascii_text:
        text = text.encode("ascii", "ignore").decode()
    expected = re.search("|".join(f"(?:{s})" for s in sources), text) is not None
    assert any_of(sources, ascii_text=ascii_text)(text) == expected


def _naive_longest_first(found):
    taken = []
    for start, end, form in sorted(set(found), key=lambda m: (m[0] - m[1], m[0])):
        if all(end <= s or e <= start for s, e, _ in taken):
            taken.append((start, end, form))
    return sorted(taken)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=25))
def test_longest_first_keeps_what_the_pairwise_check_keeps(spans):
    found = [(start, start + length, f"f{start}-{length}") for start, length in spans]
    assert _longest_first(found) == _naive_longest_first(found)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab «»", min_size=1, max_size=30), st.data())
def test_first_changes_applied_in_one_step_compose_like_edits(text, data):
    cuts = sorted(data.draw(st.sets(st.integers(0, len(text)), max_size=8)))
    changes = [Change(a, b, data.draw(st.text("xyz", max_size=3)), "r", "unicode")
               for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
    trace = Trace(text)
    trace.apply(changes)
    expected, pos = [], 0
    for c in changes:
        expected += [text[pos:c.start], c.replacement]
        pos = c.end
    assert trace.text == "".join([*expected, text[pos:]])
    assert apply_edits(text, trace.edits()) == trace.text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["see ", "https://kyiv.ua/a ", "минобороны.рф ", "@kyiv_post ", "#Kyiv ", "`x` ",
                                 "<b> ", "{name} ", "5% ", "a.b@x.com ", "WWW.x.org ", "Ozon.Com "]), max_size=8))
def test_protected_spans_cover_everything_the_one_pattern_did(words):
    text = "".join(words)
    spans = [s for f in load_ruleset().by_folder("protected") for s in f.data["spans"]]
    one = regex.compile("|".join(f"(?:{s['pattern']})" for s in spans), regex.V1 | regex.IGNORECASE)
    found = load_ruleset().protector.spans(text)
    for m in one.finditer(text):
        assert any(s <= m.start() and m.end() <= e for s, e in found), (m.group(), found)
