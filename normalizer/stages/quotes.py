"""Quotation marks: foreign pairs (« », „ “, ‚ ‘ …) become the profile's style,
nested levels alternating double and single.

A quotation is rewritten only when it holds a foreign mark; English “ ” on their
own, and straight quotes always, stay as they are (and are not even looked at: a
quotation running over several paragraphs is correct English). In a text with a
foreign mark, a mark left without its partner is reported as ``unbalanced-quote``;
a foreign one attached to a word is still converted (``one», — stated`` → ``one”, — stated``).
A mark the engine would not let change (in code, markup, a URL or foreign text: ``Context.kept``)
is not there for the pairing: half a rewritten pair would pair otherwise the next time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Warning
from ..trace import Change
from . import Context

MAX_DEPTH = 8
"""How far down the stack a closing mark looks for its opener; keeps hostile input linear."""
ROUNDS = 4
"""How many times the pairing may run again on its own result before it gives up rewriting."""


@dataclass(frozen=True, slots=True)
class Pair:
    id: str
    open: str
    close: tuple[str, ...]
    native: bool


@dataclass(slots=True)
class _Mark:
    pos: int
    char: str
    pair: Pair
    opening: bool
    depth: int = 0
    group: int = -1


class QuotePass:
    stage = "punctuation"
    handles_ascii = False

    def __init__(self, pairs: list[Pair], styles: dict[str, dict[str, list[str]]], apostrophes: str = "") -> None:
        self.apostrophes = frozenset(apostrophes)
        self.openers = {p.open: p for p in pairs}
        self.closers: dict[str, list[Pair]] = {}
        for p in pairs:
            for c in p.close:
                self.closers.setdefault(c, []).append(p)
        self.styles = styles
        chars = sorted(set(self.openers) | set(self.closers))
        self._scan = re.compile("[" + "".join(re.escape(c) for c in chars) + "]")
        native = {c for p in pairs if p.native for c in (p.open, *p.close)} | self.apostrophes
        foreign = sorted({c for p in pairs if not p.native for c in (p.open, *p.close)} - native)
        self.trigger = ("[" + "".join(re.escape(c) for c in foreign) + "]",)
        """Only text with a foreign mark: English quotes alone are never changed nor reported."""

    def run(self, text: str, ctx: Context) -> list[Change]:
        """The marks to rewrite, such that a second run rewrites none (or none at all).

        A rewritten mark can pair otherwise in the rewritten text (an English ’ closes a
        German ‚), so the pairing runs again on its own result, every change one mark for
        one mark; where it finds no rest within ``ROUNDS``, nothing is rewritten.
        """
        style = self.styles.get(ctx.options.quote_style) or self.styles["typographic"]
        free = self._free(text, ctx)
        changes, warnings = self._round(text, style, free)
        ctx.warnings.extend(warnings)
        current, final = text, {c.start: c for c in changes}
        for _ in range(ROUNDS):
            if not changes:
                return [c for pos, c in sorted(final.items()) if c.replacement != text[pos]]
            current = _rewritten(current, changes)
            changes = self._round(current, style, free)[0]
            final.update((c.start, c) for c in changes)
        return []

    def _free(self, text: str, ctx: Context) -> list[int]:
        """Where ``text`` has a mark the engine would let change (the positions stay: one mark for one)."""
        found = [m.start() for m in self._scan.finditer(text)]
        kept = {c.start for c in ctx.kept([Change(pos, pos + 1, "", "", "") for pos in found])}
        return found if len(kept) == len(found) else [pos for pos in found if pos in kept]

    def _round(self, text: str, style: dict[str, list[str]],
               free: list[int]) -> tuple[list[Change], list[Warning]]:
        """One pairing of ``text``'s ``free`` marks: the changes and the unbalanced marks."""
        marks, unmatched = self._match(text, free)
        foreign_groups = {m.group for m in marks if not m.pair.native}
        changes, warnings = [], []
        for m in sorted(marks + unmatched, key=lambda m: m.pos):
            if m.group == -1:
                attached = self._attached(text, m)
                warnings.append(Warning(m.pos, m.pos + 1, "unbalanced-quote",
                                        f"{'opening' if m.opening else 'closing'} {m.char} has no partner"))
                if m.pair.native or not attached:
                    continue
                m.depth = 1
            elif m.group not in foreign_groups:
                continue
            kind = style["double"] if m.depth % 2 else style["single"]
            new = kind[0] if m.opening else kind[1]
            if new != m.char:
                changes.append(Change(m.pos, m.pos + 1, new, m.pair.id, "punctuation"))
        return changes, warnings

    @staticmethod
    def _attached(text: str, m: _Mark) -> bool:
        """Whether an unpaired mark hugs a word (so it quotes something) rather than standing alone."""
        neighbour = text[m.pos + 1:m.pos + 2] if m.opening else text[m.pos - 1:m.pos]
        return bool(neighbour) and not neighbour.isspace()

    def _match(self, text: str, free: list[int]) -> tuple[list[_Mark], list[_Mark]]:
        """Pair the marks with a stack; returns (paired marks with depth and group, unpaired)."""
        stack: list[_Mark] = []
        paired: list[_Mark] = []
        unmatched: list[_Mark] = []
        group = 0
        for pos in free:
            char = text[pos]
            if char not in self.closers and char not in self.openers:
                continue  # rewritten to a mark that pairs nothing (a straight quote)
            match = next((i for i in range(len(stack) - 1, max(len(stack) - MAX_DEPTH, 0) - 1, -1)
                          if char in stack[i].pair.close), None)
            if match is not None:
                unmatched.extend(stack[match + 1:])
                opener = stack[match]
                del stack[match:]
                opener.depth = len(stack) + 1
                paired.append(opener)
                paired.append(_Mark(pos, char, opener.pair, False, opener.depth, opener.group))
            elif char in self.openers:
                if not stack:
                    group += 1
                stack.append(_Mark(pos, char, self.openers[char], True, group=group))
            elif char not in self.apostrophes:
                unmatched.append(_Mark(pos, char, self.closers[char][0], False))
        unmatched.extend(stack)
        for m in unmatched:
            m.group = -1
        return paired, unmatched


def _rewritten(text: str, changes: list[Change]) -> str:
    """``text`` with one-mark-for-one-mark ``changes`` made (offsets stay as they are)."""
    chars = list(text) if len(changes) > 1 else None
    if chars is None:
        c = changes[0]
        return text[:c.start] + c.replacement + text[c.end:]
    for c in changes:
        chars[c.start] = c.replacement
    return "".join(chars)
