"""What a response carries: a result's JSON with runs of like edits merged, under a size cap.

A text of a million ``«`` has a million one-character edits; in a response, adjacent edits of
the same rule chain become one (its original and replacement are the run's), and so do
adjacent warnings with the same code and message. Applying the merged edits still gives the
text. A response that would still be over ``MAX_RESPONSE_BYTES`` is refused with a 413.

>>> merge_runs([{"start": 0, "end": 1, "original": "«", "replacement": "“", "rule": "q", "category": "p",
...              "rules": ["q"]},
...             {"start": 1, "end": 2, "original": "«", "replacement": "“", "rule": "q", "category": "p",
...              "rules": ["q"]}], EDIT_JOIN)
[{'start': 0, 'end': 2, 'original': '««', 'replacement': '““', 'rule': 'q', 'category': 'p', 'rules': ['q']}]
"""

from __future__ import annotations

import json

from ..model import Result
from .errors import ApiError

EDIT_JOIN = (("rule", "category", "rules"), ("original", "replacement"))
"""Edits merge when these keys are equal; these string keys are concatenated."""
WARNING_JOIN = (("code", "message"), ())
SMALLEST_ITEM = 48
"""Bytes an edit, warning or fragment takes at the least in JSON: the count of items alone can refuse early."""


def merge_runs(items: list[dict], join: tuple[tuple[str, ...], tuple[str, ...]]) -> list[dict]:
    """Items (sorted by start) with each run of adjacent, like items made one."""
    same, concatenated = join
    runs: list[list[dict]] = []
    for item in items:
        last = runs[-1][-1] if runs else None
        if last is not None and last["end"] == item["start"] and all(last[k] == item[k] for k in same):
            runs[-1].append(item)
        else:
            runs.append([item])
    return [_joined(run, concatenated) for run in runs]


def _joined(run: list[dict], concatenated: tuple[str, ...]) -> dict:
    if len(run) == 1:
        return run[0]
    return {**run[0], "end": run[-1]["end"], **{key: "".join(item[key] for item in run) for key in concatenated}}


def result_payload(result: Result) -> dict:
    """``result.to_dict()`` with its runs of like edits and warnings merged."""
    payload = result.to_dict()
    payload["edits"] = merge_runs(payload["edits"], EDIT_JOIN)
    payload["warnings"] = merge_runs(payload["warnings"], WARNING_JOIN)
    return payload


def item_count(payload: dict) -> int:
    return sum(len(payload[k]) for k in ("edits", "warnings", "fragments"))


def dump_capped(payload: dict, items: int, cap: int) -> bytes:
    """``payload`` as JSON, or a 413 ``response-too-large`` if that is over ``cap`` bytes."""
    if cap and items * SMALLEST_ITEM > cap:
        raise _too_large(f"{items} edits, warnings and fragments", cap)
    data = json.dumps(payload, separators=(",", ":")).encode() + b"\n"
    if cap and len(data) > cap:
        raise _too_large(f"{len(data)} bytes", cap)
    return data


def _too_large(what: str, cap: int) -> ApiError:
    return ApiError(413, "response-too-large", f"the answer would be {what}, over the limit of {cap} bytes; "
                    "send the text in smaller parts (or raise MAX_RESPONSE_BYTES)")
