"""Splitting a file into records and putting cleaned records back, byte for byte where nothing changed.

A ``.jsonl`` file is a record per line (only ``field`` is cleaned; the rest of the line is kept byte
for byte), a ``.csv`` / ``.tsv`` file a record per row (the header row included; only ``column`` is
cleaned; the delimiter is found and kept), anything else a record per line (line endings kept).
UTF-8 with or without a byte-order mark is read; the mark is kept as it was. Anything else (binary,
UTF-16, another 8-bit encoding) raises ``NotText`` with the reason, and the file is copied unchanged.
A record that cannot be cleaned (a line or row with a NUL byte, a JSON line that is not valid JSON
or whose field is not a string) is copied unchanged with a ``note`` saying why, for the report.
A line over the record limit (``--max-record-bytes``) is never held in memory: it is streamed into an
unnamed temporary file (``Spilled``) and copied through unchanged; a table with such a row is copied whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring
from pathlib import Path
from typing import BinaryIO

import chardet

from .safety import DEFAULT_MAX_RECORD_BYTES

CHUNK = 1 << 16
BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
               (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
_WS = re.compile(r"[ \t\r\n]*")
csv.field_size_limit(2**31 - 1)


class NotText(Exception):
    """The file is not UTF-8 text this codec can clean; ``reason`` says what it is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Spilled:
    """A line over the record limit, streamed into an unnamed temporary file instead of memory."""

    def __init__(self, folder: Path | None) -> None:
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self.size += len(data)

    def copy_to(self, out: BinaryIO) -> int:
        """Copy the line to ``out`` in chunks (and free it); its size."""
        self._file.seek(0)
        shutil.copyfileobj(self._file, out, CHUNK)
        self.drop()
        return self.size

    def drop(self) -> None:
        self._file.close()


@dataclass(slots=True)
class Record:
    """One record: its bytes in the source and the text to clean (``None``: copied as it is).

    A record over the size limit has its bytes in ``spill`` instead of ``raw``.
    """

    raw: bytes
    text: str | None
    codec: Codec | None = None
    ctx: tuple = ()
    note: str | None = None
    spill: Spilled | None = None

    def render(self, new: str) -> bytes:
        """The record's bytes with its text replaced by ``new``."""
        if self.codec is None or new == self.text:
            return self.raw
        return self.codec.render(self, new)


class Codec:
    """Turns the lines of one file into records, and a cleaned record back into bytes.

    ``seen`` counts the records that could hold the field or column to clean, ``matched`` those that do.
    """

    target: str | None = None
    seen = matched = 0

    def records(self, lines: Iterator[bytes | Spilled]) -> Iterator[Record]:
        raise NotImplementedError

    def render(self, record: Record, new: str) -> bytes:
        raise NotImplementedError


def _split_ending(line: bytes) -> tuple[bytes, bytes]:
    if line.endswith(b"\r\n"):
        return line[:-2], b"\r\n"
    if line.endswith(b"\n"):
        return line[:-1], b"\n"
    return line, b""


def _decode(data: bytes, offset: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        guess = chardet.detect(data).get("encoding")
        named = f"; it looks like {guess}" if guess and guess.lower() not in ("utf-8", "ascii") else ""
        raise NotText(f"not UTF-8 (invalid byte at offset {offset + exc.start}{named})") from None


def _decoded(lines: Iterator[bytes | Spilled]) -> Iterator[tuple[int, bytes | Spilled, str | None, bytes]]:
    """Each line as (its number, its bytes, its text without the line ending, the ending); a line over the
    record limit as (its number, the ``Spilled`` line, ``None``, ``b""``), never decoded."""
    offset = 0
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, Spilled):
            yield number, raw, None, b""
            offset += raw.size
            continue
        body, ending = _split_ending(raw)
        yield number, raw, _decode(body, offset), ending
        offset += len(raw)


def oversized(number: int, spilled: Spilled) -> Record:
    """The record for line ``number``, over the record limit: copied through unchanged from its spill file."""
    return Record(b"", None, note=f"line {number} is over the --max-record-bytes limit ({spilled.size} bytes; "
                  "copied unchanged)", spill=spilled)


NUL_NOTE = "contains a NUL byte (copied unchanged)"


class Lines(Codec):
    """Plain text: one record per line; the line ending is kept and not shown to the normaliser."""

    def records(self, lines: Iterator[bytes]) -> Iterator[Record]:
        for number, raw, text, ending in _decoded(lines):
            if text is None:
                yield oversized(number, raw)
            elif "\x00" in text:
                yield Record(raw, None, note=f"line {number} {NUL_NOTE}")
            else:
                yield Record(raw, text, self, (ending,))

    def render(self, record: Record, new: str) -> bytes:
        return new.encode("utf-8") + record.ctx[0]


