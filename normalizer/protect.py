"""Protected spans (URLs, addresses, handles, code, markup, placeholders): found, never changed."""

from __future__ import annotations

import regex

from .quick import any_of, sources


class Protector:
    """The spans of ``rules/protected/``; on most text it costs one quick test.

    Each kind has a ``hint`` (a Python ``re`` test, case-sensitive, that every match
    implies) and a ``pattern`` (case-insensitive); a kind's pattern runs only where its
    hint is found, and the hints are tried together first.

    >>> p = Protector([{"hint": "@", "pattern": r"@\\w+"}, {"hint": "://", "pattern": r"\\bhttps?://\\S+"}])
    >>> p.spans("mail @kyiv_post or see https://kyiv.ua/a now")
    [(5, 15), (23, 40)]
    >>> p.spans("nothing here")
    []
    """

    def __init__(self, kinds: list[dict]) -> None:
        hints = [sources(k.get("hint")) for k in kinds]
        self._kinds = [(any_of(h) if h else None, regex.compile(k["pattern"], regex.V1 | regex.IGNORECASE))
                       for h, k in zip(hints, kinds, strict=True)]
        self._any = any_of(h for hs in hints for h in hs) if kinds and all(hints) else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The protected spans of ``text``: sorted, overlaps merged."""
        if not self._kinds or (self._any is not None and not self._any(text)):
            return []
        found = sorted(m.span() for hint, pattern in self._kinds if hint is None or hint(text)
                       for m in pattern.finditer(text))
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def remove(self, text: str) -> str:
        """``text`` without its protected spans (to check what is outside them)."""
        pieces, pos = [], 0
        for start, end in self.spans(text):
            pieces.append(text[pos:start])
            pos = end
        pieces.append(text[pos:])
        return "".join(pieces)
