"""``normalizer clean``: clean a folder or archive into one of the same shape, never losing a record.

The source is read as a stream of members (``archive.sources``), each file as a stream of records
(``archive.records``); the texts go through ``batches`` (this process, a process pool or a Dask
cluster) and come back in order; records are written to a staging folder next to DST, with a
checkpoint every second (``checkpoint_seconds``), and published with one rename at the end (``archive.staging``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

from .api import _get
from .archive import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_RATIO,
    DEFAULT_MAX_RECORD_BYTES,
    ArchiveError,
    ByteBudget,
    Member,
    NotText,
    Record,
    Source,
    Staging,
    codec_for,
    open_source,
    open_staged,
    read_records,
)
from .archive.staging import PUBLISHED
from .batches import Outcome, clean_texts, freeze
from .report import Report, Tally
from .ruleset import load_ruleset

_END = object()


class Interrupted(ArchiveError):
    """Ctrl-C or SIGTERM: the run stopped at a checkpoint and can be resumed."""

    code = "interrupted"


@dataclass(frozen=True)
class CleanOptions:
    """How to clean: the engine's profile and options, which field or column, and how to run."""

    profile: str = "default"
    rules: tuple[str, ...] = ()
    lang: str | None = None
    schemes: dict[str, str] = field(default_factory=dict)
    field: str = "text"
    column: str = "text"
    workers: int = 1
    max_bytes: int = DEFAULT_MAX_BYTES
    resume: bool = False
    progress: bool = False
    checkpoint_seconds: float = 1.0
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    max_ratio: float = DEFAULT_MAX_RATIO

    def engine_options(self) -> dict:
        return {k: v for k, v in (("lang", self.lang), ("schemes", self.schemes)) if v}

    def identity(self) -> dict:
        """What a checkpoint must match to be resumed."""
        return {"profile": self.profile, "rules": list(self.rules), "lang": self.lang, "schemes": self.schemes,
                "field": self.field, "column": self.column, "max_record_bytes": self.max_record_bytes}


def clean(src: Path, dst: Path, options: CleanOptions = CleanOptions(), client=None,
          log=print) -> Report | None:
    """Clean ``src`` into ``dst`` (same shape); ``client``: a ``distributed.Client`` to run on a Dask cluster.

    ``None`` when ``options.resume`` finds DST already complete and the report of the run that wrote it is gone.
    """
    src, dst = Path(src), Path(dst)
    _check_paths(src, dst, options.resume)
    engine = _get(options.profile, options.rules, options.engine_options())
    for lang, scheme in options.schemes.items():
        load_ruleset(options.rules).scheme(lang, scheme)
    source = open_source(src, ByteBudget(options.max_bytes, options.max_ratio))
    try:
        staging = Staging(dst, source.format)
        job = {"source": str(src.resolve()), "fingerprint": _fingerprint(src), "format": source.format,
               **options.identity()}
        if dst.exists() or dst.is_symlink():
            return _finished_before(staging, job, options.resume, log)
        state = _start(staging, job, options.resume, log)
        if state is None:
            report = Report(str(src), str(dst), source.format, options.profile, engine.ruleset.version)
            state = {"job": job, "member": 0, "records": 0, "out_bytes": 0, "tally": None, "manifest": [],
                     "report": report.to_state()}
        run = _Run(source, staging, state, options, client, log)
        try:
            with _stop_on_signals(run.stop):
                run.execute()
            _check_targets(run.report, options)
            staging.publish(run.manifest, {"job": job, "report": run.report.to_state()})
        except (Interrupted, IOFailed):
            raise
        except ArchiveError:
            staging.discard()
            raise
        except OSError as exc:
            raise IOFailed(_os_problem(exc, dst, staging)) from None
        return run.report
    finally:
        source.close()


class IOFailed(ArchiveError):
    """The run could not write its output (disk full, file-size limit) or read its source; the staged work is kept."""

    code = "io-failed"


