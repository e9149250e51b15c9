"""The stages of the pipeline, one module each; ``engine`` runs them in order.

Every pass has ``stage`` (its stage name), ``trigger`` (a regex source: when it does
not match, the pass has nothing to do) and ``run(text, ctx) -> list[Change]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Warning
from ..options import Options

ORDER = ("unicode", "whitespace", "script", "translation", "transliteration", "punctuation", "ascii")


@dataclass(slots=True)
class Context:
    """What a pass may read besides the text, and where it reports warnings."""

    options: Options
    warnings: list[Warning] = field(default_factory=list)
    """Warnings in the offsets of the text the pass is given; the engine maps them."""


def occurs(pattern: re.Pattern) -> Callable[[str], bool]:
    """A pass's quick test: whether ``pattern`` occurs in the text."""
    return lambda text: pattern.search(text) is not None
