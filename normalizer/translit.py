"""The transliteration engine: compiles a scheme file once, applies it in one pass.

A scheme (``rules/translit/<lang>-<scheme>.toml``) has a letter table and named
contexts: ``word_start``, ``after`` (previous letter in a set), ``before`` (next
letter in a set), ``between`` (both neighbours in a set: an apostrophe inside a word),
``endings`` (word-final sequences) and ``sequences`` (digraphs). No context reaches
past a word (a run of the scheme's letters, apostrophes inside it), so the engine
works a word at a time and remembers the words it has done.
A set is written out (``"аеёиоуыэюя"``) or named in the file's ``classes`` table
(``before.voiceless``). Runs of letters without context are translated with
``str.translate``; only the letters that have a context go through the regex callback.
A scheme marked ``reversible`` (ISO 9) also compiles its inverse; ``evidence`` patterns
tell the language decision (``fragments.py``) that a run is in the scheme's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import regex

from .rulefiles import RuleFile

# Languages whose fallback is a language pack of the ``transliterate`` package (SPEC §3).
PACKED_LANGUAGES = ("hy", "ka", "mn")
# How many distinct words a scheme remembers before it starts over.
CACHE_WORDS = 50_000
_APOSTROPHES = "’ʼ'"


@dataclass(frozen=True, slots=True)
class Scheme:
    """A compiled transliteration scheme."""

    id: str
    lang: str
    name: str
    letters: frozenset[str]
    pattern: re.Pattern
    values: tuple[str | None, ...]
    """The value of each group of ``pattern`` by number (None for the plain-run group)."""
    lower_table: dict[int, str]
    upper_table: dict[int, str]
    words: re.Pattern
    inverse: Inverse | None = None
    evidence: tuple[regex.Pattern, ...] = ()
    cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def apply(self, text: str) -> str:
        """Transliterate every letter of the scheme's alphabet in ``text``.

        Contexts never reach past a word, so each word is transliterated once and
        remembered: running text repeats its words.

        >>> from normalizer import transliterate
        >>> transliterate("Щука и ЩУКА", lang="ru")
        'Shchuka i SHCHUKA'
        """
        return self.words.sub(self._word, text)

    def _word(self, m: re.Match) -> str:
        word = m.group()
        done = self.cache.get(word)
        if done is None:
            if len(self.cache) >= CACHE_WORDS:
                self.cache.clear()
            done = self.cache[word] = self.pattern.sub(self._replace, word)
        return done

    def reverse(self, text: str) -> str:
        """Back from Latin to the original script (only for a ``reversible`` scheme such as ISO 9)."""
        if self.inverse is None:
            raise ValueError(f"{self.id} is not reversible")
        return self.inverse.apply(text)

    def _replace(self, m: re.Match) -> str:
        found = m.group()
        value = self.values[m.lastindex]
        if value is None:  # a run of letters without context
            if found.islower():
                return found.translate(self.lower_table)
            caps = _all_caps(m.string, m.start(), m.end())
            return found.translate(self.upper_table if caps else self.lower_table)
        if found.islower():
            return value
        return _cased(value, found, _all_caps(m.string, m.start(), m.end()))


def _cased(value: str, found: str, caps: bool) -> str:
    """``value`` in the case of ``found``: all capitals in an all-caps word, else the first letter's case."""
    if found.islower() or not value:
        return value
    if caps:
        return value.upper()
    if found[0].isupper():
        return value[:1].upper() + value[1:]
    return value


def _all_caps(text: str, start: int, end: int) -> bool:
    """Whether the word around ``text[start:end]`` is written in capitals (``ЩУКА``)."""
    chunk = text[start:end]
    if any(c.islower() for c in chunk):
        return False
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before.isupper() or after.isupper():
        return True
    if before.islower() or after.islower():
        return False
    return sum(c.isupper() for c in chunk) > 1


@dataclass(frozen=True, slots=True)
class Inverse:
    """The inverse of a one-to-one scheme: Latin strings back to letters, longest first."""

    pattern: regex.Pattern
    table: dict[str, str]

    def apply(self, text: str) -> str:
        return self.pattern.sub(self._replace, unicodedata.normalize("NFC", text))

    def _replace(self, m: regex.Match) -> str:
        found, text, start, end = m.group(), m.string, m.start(), m.end()
        if found.lower() == found.upper():  # ʹ ʺ have no case: capital only between capitals (OBʺEZD)
            before = text[start - 1] if start else ""
            after = text[end] if end < len(text) else ""
            caps = before.isupper() and not after.islower()
            return self.table[found].upper() if caps else self.table[found]
        letter = self.table.get(found.lower()) or self.table.get(found.casefold())
        if letter is None:  # matched only by full case folding (İ for i): not one of the scheme's letters
            return found
        return _cased(letter, found, _all_caps(text, start, end))