def _os_problem(exc: OSError, dst: Path, staging: Staging) -> str:
    """One line for an I/O failure during a run: what failed, and how to continue."""
    what = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        what += " (out of disk space or over a file-size limit)"
    reading = exc.filename is not None and not Path(exc.filename).resolve().is_relative_to(staging.root.resolve())
    failed = f"cannot read {exc.filename}: {what}" if reading else f"cannot write {dst}: {what}"
    return (f"{failed}; nothing was written at {dst}. The work done so far is kept in {staging.root}: fix the "
            "cause and run the same command with --resume (a run without --resume removes it)")


def check_report_path(report: Path, src: Path, dst: Path) -> None:
    """Refuse a ``--report`` path that is the source or inside it, or DST, inside DST or in its staging folder.

    Paths are compared resolved (relative parts and links followed), before any work is done.
    """
    where = report.resolve()
    if where.is_relative_to(src.resolve()):
        raise ArchiveError(f"the report {report} must not be the source {src} or inside it")
    if where.is_relative_to(dst.resolve()) or where.is_relative_to(Staging(dst, "").root.resolve()):
        raise ArchiveError(f"the report {report} must not be the output {dst} or inside it")


def _check_paths(src: Path, dst: Path, resume: bool) -> None:
    if not src.exists():
        raise ArchiveError(f"{src} does not exist")
    if (dst.exists() or dst.is_symlink()) and not resume:
        raise ArchiveError(f"{dst} already exists; remove it or choose another --out")
    s, d = src.resolve(), dst.resolve()
    if d == s or (src.is_dir() and d.is_relative_to(s)):
        raise ArchiveError(f"the output {dst} must not be inside the source {src}")
    parent = dst.parent if str(dst.parent) else Path(".")
    if not parent.is_dir():
        raise ArchiveError(f"cannot write {dst}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ArchiveError(f"cannot write {dst}: the folder {parent} is not writable")


def _finished_before(staging: Staging, job: dict, resume: bool, log) -> Report | None:
    """DST exists and ``--resume`` was given: DST only ever appears whole, so there is nothing left to do.

    The report of the run that wrote it, when that run was killed before removing its staging folder;
    ``None`` when the report is gone with it.
    """
    dst, root = staging.dst, staging.root
    if not staging.exists():
        log(f"{dst} is already complete (no interrupted run is left to resume); nothing to do", file=sys.stderr)
        return None
    if staging.holds(PUBLISHED):
        final = staging.leftover(job)
        if final is None:
            raise ArchiveError(f"{dst} already exists and {root} belongs to a run of another source or options; "
                               "remove one of them or choose another --out")
        staging.discard()
        log(f"{dst} was already complete (the run was stopped just after writing it); nothing to resume",
            file=sys.stderr)
        return Report.from_state(final["report"])
    if staging.holds("checkpoint.json") or staging.holds("out"):
        raise ArchiveError(f"{dst} already exists beside the unfinished run in {root}; remove one of them or "
                           "choose another --out")
    staging.discard()
    log(f"{dst} is already complete (the run that wrote it was stopped while removing {root}, and its report "
        "with it); nothing to resume", file=sys.stderr)
    return None


def _check_targets(report: Report, options: CleanOptions) -> None:
    """Refuse a ``--field`` or ``--column`` that no JSON object or table of the source has (a typo)."""
    for target, value, where in (("field", options.field, "JSON Lines objects"), ("column", options.column, "tables")):
        seen, matched = report.targets.get(target, (0, 0))
        if seen and not matched:
            raise ArchiveError(f"--{target} {value!r} matches no record: none of the {seen} {where} has it; nothing "
                               f"was written (name the {target} to clean with --{target})")


def _fingerprint(src: Path) -> list:
    st = src.stat()
    return [st.st_size if src.is_file() else 0, st.st_mtime_ns]


def _start(staging: Staging, job: dict, resume: bool, log) -> dict | None:
    """The checkpoint to resume from, or ``None`` after preparing an empty staging folder."""
    ours = staging.exists()
    saved = staging.load() if resume and ours else None
    if saved is not None and saved.get("job") == job:
        log(f"resuming: {saved['report']['total']['records'] + saved['records']} records already done",
            file=sys.stderr)
        return saved
    if resume:
        why = "it was made for a different source or options" if saved else "there is none"
        log(f"cannot resume from the checkpoint ({why}); starting from the beginning", file=sys.stderr)
    elif ours:
        log("discarding the partial output of an interrupted run (use --resume to continue one)", file=sys.stderr)
    try:
        staging.reset()
    except OSError as exc:
        raise ArchiveError(f"cannot write {staging.dst}: {exc.strerror or exc}") from None
    return None


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM ask the run to stop at the next record, where it saves its checkpoint."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class _Run:
    """One pass over the source: produces records, writes outcomes in order, keeps the checkpoint."""

    def __init__(self, source: Source, staging: Staging, state: dict, options: CleanOptions, client, log) -> None:
        self.source, self.staging, self.options, self.client, self.log = source, staging, options, client, log
        self.job = state["job"]
        self.report = Report.from_state(state["report"])
        self.manifest: list[dict] = state["manifest"]
        self.resume_at = (state["member"], state["records"], state["out_bytes"],
                          Tally.from_state(state["tally"]) if state["tally"] else None)
        self.next_member = state["member"]
        self.current: tuple[Member, BinaryIO, Tally, str] | None = None
        self.stop = threading.Event()
        self.started = time.monotonic()
        self.last_save = self.started
        self.progress = tqdm(total=source.total_size(), unit="B", unit_scale=True, file=sys.stderr,
                             disable=not options.progress, desc="clean")

    def execute(self) -> None:
        pending: deque = deque()
        ready: deque = deque()

        def texts() -> Iterator[str]:
            for item in self._produce():
                pending.append(item)
                if isinstance(item, Record) and item.text is not None:
                    yield item.text

        config = (self.options.profile, tuple(self.options.rules), freeze(self.options.engine_options()))
        if self.client is not None:
            from .distributed import clean_texts_dask

            outcomes = clean_texts_dask(texts(), config, self.client)
        else:
            outcomes = clean_texts(texts(), config, self.options.workers)
        try:
            while True:
                if self.stop.is_set():
                    self._save()
                    raise Interrupted("interrupted; the checkpoint is saved: run the same command with --resume "
                                      "to continue")
                if not pending or (_needs_outcome(pending[0]) and not ready):
                    outcome = next(outcomes, _END)
                    if outcome is _END:
                        if pending and _needs_outcome(pending[0]):
                            raise RuntimeError("the cleaner returned fewer outcomes than it was given texts")
                        if not pending:
                            break
                    else:
                        ready.append(outcome)
                    continue
                item = pending.popleft()
                self._consume(item, ready.popleft() if _needs_outcome(item) else None)
        finally:
            outcomes.close()
            self.progress.close()
            self._close_current()
        self.report.seconds += time.monotonic() - self.started

    def _produce(self) -> Iterator:
        """Members and records from the checkpoint on, as a flat stream of items."""
        member_at, records_at, _, _ = self.resume_at
        for m in self.source.members():
            if m.index < member_at:
                continue
            if m.kind != "file":
                yield (m.kind, m)
                continue
            skip = records_at if m.index == member_at else 0
            with m.open() as stream:
                try:
                    codec = codec_for(m.name, self.options.field, self.options.column, self.options.max_record_bytes)
                    encoding, bom, records = read_records(stream, codec, self.options.max_record_bytes,
                                                          self.staging.root)
                    yield ("start", m, encoding, bom, skip)
                    count = 0
                    for record in records:
                        count += 1
                        if count > skip:
                            yield record
                        elif record.spill is not None:
                            record.spill.drop()
                    yield ("end", m, count, codec)
                except NotText as exc:
                    yield ("copy", m, exc.reason, codec)
        if self.source.damage:
            yield ("damaged", None, self.source.damage)

    def _consume(self, item, outcome: Outcome) -> None:
        if isinstance(item, Record):
            self._write(item, outcome)
            return
        kind, member = item[0], item[1]
        if kind == "start":
            self._open(member, item[2], item[3], item[4])
        elif kind == "end":
            self._finish(member, item[2])
            self.report.count_target(item[3])
        elif kind == "copy":
            self._copy(member, item[2])
            self.report.count_target(item[3])
        elif kind == "damaged":
            self._damaged(str(self.source.path), item[2])
        elif kind == "dir":
            if self.staging.format == "folder":
                self.staging.path_for(member).mkdir(exist_ok=True)
            self._done(member)
        else:
            self.report.skip(member.name, member.reason)
            self._done(member, listed=False)

    def _open(self, member: Member, encoding: str, bom: bytes, skip: int) -> None:
        path = self.staging.path_for(member)
        path.parent.mkdir(parents=True, exist_ok=True)
        member_at, records_at, out_bytes, tally = self.resume_at
        if skip and member.index == member_at and tally is not None and tally.records == records_at:
            out = open_staged(path, "r+b")
            out.truncate(out_bytes)
            out.seek(out_bytes)
        else:
            out = open_staged(path, "wb")
            out.write(bom)
            tally = Tally(bytes_in=len(bom), bytes_out=len(bom))
        self.current = (member, out, tally, encoding)

    def _write(self, record: Record, outcome: Outcome) -> None:
        member, out, tally, _ = self.current
        data = record.raw
        tally.records += 1
        if record.note:
            tally.fail(member.name, tally.records, record.note)
        if record.spill is not None:
            size = record.spill.copy_to(out)
            tally.bytes_in += size
            tally.bytes_out += size
            self.progress.update(size)
            return
        if outcome is not None:
            new, edits, codes, error = outcome
            if error:
                tally.fail(member.name, tally.records, error)
            else:
                data = record.render(new)
                tally.by_rule.update(rule for rule, _ in edits)
                tally.by_category.update(category for _, category in edits)
                tally.warnings.update(codes)
                tally.changed += data != record.raw
        out.write(data)
        tally.bytes_in += len(record.raw)
        tally.bytes_out += len(data)
        self.progress.update(len(record.raw))
        if time.monotonic() - self.last_save > self.options.checkpoint_seconds:
            self._save()

    def _finish(self, member: Member, count: int) -> None:
        _, out, tally, encoding = self.current
        out.close()
        self.current = None
        if count != tally.records:
            raise RuntimeError(f"{member.name}: read {count} records but wrote {tally.records}")
        self.staging.finish_member(member)
        self.report.finish_file(member.name, tally, encoding)
        if member.damage:
            self._damaged(member.name, f"{member.damage}; its first {count} records were kept")
        self._done(member)

    def _copy(self, member: Member, reason: str) -> None:
        """Copy a file that is not UTF-8 text through unchanged (dropping anything staged for it)."""
        self._close_current()
        path = self.staging.path_for(member)
        path.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        with member.open() as src, open_staged(path, "wb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
                size += len(chunk)
        self.progress.update(size)
        self.staging.finish_member(member)
        self.report.copy_file(member.name, size, reason)
        if member.damage:
            self._damaged(member.name, f"{member.damage}; its first {size} bytes were copied")
        self._done(member)

    def _damaged(self, path: str, reason: str) -> None:
        """A damaged archive: what could be read is kept; the damage is listed in the report and said at once."""
        self.report.damage(path, reason)
        self.log(f"normalizer: warning: {reason}", file=sys.stderr)

    def _done(self, member: Member, listed: bool = True) -> None:
        if listed:
            self.manifest.append({"index": member.index, "name": member.name, "kind": member.kind,
                                  "meta": member.meta})
        self.next_member = member.index + 1

    def _close_current(self) -> None:
        if self.current is not None:
            self.current[1].close()
            self.current = None

    def _save(self) -> None:
        """Write the checkpoint: the staged bytes are flushed first, so it never claims more than is on disk."""
        state = {"job": self.job, "manifest": self.manifest, "member": self.next_member, "records": 0,
                 "out_bytes": 0, "tally": None}
        if self.current is not None:
            member, out, tally, _ = self.current
            out.flush()
            os.fsync(out.fileno())
            state.update(member=member.index, records=tally.records, out_bytes=out.tell(), tally=tally.to_state())
        elapsed = time.monotonic() - self.started
        self.report.seconds += elapsed
        state["report"] = self.report.to_state()
        self.report.seconds -= elapsed
        self.staging.save(state)
        self.last_save = time.monotonic()


def _needs_outcome(item) -> bool:
    return isinstance(item, Record) and item.text is not None
