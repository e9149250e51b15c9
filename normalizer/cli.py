"""The command line (SPEC §4): a pipe filter, and the ``clean``, ``transliterate``, ``serve`` and ``rules`` commands.

Bad use gets one sentence on stderr and exit status 2; ``--check`` exits 1 when text is not normalised;
an interrupted ``clean`` exits 130 and can be resumed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import __version__
from .api import _get
from .archive import DEFAULT_MAX_BYTES, DEFAULT_MAX_RATIO, DEFAULT_MAX_RECORD_BYTES
from .archive.records import BOM, Lines, NotText
from .clean import CleanOptions, Interrupted, check_report_path, clean
from .errors import NormalizerError
from .model import Result
from .report import write_report
from .ruleset import load_ruleset

RULE_KEYS = ("entries", "rules", "pairs", "spans", "letters", "to_latin", "to_cyrillic")

DAMAGED_SOURCE = 3
"""``clean``'s exit status when DST is complete but the source was cut or corrupt (its report lists what)."""


class UsageError(NormalizerError):
    code = "usage"


class _Done(Exception):
    """``--help`` or ``--version`` has printed what was asked: the command ends with ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that raises (one sentence, exit 2) instead of printing usage and exiting."""

    def error(self, message: str):
        raise UsageError(f"{message} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None):
        if message:
            self._print_message(message, sys.stderr)
        raise _Done(status)


def _engine_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default="default", help="default, ascii, minimal or one of yours")
    p.add_argument("--lang", default=None, help="the language of the source document (helps fragments)")
    p.add_argument("--scheme", default=None, help="the transliteration scheme for --lang (e.g. bgn-pcgn)")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="an extra folder of rule files")


def _schemes(args: argparse.Namespace) -> dict[str, str]:
    if args.scheme is None:
        return {}
    if args.lang is None:
        raise UsageError("--scheme needs --lang (the language the scheme is for)")
    load_ruleset(args.rules).scheme(args.lang, args.scheme)
    return {args.lang: args.scheme}


def _commands_help() -> str:
    """The epilog of ``normalizer --help``: one line per command, and how a FILE named like one is read."""
    width = max(map(len, COMMANDS)) + 2
    lines = [f"  {name:<{width}}{command.summary}" for name, command in COMMANDS.items()]
    return ("commands (normalizer COMMAND --help for each):\n" + "\n".join(lines) +
            "\n\nA first argument that is a command name is the command: to read a file named like one, write ./clean.")


def _filter_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="normalizer", usage="normalizer [options] [FILE|-]\n       normalizer COMMAND ...",
                description="Normalise English text that came out of translation: FILE (default: standard input) "
                "line by line to standard output.", epilog=_commands_help(),
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="a text file, or - for standard input")
    p.add_argument("--version", action="version", version=f"normalizer {__version__}",
                   help="print the version and exit")
    _engine_arguments(p)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--explain", action="store_true", help="print the edits, readably")
    mode.add_argument("--json", action="store_true", help="print each line's result as JSON Lines")
    mode.add_argument("--check", action="store_true", help="exit 1 and list the edits if the file is not normalised")
    return p


def _lines(stream: BinaryIO) -> Iterator[tuple[bytes, str, bytes]]:
    """(byte-order mark, text, line ending) for each line, read one at a time."""
    raw_lines = iter(stream.readline, b"")
    first = next(raw_lines, b"")
    bom = BOM if first.startswith(BOM) else b""
    lines = (line for part in ([first[len(bom):]] if first else [], raw_lines) for line in part)
    for number, record in enumerate(Lines().records(lines), 1):
        yield (bom if number == 1 else b""), record.text, record.ctx[0]


def _filter(argv: list[str]) -> int:
    args = _filter_parser().parse_args(argv)
    engine = _get(args.profile, args.rules, {"schemes": _schemes(args)} if args.scheme else {})
    stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    out = sys.stdout.buffer
    interactive = args.file == "-"  # a pipe's reader sees each line as soon as it is cleaned
    edits = 0
    with stream:
        for number, (bom, text, ending) in enumerate(_lines(stream), 1):
            result = engine.normalize(text, lang=args.lang)
            if args.json:
                out.write(json.dumps(result.to_dict(), ensure_ascii=False).encode() + b"\n")
            elif args.explain or args.check:
                edits += len(result.edits)
                out.write("".join(_explain(args.file, number, result)).encode())
            else:
                out.write(bom + result.text.encode() + ending)
            if interactive:
                out.flush()
    out.flush()
    if args.check and edits:
        print(f"{args.file}: not normalised ({edits} edits)", file=sys.stderr)
        return 1
    return 0


