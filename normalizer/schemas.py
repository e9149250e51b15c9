"""JSON schemas of the rule files, one per kind; ``rulefiles`` validates against them."""

from __future__ import annotations

_EXAMPLES = {
    "examples": {
        "type": "array",
        "items": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}],
                  "minItems": 2, "maxItems": 2},
    },
    "negative": {"type": "array", "items": {"type": "string"}},
}
_ID = {"type": "string", "pattern": r"^[a-z0-9]+(?:[.-][a-z0-9]+|\.[a-z0-9-]+)*$"}
_SOURCES = {"anyOf": [{"type": "string", "minLength": 1},
                     {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}]}
"""A quick test: one Python ``re`` source, or several (any of them)."""
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_HEADER = {"source": {"type": "string", "minLength": 1}, "url": {"type": "string"}, "description": {"type": "string"},
           "profile": {"type": "string"}, **_EXAMPLES}

PATTERNS = {
    "type": "object",
    "required": ["source", "category", "rules"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "category": {"enum": ["script", "transliteration", "translation", "punctuation", "whitespace", "unicode"]},
        "trigger": _SOURCES,
        "non_ascii": {"type": "boolean"},
        "rules": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "pattern"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "description": {"type": "string"},
                    "source": {"type": "string"},
                    "pattern": {"type": "string", "minLength": 1},
                    "replace": {"type": "string"},
                    "action": {"enum": ["nfkc", "cp1252", "fix-encoding", "remove", "anyascii"]},
                    "category": {"enum": ["script", "transliteration", "translation", "punctuation", "whitespace",
                                          "unicode"]},
                    **_EXAMPLES,
                },
                "oneOf": [{"required": ["replace"]}, {"required": ["action"]}],
            },
        },
    },
}

HOMOGLYPHS = {
    "type": "object",
    "required": ["source"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "to_latin": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 1}},
        "to_cyrillic": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 1}},
        "exclude": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 1}},
    },
}

GAZETTEER = {
    "type": "object",
    "required": ["source", "entries"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "entries": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "canonical"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "canonical": {"type": "string", "minLength": 1},
                    "code": {"type": "string", "pattern": "^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$"},
                    "kind": {"enum": ["acronym", "person", "place", "country", "region", "organisation", "calque",
                                      "media"]},
                    "source": {"type": "string"},
                    "forms": {"type": "object", "additionalProperties": _STRINGS},
                    "variants": _STRINGS,
                    "not_after": _STRINGS,
                    "not_before": _STRINGS,
                    "domain": {"type": "string"},
                    **_EXAMPLES,
                },
                "anyOf": [{"required": ["forms"]}, {"required": ["variants"]}, {"required": ["code"]}],
            },
        },
    },
}

_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
TRANSLIT = {
    "type": "object",
    "required": ["source", "lang", "scheme", "letters"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "id": _ID,
        "name": {"type": "string"},
        "lang": {"type": "string", "pattern": "^[a-z]{2,3}$"},
        "scheme": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "letters": _MAP,
        "sequences": _MAP,
        "word_start": _MAP,
        "endings": _MAP,
        "after": {"type": "object", "additionalProperties": _MAP},
        "before": {"type": "object", "additionalProperties": _MAP},
        "between": {"type": "object", "additionalProperties": _MAP},
        "upper": _MAP,
        "classes": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}},
        "reversible": {"type": "boolean"},
        "evidence": {"type": "array", "items": {"type": "string", "minLength": 1}},
    },
}

QUOTES = {
    "type": "object",
    "required": ["source", "pairs", "styles"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "apostrophes": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 1}},
        "pairs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "open", "close"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "open": {"type": "string", "minLength": 1, "maxLength": 1},
                    "close": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 1}},
                    "native": {"type": "boolean"},
                    "source": {"type": "string"},
                },
            },
        },
        "styles": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["double", "single"],
                "properties": {
                    "double": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
                    "single": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
                },
            },
        },
    },
}

PROTECTED = {
    "type": "object",
    "required": ["source", "spans"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "spans": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "pattern"],
                "additionalProperties": False,
                "properties": {"id": _ID, "pattern": {"type": "string"}, "hint": _SOURCES,
                               "description": {"type": "string"}},
            },
        },
    },
}

PROFILE = {
    "type": "object",
    "required": ["name", "description", "stages"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "extends": {"type": "string"},
        "stages": {"type": "array", "items": {"enum": ["unicode", "whitespace", "script", "translation",
                                                        "transliteration", "punctuation", "ascii"]}},
        "exclude": _STRINGS,
        "quote_style": {"type": "string"},
        "schemes": {"type": "object", "additionalProperties": {"type": "string"}},
        "passage_words": {"type": "integer", "minimum": 1},
        "transliterate_passages": {"type": "boolean"},
        "transliterate_words": {"type": "boolean"},
        "transliterate_scripts": _STRINGS,
        "foreign_text": {"enum": ["keep", "romanise"]},
        "historical_names": {"enum": ["keep", "modernise"]},
    },
}

_WORD_LISTS = {"type": "object", "additionalProperties": {"anyOf": [_STRINGS, {"type": "string"}, {"type": "integer"},
                                                                  {"type": "boolean"}]}}
CONTEXT = {
    "type": "object",
    "required": ["source"],
    "additionalProperties": False,
    "properties": {
        **_HEADER,
        **{name: _WORD_LISTS for name in ("foreign", "labels", "files", "cjk", "abbreviations", "notation", "person",
                                          "given_names", "historical", "both_forms", "other_place", "thing")},
        "domains": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["cues"], "additionalProperties": False,
            "properties": {"description": {"type": "string"}, "cues": _STRINGS}}},
    },
}

BY_FOLDER = {
    "unicode": PATTERNS,
    "whitespace": PATTERNS,
    "ascii": PATTERNS,
    "script": HOMOGLYPHS,
    "gazetteer": GAZETTEER,
    "translit": TRANSLIT,
    "protected": PROTECTED,
    "profiles": PROFILE,
    "context": CONTEXT,
}


def schema_for(folder: str, name: str) -> dict:
    """The schema for a rule file, by its folder (and, in punctuation/, its name)."""
    if folder == "punctuation":
        return QUOTES if name.startswith("quotes") else PATTERNS
    return BY_FOLDER[folder]
