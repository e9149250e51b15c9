"""Readers: a folder, a .zip, a .tar(.gz|.bz2|.xz) or one file, as a stream of members in a fixed order."""

from __future__ import annotations

import gzip
import lzma
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .safety import ArchiveError, ByteBudget, name_problem

TAR_SUFFIXES = {".tar": "", ".tar.gz": "gz", ".tgz": "gz", ".tar.bz2": "bz2", ".tar.xz": "xz"}
DAMAGE = (EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, zipfile.BadZipFile, tarfile.TarError, OSError)
"""What reading a damaged archive raises (a truncated or corrupt compressed stream, a bad CRC, a short read)."""
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


@dataclass
class Member:
    """One entry of a source: a file to clean, a folder to recreate, or an entry skipped with a reason."""

    index: int
    name: str
    kind: str  # "file" | "dir" | "skip"
    size: int = 0
    meta: dict = field(default_factory=dict)
    opener: Callable[[], BinaryIO] | None = None
    reason: str = ""
    damage: str = ""  # why reading it stopped early (a damaged archive); set by ``Guarded``

    def open(self) -> BinaryIO:
        assert self.opener is not None, f"{self.name} is not a file"
        return self.opener()


class Guarded:
    """A member's stream from an archive: damage ends it early (the reason kept on the member) instead of raising."""

    def __init__(self, member: Member, opener: Callable[[], BinaryIO]) -> None:
        self.member = member
        try:
            self._stream: BinaryIO | None = opener()
        except DAMAGE as exc:
            self._stream = None
            self._damaged(exc)

    def _damaged(self, exc: BaseException) -> None:
        self.member.damage = f"the archive is damaged inside {self.member.name} ({type(exc).__name__}: {exc})"

    def read(self, n: int = -1) -> bytes:
        if self._stream is None:
            return b""
        try:
            return self._stream.read(n)
        except DAMAGE as exc:
            self._damaged(exc)
            self.close()
            return b""

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def __enter__(self) -> Guarded:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Source:
    """Base reader; ``format`` names the shape the output must have."""

    format = ""

    def __init__(self, path: Path, budget: ByteBudget) -> None:
        self.path, self.budget = path, budget
        self.damage = ""  # why the members stopped early (a damaged archive), once ``members`` is exhausted

    def members(self) -> Iterator[Member]:
        raise NotImplementedError

    def total_size(self) -> int | None:
        """Bytes of file data, for a progress bar (``None`` when only a full scan would tell)."""
        return None

    def close(self) -> None:
        """Release the source's open handles."""


class SingleFile(Source):
    """One .txt, .jsonl or .csv file: one member, named after the file."""

    format = "file"

    def members(self) -> Iterator[Member]:
        st = self.path.stat()
        yield Member(0, self.path.name, "file", st.st_size, {"mode": stat.S_IMODE(st.st_mode), "mtime": st.st_mtime},
                     lambda: open(self.path, "rb"))  # noqa: SIM115

    def total_size(self) -> int:
        return self.path.stat().st_size


class Folder(Source):
    """A folder, recursively, in sorted order; symbolic links and special files are skipped."""

    format = "folder"

    def members(self) -> Iterator[Member]:
        counter = iter(range(1 << 62))
        yield from self._walk(PurePosixPath(), counter)

    def _walk(self, rel: PurePosixPath, counter: Iterator[int]) -> Iterator[Member]:
        with os.scandir(self.path / rel) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            name = (rel / entry.name).as_posix()
            st = entry.stat(follow_symlinks=False)
            meta = {"mode": stat.S_IMODE(st.st_mode), "mtime": st.st_mtime}
            if stat.S_ISLNK(st.st_mode):
                yield Member(next(counter), name, "skip", reason="a symbolic link (not followed)")
            elif stat.S_ISDIR(st.st_mode):
                yield Member(next(counter), name, "dir", meta=meta)
                yield from self._walk(rel / entry.name, counter)
            elif stat.S_ISREG(st.st_mode):
                path = Path(entry.path)
                yield Member(next(counter), name, "file", st.st_size, meta, lambda p=path: open(p, "rb"))  # noqa: SIM115
            else:
                yield Member(next(counter), name, "skip", reason="a device, FIFO or socket")

    def total_size(self) -> int:
        return sum(f.stat(follow_symlinks=False).st_size for f in self.path.rglob("*")
                   if f.is_file() and not f.is_symlink())