def _explain(name: str, number: int, result: Result) -> Iterator[str]:
    """``FILE:LINE:COLUMN:`` and each edit with every rule of its chain, in order; then each warning."""
    for e in result.edits:
        rules = " + ".join(e.rules or (e.rule,))
        yield f"{name}:{number}:{e.start + 1}: {e.original!r} → {e.replacement!r}  [{rules}, {e.category}]\n"
    for w in result.warnings:
        yield f"{name}:{number}:{w.start + 1}: warning {w.code}: {w.message}\n"


def _clean(argv: list[str]) -> int:
    p = _Parser(prog="normalizer clean", description="Clean a folder, .zip, .tar(.gz), .jsonl or .csv into DST, "
                "same shape: atomic, resumable, never dropping a record.")
    p.add_argument("src", type=Path, metavar="SRC", help="a folder, .zip, .tar, .tar.gz, .jsonl or .csv to clean")
    p.add_argument("--out", type=Path, required=True, metavar="DST", help="where the cleaned copy goes (same shape)")
    _engine_arguments(p)
    p.add_argument("--workers", type=int, default=1, help="processes to clean with (order is kept)")
    p.add_argument("--field", default="text", help="the JSON Lines field to clean (default: text)")
    p.add_argument("--column", default="text", help="the CSV column (name or 0-based index) to clean")
    p.add_argument("--report", type=Path, metavar="FILE", help="write the JSON report here")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.add_argument("--dask", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS (tcp://host:8786)")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                   help="refuse a source that decompresses to more than this (default 16 GiB)")
    p.add_argument("--max-ratio", type=float, default=DEFAULT_MAX_RATIO, metavar="N",
                   help="refuse a compressed archive that decompresses to more than N times its size "
                   "(default 100; at least 1 MiB is always allowed)")
    p.add_argument("--max-record-bytes", type=int, default=DEFAULT_MAX_RECORD_BYTES, metavar="N",
                   help="copy a record (line) longer than this through unchanged, without loading it "
                   "(default 64 MiB)")
    p.add_argument("--checkpoint-seconds", type=float, default=1.0, metavar="S",
                   help="how often to save progress for --resume (default 1)")
    args = p.parse_args(argv)
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.max_ratio <= 0 or args.max_record_bytes < 1:
        raise UsageError("--max-ratio and --max-record-bytes must be positive")
    if args.report:
        check_report_path(args.report, args.src, args.out)
    options = CleanOptions(args.profile, tuple(args.rules), args.lang, _schemes(args), args.field, args.column,
                           args.workers, args.max_bytes, args.resume, not args.quiet and sys.stderr.isatty(),
                           args.checkpoint_seconds, args.max_record_bytes, args.max_ratio)
    client = None
    if args.dask:
        from .distributed import connect

        client = connect(args.dask)
    try:
        report = clean(args.src, args.out, options, client)
    finally:
        if client is not None:
            client.close()
    if report is None:
        if args.report:
            print(f"normalizer: no report written to {args.report}: the run that wrote {args.out} made its own",
                  file=sys.stderr)
        return 0
    if args.report:
        write_report(report, args.report)
    if not args.quiet:
        print(report.summary(), file=sys.stderr)
    return DAMAGED_SOURCE if report.damaged else 0


def _transliterate(argv: list[str]) -> int:
    p = _Parser(prog="normalizer transliterate", description="Romanise text with a language's scheme.")
    p.add_argument("text", nargs="?", metavar="TEXT", help="the text (default: standard input, line by line)")
    p.add_argument("--lang", default="ru", help="the language of the text (default: ru)")
    p.add_argument("--scheme", default=None, help="the scheme (default: the language's first, e.g. kmu-2010 for uk)")
    p.add_argument("--rules", action="append", default=[], metavar="DIR",
                   help="an extra folder of rule files (your own translit/ schemes)")
    args = p.parse_args(argv)
    scheme = load_ruleset(args.rules).scheme(args.lang, args.scheme)
    lines = [args.text] if args.text is not None else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        print(scheme.apply(line))
    return 0


def _serve(argv: list[str]) -> int:
    p = _Parser(prog="normalizer serve", description="Run the HTTP API under gunicorn (production mode).")
    p.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDR",
                   help="the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--profile", default="default", help="the profile of a request that names none (default default)")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="an extra folder of rule files")
    args = p.parse_args(argv)
    for folder in args.rules:
        if not Path(folder).is_dir():
            raise UsageError(f"{folder} is not a folder")
    load_ruleset(tuple(args.rules)).profile(args.profile)  # a bad rule file or profile: one line, before gunicorn
    from .web import serve

    serve(port=args.port, workers=args.workers, bind=args.bind, RULES=args.rules, PROFILE=args.profile)
    return 0


