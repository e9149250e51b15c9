"""Kill -9 trials for ``normalizer clean`` (issue 7): a crash at any moment never leaves a half-written DST.

Each trial runs ``python -m normalizer.cli clean SRC --out DST`` on a realistic source (a .jsonl, a
.csv, a folder, a .zip or a .tar.gz, in turn), kills it with SIGKILL after a random delay scaled to
the uninterrupted run's time, checks that DST is either absent or complete (its checksum equal to
the uninterrupted run's) and that no process of the killed run lives on (every third trial runs
with ``--workers 2``), sometimes kills the ``--resume`` run too, then runs ``--resume`` to the
end: its output records and its report must equal the uninterrupted run's, every time.

    python tests/soak/kill_trials.py --trials 40 --seed 7 --records 40000

exits 1 when any trial fails; ``KILL_TRIALS`` / ``KILL_SEED`` / ``KILL_RECORDS`` set the defaults.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("jsonl", "csv", "folder", "zip", "tar.gz")
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
DEBRIS = ["sappers from КНДР arrived in Kiev", "a safe one», — stated the leader", "the village of Покровское",
          "temperature 22 °С at noon", "Kim Jong-un met «victory» fans", "Lugansk and LNR\u00a0officials"]
COMPARED = ("records", "edits", "warnings", "failures", "copied", "skipped", "damaged", "files")


def corpus_lines(limit: int) -> list[str]:
    """Real MT output from the shared corpus (a generated stand-in where it is absent), with debris mixed in."""
    lines: list[str] = []
    folder = CORPUS / "wmt21-news-systems" / "system-outputs"
    for path in sorted(folder.glob("*.en")) if folder.is_dir() else []:
        lines += path.read_text(encoding="utf-8").splitlines()
        if len(lines) >= limit:
            break
    if not lines:
        lines = [f"Plain sentence number {i} about the talks." for i in range(1000)]
    return [line + (f" — {DEBRIS[i % len(DEBRIS)]}" if i % 3 == 0 else "") for i, line in
            enumerate(lines[i % len(lines)] for i in range(limit))]


def _jsonl(lines: list[str]) -> bytes:
    return "".join(json.dumps({"id": i, "text": t, "lang": "en"}, ensure_ascii=i % 2 == 0) + "\n"
                   for i, t in enumerate(lines)).encode()


def _csv(lines: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "text", "source"])
    writer.writerows([i, t, "wmt21"] for i, t in enumerate(lines))
    return out.getvalue().encode()


def _tree(root: Path, lines: list[str]) -> Path:
    """A folder like a news dump: text files in sub-folders, a feed, a table, a binary file."""
    quarter = len(lines) // 4
    (root / "news" / "2024").mkdir(parents=True)
    (root / "news" / "a.txt").write_text("\n".join(lines[:quarter]) + "\n", encoding="utf-8")
    (root / "news" / "2024" / "b.txt").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines[quarter:2 * quarter]).encode())
    (root / "feed.jsonl").write_bytes(_jsonl(lines[2 * quarter:3 * quarter]))
    (root / "table.csv").write_bytes(_csv(lines[3 * quarter:]))
    (root / "logo.bin").write_bytes(bytes(range(256)) * 64)
    return root


def build_source(fmt: str, folder: Path, lines: list[str]) -> Path:
    """A source of ``fmt`` holding ``lines`` under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        (folder / "src.jsonl").write_bytes(_jsonl(lines))
        return folder / "src.jsonl"
    if fmt == "csv":
        (folder / "src.csv").write_bytes(_csv(lines))
        return folder / "src.csv"
    tree = _tree(folder / "tree", lines)
    if fmt == "folder":
        return tree
    paths = sorted(tree.rglob("*"))
    target = folder / f"src.{fmt}"
    if fmt == "zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, p.relative_to(tree).as_posix())
    else:
        with tarfile.open(target, "w:gz") as tf:
            for p in paths:
                tf.add(p, p.relative_to(tree).as_posix(), recursive=False)
    return target


def _entries(path: Path) -> list[tuple[str, bytes | None]]:
    """The output's entries in order (name, content; ``None`` for a folder), whatever its shape."""
    if path.is_dir():
        return [(p.relative_to(path).as_posix(), None if p.is_dir() else p.read_bytes())
                for p in sorted(path.rglob("*"))]
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            return [(i.filename, None if i.is_dir() else zf.read(i)) for i in zf.infolist()]
    if ".tar" in path.name:
        with tarfile.open(path) as tf:
            return [(m.name, None if m.isdir() else tf.extractfile(m).read()) for m in tf.getmembers()]
    return [("", path.read_bytes())]