class Zip(Source):
    """A .zip archive in central-directory order; unsafe, linked, encrypted and duplicate entries are skipped."""

    format = "zip"

    def __init__(self, path: Path, budget: ByteBudget) -> None:
        super().__init__(path, budget)
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ArchiveError(f"{path} is not a readable zip archive: {exc}") from None
        budget.bound_by_ratio(path.stat().st_size)
        declared = 0
        for info in self.zf.infolist():
            declared += info.file_size
            budget.check(declared, info.filename, "declares that it decompresses")

    def members(self) -> Iterator[Member]:
        seen: set[str] = set()
        for index, info in enumerate(self.zf.infolist()):
            mode = info.external_attr >> 16
            meta = {"date_time": list(info.date_time), "compress_type": info.compress_type,
                    "external_attr": info.external_attr}
            problem = name_problem(info.filename)
            if problem is None and stat.S_ISLNK(mode):
                problem = "a symbolic link"
            if problem is None and info.flag_bits & 0x1:
                problem = "an encrypted entry"
            if problem is None and info.compress_type not in _ZIP_METHODS:
                problem = f"compressed with a method this tool cannot read (zip method {info.compress_type})"
            if problem is None and info.filename in seen:
                problem = "a duplicate entry"
            seen.add(info.filename)
            if problem:
                yield Member(index, info.filename, "skip", reason=problem)
            elif info.is_dir():
                yield Member(index, info.filename, "dir", meta=meta)
            else:
                member = Member(index, info.filename, "file", info.file_size, meta)
                member.opener = lambda i=info, m=member: Guarded(m, lambda: self.budget.reader(self.zf.open(i), m.name))
                yield member

    def total_size(self) -> int:
        return sum(i.file_size for i in self.zf.infolist())

    def close(self) -> None:
        self.zf.close()


class Tar(Source):
    """A tar archive (plain or compressed) in stored order; links, devices and unsafe names are skipped."""

    def __init__(self, path: Path, budget: ByteBudget, compression: str) -> None:
        super().__init__(path, budget)
        self.format = "tar" + (f".{compression}" if compression else "")
        if compression:
            budget.bound_by_ratio(path.stat().st_size)
        try:
            self.tf = tarfile.open(path, "r:" + compression)  # noqa: SIM115
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ArchiveError(f"{path} is not a readable tar archive: {exc}") from None

    def members(self) -> Iterator[Member]:
        """The members; a damaged archive ends early, with ``damage`` saying where and why."""
        seen: set[str] = set()
        declared = 0
        index = 0
        entries = iter(self.tf)
        while True:
            try:
                info = next(entries, None)
            except DAMAGE as exc:
                self.damage = (f"{self.path} is damaged after {index} entries ({type(exc).__name__}: {exc}); "
                               "the rest of it cannot be read")
                return
            if info is None:
                try:
                    self._drain()
                except DAMAGE as exc:
                    self.damage = (f"the end of {self.path} is cut or corrupt ({type(exc).__name__}: {exc}); "
                                   f"its {index} entries were read")
                return
            declared += info.size
            self.budget.check(declared, info.name, "declares that it decompresses")
            yield self._member(index, info, seen)
            index += 1

    def _drain(self) -> None:
        """Read the compressed stream to its end, so a cut or corrupt end (gzip CRC, length) is noticed."""
        if self.format == "tar":
            return
        while chunk := self.tf.fileobj.read(1 << 20):
            self.budget.spend(len(chunk), f"the end of {self.path}")

    def _member(self, index: int, info: tarfile.TarInfo, seen: set[str]) -> Member:
        meta = {"mode": info.mode, "mtime": info.mtime, "uid": info.uid, "gid": info.gid,
                "uname": info.uname, "gname": info.gname, "type": "dir" if info.isdir() else "file"}
        problem = name_problem(info.name)
        if problem is None and (info.issym() or info.islnk()):
            problem = "a symbolic or hard link"
        elif problem is None and not (info.isreg() or info.isdir()):
            problem = "a device, FIFO or other special entry"
        elif problem is None and info.name.rstrip("/") in seen:
            problem = "a duplicate entry"
        seen.add(info.name.rstrip("/"))
        if problem:
            return Member(index, info.name, "skip", reason=problem)
        if info.isdir():
            return Member(index, info.name, "dir", meta=meta)
        member = Member(index, info.name, "file", info.size, meta)
        member.opener = lambda: Guarded(member, lambda: self.budget.reader(self.tf.extractfile(info), member.name))
        return member

    def close(self) -> None:
        self.tf.close()


def open_source(path: Path, budget: ByteBudget) -> Source:
    """The reader for ``path``, chosen by what it is: a folder, a .zip, a tar or a single file."""
    if not path.exists():
        raise ArchiveError(f"{path} does not exist")
    if path.is_dir():
        return Folder(path, budget)
    if not path.is_file():
        raise ArchiveError(f"{path} is not a regular file or folder")
    name = path.name.lower()
    if name.endswith(".zip"):
        return Zip(path, budget)
    for suffix, compression in TAR_SUFFIXES.items():
        if name.endswith(suffix):
            return Tar(path, budget, compression)
    return SingleFile(path, budget)
