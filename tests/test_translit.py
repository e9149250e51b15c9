"""Transliteration (SPEC §3): every published example of every scheme, case, reversibility,
the generic fallbacks, and the language decision for Cyrillic runs on real sentences."""

from __future__ import annotations

import itertools

import pytest
import regex

import normalizer
from normalizer.fragments import LanguageGuesser, runs
from normalizer.rulefiles import discover
from normalizer.ruleset import load_ruleset
from normalizer.translit import compile_scheme, fallback

SPEC_SCHEMES = {
    "ru": ["wikipedia", "bgn-pcgn", "icao", "ala-lc", "iso9", "scientific"],
    "uk": ["kmu-2010", "bgn-pcgn"],
    "be": ["national", "bgn-pcgn"],
    "bg": ["streamlined"],
    "sr": ["gaj"],
    "mk": ["official", "bgn-pcgn"],
    "el": ["elot-743"],
}
FILES = [f for f in discover() if f.folder == "translit"]
CASES = [pytest.param(f.data["lang"], f.data["scheme"], given, expected, id=f"{f.name}:{given[:24]}")
         for f in FILES for given, expected in f.data.get("examples", ())]


@pytest.mark.parametrize(("lang", "scheme", "given", "expected"), CASES)
def test_every_published_example(lang, scheme, given, expected):
    assert normalizer.transliterate(given, lang=lang, scheme=scheme) == expected


def test_every_scheme_of_the_spec_is_there_with_its_source():
    found = {(f.data["lang"], f.data["scheme"]): f.data for f in FILES}
    for lang, names in SPEC_SCHEMES.items():
        for name in names:
            data = found[(lang, name)]
            assert data["source"] and data["url"].startswith("https://")
            assert data["id"] == f"translit.{lang}.{name}"


@pytest.mark.parametrize("name", [*SPEC_SCHEMES["ru"], "uk-kmu-2010"])
def test_russian_schemes_and_kmu_have_at_least_thirty_examples(name):
    stem = name if name.startswith("uk-") else f"ru-{name}"
    (data,) = [f.data for f in FILES if f.name == stem]
    assert len(data["examples"]) >= 30


@pytest.mark.parametrize("lang", sorted(SPEC_SCHEMES))
def test_the_first_scheme_of_the_spec_is_the_default(lang):
    assert load_ruleset().scheme(lang).id == f"translit.{lang}.{SPEC_SCHEMES[lang][0]}"


@pytest.mark.parametrize(("lang", "scheme", "word", "title", "caps"), [
    ("ru", "wikipedia", "щука", "Shchuka", "SHCHUKA"),
    ("ru", "bgn-pcgn", "щука", "Shchuka", "SHCHUKA"),
    ("ru", "icao", "щука", "Shchuka", "SHCHUKA"),
    ("ru", "scientific", "щука", "Ščuka", "ŠČUKA"),
    ("uk", "kmu-2010", "згурський", "Zghurskyi", "ZGHURSKYI"),
    ("uk", "kmu-2010", "юрій", "Yurii", "YURII"),
    ("bg", "streamlined", "щастие", "Shtastie", "SHTASTIE"),
    ("sr", "gaj", "љубав", "Ljubav", "LJUBAV"),
    ("mk", "official", "ѓорче", "Gjorche", "GJORCHE"),
    ("el", "elot-743", "μπαμπάκι", "Bampaki", "BAMPAKI"),
])
def test_a_digraph_takes_the_case_of_its_word(lang, scheme, word, title, caps):
    assert normalizer.transliterate(word.capitalize(), lang, scheme) == title
    assert normalizer.transliterate(word.upper(), lang, scheme) == caps
    assert normalizer.transliterate(word, lang, scheme) == title.lower()


def test_text_around_the_letters_is_kept():
    assert normalizer.transliterate("«Київ», 2022 — Ukraine's capital", "uk") == "«Kyiv», 2022 — Ukraine's capital"


@pytest.mark.parametrize(("lang", "scheme", "given", "expected"), [
    ("el", "elot-743", "Ευρώπη", "Evropi"),
    ("el", "elot-743", "Ευθύμιος", "Efthymios"),
    ("el", "elot-743", "γαυ", "gaf"),
    ("el", "elot-743", "Άγγελος", "Angelos"),
    ("ru", "wikipedia", "Ильинский", "Ilyinsky"),
    ("uk", "kmu-2010", "Розгон", "Rozghon"),
    ("be", "national", "Любань", "Liubań"),
    ("bg", "streamlined", "История", "Istoria"),
])
def test_context_rules(lang, scheme, given, expected):
    assert normalizer.transliterate(given, lang, scheme) == expected