def json_string_span(line: str, field: str) -> tuple[int, int, str] | None:
    """Where the string value of top-level ``field`` sits in a JSON object line (the last one, as json does).

    ``None`` when the line is an object without such a string field; ``ValueError`` when it is not JSON.

    >>> json_string_span('{"id": 1, "text": "Kiev"}', "text")
    (18, 24, 'Kiev')
    """
    decoder = json.JSONDecoder()
    start = _WS.match(line).end()
    obj, end = decoder.raw_decode(line, start)
    if line[end:].strip(" \t\r\n"):
        raise ValueError(f"extra data after the JSON value at column {end + 1}")
    if not isinstance(obj, dict) or not isinstance(obj.get(field), str):
        return None
    found = None
    i = _WS.match(line, start + 1).end()
    while line[i] != "}":
        key, i = scanstring(line, i + 1)
        i = _WS.match(line, _WS.match(line, i).end() + 1).end()
        value, value_end = decoder.raw_decode(line, i)
        if key == field:
            found = (i, value_end, value)
        i = _WS.match(line, value_end).end()
        if line[i] == ",":
            i = _WS.match(line, i + 1).end()
    return found


_JSON_KINDS = {type(None): "null", bool: "a boolean", int: "a number", float: "a number", dict: "an object",
               list: "an array", str: "a string"}


def _not_a_string(line: str, field: str, number: int) -> str | None:
    """Why a valid JSON line has no text to clean (``None``: an object without ``field``, which is fine)."""
    obj = json.loads(line)
    if not isinstance(obj, dict):
        return f"line {number} is {_JSON_KINDS[type(obj)]}, not a JSON object"
    if field in obj:
        return f"line {number}: {field!r} is {_JSON_KINDS[type(obj[field])]}, not a string"
    return None


class JsonLines(Codec):
    """JSON Lines: the string ``field`` of each object is cleaned; the rest of the line is kept byte for byte."""

    target = "field"

    def __init__(self, field: str) -> None:
        self.field = field

    def records(self, lines: Iterator[bytes]) -> Iterator[Record]:
        for number, raw, line, ending in _decoded(lines):
            if line is None:
                yield oversized(number, raw)
                continue
            if not line.strip():
                yield Record(raw, None)
                continue
            try:
                span = json_string_span(line, self.field)
            except ValueError as exc:
                yield Record(raw, None, note=f"line {number} is not valid JSON: {exc}")
                continue
            self.seen += 1
            if span is None:
                note = _not_a_string(line, self.field, number)
                self.matched += note is not None and "not a string" in note
                yield Record(raw, None, note=note)
                continue
            self.matched += 1
            start, end, value = span
            escaped = line[start:end].isascii() and not value.isascii()
            yield Record(raw, value, self, (line, start, end, escaped, ending))

    def render(self, record: Record, new: str) -> bytes:
        line, start, end, escaped, ending = record.ctx
        return (line[:start] + json.dumps(new, ensure_ascii=escaped) + line[end:]).encode("utf-8") + ending


class Table(Codec):
    """CSV/TSV: the delimiter is kept, the header row passes unchanged, ``column`` is cleaned.

    The delimiter is the one the header row uses most (``,`` ``;`` tab ``|``); quoting is standard CSV.
    A row with no change is copied byte for byte; a changed row is written again in the same dialect.
    """

    target = "column"

    def __init__(self, column: str, tab: bool = False, limit: int = DEFAULT_MAX_RECORD_BYTES) -> None:
        self.column, self.tab, self.limit = column, tab, limit

    def records(self, lines: Iterator[bytes | Spilled]) -> Iterator[Record]:
        consumed: list[bytes] = []
        head = list(itertools.islice(lines, 1))
        dialect = self._dialect(b"" if head and isinstance(head[0], Spilled) else b"".join(head))

        held = 0

        def text_lines(source: Iterable[bytes | Spilled]) -> Iterator[str]:
            nonlocal held
            offset = 0
            for raw in source:
                if isinstance(raw, Spilled):
                    raw.drop()
                    raise NotText(self._too_big())
                held = len(raw) + (held if consumed else 0)
                consumed.append(raw)
                if held > self.limit:
                    raise NotText(self._too_big())
                yield _decode(raw, offset)
                offset += len(raw)

        reader = csv.reader(text_lines(itertools.chain(head, lines)), dialect)
        try:
            header = next(reader, None)
            if header is None:
                return
            self.seen = 1
            index = self._index(header)
            self.matched = 1
            yield Record(b"".join(consumed), None)
            consumed.clear()
            for number, row in enumerate(reader, 2):
                raw = b"".join(consumed)
                consumed.clear()
                if b"\x00" in raw:
                    yield Record(raw, None, note=f"row {number} {NUL_NOTE}")
                elif index >= len(row):
                    yield Record(raw, None)
                else:
                    yield Record(raw, row[index], self, (row, index, dialect, _split_ending(raw)[1]))
        except csv.Error as exc:
            raise NotText(f"malformed CSV at row {reader.line_num}: {exc}") from None

    def _too_big(self) -> str:
        return f"a row over the --max-record-bytes limit of {self.limit} bytes; the table is copied unchanged"

    def _dialect(self, sample: bytes) -> type[csv.Dialect]:
        """Standard CSV quoting with the delimiter the header row uses most (tab for .tsv)."""
        if self.tab:
            return csv.excel_tab
        header = sample.split(b"\n", 1)[0].decode("utf-8", "replace")
        delimiter = max(",;\t|", key=header.count)
        return type("HeaderDialect", (csv.excel,), {"delimiter": delimiter if header.count(delimiter) else ","})

    def _index(self, header: list[str]) -> int:
        if self.column in header:
            return header.index(self.column)
        if self.column.isdigit():
            return int(self.column)
        raise NotText(f"a table without a column named {self.column!r} (header: {', '.join(header)})")

    def render(self, record: Record, new: str) -> bytes:
        row, index, dialect, ending = record.ctx
        out = io.StringIO()
        csv.writer(out, dialect, lineterminator=ending.decode("ascii")).writerow(
            [*row[:index], new, *row[index + 1:]])
        return out.getvalue().encode("utf-8")


