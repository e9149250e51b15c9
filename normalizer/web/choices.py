"""The values each option may take, read from the compiled rule set, so a request is checked before any work.

>>> from normalizer.ruleset import load_ruleset
>>> choices = OptionChoices.of(load_ruleset())
>>> choices.check({"quote_style": "nope"})
Traceback (most recent call last):
...
normalizer.web.choices.InvalidOptionError: option quote_style: 'nope' is not allowed; allowed: ascii, typographic
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import NormalizerError
from ..ruleset import Ruleset
from ..stages import ORDER

_RULE_LISTS = ("rules", "entries", "pairs", "spans")
"""The keys of a rule file whose items carry a rule ``id``."""
FIXED = {"foreign_text": ("keep", "romanise"), "historical_names": ("keep", "modernise")}
"""Options whose values the code decides (see their documentation in ``normalizer.options.Options``)."""


class InvalidOptionError(NormalizerError):
    """An option value the rule set does not have; names the option and what it allows."""

    code = "invalid-option"

    def __init__(self, option: str, value: object, allowed: str, code: str = "invalid-option") -> None:
        self.option, self.value, self.code = option, value, code
        super().__init__(f"option {option}: {value!r} is not allowed; allowed: {allowed}")


@dataclass(frozen=True)
class OptionChoices:
    """Stage names, rule ids, quote styles and schemes per language of one rule set."""

    stages: tuple[str, ...]
    rule_ids: frozenset[str]
    quote_styles: tuple[str, ...]
    schemes: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, ruleset: Ruleset) -> OptionChoices:
        ids = frozenset(item["id"] for f in ruleset.files for key in _RULE_LISTS
                        if isinstance(f.data.get(key), list)
                        for item in f.data[key] if isinstance(item, dict) and "id" in item)
        styles = sorted({s for f in ruleset.by_folder("punctuation") for s in f.data.get("styles", {})})
        schemes = {lang: tuple(sorted(by_name)) for lang, by_name in ruleset.schemes.items()}
        return cls(ORDER, ids, tuple(styles), schemes)

    def check(self, options: dict) -> None:
        """Raise ``InvalidOptionError`` for the first value in ``options`` this rule set does not have."""
        _check_each("stages", options.get("stages", ()), self.stages, ", ".join(self.stages))
        if "quote_style" in options:
            _check_each("quote_style", (options["quote_style"],), self.quote_styles, ", ".join(self.quote_styles))
        for rule_id in options.get("exclude", ()):
            if rule_id not in self.rule_ids:
                near = difflib.get_close_matches(rule_id, self.rule_ids, n=3)
                hint = f"closest: {', '.join(near)}" if near else "the ids in the rule files (GET /v1/rules)"
                raise InvalidOptionError("exclude", rule_id, f"one of the {len(self.rule_ids)} rule ids; {hint}")
        for name, allowed in FIXED.items():
            if name in options:
                _check_each(name, (options[name],), allowed, ", ".join(allowed))
        for lang, scheme in options.get("schemes", {}).items():
            _check_each("schemes", (lang,), self.schemes, f"languages {', '.join(sorted(self.schemes))}",
                        "unknown-scheme")
            _check_each(f"schemes.{lang}", (scheme,), self.schemes[lang], ", ".join(self.schemes[lang]),
                        "unknown-scheme")


def _check_each(option: str, values: Iterable[str], allowed: Iterable[str], described: str,
                code: str = "invalid-option") -> None:
    allowed = set(allowed)
    for value in values:
        if value not in allowed:
            raise InvalidOptionError(option, value, described, code)
