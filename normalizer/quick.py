"""Quick tests: whether a text holds anything a pass (or a protected kind) could concern."""

from __future__ import annotations

import re
import re._constants as _re
import re._parser
from collections.abc import Callable, Iterable


def any_of(sources: Iterable[str], *, ascii_text: bool = False, flags: int = 0) -> Callable[[str], bool]:
    """A test for whether any of the ``re`` ``sources`` occurs in a text (ASCII-only, if ``ascii_text``).

    Python's ``re`` scans fast for one character class or one literal start, and slowly
    for an alternation of several; so the sources that are one character class are
    merged into one class, and the others are tried one by one.

    >>> test = any_of(["[«»]", "\\u00a0", r"\\bKiev\\b"])
    >>> test("in Kiev"), test("«x»"), test("plain")
    (True, True, False)
    """
    ranges = {a: _class_ranges(a) for a in dict.fromkeys(sources)}
    merged = _merged_class([r for r in ranges.values() if r is not None], 127 if ascii_text else 0x10FFFF)
    tests = [re.compile(merged, flags)] if merged else []
    tests += [re.compile(a, flags) for a, r in ranges.items() if r is None]
    if not tests:
        return lambda text: False
    if len(tests) == 1:
        return lambda text: tests[0].search(text) is not None
    return lambda text: any(t.search(text) for t in tests)


def _class_ranges(source: str) -> list[tuple[int, int]] | None:
    """The code point ranges of a trigger that is one character or character class (else ``None``)."""
    parsed = list(re._parser.parse(source))
    if len(parsed) != 1 or parsed[0][0] not in (_re.LITERAL, _re.IN):
        return None
    op, av = parsed[0]
    items = [(op, av)] if op is _re.LITERAL else av
    ranges, negate = [], False
    for kind, value in items:
        if kind is _re.NEGATE:
            negate = True
        elif kind is _re.LITERAL:
            ranges.append((value, value))
        elif kind is _re.RANGE:
            ranges.append(value)
        else:
            return None
    if negate:
        bounds = [-1, *(b for lo, hi in sorted(ranges) for b in (lo - 1, hi + 1)), 0x110000]
        ranges = [(lo + 1, hi - 1) for lo, hi in zip(bounds[::2], bounds[1::2], strict=True) if lo + 1 <= hi - 1]
    return ranges


def _merged_class(classes: list[list[tuple[int, int]]], top: int) -> str:
    """One class holding every class up to code point ``top``; beyond U+FFFF it holds every
    character (a wider test, not a wrong one): ``re`` tests a class of the Basic Multilingual
    Plane with one table lookup, but ranges beyond it one by one."""
    ranges = sorted((lo, min(hi, top)) for ranges in classes for lo, hi in ranges if lo <= top)
    if any(hi > 0xFFFF for _, hi in ranges):
        ranges = [(lo, min(hi, 0xFFFF)) for lo, hi in ranges if lo <= 0xFFFF] + [(0x10000, 0x10FFFF)]
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + "]" if ranges else ""
