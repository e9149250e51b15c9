"""The engine: runs a profile's passes over a text and explains every change."""

from __future__ import annotations

from collections.abc import Iterable

import regex

from .fragments import fragments as find_fragments
from .model import Result, Warning
from .options import Options
from .ruleset import Ruleset, load_ruleset
from .stages import Context
from .trace import Trace

_FAR = 1 << 62
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
        self.passes = self.ruleset.passes(self.options)
        kwargs = {k: v for p in self.passes for k, v in getattr(p, "trigger_kwargs", {}).items()}
        triggers = [p.trigger for p in self.passes]
        self.trigger = regex.compile("|".join(f"(?:{t})" for t in triggers) or "(?!)", regex.V1, **kwargs)
        self._triggers = [regex.compile(t, regex.V1, ignore_unused=True, **kwargs) for t in triggers]

    def normalize(self, text: str, *, lang: str | None = None, apply: bool = True) -> Result:
        """Normalise ``text``; with ``apply=False`` report the edits but return the text unchanged."""
        if not isinstance(text, str):
            raise TypeError(f"normalize() takes a str, not {type(text).__name__}")
        options = self.options if lang is None else self.options.with_overrides({"lang": lang})
        ruleset = self.ruleset.version
        if not self.trigger.search(text):
            return Result(text, text, profile=self.profile, ruleset=ruleset, applied=apply)
        trace = Trace(text)
        warnings: list[Warning] = []
        for round_ in range(MAX_ROUNDS):
            changed = self._round(trace, Context(options), warnings if round_ == 0 else [])
            if not changed or not self.trigger.search(trace.text):
                break
        protected = self._protected_spans(text)
        found = find_fragments(text, self.ruleset.guesser, options.lang, options.passage_words)
        return Result(trace.text if apply else text, text, trace.edits(), tuple(sorted(warnings, key=_by_start)),
                      tuple(f for f in found if not _inside(f.start, f.end, protected)), self.profile, ruleset,
                      apply)

    def _round(self, trace: Trace, ctx: Context, warnings: list[Warning]) -> bool:
        """Run every pass once over ``trace``; whether anything changed."""
        changed = False
        for pass_, trigger in zip(self.passes, self._triggers, strict=True):
            current = trace.text
            if not trigger.search(current):
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
        pattern = self.ruleset.protected
        return [m.span() for m in pattern.finditer(text)] if pattern is not None else []

    @staticmethod
    def _to_original(trace: Trace, w: Warning) -> Warning:
        start, end = trace.to_original(w.start, w.end)
        return Warning(start, end, w.code, w.message)


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any((s < end and start < e) or s <= start < e for s, e in spans)


def _by_start(w: Warning) -> tuple[int, int, str]:
    return w.start, w.end, w.code
