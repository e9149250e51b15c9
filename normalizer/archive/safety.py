"""Defences against hostile archives: unsafe entry names and decompression bombs."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import BinaryIO

from ..errors import NormalizerError

DEFAULT_MAX_BYTES = 16 * 1024**3
"""The default ceiling on decompressed data read in one job (``--max-bytes``)."""


class ArchiveError(NormalizerError):
    """A source that cannot be cleaned as a whole (unreadable, too big, unsafe)."""

    code = "bad-archive"


def name_problem(name: str) -> str | None:
    """Why an archive entry's name is unsafe to reproduce, or ``None`` when it is fine.

    >>> name_problem("news/2024/a.txt") is None
    True
    >>> name_problem("../etc/passwd"), name_problem("/etc/passwd")
    ("a '..' component escapes the archive", 'an absolute path')
    """
    path = PurePosixPath(name)
    if not name or "\x00" in name:
        return "an empty or NUL-containing name"
    if path.is_absolute() or name.startswith("\\") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in path.parts or ".." in name.split("\\"):
        return "a '..' component escapes the archive"
    return None


class ByteBudget:
    """The decompressed bytes a job may still read; exceeding it stops the job (zip bombs)."""

    def __init__(self, limit: int = DEFAULT_MAX_BYTES) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise ArchiveError(f"the source decompresses to more than {self.limit} bytes (the --max-bytes limit); "
                               "refusing it as a possible decompression bomb")

    def reader(self, stream: BinaryIO) -> BudgetReader:
        return BudgetReader(stream, self)


class BudgetReader:
    """A binary stream that charges every byte it returns to a ``ByteBudget``."""

    def __init__(self, stream: BinaryIO, budget: ByteBudget) -> None:
        self._stream, self._budget = stream, budget

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self._budget.spend(len(data))
        return data

    def readline(self, limit: int = -1) -> bytes:
        data = self._stream.readline(limit)
        self._budget.spend(len(data))
        return data

    def __iter__(self):
        return iter(self.readline, b"")

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> BudgetReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
