"""The engine: runs a profile's passes over a text and explains every change."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import replace

import regex

from .fragments import fragments as find_fragments
from .model import Edit, Fragment, Result, Warning
from .options import Options
from .ruleset import Ruleset, load_ruleset
from .stages import Context
from .trace import Trace

_FAR = 1 << 62
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
MAX_ROUNDS = 3
"""A pass can make text another pass would change (``«, -`` folded to ``", -`` in the
ascii profile); the passes run again on changed text, so the output is stable."""


class Normalizer:
    """A profile compiled once; ``normalize`` is then one scan on clean text.

    Protected spans (URLs, addresses, handles, code, markup) are found in the text
    each pass is given, so a pass never changes one.

    >>> n = Normalizer("default")
    >>> n.normalize("sappers from КНДР").text
    'sappers from DPRK'
    """

    def __init__(self, profile: str = "default", rules: Iterable[str] = (), **options) -> None:
        self.profile = profile
        self.ruleset: Ruleset = load_ruleset(tuple(str(r) for r in rules))
        self.options: Options = self.ruleset.profile(profile).with_overrides(options)
        self.passes = [(p, _wants(p)) for p in self.ruleset.passes(self.options)]
        self.ascii_passes = [(p, w) for p, w in self.passes if getattr(p, "handles_ascii", True)]

    def normalize(self, text: str, *, lang: str | None = None, apply: bool = True) -> Result:
        """Normalise ``text``; with ``apply=False`` report the edits but return the text unchanged.

        A text of several lines is normalised line by line (a quotation does not span a
        line break), so the cost stays linear and one line's debris never slows another.
        """
        if not isinstance(text, str):
            raise TypeError(f"normalize() takes a str, not {type(text).__name__}")
        options = self.options if lang is None else self.options.with_overrides({"lang": lang})
        lines = _LINE.findall(text)
        if len(lines) <= 1:
            out, edits, warnings, found = self._line(text, options)
            return Result(out if apply else text, text, edits, warnings, found, self.profile, self.ruleset.version,
                          apply)
        parts: list[str] = []
        edits: list[Edit] = []
        warnings: list[Warning] = []
        found: list[Fragment] = []
        offset = 0
        for line in lines:
            out, line_edits, line_warnings, line_found = self._line(line, options)
            parts.append(out)
            if line_edits:
                edits += [replace(e, start=e.start + offset, end=e.end + offset) for e in line_edits]
            if line_warnings:
                warnings += [replace(w, start=w.start + offset, end=w.end + offset) for w in line_warnings]
            if line_found:
                found += [replace(f, start=f.start + offset, end=f.end + offset) for f in line_found]
            offset += len(line)
        return Result("".join(parts) if apply else text, text, tuple(edits), tuple(warnings), tuple(found),
                      self.profile, self.ruleset.version, apply)

    def _line(self, text: str, options: Options) -> tuple[str, tuple[Edit, ...], tuple[Warning, ...],
                                                          tuple[Fragment, ...]]:
        """One line: the new text, edits, warnings and fragments (offsets into the line)."""
        if not self._wanted(text):
            return text, (), (), ()
        trace = Trace(text)
        warnings: list[Warning] = []
        for round_ in range(MAX_ROUNDS):
            changed = self._round(trace, Context(options), warnings if round_ == 0 else [])
            if not changed or not self._wanted(trace.text):
                break
        found: tuple[Fragment, ...] = ()
        if not text.isascii():
            protected = self._protected_spans(text)
            found = tuple(f for f in find_fragments(text, self.ruleset.guesser, options.lang, options.passage_words)
                          if not _inside(f.start, f.end, protected))
        return trace.text, trace.edits(), tuple(sorted(warnings, key=_by_start)), found

    def _wanted(self, text: str) -> bool:
        """The fast path: whether any pass has anything to look at in ``text``."""
        passes = self.ascii_passes if text.isascii() else self.passes
        return any(wants is None or wants(text) for _, wants in passes)

    def _round(self, trace: Trace, ctx: Context, warnings: list[Warning]) -> bool:
        """Run every pass once over ``trace``; whether anything changed."""
        changed = False
        passes = self.ascii_passes if trace.text.isascii() else self.passes
        for pass_, wants in passes:
            current = trace.text
            if wants is not None and not wants(current):
                continue
            changes = pass_.run(current, ctx)
            if not changes and not ctx.warnings:
                continue
            protected = self._protected_spans(current)
            warnings.extend(self._to_original(trace, w) for w in ctx.warnings if not _inside(w.start, w.end, protected))
            ctx.warnings.clear()
            changes = [c for c in changes if not _inside(c.start, c.end, protected)]
            if changes:
                trace.apply(changes)
                changed = True
        return changed

    def _protected_spans(self, text: str) -> list[tuple[int, int]]:
        rs = self.ruleset
        if rs.protected is None or not rs.protected_hint.search(text):
            return []
        return [m.span() for m in rs.protected.finditer(text)]

    @staticmethod
    def _to_original(trace: Trace, w: Warning) -> Warning:
        start, end = trace.to_original(w.start, w.end)
        return Warning(start, end, w.code, w.message)


def _wants(pass_) -> Callable[[str], bool] | None:
    """A pass's quick test for whether a text concerns it (``None``: its scan is the test)."""
    if hasattr(pass_, "wants"):
        return pass_.wants
    trigger = getattr(pass_, "trigger", None)
    if trigger is None:
        return None
    compiled = regex.compile(trigger, regex.V1, ignore_unused=True, **getattr(pass_, "trigger_kwargs", {}))
    return lambda text: compiled.search(text) is not None


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) meets one of ``spans`` (sorted, non-overlapping), by bisection."""
    i = max(bisect.bisect_right(spans, (start, _FAR)) - 1, 0)
    return any((s < end and start < e) or s <= start < e for s, e in spans[i:i + 2])


def _by_start(w: Warning) -> tuple[int, int, str]:
    return w.start, w.end, w.code