def checksum(path: Path) -> str:
    """SHA-256 over the output's records: every entry's name and bytes, in order."""
    h = hashlib.sha256()
    for name, data in _entries(path):
        h.update(name.encode() + b"\0" + (b"D" if data is None else hashlib.sha256(data).digest()))
    return h.hexdigest()


def file_bytes_digest(path: Path) -> str | None:
    """SHA-256 of the file itself (``None`` for a folder): an archive must also come out byte-identical."""
    return None if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()


def command(src: Path, dst: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "normalizer.cli", "clean", str(src), "--out", str(dst), "--quiet", *extra]


@dataclass
class Reference:
    """The uninterrupted run: its output's checksums, its report, its wall time (the fastest seen) and the
    part of it spent starting up (the same command on a one-record file)."""

    checksum: str
    file_digest: str | None
    report: dict
    seconds: float
    startup: float

    def kill_delay(self, rng: random.Random, latest: float) -> float:
        """A random moment of a run: mostly while it works, sometimes while it starts or after it ended."""
        work = max(self.seconds - self.startup, 0.0)
        return max(0.02, self.startup + rng.uniform(-0.15, latest) * work)


def _timed_run(src: Path, dst: Path, *extra: str, timeout: float) -> float:
    started = time.monotonic()
    done = subprocess.run(command(src, dst, *extra), capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"the uninterrupted run failed: {done.stderr}")
    return time.monotonic() - started


def reference(src: Path, work: Path, timeout: float = 600) -> Reference:
    dst, report = work / f"ref-{src.name}", work / f"ref-{src.name}.json"
    seconds = _timed_run(src, dst, "--report", str(report), timeout=timeout)
    ref = Reference(checksum(dst), file_bytes_digest(dst), _comparable(json.loads(report.read_text())), seconds, 0.0)
    shutil.rmtree(dst) if dst.is_dir() else dst.unlink()
    tiny = work / f"tiny-{src.name}.jsonl"
    tiny.write_text('{"text": "in Kiev"}\n', encoding="utf-8")
    ref.startup = min(seconds, _timed_run(tiny, work / f"tiny-out-{src.name}.jsonl", timeout=timeout))
    return ref


def _comparable(report: dict) -> dict:
    return {k: report[k] for k in COMPARED}


@dataclass
class Trial:
    """What one trial saw."""

    fmt: str
    workers: int
    delay: float
    after_kill: str  # "absent" (no DST) or "complete" (DST equal to the uninterrupted run's)
    kills: int
    resumed_equal: bool
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _kill_after(cmd: list[str], delay: float) -> tuple[float | None, str]:
    """Run ``cmd``, SIGKILL it after ``delay`` s; its run time if it ended first (``None`` if killed), its stderr."""
    with tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        try:
            proc.wait(delay)
            ended: float | None = time.monotonic() - started
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            ended = None
        err.seek(0)
        return ended, err.read().decode("utf-8", "replace")


def _state_of(dst: Path, ref: Reference, problems: list[str], when: str) -> str:
    """``absent`` or ``complete``; anything else (a half-written or different DST) is a problem."""
    if not (dst.exists() or dst.is_symlink()):
        return "absent"
    try:
        same = checksum(dst) == ref.checksum and file_bytes_digest(dst) == ref.file_digest
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        problems.append(f"{when}: DST is unreadable ({exc})")
        return "broken"
    if not same:
        problems.append(f"{when}: DST exists but differs from the uninterrupted run (half-written?)")
        return "broken"
    return "complete"


def _strays(folder: Path, dst: Path) -> list[str]:
    allowed = {dst.name, f".{dst.name}.normalizer-partial"}
    return sorted(p.name for p in folder.iterdir() if p.name not in allowed)


