"""What the views share: the compiled rule set, cached engines, the OpenAPI document and limits."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources

from .. import Normalizer, __version__
from ..ruleset import Ruleset
from .body import BodySchemas
from .choices import OptionChoices

RULE_COLLECTIONS = ("rules", "entries", "pairs", "spans", "letters", "to_latin", "to_cyrillic")
"""The keys of a rule file whose items are its rules (counted by ``/v1/rules`` and ``/healthz``)."""


def openapi_document() -> dict:
    """The OpenAPI 3.1 document shipped beside this module, stamped with the package version."""
    document = json.loads(resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8"))
    document["info"]["version"] = __version__
    return document


@functools.lru_cache(maxsize=64)
def _engine(profile: str, rules: tuple[str, ...], options_json: str) -> Normalizer:
    return Normalizer(profile, rules, **json.loads(options_json))


@dataclass
class Service:
    """One per app, built by ``create_app``; views read it from ``app.extensions["normalizer"]``."""

    ruleset: Ruleset
    batch_max_items: int
    rules: tuple[str, ...] = ()
    """Extra rule folders (``RULES``), on top of the built-in ones."""
    profile: str = "default"
    """The profile of a request that names none (``PROFILE``)."""
    work_budget: float = 10.0
    """Seconds of work one request may take (``WORK_BUDGET``; 0: no limit); past it, a 413 ``too-expensive``."""
    max_response_bytes: int = 16 << 20
    """Bytes one response may take (``MAX_RESPONSE_BYTES``; 0: no limit); past it, a 413 ``response-too-large``."""
    document: dict = field(default_factory=openapi_document)

    def __post_init__(self) -> None:
        self.schemas = BodySchemas(self.document)
        self.choices = OptionChoices.of(self.ruleset)
        self.ruleset.profile(self.profile)  # an unknown PROFILE fails at start, not on the first request

    def engine(self, profile: str | None, options: dict) -> Normalizer:
        """A compiled normaliser for this profile and option overrides (checked, then cached)."""
        self.choices.check(options)
        return _engine(profile or self.profile, self.rules, json.dumps(options, sort_keys=True))

    def rule_files(self) -> list[dict]:
        return [{"path": f"{f.folder}/{f.path.name}", "folder": f.folder, "name": f.name,
                 "source": f.data.get("source", ""), "rules": rule_count(f.data)} for f in self.ruleset.files]

    def schemes(self) -> dict[str, list[str]]:
        """Scheme names per language, the default first."""
        out = {}
        for lang, by_name in self.ruleset.schemes.items():
            default = self.scheme_name(lang, None)
            out[lang] = [default, *(n for n in by_name if n != default)]
        return out

    def scheme_name(self, lang: str, scheme: str | None) -> str:
        """The name of the scheme ``transliterate`` uses (raises ``UnknownSchemeError``)."""
        chosen = self.ruleset.scheme(lang, scheme)
        return next(name for name, s in self.ruleset.schemes[lang].items() if s is chosen)


def rule_count(data: dict) -> int:
    return sum(len(data[k]) for k in RULE_COLLECTIONS if isinstance(data.get(k), list | dict))
