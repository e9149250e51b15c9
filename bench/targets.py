"""The speed targets of issue 9 (SPEC §7), as ratios between two rows of one run."""

from __future__ import annotations

from dataclasses import dataclass

from .subjects import IULIIA_SCHEMAS

Key = tuple[str, str, str]
"""A row: (corpus, subject name, mode)."""


@dataclass(frozen=True)
class Target:
    """``subject`` must run at least ``ratio`` × as fast as ``baseline`` (MB/s, same corpus, same run);
    without a baseline, at least ``ratio`` MB/s."""

    label: str
    subject: Key
    baseline: Key | None
    ratio: float

    @property
    def unit(self) -> str:
        return "×" if self.baseline else " MB/s"

    def check(self, speeds: dict[Key, float]) -> tuple[float | None, str]:
        """The measured ratio (or MB/s) and PASS, FAIL or n/a (a row missing from this run)."""
        if self.subject not in speeds or (self.baseline and self.baseline not in speeds):
            return None, "n/a"
        measured = speeds[self.subject] / (speeds[self.baseline] if self.baseline else 1.0)
        return measured, "PASS" if measured >= self.ratio else "FAIL"


def targets(schemes: dict[str, list[str]]) -> list[Target]:
    """Every target; ``schemes`` is {lang: [scheme, ...]} as compiled from rules/."""
    default = "normalizer default"
    out = [
        Target("default, clean English ≥ 10× ftfy", ("clean", default, "line"), ("clean", "ftfy.fix_text", "line"), 10),
        Target("default, clean English ≥ 0.5× unidecode", ("clean", default, "line"), ("clean", "unidecode", "line"),
               0.5),
        Target("default, MT + debris ≥ 2× ftfy", ("debris", default, "line"), ("debris", "ftfy.fix_text", "line"), 2),
        Target("default, MT + debris ≥ 3× sacremoses", ("debris", default, "line"), ("debris", "sacremoses", "line"),
               3),
        Target("default, one clean document ≥ 1/3 pyahocorasick floor", ("clean", default, "document"),
               ("clean", "floor aho-corasick", "document"), 1 / 3),
        Target("normalize_many 2 workers ≥ 1.7× 1 worker", ("debris", "normalize_many workers=2", "batch"),
               ("debris", "normalize_many workers=1", "batch"), 1.7),
    ]
    for lang in ("ru", "uk"):
        for mode, what in (("line", "lines"), ("unique", "unique lines, caches emptied")):
            out.append(Target(f"default, {lang} {what} ≥ 1× iuliia WIKIPEDIA", (lang, default, mode),
                              (lang, "iuliia WIKIPEDIA", mode), 1))
    out += [
        Target("clean, mixed JSON Lines, 1 worker ≥ 10 MB/s", ("mixed", "clean workers=1", "archive"), None, 10),
        Target("clean, mixed JSON Lines, 2 workers ≥ 1.6× 1 worker", ("mixed", "clean workers=2", "archive"),
               ("mixed", "clean workers=1", "archive"), 1.6),
    ]
    for lang, names in schemes.items():
        for scheme in names:
            row = (lang, f"transliterate {lang}/{scheme}", "line")
            if lang == "ru":
                schema = IULIIA_SCHEMAS.get(scheme, "WIKIPEDIA")
                out.append(Target(f"{lang}/{scheme} ≥ 1× iuliia {schema}", row, (lang, f"iuliia {schema}", "line"), 1))
            out.append(Target(f"{lang}/{scheme} ≥ 0.5× cyrtranslit", row, (lang, "cyrtranslit", "line"), 0.5))
    return out