def lines_of(head: bytes, stream: BinaryIO, limit: int = DEFAULT_MAX_RECORD_BYTES,
             spill: Path | None = None) -> Iterator[bytes | Spilled]:
    """The lines (``\\n``-terminated, ending kept) of ``head`` followed by the rest of ``stream``, read in chunks;
    a line of more than ``limit`` bytes comes as a ``Spilled`` file in the folder ``spill``, never held whole."""
    pending: list[bytes] = []
    size = 0
    spilled: Spilled | None = None
    data = head
    while data:
        start = 0
        while True:
            end = data.find(b"\n", start)
            piece = data[start:] if end < 0 else data[start:end + 1]
            if spilled is None and size + len(piece) > limit:
                spilled = Spilled(spill)
                for part in pending:
                    spilled.write(part)
                pending, size = [], 0
            if spilled is not None:
                spilled.write(piece)
            elif piece:
                pending.append(piece)
                size += len(piece)
            if end < 0:
                break
            start = end + 1
            if spilled is not None:
                yield spilled
                spilled = None
            else:
                yield b"".join(pending)
                pending, size = [], 0
        data = stream.read(CHUNK)
    if spilled is not None:
        yield spilled
    elif pending:
        yield b"".join(pending)


def codec_for(name: str, field: str = "text", column: str = "text", limit: int = DEFAULT_MAX_RECORD_BYTES) -> Codec:
    """The codec for a file, chosen by its name (``limit``: the record limit a table's rows are held to)."""
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return JsonLines(field)
    if lower.endswith((".csv", ".tsv")):
        return Table(column, tab=lower.endswith(".tsv"), limit=limit)
    return Lines()


def classify(head: bytes) -> str:
    """``utf-8`` or ``utf-8-sig`` for text this tool can clean; ``NotText`` for anything else.

    A NUL byte makes the file binary when the head is not UTF-8 or NULs are more than 1 % of it
    (UTF-16 without a mark); a stray NUL in text only makes its record be copied unchanged.

    >>> classify(b"id,text\\n1,a\\x00b\\n" + b"2,a row of plain text\\n" * 9), classify(b"\\xef\\xbb\\xbfhi")
    ('utf-8', 'utf-8-sig')
    >>> classify("ab".encode("utf-16-le"))
    Traceback (most recent call last):
    normalizer.archive.records.NotText: binary data
    """
    for bom, name in _OTHER_BOMS:
        if head.startswith(bom):
            raise NotText(f"{name} text (only UTF-8 is cleaned)")
    if b"\x00" in head and (head.count(b"\x00") * 100 > len(head) or not _utf8_prefix(head)):
        raise NotText("binary data")
    return "utf-8-sig" if head.startswith(BOM) else "utf-8"


def _utf8_prefix(head: bytes) -> bool:
    """Whether ``head`` is the start of UTF-8 text (a character cut at the end is fine)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def read_records(stream: BinaryIO, codec: Codec, limit: int = DEFAULT_MAX_RECORD_BYTES,
                 spill: Path | None = None) -> tuple[str, bytes, Iterator[Record]]:
    """The encoding, the byte-order mark (kept apart from the first record) and the records of ``stream``;
    a line over ``limit`` bytes is streamed into an unnamed file in the folder ``spill``."""
    head = stream.read(CHUNK)
    encoding = classify(head)
    bom = BOM if encoding == "utf-8-sig" else b""
    return encoding, bom, codec.records(lines_of(head[len(bom):], stream, limit, spill))
