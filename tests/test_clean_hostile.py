"""``normalizer clean`` on hostile archives (issue 7): a clear message, the good records cleaned, the bad ones
copied through unchanged and listed, never a traceback and never a lost record.

Zip slip, absolute paths, links and devices inside archives are also covered in test_clean.py (in process);
here the same archives go through the command line, with the cases test_clean.py does not have.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from archive_fixtures import hostile_tar, hostile_zip, read_tree

from normalizer.archive.records import NotText, classify
from normalizer.clean import clean
from normalizer.cli import DAMAGED_SOURCE


def run_clean(src: Path, dst: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict | None]:
    """The command line on ``src``; its result and its JSON report (``None`` when it wrote none)."""
    report = dst.parent / "report.json"
    done = subprocess.run([sys.executable, "-m", "normalizer.cli", "clean", str(src), "--out", str(dst),
                           "--report", str(report), *extra], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done, json.loads(report.read_text()) if report.exists() else None


def _out(tmp_path: Path, name: str) -> Path:
    (tmp_path / "out").mkdir()
    return tmp_path / "out" / name


@pytest.mark.parametrize("make", [hostile_zip, hostile_tar], ids=["zip", "tar"])
def test_zip_slip_absolute_paths_links_and_devices_on_the_command_line(tmp_path, make):
    src = make(tmp_path / ("evil.zip" if make is hostile_zip else "evil.tar"))
    dst = _out(tmp_path, src.name)
    done, report = run_clean(src, dst)
    assert done.returncode == 0
    assert read_tree(dst) == {"ok.txt": b"in Kyiv\n"}
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert reasons["../escape.txt"] == "a '..' component escapes the archive"
    assert "an absolute path" in reasons.values()
    if make is hostile_tar:
        assert reasons["dev"] == reasons["fifo"] == "a device, FIFO or other special entry"
        assert reasons["link"] == reasons["hard"] == "a symbolic or hard link"
    assert f"skipped: {len(reasons)}" in done.stderr
    assert sorted(os.listdir(tmp_path)) == ["evil.tar" if make is hostile_tar else "evil.zip", "out"]


def test_symlinked_folders_and_links_out_of_the_tree_are_not_followed(tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "a.txt").write_text("in Kiev\n")
    (tree / "loop").symlink_to(tree)
    (tree / "sub" / "up").symlink_to("../..")
    (tree / "secret.txt").symlink_to("/etc/hostname")
    dst = _out(tmp_path, "clean")
    done, report = run_clean(tree, dst)
    assert done.returncode == 0
    assert read_tree(dst) == {"sub": None, "sub/a.txt": b"in Kyiv\n"}
    assert {s["path"]: s["reason"] for s in report["skipped"]} == dict.fromkeys(
        ["loop", "secret.txt", "sub/up"], "a symbolic link (not followed)")


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_a_decompression_bomb_is_refused_in_one_line_and_leaves_nothing(tmp_path, kind):
    src = tmp_path / f"bomb.{kind}"
    zeros = b"0" * 5_000_000
    if kind == "zip":
        with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("a.txt", b"in Kiev\n")
            zf.writestr("zeros.txt", zeros)
    else:
        with tarfile.open(src, "w:gz") as tf:
            for name, data in (("a.txt", b"in Kiev\n"), ("zeros.txt", zeros)):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    assert src.stat().st_size < 30_000
    dst = _out(tmp_path, f"clean.{kind}")
    done, report = run_clean(src, dst, "--max-bytes", "1000000")
    assert done.returncode == 2 and report is None
    assert done.stderr.count("\n") == 1 and "decompression bomb" in done.stderr
    assert os.listdir(dst.parent) == []


def _tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _lines(n: int, salt: str) -> bytes:
    return "".join(f"{salt} line {i} in Kiev {hash((salt, i)) & 0xFFFFFF:06x}\n" for i in range(n)).encode()


def test_a_truncated_tar_gz_keeps_what_can_be_read_and_says_what_is_missing(tmp_path):
    members = {"a.txt": _lines(3000, "a"), "b.txt": _lines(3000, "b"), "c.txt": _lines(3000, "c")}
    whole = _tar_gz(tmp_path / "whole.tar.gz", members).read_bytes()
    src = tmp_path / "cut.tar.gz"
    src.write_bytes(whole[: len(whole) * 2 // 3])
    dst = _out(tmp_path, "clean.tar.gz")
    done, report = run_clean(src, dst)
    assert done.returncode == DAMAGED_SOURCE
    warnings = [line for line in done.stderr.splitlines() if line.startswith("normalizer: warning: ")]
    assert len(warnings) == len(report["damaged"]) >= 1 and "the rest of it cannot be read" in warnings[-1]
    out = read_tree(dst)
    assert out["a.txt"] == members["a.txt"].replace(b"Kiev", b"Kyiv")
    assert all(members[name].replace(b"Kiev", b"Kyiv").startswith(data) for name, data in out.items())
    assert report["damaged"][-1]["path"] == str(src)


def test_a_tar_gz_without_its_gzip_trailer_is_cleaned_and_reported(tmp_path):
    members = {"a.txt": _lines(200, "a")}
    whole = _tar_gz(tmp_path / "whole.tar.gz", members).read_bytes()
    src = tmp_path / "cut.tar.gz"
    src.write_bytes(whole[:-8])  # the CRC-32 and length are gone; the data is all there
    dst = _out(tmp_path, "clean.tar.gz")
    done, report = run_clean(src, dst)
    assert done.returncode == DAMAGED_SOURCE and "the end of" in done.stderr and "is cut or corrupt" in done.stderr
    assert read_tree(dst) == {"a.txt": members["a.txt"].replace(b"Kiev", b"Kyiv")}
    assert len(report["damaged"]) == 1 and report["records"]["in"] == 200


def test_a_corrupt_zip_member_is_reported_and_the_others_are_cleaned(tmp_path):
    src = tmp_path / "bad.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", _lines(50, "a"))
        zf.writestr("b.txt", _lines(50, "b"))
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("b.txt")
    body = info.header_offset + 30 + len(info.filename)
    data[body + 10: body + 20] = b"\xff" * 10
    src.write_bytes(bytes(data))
    dst = _out(tmp_path, "clean.zip")
    done, report = run_clean(src, dst)
    assert done.returncode == DAMAGED_SOURCE and "damaged inside b.txt" in done.stderr
    out = read_tree(dst)
    assert out["a.txt"] == _lines(50, "a").replace(b"Kiev", b"Kyiv")
    assert [d["path"] for d in report["damaged"]] == ["b.txt"]


def test_a_csv_with_a_nul_byte_and_a_10_mb_field(tmp_path):
    big = ("The talks in Geneva went on. " * 370_000)[:10 * 1024 * 1024] + " in Kiev"
    rows = [["id", "text", "note"], ["1", "sappers from КНДР", "a"], ["2", "bad\x00 in Kiev", "b"],
            ["3", big, "c"], ["4", "in Kiev", "x\x00y"], ["5", "«victory»", "e"]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    src = tmp_path / "table.csv"
    src.write_bytes(buffer.getvalue().encode())
    source_rows = src.read_bytes().split(b"\n")
    report = clean(src, tmp_path / "clean.csv").to_dict()
    out_rows = (tmp_path / "clean.csv").read_bytes().split(b"\n")
    assert len(out_rows) == len(source_rows)
    assert out_rows[2] == source_rows[2] and out_rows[4] == source_rows[4]
    table = list(csv.reader(io.StringIO((tmp_path / "clean.csv").read_text(), newline="")))
    assert [r[1] for r in table[1:]] == ["sappers from DPRK", "bad\x00 in Kiev", big[:-4] + "Kyiv", "in Kiev",
                                          "“victory”"]
    assert report["failures"] == {"count": 2, "listed": [
        {"file": "table.csv", "record": 3, "reason": "row 3 contains a NUL byte (copied unchanged)"},
        {"file": "table.csv", "record": 5, "reason": "row 5 contains a NUL byte (copied unchanged)"}]}
    assert report["records"]["in"] == report["records"]["out"] == 6 and report["copied"] == []


def test_a_nul_byte_in_a_text_line_only_keeps_that_line(tmp_path):
    src = tmp_path / "a.txt"
    plain = b"a plain line of English text\n" * 4  # one NUL in 150 bytes: text with a bad line, not binary
    src.write_bytes(b"in Kiev\nbad \x00 Kiev\r\n" + plain + b"last Kiev")
    report = clean(src, tmp_path / "b.txt").to_dict()
    assert (tmp_path / "b.txt").read_bytes() == b"in Kyiv\nbad \x00 Kiev\r\n" + plain + b"last Kyiv"
    assert [f["reason"] for f in report["failures"]["listed"]] == ["line 2 contains a NUL byte (copied unchanged)"]


def test_binary_and_utf16_without_a_mark_are_still_copied_whole():
    with pytest.raises(NotText, match="binary data"):
        classify("plain text, in UTF-16".encode("utf-16-le"))
    with pytest.raises(NotText, match="binary data"):
        classify(b"text\x00\xff\xfe")
    assert classify(b"a long line of text " * 10 + b"\x00") == "utf-8"


def test_json_lines_with_invalid_lines_and_fields_that_are_not_strings(tmp_path):
    lines = [b'{"id": 1, "text": "in Kiev"}', b'{"id": 2, "text": null}', b'{"id": 3, "text": 42}',
             b'{"id": 4, "text": {"nested": "Kiev"}}', b'{"id": 5, "text": ["Kiev"]}', b'{"id": 6, "text": true}',
             b'["Kiev"]', b'"Kiev"', b'{"id": 8, "text": "unterminated', b"{bad json}", b'{"id": 9}',
             b'{"id": 10, "text": "\\u041a\\u041d\\u0414\\u0420"} trailing', b'{"id": 11, "text": "ok Kiev"}']
    src = tmp_path / "feed.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    dst = _out(tmp_path, "clean.jsonl")
    done, report = run_clean(src, dst)
    assert done.returncode == 0 and "failed records (copied unchanged): 10" in done.stderr
    out = dst.read_bytes().split(b"\n")
    assert out[0] == b'{"id": 1, "text": "in Kyiv"}' and out[12] == b'{"id": 11, "text": "ok Kyiv"}'
    assert out[1:12] == lines[1:12] and out[13] == b""
    reasons = {f["record"]: f["reason"] for f in report["failures"]["listed"]}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 12]
    assert reasons[2] == "line 2: 'text' is null, not a string"
    assert reasons[3] == "line 3: 'text' is a number, not a string"
    assert reasons[4] == "line 4: 'text' is an object, not a string"
    assert reasons[5] == "line 5: 'text' is an array, not a string"
    assert reasons[6] == "line 6: 'text' is a boolean, not a string"
    assert reasons[7] == "line 7 is an array, not a JSON object"
    assert reasons[8] == "line 8 is a string, not a JSON object"
    assert all("is not valid JSON" in reasons[n] for n in (9, 10, 12))
    assert report["records"] == {"in": 13, "out": 13, "changed": 2}


def test_a_zip_entry_in_an_unreadable_compression_method_is_skipped_and_listed(tmp_path):
    src = tmp_path / "deflate64.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", "in Kiev\n")
        zf.writestr("b.txt", "in Kiev too\n")
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        local = zf.getinfo("b.txt").header_offset
    central = data.rfind(b"PK\x01\x02")
    data[local + 8: local + 10] = data[central + 10: central + 12] = (9).to_bytes(2, "little")  # Deflate64
    src.write_bytes(bytes(data))
    dst = _out(tmp_path, "clean.zip")
    done, report = run_clean(src, dst)
    assert done.returncode == 0 and read_tree(dst) == {"a.txt": b"in Kyiv\n"}
    assert report["skipped"] == [{"path": "b.txt",
                                  "reason": "compressed with a method this tool cannot read (zip method 9)"}]
