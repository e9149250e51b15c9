"""Homoglyph repair: a word that mixes scripts is written in the one it belongs to.

``Кursk`` (Cyrillic К) becomes ``Kursk``; ``105х195`` and ``22 °С`` (Cyrillic х, С
beside digits) become ``105x195`` and ``22 °C``; a mostly-Cyrillic word with a Latin
look-alike inside (``Пpивет``) becomes all Cyrillic. The tables come from Unicode's
confusables data (``rules/script/``). Greek letters beside digits are left alone:
``5α``, ``2θ`` are science, not debris.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex

from ..trace import Change
from . import Context

_CYRILLIC_OR_GREEK_CHAR = regex.compile(r"[\p{Cyrillic}\p{Greek}]")
_WORD_BEFORE = regex.compile(r"[\p{L}\p{M}\p{N}]*", regex.REVERSE)
_TOKEN = regex.compile(r"(?<![\p{L}\p{M}\p{N}])[\p{L}\p{M}\p{N}]*[\p{Cyrillic}\p{Greek}][\p{L}\p{M}\p{N}]*",
                       regex.V1)
_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_LATIN = regex.compile(r"\p{Latin}")
_FOREIGN_LETTER = regex.compile(r"[\p{L}--\p{Latin}]", regex.V1)
_GREEK = regex.compile(r"\p{Greek}")
_DIGIT = regex.compile(r"\p{N}")
_MIXED = regex.compile(r"[\p{Cyrillic}\p{Greek}][\p{L}\p{M}--\p{Cyrillic}--\p{Greek}--\p{Latin}]*[\p{Latin}\p{N}]"
                       r"|[\p{Latin}\p{N}][\p{L}\p{M}--\p{Cyrillic}--\p{Greek}--\p{Latin}--\p{N}]*[\p{Cyrillic}\p{Greek}]",
                       regex.V1)
"""Where a word holds a Cyrillic or Greek letter and a Latin letter or a digit: the nearest two, with
letters of other scripts or marks between. Without one (and a degree sign), no word needs repair."""


_CYRILLIC_OR_GREEK = re.compile("[\u0370-\u03ff\u0400-\u052f\u1c80-\u1c8f\u1d2b\u1f00-\u1fff"
                                "\u2de0-\u2dff\ua640-\ua69f]")


class HomoglyphPass:
    stage = "script"
    handles_ascii = False

    trigger = (_CYRILLIC_OR_GREEK.pattern,)

    def __init__(self, to_latin: dict[str, str], to_cyrillic: dict[str, str]) -> None:
        self.to_latin = str.maketrans(to_latin)
        self.latin_able = frozenset(to_latin)
        self.to_cyrillic = str.maketrans(to_cyrillic)
        self.cyrillic_able = frozenset(to_cyrillic)

    def run(self, text: str, ctx: Context) -> list[Change]:
        changes = []
        if "°" not in text and not _MIXED.search(text):
            return changes
        for start, end in _words_with_cyrillic_or_greek(text):
            word = text[start:end]
            fixed = self.repair(word, after_unit_sign=_after_unit_sign(text, start))
            if fixed is not None and fixed != word:
                changes.append(Change(start, end, fixed, *self._rule(fixed)))
        return changes

    @staticmethod
    def _rule(fixed: str) -> tuple[str, str]:
        if _CYRILLIC.search(fixed):
            return "script.homoglyph.to-cyrillic", "script"
        return "script.homoglyph.to-latin", "script"

    def repair(self, word: str, after_unit_sign: bool = False) -> str | None:
        """The word in one script, or ``None`` when it is not a look-alike mix.

        Digits, or a degree sign just before the word, count as Latin context for
        Cyrillic letters (``105х195``, ``°С``).

        >>> p = HomoglyphPass({"К": "K", "х": "x"}, {"p": "р"})
        >>> p.repair("Кursk"), p.repair("105х195"), p.repair("Кто")
        ('Kursk', '105x195', None)
        """
        latin = _LATIN.findall(word)
        digit_context = (after_unit_sign or bool(_DIGIT.search(word))) and not _GREEK.search(word)
        if not latin and not digit_context:
            return None
        foreign = _FOREIGN_LETTER.findall(word)
        if (len(latin) >= len(foreign) or not latin) and all(c in self.latin_able for c in foreign):
            return word.translate(self.to_latin)
        cyrillic = [c for c in foreign if _CYRILLIC.match(c)]
        if latin and len(latin) * 4 <= len(cyrillic) and len(cyrillic) == len(foreign) \
                and all(c in self.cyrillic_able for c in latin):
            return word.translate(self.to_cyrillic)
        return None


def _after_unit_sign(text: str, start: int) -> bool:
    """Whether a degree sign (and at most one space) comes just before ``start``: ``22 °С``, ``22°С``."""
    before = text[max(0, start - 2):start]
    return before.endswith("°") or (len(before) == 2 and before[0] == "°" and before[1] in " \u00a0")


def _words_with_cyrillic_or_greek(text: str) -> Iterator[tuple[int, int]]:
    """The spans of the words (letters, marks, digits) that hold a Cyrillic or Greek character.

    Found from the character outwards: one search for it, then its word matched from
    the word's start (``_TOKEN`` alone would be tried at every word of the text).

    >>> [(s, e) for s, e in _words_with_cyrillic_or_greek("from Кursk to 105х195.")]
    [(5, 10), (14, 21)]
    """
    pos = 0
    while found := _CYRILLIC_OR_GREEK_CHAR.search(text, pos):
        token = _TOKEN.match(text, _WORD_BEFORE.match(text, pos, found.start()).start())
        if token is None:
            pos = found.end()
            continue
        yield token.span()
        pos = token.end()
