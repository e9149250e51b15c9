"""Finding runs of text in another script, and deciding their language.

The language of a Cyrillic run is decided, in this order, by: the ``lang`` option when
the run's letters fit it; its letters (the alphabets and ``evidence`` patterns of the
schemes in ``rules/translit``: ї is Ukrainian, ў Belarusian, ђ Serbian, ќ Macedonian);
the languages other runs of the same text were given by their letters; langdetect, for
runs long enough for it; and last the first language whose alphabet fits.

langdetect is the slow step (milliseconds a run): it is asked only where the letters and
the document leave a choice, once per distinct run (a bounded cache), and with only the
languages whose profiles are written in the run's script (the same answers, a fraction of
the work). The runs of a line are found once for the passes, the context and the fragments.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import regex

from .model import Fragment

_LETTER = r"[^\P{L}\p{Latin}]"
# Possessive runs: ``regex`` keeps a backtracking entry per iteration of a repeated group (170 bytes a letter).
_CORE = rf"{_LETTER}(?:{_LETTER}++|\p{{M}}++|['’ʼ\-](?={_LETTER}))*+"
# A word glued to Latin letters (``Кiev``) is a look-alike to repair, not a foreign fragment.
_WORD = rf"(?<!\p{{Latin}})(?>{_CORE})(?!\p{{Latin}})"
_GAP = r"[ \t\u00a0,;:.!?…«»„“”\"()\-–—]*[ \t\u00a0][ \t\u00a0,;:.!?…«»„“”\"()\-–—]*"
WORD = regex.compile(_WORD, regex.V1)
RUN = regex.compile(rf"{_WORD}(?:{_GAP}{_WORD})*", regex.V1)
NON_LATIN_LETTER = regex.compile(_LETTER, regex.V1)

# The language a script implies when it is not Cyrillic (Cyrillic is decided by letters).
SCRIPT_LANG = {"Greek": "el", "Hangul": "ko", "Georgian": "ka", "Armenian": "hy", "Hebrew": "he", "Arabic": "ar",
               "Cjk": "zh", "Hiragana": "ja", "Katakana": "ja", "Thai": "th", "Devanagari": "hi"}
PREFERENCE = ("ru", "uk", "be", "bg", "sr", "mk")
# langdetect is only asked about runs of at least this many words and letters (it guesses at
# random on shorter ones), and only to choose between the two most preferred languages that fit:
# on short Cyrillic text it calls Russian Bulgarian or Macedonian more often than it is right.
DETECT_WORDS = 3
DETECT_LETTERS = 10
DETECT_CHOICES = 2
DETECT_CACHE = 4096
"""How many distinct runs langdetect's answers are kept for."""
RUNS_CACHE = 8
"""How many of the latest lines' runs are kept: the passes, the context and the fragments of one line share them."""


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
    words: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """A run's language and why: ``script``, ``option``, ``letters``, ``document``, ``langdetect`` or ``default``."""

    lang: str | None
    reason: str


@functools.lru_cache(maxsize=RUNS_CACHE)
def runs(text: str) -> tuple[Run, ...]:
    """Runs of words in one non-Latin script, joined by spaces and punctuation (found once per line)."""
    return tuple(_scan_runs(text))


def _scan_runs(text: str) -> Iterator[Run]:
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
    return Run(start, end, text[start:end], script, tuple(words))


