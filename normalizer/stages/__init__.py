"""The stages of the pipeline, one module each; ``engine`` runs them in order.

Every pass has ``stage`` (its stage name), ``trigger`` (Python ``re`` sources: where none
occurs, the pass has nothing to do; ``None``: always run), ``handles_ascii``
(whether plain ASCII text can concern it) and ``run(text, ctx) -> list[Change]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..context import Evidence
from ..model import Warning
from ..options import Options
from ..trace import Change

ORDER = ("unicode", "whitespace", "script", "translation", "transliteration", "punctuation", "ascii")


@dataclass(slots=True)
class Context:
    """What a pass may read besides the text, and where it reports warnings."""

    options: Options
    evidence: Evidence | None = None
    """The context evidence of the text the pass is given (its offsets; ``None`` outside the engine)."""
    warnings: list[Warning] = field(default_factory=list)
    """Warnings in the offsets of the text the pass is given; the engine maps them."""
    kept: Callable[[list[Change]], list[Change]] = lambda changes: changes
    """The changes the engine would keep of these (none in a protected or foreign-text span): a
    pass whose changes hang together (a quotation's two marks) asks before it decides."""


def literal_alternation(words: list[str]) -> str:
    """A ``re`` source matching any of ``words``, shaped as a trie.

    Python's ``re`` tries a plain alternation of many words one by one at every
    position; a trie's branches start with distinct letters, so ``re`` skips ahead
    to a possible first letter and follows one branch.

    >>> literal_alternation(["Kiev", "Kim", "Kyiv", "Lugansk"])
    '(?:K(?:i(?:ev|m)|yiv)|Lugansk)'
    >>> bool(re.search(literal_alternation(["a.b", "a"]), "xa.bx"))
    True
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_source(trie) if trie else "(?!)"


def _trie_source(node: dict) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _trie_source(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1 and not ends_here:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if ends_here else "")
