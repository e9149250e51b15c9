"""``normalizer clean``'s limits (issue 13): a record over ``--max-record-bytes`` is streamed through unchanged and
listed, decompression stops at ``--max-ratio`` times the archive as well as at ``--max-bytes``; and a ``--field``
or ``--column`` that matches nothing is an error, not a silent no-op (issue 16)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from archive_fixtures import read_tree

from normalizer.clean import CleanOptions, clean

BIG = 24 * 1024 * 1024


def run(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "normalizer.cli", *args], capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _peak_bytes(src: Path, dst: Path, options: CleanOptions) -> tuple[int, dict]:
    """The Python memory peak of cleaning ``src`` (the engine loaded before), and the report."""
    warm = src.parent / "warm.txt"
    warm.write_text("in Kiev\n")
    clean(warm, src.parent / "warm-out.txt", options)
    tracemalloc.start()
    try:
        report = clean(src, dst, options).to_dict()
        return tracemalloc.get_traced_memory()[1], report
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", ["feed.jsonl", "notes.txt"])
def test_a_record_over_the_limit_is_streamed_through_unchanged_and_listed(tmp_path, name):
    huge = b'{"text": "' + b"in Kiev " * (BIG // 8) + b'"}' if name.endswith(".jsonl") else b"in Kiev " * (BIG // 8)
    src = tmp_path / name
    first = b'{"text": "in Kiev"}\n' if name.endswith(".jsonl") else b"in Kiev\n"
    src.write_bytes(first + huge + b"\n" + first + huge)
    dst = tmp_path / ("out-" + name)
    peak, report = _peak_bytes(src, dst, CleanOptions(max_record_bytes=1024 * 1024))
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB for two {BIG / 2**20:.0f} MiB records"
    fixed = first.replace(b"Kiev", b"Kyiv")
    assert dst.read_bytes() == fixed + huge + b"\n" + fixed + huge
    assert report["records"] == {"in": 4, "out": 4, "changed": 2}
    assert [(f["record"], f["reason"]) for f in report["failures"]["listed"]] == [
        (n, f"line {n} is over the --max-record-bytes limit ({len(huge) + (n == 2)} bytes; copied unchanged)")
        for n in (2, 4)]


def test_a_table_with_a_row_over_the_limit_is_copied_whole_and_listed(tmp_path):
    src = tmp_path / "t.csv"
    src.write_bytes(b"id,text\n1,in Kiev\n2,\"" + b"in Kiev\n" * 300_000 + b"\"\n3,in Kiev\n")
    report = clean(src, tmp_path / "out.csv", CleanOptions(max_record_bytes=1024 * 1024)).to_dict()
    assert (tmp_path / "out.csv").read_bytes() == src.read_bytes()
    assert report["copied"] == [{"path": "t.csv", "reason": "a row over the --max-record-bytes limit of "
                                 f"{1024 * 1024} bytes; the table is copied unchanged"}]


def _zeros_archive(path: Path, size: int) -> Path:
    zeros = b"0" * size
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("a.txt", b"in Kiev\n")
            zf.writestr("zeros.txt", zeros)
        return path
    with tarfile.open(path, "w:gz") as tf:
        for name, data in (("a.txt", b"in Kiev\n"), ("zeros.txt", zeros)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_decompression_stops_at_a_ratio_of_the_archive_size_naming_the_entry(tmp_path, kind):
    src = _zeros_archive(tmp_path / f"bomb.{kind}", 20 * 1024 * 1024)
    assert src.stat().st_size < 200_000  # over 100 times smaller than its content
    (tmp_path / "out").mkdir()
    dst = tmp_path / "out" / f"clean.{kind}"
    done = run("clean", str(src), "--out", str(dst))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("normalizer: zeros.txt: ") and "--max-ratio" in done.stderr
    assert "decompression bomb" in done.stderr
    assert list((tmp_path / "out").iterdir()) == []
    raised = run("clean", str(src), "--out", str(dst), "--max-ratio", "100000", "--max-record-bytes", "1000000",
                 "--quiet")
    assert raised.returncode == 0, raised.stderr
    assert read_tree(dst)["a.txt"] == b"in Kyiv\n" and len(read_tree(dst)["zeros.txt"]) == 20 * 1024 * 1024


def test_the_absolute_budget_names_the_entry_too(tmp_path):
    src = _zeros_archive(tmp_path / "bomb.tar.gz", 5_000_000)
    done = run("clean", str(src), "--out", str(tmp_path / "out.tar.gz"), "--max-bytes", "1000000",
               "--max-ratio", "100000")
    assert done.returncode == 2 and "zeros.txt" in done.stderr and "--max-bytes" in done.stderr, done.stderr


# --field / --column that match nothing (issue 16)


def test_a_field_that_no_record_has_is_an_error_and_nothing_is_written(tmp_path):
    src = tmp_path / "feed.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": "in Kiev"}) + "\n" for i in range(3)))
    done = run("clean", str(src), "--out", str(tmp_path / "out.jsonl"), "--field", "txet")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "--field 'txet' matches no record" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]
    ok = run("clean", str(src), "--out", str(tmp_path / "out.jsonl"), "--field", "text", "--quiet")
    assert ok.returncode == 0 and "Kyiv" in (tmp_path / "out.jsonl").read_text()


def test_a_column_that_no_table_has_is_an_error_and_nothing_is_written(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("id,text\n1,in Kiev\n")
    done = run("clean", str(src), "--out", str(tmp_path / "out.csv"), "--column", "body")
    assert done.returncode == 2 and "--column 'body' matches no record" in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_a_field_that_only_some_files_have_is_fine(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.jsonl").write_text('{"body": "in Kiev"}\n')
    (tree / "b.jsonl").write_text('{"text": "in Kiev"}\n')
    report = clean(tree, tmp_path / "out").to_dict()
    assert report["records"]["changed"] == 1
