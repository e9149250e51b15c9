"""The command line: ``normalizer [FILE|-]`` as a pipe filter, ``--explain``, ``--json``, ``--check``."""

from __future__ import annotations

import argparse
import json
import sys

from .api import _get, transliterate
from .errors import NormalizerError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="normalizer", description="Normalise English text that came out of translation.")
    p.add_argument("file", nargs="?", default="-", help="a text file, or - for standard input")
    p.add_argument("--profile", default="default")
    p.add_argument("--lang", default=None, help="the language of the source document (helps fragments)")
    p.add_argument("--rules", action="append", default=[], help="an extra folder of rule files")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--explain", action="store_true", help="print the edits, readably")
    mode.add_argument("--json", action="store_true", help="print the result as JSON Lines")
    mode.add_argument("--check", action="store_true", help="exit 1 and list the edits if the file is not normalised")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["transliterate"]:
            return _transliterate(argv[1:])
        return _filter(_parser().parse_args(argv))
    except (NormalizerError, OSError, UnicodeDecodeError) as exc:
        print(f"normalizer: {exc}", file=sys.stderr)
        return 2


def _transliterate(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="normalizer transliterate")
    p.add_argument("text", nargs="?")
    p.add_argument("--lang", default="ru")
    p.add_argument("--scheme", default=None)
    args = p.parse_args(argv)
    lines = [args.text] if args.text is not None else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        print(transliterate(line, args.lang, args.scheme))
    return 0


def _filter(args: argparse.Namespace) -> int:
    engine = _get(args.profile, args.rules, {})
    stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    dirty = 0
    with stream:
        for number, line in enumerate(stream, 1):
            result = engine.normalize(line, lang=args.lang)
            if args.json:
                print(json.dumps(result.to_dict(), ensure_ascii=False))
            elif args.explain or args.check:
                for e in result.edits:
                    dirty += 1
                    print(f"{args.file}:{number}:{e.start + 1}: {e.original!r} → {e.replacement!r}  [{e.rule}]")
                for w in result.warnings:
                    print(f"{args.file}:{number}:{w.start + 1}: warning {w.code}: {w.message}")
            else:
                sys.stdout.write(result.text)
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
