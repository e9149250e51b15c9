"""The benchmark: ``python -m bench.run`` (``make bench``) prints the table, the ratios and the targets.

Every subject runs on the same corpora in this one process; each time is the best of
``--repeat`` runs after a short warm-up. ``--json FILE`` writes the same figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import footprint
from .corpora import SOURCES, Corpus, build
from .shapes import MAX_GROWTH, MAX_SECONDS_PER_MB, ShapeRow, measure_shapes
from .subjects import PROFILES, Subject, all_subjects
from .targets import Key, targets

WARM_UP_LINES = 50


@dataclass(frozen=True)
class Row:
    corpus: str
    subject: str
    kind: str
    mode: str
    bytes: int
    lines: int
    seconds: float

    @property
    def key(self) -> Key:
        return self.corpus, self.subject, self.mode

    @property
    def mb_s(self) -> float:
        return self.bytes / 1e6 / self.seconds

    @property
    def lines_s(self) -> float:
        return self.lines / self.seconds


def measure(subject: Subject, corpus: Corpus, repeat: int) -> Row:
    """Best of ``repeat`` timed runs of ``subject`` over ``corpus`` (or its sample), after a warm-up."""
    sample = corpus.head(subject.cap) if subject.cap and subject.cap < corpus.size else corpus
    if subject.mode == "unique":
        sample = sample.unique()
    subject.run(Corpus(corpus.name, sample.lines[:WARM_UP_LINES]))
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        subject.run(sample)
        best = min(best, time.perf_counter() - start)
    return Row(corpus.name, subject.name, subject.kind, subject.mode, sample.size, len(sample.lines), best)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    model = platform.processor() or platform.machine()
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    system = f"{platform.system()} {platform.release()}"
    return f"{model}, {os.cpu_count()} CPUs, {system}, Python {platform.python_version()}"


def table(headers: list[str], rows: list[list[str]], left: int = 3) -> str:
    """A plain-text table; the first ``left`` columns are left-aligned, the rest (numbers) right-aligned."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        aligned = (c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(aligned)

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def ratio_tables(rows: list[Row]) -> list[str]:
    """Per corpus: each normalizer row ÷ every peer and floor on that corpus (MB/s)."""
    out = []
    for corpus in dict.fromkeys(r.corpus for r in rows):
        ours = [r for r in rows if r.corpus == corpus and r.kind == "normalizer"]
        others = [o for o in rows if o.corpus == corpus and o.kind != "normalizer"]
        if ours and others:
            headers = [f"{corpus}: normalizer ÷", "mode", *(_short(o) for o in others)]
            out.append(table(headers, [[r.subject, r.mode, *(f"{r.mb_s / o.mb_s:.2f}" for o in others)]
                                       for r in ours], left=2))
    return out


def _short(row: Row) -> str:
    name = row.subject.removeprefix("iuliia ").removesuffix(".fix_text").replace("floor ", "")
    return {"document": f"{name}/doc", "unique": f"{name}/unique"}.get(row.mode, name)


