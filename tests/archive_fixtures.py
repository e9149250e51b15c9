"""Small generated sources for the clean tests: a folder of every kind of file, packed into every format."""

from __future__ import annotations

import csv
import io
import json
import stat
import tarfile
import zipfile
from pathlib import Path

DEBRIS = [
    "sappers from КНДР arrived in Kiev",
    "a safe one», — stated the leader",
    "the village of Покровское",
    "temperature 22 °С at noon",
    "Plain correct English stays as it is.",
    "Kim Jong-un met «victory» fans",
]

BINARY = bytes(range(256)) * 8
LATIN1 = "café déjà vu in Kiev\n".encode("latin-1")


def text_file(lines: list[str]) -> bytes:
    """Lines with mixed endings and no final newline, as real dumps have."""
    endings = ["\n", "\r\n"]
    return "".join(line + endings[i % 2] for i, line in enumerate(lines[:-1])).encode() + lines[-1].encode()


def jsonl_file(lines: list[str]) -> bytes:
    rows = [json.dumps({"id": i, "text": t, "lang": "en"}, ensure_ascii=i % 2 == 0) for i, t in enumerate(lines)]
    rows.insert(2, json.dumps({"id": "no-text"}))
    return ("\n".join(rows) + "\n").encode()


def csv_file(lines: list[str]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(["id", "text", "note"])
    for i, t in enumerate(lines):
        w.writerow([i, t, "multi\nline" if i == 1 else "n"])
    return out.getvalue().encode()


def make_tree(root: Path, lines: list[str] = DEBRIS) -> Path:
    """A folder with text (with and without BOM), JSON Lines, CSV, binary, Latin-1 and an empty folder."""
    (root / "news" / "2024").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "news" / "a.txt").write_bytes(text_file(lines))
    (root / "news" / "2024" / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text_file(lines[:3]))
    (root / "feed.jsonl").write_bytes(jsonl_file(lines))
    (root / "table.csv").write_bytes(csv_file(lines))
    (root / "image.bin").write_bytes(BINARY)
    (root / "old.txt").write_bytes(LATIN1)
    return root


def pack(tree: Path, target: Path) -> Path:
    """``tree`` as a .zip or .tar(.gz) at ``target`` (entries in sorted order, folders included)."""
    paths = sorted(tree.rglob("*"))
    if target.name.endswith(".zip"):
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, p.relative_to(tree).as_posix())
    else:
        mode = "w:gz" if target.name.endswith(".gz") else "w"
        with tarfile.open(target, mode) as tf:
            for p in paths:
                tf.add(p, p.relative_to(tree).as_posix(), recursive=False)
    return target


def read_tree(path: Path) -> dict[str, bytes | None]:
    """Every entry of a folder, zip or tar: name → bytes (``None`` for a folder)."""
    if path.is_dir():
        return {p.relative_to(path).as_posix(): None if p.is_dir() else p.read_bytes() for p in path.rglob("*")}
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            return {i.filename.rstrip("/"): None if i.is_dir() else zf.read(i) for i in zf.infolist()}
    with tarfile.open(path) as tf:
        return {m.name: None if m.isdir() else tf.extractfile(m).read() for m in tf.getmembers()}


def hostile_zip(path: Path) -> Path:
    """A zip with a good entry, a '..' one, an absolute one and a symbolic link."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ok.txt", "in Kiev\n")
        zf.writestr("../escape.txt", "x\n")
        zf.writestr("/etc/abs.txt", "x\n")
        link = zipfile.ZipInfo("link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    return path


def hostile_tar(path: Path) -> Path:
    """A tar with a good entry, '..', an absolute path, a symbolic and a hard link, a char device, a FIFO."""
    with tarfile.open(path, "w") as tf:
        for name, kind in (("ok.txt", tarfile.REGTYPE), ("../escape.txt", tarfile.REGTYPE),
                           ("/abs.txt", tarfile.REGTYPE), ("link", tarfile.SYMTYPE), ("hard", tarfile.LNKTYPE),
                           ("dev", tarfile.CHRTYPE), ("fifo", tarfile.FIFOTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            data = b"in Kiev\n" if kind == tarfile.REGTYPE else b""
            info.size = len(data)
            info.linkname = "/etc/passwd" if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
            tf.addfile(info, io.BytesIO(data))
    return path
