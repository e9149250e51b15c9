"""normalizer — one canonical English form for text that came out of translation.

>>> import normalizer
>>> normalizer.normalize("sappers from КНДР, «victory»").text
'sappers from DPRK, “victory”'
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import detect_fragments, normalize, normalize_many, transliterate
from .engine import Normalizer
from .errors import NormalizerError, RuleFileError, UnknownProfileError, UnknownSchemeError
from .model import Edit, Fragment, Result, Warning, apply_edits

__all__ = [
    "Edit",
    "Fragment",
    "Normalizer",
    "NormalizerError",
    "Result",
    "RuleFileError",
    "UnknownProfileError",
    "UnknownSchemeError",
    "Warning",
    "apply_edits",
    "detect_fragments",
    "normalize",
    "normalize_many",
    "transliterate",
]
