"""Rules that are one pattern and a replacement: unicode, whitespace, attribution, ascii.

The built-in rules of a stage are matched in one scan of one alternation; a user's rules
each run bounded (``regexsafety.BoundedPattern``), and one that runs out of time on a text
changes nothing there and says so (``rule-timeout``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import anyascii
import ftfy
import ftfy.fixes
import regex

from ..errors import RuleFileError
from ..model import Warning
from ..quick import sources
from ..regexsafety import BoundedPattern
from ..rulefiles import RuleFile
from ..trace import Change
from . import Context


def romanise(text: str) -> str:
    """anyascii, except that a letter, digit or unassigned / private-use character it
    has no ASCII for is kept, not dropped (marks, modifiers and format characters go).

    >>> romanise("Zürich \\ue000") == "Zurich \\ue000"
    True
    """
    out = []
    for char in text:
        ascii_form = anyascii.anyascii(char)
        category = unicodedata.category(char)
        keep = not ascii_form and (category[0] in "LN" or category in ("Co", "Cn", "Cs"))
        out.append(char if keep else ascii_form)
    return "".join(out)


ACTIONS: dict[str, Callable[[str], str]] = {
    "nfkc": lambda s: unicodedata.normalize("NFKC", s),
    "cp1252": ftfy.fixes.fix_c1_controls,
    "fix-encoding": ftfy.fix_encoding,
    "remove": lambda s: "",
    "anyascii": romanise,
}


@dataclass(frozen=True, slots=True)
class PatternRule:
    id: str
    category: str
    regex: regex.Pattern | BoundedPattern
    template: str | None
    action: Callable[[str], str] | None

    def replacement(self, text: str, start: int) -> str:
        if self.action is not None:
            return self.action(text)
        m = self.regex.match(text, start) if "\\" in (self.template or "") else None
        return m.expand(self.template) if m else self.template

    def replacement_of(self, m: object) -> str:
        """The replacement for a match of this rule's own pattern."""
        if self.action is not None:
            return self.action(m.group())
        return m.expand(self.template) if "\\" in self.template else self.template


def compile_rule(rule_file: RuleFile, index: int, rule: dict) -> PatternRule:
    """Compile one pattern rule; a bad pattern names its file and line."""
    try:
        compiled = regex.compile(rule["pattern"], regex.V1) if rule_file.trusted \
            else BoundedPattern(rule["pattern"], regex.V1)
    except regex.error as exc:
        raise RuleFileError(rule_file.path, rule_file.line_of("rules", index, "pattern"),
                            f"rule {rule['id']}: invalid pattern: {exc}") from None
    category = rule.get("category", rule_file.data["category"])
    action = ACTIONS[rule["action"]] if "action" in rule else None
    return PatternRule(rule["id"], category, compiled, rule.get("replace"), action)


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """The rules of one file, with the file's quick test."""

    rules: list[PatternRule]
    trigger: tuple[str, ...] | None
    non_ascii: bool

    def without(self, excluded: frozenset[str]) -> RuleGroup:
        return RuleGroup([r for r in self.rules if r.id not in excluded], self.trigger, self.non_ascii)


def compile_trigger(rule_file: RuleFile) -> tuple[str, ...] | None:
    """The file's ``trigger``: ``re`` sources, one of which every match contains (checked here), if it has one."""
    found = sources(rule_file.data.get("trigger"))
    if not found:
        return None
    for alternative in found:
        try:
            re.compile(alternative)
        except re.error as exc:
            raise RuleFileError(rule_file.path, rule_file.line_of("trigger"), f"invalid trigger: {exc}") from None
    return found


class PatternPass:
    """All the pattern rules of one stage: the built-in ones in one scan of one alternation,
    a user's one by one; where two matches overlap, the first to start wins (at a tie, the
    built-in one, then the earlier rule)."""

    def __init__(self, stage: str, groups: list[RuleGroup]) -> None:
        self.stage = stage
        every = [r for g in groups for r in g.rules]
        self.rules = [r for r in every if not isinstance(r.regex, BoundedPattern)]
        self.bounded = [r for r in every if isinstance(r.regex, BoundedPattern)]
        self.handles_ascii = not all(g.non_ascii for g in groups)
        triggers = [g.trigger for g in groups]
        self.trigger = tuple(alternative for t in triggers for alternative in t) if all(triggers) else None
        self._scan = regex.compile("|".join(f"(?P<r{i}>{r.regex.pattern})" for i, r in enumerate(self.rules)),
                                   regex.V1) if self.rules else None
        self._names = [f"r{i}" for i in range(len(self.rules))]

    def run(self, text: str, ctx: Context) -> list[Change]:
        changes = self._builtin(text) if self._scan is not None else []
        if self.bounded:
            changes = _first_to_start(changes, self._user(text, ctx))
        return changes

    def _builtin(self, text: str) -> list[Change]:
        changes = []
        for m in self._scan.finditer(text):
            rule = self.rules[self._which(m)]
            found = m.group()
            new = rule.replacement(found, m.start()) if rule.action else rule.replacement(text, m.start())
            if new != found:
                changes.append(Change(m.start(), m.end(), new, rule.id, rule.category))
        return changes

    def _user(self, text: str, ctx: Context) -> list[list[Change]]:
        """Each user rule's changes; a rule out of time gives a warning and none."""
        found = []
        for rule in self.bounded:
            try:
                matches = rule.regex.finditer(text)
            except TimeoutError:
                ctx.warnings.append(Warning(0, len(text), "rule-timeout",
                                            f"rule {rule.id} ran out of time on this text and changed nothing"))
                continue
            found.append([Change(m.start(), m.end(), new, rule.id, rule.category) for m in matches
                          if (new := rule.replacement_of(m)) != m.group()])
        return found

    def _which(self, m: regex.Match) -> int:
        name = m.lastgroup
        if name in self._names and m.start(name) == m.start() and m.end(name) == m.end():
            return int(name[1:])
        return next(i for i, n in enumerate(self._names) if m.start(n) != -1)


def _first_to_start(builtin: list[Change], user: list[list[Change]]) -> list[Change]:
    """One sorted, non-overlapping list of changes: the first to start wins, then the earlier list."""
    ranked = sorted((c.start, rank, c.end, c) for rank, changes in enumerate([builtin, *user]) for c in changes)
    out: list[Change] = []
    for start, _, _, change in ranked:
        if not out or start >= out[-1].end:
            out.append(change)
    return out
