"""The library API of SPEC §2: results, reuse, batches, user rule folders and their errors."""

from __future__ import annotations

import itertools
import json
import textwrap

import pytest

import normalizer
from normalizer import Normalizer, RuleFileError, UnknownProfileError, UnknownSchemeError
from normalizer.ruleset import load_ruleset

SENTENCE = "Sappers from КНДР returned to Кiev, «a safe one», — stated Kim Jong-un."


def test_result_fields_and_json():
    r = normalizer.normalize(SENTENCE)
    assert r.text == "Sappers from DPRK returned to Kyiv, “a safe one,” stated Kim Jong Un."
    data = json.loads(json.dumps(r.to_dict(), ensure_ascii=False))
    assert set(data) >= {"text", "edits", "warnings", "fragments", "ruleset", "profile"}
    assert data["edits"][0] == {"start": 13, "end": 17, "original": "КНДР", "replacement": "DPRK",
                                "rule": "gazetteer.acronym.dprk", "category": "translation",
                                "rules": ["gazetteer.acronym.dprk"]}
    assert [f["text"] for f in data["fragments"]] == ["КНДР"]
    assert data["ruleset"].startswith(normalizer.__version__ + "+")


def test_original_span_maps_entities_back_to_the_input():
    r = normalizer.normalize(SENTENCE)
    for name in ("DPRK", "Kyiv", "Kim Jong Un", "returned"):
        start = r.text.index(name)
        o_start, o_end = r.original_span(start, start + len(name))
        assert normalizer.normalize(SENTENCE[o_start:o_end]).text == name
    with pytest.raises(ValueError, match="outside the text"):
        r.original_span(0, len(r.text) + 1)


def test_apply_false_reports_but_keeps_the_text():
    r = normalizer.normalize(SENTENCE, apply=False)
    assert r.text == SENTENCE
    assert len(r.edits) == 5


def test_normalizer_is_compiled_once_and_reusable():
    n = Normalizer("ascii")
    assert n.normalize("«Победа»").text == '"Pobeda"'
    assert n.normalize("Кiev").text == "Kyiv"
    assert n.ruleset is load_ruleset()


def test_unknown_profile_and_options_are_value_errors():
    with pytest.raises(UnknownProfileError, match="unknown profile 'nope'; available: ascii, default, minimal"):
        normalizer.normalize("x", profile="nope")
    with pytest.raises(ValueError, match="unknown option"):
        normalizer.normalize("x", colour="blue")
    with pytest.raises(TypeError):
        normalizer.normalize("x", profile=3)


def test_transliterate_and_its_errors():
    assert normalizer.transliterate("Екатеринбург") == "Yekaterinburg"
    assert normalizer.transliterate("Згурський", lang="uk", scheme="kmu-2010") == "Zghurskyi"
    with pytest.raises(UnknownSchemeError, match="scheme 'nope' for language 'ru'"):
        normalizer.transliterate("x", lang="ru", scheme="nope")
    with pytest.raises(UnknownSchemeError, match="language 'xx'"):
        normalizer.transliterate("x", lang="xx", scheme="any")
    assert normalizer.transliterate("Ελλάδα 北京", lang="xx") == "Ellada BeiJing"  # the anyascii fallback
    with pytest.raises(TypeError):
        normalizer.transliterate(b"x")


def test_detect_fragments_reports_script_and_language():
    found = normalizer.detect_fragments("talks with Ким Чен Ын in Київ and Αθήνα")
    assert [(f.text, f.script, f.lang) for f in found] == [
        ("Ким Чен Ын", "Cyrillic", "ru"), ("Київ", "Cyrillic", "uk"), ("Αθήνα", "Greek", "el")]


def test_normalize_many_keeps_order_in_one_process_and_in_a_pool():
    texts = [f"line {i} from КНДР in Kiev" if i % 3 else f"clean line {i}" for i in range(700)]
    expected = [normalizer.normalize(t).text for t in texts]
    assert [r.text for r in normalizer.normalize_many(texts)] == expected
    assert [r.text for r in normalizer.normalize_many(texts, workers=2, chunk_size=50)] == expected


