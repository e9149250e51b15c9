"""The gazetteer: names, acronyms, calques and English variants to their canonical form.

All forms of all entries are matched in one scan of one compiled word list
(``regex``'s ``\\L<names>``, a trie), whole words only, longest match first.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..trace import Change
from . import Context

_BOUNDARY_BEFORE = r"(?<![\p{L}\p{M}\p{N}])"
_BOUNDARY_AFTER = r"(?![\p{L}\p{M}\p{N}])"


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    canonical: str
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()

    def blocked(self, text: str, start: int, end: int) -> bool:
        """Whether the context says to keep this occurrence (``chicken Kiev``)."""
        head = text[max(0, start - 40):start].rstrip().lower()
        for word in self.not_after:
            w = word.lower()
            if head.endswith(w) and (len(head) == len(w) or not head[-len(w) - 1].isalnum()):
                return True
        tail = text[end:end + 40]
        return any(tail.startswith(w) or tail.lstrip().startswith(w.lstrip()) for w in self.not_before)


class GazetteerPass:
    stage = "translation"

    def __init__(self, forms: dict[str, tuple[Entry, str]]) -> None:
        self.forms = forms
        self.names = sorted(forms, key=len, reverse=True)
        self.trigger_kwargs = {"names": self.names}
        self.trigger = rf"{_BOUNDARY_BEFORE}\L<names>{_BOUNDARY_AFTER}"
        self._scan = regex.compile(self.trigger, regex.V1, names=self.names)

    def run(self, text: str, ctx: Context) -> list[Change]:
        changes = []
        for m in self._scan.finditer(text):
            entry, canonical = self.forms[m.group()]
            if entry.id in ctx.options.exclude or entry.blocked(text, m.start(), m.end()):
                continue
            if canonical != m.group():
                changes.append(Change(m.start(), m.end(), canonical, entry.id, "translation"))
        return changes


def build_forms(entries: list[dict]) -> dict[str, tuple[Entry, str]]:
    """Every matchable form → (entry, the text to write); an ALL-CAPS form writes ALL CAPS."""
    forms: dict[str, tuple[Entry, str]] = {}
    for e in entries:
        entry = Entry(e["id"], e["canonical"], tuple(e.get("not_after", ())), tuple(e.get("not_before", ())))
        names = [n for per_lang in e.get("forms", {}).values() for n in per_lang] + list(e.get("variants", ()))
        for name in names:
            forms[name] = (entry, entry.canonical)
            if name.upper() != name:
                forms.setdefault(name.upper(), (entry, entry.canonical.upper()))
    return forms