def test_iso9_round_trips_real_russian(corpus):
    scheme = load_ruleset().scheme("ru", "iso9")
    lines = (corpus / "wmt22-news-systems" / "sources" / "generaltest2022.ru-en.src.ru").read_text(encoding="utf-8")
    cyrillic_only = [line for line in lines.splitlines() if not regex.search(r"\p{Latin}", line)]
    assert len(cyrillic_only) > 100
    for line in cyrillic_only[:300]:
        latin = scheme.apply(line)
        assert not regex.search(r"\p{Cyrillic}", latin)
        assert scheme.reverse(latin) == line


def test_only_a_reversible_scheme_reverses():
    with pytest.raises(ValueError, match="not reversible"):
        load_ruleset().scheme("ru", "wikipedia").reverse("Moskva")


@pytest.mark.parametrize(("lang", "given", "rule", "expected"), [
    ("ka", "თბილისი", "translit.fallback.ka", "tbilisi"),
    ("hy", "Հայաստան", "translit.fallback.hy", "Hajastan"),
    ("hy", "Երևան", "translit.fallback.hy", "Erewan"),
    ("mn", "Улаанбаатар", "translit.fallback.mn", "Ulaanbaatar"),
    ("ar", "القاهرة", "translit.fallback.anyascii", "lqhrh"),
    ("zh", "北京", "translit.fallback.anyascii", "BeiJing"),
    (None, "Ελλάδα", "translit.fallback.anyascii", "Ellada"),
])
def test_fallback_romanises_scripts_without_a_scheme(lang, given, rule, expected):
    name, convert = fallback(lang)
    assert (name, convert(given)) == (rule, expected)
    assert convert(given).isascii()


def test_compiling_a_scheme_is_fast_enough_to_do_once():
    f = next(f for f in FILES if f.name == "el-elot-743")
    scheme = compile_scheme(f)
    assert scheme.apply("Θεσσαλονίκη") == "Thessaloniki"


# --- the language decision -------------------------------------------------------------

@pytest.fixture(scope="module")
def guesser() -> LanguageGuesser:
    return LanguageGuesser.from_schemes(load_ruleset().schemes)


@pytest.mark.parametrize(("text", "lang"), [
    ("Київ", "uk"), ("Ґалаґан", "uk"), ("Єнакієве", "uk"), ("Харків", "uk"),
    ("Магілёў", "be"), ("Ўсход", "be"),
    ("Ђорђе", "sr"), ("Ћуприја", "sr"),
    ("Ќамилов", "mk"), ("Ѕвезда", "mk"), ("Ѓорче", "mk"),
    ("България", "bg"), ("път", "bg"),
    ("подъезд", "ru"), ("Объячево", "ru"), ("Москва", "ru"), ("Съешь", "ru"),
])
def test_the_letters_decide_the_language(guesser, text, lang):
    (run,) = runs(text)
    assert guesser.explain(run, None).lang == lang


def test_the_rest_of_the_document_decides_a_run_its_letters_do_not(guesser):
    found = list(runs("from Одеса to Київ"))
    assert [(d.lang, d.reason) for d in guesser.decide_all(found, None)] == [("uk", "document"), ("uk", "letters")]


def test_the_lang_option_wins_when_the_letters_allow_it(guesser):
    (run,) = runs("Одеса")
    assert guesser.explain(run, "uk").reason == "option"
    (run,) = runs("Київ")
    assert guesser.explain(run, "ru").lang == "uk"


def test_a_cyrillic_letter_inside_a_latin_word_is_no_fragment():
    assert [f.text for f in normalizer.detect_fragments("Sappers returned to Кiev and Москва")] == ["Москва"]


def test_a_greek_run_is_greek(guesser):
    (run,) = runs("the island of Ζάκυνθος")
    assert guesser.explain(run, None).lang == "el"


@pytest.mark.parametrize(("source", "lang"), [
    ("wmt22-news-systems/sources/generaltest2022.uk-en.src.uk", "uk"),
    ("wmt22-news-systems/sources/generaltest2022.ru-en.src.ru", "ru"),
    ("wmt21-news-systems/sources/newstest2021.ru-en.src.ru", "ru"),
])
def test_real_sentences_get_their_language(corpus, guesser, source, lang):
    lines = (corpus / source).read_text(encoding="utf-8").splitlines()
    decided = [d.lang for line in itertools.islice(lines, 400) if (found := list(runs(line)))
               for r, d in zip(found, guesser.decide_all(found, None), strict=True) if len(r.words) >= 3]
    assert len(decided) > 300
    assert decided.count(lang) / len(decided) >= 0.94
