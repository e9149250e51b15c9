"""The engine: runs a profile's passes over a text and explains every change."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from .context import Document, Evidence
from .fragments import fragments as find_fragments
from .model import Edit, Fragment, Result, Warning
from .options import Options
from .quick import any_of
from .ruleset import Ruleset, load_ruleset
from .stages import Context
from .trace import Change, Trace

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
        self.version = self.ruleset.version
        self.passes = [_Step(p) for p in self.ruleset.passes(self.options)]
        self._quick = _quick_test(self.passes)
        self._quick_ascii = _quick_test([s for s in self.passes if s.handles_ascii], ascii_text=True)
        self._exempt = self.ruleset.context.exempt_stages

    def normalize(self, text: str, *, lang: str | None = None, apply: bool = True) -> Result:
        """Normalise ``text``; with ``apply=False`` report the edits but return the text unchanged.

        A text of several lines is normalised line by line (a quotation does not span a
        line break), so the cost stays linear and one line's debris never slows another.
        """
        if not isinstance(text, str):
            raise TypeError(f"normalize() takes a str, not {type(text).__name__}")
        one_line = text.find("\n", 0, len(text) - 1) == -1
        if one_line and not self._wanted(text):
            return Result(text, text, (), (), (), self.profile, self.version, apply)  # the common case: clean
        options = self.options if lang is None else self.options.with_overrides({"lang": lang})
        if one_line:
            out, edits, warnings, found = self._line(text, options, None)
            return Result(out if apply else text, text, edits, warnings, found, self.profile, self.version, apply)
        parts: list[str] = []
        edits: list[Edit] = []
        warnings: list[Warning] = []
        found: list[Fragment] = []
        offset = 0
        document = Document(text)
        for line in _LINE.findall(text):
            if not self._wanted(line):
                parts.append(line)
                offset += len(line)
                continue
            out, line_edits, line_warnings, line_found = self._line(line, options, document)
            parts.append(out)
            if line_edits:
                edits += [replace(e, start=e.start + offset, end=e.end + offset) for e in line_edits]
            if line_warnings:
                warnings += [replace(w, start=w.start + offset, end=w.end + offset) for w in line_warnings]
            if line_found:
                found += [replace(f, start=f.start + offset, end=f.end + offset) for f in line_found]
            offset += len(line)
        return Result("".join(parts) if apply else text, text, tuple(edits), tuple(warnings), tuple(found),
                      self.profile, self.version, apply)

    def _line(self, text: str, options: Options, document: Document | None
              ) -> tuple[str, tuple[Edit, ...], tuple[Warning, ...], tuple[Fragment, ...]]:
        """One line that ``_wanted``: the new text, edits, warnings and fragments (offsets into the line)."""
        trace = Trace(text)
        warnings, protected = self._run(trace, Context(options), document)
        found: tuple[Fragment, ...] = ()
        if not text.isascii():
            if protected is None:
                protected = self.ruleset.protector.spans(text)
            found = tuple(f for f in find_fragments(text, self.ruleset.guesser, options.lang, options.passage_words)
                          if not _inside(f.start, f.end, protected))
        return trace.text, trace.edits(), tuple(sorted(warnings, key=_by_start)), found

    def _wanted(self, text: str) -> bool:
        """The quick test: whether any pass has anything to look at in ``text``."""
        return (self._quick_ascii if text.isascii() else self._quick)(text)

    def _run(self, trace: Trace, ctx: Context, document: Document | None
             ) -> tuple[list[Warning], list[tuple[int, int]] | None]:
        """Run the passes in order, and again over changed text, until none changes it.

        Returns the warnings, and the protected spans of the original text if they were needed.

        A pass reruns only on text it has not seen: after a change, the passes before the
        changing one (and it) look again, unless the quick test finds nothing for any
        pass; those after it already saw the new text. The first round's warnings are
        kept (later rounds would repeat them).

        The context evidence is that of the text each pass is given (made anew after a
        change, found only when asked): so the passes stop on a text that a fresh run
        would leave as it is, and the output is stable.
        """
        steps = self.passes
        seen = [-1] * len(steps)
        version, spans_version = 0, -1
        protected: list[tuple[int, int]] = []
        original_protected = None
        warnings: list[Warning] = []
        is_ascii = trace.text.isascii()
        evidence_version = -1
        for turn in range(MAX_ROUNDS * len(steps)):
            i = turn % len(steps)
            if seen[i] == version:
                break
            current = trace.text
            if i == 0 and turn and not self._wanted(current):
                break  # another round, but nothing in the changed text concerns any pass
            seen[i] = version
            step = steps[i]
            if (is_ascii and not step.handles_ascii) or not step.wants(current):
                continue
            if evidence_version != version:
                ctx.evidence = self.ruleset.context.evidence(current, document, ctx.options)
                evidence_version = version
            ctx.kept = functools.partial(self._kept, current, ctx.evidence, step.pass_.stage)
            changes = step.pass_.run(current, ctx)
            if not changes and not ctx.warnings:
                continue
            if spans_version != version:
                protected, spans_version = self.ruleset.protector.spans(current), version
                if version == 0:
                    original_protected = protected
            if turn < len(steps):
                warnings.extend(self._to_original(trace, w) for w in ctx.warnings
                                if not _inside(w.start, w.end, protected))
            ctx.warnings.clear()
            if protected:
                changes = [c for c in changes if not _inside(c.start, c.end, protected)]
            if changes and step.pass_.stage not in self._exempt:
                blocked: list[Warning] | None = [] if turn < len(steps) else None
                changes = _outside_foreign(changes, ctx.evidence, blocked)
                if blocked:
                    known = {(w.start, w.end, w.code) for w in warnings}
                    warnings.extend(w for w in (self._to_original(trace, b) for b in blocked)
                                    if (w.start, w.end, w.code) not in known)
            if changes:
                trace.apply(changes)
                version += 1
                is_ascii = trace.text.isascii()
        return warnings, original_protected

    def _kept(self, text: str, evidence: Evidence, stage: str, changes: list[Change]) -> list[Change]:
        """The ``changes`` to ``text`` that ``_run`` would keep (``Context.kept``)."""
        protected = self.ruleset.protector.spans(text)
        changes = [c for c in changes if not _inside(c.start, c.end, protected)]
        if changes and stage not in self._exempt:
            changes = _outside_foreign(changes, evidence, None)
        return changes

    @staticmethod
    def _to_original(trace: Trace, w: Warning) -> Warning:
        start, end = trace.to_original(w.start, w.end)
        return Warning(start, end, w.code, w.message)


class _Step:
    """A pass with its compiled quick tests."""

    __slots__ = ("handles_ascii", "pass_", "wants")

    def __init__(self, pass_) -> None:
        self.pass_ = pass_
        self.wants: Callable[[str], bool] = _always if pass_.trigger is None else any_of(pass_.trigger)
        self.handles_ascii: bool = getattr(pass_, "handles_ascii", True)


def _always(text: str) -> bool:
    return True


def _quick_test(steps: list[_Step], *, ascii_text: bool = False) -> Callable[[str], bool]:
    """Whether any of ``steps`` has anything to look at in a text (ASCII-only, if ``ascii_text``)."""
    triggers = [s.pass_.trigger for s in steps]
    if None in triggers:
        return _always
    return any_of((t for trigger in triggers for t in trigger), ascii_text=ascii_text)


def _outside_foreign(changes: list[Change], evidence: Evidence, warnings: list[Warning] | None) -> list[Change]:
    """The changes that meet no foreign-text span of ``evidence`` (SPEC §1.1, offsets of the same text);
    into ``warnings``, a ``foreign-text`` warning for each span that kept a change out."""
    kept = []
    warned: set[tuple[int, int]] = set()
    for c in changes:
        kind = evidence.foreign(c.start, c.end)
        if kind is None:
            kept.append(c)
        elif warnings is not None:
            span = _span_met(c.start, c.end, evidence.spans)
            if span not in warned:
                warned.add(span)
                warnings.append(Warning(*span, "foreign-text", f"left as it is: {kind} ({c.rule} not applied)"))
    return kept


def _span_met(start: int, end: int, spans: list[tuple[int, int, str]]) -> tuple[int, int]:
    """The first of ``spans`` (sorted, apart) that [start, end) meets, found by bisection."""
    i = max(bisect.bisect_right(spans, (start, _FAR)) - 1, 0)
    return next((s, e) for s, e, _ in spans[i:i + 2] if (s < end and start < e) or s <= start < e)


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) meets one of ``spans`` (sorted, non-overlapping), by bisection."""
    i = max(bisect.bisect_right(spans, (start, _FAR)) - 1, 0)
    return any((s < end and start < e) or s <= start < e for s, e in spans[i:i + 2])


def _by_start(w: Warning) -> tuple[int, int, str]:
    return w.start, w.end, w.code
