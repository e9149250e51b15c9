"""Russian and Ukrainian morphology by pymorphy3: nominatives of inflected names, and whether a
capitalised word is a name (SPEC §1.1: only names are transliterated; common words are reported)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

_ONLY_UK = frozenset("іїєґІЇЄҐ")
_ONLY_RU = frozenset("ыэъёЫЭЪЁ")
_PROPER = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Trad"})
_PERSONAL = frozenset({"Name", "Surn", "Patr"})
MORPHOLOGY_LANGS = frozenset({"ru", "uk"})
"""The languages pymorphy3 has dictionaries for here."""
_PARSES = 3
"""How many of pymorphy3's parses of a word are looked at."""


@functools.cache
def analyzer(lang: str):
    """pymorphy3's analyser for ``lang`` (loaded on first use: clean English never needs it)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


def langs(word: str) -> list[str]:
    """The analysers that may know ``word``: not Russian if it has і ї є ґ, not Ukrainian if ы э ъ ё."""
    return [lang for lang, foreign in (("ru", _ONLY_UK), ("uk", _ONLY_RU)) if not foreign.intersection(word)]


@functools.lru_cache(maxsize=65536)
def nominatives(word: str) -> tuple[str, ...]:
    """``word`` lower-cased and its likely nominatives (same number and gender), by pymorphy3.

    pymorphy3's guesser gives up on a word it cannot start (``Ына``, from ``Ким Чен Ын``);
    such a word is guessed behind a neutral first letter, which is then taken off again.
    """
    lower = word.lower()
    out = dict.fromkeys([lower])
    for lang in langs(word):
        morph = analyzer(lang)
        parses = morph.parse(lower)[:_PARSES]
        prefix = ""
        if all(p.tag.POS is None for p in parses):
            prefix = "к"
            parses = morph.parse(prefix + lower)[:_PARSES]
        for p in parses:
            nominative = p.inflect({"nomn"})
            for candidate in (nominative.word if nominative else None, p.normal_form):
                if candidate and candidate.startswith(prefix):
                    out.setdefault(candidate[len(prefix):])
    return tuple(out)


@functools.lru_cache(maxsize=65536)
def common_word(word: str) -> bool:
    """Whether pymorphy3's dictionary has ``word`` as something other than a name: any part of
    speech but a noun, or (in Russian, whose dictionary marks names) a noun without a name tag."""
    for lang in langs(word):
        for p in analyzer(lang).parse(word.lower()):
            if p.is_known and (p.tag.POS != "NOUN" or (lang == "ru" and not _PROPER & p.tag.grammemes)):
                return True
    return False


@functools.lru_cache(maxsize=65536)
def name_tags(word: str) -> frozenset[str]:
    """The name tags (``Name``, ``Surn``, ``Patr``, ``Geox``…) of ``word``'s likely parses; ``{"Unknown"}``
    for a word no dictionary knows (a rare surname or village), ``{"Adjective"}`` for an adjective
    (``Навальная``, ``Зеленський``: surnames of that shape)."""
    tags: set[str] = set()
    known = False
    for lang in langs(word):
        for p in analyzer(lang).parse(word.lower())[:_PARSES]:
            if not p.is_known:
                continue
            known = True
            tags |= _PROPER & p.tag.grammemes
            if p.tag.POS in ("ADJF", "ADJS"):
                tags.add("Adjective")
    return frozenset(tags if known else {"Unknown"})


def is_name(words: Sequence[str]) -> bool:
    """Whether capitalised Cyrillic ``words`` are a name: each word tagged as a name or unknown, except
    that an adjective may be the surname of a tagged first name.

    >>> is_name(["Покровское"]), is_name(["Юлия", "Навальная"]), is_name(["Источник"])
    (True, True, False)
    >>> is_name(["Семейство", "Тарских"]), is_name(["Кандидат", "Власов"])
    (False, False)
    """
    tags = [name_tags(w) for w in words]
    personal = any(t & _PERSONAL for t in tags)
    return all(t - {"Adjective"} or ("Adjective" in t and personal) for t in tags)
