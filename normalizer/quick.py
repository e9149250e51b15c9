"""Quick tests: whether a text holds anything a pass (or a protected kind) could concern."""

from __future__ import annotations

import re
import re._constants as _re
import re._parser
from collections.abc import Callable, Iterable


def sources(value: str | list[str] | None) -> tuple[str, ...]:
    """A rule file's quick test (``trigger``, ``hint``): one ``re`` source or a list of them.

    >>> sources("@"), sources(["://", "www"]), sources(None)
    (('@',), ('://', 'www'), ())
    """
    return () if value is None else (value,) if isinstance(value, str) else tuple(value)


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
    top = 127 if ascii_text else 0x10FFFF
    merged = sorted((lo, min(hi, top)) for r in ranges.values() if r is not None for lo, hi in r if lo <= top)
    tests = [_class_test(merged, flags)] if merged else []
    tests += [_search(a, flags, ascii_text) for a, r in ranges.items() if r is None]
    if len(tests) == 1:
        only = tests[0]
        return lambda text: bool(only(text))

    def test(text: str) -> bool:  # a loop, not any(): no generator per text
        for one in tests:  # noqa: SIM110
            if one(text):
                return True
        return False

    return test


def _search(source: str, flags: int, ascii_text: bool) -> Callable[[str], object]:
    """A search for one source; where every match starts with one of a few characters, a
    plain ``in`` for them (a ``memchr``) comes first.

    >>> attribution = _search('["”»][ \\t]*,?[ \\t]*[—–-]', 0, ascii_text=True)
    >>> bool(attribution('"It is over," - said the minister')), bool(attribution("It is over - said"))
    (True, False)
    """
    search = re.compile(source, flags).search
    firsts = None if flags & re.IGNORECASE else _first_characters(source)
    if firsts is None:
        return search
    if ascii_text:
        firsts = [c for c in firsts if c.isascii()]
    if not firsts:
        return lambda text: None
    if len(firsts) == 1:
        first = firsts[0]
        return lambda text: first in text and search(text)
    return lambda text: any(c in text for c in firsts) and search(text)


def _first_characters(source: str) -> list[str] | None:
    """The characters every match of ``source`` starts with, if it starts with a literal or a
    small class of literals (else ``None``).

    >>> _first_characters('["”»][ ]*-'), _first_characters("(?i)www"), _first_characters("a?b")
    (['"', '”', '»'], None, None)
    """
    parsed = re._parser.parse(source)
    if not len(parsed) or parsed.state.flags & re.IGNORECASE:
        return None
    op, av = parsed[0]
    if op is _re.LITERAL:
        return [chr(av)]
    if op is _re.IN and len(av) <= 4 and all(kind is _re.LITERAL for kind, _ in av):
        return [chr(value) for _, value in av]
    return None


def _class_test(ranges: list[tuple[int, int]], flags: int) -> Callable[[str], object]:
    """A search for one class. ``re`` tests a class of the Basic Multilingual Plane with one
    table lookup, but ranges beyond it one by one: a class with such ranges is first
    searched for with all of them as one range, and only such a find is checked again."""
    exact = re.compile(_class_source(ranges), flags).search
    if all(hi <= 0xFFFF for _, hi in ranges):
        return exact
    wide = re.compile(_class_source([(lo, min(hi, 0xFFFF)) for lo, hi in ranges if lo <= 0xFFFF]
                                    + [(0x10000, 0x10FFFF)]), flags).search

    def search(text: str) -> bool:
        found = wide(text)
        return found is not None and (found.group() <= "\uffff" or exact(text, found.start()) is not None)

    return search


def _class_source(ranges: list[tuple[int, int]]) -> str:
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + "]"


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
    return _complement(ranges) if negate else ranges


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The code points in none of ``ranges``.

    >>> _complement([(0, 9), (5, 20), (40, 0x10FFFF)])
    [(21, 39)]
    """
    out, free = [], 0
    for lo, hi in sorted(ranges):
        if lo > free:
            out.append((free, lo - 1))
        free = max(free, hi + 1)
    if free <= 0x10FFFF:
        out.append((free, 0x10FFFF))
    return out
