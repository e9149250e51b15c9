"""Options: one frozen object, filled from a profile and overridden per call."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from .errors import NormalizerError


@dataclass(frozen=True, slots=True)
class Options:
    """What a profile decides. Override a field with ``dataclasses.replace``."""

    stages: tuple[str, ...] = ()
    """The stages to run, in the declared order."""
    exclude: frozenset[str] = frozenset()
    """Rule ids switched off."""
    quote_style: str = "typographic"
    """The output style of quotations that contained a foreign mark (see rules/punctuation/quotes.toml)."""
    schemes: dict[str, str] = field(default_factory=dict)
    """The transliteration scheme per language."""
    passage_words: int = 4
    """A foreign run of this many words or more is a passage: reported, not transliterated."""
    transliterate_passages: bool = False
    """Transliterate passages too (they are still reported)."""
    transliterate_words: bool = False
    """Transliterate short lowercase runs too (by default only name-like, capitalised ones)."""
    transliterate_scripts: tuple[str, ...] = ("Cyrillic",)
    """Scripts whose short fragments are transliterated."""
    lang: str | None = None
    """The language of the surrounding document, when known (helps decide a fragment's language)."""
    historical_names: str = "keep"
    """``keep``: a fixed historical name keeps its old form (``the Siege of Odessa``, ``Kiev Governorate``);
    ``modernise``: it is written in the current form too. Persons, other places, things and both forms
    written on purpose are kept either way (rules/context/entities.toml)."""
    foreign_text: str = "keep"
    """``keep``: foreign text on purpose (native forms, titles, references: rules/context/) is left as it
    is; ``romanise``: every pass applies there too (the ascii profile, which romanises every letter)."""

    def __hash__(self) -> int:
        return hash((self.stages, self.exclude, self.quote_style, tuple(sorted(self.schemes.items())),
                     self.passage_words, self.transliterate_passages, self.transliterate_words,
                     self.transliterate_scripts, self.lang, self.foreign_text, self.historical_names))

    def with_overrides(self, overrides: dict) -> Options:
        """A copy with ``overrides`` applied; unknown names are a ``ValueError``."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise NormalizerError(f"unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values = dict(overrides)
        for name in ("stages", "transliterate_scripts"):
            if name in values:
                values[name] = tuple(values[name])
        if "exclude" in values:
            values["exclude"] = frozenset(values["exclude"])
        if "schemes" in values:
            values["schemes"] = {**self.schemes, **values["schemes"]}
        return replace(self, **values)
