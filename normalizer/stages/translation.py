"""The gazetteer: names, acronyms, calques and English variants to their canonical form.

Latin forms (the English variants, a few hundred) are one compiled word list (``regex``'s
``\\L<names>``): on clean English that list is the whole cost of this stage. The bulk of
the forms are Cyrillic, Greek or Hangul; they are searched with one Aho–Corasick
automaton, only in text that has such letters. Russian and Ukrainian names also match
inflected (``в Курской области``, ``Ким Чен Ына``): each Cyrillic word is put back in the
nominative by pymorphy3 and the words are looked up again. Whole words only; where
matches overlap, the longest wins.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

import ahocorasick
import regex

from ..model import Warning
from ..morphology import common_word, nominatives
from ..trace import Change
from . import Context, literal_alternation

_BOUNDARY_BEFORE = r"(?<![\p{L}\p{M}\p{N}])"
_BOUNDARY_AFTER = r"(?![\p{L}\p{M}\p{N}])"
_FOREIGN = r"[\p{Cyrillic}\p{Greek}\p{Hangul}]"
_FOREIGN_RE = regex.compile(_FOREIGN)
FOREIGN_HINTS = ("[\u0370-\u052f\u1100-\u11ff\u1c80-\u1c8f\u1d26-\u1d6a\u1d78\u1dbf\u1f00-\u1fff\u2126"
                 "\u2de0-\u2dff\u302e\u302f\u3131-\u318f\u3200-\u327f\ua640-\ua69f\ua960-\ua97f\uab65"
                 "\uac00-\ud7ff\ufe2e\ufe2f\uffa0-\uffdc]",
                 "[\U00010140-\U000101a0\U0001d200-\U0001d24f\U0001dff0-\U0001dfff\U0001e030-\U0001e08f]")
"""``_FOREIGN`` for Python's ``re`` (which has no script classes): the blocks of those scripts, a superset;
within the Basic Multilingual Plane and beyond it."""
_CYRILLIC_RE = regex.compile(r"\p{Cyrillic}")
_CYRILLIC_WORD = regex.compile(rf"{_BOUNDARY_BEFORE}\p{{Cyrillic}}+(?:[-’']\p{{Cyrillic}}+)*{_BOUNDARY_AFTER}")
_WORD_CHAR = regex.compile(r"[\p{L}\p{M}\p{N}]")
_GENERATED = "gazetteer.generated."
_MAX_WORDS = 4
"""The longest inflected name looked up, in words (``Корейской Народно-Демократической Республики``)."""
_RENAMED_KINDS = frozenset({"place", "region"})
"""Entries whose old Latin forms are also surnames, historical names and other places."""


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    canonical: str
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    kind: str = ""
    domain: str = ""
    """The domain (rules/context/domains.toml) a Latin form needs evidence of: ``DNR`` is the DPR only in Donbas."""

    def blocked(self, text: str, start: int, end: int) -> bool:
        """Whether the context says to keep this occurrence (``chicken Kiev``)."""
        head = text[max(0, start - 40):start].rstrip().lower()
        for word in self.not_after:
            w = word.lower()
            if head.endswith(w) and (len(head) == len(w) or not head[-len(w) - 1].isalnum()):
                return True
        tail = text[end:end + 40]
        return any(tail.startswith(w) or tail.lstrip().startswith(w.lstrip()) for w in self.not_before)


class GazetteerPass:
    stage = "translation"

    def __init__(self, forms: dict[str, tuple[Entry, str]]) -> None:
        self.forms = forms
        foreign = [f for f in forms if _FOREIGN_RE.search(f)]
        self.names = sorted(set(forms).difference(foreign), key=len, reverse=True)
        latin = rf"{_BOUNDARY_BEFORE}\L<names>{_BOUNDARY_AFTER}" if self.names else r"(?!)"
        self._latin = regex.compile(latin, regex.V1, names=self.names)
        self._latin_hint = re.compile(literal_alternation(self.names))
        self.trigger = (self._latin_hint.pattern, *FOREIGN_HINTS)
        """A Latin form anywhere (word boundaries are checked in ``run``), or a letter a non-Latin form may hold."""
        self._foreign = ahocorasick.Automaton()
        for form in foreign:
            self._foreign.add_word(form, len(form))
        if foreign:
            self._foreign.make_automaton()
        self._by_lower: dict[str, list[str]] = {}
        for form in foreign:
            if _CYRILLIC_RE.search(form) and not form.isupper():
                self._by_lower.setdefault(form.lower(), []).append(form)
        self._first_words = frozenset(f.split(" ")[0] for f in self._by_lower if " " in f)

    def run(self, text: str, ctx: Context) -> list[Change]:
        found = [(m.start(), m.end(), m.group()) for m in self._latin.finditer(text)] \
            if self._latin_hint.search(text) else []
        if not text.isascii() and len(self._foreign):
            found += self._exact_foreign(text)
            found += self._inflected(text)
        changes = []
        for start, end, form in _longest_first(found):
            entry, canonical = self.forms[form]
            if entry.id in ctx.options.exclude or entry.blocked(text, start, end) or canonical == text[start:end]:
                continue
            if ctx.evidence is not None and not _FOREIGN_RE.search(form) and self._kept(text, start, end, entry, ctx):
                continue
            changes.append(Change(start, end, canonical, entry.id, "translation"))
        return changes

    @staticmethod
    def _kept(text: str, start: int, end: int, entry: Entry, ctx: Context) -> bool:
        """Whether the context keeps this Latin form: a place form that names a person, a fixed
        historical name, another place or thing (``Colonel Pyotr Chernigov``, ``the Siege of Odessa``),
        or an acronym outside its domain (``a DNR bracelet``); a warning names the evidence."""
        evidence = ctx.evidence
        if entry.domain:
            cue = evidence.domain_cue(entry.domain)
            if cue is None:
                ctx.warnings.append(Warning(start, end, "ambiguous-acronym",
                                            f"{text[start:end]} left as it is: no {entry.domain} context "
                                            f"for {entry.id} (context.domain.{entry.domain})"))
                return True
            return False
        if entry.kind not in _RENAMED_KINDS:
            return False
        why = evidence.model.name_cue(text, start, end, entry.canonical,
                                      historical=ctx.options.historical_names == "keep")
        if why is None:
            return False
        ctx.warnings.append(Warning(start, end, "kept-name", f"{text[start:end]} left as it is: {why}"))
        return True

    def _exact_foreign(self, text: str) -> list[tuple[int, int, str]]:
        hits = []
        for last, length in self._foreign.iter(text):
            start, end = last + 1 - length, last + 1
            if (start == 0 or not _WORD_CHAR.match(text[start - 1])) and \
                    (end == len(text) or not _WORD_CHAR.match(text[end])):
                hits.append((start, end, text[start:end]))
        return hits

    def _inflected(self, text: str) -> list[tuple[int, int, str]]:
        """Runs of Cyrillic words whose nominative is a form: ``Курской области`` → ``Курская область``.

        A run starts at a capitalised word (every name does); ALL-CAPS words only match
        exactly, and a single word that pymorphy3 knows as an ordinary word (``Гавани``,
        ``Чому``) is never taken for an inflected name.
        """
        words = list(_CYRILLIC_WORD.finditer(text))
        hits = []
        i = 0
        while i < len(words):
            span = 1
            first = words[i].group()
            if first[:1].isupper() and not (first.isupper() and len(first) > 1):
                for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
                    run = words[i:i + n]
                    if any(text[a.end():b.start()] != " " for a, b in itertools.pairwise(run)):
                        continue
                    if n > 1 and not self._first_words.intersection(nominatives(first)):
                        continue
                    form = self._lookup([w.group() for w in run])
                    if form is not None and (n > 1 or form == first or not common_word(first)):
                        hits.append((run[0].start(), run[-1].end(), form))
                        span = n
                        break
            i += span
        return hits

    def _lookup(self, words: list[str]) -> str | None:
        shape = [w[:1].isupper() for w in words]
        for combo in itertools.product(*(nominatives(w) for w in words)):
            for form in self._by_lower.get(" ".join(combo), ()):
                if [w[:1].isupper() for w in form.split(" ")] == shape:
                    return form
        return None


def _longest_first(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping matches, the longer one winning an overlap; in text order.

    The matches taken so far stay sorted, so each new one is checked against its two
    neighbours only (a text with many names stays linear).

    >>> _longest_first([(0, 4, "Kim"), (0, 12, "Kim Jong Un"), (13, 17, "Kiev"), (4, 8, "Jong")])
    [(0, 12, 'Kim Jong Un'), (13, 17, 'Kiev')]
    """
    starts: list[int] = []
    taken: list[tuple[int, int, str]] = []
    for start, end, form in sorted(set(found), key=lambda m: (m[0] - m[1], m[0])):
        i = bisect.bisect_left(starts, start)
        if (i == 0 or taken[i - 1][1] <= start) and (i == len(taken) or end <= taken[i][0]):
            starts.insert(i, start)
            taken.insert(i, (start, end, form))
    return taken


def build_forms(entries: list[dict]) -> dict[str, tuple[Entry, str]]:
    """Every matchable form → (entry, the text to write); an ALL-CAPS form writes ALL CAPS.

    Generated entries (ids ``gazetteer.generated.*``) go first, so a curated entry that
    claims the same form wins; only curated forms get an ALL-CAPS twin (``УНА``, an acronym,
    is not the town of Una).
    """
    forms: dict[str, tuple[Entry, str]] = {}
    for e in sorted(entries, key=lambda e: not e["id"].startswith(_GENERATED)):
        entry = Entry(e["id"], e["canonical"], tuple(e.get("not_after", ())), tuple(e.get("not_before", ())),
                      e.get("kind", ""), e.get("domain", ""))
        names = [n for per_lang in e.get("forms", {}).values() for n in per_lang] + list(e.get("variants", ()))
        generated = entry.id.startswith(_GENERATED)
        for name in names:
            forms[name] = (entry, entry.canonical)
            if not generated and name.upper() != name:
                forms.setdefault(name.upper(), (entry, entry.canonical.upper()))
    return forms
