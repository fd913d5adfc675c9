# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The scripted HTTP and the fake clock themselves: a test that uses them can fail."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.hwcloud.ims.plugins.module_utils import _clock
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ANY,
    Call,
    ScriptMismatch,
    Var,
    dropped,
    install,
    read_timeout,
    refused,
)

URL = "https://ims.example.test"
SIGNED = {"Authorization": "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=00"}


@pytest.fixture
def fake(monkeypatch):
    return install(monkeypatch)


def send(method, path, data=None, headers=None):
    with requests.Session() as session:
        return session.request(method, URL + path, headers=dict(SIGNED, **(headers or {})), data=data, timeout=30,
                               verify=True)


def test_answers_in_order_with_status_json_and_request_ids(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/a", answer={"x": 1}),
                Call("POST", "/b", status=503, answer_headers={"Retry-After": "3"}, request_id="rid-b"))
    first = send("GET", "/a")
    assert (first.status_code, first.json(), first.headers["X-Request-Id"]) == (200, {"x": 1}, "req-1")
    second = send("POST", "/b")
    assert (second.status_code, second.headers["Retry-After"], second.headers["X-Request-Id"]) == (503, "3", "rid-b")
    assert second.json() == {"error_code": "TEST.503", "error_msg": "scripted HTTP 503"}
    http.assert_done()


def test_a_different_call_fails_and_shows_both(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/v2/images", query={("name", "a"), ("limit", "2")}))
    with pytest.raises(ScriptMismatch) as err:
        send("GET", "/v2/images?limit=2&name=b")
    text = str(err.value)
    assert "expected: GET /v2/images?limit=2&name=a (any order)" in text
    assert "got:      GET https://ims.example.test/v2/images?limit=2&name=b" in text
    assert "query limit=2&name=b, expected limit=2&name=a" in text


def test_a_swallowed_mismatch_still_fails_at_the_end(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/a"))
    with pytest.raises(AssertionError):
        send("DELETE", "/a")
    with pytest.raises(ScriptMismatch, match="method DELETE, expected GET"):
        http.assert_done()


def test_query_order_exact_when_a_list(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/a", query=[("b", "1"), ("a", "2")]))
    with pytest.raises(ScriptMismatch, match="query a=2&b=1, expected b=1&a=2"):
        send("GET", "/a?a=2&b=1")


def test_an_extra_call_fails(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/a"))
    send("GET", "/a")
    with pytest.raises(ScriptMismatch, match="request #2 is one more than the 1 scripted calls"):
        send("GET", "/a")


def test_a_missing_call_fails_at_the_end(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/a"), Call("DELETE", "/b"))
    send("GET", "/a")
    with pytest.raises(ScriptMismatch, match="1 scripted call.s. never made, the first: #2 DELETE /b"):
        http.assert_done()


def test_the_auth_header_is_required(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/a"))
    with requests.Session() as session, pytest.raises(ScriptMismatch, match="has no Authorization header"):
        session.request("GET", URL + "/a", headers={}, data=None, timeout=1, verify=True)


def test_body_headers_and_checks(fake):
    http, _clock_ = fake
    http.expect(Call("POST", "/a", json={"id": ANY, "name": "n"}, headers={"Content-Type": "application/json",
                                                                           "X-Auth-Token": None}),
                Call("PUT", "/f", body=b"abc", check=lambda request: request.md5 == "x"))
    send("POST", "/a", b'{"id": "1", "name": "n"}', {"Content-Type": "application/json"})
    with pytest.raises(ScriptMismatch, match="check failed"):
        send("PUT", "/f", b"abc")


def test_captured_values_fill_later_paths_and_bodies(fake):
    http, _clock_ = fake
    http.expect(Call("POST", "/a", capture={"id": lambda request: request.json["id"]}, answer={"id": Var("id")}),
                Call("GET", "/a/{id}", answer=lambda request, values: {"seen": values["id"]}))
    assert send("POST", "/a", b'{"id": "abc"}').json() == {"id": "abc"}
    assert send("GET", "/a/abc").json() == {"seen": "abc"}
    assert http.timeline() == ["POST /a 200", "GET /a/{id} 200"]


def test_a_repeated_call_matches_until_another_one_does(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/poll", repeat=True), Call("DELETE", "/x", status=204))
    for _index in range(3):
        send("GET", "/poll")
    send("DELETE", "/x")
    http.assert_done()


def test_a_repeated_call_must_come_once(fake):
    http, _clock_ = fake
    http.expect(Call("GET", "/poll", repeat=True))
    with pytest.raises(ScriptMismatch, match="never made"):
        http.assert_done()


@pytest.mark.parametrize("factory, kind, words", [
    (dropped, requests.exceptions.ConnectionError, "RemoteDisconnected"),
    (refused, requests.exceptions.ConnectionError, "NewConnectionError"),
    (read_timeout, requests.exceptions.ReadTimeout, "Read timed out"),
])
def test_exceptions_as_requests_raises_them(fake, factory, kind, words):
    http, _clock_ = fake
    http.expect(Call("GET", "/a", raises=factory))
    with pytest.raises(kind) as err:
        send("GET", "/a")
    assert words in repr(err.value)
    assert http.timeline() == ["GET /a %s" % type(err.value).__name__]


def test_the_fake_clock_only_moves_when_sleeping(fake):
    _http, clock = fake
    start = _clock.monotonic()
    assert _clock.monotonic() == start
    _clock.sleep(2.5)
    assert _clock.monotonic() == start + 2.5
    assert clock.sleeps == [2.5]
    clock.set_random([0.1, 0.2])
    assert [_clock.random(), _clock.random(), _clock.random()] == [0.1, 0.2, 0.2]
