"""Short version of ``tests/soak/http_soak.py``: gunicorn (2 workers) under 16 clients for 5 s, then 64 for 2 s,
on loopback; every answer must be a 200 carrying exactly what ``normalizer.normalize`` gives here."""

from __future__ import annotations

import json

from soak.http_soak import FALLBACK, Call, calls, check, soak

import normalizer


def test_16_clients_then_a_burst_of_64_get_only_correct_answers():
    said: list[str] = []
    result = soak(duration=5, clients=16, burst_clients=64, burst_duration=2, say=said.append)
    assert result.errors == 0, "\n".join(said)
    assert [p.name for p in result.phases] == ["warm-up", "steady", "burst"]
    assert all(p.requests > p.clients for p in result.phases[1:]), "\n".join(said)


def test_the_check_refuses_a_wrong_text_a_wrong_status_and_a_missing_result():
    call = Call("batch", b"", ("Kyiv", "DPRK"))
    assert check(call, 200, json.dumps({"results": [{"text": "Kyiv"}, {"text": "DPRK"}]}).encode()) is None
    assert check(call, 200, json.dumps({"results": [{"text": "Kyiv"}, {"text": "КНДР"}]}).encode())
    assert check(call, 200, json.dumps({"results": [{"text": "Kyiv"}]}).encode())
    assert check(call, 503, b"") == "status 503"
    assert check(Call("text", b"", ("Kyiv",)), 200, b"Kiev")


def test_every_text_is_sent_three_ways_with_its_expected_text():
    work = calls(FALLBACK)
    expected = tuple(normalizer.normalize(text).text for text in FALLBACK)
    assert [c.expected for c in work if c.kind == "json"] == [(e,) for e in expected]
    assert [c.expected for c in work if c.kind == "text"] == [(e,) for e in expected]
    assert [c.expected for c in work if c.kind == "batch"] == [expected]
    assert "Kim Jong Un" in expected[0] and "Kyiv" in expected[1] and expected[3] == FALLBACK[3]
