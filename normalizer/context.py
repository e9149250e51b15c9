"""The context model (SPEC §1.1): the evidence that licenses a change, or forbids it.

Compiled once from ``rules/context/``. For each line the engine makes one ``Evidence``;
its foreign-text spans (native forms, labels, titles, references, file names, letters
discussed as such, CJK runs, Greek notation, Cyrillic units after numbers) are found on
first use, and the engine drops every change that meets one. The passes ask the same
object about what a span alone cannot tell: whether a Latin place form is a surname, a
fixed historical name, another place or a thing (``name_cue``), and whether the line or
the document is about the domain an ambiguous acronym needs (``domain_cue``).

>>> from normalizer.ruleset import load_ruleset
>>> model = load_ruleset().context
>>> e = model.evidence("Yulia Navalnaya (Юлия Навальная, born 1976)")
>>> [(e.text[s:t], kind) for s, t, kind in e.spans]
[('Юлия Навальная', 'context.foreign.bracketed')]
>>> model.evidence("sappers from КНДР").spans
[]
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

import regex

from .fragments import runs
from .options import Options

_DEFAULTS = Options()
_FAR = 1 << 62
_SPACES = " \t\u00a0\u2009\u202f"
_LATIN_LETTER = regex.compile(r"\p{Latin}")
_WORD_BEFORE = regex.compile(r"([\p{L}\p{M}'’.-]*\p{L}[.]?)$")
_DEGREE = frozenset("°º˚")
_DIGIT_OR_DEGREE = frozenset("0123456789") | _DEGREE
_HISTORICAL = "context.entity.historical"
_TOKEN_START = r"(?<![^\s|\[\](){}<>\"])"
"""A file name is looked for from the start of a token only (each token is scanned once: linear)."""
_HEADING_WORDS = 3
_CARRIED = frozenset({"context.foreign.discussed", "context.foreign.letter"})
_BREAKS = regex.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}--[\t]]", regex.V1)
_ROMAN = regex.compile(r"[IVXLCDM]+\.?")
"""A Roman numeral (``XX века``) is not an English word beside a run."""
_LOOK_BACK = 64
"""How far before a run its left neighbour is looked for (the cost of a run stays constant)."""
_OPENING = frozenset("([{|=/:\"'«»„“‘‚_*<]")
"""Before a foreign run, these make it a bracketed form, a label's value, a cell or a title, not prose."""
_OPENING_MARKS = frozenset("«»„“‘‚\"'‹›「『《")
_SENTENCE_END = frozenset("!?.…,;")
_CLOSING_MARKS = frozenset("»«“”’‘\"'›‹」』》")
_GREEK_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]*(?:-[\p{L}\p{N}]+)*\p{Greek}[\p{L}\p{M}\p{N}]*(?:-[\p{L}\p{N}]+)*")
_GREEK = regex.compile(r"\p{Greek}")
_INITIAL_BEFORE_LATIN = regex.compile(r"\p{Lu}\.[ \u00a0]?(?:\p{Lu}\.[ \u00a0]?)*\p{Latin}")
"""An initial before a Latin name (``В. K. Arsenyev``): part of a name in prose, not a letter discussed."""
_YEAR_AFTER = regex.compile(r"[ \u00a0]*\((?:c\.|ca\.|b\.|born|d\.|died|fl\.)?[ \u00a0]*\d{3,4}"
                            r"(?:[ \u00a0]*[–-][ \u00a0]*\d{2,4})?\)")
_COORDINATED = regex.compile(r"[ \u00a0]*(?:,|and|or|,[ \u00a0]*and|,[ \u00a0]*or)[ \u00a0]*")
"""Between two runs, a gap that makes the second like the first (``the Russian РАБИС and Сорабис``)."""