def report(rows: list[Row], checks: list[dict], shape_rows: list[ShapeRow], extras: dict[str, float],
           header: str) -> str:
    parts = [header, "",
             table(["corpus", "mode", "subject", "MB/s", "lines/s", "MB timed"],
                   [[r.corpus, r.mode, r.subject, f"{r.mb_s:.2f}", f"{r.lines_s:,.0f}", f"{r.bytes / 1e6:.2f}"]
                    for r in rows]),
             "", "Ratios: normalizer ÷ peer or floor (MB/s, same corpus, same run; /doc: the whole document, "
             "/unique: each line once)", "",
             "\n\n".join(ratio_tables(rows)),
             "", "Targets (issues 9 and 15, SPEC §7)", "",
             table(["result", "target", "measured"],
                   [[c["result"], c["target"], "—" if c["measured"] is None else f"{c['measured']:.2f}{c['unit']}"]
                    for c in checks], left=2),
             "", f"Input shapes (issue 15): s/MB at the larger size (≤ {MAX_SECONDS_PER_MB:g}) and time at 4× the "
                 f"input ÷ time at 1× (≤ {MAX_GROWTH:g})", "",
             table(["result", "shape", "profile", "MB", "s/MB", "growth"],
                   [[r.result, r.shape, r.profile, f"{r.megabytes:.2f}", f"{r.seconds_per_mb:.3f}",
                     "gave up" if r.growth is None else f"{r.growth:.2f}"] for r in shape_rows]),
             "", "Footprint", "",
             table(["what", "value"], [[k, f"{v:.3f}"] for k, v in extras.items()], left=1)]
    return "\n".join(parts)


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--size", type=float, default=10.0, help="megabytes per corpus (default 10)")
    p.add_argument("--quick", action="store_true", help="1 MB per corpus, for a smoke run")
    p.add_argument("--lines", type=int, default=None, help="this many lines per corpus instead of --size")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per subject; the best counts (default 3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the injected debris")
    p.add_argument("--only", default=None, help="a regex: time only the subjects whose name matches")
    p.add_argument("--corpora", default=",".join(SOURCES), help="comma-separated corpora to build")
    p.add_argument("--stream-mb", type=float, default=None,
                   help="megabytes streamed through the CLI filter for peak RSS (default: one corpus)")
    p.add_argument("--shapes-mb", type=float, default=None,
                   help="megabytes of each hostile input shape (and 4× it; default 0.25, --quick 0.0625; 0: none)")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    return p.parse_args(argv)


def fixed_costs(corpora: dict[str, Corpus], stream_mb: float) -> dict[str, float]:
    """Import and compile times and the filter's peak RSS; measured first, on the tree as it is at start."""
    lines = corpora.get("mt", next(iter(corpora.values()))).lines
    return {
        "import normalizer (s)": footprint.import_seconds(),
        "rule compile, load_ruleset() (s)": footprint.compile_seconds(),
        "Normalizer('default') once compiled (s)": footprint.construct_seconds(),
        f"peak RSS, CLI filter on {stream_mb / 4:.2f} MB (MB)": footprint.streaming_rss_mb(lines, stream_mb / 4),
        f"peak RSS, CLI filter on {stream_mb:.2f} MB (MB)": footprint.streaming_rss_mb(lines, stream_mb),
    }


def judge(rows: list[Row], langs: set[str]) -> list[dict]:
    """Every target, PASS / FAIL / n/a, with the measured ratio."""
    from normalizer.ruleset import load_ruleset

    speeds = {r.key: r.mb_s for r in rows}
    schemes = {lang: list(by_name) for lang, by_name in load_ruleset().schemes.items() if lang in langs}
    checks = []
    for t in targets(schemes):
        measured, result = t.check(speeds)
        checks.append({"target": t.label, "required": t.ratio, "measured": measured, "unit": t.unit,
                       "result": result})
    return checks


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    size = 1.0 if args.quick else args.size
    corpora = build(int(size * 1e6), args.lines, tuple(args.corpora.split(",")), args.seed)
    stream_mb = args.stream_mb if args.stream_mb is not None else next(iter(corpora.values())).size / 1e6
    extras = fixed_costs(corpora, stream_mb)
    only = re.compile(args.only) if args.only else None
    rows = []
    for subject in all_subjects(corpora):
        if only is None or only.search(subject.name):
            rows.append(measure(subject, corpora[subject.corpus], args.repeat))
            r = rows[-1]
            print(f"  {r.corpus:7} {r.mode:9} {r.subject:38} {r.mb_s:8.2f} MB/s", file=sys.stderr, flush=True)
    extras["peak RSS of this benchmark process (MB)"] = footprint.peak_rss_mb()
    checks = judge(rows, set(corpora))
    shapes_mb = args.shapes_mb if args.shapes_mb is not None else 0.0625 if args.quick or args.lines else 0.25
    shape_rows = measure_shapes(PROFILES, int(shapes_mb * 1e6)) if shapes_mb else []
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    amount = f"{args.lines} lines" if args.lines else f"{size:g} MB"
    header = f"normalizer benchmark — {when} — {machine()} — {amount} per corpus, best of {args.repeat}"
    print(report(rows, checks, shape_rows, extras, header))
    if args.json:
        figures = {"date": when, "machine": machine(), "per_corpus": amount, "repeat": args.repeat,
                   "rows": [asdict(r) | {"mb_s": r.mb_s, "lines_s": r.lines_s} for r in rows],
                   "targets": checks, "footprint": extras,
                   "shapes": [asdict(r) | {"result": r.result} for r in shape_rows]}
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
