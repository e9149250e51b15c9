"""Defences against hostile archives: unsafe entry names and decompression bombs."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import BinaryIO

from ..errors import NormalizerError

DEFAULT_MAX_BYTES = 16 * 1024**3
"""The default ceiling on decompressed data read in one job (``--max-bytes``)."""
DEFAULT_MAX_RATIO = 100.0
"""The default ceiling on decompressed data as a multiple of a compressed archive's size (``--max-ratio``)."""
RATIO_FLOOR = 1024**2
"""Decompressed bytes always allowed, whatever the ratio (a tiny archive of ordinary text)."""
DEFAULT_MAX_RECORD_BYTES = 64 * 1024**2
"""The default size over which a record is copied through unchanged, never loaded (``--max-record-bytes``)."""


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
    """The decompressed bytes a job may still read; exceeding it stops the job (zip bombs).

    Two ceilings: ``limit`` bytes in all (``--max-bytes``), and for a compressed archive ``ratio`` times
    its size (``--max-ratio``, see ``bound_by_ratio``); the error names the entry being read.
    """

    def __init__(self, limit: int = DEFAULT_MAX_BYTES, ratio: float = DEFAULT_MAX_RATIO) -> None:
        self.limit, self.ratio = limit, ratio
        self.ratio_limit: int | None = None
        self.used = 0

    def bound_by_ratio(self, archive_size: int) -> None:
        """A compressed archive of ``archive_size`` bytes may decompress to ``ratio`` times that (at least 1 MiB)."""
        self.ratio_limit = max(int(self.ratio * archive_size), RATIO_FLOOR)

    def check(self, total: int, entry: str, what: str = "decompresses") -> None:
        """Refuse when ``total`` bytes are over a ceiling, naming ``entry``."""
        if total > self.limit:
            raise ArchiveError(f"{entry}: the source {what} to more than {self.limit} bytes (the --max-bytes limit); "
                               "refusing it as a possible decompression bomb")
        if self.ratio_limit is not None and total > self.ratio_limit:
            raise ArchiveError(f"{entry}: the archive {what} to more than {self.ratio_limit} bytes, over "
                               f"{self.ratio:g} times its size (the --max-ratio limit); refusing it as a possible "
                               "decompression bomb")

    def spend(self, n: int, entry: str) -> None:
        self.used += n
        self.check(self.used, entry)

    def reader(self, stream: BinaryIO, entry: str) -> BudgetReader:
        return BudgetReader(stream, self, entry)


class BudgetReader:
    """A binary stream that charges every byte it returns to a ``ByteBudget``."""

    def __init__(self, stream: BinaryIO, budget: ByteBudget, entry: str) -> None:
        self._stream, self._budget, self._entry = stream, budget, entry

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self._budget.spend(len(data), self._entry)
        return data

    def readline(self, limit: int = -1) -> bytes:
        data = self._stream.readline(limit)
        self._budget.spend(len(data), self._entry)
        return data

    def __iter__(self):
        return iter(self.readline, b"")

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> BudgetReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