def test_normalize_many_is_lazy_on_an_endless_iterator():
    endless = (f"Kiev {i}" for i in itertools.count())
    first = list(itertools.islice(normalizer.normalize_many(endless, workers=2, chunk_size=10), 25))
    assert [r.text for r in first] == [f"Kyiv {i}" for i in range(25)]


def _write(folder, rel, body):
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_a_user_rule_folder_extends_the_gazetteer(tmp_path):
    _write(tmp_path, "gazetteer/house.toml", """\
        source = "Our newsroom style guide, 2026"
        [[entries]]
        id = "gazetteer.house.uvz"
        canonical = "Uralvagonzavod"
        forms = { ru = ["Уралвагонзавод"] }
        examples = [["said Уралвагонзавод", "said Uralvagonzavod"]]
        """)
    n = Normalizer(rules=[tmp_path])
    result = n.normalize("said Уралвагонзавод in Kiev")
    assert result.text == "said Uralvagonzavod in Kyiv"
    assert result.edits[0].rule == "gazetteer.house.uvz"
    assert normalizer.normalize("said Уралвагонзавод").edits[0].rule == "translit.ru.wikipedia"


def test_a_user_profile_overrides_options(tmp_path):
    _write(tmp_path, "profiles/newsroom.toml", """\
        name = "newsroom"
        description = "default, but passages are transliterated"
        source = "Our newsroom style guide"
        extends = "default"
        stages = ["unicode", "whitespace", "script", "translation", "transliteration", "punctuation"]
        transliterate_passages = true
        """)
    r = normalizer.normalize("Мы победили и это главное", profile="newsroom", rules=[tmp_path])
    assert r.text == "My pobedili i eto glavnoye"


@pytest.mark.parametrize(("rel", "body", "line", "message"), [
    ("gazetteer/bad.toml", 'source = "x"\n[[entries]]\nid = "a.b"\ncanonical = \n', 4, "invalid TOML"),
    ("gazetteer/bad.toml", 'source = "x"\n[[entries]]\nid = "a.b"\ncanonical = "A"\nvariants = ["Aa"]\n\n'
     '[[entries]]\nid = "c.d"\n'
     'canonical = "C"\nforms = { ru = "КНДР" }\n', 10, "entries/1/forms/ru"),
    ("unicode/bad.toml", 'source = "x"\ncategory = "unicode"\n[[rules]]\nid = "u.x"\npattern = "(["\n'
     'replace = "y"\n', 5, "invalid pattern"),
    ("profiles/bad.toml", 'name = "bad"\ndescription = "d"\nsource = "s"\nstages = ["unicode", "teleport"]\n', 4,
     "stages/1"),
    ("nowhere/bad.toml", 'source = "x"\n', None, "rule files belong in one of"),
])
def test_a_malformed_rule_file_names_file_line_and_problem(tmp_path, rel, body, line, message):
    path = _write(tmp_path, rel, body)
    with pytest.raises(RuleFileError) as info:
        load_ruleset((str(tmp_path),))
    error = info.value
    assert error.path == str(path)
    assert error.line == line
    assert message in str(error)
    assert str(error).startswith(f"{path}:{line}:" if line else f"{path}:")


def test_a_missing_rule_folder_is_an_error(tmp_path):
    with pytest.raises(RuleFileError, match="not a folder of rule files"):
        load_ruleset((str(tmp_path / "absent"),))


def test_ruleset_compiles_once_and_fast():
    import time

    load_ruleset.cache_clear()
    started = time.perf_counter()
    rs = load_ruleset()
    assert time.perf_counter() - started < 5  # the bench measures it; this only guards a blow-up
    assert load_ruleset() is rs
    assert {"default", "ascii", "minimal"} <= set(rs.profiles)
