"""The benchmark runs end to end in a tiny mode and prints every row; speed itself is measured by `make bench`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PEERS = ("sacremoses", "unidecode", "iuliia", "cyrtranslit", "ahocorasick")

pytestmark = pytest.mark.corpus


@pytest.fixture
def bench(monkeypatch):
    """The ``bench`` package, importable from the repository root."""
    monkeypatch.syspath_prepend(str(ROOT))
    import bench.corpora

    return bench


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[str, dict]:
    for peer in PEERS:
        pytest.importorskip(peer, reason="the bench extra is not installed (pip install -e '.[bench]')")
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--lines", "200", "--repeat", "1", "--shapes-mb", "0.01",
                           "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads(out.read_text(encoding="utf-8"))


def test_the_table_has_every_peer_profile_and_floor(corpus, tiny_run):
    stdout, figures = tiny_run
    rows = {(r["corpus"], r["subject"], r["mode"]) for r in figures["rows"]}
    expected = {
        *((c, s, "line") for c in ("clean", "mt", "debris")
          for s in ("normalizer default", "normalizer ascii", "normalizer minimal", "ftfy.fix_text", "sacremoses",
                    "unidecode", "anyascii", "langdetect", "floor regex", "floor aho-corasick")),
        ("clean", "normalizer default", "document"), ("clean", "floor aho-corasick", "document"),
        ("debris", "normalize_many workers=1", "batch"), ("debris", "normalize_many workers=2", "batch"),
        ("ru", "transliterate ru/wikipedia", "line"), ("ru", "iuliia WIKIPEDIA", "line"),
        ("ru", "cyrtranslit", "line"), ("uk", "cyrtranslit", "line"), ("uk", "transliterate", "line"),
    }
    assert expected <= rows
    table = stdout.split("\n\nRatios")[0].splitlines()
    for corpus_name, subject, mode in rows:
        assert any(line.split()[:2] == [corpus_name, mode] and f"  {subject}  " in line for line in table), subject
    assert all(r["mb_s"] > 0 and r["lines"] == 200 for r in figures["rows"])


def test_every_target_is_judged_in_the_printout(corpus, tiny_run):
    stdout, figures = tiny_run
    labels = [t["target"] for t in figures["targets"]]
    assert "default, clean English ≥ 10× ftfy" in labels and "ru/wikipedia ≥ 1× iuliia WIKIPEDIA" in labels
    for t in figures["targets"]:
        assert t["result"] in ("PASS", "FAIL")
        assert any(line.startswith(t["result"]) and t["target"] in line for line in stdout.splitlines()), t
    assert "rule compile, load_ruleset() (s)" in figures["footprint"]


def test_debris_is_injected_reproducibly_into_about_half_the_lines(corpus, bench):
    lines = bench.corpora.read_lines(bench.corpora.SOURCES["mt"], corpus)[:2000]
    first, again, other = (bench.corpora.inject(lines, seed) for seed in (0, 0, 1))
    assert first == again != other
    dirty = sum(a != b for a, b in zip(lines, first, strict=True))
    assert 0.4 < dirty / len(lines) < 0.6
    assert any("«" in line for line in first) and any("\u00a0" in line for line in first)


def test_a_corpus_is_its_lines_cycled_to_the_requested_size(corpus, bench):
    built = bench.corpora.build(300_000, names=("ru", "clean"), root=corpus)
    for c in built.values():
        assert 300_000 <= c.size < 300_000 + 2_000
        assert c.text.count("\n") == len(c.lines) - 1
    assert bench.corpora.build(count=50, names=("uk",), root=corpus)["uk"].lines[:3] == \
        tuple(bench.corpora.read_lines(bench.corpora.SOURCES["uk"], corpus)[:3])


def test_foreign_text_and_the_mixed_archive_have_rows_and_targets(corpus, tiny_run):
    _, figures = tiny_run
    rows = {(r["corpus"], r["subject"], r["mode"]) for r in figures["rows"]}
    for lang in ("ru", "uk"):
        for mode in ("line", "unique"):
            assert {(lang, "normalizer default", mode), (lang, "iuliia WIKIPEDIA", mode)} <= rows
    assert {("mixed", "clean workers=1", "archive"), ("mixed", "clean workers=2", "archive")} <= rows
    labels = [t["target"] for t in figures["targets"]]
    assert "default, ru lines ≥ 1× iuliia WIKIPEDIA" in labels
    assert "clean, mixed JSON Lines, 1 worker ≥ 10 MB/s" in labels


def test_every_hostile_shape_is_judged_in_every_profile(corpus, tiny_run):
    stdout, figures = tiny_run
    shapes = figures["shapes"]
    assert {s["profile"] for s in shapes} == {"default", "ascii", "minimal"}
    assert {s["shape"] for s in shapes} >= {"run of «", "short Ukrainian lines", "markup", "zero-width spaces"}
    for s in shapes:
        assert s["result"] in ("PASS", "FAIL")
        assert any(line.startswith(s["result"]) and s["shape"] in line and s["profile"] in line
                   for line in stdout.splitlines())


def test_the_mixed_archive_has_one_foreign_record_in_ten(bench):
    mixed = bench.corpora.mix([f"english {i}" for i in range(30)], ["русский", "українська"])
    foreign = [i for i, line in enumerate(mixed) if not line.startswith("english")]
    assert foreign == [9, 19, 29] and mixed[9] == "русский" and mixed[19] == "українська"