def _survivors(dst: Path, wait: float = 3.0) -> list[int]:
    """Processes still running a command on ``dst`` (orphaned pool workers) after ``wait`` s; Linux only."""
    proc = Path("/proc")
    needle = str(dst).encode()
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in proc.glob("[0-9]*") if proc.is_dir() else []:
            try:
                if needle in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def run_trial(src: Path, fmt: str, ref: Reference, work: Path, rng: random.Random, timeout: float = 600,
              latest: float = 1.05, workers: int = 1) -> Trial:
    """Kill a run at a random moment (up to ``latest`` × its time; sometimes its resumption too), resume, compare."""
    folder = Path(tempfile.mkdtemp(prefix=f"kill-{fmt.replace('.', '')}-", dir=work))
    dst = folder / ("out" if fmt == "folder" else f"out.{fmt}")
    report = work / f"{folder.name}.json"
    interval = rng.choice(("0.02", "0.2", "1"))
    extra = ("--checkpoint-seconds", interval, "--workers", str(workers))
    problems: list[str] = []
    delay = ref.kill_delay(rng, latest)
    ended, err = _kill_after(command(src, dst, *extra), delay)
    kills = int(ended is None)
    if ended is not None:  # the machine got faster than when the reference ran: aim the next kills earlier
        ref.seconds = min(ref.seconds, ended)
    after_kill = _state_of(dst, ref, problems, "after the kill")
    if ended is not None and after_kill != "complete":
        problems.append(f"the run ended before the kill without a complete DST: {err.strip()[-300:]}")
    if after_kill == "absent" and rng.random() < 0.3:
        ended, _ = _kill_after(command(src, dst, *extra, "--resume"), ref.kill_delay(rng, 1.0))
        kills += ended is None
        _state_of(dst, ref, problems, "after killing --resume")
    if stray := _strays(folder, dst):
        problems.append(f"stray files beside DST: {stray}")
    if orphans := _survivors(dst):
        problems.append(f"processes of the killed run still running: {orphans}")
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)
    resumed_equal = False
    if (folder / f".{dst.name}.normalizer-partial").exists() or not dst.exists():
        done = subprocess.run(command(src, dst, "--resume", "--report", str(report)), capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode:
            problems.append(f"--resume failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        else:
            got = _comparable(json.loads(report.read_text()))
            if got != ref.report:
                problems.append("the resumed run's report differs: " + ", ".join(
                    k for k in COMPARED if got[k] != ref.report[k]))
    if _state_of(dst, ref, problems, "after --resume") == "complete":
        resumed_equal = True
    else:
        problems.append("after --resume DST is not the uninterrupted run's output")
    if stray := _strays(folder, dst):
        problems.append(f"left beside DST after --resume: {stray}")
    shutil.rmtree(folder)
    report.unlink(missing_ok=True)
    return Trial(fmt, workers, delay, after_kill, kills, resumed_equal, problems)


def run_trials(trials: int, seed: int, records: int, work: Path, formats: tuple[str, ...] = FORMATS,
               log=print) -> list[Trial]:
    """``trials`` seeded trials rotating through ``formats`` (every third with ``--workers 2``), each source
    holding about ``records`` records."""
    rng = random.Random(seed)
    lines = corpus_lines(records)
    sources, refs = {}, {}
    for fmt in formats[:trials]:
        sources[fmt] = build_source(fmt, work / f"src-{fmt.replace('.', '')}", lines)
        refs[fmt] = reference(sources[fmt], work)
        log(f"{fmt}: uninterrupted run {refs[fmt].seconds:.2f} s ({refs[fmt].startup:.2f} s of it starting up), "
            f"{refs[fmt].report['records']['in']} records")
    results = []
    for i in range(trials):
        fmt = formats[i % len(formats)]
        trial = run_trial(sources[fmt], fmt, refs[fmt], work, rng, workers=2 if i % 3 == 2 else 1)
        results.append(trial)
        log(f"trial {i + 1:3d} {fmt:7s} workers {trial.workers} kill at {trial.delay:5.2f} s → "
            f"DST {trial.after_kill:8s} kills {trial.kills} resume {'equal' if trial.resumed_equal else 'DIFFERENT'}"
            + "".join(f"\n    ! {p}" for p in trial.problems))
    return results


def summary(results: list[Trial]) -> str:
    after = Counter(t.after_kill for t in results)
    per_format = Counter(t.fmt for t in results)
    return (f"{sum(t.ok for t in results)}/{len(results)} trials survived; formats: "
            + ", ".join(f"{f} {n}" for f, n in per_format.items())
            + f"; after the kill: no DST {after['absent']}, complete DST {after['complete']}, "
            f"broken {after['broken']}; kills {sum(t.kills for t in results)}; "
            f"with --workers 2: {sum(t.workers == 2 for t in results)}; "
            f"resume checksum matches {sum(t.resumed_equal for t in results)}/{len(results)}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=int(os.environ.get("KILL_TRIALS", 20)))
    p.add_argument("--seed", type=int, default=int(os.environ.get("KILL_SEED", 1)))
    p.add_argument("--records", type=int, default=int(os.environ.get("KILL_RECORDS", 40_000)),
                   help="records per source (sets the run time)")
    p.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, from: " + ", ".join(FORMATS))
    args = p.parse_args(argv)
    formats = tuple(args.formats.split(","))
    if unknown := set(formats) - set(FORMATS):
        p.error(f"unknown formats: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="kill-trials-") as work:
        results = run_trials(args.trials, args.seed, args.records, Path(work), formats)
    print(summary(results))
    return 0 if all(t.ok for t in results) else 1


if __name__ == "__main__":
    sys.exit(main())
