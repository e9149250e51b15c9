"""The hidden sibling a run writes into, its checkpoint, and the atomic publish of the finished output.

Nothing is written at the destination until the end: members are staged in
``.<DST name>.normalizer-partial/`` next to DST, then moved (folder, single file) or packed
(zip, tar) into place with one rename. A crash or Ctrl-C leaves the staging folder (and its
checkpoint, for ``--resume``) but never a half-written DST. Just before that rename the finished
report is saved as ``published.json``, so a ``--resume`` after a kill between the rename and the
removal of the staging folder knows DST is complete and only removes what is left.

The staging folder is made exclusively (mode 0700, with a ``MARKER`` file in it); an existing
link, file or folder of that name that this tool did not make is refused, never followed or
emptied. It is removed through a descriptor of the folder itself, so a link inside is removed
as a link, and its marker goes last: a kill at any moment leaves a folder that is still known as
ours. Modes copied from a source lose their setuid, setgid and sticky bits (``SAFE_MODE``).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path

from .safety import ArchiveError
from .sources import Member

MARKER = "normalizer-staging"
"""The file that marks a staging folder as made by this tool (removed last)."""
PUBLISHED = "published.json"
SAFE_MODE = 0o777
"""The permission bits a copied mode keeps: never setuid, setgid or sticky."""


def safe_mode(mode: int) -> int:
    """``mode`` without its setuid, setgid and sticky bits (and the file type).

    >>> oct(safe_mode(0o104755)), oct(safe_mode(0o3777))
    ('0o755', '0o777')
    """
    return mode & SAFE_MODE


def _nofollow(path: str, flags: int) -> int:
    """An ``opener`` for ``open()`` that never follows a symbolic link at ``path``."""
    return os.open(path, flags | os.O_NOFOLLOW, 0o600)


def open_staged(path: Path, mode: str):
    """A staged file opened for writing (``wb`` or ``r+b``) without following a link."""
    return open(path, mode, opener=_nofollow)


class Staging:
    """The staging folder for one destination."""

    def __init__(self, dst: Path, fmt: str) -> None:
        self.dst, self.format = dst, fmt
        self.root = dst.parent / f".{dst.name}.normalizer-partial"
        self.out = self.root / "out"
        self.checkpoint = self.root / "checkpoint.json"
        self.published = self.root / PUBLISHED

    def exists(self) -> bool:
        """Whether a staging folder of ours is there; a link or a foreign entry there is refused."""
        try:
            st = os.lstat(self.root)
        except FileNotFoundError:
            return False
        if stat.S_ISLNK(st.st_mode):
            raise ArchiveError(f"{self.root} is a symbolic link, not a staging folder made by normalizer clean; "
                               "it is neither followed nor removed: remove it yourself or choose another --out")
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or not self._marked():
            raise ArchiveError(f"{self.root} exists but was not made by normalizer clean; it is left as it is: "
                               "remove it yourself or choose another --out")
        return True

    def _marked(self) -> bool:
        """Whether the folder holds our marker (or nothing at all: a kill just after making or emptying it)."""
        names = os.listdir(self.root)
        return not names or MARKER in names

    def reset(self) -> None:
        """Start empty: an abandoned earlier attempt of ours is removed, the folder is made exclusively."""
        if self.exists():
            self.discard()
        try:
            os.mkdir(self.root, 0o700)
        except FileExistsError:
            raise ArchiveError(f"{self.root} appeared while this run was starting; it is left as it is") from None
        os.chmod(self.root, 0o700)  # no setgid inherited from DST's folder
        fd = os.open(self.root / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        os.mkdir(self.out, 0o755)

    def discard(self) -> None:
        """Remove the staging folder without following any link in it; ``published.json`` and then the
        marker go last, so a kill while removing the rest still lets ``--resume`` see that DST is complete."""
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return
        try:
            last = (PUBLISHED, MARKER)
            for name in sorted(os.listdir(fd), key=lambda n: last.index(n) if n in last else -1):
                _remove(name, fd)
        finally:
            os.close(fd)
        os.rmdir(self.root)

    def holds(self, name: str) -> bool:
        """Whether the staging folder holds ``name`` (``checkpoint.json``, ``published.json``, ``out``)."""
        return os.path.lexists(self.root / name)

    def load(self, path: Path | None = None) -> dict | None:
        """The saved checkpoint (or ``path``), or ``None`` when there is none (or it is unreadable)."""
        try:
            return json.loads((path or self.checkpoint).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, state: dict, path: Path | None = None) -> None:
        """Replace the checkpoint (or ``path``) atomically (a kill mid-save leaves the previous one)."""
        path = path or self.checkpoint
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8", opener=_nofollow) as f:
            json.dump(state, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def path_for(self, member: Member) -> Path:
        """Where a member is staged: its own relative path for a folder, its index otherwise."""
        if self.format == "folder":
            return self.out / member.name
        return self.out / f"{member.index:08d}"

    def finish_member(self, member: Member) -> None:
        """Give a staged folder or single file the mode and modification time of its source."""
        if self.format in ("folder", "file") and "mode" in member.meta:
            path = self.path_for(member)
            os.chmod(path, safe_mode(member.meta["mode"]) | 0o600)
            os.utime(path, (member.meta["mtime"], member.meta["mtime"]))

    def publish(self, manifest: list[dict], final: dict) -> None:
        """Move the finished output to DST in one rename (after packing it, for archives).

        ``final`` (the job and its report) is saved first as ``published.json``; see ``leftover``.
        """
        if self.format == "folder":
            self.save(final, self.published)
            os.rename(self.out, self.dst)
        elif self.format == "file":
            self.save(final, self.published)
            os.replace(self.out / f"{0:08d}", self.dst)
        else:
            packed = self.root / "packed"
            try:
                if self.format == "zip":
                    self._pack_zip(packed, manifest)
                else:
                    self._pack_tar(packed, manifest)
            except BaseException:
                packed.unlink(missing_ok=True)
                raise
            self.save(final, self.published)
            os.replace(packed, self.dst)
        self.discard()

    def leftover(self, job: dict) -> dict | None:
        """The final state of a run of ``job`` that published DST but was killed before removing this folder."""
        final = self.load(self.published)
        return final if final is not None and final.get("job") == job else None

    def _pack_zip(self, packed: Path, manifest: list[dict]) -> None:
        with zipfile.ZipFile(packed, "w") as zf:
            for entry in manifest:
                meta = entry["meta"]
                info = zipfile.ZipInfo(entry["name"], tuple(meta["date_time"]))
                info.compress_type = meta["compress_type"]
                info.external_attr = meta["external_attr"] & ~((stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX) << 16)
                if entry["kind"] == "dir":
                    zf.writestr(info, b"")
                    continue
                with open(self.out / f"{entry['index']:08d}", "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)

    def _pack_tar(self, packed: Path, manifest: list[dict]) -> None:
        compression = self.format.partition(".")[2]
        with contextlib.ExitStack() as stack:
            if compression == "gz":  # no timestamp in the gzip header: the same input packs to the same bytes
                fileobj = stack.enter_context(gzip.GzipFile(packed, "wb", mtime=0))
                tf = stack.enter_context(tarfile.open(fileobj=fileobj, mode="w", format=tarfile.PAX_FORMAT))
            else:
                tf = stack.enter_context(tarfile.open(packed, "w:" + compression, format=tarfile.PAX_FORMAT))
            for entry in manifest:
                meta = entry["meta"]
                info = tarfile.TarInfo(entry["name"])
                info.mode, info.mtime = safe_mode(meta["mode"]), meta["mtime"]
                info.uid, info.gid = meta["uid"], meta["gid"]
                info.uname, info.gname = meta["uname"], meta["gname"]
                if entry["kind"] == "dir":
                    info.type = tarfile.DIRTYPE
                    tf.addfile(info)
                    continue
                path = self.out / f"{entry['index']:08d}"
                info.size = path.stat().st_size
                with open(path, "rb") as src:
                    tf.addfile(info, src)



def _remove(name: str, dir_fd: int) -> None:
    """Remove the entry ``name`` of the folder ``dir_fd``: a folder with everything in it, a link as a link."""
    if stat.S_ISDIR(os.lstat(name, dir_fd=dir_fd).st_mode):
        shutil.rmtree(name, dir_fd=dir_fd)
    else:
        os.unlink(name, dir_fd=dir_fd)
