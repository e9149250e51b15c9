"""Short runs of Cyrillic that look like names (a person, a village: capitalised) are
romanised with the language's scheme. A lowercase word left by machine translation
(``we owe you дякуємо thank you``) is reported as ``untranslated-word``, and longer
passages as ``untranslated-passage``; both are left as they are unless the profile
says otherwise."""

from __future__ import annotations

import re
from collections.abc import Callable

import regex

from ..fragments import LanguageGuesser, Run, runs
from ..model import Warning
from ..morphology import MORPHOLOGY_LANGS, is_name
from ..trace import Change
from ..translit import Scheme, fallback
from . import Context

# Characters outside the Latin blocks, punctuation, symbols and emoji: where a non-Latin letter may be.
_BEYOND_LATIN = re.compile("[^\x00-\u024f\u1e00-\u1eff\u2000-\u2bff\ufb00-\ufb06\ufe00-\ufe0f"
                           "\U0001f000-\U0001faff]")


_OTHER_THAN_CYRILLIC = regex.compile(r"[\p{L}--\p{Cyrillic}]", regex.V1)


class TransliterationPass:
    stage = "transliteration"
    handles_ascii = False

    trigger = (_BEYOND_LATIN.pattern,)

    def __init__(self, guesser: LanguageGuesser, scheme_for: Callable[[str, str | None], Scheme | None]) -> None:
        self.guesser = guesser
        self.scheme_for = scheme_for

    def run(self, text: str, ctx: Context) -> list[Change]:
        options = ctx.options
        changes = []
        found = list(runs(text))
        for run, decision in zip(found, self.guesser.decide_all(found, options.lang), strict=True):
            lang = decision.lang
            passage = len(run.words) >= options.passage_words
            if passage:
                ctx.warnings.append(Warning(run.start, run.end, "untranslated-passage",
                                            f"{len(run.words)} words in {run.script} ({lang or 'unknown language'}) "
                                            "left untranslated"))
                if not options.transliterate_passages:
                    continue
            if run.script not in options.transliterate_scripts:
                continue
            if not passage and not options.transliterate_words and not _a_name(text, run, lang):
                ctx.warnings.append(Warning(run.start, run.end, "untranslated-word",
                                            f"{run.script} ({lang or 'unknown language'}) word left untranslated: "
                                            "not a name"))
                continue
            scheme = self.scheme_for(lang, options.schemes.get(lang)) if lang else None
            rule, convert = (scheme.id, scheme.apply) if scheme else fallback(lang)
            for start, end in run.words:
                if _glued(text, start, end):
                    continue  # part of a longer word in two scripts: the script pass's, or left
                word = text[start:end]
                new = convert(word)
                if new != word:
                    changes.append(Change(start, end, new, rule, "transliteration"))
        return changes


def _a_name(text: str, run: Run, lang: str | None) -> bool:
    """Whether a short run is a name: every word capitalised and, in a language pymorphy3 knows,
    each a name by its tags (``Покровское``, ``Юлия Навальная``; not ``Источник`` or ``Первые шаги``)."""
    words = [text[s:e] for s, e in run.words if not (e - s == 1 and text[e:e + 1] == ".")]  # initials aside
    if not all(w[:1].isupper() for w in words):
        return False
    return lang not in MORPHOLOGY_LANGS or not words or is_name(words)


def _glued(text: str, start: int, end: int) -> bool:
    """Whether the word at ``[start, end)`` is glued to more letters (``МоскваtheСМосква``) or holds
    letters of another script (``МоскваΩ``): romanising a part would leave a word in two scripts."""
    return (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha()) \
        or bool(_OTHER_THAN_CYRILLIC.search(text, start, end))