def _rules(argv: list[str]) -> int:
    p = _Parser(prog="normalizer rules", description="List the rule files, or check a folder of your own.")
    p.add_argument("action", choices=("list", "check"),
                   help="list: every rule file and its rule count; check: validate the rule files in DIR")
    p.add_argument("dir", nargs="?", type=Path, metavar="DIR", help="a folder of your own rule files")
    args = p.parse_args(argv)
    if args.dir is not None and not args.dir.is_dir():
        raise UsageError(f"{args.dir} is not a folder")
    if args.action == "check" and args.dir is None:
        raise UsageError("rules check needs a folder: normalizer rules check DIR")
    ruleset = load_ruleset((str(args.dir),) if args.dir else ())
    if args.action == "check":
        mine = [f for f in ruleset.files if f.path.resolve().is_relative_to(args.dir.resolve())]
        print(f"{args.dir}: {len(mine)} rule files, all valid ({ruleset.version})")
        return 0
    for f in ruleset.files:
        count = sum(len(f.data[k]) for k in RULE_KEYS if k in f.data)
        print(f"{f.folder}/{f.name}\t{count}\t{f.path}")
    print(f"{len(ruleset.files)} files, ruleset {ruleset.version}", file=sys.stderr)
    return 0


@dataclass(frozen=True)
class Command:
    """A subcommand: the function that runs it on its arguments, and its line in ``normalizer --help``."""

    run: Callable[[list[str]], int]
    summary: str


COMMANDS: dict[str, Command] = {
    "clean": Command(_clean, "clean a folder, .zip, .tar(.gz), .jsonl or .csv archive into DST (resumable)"),
    "transliterate": Command(_transliterate, "romanise TEXT (or standard input) with a language's scheme"),
    "serve": Command(_serve, "run the HTTP API and the playground under gunicorn (production mode)"),
    "rules": Command(_rules, "list the rule files, or check a folder of your own"),
}
COMMAND_LIKE = re.compile(r"[A-Za-z][\w-]*")
"""A first argument of this shape that is neither a command nor an existing file is taken for a mistyped command."""


def _command(argv: list[str]) -> Command | None:
    """The command ``argv`` starts with; ``None`` for the pipe filter (options, ``-``, or an existing FILE)."""
    name = argv[0] if argv else "-"
    if name in COMMANDS:
        return COMMANDS[name]
    if not COMMAND_LIKE.fullmatch(name) or os.path.exists(name):
        return None
    close = difflib.get_close_matches(name, COMMANDS, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"unknown command {name!r} (and no such file); {hint}commands: {', '.join(COMMANDS)}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status is returned (and used by the ``normalizer`` script)."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        command = _command(argv)
        return command.run(argv[1:]) if command else _filter(argv)
    except _Done as done:
        return done.status
    except Interrupted as exc:
        print(f"normalizer: {exc}", file=sys.stderr)
        return 130
    except NotText as exc:
        print(f"normalizer: the input is {exc.reason}", file=sys.stderr)
        return 2
    except NormalizerError as exc:
        print(f"normalizer: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except OSError as exc:
        print(f"normalizer: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("normalizer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
