"""Regular-expression safety: no pattern in a rule file may make the engine hang (SPEC §6, §7).

A user's pattern runs in bounded time (``BoundedPattern``): on RE2, a linear-time engine, where
the pattern means the same there, else on ``regex`` under a time budget that grows with the text.
A quick test (``trigger``, ``hint``) runs on Python's ``re``, which has no time limit, so a
user's may only match a bounded number of characters.

Two checks, both cheap, run on every pattern of a user's rule folder as it is loaded:

- static — the pattern's parse tree (``re._parser``, best effort: the ``regex`` module's
  syntax is mostly the same; ``\\p{…}`` is understood, anything else it cannot read is left to
  the probe) has no repeated group whose iterations can be split two ways: a repeat inside a
  repeat that can also match the start of the next iteration (``(a+)+``, ``(.*a){20}``,
  ``(\\w+\\s?)+``), or alternatives that leave the same text to the next iteration (``(a|aa)*``);
- dynamic — the compiled pattern scans, with a timeout, adversarial strings built from its
  own characters: each repeat's body pumped a few thousand times, then a character that fails.

>>> problem(r"(a+)+b") is not None, problem(r"(?:[\\w-]++\\.)++com"), problem(r"[«»]|\\p{Lu}\\p{Ll}+")
(True, None, None)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from re import _constants as sre
from re import _parser
from typing import TYPE_CHECKING

import re2
import regex

from .errors import RuleFileError
from .quick import sources

if TYPE_CHECKING:
    from .rulefiles import RuleFile

TIMEOUT = 0.1
"""Seconds one probe scan may take; a sound pattern needs well under a millisecond."""
PUMP = 1000
"""Characters in a probe string."""
OUTER = 2
"""A repeat of at most this many iterations is not treated as a loop (the probe covers it)."""

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
_SINGLE = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN)
_SAMPLE = ("".join(map(chr, range(0x20, 0x7F))) + "\t\n\r\x00\x0b\x85\xa0éßÆЖжёαΩ中ا١\u0301\u200b\u2003’—«»😀")
_BREAKERS = ("", "\x00", "!", " ", "\n")
_PROPERTY = re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])")
_PLACEHOLDER = 0xF0000
"""``\\p{…}`` classes are parsed as plane-15 private-use characters, then tested with ``regex``."""
_CATEGORIES = {name: re.compile(rx) for name, rx in (
    (sre.CATEGORY_DIGIT, r"\d"), (sre.CATEGORY_NOT_DIGIT, r"\D"), (sre.CATEGORY_SPACE, r"\s"),
    (sre.CATEGORY_NOT_SPACE, r"\S"), (sre.CATEGORY_WORD, r"\w"), (sre.CATEGORY_NOT_WORD, r"\W"))}
SECONDS_PER_CHAR = 2e-6
"""The time a user's pattern run by ``regex`` may take per character of a text (2 s/MB, SPEC §7)."""
MIN_SECONDS = 0.02
"""The time it may take on any text, however short."""
QUICK_WIDTH = 64
"""The most characters a user's quick test (run by Python's ``re``) may match."""
AMBIGUOUS = ("a repeated group can match the same text in more than one way ({why}), so a failing match "
             "backtracks exponentially; make the inner repeat possessive (++, *+) or atomic ((?>...)), "
             "or make the iterations unambiguous")


def problem(pattern: str, flags: int = regex.V1) -> str | None:
    """Why ``pattern`` could hang the engine, or ``None``; a pattern that does not compile is not judged here."""
    try:
        compiled = regex.compile(pattern, flags)
    except (regex.error, ValueError, TypeError):
        return None
    tree = _Tree.parse(pattern, bool(flags & regex.IGNORECASE))
    found = tree.ambiguity() if tree else None
    if found:
        return AMBIGUOUS.format(why=found)
    return _probe(compiled, tree.probes() if tree else _floods(pattern))


def _probe(compiled: regex.Pattern, texts: Iterator[str]) -> str | None:
    for text in texts:
        try:
            compiled.findall(text, timeout=TIMEOUT)
        except TimeoutError:
            return (f"scanning {len(text)} characters like {text[:12]!r}… took longer than {TIMEOUT} s "
                    "(catastrophic backtracking)")
    return None


