"""The benchmark corpora, built from ``../shared/corpus`` (never copied into the repository).

* ``clean`` — human reference translations (clean English);
* ``mt`` — real MT system outputs;
* ``debris`` — the same MT outputs with debris injected (seeded; kinds in ``debris.toml``);
* ``ru``, ``uk`` — the Russian and Ukrainian source texts;
* ``mixed`` — a JSON Lines archive's records: clean English with one Russian or Ukrainian line in ten.

Each is the source lines repeated in order until it reaches the requested size in UTF-8 bytes.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
DEBRIS = Path(__file__).resolve().with_name("debris.toml")

SOURCES: dict[str, str] = {
    "clean": "*/references/*.en",
    "mt": "*/system-outputs/*.en",
    "debris": "*/system-outputs/*.en",
    "ru": "*/sources/*.src.ru",
    "uk": "*/sources/*.src.uk",
    "mixed": "*/references/*.en",
}
FOREIGN_SHARE = 10
"""In ``mixed``, every tenth record is a Russian or Ukrainian source line (in turn)."""


@dataclass(frozen=True)
class Corpus:
    """Lines of one kind of text, and the same lines as one document."""

    name: str
    lines: tuple[str, ...]

    @cached_property
    def text(self) -> str:
        return "\n".join(self.lines)

    @cached_property
    def size(self) -> int:
        """Bytes in UTF-8 (the document's newlines included)."""
        return len(self.text.encode("utf-8"))

    def unique(self) -> Corpus:
        """Each line once, in first-seen order (the corpora repeat their lines)."""
        return Corpus(self.name, tuple(dict.fromkeys(self.lines)))

    def head(self, max_bytes: int) -> Corpus:
        """The first lines, up to about ``max_bytes`` (a sample for slow peers)."""
        total = 0
        for n, line in enumerate(self.lines, 1):
            total += len(line.encode("utf-8")) + 1
            if total >= max_bytes:
                return Corpus(self.name, self.lines[:n])
        return self


def read_lines(pattern: str, root: Path = CORPUS) -> list[str]:
    """Non-empty lines of every file matching ``pattern``, files in name order; a leading BOM is kept."""
    paths = sorted(root.glob(pattern))
    if not paths:
        raise FileNotFoundError(f"no corpus files match {root / pattern}")
    return [line for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def repeat_to(lines: list[str], size: int | None = None, count: int | None = None) -> tuple[str, ...]:
    """``lines`` cycled until ``size`` bytes (or ``count`` lines) are reached."""
    out: list[str] = []
    total = 0
    while lines:
        for line in lines:
            if (count is not None and len(out) >= count) or (count is None and size is not None and total >= size):
                return tuple(out)
            out.append(line)
            total += len(line.encode("utf-8")) + 1
    return tuple(out)


def inject(lines: list[str], seed: int = 0, path: Path = DEBRIS) -> list[str]:
    """``lines`` with debris injected into a share of them (``rate``), the same for the same seed."""
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    kinds = (_insert, _wrap, _spaces, _homoglyph)
    return [rng.choice(kinds)(line, spec, rng) if rng.random() < spec["rate"] else line for line in lines]


def _insert(line: str, spec: dict, rng: random.Random) -> str:
    words = line.split(" ")
    at = rng.randrange(len(words) + 1)
    return " ".join([*words[:at], rng.choice(spec["insert"]), *words[at:]])


def _wrap(line: str, spec: dict, rng: random.Random) -> str:
    return rng.choice(spec["wrap"]).format(line=line.rstrip("."))


def _spaces(line: str, spec: dict, rng: random.Random) -> str:
    space = rng.choice(spec["spaces"])
    return "".join(space if c == " " and rng.random() < 0.2 else c for c in line)


def _homoglyph(line: str, spec: dict, rng: random.Random) -> str:
    table: dict[str, str] = spec["homoglyphs"]
    spots = [i for i, c in enumerate(line) if c in table]
    if not spots:
        return _insert(line, spec, rng)
    i = rng.choice(spots)
    return line[:i] + table[line[i]] + line[i + 1:]


def mix(english: list[str], foreign: list[str], every: int = FOREIGN_SHARE) -> list[str]:
    """``english`` with every ``every``-th line replaced by the next of ``foreign`` (cycled)."""
    out = list(english)
    for n, i in enumerate(range(every - 1, len(out), every)):
        out[i] = foreign[n % len(foreign)]
    return out


def build(size: int = 10_000_000, count: int | None = None, names: tuple[str, ...] = tuple(SOURCES),
          seed: int = 0, root: Path = CORPUS) -> dict[str, Corpus]:
    """The named corpora, each ``size`` bytes (or ``count`` lines when given)."""
    corpora = {}
    for name in names:
        lines = read_lines(SOURCES[name], root)
        if name == "debris":
            lines = inject(lines, seed)
        elif name == "mixed":
            russian, ukrainian = (read_lines(SOURCES[lang], root) for lang in ("ru", "uk"))
            lines = mix(lines, [line for pair in zip(russian, ukrainian, strict=False) for line in pair])
        corpora[name] = Corpus(name, repeat_to(lines, size, count))
    return corpora
