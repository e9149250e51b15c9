"""Every example and negative example of every rule file, run through its profile.

Transliteration files are walked by tests/test_translit.py (their examples are
``transliterate`` calls, not whole-pipeline ones).
"""

from __future__ import annotations

import pytest

import normalizer
from normalizer.rulefiles import discover


def _cases():
    for f in discover():
        if f.folder == "translit":
            continue
        profile = f.data.get("profile", "default")
        items = [f.data, *f.data.get("rules", ()), *f.data.get("entries", ())]
        for item in items:
            where = f"{f.folder}/{f.path.name}:{item.get('id', 'file')}"
            for given, expected in item.get("examples", ()):
                yield pytest.param(profile, given, expected, id=f"{where}:{given[:30]}")
            for given in item.get("negative", ()):
                yield pytest.param(profile, given, given, id=f"{where}:negative:{given[:30]}")


CASES = list(_cases())


def test_there_are_examples_in_every_family():
    folders = {c.id.split("/")[0] for c in CASES}
    assert {"unicode", "whitespace", "script", "gazetteer", "punctuation", "ascii"} <= folders


@pytest.mark.parametrize(("profile", "given", "expected"), CASES)
def test_rule_file_example(profile, given, expected):
    result = normalizer.normalize(given, profile=profile)
    assert result.text == expected
    assert normalizer.apply_edits(given, result.edits) == expected