def _alternation(words: Iterable[str]) -> str:
    """A ``regex`` alternation of ``words``, longest first, each escaped."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True)) or "(?!)"


def _words(section: dict, *keys: str) -> list[str]:
    return [w for key in keys for w in section.get(key, ())]


class ContextModel:
    """The context rules, compiled once (``Ruleset.context``)."""

    def __init__(self, data: Sequence[dict]) -> None:
        merged: dict[str, dict] = {}
        for file_data in data:
            for name, section in file_data.items():
                if isinstance(section, dict):
                    target = merged.setdefault(name, {})
                    for key, value in section.items():
                        if isinstance(value, list) and isinstance(target.get(key), list):
                            target[key] = target[key] + value
                        elif isinstance(value, dict) and isinstance(target.get(key), dict):
                            target[key] = {**target[key], **value}
                        else:
                            target[key] = value
        foreign = merged.get("foreign", {})
        self.discussed_after = frozenset(w.lower() for w in (*foreign.get("discussed_after", ()),
                                                             *merged.get("labels", {}).get("languages", ())))
        self.cluster_words: int = foreign.get("cluster_words", 3)
        self.cluster_joiners = frozenset(w.lower() for w in foreign.get("cluster_joiners", ()))
        self.exempt_stages = frozenset(foreign.get("exempt_stages", ()))
        self._compile_spans(merged)
        self._compile_names(merged)
        self.domains: dict[str, regex.Pattern] = {
            name: regex.compile(rf"(?<![\p{{L}}\p{{N}}])(?:{_alternation(d.get('cues', ()))})(?![\p{{L}}\p{{N}}])")
            for name, d in merged.get("domains", {}).items()}

    def _compile_spans(self, merged: dict) -> None:
        labels = merged.get("labels", {})
        files = merged.get("files", {})
        cjk = merged.get("cjk", {}).get("punctuation", "") or "\u3000"
        units = merged.get("abbreviations", {}).get("after_number", ())
        label_words = _alternation(_words(labels, "languages", "romanisation"))
        extensions = _alternation(files.get("extensions", ()))
        sources = {
            "context.foreign.label": rf"(?<![\p{{L}}])(?:{label_words})[ \u00a0]*:"
                                     r"(?:[ \u00a0]*[^\s,;:()\[\]|]+){1,3}",
            "context.foreign.file": rf"(?:(?<![\p{{L}}])(?:{_alternation(files.get('prefixes', ()))}):[^|\]\n]+)"
                                    rf"|{_TOKEN_START}[^\s|\[\](){{}}<>\"]*\.(?i:{extensions})(?![\p{{L}}\p{{N}}])"
                                    rf"|{_TOKEN_START}[^\s|\[\](){{}}<>\"]*[^\W_]_[^\W_][^\s|\[\](){{}}<>\"]*"
                                    rf"|(?:(?<=[|\[=])|^)[^|\[\]=\n.]{{1,120}}\.(?i:{extensions})(?![\p{{L}}\p{{N}}])",
            "context.foreign.cjk": rf"[{cjk}]{{0,8}}+[\p{{Han}}\p{{Hiragana}}\p{{Katakana}}\p{{Hangul}}]"
                                   rf"(?:[\p{{Han}}\p{{Hiragana}}\p{{Katakana}}\p{{Hangul}}\p{{N}}{cjk} ]*"
                                   rf"[\p{{Han}}\p{{Hiragana}}\p{{Katakana}}\p{{Hangul}}{cjk}])?",
            "context.foreign.unit": rf"(?<=\d[ \u00a0]?)(?:{_alternation(units)})\.?(?![\p{{L}}\p{{N}}])",
        }
        self._span_patterns = [(kind, regex.compile(source, regex.V1)) for kind, source in sources.items()]
        self._file_hint = regex.compile(r"[_:]|\.(?i:" + extensions + ")")
        self.debris_min_latin: int = merged.get("notation", {}).get("debris_min_latin", 3)

    def _compile_names(self, merged: dict) -> None:
        person = merged.get("person", {})
        given = merged.get("given_names", {})
        historical = merged.get("historical", {})
        both = merged.get("both_forms", {})
        other = merged.get("other_place", {})
        thing = merged.get("thing", {})
        word = r"(?<![\p{L}\p{N}])"
        end = r"(?![\p{L}\p{N}])"
        before = {
            "context.entity.person": _words(person, "titles", "occupations") + _words(given, *given.keys()),
            "context.entity.historical": historical.get("before", []),
            "context.entity.both-forms": both.get("before", []),
            "context.entity.other-place": other.get("before", []),
            "context.entity.thing": thing.get("before", []),
        }
        after = {
            "context.entity.historical": historical.get("after", []),
            "context.entity.other-place": [", " + w for w in other.get("after_comma", ())] + other.get("after", []),
            "context.entity.thing": thing.get("after", []),
        }
        self._before = [(kind, regex.compile(rf"{word}(?:{_alternation(words)})[ \u00a0]*$"))
                        for kind, words in before.items() if words]
        self._after = [(kind, regex.compile(rf"[ \u00a0]*(?:{_alternation(words)}){end}"))
                       for kind, words in after.items() if words]
        self._initial = regex.compile(r"(?<![\p{L}\p{N}])\p{Lu}\.[ \u00a0]*$")
        endings = _alternation(person.get("patronymic_endings", ()))
        self._patronymic = regex.compile(rf"\p{{Lu}}\p{{Ll}}+(?:{endings})[ \u00a0]+$")
        self._initials_after = regex.compile(r",?[ \u00a0]+\p{Lu}\.(?:[ \u00a0]?\p{Lu}\.)*(?![\p{L}\p{N}])")
        self.dated = bool(historical.get("dated", False))
        self.both_forms_adjacent: bool = both.get("adjacent", False)

    def evidence(self, text: str, document: Document | None = None, options: Options = _DEFAULTS) -> Evidence:
        """The evidence of one line (offsets into ``text``) under a profile's ``options``.

        Where the profile romanises foreign text (``foreign_text = "romanise"``) there are no
        foreign-text spans; where it transliterates passages, foreign runs are not spans."""
        if options.foreign_text == "romanise":
            return Evidence(self, text, document, -1)
        return Evidence(self, text, document, 0 if options.transliterate_passages else options.passage_words)

    def name_cue(self, text: str, start: int, end: int, canonical: str, *, historical: bool = True) -> str | None:
        """Why the Latin place form at ``text[start:end]`` is not the place to rename, or ``None``;
        with ``historical=False`` (a profile that modernises names) a fixed historical name is no reason.

        >>> from normalizer.ruleset import load_ruleset
        >>> m = load_ruleset().context
        >>> m.name_cue("Colonel Pyotr Chernigov", 14, 23, "Chernihiv")
        'context.entity.person'
        >>> m.name_cue("the port of Odessa", 12, 18, "Odesa") is None
        True
        """
        head = text[max(0, start - 40):start]
        tail = text[end:end + 40]
        if text[start:end].isupper():  # ``KIEV GUBERNATORIAL COMMITTEE``: the cues are written in title case
            head, tail = head.title(), tail.title()
        for kind, pattern in self._before:
            if pattern.search(head) and (historical or kind != _HISTORICAL):
                return kind
        if self._initial.search(head) or self._patronymic.search(head) or self._initials_after.match(tail):
            return "context.entity.person"
        for kind, pattern in self._after:
            if pattern.match(tail) and (historical or kind != _HISTORICAL):
                return kind
        if historical and self.dated and _YEAR_AFTER.match(tail):
            return _HISTORICAL
        if self.both_forms_adjacent and _beside(head, tail, canonical):
            return "context.entity.both-forms"
        return None


class Document:
    """A multi-line text (or a record of an archive): the evidence that holds for all its lines."""

    __slots__ = ("_cues", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._cues: dict[str, str | None] = {}

    def cue(self, name: str, pattern: regex.Pattern) -> str | None:
        if name not in self._cues:
            found = pattern.search(self.text)
            self._cues[name] = found.group() if found else None
        return self._cues[name]


class Evidence:
    """What the context says about one line: computed once, consulted by every pass and the engine."""

    __slots__ = ("_breaks", "_latin_lines", "_spans", "_starts", "document", "model", "passage_words", "text")

    def _line_of(self, pos: int) -> tuple[int, int]:
        """The line (between line separators such as U+2028, which the whitespace stage makes line
        breaks) that holds ``pos``: the evidence of a run looks no further."""
        if self._breaks is None:
            self._breaks = [m.start() for m in _BREAKS.finditer(self.text)]
        i = bisect.bisect_right(self._breaks, pos)
        return (self._breaks[i - 1] + 1 if i else 0), (self._breaks[i] if i < len(self._breaks) else len(self.text))

    def _has_latin(self, start: int, end: int) -> bool:
        """Whether the line has Latin letters: a run apart from them is a form beside English text; a
        line of nothing but the run (a name alone, a heading) has no English to be apart from."""
        if start not in self._latin_lines:
            self._latin_lines[start] = bool(_LATIN_LETTER.search(self.text, start, end))
        return self._latin_lines[start]

    def __init__(self, model: ContextModel, text: str, document: Document | None, passage_words: int) -> None:
        """``passage_words``: a run of this many words is a passage (0: runs are not spans; -1: no spans)."""
        self.model = model
        self.text = text
        self.document = document
        self.passage_words = passage_words
        self._spans: list[tuple[int, int, str]] | None = None
        self._breaks: list[int] | None = None
        self._latin_lines: dict[int, bool] = {}

    @property
    def spans(self) -> list[tuple[int, int, str]]:
        """The foreign-text spans (start, end, evidence id), sorted and apart."""
        if self._spans is None:
            self._spans = _merge(self._find_spans()) if self.passage_words >= 0 else []
            self._starts = [s for s, _, _ in self._spans]
        return self._spans

    def foreign(self, start: int, end: int) -> str | None:
        """The evidence id of a foreign-text span that ``[start, end)`` meets, or ``None``."""
        spans = self.spans
        if not spans:
            return None
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        for s, e, kind in spans[i:i + 2]:
            if (s < end and start < e) or s <= start < e:
                return kind
        return None

    def domain_cue(self, name: str) -> str | None:
        """A cue word of domain ``name`` in this line, else in its document, or ``None``."""
        pattern = self.model.domains.get(name)
        if pattern is None:
            return None
        found = pattern.search(self.text)
        if found:
            return found.group()
        return self.document.cue(name, pattern) if self.document is not None else None

    def _find_spans(self) -> list[tuple[int, int, str]]:
        text = self.text
        found: list[tuple[int, int, str]] = []
        for kind, pattern in self.model._span_patterns:
            if kind == "context.foreign.file" and not self.model._file_hint.search(text):
                continue
            found += [(m.start(), m.end(), kind) for m in pattern.finditer(text) if m.end() > m.start()]
        if not text.isascii():
            if self.passage_words:
                found += self._run_spans()
            found += self._notation_spans()
        return found

    def _run_spans(self) -> list[tuple[int, int, str]]:
        """Foreign-script runs that do not stand in English prose, and passages of several runs."""
        text = self.text
        found: list[tuple[int, int, str]] = []
        cluster: list = []
        cluster_words = 0
        previous_kind, previous_end = None, 0
        for run in runs(text):
            if len(run.words) == 1 and _beside_digits(text, run.start, run.end):
                continue  # ``105х195``, ``22 °С``: the script pass's look-alikes, or units (``context.foreign.unit``)
            if cluster and self._joined(text[cluster[-1].end:run.start]):
                cluster.append(run)
                cluster_words += len(run.words)
            else:
                found += self._cluster_span(cluster, cluster_words)
                cluster, cluster_words = [run], len(run.words)
            kind = self._why_foreign(text, run)
            if kind is None and previous_kind in _CARRIED and _COORDINATED.fullmatch(text, previous_end, run.start):
                kind = previous_kind
            previous_kind, previous_end = kind, run.end
            if kind:
                found.append((*_with_marks(text, run.start, run.end), kind))
        found += self._cluster_span(cluster, cluster_words)
        return found

    def _joined(self, gap: str) -> bool:
        """Whether two runs with ``gap`` between are one passage: no English word between them."""
        if _CONTROL.search(gap):
            return False  # a control character the unicode stage repairs (a C1 byte for ``š``) may be a letter
        return all(w.lower() in self.model.cluster_joiners or _ROMAN.fullmatch(w)
                   for w in regex.findall(r"\p{Latin}+", gap))

    def _cluster_span(self, cluster: list, words: int) -> list[tuple[int, int, str]]:
        if len(cluster) > 1 and words >= self.model.cluster_words:
            return [(*_with_marks(self.text, cluster[0].start, cluster[-1].end), "context.foreign.passage")]
        return []

    def _why_foreign(self, text: str, run) -> str | None:
        """Why a run is foreign text on purpose, or ``None`` when it stands in English prose (debris)."""
        if len(run.words) >= self.passage_words:
            return "context.foreign.passage"
        line_start, line_end = self._line_of(run.start)
        before = text[max(line_start, run.start - _LOOK_BACK):run.start].rstrip(_SPACES)
        previous = before[-1:]
        left = _WORD_BEFORE.search(before) if previous and _LATIN_LETTER.match(previous) else None
        latin_before = left is not None and not _ROMAN.fullmatch(left.group(1))
        if latin_before and left.group(1).lower().rstrip(".") in self.model.discussed_after:
            return "context.foreign.discussed"
        if all(e - s == 1 for s, e in run.words):
            return None if _INITIAL_BEFORE_LATIN.match(text, run.start) else "context.foreign.letter"
        if latin_before:
            return None
        if previous and previous in _OPENING:
            return "context.foreign.bracketed"
        after = text[run.end:run.end + 3]
        if after[:1] in _SPACES + "," and _LATIN_LETTER.match(after.lstrip(_SPACES + ",")[:1]):
            return None
        if self._has_latin(line_start, line_end):
            return "context.foreign.apart"
        # A line of nothing but the run: a name (``Пхеньян``, ``Курская область``) is for the passes; a phrase
        # of three words or more with common words among them is a heading or a title
        heading = len(run.words) >= _HEADING_WORDS and any(text[s].islower() for s, _ in run.words)
        return "context.foreign.apart" if heading else None

    def _notation_spans(self) -> list[tuple[int, int, str]]:
        """Greek letters in Latin or numeric words (``IL-1β``, ``PPARγ``, ``Cα``), unless capital look-alikes."""
        text = self.text
        if not _GREEK.search(text):
            return []
        found = []
        for m in _GREEK_WORD.finditer(text):
            word = m.group()
            greek = _GREEK.findall(word)
            latin = len(_LATIN_LETTER.findall(word))
            if len(greek) == len(regex.findall(r"\p{L}", word)) and not any(c.isdigit() for c in word) \
                    and "-" not in word:
                continue
            if latin >= self.model.debris_min_latin and all(c.isupper() for c in greek):
                continue
            found.append((m.start(), m.end(), "context.foreign.notation"))
        return found


def _beside(head: str, tail: str, canonical: str) -> bool:
    """Whether ``canonical`` stands right beside a form, joined by a bracket, slash, comma or ``or``:
    ``Kyiv (Kiev)``, ``Kiev/Kyiv``, ``Kiev or Kyiv``."""
    joiners = " \u00a0(/,"
    before = head.rstrip(joiners)
    after = tail.lstrip(joiners)
    if before.endswith(canonical) and len(head) - len(before) <= 3:
        return True
    if after.startswith(canonical) and len(tail) - len(after) <= 3:
        return True
    return head.endswith(f"{canonical} or ") or tail.startswith(f" or {canonical}")


def _beside_digits(text: str, start: int, end: int) -> bool:
    """Whether a word touches a digit or a degree sign (or is one space after the sign): ``105х195``, ``22 °С``."""
    touching = text[start - 1:start] if start else ""
    after = text[end:end + 1]
    sign_then_space = start >= 2 and text[start - 2] in _DEGREE and text[start - 1] in _SPACES
    return (touching != "" and touching in _DIGIT_OR_DEGREE) or (after != "" and after in _DIGIT_OR_DEGREE) \
        or sign_then_space


def _with_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened by the quotation marks and brackets right around it: a title's
    ``«»``, or the closing mark of a quotation that ends in the run (``«Свобода»)``)."""
    while start > 0 and text[start - 1] in _OPENING_MARKS:
        start -= 1
    closing = end
    while closing < len(text) and text[closing] in _SENTENCE_END:
        closing += 1
    if closing < len(text) and text[closing] in _CLOSING_MARKS:
        end = closing
    while end < len(text) and text[end] in _CLOSING_MARKS:
        end += 1
    return start, end


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sorted, with overlapping spans merged (the first kind named)."""
    merged: list[tuple[int, int, str]] = []
    for s, e, kind in sorted(spans):
        if merged and s < merged[-1][1]:
            ps, pe, pkind = merged[-1]
            merged[-1] = (ps, max(pe, e), pkind)
        else:
            merged.append((s, e, kind))
    return merged
