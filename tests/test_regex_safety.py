"""No rule, built-in or a user's, can make the engine hang (SPEC §6, §7; normalizer.regexsafety)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import regex

import normalizer
from normalizer import RuleFileError
from normalizer.regexsafety import BoundedPattern, check_rule_file, patterns_of, problem
from normalizer.rulefiles import builtin_rules_dir, discover

CATASTROPHIC = [r"(a+)+b", r"(a|aa)*b", r"(a|a)*b", r"(.*a){20}", r"^(\w+\s?)*$", r"(x+x+)+y", r"(a*)*b",
                r"^(([a-z])+.)+[A-Z]([a-z])+$", r"(?:a+){2,}b", r"(\s*\w+)+:", r"(\w+-\w+)+!", r"(?:a\w?)+$",
                r"(\p{L}+\s?)+$", r"(?:\d+|\d+x)+", r"(?:\w+[\s-]?)+\.", r"(a)(?:\1+)+"]
SOUND = [r"(?:[\w-]++\.)++com", r"(?:[\u00c2-\u00f4][\u0080-\u00bf]{1,3})+", r"(?:\w+\s)+x", r"(?:a|ab)*",
         r"(?:ab|c)+", r"(?:[A-Z][a-z]+ )+Street", r"\bКиев\b", r"(?:x(?:—|-{1,2}))+", r"[«»]",
         r"(\d{1,3})(?:,\d{3})+", r"(?:ab?)+", r"\w+", r"(?<=\p{L})[\u200c\u200d]++(?=\p{L})",
         r"\b(\w+)(?:\s+\1\b)+", r"(?:\s*,\s*\w+)*", r"\p{Cyrillic}+(?:[-’]\p{Cyrillic}+)*"]
SLOW_ONLY_WHEN_RUN = r"[ab]+(?<=x[ab]+)(?=y)"
"""No nested repeat for the static check to see: only the timed probe catches it (cubic)."""


def _write(root: Path, rel: str, body: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def _pattern_rule(pattern: str) -> str:
    return (f'source = "my newsroom"\ncategory = "unicode"\n\n[[rules]]\nid = "mine.ok"\npattern = \'x\'\n'
            f'replace = "y"\n\n[[rules]]\nid = "mine.bad"\npattern = \'{pattern}\'\nreplace = ""\n')


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_are_recognised_without_running_them(pattern):
    assert "more than one way" in problem(pattern)


@pytest.mark.parametrize("pattern", SOUND)
def test_sound_patterns_pass(pattern):
    assert problem(pattern) is None


def test_the_probe_catches_what_the_parse_tree_does_not_show():
    started = time.perf_counter()
    assert "took longer than" in problem(SLOW_ONLY_WHEN_RUN)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(("rel", "body", "line", "what", "pattern"), [
    ("unicode/mine.toml", _pattern_rule(r"(\w+\s?)+$"), 11, "rule mine.bad", r"(\w+\s?)+$"),
    ("punctuation/mine.toml", _pattern_rule(r"(a|aa)*b"), 11, "rule mine.bad", r"(a|aa)*b"),
    ("unicode/mine.toml", _pattern_rule(SLOW_ONLY_WHEN_RUN), 11, "rule mine.bad", SLOW_ONLY_WHEN_RUN),
    ("whitespace/mine.toml", 'source = "s"\ncategory = "whitespace"\ntrigger = \'(x+x+)+y\'\n\n[[rules]]\n'
     'id = "mine.ok"\npattern = \'x\'\nreplace = "y"\n', 3, "trigger", "(x+x+)+y"),
    ("protected/spans.toml", 'source = "s"\n\n[[spans]]\nid = "protected.mine"\npattern = \'(.*a){20}\'\n', 5,
     "span protected.mine pattern", "(.*a){20}"),
    ("whitespace/mine.toml", 'source = "s"\ncategory = "whitespace"\ntrigger = [\'x\', \'(y+y+)+z\']\n\n[[rules]]\n'
     'id = "mine.ok"\npattern = \'x\'\nreplace = "y"\n', 3, "trigger", "(y+y+)+z"),
    ("protected/spans.toml", 'source = "s"\n\n[[spans]]\nid = "protected.mine"\nhint = [\'@\', \'(b*)*c\']\n'
     'pattern = \'@x\'\n', 5, "span protected.mine hint", "(b*)*c"),
])
def test_a_pathological_user_rule_is_rejected_naming_file_line_and_pattern(tmp_path, rel, body, line, what, pattern):
    path = _write(tmp_path, rel, body)
    with pytest.raises(RuleFileError) as info:
        normalizer.Normalizer(rules=[str(tmp_path)])
    error = info.value
    assert (error.path, error.line) == (str(path), line)
    assert str(error).startswith(f"{path}:{line}: {what}: unsafe pattern {pattern!r}: ")


def test_ordinary_user_rules_still_load_and_apply(tmp_path):
    _write(tmp_path, "unicode/mine.toml", 'source = "my newsroom"\ncategory = "unicode"\n\n[[rules]]\n'
           'id = "mine.street"\npattern = \'(?:[A-Z][a-z]+ )+Str\\.\'\nreplace = "Street"\n')
    result = normalizer.normalize("on Baker Str. today", rules=[str(tmp_path)])
    assert result.text == "on Street today"
    assert [e.rule for e in result.edits] == ["mine.street"]


def test_every_builtin_rule_is_safe():
    files = [f for f in discover() if f.path.is_relative_to(builtin_rules_dir())]
    assert sum(1 for f in files for _ in patterns_of(f)) >= 30
    for rule_file in files:
        check_rule_file(rule_file)


def test_rules_check_reports_an_unsafe_pattern_and_fails(tmp_path):
    path = _write(tmp_path, "unicode/mine.toml", _pattern_rule(r"(a+)+b"))
    done = subprocess.run([sys.executable, "-m", "normalizer.cli", "rules", "check", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"{path}:11: rule mine.bad: unsafe pattern '(a+)+b'" in done.stderr
    assert "catastroph" in done.stderr or "exponentially" in done.stderr


# Issue 13: user patterns run bounded -------------------------------------------------------------------------

HOSTILE_WHEN_RUN = [(r"(?:ab|a)+c", "a"), (r"a*a*a*b", "a"), (r"\w+$", "1"), (r"(?:\d|x)*\d\d$", "1")]
"""No ambiguous repeat for the check to refuse, yet quadratic or worse on ``regex``: 218 s, 33 s (on 3,000)…"""


def _user_rules(tmp_path: Path, pattern: str, replace: str = "y", trigger: str | None = None) -> str:
    head = f"trigger = '{trigger}'\n" if trigger else ""
    _write(tmp_path, "unicode/mine.toml", f'source = "s"\ncategory = "unicode"\n{head}\n[[rules]]\nid = "mine.x"\n'
           f"pattern = '{pattern}'\nreplace = \"{replace}\"\n")
    return str(tmp_path)


@pytest.mark.parametrize(("pattern", "char"), HOSTILE_WHEN_RUN)
def test_a_hostile_user_pattern_returns_in_bounded_time_on_100k_characters(tmp_path, pattern, char):
    n = normalizer.Normalizer(rules=[_user_rules(tmp_path, pattern)])
    text = char * 100_000 + "!"
    started = time.perf_counter()
    result = n.normalize(text)
    assert time.perf_counter() - started < 5  # guards a hang (each takes well under 1 s)
    assert result.text == text
    assert [w.code for w in result.warnings] in ([], ["rule-timeout"])


def test_the_overlapping_alternation_of_the_issue_is_refused_at_load_or_bounded(tmp_path):
    """``(\\w|\\d)+$`` (41 s on 30k): the probe at load refuses it unless the machine is busy, else it runs bounded."""
    try:
        n = normalizer.Normalizer(rules=[_user_rules(tmp_path, r"(\w|\d)+$")])
    except RuleFileError as error:
        assert error.line == 6 and "unsafe pattern" in str(error)
        return
    text = "1" * 100_000 + "!"
    started = time.perf_counter()
    assert n.normalize(text).text == text
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(("pattern", "engine"), [
    (r"(?:ab|a)+c", "re2"), (r"a*a*a*b", "re2"), (r"[«»]\u00a0\p{Lu}", "re2"), (r"(?P<q>x)y", "re2"),
    (r"\w+", "regex"), (r"\bx", "regex"), (r"x$", "regex"), (r"(?<=a)b", "regex"), (r"(a)\1", "regex"),
    (r"[[a-z]--[aeiou]]", "regex"), (r"x{,3}", "regex"), (r"(?i)x", "regex"), (r"\p{Cyrillic}", "regex"),
])
def test_a_user_pattern_runs_on_re2_only_where_it_means_the_same(pattern, engine):
    assert BoundedPattern(pattern, regex.V1).engine == engine


def test_a_user_rule_out_of_time_warns_and_changes_nothing(tmp_path):
    n = normalizer.Normalizer(rules=[_user_rules(tmp_path, r"\w+$")])
    text = "1" * 300_000 + "!"
    result = n.normalize(text)
    assert result.text == text and not result.edits
    assert [(w.code, w.start, w.end) for w in result.warnings] == [("rule-timeout", 0, len(text))]
    assert "mine.x" in result.warnings[0].message


@pytest.mark.parametrize(("pattern", "replace", "text", "expected"), [
    (r"(?:ab|a)+c", r"<\\g<0>>", "xaabc and aac «q»", "x<aabc> and <aac> “q”"),
    (r"(\w+)-(\w+)", r"\\2-\\1", "cold-war and café-x", "war-cold and x-café"),
    (r"(?:ab|a)+c", "", "lone \ud800 surrogate aac", "lone \ud800 surrogate "),
])
def test_bounded_user_rules_apply_with_their_templates(tmp_path, pattern, replace, text, expected):
    result = normalizer.normalize(text, rules=[_user_rules(tmp_path, pattern, replace)])
    assert result.text == expected


def test_an_unbounded_user_trigger_is_refused_naming_the_line(tmp_path):
    with pytest.raises(RuleFileError) as info:
        normalizer.Normalizer(rules=[_user_rules(tmp_path, "x", trigger="a+b")])
    assert info.value.line == 3 and "no time limit" in str(info.value)


def test_the_builtin_rules_keep_their_one_scan():
    steps = normalizer.Normalizer("default").passes
    assert not any(getattr(s.pass_, "bounded", ()) for s in steps)
    assert all(isinstance(r.regex, regex.Pattern) for s in steps for r in getattr(s.pass_, "rules", ()))
