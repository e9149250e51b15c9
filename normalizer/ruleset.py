"""The compiled rule set: every rule file read once, compiled once, shared by profiles."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from pathlib import Path

from . import __version__
from .context import ContextModel
from .errors import RuleFileError, UnknownProfileError, UnknownSchemeError
from .fragments import LanguageGuesser
from .options import Options
from .protect import Protector
from .rulefiles import RuleFile, discover, fingerprint
from .stages import ORDER
from .stages.patterns import PatternPass, RuleGroup, compile_rule, compile_trigger
from .stages.quotes import Pair, QuotePass
from .stages.script import HomoglyphPass
from .stages.translation import GazetteerPass, build_forms
from .stages.transliteration import TransliterationPass
from .translit import Scheme, compile_scheme

_OPTION_FIELDS = {f.name for f in fields(Options)} - {"lang"}


@dataclass
class Ruleset:
    """Everything in ``rules/`` (and user folders), compiled."""

    files: list[RuleFile]
    version: str
    profiles: dict[str, Options] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    schemes: dict[str, dict[str, Scheme]] = field(default_factory=dict)
    protector: Protector = field(default_factory=lambda: Protector([]))
    context: ContextModel = field(default_factory=lambda: ContextModel([]))
    _pattern_rules: dict[str, list[RuleGroup]] = field(default_factory=dict)
    _passes: dict[tuple, list] = field(default_factory=dict)

    @classmethod
    def load(cls, extra_dirs: tuple[str, ...] = ()) -> Ruleset:
        files = discover(list(extra_dirs))
        rs = cls(files, fingerprint(files, __version__))
        rs._compile()
        return rs

    def by_folder(self, folder: str) -> list[RuleFile]:
        return [f for f in self.files if f.folder == folder]

    def _compile(self) -> None:
        for f in self.by_folder("translit"):
            scheme = compile_scheme(f)
            self.schemes.setdefault(scheme.lang, {})[f.data["scheme"]] = scheme
        for folder in ("unicode", "whitespace", "ascii", "punctuation"):
            for f in self.by_folder(folder):
                if "rules" in f.data:
                    rules = [compile_rule(f, i, r) for i, r in enumerate(f.data["rules"])]
                    group = self._pattern_rules.setdefault(folder, [])
                    group.append(RuleGroup(rules, compile_trigger(f), f.data.get("non_ascii", False)))
        self.protector = Protector([s for f in self.by_folder("protected") for s in f.data["spans"]])
        self.context = ContextModel([f.data for f in self.by_folder("context")])
        self._compile_profiles()
        self._quotes = self._compile_quotes()
        self._homoglyphs = self._compile_homoglyphs()
        entries = [e for f in self.by_folder("gazetteer") for e in f.data["entries"]]
        self._gazetteer = GazetteerPass(build_forms(entries))
        self._transliteration = TransliterationPass(LanguageGuesser.from_schemes(self.schemes), self._scheme_or_none)
        self.guesser = self._transliteration.guesser

    def _compile_profiles(self) -> None:
        raw = {f.data["name"]: f for f in self.by_folder("profiles")}
        for name in raw:
            chain, seen = [], set()
            current = name
            while current:
                if current in seen or current not in raw:
                    f = raw[name]
                    raise RuleFileError(f.path, f.line_of("extends"), f"profile {name!r} extends unknown or "
                                        f"circular profile {current!r}")
                seen.add(current)
                chain.append(raw[current].data)
                current = raw[current].data.get("extends")
            merged: dict = {}
            for data in reversed(chain):
                merged.update({k: v for k, v in data.items() if k not in ("schemes",)})
                merged["schemes"] = {**merged.get("schemes", {}), **data.get("schemes", {})}
            options = Options().with_overrides({k: v for k, v in merged.items() if k in _OPTION_FIELDS})
            self.profiles[name] = options
            self.descriptions[name] = merged["description"]

    def _compile_quotes(self) -> QuotePass | None:
        files = [f for f in self.by_folder("punctuation") if "pairs" in f.data]
        if not files:
            return None
        pairs = [Pair(p["id"], p["open"], tuple(p["close"]), p.get("native", False))
                 for f in files for p in f.data["pairs"]]
        styles = {k: v for f in files for k, v in f.data["styles"].items()}
        apostrophes = "".join(c for f in files for c in f.data.get("apostrophes", ()))
        return QuotePass(pairs, styles, apostrophes)

    def _compile_homoglyphs(self) -> HomoglyphPass:
        to_latin: dict[str, str] = {}
        to_cyrillic: dict[str, str] = {}
        excluded: set[str] = set()
        for f in sorted(self.by_folder("script"), key=lambda f: f.name.endswith("-curated")):
            to_latin.update(f.data.get("to_latin", {}))
            to_cyrillic.update(f.data.get("to_cyrillic", {}))
            excluded.update(f.data.get("exclude", ()))
        return HomoglyphPass({k: v for k, v in to_latin.items() if k not in excluded},
                             {k: v for k, v in to_cyrillic.items() if v not in excluded})

    def profile(self, name: str) -> Options:
        try:
            return self.profiles[name]
        except KeyError:
            raise UnknownProfileError(name, sorted(self.profiles)) from None

    def scheme(self, lang: str, name: str | None = None) -> Scheme:
        """The named scheme for ``lang``, or its default (the first in SPEC order: the profile's)."""
        by_name = self.schemes.get(lang)
        if not by_name:
            raise UnknownSchemeError(lang, name, sorted(self.schemes))
        if name is None:
            name = self.profiles.get("default", Options()).schemes.get(lang) or next(iter(by_name))
        try:
            return by_name[name]
        except KeyError:
            raise UnknownSchemeError(lang, name, sorted(by_name)) from None

    def _scheme_or_none(self, lang: str, name: str | None) -> Scheme | None:
        if lang not in self.schemes:
            return None
        return self.scheme(lang, name)

    def passes(self, options: Options) -> list:
        """The passes for these options, in stage order (cached)."""
        key = (options.stages, options.exclude)
        if key not in self._passes:
            self._passes[key] = [p for stage in ORDER if stage in options.stages for p in self._stage(stage, options)]
        return self._passes[key]

    def _stage(self, stage: str, options: Options) -> list:
        groups = [g.without(options.exclude) for g in self._pattern_rules.get(stage, [])]
        patterns = [PatternPass(stage, [g for g in groups if g.rules])] if any(g.rules for g in groups) else []
        if stage == "script":
            return [self._homoglyphs]
        if stage == "translation":
            return [self._gazetteer]
        if stage == "transliteration":
            return [self._transliteration]
        if stage == "punctuation":
            quotes = [self._quotes] if self._quotes else []
            return patterns + quotes
        return patterns


def load_ruleset(extra_dirs: tuple[str, ...] | list[str] = ()) -> Ruleset:
    """The rule set for these extra folders, compiled once per process."""
    return _load(tuple(str(Path(d)) for d in extra_dirs))


@functools.lru_cache(maxsize=16)
def _load(extra_dirs: tuple[str, ...]) -> Ruleset:
    return Ruleset.load(extra_dirs)


load_ruleset.cache_clear = _load.cache_clear