def _floods(pattern: str) -> Iterator[str]:
    """Probe strings for a pattern ``re`` cannot parse: each of its characters, repeated."""
    for char in dict.fromkeys(c for c in pattern if c.isprintable() and c not in "\\()[]{}?*+|^$"):
        yield char * PUMP + "\x00"


class _Tree:
    """The parse tree of one pattern, with character sets as subsets of a sample alphabet."""

    def __init__(self, root: _parser.SubPattern, properties: list[regex.Pattern], ignorecase: bool) -> None:
        self.root, self.properties, self.ignorecase = root, properties, ignorecase
        self.groups = {av[0]: av[3] for op, av in _items(root) if op == sre.SUBPATTERN and av[0]}
        self.dotall = bool(root.state.flags & re.DOTALL)
        chars = set(_SAMPLE)
        for op, av in _items(root):
            if op == sre.LITERAL and av < _PLACEHOLDER:
                chars.add(chr(av))
            elif op == sre.IN:
                chars.update(chr(v) for kind, value in av if kind == sre.RANGE for v in value)
                chars.update(chr(v) for kind, v in av if kind == sre.LITERAL and v < _PLACEHOLDER)
        if ignorecase:
            chars |= {v for c in list(chars) for v in (c.lower(), c.upper()) if len(v) == 1}
        self.universe = frozenset(chars)

    @classmethod
    def parse(cls, pattern: str, ignorecase: bool) -> _Tree | None:
        properties: list[regex.Pattern] = []

        def placeholder(m: re.Match) -> str:
            properties.append(regex.compile(m.group(), regex.V1 | (regex.IGNORECASE if ignorecase else 0)))
            return chr(_PLACEHOLDER + len(properties) - 1)

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                root = _parser.parse(_PROPERTY.sub(placeholder, pattern), re.IGNORECASE if ignorecase else 0)
        except (re.error, RecursionError, OverflowError, ValueError):
            return None
        return cls(root, properties, ignorecase)

    # character sets --------------------------------------------------------------------------------------------

    def _literal(self, code: int) -> frozenset[str]:
        if code >= _PLACEHOLDER and code - _PLACEHOLDER < len(self.properties):
            test = self.properties[code - _PLACEHOLDER]
            return frozenset(c for c in self.universe if test.match(c))
        char = chr(code)
        return frozenset({char, char.lower(), char.upper()} & self.universe if self.ignorecase else {char})

    def members(self, op: int, av: object) -> frozenset[str]:
        """The sample characters one single-character item matches."""
        if op == sre.LITERAL:
            return self._literal(av)
        if op == sre.NOT_LITERAL:
            return self.universe - self._literal(av)
        if op == sre.ANY:
            return self.universe if self.dotall else self.universe - {"\n"}
        negate = any(kind == sre.NEGATE for kind, _ in av)
        found: set[str] = set()
        for kind, value in av:
            if kind == sre.LITERAL:
                found |= self._literal(value)
            elif kind == sre.RANGE:
                low, high = value
                found |= {c for c in self.universe if low <= ord(c) <= high or (self.ignorecase and any(
                    low <= ord(v) <= high for v in (c.lower(), c.upper()) if len(v) == 1))}
            elif kind == sre.CATEGORY and value in _CATEGORIES:
                found |= {c for c in self.universe if _CATEGORIES[value].match(c)}
        return self.universe - found if negate else frozenset(found)

    def first(self, seq: list) -> frozenset[str]:
        """Characters a match of ``seq`` can start with."""
        out: set[str] = set()
        for op, av in seq:
            out |= self._first_item(op, av)
            if not _nullable_item(op, av):
                break
        return frozenset(out)

    def _first_item(self, op: int, av: object) -> frozenset[str]:
        if op in _SINGLE:
            return self.members(op, av)
        if op in (*_REPEATS, sre.POSSESSIVE_REPEAT):
            return self.first(av[2]) if av[1] else frozenset()
        if op == sre.SUBPATTERN:
            return self.first(av[3])
        if op == sre.ATOMIC_GROUP:
            return self.first(av)
        if op == sre.BRANCH:
            return frozenset().union(*(self.first(alt) for alt in av[1]))
        if op == sre.GROUPREF_EXISTS:
            return self.first(av[1]) | self.first(av[2] or [])
        if op == sre.GROUPREF:
            return self.first(self.groups[av]) if av in self.groups else self.universe
        return frozenset()

    def chars(self, seq: list) -> frozenset[str]:
        """Every character a match of ``seq`` can hold (lookarounds excluded)."""
        out: set[str] = set()
        for op, av in seq:
            if op in _SINGLE:
                out |= self.members(op, av)
            elif op == sre.GROUPREF:
                out |= self.chars(self.groups[av]) if av in self.groups else self.universe
            else:
                out |= frozenset().union(*(self.chars(sub) for sub in _consuming_children(op, av)))
        return frozenset(out)

    # the static check ------------------------------------------------------------------------------------------

    def ambiguity(self) -> str | None:
        """A description of the first ambiguous repeat, or ``None``."""
        for op, av in _items(self.root):
            if op in _REPEATS and av[1] > OUTER:
                found = self._ambiguous_body(list(av[2]), self.first(av[2]), ())
                if found:
                    return found
        return None

    def _ambiguous_body(self, seq: list, body_first: frozenset[str], rest: tuple) -> str | None:
        """Look for a variable part of a repeated body that can take over the next iteration's start."""
        for i, (op, av) in enumerate(seq):
            after = (seq[i + 1:], *rest)
            if op in _REPEATS and av[0] < av[1]:
                inner = self.chars(av[2])
                overlap = inner & body_first
                fits = all(_nullable(s) or self.first(s) & inner for s in after) if av[1] > 1 \
                    else all(_nullable(s) for s in after)
                if overlap and fits:
                    return f"an inner repeat can also match {_show(overlap)}, which starts the next iteration"
            if op == sre.BRANCH:
                alternatives = av[1]
                if sum(_nullable(alt) for alt in alternatives) > 1:
                    return "two alternatives match the same text"
                shared = self._shared_character(alternatives)
                if shared:
                    return f"two alternatives both match {_show(shared)}"
                if any(_nullable(alt) for alt in alternatives) and all(_nullable(s) for s in after):
                    overlap = frozenset().union(*(self.first(alt) for alt in alternatives)) & body_first
                    if overlap:
                        return f"a longer alternative only adds {_show(overlap)}, which starts the next iteration"
            for sub in _consuming_children(op, av) if op not in (sre.ATOMIC_GROUP, sre.POSSESSIVE_REPEAT) else ():
                found = self._ambiguous_body(list(sub), body_first, after)
                if found:
                    return found
        return None

    def _shared_character(self, alternatives: list) -> frozenset[str]:
        """A character two one-character alternatives both match (``\\w|\\d``), if any."""
        singles = [self.members(*alt[0]) for alt in alternatives if len(alt) == 1 and alt[0][0] in _SINGLE]
        for i, one in enumerate(singles):
            for other in singles[i + 1:]:
                if one & other:
                    return one & other
        return frozenset()

    # the probe strings -----------------------------------------------------------------------------------------

    def witness(self, seq: list) -> str:
        """One short string ``seq`` matches (lookarounds and back-references aside)."""
        out = []
        for op, av in seq:
            if op in _SINGLE:
                members = self.members(op, av)
                out.append(min(members, key=lambda c: (not c.isalnum(), c)) if members else "")
            elif op in (*_REPEATS, sre.POSSESSIVE_REPEAT):
                out.append(self.witness(av[2]) * min(av[0], 8))
            elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP, sre.BRANCH, sre.GROUPREF_EXISTS):
                out.append(self.witness(next(iter(_consuming_children(op, av)), [])))
        return "".join(out)

    def probes(self) -> Iterator[str]:
        """Each repeat's body pumped after the text that leads to it, then a breaking character."""
        seen = set()
        for prefix, body in self._pumps(list(self.root), ""):
            unit = self.witness(body) or " "
            for breaker in _BREAKERS:
                text = prefix + unit * (PUMP // len(unit)) + breaker
                if text not in seen:
                    seen.add(text)
                    yield text
        literals = [chr(av) for op, av in _items(self.root) if op == sre.LITERAL and av < _PLACEHOLDER]
        for char in list(dict.fromkeys(literals))[:16]:
            yield char * PUMP + "\x00"

    def _pumps(self, seq: list, prefix: str) -> Iterator[tuple[str, list]]:
        for i, (op, av) in enumerate(seq):
            here = prefix + self.witness(seq[:i])
            if op in (*_REPEATS, sre.POSSESSIVE_REPEAT) and av[1] > 1:
                yield here, list(av[2])
            for sub in _consuming_children(op, av):
                yield from self._pumps(list(sub), here)


def _consuming_children(op: int, av: object) -> list:
    """The sub-sequences of an item that consume text (lookarounds are zero-width)."""
    if op in (*_REPEATS, sre.POSSESSIVE_REPEAT):
        return [av[2]]
    if op == sre.SUBPATTERN:
        return [av[3]]
    if op == sre.ATOMIC_GROUP:
        return [av]
    if op == sre.BRANCH:
        return list(av[1])
    if op == sre.GROUPREF_EXISTS:
        return [av[1], av[2] or []]
    return []


def _items(seq: list) -> Iterator[tuple[int, object]]:
    """Every item of a parse tree, depth first, lookarounds and set members included."""
    for op, av in seq:
        yield op, av
        subs = [av[1]] if op in (sre.ASSERT, sre.ASSERT_NOT) else _consuming_children(op, av)
        for sub in subs:
            yield from _items(sub)


def _nullable(seq: list) -> bool:
    return all(_nullable_item(op, av) for op, av in seq)


def _nullable_item(op: int, av: object) -> bool:
    if op in (*_SINGLE, sre.GROUPREF):  # a back-reference is taken to repeat something
        return False
    if op in (*_REPEATS, sre.POSSESSIVE_REPEAT):
        return av[0] == 0 or _nullable(av[2])
    if op == sre.BRANCH:
        return any(_nullable(alt) for alt in av[1])
    return all(_nullable(sub) for sub in _consuming_children(op, av))


def _show(chars: frozenset[str]) -> str:
    return repr(min(chars, key=lambda c: (not c.isalnum(), c)))


def patterns_of(rule_file: RuleFile) -> Iterator[tuple[str, str, int, tuple]]:
    """Every regular expression in a rule file: (what, pattern, regex flags, key path for the line)."""
    data = rule_file.data
    for i, rule in enumerate(data.get("rules", ())):
        if isinstance(rule, dict) and "pattern" in rule:
            yield f"rule {rule.get('id')}", rule["pattern"], regex.V1, ("rules", i, "pattern")
    for source in sources(data.get("trigger")):
        yield "trigger", source, regex.V0, ("trigger",)
    for i, span in enumerate(data.get("spans", ())):
        for key, flags in (("pattern", regex.V1 | regex.IGNORECASE), ("hint", regex.V0)):
            for source in sources(span.get(key) if isinstance(span, dict) else None):
                yield f"span {span.get('id')} {key}", source, flags, ("spans", i, key)
    for pattern in data.get("evidence", ()):
        yield "evidence", pattern, regex.V1 | regex.IGNORECASE, ("evidence",)


def unbounded_quick_test(source: str) -> str | None:
    """Why a user's quick test (run by Python's ``re``, without a time limit) is not bounded, or ``None``.

    >>> unbounded_quick_test(r"[«»]"), unbounded_quick_test(r"\\bKiev\\b"), unbounded_quick_test("a+b") is None
    (None, None, False)
    """
    try:
        widest = _parser.parse(source).getwidth()[1]
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    if widest <= QUICK_WIDTH:
        return None
    return (f"a trigger or hint runs on Python's re, which has no time limit, so it may match at most "
            f"{QUICK_WIDTH} characters (this one: any number); a literal or a character class is enough")


def check_rule_file(rule_file: RuleFile) -> None:
    """Raise ``RuleFileError`` (file, line, pattern, why) for the first pattern that could hang the engine."""
    for what, pattern, flags, keys in patterns_of(rule_file):
        quick = keys[-1] in ("trigger", "hint") and not rule_file.trusted
        found = problem(pattern, flags) or (unbounded_quick_test(pattern) if quick else None)
        if found:
            raise RuleFileError(rule_file.path, rule_file.line_of(*keys),
                                f"{what}: unsafe pattern {pattern!r}: {found}")


def time_budget(text: str) -> float:
    """Seconds a user's pattern run by ``regex`` may take on ``text``."""
    return MIN_SECONDS + SECONDS_PER_CHAR * len(text)


class BoundedPattern:
    """A pattern from a user's rule file, run in bounded time.

    RE2 (linear time) runs it where it means the same there; else ``regex`` runs it under
    ``time_budget`` and raises ``TimeoutError`` past it. The engine is chosen once, here.

    >>> BoundedPattern(r"(?:ab|a)+c", regex.V1).engine, BoundedPattern(r"(?<=x)a", regex.V1).engine
    ('re2', 'regex')
    >>> [m.group() for m in BoundedPattern(r"a\\u00e9+", regex.V1).finditer("aéé aé")]
    ['aéé', 'aé']
    """

    __slots__ = ("_re2", "_regex", "engine", "pattern")

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self._regex = regex.compile(pattern, flags)
        self._re2 = None if flags & regex.IGNORECASE else _re2_compile(pattern)
        self.engine = "regex" if self._re2 is None else "re2"

    def finditer(self, text: str) -> list:
        """Every match in ``text``; ``TimeoutError`` if ``regex`` runs out of time."""
        if self._re2 is not None:
            try:
                return list(self._re2.finditer(text))
            except UnicodeEncodeError:  # a lone surrogate: RE2 reads UTF-8 only
                pass
        return list(self._regex.finditer(text, timeout=time_budget(text)))


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_RE2_TOKEN = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|[pP]\{[A-Z][a-z&]?\}|[pP][A-Z]|x[0-9a-fA-F]{2}"
                        r"|x\{[0-9a-fA-F]+\}|[nrtfva]|([^0-9A-Za-z]))|(\\.?)|(\(\?(?!:|P<))|(\[\^?\]|--|&&|\|\||~~|\{,)"
                        r"|(\[)|(\])|(\$)", re.DOTALL)
