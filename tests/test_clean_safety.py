"""``normalizer clean`` cannot take what is not its own (issue 13): no setuid/setgid/sticky bits, no following or
deleting through a planted link, no report over the source or the output, ``--resume`` of a finished run ends.

Each test reproduces the attack or the failure as the issue found it.
"""

from __future__ import annotations

import io
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from archive_fixtures import read_tree

from normalizer.archive import ArchiveError
from normalizer.clean import CleanOptions, clean

SPECIAL = stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``normalizer ARGS`` as a user types it."""
    done = subprocess.run([sys.executable, "-m", "normalizer.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _refused(done: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2 with one line on stderr that says why."""
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert all(w in done.stderr for w in words), done.stderr


# 1. setuid, setgid and sticky bits


@pytest.mark.skipif(not ROOT, reason="a setuid file of another user made root-owned needs root (chown nobody)")
def test_a_users_setuid_file_does_not_become_a_root_setuid_file(tmp_path):
    src = tmp_path / "s"
    src.mkdir()
    shutil.copy("/bin/true", src / "tool")
    os.chown(src / "tool", pwd.getpwnam("nobody").pw_uid, -1)
    os.chmod(src / "tool", 0o4755)
    done = run("clean", str(src), "--out", str(tmp_path / "d"), "--quiet")
    assert done.returncode == 0, done.stderr
    tool = tmp_path / "d" / "tool"
    assert stat.S_IMODE(os.lstat(tool).st_mode) == 0o755 and tool.read_bytes() == Path("/bin/true").read_bytes()


def test_a_folder_never_gets_setuid_setgid_or_sticky_bits(tmp_path):
    src = tmp_path / "s"
    (src / "shared").mkdir(parents=True)
    for name, mode in (("suid.txt", 0o4755), ("sgid.txt", 0o2750), ("sticky.txt", 0o1644), ("all.txt", 0o7777)):
        (src / name).write_text("in Kiev\n")
        os.chmod(src / name, mode)
    os.chmod(src / "shared", 0o3777)
    out = tmp_path / "setgid-parent"
    out.mkdir()
    os.chmod(out, 0o2775)  # a setgid parent folder: new folders inside would inherit the bit
    clean(src, out / "d")
    modes = {p.name: stat.S_IMODE(os.lstat(p).st_mode) for p in [out / "d", *(out / "d").rglob("*")]}
    assert all(not mode & SPECIAL for mode in modes.values()), {k: oct(v) for k, v in modes.items()}
    assert modes["suid.txt"] == 0o755 and modes["all.txt"] == 0o777
    assert (out / "d" / "suid.txt").read_text() == "in Kyiv\n"