def _compile_inverse(letters: dict[str, str]) -> Inverse:
    table = {unicodedata.normalize("NFC", v): k for k, v in letters.items() if v}
    body = "|".join(regex.escape(v) for v in sorted(table, key=len, reverse=True))
    return Inverse(regex.compile(body, regex.IGNORECASE | regex.V1), table)


def compile_scheme(rule_file: RuleFile) -> Scheme:
    """Build a ``Scheme`` from a validated translit rule file."""
    data = rule_file.data
    letters: dict[str, str] = data["letters"]
    classes: dict[str, str] = data.get("classes", {})
    alternatives: list[tuple[int, str, str]] = []
    special: set[str] = set()

    def add(source: str, value: str, before: str = "", after: str = "") -> None:
        special.update(source.lower())
        body = "".join(re.escape(c) for c in source)
        alternatives.append((len(source) + bool(before) + bool(after), before + body + after, value))

    def char_set(key: str) -> str:
        return "[" + re.escape(classes.get(key, key)) + "]"

    for seq, value in data.get("sequences", {}).items():
        add(seq, value)
    for end, value in data.get("endings", {}).items():
        add(end, value, after=r"\Z")
    for letter, value in data.get("word_start", {}).items():
        add(letter, value, before=r"\A")
    for prev, table in data.get("after", {}).items():
        for letter, value in table.items():
            add(letter, value, before=f"(?<={char_set(prev)})")
    for nxt, table in data.get("before", {}).items():
        for letter, value in table.items():
            add(letter, value, after=f"(?={char_set(nxt)})")
    for around, table in data.get("between", {}).items():
        for letter, value in table.items():
            add(letter, value, before=f"(?<={char_set(around)})", after=f"(?={char_set(around)})")
    for letter in sorted(special & set(letters)):
        alternatives.append((0, re.escape(letter), letters[letter]))
    alternatives.sort(key=lambda a: -a[0])
    plain = "".join(re.escape(c) for c in sorted(set(letters) - special))
    parts = [f"({body})" for _, body, _ in alternatives]
    if plain:
        parts.append(f"([{plain}]+)")
    pattern = re.compile("|".join(parts) or "(?!)", re.IGNORECASE)
    capitals = {k: _capital(k) for k in letters if _capital(k)}
    lower = {ord(k): v for k, v in letters.items()}
    title = {ord(c): letters[k][:1].upper() + letters[k][1:] for k, c in capitals.items()}
    upper = {ord(c): letters[k].upper() for k, c in capitals.items()}
    for key, value in data.get("upper", {}).items():
        upper[ord(key)] = value
    alphabet = "".join(re.escape(c) for c in sorted(set(letters) | set(capitals.values())) if c not in _APOSTROPHES)
    words = re.compile(f"[{alphabet}]+(?:[{_APOSTROPHES}][{alphabet}]+)*")
    return Scheme(
        id=data.get("id", f"translit.{data['lang']}.{data['scheme']}"),
        lang=data["lang"],
        name=data.get("name", data["scheme"]),
        letters=frozenset(letters) | frozenset(capitals.values()),
        pattern=pattern,
        values=(None, *(v for _, _, v in alternatives), None),
        lower_table=lower | title,
        upper_table=lower | upper,
        words=words,
        inverse=_compile_inverse(letters) if data.get("reversible") else None,
        evidence=tuple(regex.compile(p, regex.IGNORECASE | regex.V1) for p in data.get("evidence", ())),
    )


def _capital(letter: str) -> str | None:
    """The capital of a one-letter key, if it has a one-character capital (``ΐ`` has none)."""
    cap = letter.upper()
    return cap if len(letter) == len(cap) == 1 and cap != letter else None


def fallback(lang: str | None) -> tuple[str, Callable[[str], str]]:
    """The generic romaniser for a language without a scheme here, and its rule id.

    Armenian, Georgian and Mongolian use the ``transliterate`` package's language
    packs (SPEC §3); anything else ``anyascii``. The result is ASCII.

    >>> rule, convert = fallback("ka")
    >>> rule, convert("თბილისი")
    ('translit.fallback.ka', 'tbilisi')
    >>> rule, convert = fallback("ar")
    >>> rule, convert("Ελλάδα 北京")
    ('translit.fallback.anyascii', 'Ellada BeiJing')
    """
    if lang in PACKED_LANGUAGES:
        return f"translit.fallback.{lang}", _language_pack(lang)
    return "translit.fallback.anyascii", _anyascii


def _anyascii(text: str) -> str:
    import anyascii

    return anyascii.anyascii(text)


def _language_pack(lang: str) -> Callable[[str], str]:
    """The ``transliterate`` package's pack, on NFKC text (Armenian և is ե + ւ), then anyascii for
    whatever the pack leaves (it has no ւ)."""
    from transliterate import translit

    return lambda text: _anyascii(translit(unicodedata.normalize("NFKC", text), lang, reversed=True))
