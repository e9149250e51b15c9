"""Hostile input shapes (issue 15, SPEC §7): seconds per MB in every profile, and how cost grows.

Each shape is a unit repeated to a size; it is normalised at that size and at four times it.
A shape passes where the larger text costs at most ``MAX_SECONDS_PER_MB`` and at most
``MAX_GROWTH`` times the smaller one (linear growth: 4× the input, at most 5× the time).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_SECONDS_PER_MB = 2.0
MAX_GROWTH = 5.0
GIVE_UP_SECONDS = 30.0
"""A shape whose smaller text takes longer than this is not run at the larger size (it has failed)."""

SHAPES: dict[str, str] = {
    "run of «": "«",
    "run of »": "»",
    "«quoted» words": "«да» ",
    "guillemets and dashes": "», — ",
    "short Ukrainian lines": "Дякуємо\n",
    "short Russian names, one a line": "Покровское\n",
    "alternating scripts": "aБ",
    "mixed-script words": "Кiev Пpивет ",
    "Greek words on one line": "λόγος ",
    "Russian passage on one line": "слово ",
    "zero-width spaces": "\u200b",
    "soft hyphens in words": "ab\u00ad",
    "NBSP between words": "a\u00a0",
    "markup": "<b class=\"x\">Кiev</b> ",
    "URLs": "https://пример.рф/путь ",
    "C1 controls": "a\u0096",
}


def build(unit: str, size: int) -> str:
    """``unit`` repeated to about ``size`` UTF-8 bytes."""
    return unit * max(1, size // len(unit.encode("utf-8")))


@dataclass(frozen=True)
class ShapeRow:
    shape: str
    profile: str
    megabytes: float
    seconds_per_mb: float
    growth: float | None  # time at 4× the size ÷ time at the size; None if given up

    @property
    def result(self) -> str:
        ok = self.seconds_per_mb <= MAX_SECONDS_PER_MB and self.growth is not None and self.growth <= MAX_GROWTH
        return "PASS" if ok else "FAIL"


REPEAT_UNDER_SECONDS = 0.5
"""A text normalised faster than this is timed three times and the best counts (a millisecond is noise)."""


def _seconds(normalize: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        normalize(text)
        best = min(best, time.perf_counter() - start)
        if best > REPEAT_UNDER_SECONDS:
            break
    return best


def measure_shapes(profiles: tuple[str, ...], size: int) -> list[ShapeRow]:
    """Every shape in every profile at ``size`` bytes and at 4 × ``size``."""
    import normalizer

    rows = []
    for profile in profiles:
        normalize = normalizer.Normalizer(profile).normalize
        for name, unit in SHAPES.items():
            small, large = build(unit, size), build(unit, 4 * size)
            normalize(build(unit, 1000))
            t_small = _seconds(normalize, small)
            mb_small = len(small.encode("utf-8")) / 1e6
            if t_small > GIVE_UP_SECONDS:
                rows.append(ShapeRow(name, profile, mb_small, t_small / mb_small, None))
                continue
            t_large = _seconds(normalize, large)
            mb_large = len(large.encode("utf-8")) / 1e6
            rows.append(ShapeRow(name, profile, mb_large, t_large / mb_large, t_large / max(t_small, 1e-9)))
    return rows
