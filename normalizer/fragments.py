"""Finding runs of text in another script, and deciding their language."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import regex

from .model import Fragment

_LETTER = r"[^\P{L}\p{Latin}]"
_WORD = rf"{_LETTER}(?:{_LETTER}|\p{{M}}|['’ʼ\-](?={_LETTER}))*"
_GAP = r"[ \t\u00a0,;:.!?…«»„“”\"()\-–—]*[ \t\u00a0][ \t\u00a0,;:.!?…«»„“”\"()\-–—]*"
WORD = regex.compile(_WORD, regex.V1)
RUN = regex.compile(rf"{_WORD}(?:{_GAP}{_WORD})*", regex.V1)
NON_LATIN_LETTER = regex.compile(_LETTER, regex.V1)

# The language a script implies when it is not Cyrillic (Cyrillic is decided by letters).
SCRIPT_LANG = {"Greek": "el", "Hangul": "ko", "Georgian": "ka", "Armenian": "hy", "Hebrew": "he", "Arabic": "ar",
               "Cjk": "zh", "Hiragana": "ja", "Katakana": "ja", "Thai": "th", "Devanagari": "hi"}
PREFERENCE = ("ru", "uk", "be", "bg", "sr", "mk")


def script_of(char: str) -> str:
    """The script of a letter, from its Unicode name: ``'Cyrillic'``, ``'Greek'``…

    >>> script_of("Ж"), script_of("λ"), script_of("한")
    ('Cyrillic', 'Greek', 'Hangul')
    """
    return unicodedata.name(char, "UNKNOWN").split(" ")[0].title()


@dataclass(frozen=True, slots=True)
class Run:
    start: int
    end: int
    text: str
    script: str
    words: list[tuple[int, int]]


def runs(text: str) -> Iterator[Run]:
    """Runs of words in one non-Latin script, joined by spaces and punctuation."""
    for m in RUN.finditer(text):
        current: list[tuple[int, int]] = []
        script = ""
        for w in WORD.finditer(text, m.start(), m.end()):
            s = script_of(w.group()[0])
            if current and s != script:
                yield _run(text, script, current)
                current = []
            script = s
            current.append((w.start(), w.end()))
        if current:
            yield _run(text, script, current)


def _run(text: str, script: str, words: list[tuple[int, int]]) -> Run:
    start, end = words[0][0], words[-1][1]
    return Run(start, end, text[start:end], script, words)


class LanguageGuesser:
    """Decides a Cyrillic run's language from the alphabets of the known schemes."""

    def __init__(self, alphabets: Mapping[str, frozenset[str]]) -> None:
        self.alphabets = alphabets

    def candidates(self, text: str) -> list[str]:
        letters = {c.lower() for c in text if c.isalpha()}
        return [lang for lang in PREFERENCE if lang in self.alphabets and letters <= self.alphabets[lang]]

    def decide(self, run: Run, doc_lang: str | None, passage: bool) -> str | None:
        if run.script != "Cyrillic":
            return SCRIPT_LANG.get(run.script)
        found = self.candidates(run.text)
        if doc_lang in found:
            return doc_lang
        if passage and len(found) != 1:
            guess = detect_language(run.text, found or list(PREFERENCE))
            if guess:
                return guess
        return found[0] if found else doc_lang if doc_lang in PREFERENCE else "ru"


def detect_language(text: str, allowed: list[str]) -> str | None:
    """langdetect's best guess among ``allowed`` (deterministic: the seed is fixed)."""
    import langdetect

    langdetect.DetectorFactory.seed = 0
    try:
        ranked = langdetect.detect_langs(text)
    except langdetect.LangDetectException:
        return None
    return next((g.lang for g in ranked if g.lang in allowed), None)


def fragments(text: str, guesser: LanguageGuesser, doc_lang: str | None, passage_words: int) -> list[Fragment]:
    """Every foreign-script run of ``text`` as a ``Fragment`` with its language."""
    if not NON_LATIN_LETTER.search(text):
        return []
    return [
        Fragment(r.start, r.end, r.text, r.script, guesser.decide(r, doc_lang, len(r.words) >= passage_words))
        for r in runs(text)
    ]