"""A pattern's tokens as RE2 sees them: escapes both engines read alike (``\\uXXXX`` rewritten),
then what RE2 reads otherwise or not at all, then class brackets and ``$``."""


def _re2_compile(pattern: str) -> re2._Regexp | None:
    """The pattern on RE2, if it means the same there as on ``regex`` (V1, case-sensitive)."""
    source = _re2_source(pattern)
    if source is None:
        return None
    try:
        return re2.compile(source, _RE2_OPTIONS)
    except re2.error:
        return None


def _re2_source(pattern: str) -> str | None:
    """``pattern`` in RE2's syntax, or ``None`` where RE2 would read it otherwise: ``\\w \\d \\s \\b``
    are ASCII there, ``$`` does not match before a final newline, and nested sets, set
    operations, ``{,n}``, back-references and flags are ``regex``'s own.

    >>> _re2_source(r"[«»]\\u00a0x"), _re2_source(r"\\w+"), _re2_source(r"[[a-z]--[aeiou]]"), _re2_source("a$")
    ('[«»]\\\\x{00a0}x', None, None, None)
    """
    out, in_class, pos = [], False, 0
    for m in _RE2_TOKEN.finditer(pattern):
        out.append(pattern[pos:m.start()])
        pos = m.end()
        short, long, _, other, flag, odd, opening, closing, dollar = m.groups()
        if other is not None or flag is not None or odd is not None or (opening and in_class) \
                or (dollar and not in_class):
            return None
        if opening or closing:
            in_class = bool(opening)
        out.append(f"\\x{{{short or long}}}" if short or long else m.group())
    out.append(pattern[pos:])
    return "".join(out)