def _special_tar(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, mode, kind in (("bin", 0o3777, tarfile.DIRTYPE), ("bin/tool.txt", 0o4777, tarfile.REGTYPE),
                                 ("tmp", 0o1777, tarfile.DIRTYPE), ("tmp/g.txt", 0o2755, tarfile.REGTYPE)):
            info = tarfile.TarInfo(name)
            info.type, info.mode = kind, mode
            data = b"in Kiev\n" if kind == tarfile.REGTYPE else b""
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _special_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, mode in (("bin/", stat.S_IFDIR | 0o3777), ("bin/tool.txt", stat.S_IFREG | 0o4777),
                           ("g.txt", stat.S_IFREG | 0o2755)):
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            zf.writestr(info, b"" if name.endswith("/") else b"in Kiev\n")
    return path


def _member_modes(path: Path) -> dict[str, int]:
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            return {i.filename: i.external_attr >> 16 for i in zf.infolist()}
    with tarfile.open(path) as tf:
        return {m.name: m.mode for m in tf.getmembers()}


@pytest.mark.parametrize("make", [_special_tar, _special_zip], ids=["tar.gz", "zip"])
def test_archive_members_never_keep_setuid_setgid_or_sticky_bits(tmp_path, make):
    src = make(tmp_path / ("src.tar.gz" if make is _special_tar else "src.zip"))
    assert any(mode & SPECIAL for mode in _member_modes(src).values())
    dst = tmp_path / ("out.tar.gz" if make is _special_tar else "out.zip")
    clean(src, dst)
    modes = _member_modes(dst)
    assert len(modes) == len(_member_modes(src))
    assert all(not mode & SPECIAL for mode in modes.values()), {k: oct(v) for k, v in modes.items()}
    assert read_tree(dst)["bin/tool.txt"] == b"in Kyiv\n"


# 2. the staging folder


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "precious"
    (victim / "sub").mkdir(parents=True)
    (victim / "data.txt").write_text("keep me\n")
    (victim / "sub" / "more.txt").write_text("and me\n")
    return victim


@pytest.mark.parametrize("resume", [False, True], ids=["run", "resume"])
def test_a_planted_link_at_the_staging_folder_is_refused_and_nothing_behind_it_is_touched(tmp_path, resume):
    victim = _victim(tmp_path)
    (tmp_path / "a.txt").write_text("in Kiev\n")
    staging = tmp_path / ".d.txt.normalizer-partial"
    staging.symlink_to(victim)
    done = run("clean", str(tmp_path / "a.txt"), "--out", str(tmp_path / "d.txt"), *(["--resume"] * resume))
    _refused(done, str(staging), "symbolic link")
    assert read_tree(victim) == {"data.txt": b"keep me\n", "sub": None, "sub/more.txt": b"and me\n"}
    assert staging.is_symlink() and not (tmp_path / "d.txt").exists()


def test_a_foreign_folder_at_the_staging_folder_is_refused_and_left_as_it_is(tmp_path):
    (tmp_path / "a.txt").write_text("in Kiev\n")
    staging = tmp_path / ".d.txt.normalizer-partial"
    shutil.copytree(_victim(tmp_path), staging)
    for resume in (False, True):
        with pytest.raises(ArchiveError, match="was not made by normalizer clean"):
            clean(tmp_path / "a.txt", tmp_path / "d.txt", CleanOptions(resume=resume))
    assert read_tree(staging) == {"data.txt": b"keep me\n", "sub": None, "sub/more.txt": b"and me\n"}


def test_a_link_planted_inside_an_abandoned_staging_folder_is_removed_as_a_link(tmp_path, monkeypatch):
    """An interrupted run left its folder; a link inside it is removed without emptying what it points to."""
    from normalizer import clean as clean_module

    victim = _victim(tmp_path)
    (tmp_path / "a.txt").write_text("in Kiev\n" * 10)
    monkeypatch.setattr(clean_module._Run, "execute", lambda self: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        clean(tmp_path / "a.txt", tmp_path / "d.txt")
    monkeypatch.undo()
    staging = tmp_path / ".d.txt.normalizer-partial"
    (staging / "out" / "link").symlink_to(victim)
    (staging / "elsewhere").symlink_to(victim / "data.txt")
    clean(tmp_path / "a.txt", tmp_path / "d.txt")
    assert read_tree(victim) == {"data.txt": b"keep me\n", "sub": None, "sub/more.txt": b"and me\n"}
    assert not staging.exists() and (tmp_path / "d.txt").read_text() == "in Kyiv\n" * 10


# 3. --report


@pytest.mark.parametrize("case", ["the source file", "at DST", "inside a source folder", "inside a DST folder",
                                  "through a link into the source", "relative into the source"])
def test_a_report_over_the_source_or_the_output_is_refused_before_any_work(tmp_path, case):
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "a.txt").write_text("in Kiev\n")
    (tmp_path / "a.txt").write_text("in Kiev\n")
    (tmp_path / "alias").symlink_to(tmp_path / "tree")
    src, dst, report = {
        "the source file": ("a.txt", "out.txt", "a.txt"),
        "at DST": ("a.txt", "out.txt", "out.txt"),
        "inside a source folder": ("tree", "out", "tree/report.json"),
        "inside a DST folder": ("tree", "out", "out/report.json"),
        "through a link into the source": ("tree", "out", "alias/a.txt"),
        "relative into the source": ("tree", "out", "./elsewhere/../tree/a.txt"),
    }[case]
    if case == "relative into the source":
        (tmp_path / "elsewhere").mkdir()
    before = read_tree(tmp_path / "tree"), (tmp_path / "a.txt").read_bytes()
    done = run("clean", src, "--out", dst, "--report", report, cwd=tmp_path)
    _refused(done, "the report", "must not be")
    assert (read_tree(tmp_path / "tree"), (tmp_path / "a.txt").read_bytes()) == before
    assert not (tmp_path / dst).exists() and not list(tmp_path.glob(".*normalizer-partial"))


def test_the_report_is_not_written_through_a_link_planted_beside_it(tmp_path):
    (tmp_path / "a.txt").write_text("in Kiev\n")
    (tmp_path / "victim").write_text("keep me\n")
    for name in ("r.json.tmp", ".r.json.tmp"):
        (tmp_path / name).symlink_to(tmp_path / "victim")
    done = run("clean", "a.txt", "--out", "b.txt", "--report", "r.json", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "victim").read_text() == "keep me\n" and '"records"' in (tmp_path / "r.json").read_text()


# 4. --resume after a finished run


@pytest.mark.parametrize("fmt", ["file", "folder"])
def test_resume_after_a_finished_run_says_it_is_complete_and_exits_0(tmp_path, fmt):
    if fmt == "folder":
        (tmp_path / "tree").mkdir()
        (tmp_path / "tree" / "a.txt").write_text("in Kiev\n")
        src, dst = tmp_path / "tree", tmp_path / "out"
    else:
        src, dst = tmp_path / "a.txt", tmp_path / "out.txt"
        src.write_text("in Kiev\n")
    assert run("clean", str(src), "--out", str(dst), "--quiet").returncode == 0
    before = read_tree(dst) if fmt == "folder" else dst.read_bytes()
    for _ in range(2):
        again = run("clean", str(src), "--out", str(dst), "--resume")
        assert again.returncode == 0 and "already complete" in again.stderr, again.stderr
    assert (read_tree(dst) if fmt == "folder" else dst.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src.name, dst.name])
    without = run("clean", str(src), "--out", str(dst))
    _refused(without, "already exists")


