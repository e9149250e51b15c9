"""``normalizer clean``: every format both ways, nothing lost, atomic and resumable, safe on hostile archives."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from archive_fixtures import BINARY, DEBRIS, LATIN1, hostile_tar, hostile_zip, make_tree, pack, read_tree

from normalizer import normalize
from normalizer.archive import ArchiveError
from normalizer.clean import CleanOptions, clean
from normalizer.engine import Normalizer

EXPECTED = [normalize(t).text for t in DEBRIS]


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8-sig").replace("\r\n", "\n").split("\n")


def _check_tree(out: dict[str, bytes | None], source: dict[str, bytes | None]) -> None:
    """Same entries; text cleaned line by line, JSON and CSV cleaned in their field, the rest byte for byte."""
    assert sorted(out) == sorted(source)
    assert _lines(out["news/a.txt"]) == EXPECTED
    assert out["news/2024/bom.txt"].startswith(b"\xef\xbb\xbf")
    assert _lines(out["news/2024/bom.txt"]) == EXPECTED[:3]
    rows = [json.loads(line) for line in out["feed.jsonl"].splitlines()]
    assert [r.get("text") for r in rows if "text" in r] == EXPECTED
    assert len(rows) == len(source["feed.jsonl"].splitlines())
    table = list(csv.reader(io.StringIO(out["table.csv"].decode(), newline=""), delimiter=";"))
    assert table[0] == ["id", "text", "note"] and [r[1] for r in table[1:]] == EXPECTED
    assert table[2][2] == "multi\nline"
    assert out["image.bin"] == BINARY and out["old.txt"] == LATIN1
    for name in ("news/a.txt", "feed.jsonl", "table.csv"):
        assert out[name].count(b"\n") == source[name].count(b"\n")


@pytest.mark.parametrize("fmt", ["folder", "zip", "tar", "tar.gz"])
def test_every_archive_format_comes_back_in_the_same_shape(tmp_path, fmt):
    tree = make_tree(tmp_path / "tree")
    src = tree if fmt == "folder" else pack(tree, tmp_path / f"src.{fmt}")
    dst = tmp_path / ("out" if fmt == "folder" else f"out.{fmt}")
    report = clean(src, dst).to_dict()
    _check_tree(read_tree(dst), read_tree(src))
    assert report["format"] == fmt
    assert report["records"]["in"] == report["records"]["out"] == len(DEBRIS) + 3 + 2 * (len(DEBRIS) + 1)
    assert {c["path"] for c in report["copied"]} == {"image.bin", "old.txt"}
    assert "not UTF-8" in next(c["reason"] for c in report["copied"] if c["path"] == "old.txt")
    assert report["edits"]["by_category"]["translation"] >= 4 and report["edits"]["by_rule"]["gazetteer.place.kyiv"]
    assert not list(tmp_path.glob(".*normalizer-partial"))


@pytest.mark.parametrize("name", ["feed.jsonl", "table.csv", "news/a.txt"])
def test_single_files_are_cleaned_record_by_record(tmp_path, name):
    tree = make_tree(tmp_path / "tree")
    src = tree / name
    dst = tmp_path / Path(name).name
    report = clean(src, dst).to_dict()
    assert report["format"] == "file"
    out = dst.read_bytes()
    assert out.count(b"\n") == src.read_bytes().count(b"\n")
    assert report["files"][0]["records"] == len(DEBRIS) + (0 if name.endswith(".txt") else 1)
    assert "Kyiv" in out.decode() and "КНДР" not in out.decode()


def test_json_lines_keep_every_other_byte(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id":1,  "text" : "in Kiev", "x":"\\u00e9", "n": 1.0e5}\n'
                    b'{"text": "\\u041a\\u041d\\u0414\\u0420 news"}\n'
                    b'not json at all\n\n{"text": 5}\n')
    report = clean(src, tmp_path / "out.jsonl").to_dict()
    lines = (tmp_path / "out.jsonl").read_bytes().split(b"\n")
    assert lines[0] == b'{"id":1,  "text" : "in Kyiv", "x":"\\u00e9", "n": 1.0e5}'
    assert json.loads(lines[1]) == {"text": "DPRK news"}
    assert lines[2:] == [b"not json at all", b"", b'{"text": 5}', b""]
    assert [(f["record"], f["reason"][:22]) for f in report["failures"]["listed"]] == [
        (3, "line 3 is not valid JS"), (5, "line 5: 'text' is a nu")]


def test_csv_dialect_header_and_unchanged_rows_are_kept(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b'"id"\t"body"\r\n"1"\t"Kiev"\r\n"2"\t"plain"\r\n')
    clean(src, tmp_path / "out.csv", CleanOptions(column="body"))
    assert (tmp_path / "out.csv").read_bytes() == b'"id"\t"body"\r\n1\tKyiv\r\n"2"\t"plain"\r\n'


def test_a_failing_record_is_copied_through_and_listed(tmp_path, monkeypatch):
    original = Normalizer.normalize

    def flaky(self, text, **kw):
        if "Покровское" in text:
            raise RuntimeError("boom")
        return original(self, text, **kw)

    monkeypatch.setattr(Normalizer, "normalize", flaky)
    src = make_tree(tmp_path / "tree") / "news" / "a.txt"
    report = clean(src, tmp_path / "a.txt").to_dict()
    lines = _lines((tmp_path / "a.txt").read_bytes())
    assert lines[2] == DEBRIS[2] and lines[0] == EXPECTED[0]
    assert len(lines) == len(DEBRIS) == report["records"]["out"]
    assert report["failures"]["listed"] == [{"file": "a.txt", "record": 3, "reason": "RuntimeError: boom"}]


def test_workers_keep_the_order(tmp_path, corpus):
    lines = (corpus / "wmt22-news-systems/system-outputs/generaltest2022.uk-en.hyp.Online-B.en").read_text(
        encoding="utf-8").splitlines()[:1500]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = clean(src, tmp_path / "one.txt").to_dict()
    two = clean(src, tmp_path / "two.txt", CleanOptions(workers=2)).to_dict()
    assert (tmp_path / "one.txt").read_bytes() == (tmp_path / "two.txt").read_bytes()
    assert _lines((tmp_path / "two.txt").read_bytes())[:-1] == [normalize(t).text for t in lines]
    for key in ("records", "edits", "warnings", "failures"):
        assert one[key] == two[key]


# Hostile input


@pytest.mark.parametrize("make", [hostile_zip, hostile_tar], ids=["zip", "tar"])
def test_unsafe_entries_are_skipped_and_listed(tmp_path, make):
    src = make(tmp_path / ("evil.zip" if make is hostile_zip else "evil.tar"))
    dst = tmp_path / "out" / src.name
    dst.parent.mkdir()
    report = clean(src, dst).to_dict()
    assert read_tree(dst) == {"ok.txt": b"in Kyiv\n"}
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert "'..'" in reasons["../escape.txt"] and "link" in reasons["link"]
    assert len(reasons) == (3 if make is hostile_zip else 6)
    assert not (tmp_path / "escape.txt").exists()


def test_symlinks_and_fifos_in_a_folder_are_not_followed(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_text("in Kiev\n")
    (tree / "link.txt").symlink_to("/etc/passwd")
    os.mkfifo(tree / "pipe")
    report = clean(tree, tmp_path / "out").to_dict()
    assert read_tree(tmp_path / "out") == {"a.txt": b"in Kyiv\n"}
    assert {s["path"] for s in report["skipped"]} == {"link.txt", "pipe"}


def test_a_zip_bomb_is_refused_and_leaves_nothing(tmp_path):
    src = tmp_path / "bomb.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.txt", b"0" * 5_000_000)
    assert src.stat().st_size < 20_000
    with pytest.raises(ArchiveError, match="decompression bomb"):
        clean(src, tmp_path / "out.zip", CleanOptions(max_bytes=1_000_000))
    assert os.listdir(tmp_path) == ["bomb.zip"]


def test_output_inside_the_source_is_refused(tmp_path):
    tree = make_tree(tmp_path / "tree")
    with pytest.raises(ArchiveError, match="must not be inside"):
        clean(tree, tree / "news" / "out")
    with pytest.raises(ArchiveError, match="already exists"):
        clean(tree, tree)


# Interrupted runs


def _wait_for_checkpoint(staging: Path, above: int, proc: subprocess.Popen) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run finished before it could be interrupted"
        try:
            done = json.loads((staging / "checkpoint.json").read_text())["records"]
        except (OSError, ValueError, KeyError):
            done = 0
        if done > above:
            return done
        time.sleep(0.05)
    raise AssertionError("no checkpoint was written")


def test_an_interrupted_run_leaves_no_output_and_resumes_to_the_same_records(tmp_path, corpus):
    lines = (corpus / "wmt21-news-systems/system-outputs/newstest2021.ru-en.hyp.Online-W.en").read_text(
        encoding="utf-8").splitlines()
    src = tmp_path / "big.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for i in range(40_000):
            f.write(json.dumps({"id": i, "text": lines[i % len(lines)] + (" in Kiev" if i % 3 else "")}) + "\n")
    dst, staging = tmp_path / "out.jsonl", tmp_path / ".out.jsonl.normalizer-partial"
    command = [sys.executable, "-m", "normalizer.cli", "clean", str(src), "--out", str(dst), "--quiet",
               "--checkpoint-seconds", "0.05"]

    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    done = _wait_for_checkpoint(staging, 0, first)
    first.send_signal(signal.SIGINT)
    assert first.wait(30) == 130 and "--resume" in first.stderr.read()
    assert not dst.exists()

    second = subprocess.Popen([*command, "--resume"], stderr=subprocess.PIPE, text=True)
    _wait_for_checkpoint(staging, done, second)
    second.kill()
    second.wait(30)
    assert not dst.exists()

    third = subprocess.run([*command, "--resume", "--report", str(tmp_path / "r.json")], capture_output=True,
                           text=True, timeout=120)
    assert third.returncode == 0, third.stderr
    out = dst.read_bytes().splitlines()
    assert len(out) == 40_000
    assert [json.loads(line)["id"] for line in out] == list(range(40_000))
    for i in (0, 1, done - 1, done, done + 1, 39_999):
        text = lines[i % len(lines)] + (" in Kiev" if i % 3 else "")
        assert json.loads(out[i])["text"] == normalize(text).text
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["records"] == {"in": 40_000, "out": 40_000, "changed": report["records"]["changed"]}
    assert report["files"][0]["records"] == 40_000
    assert report["edits"]["by_rule"]["gazetteer.place.kyiv"] >= 40_000 * 2 // 3
    assert not staging.exists()


def test_cleaning_the_output_again_changes_nothing(tmp_path):
    tree = make_tree(tmp_path / "tree")
    clean(tree, tmp_path / "once")
    report = clean(tmp_path / "once", tmp_path / "twice").to_dict()
    assert read_tree(tmp_path / "twice") == read_tree(tmp_path / "once")
    assert report["records"]["changed"] == 0 and report["edits"]["total"] == 0
