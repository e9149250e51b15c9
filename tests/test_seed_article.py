"""The seed article (an MT'd news story, ../shared/corpus/seed-article.txt) end to end.

The expected output is the article with exactly these edits and nothing else.
"""

from __future__ import annotations

import normalizer

EXPECTED_EDITS = [
    ("Kim Jong-un", "Kim Jong Un", "gazetteer.person.kim-jong-un"),
    ("Central Telegraph Agency of Korea", "Korean Central News Agency", "gazetteer.calque.kcna"),
    ("CTAK", "KCNA", "gazetteer.media.kcna"),
    ("Kim Jong-un", "Kim Jong Un", "gazetteer.person.kim-jong-un"),
    ("», — ", ",” ", "punct.quotes.guillemets"),
    ("КНДР", "DPRK", "gazetteer.acronym.dprk"),
    ("LNR", "LPR", "gazetteer.acronym.lpr"),
    ("LNR", "LPR", "gazetteer.acronym.lpr"),
    ("LNR", "LPR", "gazetteer.acronym.lpr"),
    ("Kim Jong-un", "Kim Jong Un", "gazetteer.person.kim-jong-un"),
]


def _expected_text(original: str) -> str:
    out, pos = [], 0
    for old, new, _ in EXPECTED_EDITS:
        at = original.index(old, pos)
        out += [original[pos:at], new]
        pos = at + len(old)
    return "".join(out) + original[pos:]


def test_seed_article_whole_output(corpus):
    original = (corpus / "seed-article.txt").read_text(encoding="utf-8")
    result = normalizer.normalize(original)
    assert result.text == _expected_text(original)
    assert [(e.original, e.replacement, e.rule) for e in result.edits] == EXPECTED_EDITS
    assert normalizer.apply_edits(original, result.edits) == result.text


def test_seed_article_attribution_names_both_rules(corpus):
    original = (corpus / "seed-article.txt").read_text(encoding="utf-8")
    edit = next(e for e in normalizer.normalize(original).edits if e.original.startswith("»"))
    assert edit.rules == ("punct.attribution.ru-comma-dash", "punct.quotes.guillemets")
    assert original[edit.start:edit.end] == "», — "
    assert "a safe one,” stated the North Korean leader." in normalizer.normalize(original).text


def test_seed_article_stray_closing_guillemet_is_reported(corpus):
    original = (corpus / "seed-article.txt").read_text(encoding="utf-8")
    warnings = normalizer.normalize(original).warnings
    assert [w.code for w in warnings] == ["unbalanced-quote"]
    # the mark was rewritten together with the attribution, so the span is that edit's
    assert original[warnings[0].start:warnings[0].end] == "», — "
    assert "closing » has no partner" in warnings[0].message


def test_seed_article_is_idempotent(corpus):
    once = normalizer.normalize((corpus / "seed-article.txt").read_text(encoding="utf-8")).text
    again = normalizer.normalize(once)
    assert again.text == once
    assert again.edits == ()
