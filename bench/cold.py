"""Forgetting what normalizer remembers about texts it has seen, so that a timed run sees only new text.

The benchmark corpora repeat their lines; the caches that make a repeated run or word cheap
(a line's runs, langdetect's answer for a run, pymorphy3's analyses, a scheme's words) are
emptied before a ``cold`` run, which then times every line as if it were new.
"""

from __future__ import annotations

from normalizer import fragments, morphology
from normalizer.ruleset import load_ruleset

_FUNCTIONS = (fragments.runs, fragments._detect, fragments.LanguageGuesser._short_candidates,
              fragments.LanguageGuesser._decide_all, morphology.nominatives, morphology.common_word,
              morphology.name_tags)


def clear_text_caches() -> None:
    """Empty every cache keyed by a text, a run or a word (not the compiled rules or the loaded models)."""
    for function in _FUNCTIONS:
        function.cache_clear()
    for by_name in load_ruleset().schemes.values():
        for scheme in by_name.values():
            scheme.cache.clear()
