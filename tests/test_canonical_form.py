"""SPEC §1, row by row, on real sentences (news and MT output of the kind we clean)."""

from __future__ import annotations

import pytest

import normalizer

ROWS = [
    # translation: acronym gazetteer
    ("The Ministry of Defense of Russia noted that sappers from КНДР have passed additional training.",
     "The Ministry of Defense of Russia noted that sappers from DPRK have passed additional training.",
     {"gazetteer.acronym.dprk"}),
    # translation: people gazetteer
    ("On Monday Ким Чен Ын said the mission was complete.",
     "On Monday Kim Jong Un said the mission was complete.", {"gazetteer.person.kim-jong-un"}),
    # translation: English variants
    ("Their departure was welcomed by DPRK leader Kim Jong-un on December 12th.",
     "Their departure was welcomed by DPRK leader Kim Jong Un on December 12th.", {"gazetteer.person.kim-jong-un"}),
    ("Kim Chen In inspected the regiment.", "Kim Jong Un inspected the regiment.", {"gazetteer.person.kim-jong-un"}),
    # translation: calques
    ("According to the Central Telegraph Agency of Korea (CTAK), the regiment returned.",
     "According to the Korean Central News Agency (KCNA), the regiment returned.",
     {"gazetteer.calque.kcna", "gazetteer.media.kcna"}),
    # translation: places / acronyms
    ("Officials in Kiev said that shelling near Lugansk continued in the LNR.",
     "Officials in Kyiv said that shelling near Luhansk continued in the LPR.",
     {"gazetteer.place.kyiv", "gazetteer.place.luhansk", "gazetteer.acronym.lpr"}),
    # script: homoglyph repair
    ("Soldiers returned from the Кursk region.", "Soldiers returned from the Kursk region.",
     {"script.homoglyph.to-latin"}),
    ("According to WНO data, more than 55 million people suffer from dementia.",
     "According to WHO data, more than 55 million people suffer from dementia.", {"script.homoglyph.to-latin"}),
    # transliteration (ru, default scheme)
    ("Fighting continued near the village of Покровское on Tuesday.",
     "Fighting continued near the village of Pokrovskoye on Tuesday.", {"translit.ru.wikipedia"}),
    # punctuation: quotes
    ("They called it a «victory» for the regiment.", "They called it a “victory” for the regiment.",
     {"punct.quotes.guillemets"}),
    # punctuation: attribution
    ("the dangerous zone was transformed into a safe one», — stated the leader.",
     "the dangerous zone was transformed into a safe one,” stated the leader.",
     {"punct.attribution.ru-comma-dash", "punct.quotes.guillemets"}),
    # punctuation: nested quotes
    ("«The word „miracle“ is not too strong», he said.", "“The word ‘miracle’ is not too strong”, he said.",
     {"punct.quotes.guillemets", "punct.quotes.low-high"}),
    # punctuation: attribution, MT calque of », —
    ('"It is over," - said the minister.', '"It is over," said the minister.', {"punct.attribution.mt-dash"}),
    # script: homoglyphs beside digits
    ("The temperature will be between 22 °С and 24 °С.", "The temperature will be between 22 °C and 24 °C.",
     {"script.homoglyph.to-latin"}),
    ("In the capital it will be from + 22 ° С to + 24 ° С at night.",
     "In the capital it will be from + 22 ° C to + 24 ° C at night.", {"script.homoglyph.to-latin"}),
    ("Promtex Micropacket Prestige Mattress 105х195.", "Promtex Micropacket Prestige Mattress 105x195.",
     {"script.homoglyph.to-latin"}),
    # unicode: C1 controls from mis-decoded cp1252, and mojibake
    ("The war of 1950\u00961953 ended\u0097officially\u0097in an armistice.",
     "The war of 1950–1953 ended—officially—in an armistice.", {"unicode.c1-controls"}),
    ("Kyivâ€™s mayor said the cafÃ© would reopen.", "Kyiv’s mayor said the café would reopen.",
     {"unicode.mojibake"}),
    # whitespace and invisible characters
    ("On February\u00a024 Putin spoke\u2009\u2014\u2009briefly.\u200b", "On February 24 Putin spoke — briefly.",
     {"whitespace.no-break", "whitespace.typographic", "unicode.invisible"}),
    ("de\u00admining in the \u202aKursk\u202c region", "demining in the Kursk region", {"unicode.invisible"}),
    # unicode: fullwidth
    ("ＤＰＲＫ，２０２４", "DPRK, 2024", {"unicode.fullwidth", "unicode.fullwidth-comma"}),
]


