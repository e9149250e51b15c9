"""Reading and writing archives for ``normalizer clean``: sources, records, staging, safety."""

from .records import NotText, Record, codec_for, read_records
from .safety import DEFAULT_MAX_BYTES, DEFAULT_MAX_RATIO, DEFAULT_MAX_RECORD_BYTES, ArchiveError, ByteBudget
from .sources import Member, Source, open_source
from .staging import Staging, open_staged

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_RATIO", "DEFAULT_MAX_RECORD_BYTES", "ArchiveError", "ByteBudget",
           "Member", "NotText", "Record", "Source", "Staging", "codec_for", "open_source", "open_staged",
           "read_records"]