class LanguageGuesser:
    """Decides a Cyrillic run's language from the alphabets (and evidence patterns) of the known schemes."""

    def __init__(self, alphabets: Mapping[str, frozenset[str]],
                 evidence: Mapping[str, Sequence[regex.Pattern]] | None = None) -> None:
        self.alphabets = alphabets
        self.evidence = evidence or {}

    @classmethod
    def from_schemes(cls, schemes: Mapping[str, Mapping]) -> LanguageGuesser:
        """From ``Ruleset.schemes`` (language → scheme name → ``Scheme``): alphabets and evidence united."""
        alphabets = {lang: frozenset().union(*(s.letters for s in by_name.values()))
                     for lang, by_name in schemes.items()}
        evidence = {lang: [p for s in by_name.values() for p in s.evidence] for lang, by_name in schemes.items()}
        return cls(alphabets, evidence)

    def candidates(self, text: str) -> list[str]:
        """The languages whose alphabets hold every letter of ``text``, in order of preference.

        Where a language's evidence pattern occurs (a Bulgarian ъ before a consonant), only
        the languages with evidence are left.
        """
        return list(self._short_candidates(text) if len(text) <= 64 else self._candidates(text))

    @functools.lru_cache(maxsize=8192)  # noqa: B019 -- names recur; one guesser per rule set, kept for the process
    def _short_candidates(self, text: str) -> tuple[str, ...]:
        return self._candidates(text)

    def _candidates(self, text: str) -> tuple[str, ...]:
        letters = {c.lower() for c in set(text) if c.isalpha()}
        found = [lang for lang in PREFERENCE if lang in self.alphabets and letters <= self.alphabets[lang]]
        marked = [lang for lang in found if any(p.search(text) for p in self.evidence.get(lang, ()))]
        return tuple(marked or found)

    def decide(self, run: Run, doc_lang: str | None, passage: bool) -> str | None:
        """The language of one run, without looking at the rest of the text."""
        return self.explain(run, doc_lang, DETECT_WORDS if passage else 0).lang

    def explain(self, run: Run, doc_lang: str | None, detect_words: int = DETECT_WORDS,
                document: Iterable[str] = ()) -> Decision:
        """The language of ``run`` and the reason; ``document`` holds the languages other runs showed by letters."""
        if run.script != "Cyrillic":
            return Decision(SCRIPT_LANG.get(run.script), "script")
        found = self.candidates(run.text)
        if doc_lang in found:
            return Decision(doc_lang, "option")
        if len(found) == 1:
            return Decision(found[0], "letters")
        choices = found or list(PREFERENCE)
        shown = [lang for lang in document if lang in choices]
        if shown:
            return Decision(shown[0], "document")
        if detect_words and len(run.words) >= detect_words and sum(c.isalpha() for c in run.text) >= DETECT_LETTERS:
            guess = detect_language(run.text, choices[:DETECT_CHOICES], run.script)
            if guess:
                return Decision(guess, "langdetect")
        if found:
            return Decision(found[0], "default")
        return Decision(doc_lang if doc_lang in PREFERENCE else "ru", "default")

    def decide_all(self, found_runs: Sequence[Run], doc_lang: str | None,
                   detect_words: int = DETECT_WORDS) -> list[Decision]:
        """Every run's language: runs their letters settle first, then the rest in their light.

        >>> from normalizer.ruleset import load_ruleset
        >>> guesser = LanguageGuesser.from_schemes(load_ruleset().schemes)
        >>> text = "Одеса, not far from Київ"
        >>> [d.lang + ":" + d.reason for d in guesser.decide_all(list(runs(text)), None)]
        ['uk:document', 'uk:letters']
        """
        return list(self._decide_all(tuple(found_runs), doc_lang, detect_words))

    @functools.lru_cache(maxsize=RUNS_CACHE)  # noqa: B019 -- one line's runs, shared by the passes and the fragments
    def _decide_all(self, found_runs: tuple[Run, ...], doc_lang: str | None, detect_words: int
                    ) -> tuple[Decision, ...]:
        first = [self.explain(r, doc_lang, 0) for r in found_runs]
        document = list(dict.fromkeys(d.lang for d in first if d.reason == "letters" and d.lang))
        return tuple(d if d.reason in ("script", "option", "letters")
                     else self.explain(r, doc_lang, detect_words, document)
                     for r, d in zip(found_runs, first, strict=True))


def detect_language(text: str, allowed: Sequence[str], script: str = "Cyrillic") -> str | None:
    """langdetect's best guess among ``allowed`` for a run in ``script`` (deterministic: the seed is fixed).

    >>> detect_language("Не нужно демонизировать народ", ["ru", "uk"])
    'ru'
    """
    return _detect(text, tuple(allowed), script)


@functools.lru_cache(maxsize=DETECT_CACHE)
def _detect(text: str, allowed: tuple[str, ...], script: str) -> str | None:
    from langdetect import LangDetectException

    detector = _detector_factory(script).create()
    detector.append(text)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return None
    return next((g.lang for g in ranked if g.lang in allowed), None)


@functools.cache
def _detector_factory(script: str):
    """langdetect's factory with only the languages whose profiles are mostly letters of ``script``.

    Every n-gram of every profile stays known, so a run yields the n-grams and the random
    draws it yields with all profiles; the languages left out would score an n-gram of
    another script with only their smoothing, so their share of the probability is nil.
    """
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    full = DetectorFactory()
    full.load_profile(PROFILES_DIRECTORY)
    letters = [(script_of(gram) == script, probs) for gram, probs in full.word_lang_prob_map.items()
               if len(gram) == 1 and gram.isalpha()]
    kept = [i for i in range(len(full.langlist)) if _written_in(letters, i)]
    factory = DetectorFactory()
    factory.langlist = [full.langlist[i] for i in kept]
    factory.word_lang_prob_map = {gram: [probs[i] for i in kept] for gram, probs in full.word_lang_prob_map.items()}
    factory.seed = 0
    return factory


def _written_in(letters: list[tuple[bool, list[float]]], index: int) -> bool:
    """Whether most of language ``index``'s letter frequency is in the script (``letters``: each
    one-letter n-gram's ``in the script`` and frequencies by language)."""
    inside = sum(probs[index] for in_script, probs in letters if in_script)
    return inside > sum(probs[index] for _, probs in letters) / 2


def fragments(text: str, guesser: LanguageGuesser, doc_lang: str | None, passage_words: int) -> list[Fragment]:
    """Every foreign-script run of ``text`` as a ``Fragment`` with its language."""
    if not NON_LATIN_LETTER.search(text):
        return []
    found = runs(text)
    decisions = guesser.decide_all(found, doc_lang, min(passage_words, DETECT_WORDS))
    return [Fragment(r.start, r.end, r.text, r.script, d.lang, d.reason) for r, d in zip(found, decisions, strict=True)]
