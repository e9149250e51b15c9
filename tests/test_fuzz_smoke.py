"""The short version of ``make fuzz``: the fuzz target's check over its seeds, then 15 s of atheris."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

FUZZ = Path(__file__).parent / "fuzz" / "fuzz_library.py"
_spec = importlib.util.spec_from_file_location("fuzz_library", FUZZ)
fuzz_library = sys.modules.get("fuzz_library") or importlib.util.module_from_spec(_spec)
if "fuzz_library" not in sys.modules:
    _spec.loader.exec_module(fuzz_library)

SECONDS = 15


@given(profile=st.sampled_from(fuzz_library.PROFILES), text=st.text(st.characters(codec=None)))
def test_a_seed_decodes_to_its_profile_and_text(profile, text):
    assert fuzz_library.decode(fuzz_library.encode(profile, text)) == (profile, text)


def test_the_seeds_come_from_every_rule_file_kind():
    seeds = list(fuzz_library.seed_texts(use_corpus=False))
    assert len(seeds) > 300
    for expected in ("КНДР", "\ud800", "Згурський"):
        assert any(expected in s for s in seeds), expected


def test_every_seed_passes_the_check_under_every_profile():
    pairs = fuzz_library.schemes()
    assert len(pairs) >= 15 and {lang for lang, _, _ in pairs} >= {"ru", "uk", "be", "bg", "sr", "mk", "el"}
    failures = []
    for text in dict.fromkeys(fuzz_library.seed_texts(use_corpus=False)):
        for profile in fuzz_library.PROFILES:
            try:
                fuzz_library.check(fuzz_library.encode(profile, text), pairs)
            except Exception as exc:
                failures.append(f"{profile} {text[:60]!r}: {fuzz_library.signature(exc)}")
    assert not failures, "\n".join(dict.fromkeys(failures))


@pytest.mark.slow
def test_atheris_runs_clean_for_a_few_seconds(tmp_path):
    done = subprocess.run([sys.executable, str(FUZZ), "--findings", str(tmp_path), "--no-corpus",
                           f"-max_total_time={SECONDS}", "-runs=100000", "-print_final_stats=1"],
                          capture_output=True, text=True, timeout=SECONDS + 120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done" in done.stderr and "exec/s" in done.stdout + done.stderr
    assert not list((tmp_path / "crashes").iterdir())
