"""The hidden sibling a run writes into, its checkpoint, and the atomic publish of the finished output.

Nothing is written at the destination until the end: members are staged in
``.<DST name>.normalizer-partial/`` next to DST, then moved (folder, single file) or packed
(zip, tar) into place with one rename. A crash or Ctrl-C leaves the staging folder (and its
checkpoint, for ``--resume``) but never a half-written DST. Just before that rename the finished
report is saved as ``published.json``, so a ``--resume`` after a kill between the rename and the
removal of the staging folder knows DST is complete and only removes what is left.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

from .sources import Member


class Staging:
    """The staging folder for one destination."""

    def __init__(self, dst: Path, fmt: str) -> None:
        self.dst, self.format = dst, fmt
        self.root = dst.parent / f".{dst.name}.normalizer-partial"
        self.out = self.root / "out"
        self.checkpoint = self.root / "checkpoint.json"
        self.published = self.root / "published.json"

    def reset(self) -> None:
        """Start empty (an abandoned earlier attempt is removed)."""
        self.discard()
        self.out.mkdir(parents=True)

    def discard(self) -> None:
        """Remove the staging folder; ``published.json`` goes last, so a kill while removing
        the rest still lets ``--resume`` see that DST is complete."""
        if not self.root.exists():
            return
        for child in self.root.iterdir():
            if child == self.published:
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        self.published.unlink(missing_ok=True)
        self.root.rmdir()

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
        with open(tmp, "w", encoding="utf-8") as f:
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
            os.chmod(path, member.meta["mode"] | 0o600)
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
                info.compress_type, info.external_attr = meta["compress_type"], meta["external_attr"]
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
                info.mode, info.mtime, info.uid, info.gid = meta["mode"], meta["mtime"], meta["uid"], meta["gid"]
                info.uname, info.gname = meta["uname"], meta["gname"]
                if entry["kind"] == "dir":
                    info.type = tarfile.DIRTYPE
                    tf.addfile(info)
                    continue
                path = self.out / f"{entry['index']:08d}"
                info.size = path.stat().st_size
                with open(path, "rb") as src:
                    tf.addfile(info, src)

