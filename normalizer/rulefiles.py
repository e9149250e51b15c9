"""Finding, reading and validating rule files (TOML) — no compiling here."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import jsonschema

from .errors import RuleFileError
from .regexsafety import check_rule_file
from .schemas import BY_FOLDER, schema_for

FOLDERS = (*tuple(BY_FOLDER), "punctuation")


def builtin_rules_dir() -> Path:
    """The rules/ folder shipped with the package (or the repository's, in a checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "profiles").is_dir():
            return candidate
    raise RuleFileError(here / "rules", None, "the built-in rules folder is missing from this installation")


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One parsed, validated rule file."""

    path: Path
    folder: str
    name: str
    data: dict
    text: str
    trusted: bool = False
    """Shipped with the package: its patterns run as they are; a user's run bounded (``regexsafety``)."""

    def line_of(self, *keys: str | int) -> int | None:
        return _line_of(self.text, keys)


def load_file(path: Path, folder: str) -> RuleFile:
    """Read and validate one rule file; errors name the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(path, None, f"cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise RuleFileError(path, int(found.group(1)) if found else None, f"invalid TOML: {exc}") from None
    schema = schema_for(folder, path.stem)
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise RuleFileError(path, _line_of(text, tuple(error.absolute_path)), f"{where}: {error.message}")
    return RuleFile(path, folder, path.stem, data, text)


def _line_of(text: str, keys: tuple) -> int | None:
    """Best guess at the line that holds the value at ``keys`` (a schema error path)."""
    lines = text.splitlines()
    line = 0
    for i, key in enumerate(keys):
        if isinstance(key, int):
            continue
        nth = keys[i + 1] if i + 1 < len(keys) and isinstance(keys[i + 1], int) else None
        header = re.compile(rf"^\s*\[\[\s*{re.escape(key)}\s*\]\]")
        plain = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=|^\s*\[\s*{re.escape(key)}\s*\]")
        hits = [n for n in range(line, len(lines)) if header.match(lines[n])]
        if hits and nth is not None and nth < len(hits):
            line = hits[nth]
            continue
        found = next((n for n in range(line, len(lines)) if plain.match(lines[n])), None)
        if found is not None:
            line = found
    return line + 1 if lines else None


def discover(extra_dirs: list[Path | str] = ()) -> list[RuleFile]:
    """Every rule file: built-in first, then each extra folder; same relative path overrides."""
    chosen: dict[tuple[str, str], Path] = {}
    builtin = builtin_rules_dir()
    for root in [builtin, *map(Path, extra_dirs)]:
        if not root.is_dir():
            raise RuleFileError(root, None, "not a folder of rule files")
        for path in sorted(root.rglob("*.toml")):
            rel = path.relative_to(root)
            if len(rel.parts) != 2 or rel.parts[0] not in FOLDERS:
                raise RuleFileError(path, None, f"rule files belong in one of {', '.join(sorted(FOLDERS))}/")
            chosen[(rel.parts[0], path.name)] = path
    files = [load_file(path, folder) for (folder, _), path in sorted(chosen.items())]
    for i, f in enumerate(files):
        if f.path.is_relative_to(builtin):
            files[i] = replace(f, trusted=True)
        else:  # a user's patterns must not be able to hang the engine
            check_rule_file(f)
    return files


def fingerprint(files: list[RuleFile], version: str) -> str:
    """``<version>+<hash>`` of the rule files' contents, so a corpus can be re-audited."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.folder}/{f.path.name}\0{f.text}\0".encode("utf-8", "surrogatepass"))
    return f"{version}+{digest.hexdigest()[:12]}"