@pytest.mark.parametrize(("given", "expected", "rules"), ROWS, ids=[r[1][:40] for r in ROWS])
def test_spec_row(given, expected, rules):
    result = normalizer.normalize(given)
    assert result.text == expected
    assert {r for e in result.edits for r in e.rules} == rules
    assert normalizer.apply_edits(given, result.edits) == expected


CLEAN = [
    'She said "no", and he said \'yes\' — it\'s over.',
    "The DPRK’s army—well, part of it—returned in 2024; it was the 528th regiment.",
    "Kyiv, Luhansk and Kursk are cities; Kim Jong Un is a leader.",
    "“Quoted text,” he said. ‘Single quotes’ too. Rock ’n’ roll in the ’90s.",
    "Prices rose 5% (from $10 to $10.50) -- a dash -- and fell.",
    "Zürich, São Paulo, Kraków and Malmö are spelled with their diacritics.",
    "The 5α-reductase inhibitor and β-blockers, 20 μg, π ≈ 3.14159.",
    "chicken Kiev and Kievan Rus are left alone.",
    "",
]


@pytest.mark.parametrize("text", CLEAN)
def test_plain_correct_english_is_unchanged_byte_for_byte(text):
    for profile in ("default", "minimal"):
        result = normalizer.normalize(text, profile=profile)
        assert result.text == text
        assert result.edits == ()


def test_chained_change_names_both_rules():
    result = normalizer.normalize("talks in Кiev")
    assert result.text == "talks in Kyiv"
    [edit] = result.edits
    assert (edit.start, edit.end, edit.original) == (9, 13, "Кiev")
    assert edit.rules == ("script.homoglyph.to-latin", "gazetteer.place.kyiv")


def test_ascii_profile_gives_pure_ascii():
    text = "«Победа» in Кiev — 22 °С… Zürich’s “best”"
    result = normalizer.normalize(text, profile="ascii")
    assert result.text == '"Pobeda" in Kyiv -- 22 deg C... Zurich\'s "best"'
    assert result.text.isascii()


def test_minimal_profile_does_not_translate():
    text = "Кiev «victory» КНДР\u00a0ＸＹ"
    assert normalizer.normalize(text, profile="minimal").text == "Kiev «victory» КНДР XY"


def test_long_foreign_passage_is_reported_not_transliterated():
    text = "He wrote: Мы победили, и это главное для всех нас. Then he left."
    result = normalizer.normalize(text)
    assert result.text == text
    [warning] = result.warnings
    assert warning.code == "untranslated-passage"
    assert text[warning.start:warning.end] == "Мы победили, и это главное для всех нас"
    assert "ru" in warning.message


def test_passage_transliteration_is_an_option():
    text = "He wrote: Мы победили, и это главное для всех нас."
    result = normalizer.normalize(text, transliterate_passages=True)
    assert result.text == "He wrote: My pobedili, i eto glavnoye dlya vsekh nas."
    assert [w.code for w in result.warnings] == ["untranslated-passage"]


def test_protected_spans_are_never_touched():
    text = ("See https://минобороны.рф/news?q=КНДР and write to пресса@минобороны.рф, "
            "@Кiev_news #КНДР `Kiev` <a title=«x»> {Kiev} — but Kiev is fixed.")
    result = normalizer.normalize(text)
    assert result.text == text.replace("but Kiev", "but Kyiv")


def test_lowercase_untranslated_word_is_reported_not_transliterated():
    text = "We owe you a great debt дякуємо thank you!"
    result = normalizer.normalize(text)
    assert result.text == text
    assert [(text[w.start:w.end], w.code) for w in result.warnings] == [("дякуємо", "untranslated-word")]
    assert normalizer.normalize(text, profile="ascii").text == "We owe you a great debt diakuiemo thank you!"
