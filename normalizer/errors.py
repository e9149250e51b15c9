"""Typed errors that name their source; the CLI and web layer map them once each."""

from __future__ import annotations

from pathlib import Path


class NormalizerError(ValueError):
    """Base class: bad input or bad configuration, never a bug."""

    code = "invalid"


class RuleFileError(NormalizerError):
    """A rule file that cannot be used: names the file, the line and the problem."""

    code = "bad-rule-file"

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class UnknownProfileError(NormalizerError):
    code = "unknown-profile"

    def __init__(self, name: str, available: list[str]) -> None:
        self.name, self.available = name, available
        super().__init__(f"unknown profile {name!r}; available: {', '.join(available)}")


class UnknownSchemeError(NormalizerError):
    code = "unknown-scheme"

    def __init__(self, lang: str, scheme: str | None, available: list[str]) -> None:
        self.lang, self.scheme, self.available = lang, scheme, available
        what = f"scheme {scheme!r} for language {lang!r}" if scheme else f"language {lang!r}"
        super().__init__(f"unknown {what}; available: {', '.join(available) or 'none'}")
