"""The report of a ``clean`` run: records and bytes per file, edits per rule and category, warnings, failures."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MAX_LISTED_FAILURES = 1000


@dataclass
class Tally:
    """Counts for one file (merged into the run's totals when the file is finished)."""

    records: int = 0
    changed: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    by_rule: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    failures: list[dict] = field(default_factory=list)
    failure_count: int = 0

    def add(self, other: Tally) -> None:
        self.records += other.records
        self.changed += other.changed
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out
        self.by_rule.update(other.by_rule)
        self.by_category.update(other.by_category)
        self.warnings.update(other.warnings)
        self.failures.extend(other.failures[:MAX_LISTED_FAILURES - len(self.failures)])
        self.failure_count += other.failure_count

    def fail(self, path: str, record: int, reason: str) -> None:
        self.failure_count += 1
        if len(self.failures) < MAX_LISTED_FAILURES:
            self.failures.append({"file": path, "record": record, "reason": reason})

    def to_state(self) -> dict:
        return {k: dict(v) if isinstance(v, Counter) else v for k, v in self.__dict__.items()}

    @classmethod
    def from_state(cls, state: dict) -> Tally:
        return cls(**{k: Counter(v) if isinstance(v, dict) else v for k, v in state.items()})


@dataclass
class Report:
    """Everything a run did; JSON-ready with ``to_dict``, one paragraph with ``summary``."""

    source: str
    output: str
    format: str
    profile: str
    ruleset: str
    total: Tally = field(default_factory=Tally)
    files: list[dict] = field(default_factory=list)
    copied: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    damaged: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    targets: dict = field(default_factory=dict)
    """Per ``field`` / ``column``: [records that could hold it, records that do] (a typo matches none)."""

    def count_target(self, codec) -> None:
        """Count what a finished file's codec saw of the field or column it cleans."""
        if codec.target:
            seen, matched = self.targets.get(codec.target, (0, 0))
            self.targets[codec.target] = [seen + codec.seen, matched + codec.matched]

    def finish_file(self, path: str, tally: Tally, encoding: str) -> None:
        self.total.add(tally)
        self.files.append({"path": path, "status": "cleaned", "encoding": encoding, "records": tally.records,
                           "changed": tally.changed, "bytes_in": tally.bytes_in, "bytes_out": tally.bytes_out,
                           "edits": sum(tally.by_rule.values()), "failures": tally.failure_count})

    def copy_file(self, path: str, size: int, reason: str) -> None:
        self.total.bytes_in += size
        self.total.bytes_out += size
        self.copied.append({"path": path, "reason": reason})
        self.files.append({"path": path, "status": "copied", "bytes_in": size, "bytes_out": size, "reason": reason})

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append({"path": path, "reason": reason})

    def damage(self, path: str, reason: str) -> None:
        """A damaged source (a cut or corrupt archive): what could be read was kept, the rest is missing."""
        self.damaged.append({"path": path, "reason": reason})

    def to_state(self) -> dict:
        state = dict(self.__dict__)
        state["total"] = self.total.to_state()
        return state

    @classmethod
    def from_state(cls, state: dict) -> Report:
        return cls(**{**state, "total": Tally.from_state(state["total"])})

    def to_dict(self) -> dict:
        t = self.total
        return {
            "source": self.source, "output": self.output, "format": self.format, "profile": self.profile,
            "ruleset": self.ruleset,
            "records": {"in": t.records, "out": t.records, "changed": t.changed},
            "bytes": {"in": t.bytes_in, "out": t.bytes_out},
            "edits": {"total": sum(t.by_rule.values()), "by_rule": dict(t.by_rule.most_common()),
                      "by_category": dict(t.by_category.most_common())},
            "warnings": {"total": sum(t.warnings.values()), "by_code": dict(t.warnings.most_common())},
            "failures": {"count": t.failure_count, "listed": t.failures},
            "copied": self.copied,
            "skipped": self.skipped,
            "damaged": self.damaged,
            "files": self.files,
            "seconds": round(self.seconds, 3),
            "records_per_second": round(t.records / self.seconds) if self.seconds else None,
        }

    def summary(self) -> str:
        """A few lines for stderr."""
        t = self.total
        edits = sum(t.by_rule.values())
        lines = [f"normalizer clean: {self.source} → {self.output}: {t.records} records in {len(self.files)} files, "
                 f"{t.changed} changed ({edits} edits), {t.bytes_in} → {t.bytes_out} bytes in {self.seconds:.1f} s"]
        if t.by_category:
            lines.append("  edits by category: " + ", ".join(f"{k} {v}" for k, v in t.by_category.most_common()))
        if t.by_rule:
            lines.append("  top rules: " + ", ".join(f"{k} {v}" for k, v in t.by_rule.most_common(5)))
        if t.warnings:
            lines.append("  warnings: " + ", ".join(f"{k} {v}" for k, v in t.warnings.most_common()))
        for label, entries in (("copied unchanged", self.copied), ("skipped", self.skipped),
                               ("DAMAGED (only what could be read was kept)", self.damaged)):
            if entries:
                lines.append(f"  {label}: {len(entries)} — " + "; ".join(
                    f"{e['path']} ({e['reason']})" for e in entries[:5]) + (" …" if len(entries) > 5 else ""))
        if t.failure_count:
            lines.append(f"  failed records (copied unchanged): {t.failure_count}")
        return "\n".join(lines)


def write_report(report: Report, path: Path) -> None:
    """Write ``report`` as JSON at ``path`` atomically: into a new temporary file beside it (never through a
    link planted there), then renamed over ``path`` (a link at ``path`` is replaced, not followed)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
