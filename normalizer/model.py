"""The values normalizer hands back: edits, warnings, fragments and results."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

CATEGORIES = ("script", "transliteration", "translation", "punctuation", "whitespace", "unicode")


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: ``original[start:end]`` became ``replacement``.

    Offsets are code points into the *original* text. ``rule`` is the last rule
    that touched the span; ``rules`` lists every rule, in order, when changes chained
    (``Кiev`` → ``Kiev`` → ``Kyiv``).
    """

    start: int
    end: int
    original: str
    replacement: str
    rule: str
    category: str
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "original": self.original, "replacement": self.replacement,
                "rule": self.rule, "category": self.category, "rules": list(self.rules or (self.rule,))}

    def __reduce__(self) -> tuple:  # pickled as its fields: results cross process and Dask boundaries
        return Edit, (self.start, self.end, self.original, self.replacement, self.rule, self.category, self.rules)


@dataclass(frozen=True, slots=True)
class Warning:
    """Something found but not changed, e.g. ``unbalanced-quote``."""

    start: int
    end: int
    code: str
    message: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "code": self.code, "message": self.message}

    def __reduce__(self) -> tuple:
        return Warning, (self.start, self.end, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Fragment:
    """A run of text in another script, with the language decided for it."""

    start: int
    end: int
    text: str
    script: str
    lang: str | None
    lang_reason: str | None = None
    """How the language was decided: script, option, letters, document, langdetect or default."""

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "script": self.script, "lang": self.lang,
                "lang_reason": self.lang_reason}

    def __reduce__(self) -> tuple:
        return Fragment, (self.start, self.end, self.text, self.script, self.lang, self.lang_reason)


@dataclass(slots=True)
class Result:
    """The normalised text, and everything needed to explain or undo it."""

    text: str
    original: str
    edits: tuple[Edit, ...] = ()
    warnings: tuple[Warning, ...] = ()
    fragments: tuple[Fragment, ...] = ()
    profile: str = "default"
    ruleset: str = ""
    applied: bool = True
    _starts: list[int] | None = field(default=None, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def __reduce__(self) -> tuple:
        return Result, (self.text, self.original, self.edits, self.warnings, self.fragments, self.profile, self.ruleset,
                        self.applied)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "edits": [e.to_dict() for e in self.edits],
            "warnings": [w.to_dict() for w in self.warnings],
            "fragments": [f.to_dict() for f in self.fragments],
            "profile": self.profile,
            "ruleset": self.ruleset,
            "applied": self.applied,
        }

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``self.text`` back to the span of the input it came from.

        A position inside a replacement widens to the whole edited span.

        >>> from normalizer import normalize
        >>> r = normalize("from КНДР today")
        >>> r.text
        'from DPRK today'
        >>> r.original_span(5, 9), r.original_span(10, 15)
        ((5, 9), (10, 15))
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) is outside the text of length {len(self.text)}")
        if not self.applied or not self.edits:
            return start, end
        mapped_start = self._to_original(start, is_end=False)
        if start == end:
            return mapped_start, mapped_start
        return mapped_start, self._to_original(end, is_end=True)

    def _to_original(self, pos: int, *, is_end: bool) -> int:
        starts = self._starts
        if starts is None:
            shift, starts = 0, []
            for e in self.edits:
                starts.append(e.start + shift)
                shift += len(e.replacement) - (e.end - e.start)
            self._starts = starts
        if is_end:  # the last edit starting before pos: deletions right at pos stay outside
            i = bisect.bisect_left(starts, pos) - 1
            if i < 0:
                return pos
            edit = self.edits[i]
            return edit.end + max(0, pos - starts[i] - len(edit.replacement))
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return pos
        edit = self.edits[i]
        cur_end = starts[i] + len(edit.replacement)
        return edit.end + (pos - cur_end) if pos >= cur_end else edit.start


def apply_edits(text: str, edits: list[Edit] | tuple[Edit, ...]) -> str:
    """Apply edits (sorted, non-overlapping, offsets into ``text``).

    >>> apply_edits("in Kiev", [Edit(3, 7, "Kiev", "Kyiv", "r", "translation")])
    'in Kyiv'
    """
    out, pos = [], 0
    for e in edits:
        if e.start < pos or text[e.start:e.end] != e.original:
            raise ValueError(f"edit {e!r} does not fit the text")
        out.append(text[pos:e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)
