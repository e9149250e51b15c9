"""Composing the changes of successive stages into edits on the original text.

Each stage sees the text as the previous stage left it and reports ``Change``s in
*that* text's offsets. ``Trace.apply`` folds them into spans of the original text;
a change that overlaps an earlier one merges with it, so ``Кiev`` → ``Kiev`` →
``Kyiv`` ends as one edit naming both rules.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple

from .model import Edit


class Change(NamedTuple):
    """A stage's proposal: ``text[start:end]`` → ``replacement`` (current offsets).

    A named tuple: passes make one per change, and a tuple is made fastest."""

    start: int
    end: int
    replacement: str
    rule: str
    category: str


@dataclass(slots=True)
class _Span:
    orig_start: int
    orig_end: int
    cur_start: int
    cur_end: int
    rules: tuple[str, ...]
    category: str


class Trace:
    """The current text and the edits that lead to it from the original."""

    __slots__ = ("_spans", "_starts", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self.text = original
        self._spans: list[_Span] = []
        self._starts: list[int] = []

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind ``text[start:end]`` (widened over edits it cuts)."""
        return self._map(start, end=False), self._map(end, end=True)

    def _map(self, pos: int, *, end: bool) -> int:
        spans = self._spans
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos
        s = spans[i]
        if pos >= s.cur_end:
            return s.orig_end + pos - s.cur_end
        if pos == s.cur_start or not end:
            return s.orig_start
        return s.orig_end

    def apply(self, changes: list[Change]) -> None:
        """Apply one stage's changes (sorted, non-overlapping, current offsets)."""
        if not changes:
            return
        if not self._spans and _apart(changes):
            self._apply_first(changes)
            return
        items = sorted(
            [(c.start, c.end, 1, c) for c in changes] + [(s.cur_start, s.cur_end, 0, s) for s in self._spans],
            key=lambda t: (t[0], t[2] == 0, t[1]),
        )
        clusters: list[list] = []
        hi = -1
        for start, end, _, item in items:
            if clusters and self._joins(clusters[-1], start, end, hi):
                clusters[-1].append((start, end, item))
                hi = max(hi, end)
            else:
                clusters.append([(start, end, item)])
                hi = end
        self._rebuild(clusters)

    def _apply_first(self, changes: list[Change]) -> None:
        """``apply`` where the text is still the original and no two changes touch: each is one edit."""
        text = self.text
        pieces: list[str] = []
        spans: list[_Span] = []
        pos = delta = 0
        for c in changes:
            pieces.append(text[pos:c.start])
            pieces.append(c.replacement)
            pos = c.end
            if c.replacement != text[c.start:c.end]:
                cur_start = c.start + delta
                spans.append(_Span(c.start, c.end, cur_start, cur_start + len(c.replacement), (c.rule,), c.category))
            delta += len(c.replacement) - (c.end - c.start)
        pieces.append(text[pos:])
        self.text = "".join(pieces)
        self._spans = spans
        self._starts = [s.cur_start for s in spans]

    @staticmethod
    def _joins(cluster: list, start: int, end: int, hi: int) -> bool:
        """Whether an item starting at ``start`` overlaps a cluster reaching ``hi``.

        Items merely adjacent stay apart, unless one of them is empty (an insertion
        or a deletion point), which then belongs to its neighbour.
        """
        if start < hi:
            return True
        return start == hi and (start == end or any(s == e == hi for s, e, _ in cluster))

    def _rebuild(self, clusters: list[list]) -> None:
        text, original = self.text, self.original
        pieces: list[str] = []
        spans: list[_Span] = []
        pos = 0
        delta = 0
        shift = 0
        for cluster in clusters:
            lo = cluster[0][0]
            hi = max(e for _, e, _ in cluster)
            old = [it for _, _, it in cluster if isinstance(it, _Span)]
            new = [it for _, _, it in cluster if isinstance(it, Change)]
            pieces.append(text[pos:lo])
            pos = hi
            if not new:
                for span in old:
                    spans.append(_Span(span.orig_start, span.orig_end, span.cur_start + delta, span.cur_end + delta,
                                       span.rules, span.category))
                    shift += (span.cur_end - span.cur_start) - (span.orig_end - span.orig_start)
                pieces.append(text[lo:hi])
                continue
            orig_start = old[0].orig_start if old and old[0].cur_start == lo else lo - shift
            growth = sum((s.cur_end - s.cur_start) - (s.orig_end - s.orig_start) for s in old)
            orig_end = orig_start + (hi - lo) - growth
            shift += growth
            out, at = [], lo
            for c in new:
                out.append(text[at:c.start])
                out.append(c.replacement)
                at = c.end
            out.append(text[at:hi])
            replacement = "".join(out)
            pieces.append(replacement)
            cur_start = lo + delta
            delta += len(replacement) - (hi - lo)
            if replacement == original[orig_start:orig_end]:
                continue
            rules = tuple(r for s in old for r in s.rules) + tuple(c.rule for c in new)
            spans.append(_Span(orig_start, orig_end, cur_start, cur_start + len(replacement), rules, new[-1].category))
        pieces.append(text[pos:])
        self.text = "".join(pieces)
        self._spans = spans
        self._starts = [s.cur_start for s in spans]

    def edits(self) -> tuple[Edit, ...]:
        """The composed edits, in original offsets, sorted."""
        text, original = self.text, self.original
        return tuple(
            Edit(
                s.orig_start,
                s.orig_end,
                original[s.orig_start:s.orig_end],
                text[s.cur_start:s.cur_end],
                s.rules[-1],
                s.category,
                s.rules,
            )
            for s in self._spans
        )


def _apart(changes: list[Change]) -> bool:
    """Whether ``changes`` are in order, none empty and none overlapping (each then makes its own edit)."""
    prev_end = -1
    for c in changes:
        if c.start >= c.end or c.start < prev_end:
            return False
        prev_end = c.end
    return True
