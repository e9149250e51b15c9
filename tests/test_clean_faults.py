"""``normalizer clean`` under faults: kill -9 at random moments, and a disk that fills up (issue 7).

The kill trials are the short, seeded version of ``tests/soak/kill_trials.py`` (``make soak`` runs the long one).
"""

from __future__ import annotations

import errno
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest
from soak import kill_trials
from soak.kill_trials import build_source, checksum, command, corpus_lines, reference, run_trial

from normalizer.archive import Member
from normalizer.clean import CleanOptions, IOFailed, clean


def test_kill_9_at_random_moments_never_leaves_a_half_written_output(tmp_path):
    """Five seeded trials, one per format (two with a process pool): DST absent or complete after the kill, no
    orphaned worker, and --resume gives the records and report of an uninterrupted run."""
    rng = random.Random(7)
    lines = corpus_lines(3000)
    trials = []
    for fmt, workers in (("jsonl", 1), ("csv", 2), ("folder", 1), ("zip", 1), ("tar.gz", 2)):
        src = build_source(fmt, tmp_path / f"src-{fmt}", lines)
        trials.append(run_trial(src, fmt, reference(src, tmp_path), tmp_path, rng, timeout=120, latest=0.6,
                                workers=workers))
    assert [t.problems for t in trials] == [[]] * 5
    assert all(t.resumed_equal for t in trials)
    assert sum(t.kills for t in trials) >= 2  # on a busy machine some runs end before their kill: still checked


def _file_size_limit(limit: int):
    """A ``preexec_fn``: writes past ``limit`` bytes fail with EFBIG (SIGXFSZ ignored) instead of killing."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def _assert_clear_failure(done: subprocess.CompletedProcess, dst: Path) -> None:
    """Exit 2, one line naming DST and --resume, no traceback, no DST, only the documented staging folder."""
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"normalizer: cannot write {dst}: ") and "--resume" in lines[0]
    assert not dst.exists()
    assert sorted(p.name for p in dst.parent.iterdir()) == [f".{dst.name}.normalizer-partial"]
    assert not (dst.parent / f".{dst.name}.normalizer-partial" / "packed").exists()


@pytest.mark.parametrize("fmt", ["jsonl", "zip"])
def test_a_full_disk_gives_one_clear_line_and_resume_finishes_the_job(tmp_path, fmt):
    """A 256 KB file-size limit: a .jsonl fails mid-run, a stored .zip when packing its 800 KB output."""
    lines = corpus_lines(4000)
    src = build_source(fmt, tmp_path / "src", lines)
    if fmt == "zip":
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp_path / "stored.zip", "w") as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, zin.read(info))
        src = tmp_path / "stored.zip"
    (tmp_path / "out").mkdir()
    dst = tmp_path / "out" / f"clean.{fmt}"
    limited = subprocess.run(command(src, dst, "--checkpoint-seconds", "0.01"), capture_output=True, text=True,
                             timeout=120, preexec_fn=_file_size_limit(256 * 1024))
    assert "File too large (out of disk space or over a file-size limit)" in limited.stderr
    _assert_clear_failure(limited, dst)

    resumed = subprocess.run([*command(src, dst), "--resume"], capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr or fmt == "zip"
    clean(src, tmp_path / f"ref.{fmt}")
    assert checksum(dst) == checksum(tmp_path / f"ref.{fmt}")
    assert dst.stat().st_size > 256 * 1024
    assert sorted(p.name for p in dst.parent.iterdir()) == [dst.name]


def _jsonl_of_at_least(size: int, folder: Path) -> Path:
    """A JSON Lines source of at least ``size`` bytes, whether its lines come from the corpus or the stand-in."""
    records = 8000
    while (src := build_source("jsonl", folder, corpus_lines(records))).stat().st_size < size:
        records *= 2
    return src


@pytest.mark.parametrize("lines", ["corpus", "stand-in"])
def test_a_full_tmpfs_gives_one_clear_line(tmp_path, monkeypatch, lines):
    """A real 1 MB tmpfs (needs root and mount; skipped elsewhere) filled by a 1.3 MB output: ENOSPC; with the
    shared corpus and with the generated stand-in a fresh clone without it uses."""
    if lines == "stand-in":
        monkeypatch.setattr(kill_trials, "CORPUS", tmp_path / "no-corpus")
    if not hasattr(os, "getuid") or os.getuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        src = _jsonl_of_at_least(int(1.3 * 1024 * 1024), tmp_path / "src")
        dst = disk / "clean.jsonl"
        done = subprocess.run(command(src, dst), capture_output=True, text=True, timeout=120)
        assert "No space left on device" in done.stderr
        _assert_clear_failure(done, dst)
        again = subprocess.run(command(src, dst), capture_output=True, text=True, timeout=120)
        assert "discarding the partial output" in again.stderr and again.returncode == 2
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_resume_after_a_kill_between_publishing_and_cleaning_up(tmp_path, monkeypatch):
    """DST was renamed into place but the staging folder was not removed yet: --resume only removes it."""
    from normalizer.archive import Staging

    src = build_source("jsonl", tmp_path / "src", corpus_lines(50))
    dst = tmp_path / "out.jsonl"
    monkeypatch.setattr(Staging, "discard", lambda self: None)
    first = clean(src, dst).to_dict()
    monkeypatch.undo()
    staging = tmp_path / ".out.jsonl.normalizer-partial"
    assert dst.exists() and json.loads((staging / "published.json").read_text())["job"]["format"] == "file"
    before = dst.read_bytes()
    result = subprocess.run([*command(src, dst), "--resume"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "already complete" in result.stderr
    assert dst.read_bytes() == before and not staging.exists()
    assert first["records"]["in"] == 50
    again = subprocess.run([*command(src, dst), "--resume"], capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "already complete" in again.stderr and dst.read_bytes() == before


def test_a_source_file_that_cannot_be_read_is_named_and_nothing_is_written(tmp_path, monkeypatch):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_text("in Kiev\n")
    (tree / "b.txt").write_text("in Kiev\n")
    real_open = Member.open

    def deny(self):
        if self.name == "b.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(tree / "b.txt"))
        return real_open(self)

    monkeypatch.setattr(Member, "open", deny)
    with pytest.raises(IOFailed, match=rf"^cannot read {tree / 'b.txt'}: Permission denied; nothing was written at "):
        clean(tree, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.normalizer-partial", "tree"]
    monkeypatch.undo()
    clean(tree, tmp_path / "out", CleanOptions(resume=True))
    assert (tmp_path / "out" / "b.txt").read_text() == "in Kyiv\n"
