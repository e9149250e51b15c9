"""The transliteration engine: compiles a scheme file once, applies it in one pass.

A scheme (``rules/translit/<lang>-<scheme>.toml``) has a letter table and named
contexts: ``word_start``, ``after`` (previous letter in a set), ``before`` (next
letter in a set), ``endings`` (word-final sequences) and ``sequences`` (digraphs).
Runs of letters without context are translated with ``str.translate``; only the
letters that have a context go through the regex callback.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .rulefiles import RuleFile

_IN_WORD = r"[\p{L}\p{M}’ʼ']"


@dataclass(frozen=True, slots=True)
class Scheme:
    """A compiled transliteration scheme."""

    id: str
    lang: str
    name: str
    letters: frozenset[str]
    pattern: regex.Pattern
    values: tuple[str, ...]
    lower_table: dict[int, str]
    upper_table: dict[int, str]

    def apply(self, text: str) -> str:
        """Transliterate every letter of the scheme's alphabet in ``text``.

        >>> from normalizer import transliterate
        >>> transliterate("Щука и ЩУКА", lang="ru")
        'Shchuka i SHCHUKA'
        """
        return self.pattern.sub(self._replace, text)

    def _replace(self, m: regex.Match) -> str:
        found = m.group()
        name = m.lastgroup
        string = m.string
        caps = _all_caps(string, m.start(), m.end())
        if name == "run":
            return found.translate(self.upper_table if caps else self.lower_table)
        value = self.values[int(name[1:])]
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


def compile_scheme(rule_file: RuleFile) -> Scheme:
    """Build a ``Scheme`` from a validated translit rule file."""
    data = rule_file.data
    letters: dict[str, str] = data["letters"]
    alternatives: list[tuple[int, str, str]] = []
    special: set[str] = set()

    def add(source: str, value: str, before: str = "", after: str = "") -> None:
        special.update(source.lower())
        body = "".join(regex.escape(c) for c in source)
        alternatives.append((len(source) + bool(before) + bool(after), before + body + after, value))

    for seq, value in data.get("sequences", {}).items():
        add(seq, value)
    for end, value in data.get("endings", {}).items():
        add(end, value, after=f"(?!{_IN_WORD})")
    for letter, value in data.get("word_start", {}).items():
        add(letter, value, before=f"(?<!{_IN_WORD})")
    for prev, table in data.get("after", {}).items():
        for letter, value in table.items():
            add(letter, value, before=f"(?<=[{regex.escape(prev)}])")
    for nxt, table in data.get("before", {}).items():
        for letter, value in table.items():
            add(letter, value, after=f"(?=[{regex.escape(nxt)}])")
    for letter in sorted(special & set(letters)):
        alternatives.append((0, regex.escape(letter), letters[letter]))
    alternatives.sort(key=lambda a: -a[0])
    plain = "".join(regex.escape(c) for c in sorted(set(letters) - special))
    parts = [f"(?P<g{i}>{body})" for i, (_, body, _) in enumerate(alternatives)]
    if plain:
        parts.append(f"(?P<run>[{plain}]+)")
    pattern = regex.compile("|".join(parts) or "(?!)", regex.IGNORECASE | regex.V1)
    lower = {ord(k): v for k, v in letters.items()}
    title = {ord(k.upper()): v[:1].upper() + v[1:] for k, v in letters.items() if k.upper() != k}
    upper = {ord(k.upper()): v.upper() for k, v in letters.items() if k.upper() != k}
    for key, value in data.get("upper", {}).items():
        upper[ord(key)] = value
    return Scheme(
        id=data.get("id", f"translit.{data['lang']}.{data['scheme']}"),
        lang=data["lang"],
        name=data.get("name", data["scheme"]),
        letters=frozenset(letters) | {k.upper() for k in letters},
        pattern=pattern,
        values=tuple(v for _, _, v in alternatives),
        lower_table=lower | title,
        upper_table=lower | upper,
    )
