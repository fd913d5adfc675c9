# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one primitive for writes of unknown outcome, and the one waiter."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils import _clock, _retry
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import (
    ImsAnswerError,
    ImsApiError,
    ImsConnectionError,
    ImsError,
)
from ansible_collections.hwcloud.ims.plugins.module_utils._retry import (
    POLL_CAP,
    POLL_FLOOR,
    RETRY_AFTER_CAP,
    Pause,
    poll,
    poll_until,
    wait_for_status,
    write_until_known,
)


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(_clock, "sleep", fake.sleep)
    monkeypatch.setattr(_clock, "monotonic", fake.monotonic)
    monkeypatch.setattr(_clock, "random", lambda: 0.0)
    return fake


def error(status, retry_after=None):
    return ImsApiError("POST", "/v2/images", status, request_id="req-%d" % status, retry_after=retry_after)


class Script:
    """send() answers from a list (an exception is raised); read_back() from another."""

    def __init__(self, sends, reads):
        self.sends, self.reads = list(sends), list(reads)
        self.sent, self.read = [], []

    def send(self, payload):
        self.sent.append(payload)
        answer = self.sends.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def read_back(self, payload, failure):
        self.read.append(payload)
        return self.reads.pop(0)


def test_a_write_answered_503_every_time_is_sent_retries_plus_one_times_with_a_wait_before_each_look(clock):
    script = Script([error(503)] * 6, [(False, "body")] * 6)
    with pytest.raises(ImsApiError) as err:
        write_until_known(Pause(), 5, script.send, script.read_back, "body")
    assert len(script.sent) == 6 and len(script.read) == 6
    assert "(request id: req-503)" in str(err.value)
    # Equal jitter at its floor (random() == 0): half of 0.5, 1, 2, 4, 8, 16 s.
    assert clock.sleeps == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0]


def test_a_write_found_done_by_the_read_back_is_not_sent_again(clock):
    script = Script([error(502)], [(True, {"id": "x"})])
    assert write_until_known(Pause(), 5, script.send, script.read_back, "body") == {"id": "x"}
    assert script.sent == ["body"] and len(clock.sleeps) == 1


def test_only_what_is_missing_is_sent_again(clock):
    script = Script([ImsConnectionError("dropped", sent=True), "done"], [(False, "the rest")])
    assert write_until_known(Pause(), 5, script.send, script.read_back, "all") == "done"
    assert script.sent == ["all", "the rest"]


def test_retry_after_of_the_answer_is_the_wait(clock):
    script = Script([error(503, retry_after=7.0), "done"], [(False, "body")])
    write_until_known(Pause(), 5, script.send, script.read_back, "body")
    assert clock.sleeps == [7.0]


@pytest.mark.parametrize("failure", [
    error(400), error(403), error(409), ImsConnectionError("refused", sent=False),
    ImsAnswerError("POST", "/v2/images", 201, message="garbage"),
])
def test_a_failure_that_did_not_happen_is_raised_at_once_without_a_look(clock, failure):
    script = Script([failure], [])
    with pytest.raises(ImsError):
        write_until_known(Pause(), 5, script.send, script.read_back, "body")
    assert script.read == [] and clock.sleeps == []


def test_listed_statuses_count_as_unknown(clock):
    script = Script([error(409)], [(True, "there")])
    assert write_until_known(Pause(), 5, script.send, script.read_back, "body", unknown_statuses=(409,)) == "there"


def test_no_retries_still_looks_once(clock):
    script = Script([error(500)], [(False, "body")])
    with pytest.raises(ImsApiError):
        write_until_known(Pause(), 0, script.send, script.read_back, "body")
    assert len(script.sent) == 1 and len(script.read) == 1 and len(clock.sleeps) == 1


def test_a_given_sleep_is_used_instead_of_the_clock(clock):
    waits = []
    Pause(sleep=waits.append, rng=lambda: 1.0)(3)
    assert waits == [2.0] and clock.sleeps == []


def statuses(*values):
    answers = [None if value is None else {"id": "i1", "name": "n", "status": value} for value in values]
    return lambda: answers.pop(0)


def test_waiting_polls_with_its_own_policy_until_active(clock):
    image = wait_for_status(statuses("saving", "saving", "saving", "saving", "saving", "saving", "active"), "i1", 900)
    assert image["status"] == "active"
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, POLL_CAP, POLL_CAP]


@pytest.mark.parametrize("last, message", [("killed", "turned killed"), (None, "turned deleted")])
def test_waiting_fails_at_once_when_the_image_fails(clock, last, message):
    with pytest.raises(ImsError) as err:
        wait_for_status(statuses("saving", last), "i1", 900)
    assert message in str(err.value) and "image i1" in str(err.value)
    assert clock.sleeps == [1.0]


def test_waiting_stops_before_the_deadline(clock):
    with pytest.raises(ImsError) as err:
        wait_for_status(lambda: {"id": "i1", "status": "saving"}, "i1", 20)
    assert str(err.value) == "timed out after 20 s waiting for image i1 to become active (it is saving)"
    assert sum(clock.sleeps) <= 20


def reads(*answers):
    """read() answering from ``answers`` in order (an exception is raised)."""
    answers = list(answers)

    def read():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
    return read


def test_an_image_wait_raises_a_failed_read_at_once(clock):
    with pytest.raises(ImsApiError):
        wait_for_status(reads({"id": "i1", "status": "saving"}, error(503)), "i1", 900)
    assert clock.sleeps == [1.0]


def test_a_patient_poll_looks_again_after_a_transient_failure_waiting_its_capped_retry_after(clock):
    read = reads({"status": "RUNNING"}, error(503, retry_after=600.0), ImsConnectionError("dropped", sent=True),
                 {"status": "SUCCESS"})
    last = poll(read, lambda current: current["status"] == "SUCCESS", 3600, ImsError, patient=True)
    assert last == {"status": "SUCCESS"}
    assert clock.sleeps == [1.0, RETRY_AFTER_CAP, 4.0]


@pytest.mark.parametrize("failure", [error(400), error(404), ImsAnswerError("GET", "/x", 200, message="garbage")])
def test_a_patient_poll_raises_what_looking_again_cannot_mend(clock, failure):
    with pytest.raises(ImsApiError):
        poll(reads(failure), lambda current: True, 3600, ImsError, patient=True)
    assert clock.sleeps == []


def test_a_poll_never_waits_less_than_its_floor(clock, monkeypatch):
    monkeypatch.setattr(_retry, "POLL_FIRST", 0.1)
    poll(reads({"s": 0}, error(429, retry_after=0.0), {"s": 1}), lambda current: current["s"] == 1, 60, ImsError,
         patient=True)
    assert clock.sleeps == [POLL_FLOOR, POLL_FLOOR]


def test_poll_until_returns_what_settles_and_else_the_last_read_at_the_timeout(clock):
    reads = iter([1, 2, 3])
    assert poll_until(lambda: next(reads), lambda value: value == 2, 60) == 2 and clock.sleeps == [1.0]
    clock.sleeps.clear()
    assert poll_until(lambda: "INIT", lambda value: value != "INIT", 30) == "INIT"
    assert 20 <= sum(clock.sleeps) <= 30