# A kill at every step of publishing (issue 16: a complete DST beside an emptied staging folder made --resume refuse)


class _Killed(BaseException):
    """Stands for kill -9 at one step: nothing after it runs (no ``except`` of the code catches it)."""


class _KillingOs:
    """``os`` for the staging module, dying at its ``at``-th change to the file system."""

    CHANGES = frozenset({"rename", "replace", "unlink", "rmdir", "mkdir", "chmod", "utime", "open", "fsync", "close"})

    def __init__(self, at: int) -> None:
        self.at, self.steps = at, 0

    def __getattr__(self, name: str):
        real = getattr(os, name)
        if name not in self.CHANGES:
            return real

        def step(*args, **kwargs):
            self.steps += 1
            if self.steps == self.at:
                raise _Killed(f"killed at step {self.at}: os.{name}{args}")
            return real(*args, **kwargs)
        return step


@pytest.mark.parametrize("fmt", ["folder", "file", "zip"])
def test_a_kill_at_any_step_of_publishing_is_finished_by_resume(tmp_path, monkeypatch, fmt):
    from normalizer.archive import staging as staging_module

    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "a.txt").write_text("in Kiev\n")
    (tree / "b.jsonl").write_text('{"text": "in Kiev"}\n')
    src = {"folder": tree, "file": tree / "b.jsonl", "zip": tmp_path / "src.zip"}[fmt]
    if fmt == "zip":
        with zipfile.ZipFile(src, "w") as zf:
            zf.writestr("a.txt", "in Kiev\n")
    ref = tmp_path / ("ref" if fmt == "folder" else f"ref.{fmt}")
    expected_report = clean(src, ref).to_dict()
    expected = read_tree(ref) if fmt != "file" else ref.read_bytes()
    publish = staging_module.Staging.publish
    at = 0
    while True:
        at += 1
        work = tmp_path / f"kill-{at}"
        work.mkdir()
        dst = work / ("out" if fmt == "folder" else f"out.{fmt}")
        killer = _KillingOs(at)

        def dying_publish(self, *args, killer=killer):
            monkeypatch.setattr(staging_module, "os", killer)
            try:
                publish(self, *args)
            finally:
                monkeypatch.setattr(staging_module, "os", os)

        monkeypatch.setattr(staging_module.Staging, "publish", dying_publish)
        try:
            clean(src, dst)
            killed = False
        except _Killed:
            killed = True
        monkeypatch.setattr(staging_module.Staging, "publish", publish)
        report = clean(src, dst, CleanOptions(resume=True))
        assert report is None or {k: v for k, v in report.to_dict().items() if k in ("records", "files")} == {
            k: v for k, v in expected_report.items() if k in ("records", "files")}, f"step {at}"
        assert (read_tree(dst) if fmt != "file" else dst.read_bytes()) == expected, f"step {at}"
        assert sorted(p.name for p in work.iterdir()) == [dst.name], f"step {at}"
        if not killed:
            break
    assert at > 3
