# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every retry and every wait of the collection: backoff, writes of unknown outcome, waiting for a status.

Private to this collection: the API may change without notice. What users are promised is in
docs/errors-and-retries.md; this file is the only place that implements it.
"""

from __future__ import annotations

import email.utils
import time

from . import _clock
from ._errors import ImsAnswerError, ImsApiError, ImsConnectionError, ImsError, may_have_taken_effect

BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0
RETRY_AFTER_CAP = 60.0
# Waiting for an image's status: first look after POLL_FIRST seconds, then twice as long each
# time, at most POLL_CAP seconds apart, until the deadline.
POLL_FIRST = 1.0
POLL_CAP = 10.0
POLL_FLOOR = 1.0
# A job's first phase (INIT, before it names its image) is watched every POLL_FLOOR seconds for
# its first NAMING_STEADY seconds: a `wait: false` start returns as soon as the job names it.
NAMING_STEADY = 10.0
# Reads a waiter looks again after (the transport's own retries spent): throttled, or a server error.
TRANSIENT_STATUSES = frozenset((429, 500, 502, 503, 504))


def backoff_delay(attempt, retry_after=None, rng=None):
    """Seconds to wait before retry number ``attempt`` (1-based).

    A ``Retry-After`` from the server wins (capped); otherwise capped exponential backoff
    with "equal jitter": a random time between half and all of min(BACKOFF_CAP,
    BACKOFF_BASE * 2 ** (attempt - 1)), so a retry always waits, and many clients
    throttled together do not come back together.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), RETRY_AFTER_CAP)
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
    return ceiling * (0.5 + 0.5 * (_clock.random() if rng is None else rng()))


def parse_retry_after(value, now=None):
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class Pause:
    """The waits between attempts of one client: its backoff policy, its sleep and its jitter."""

    def __init__(self, sleep=None, rng=None):
        self._sleep = sleep
        self._rng = rng

    def __call__(self, attempt, retry_after=None):
        """Wait before retry number ``attempt`` (1-based); returns the seconds waited."""
        delay = backoff_delay(attempt, retry_after, rng=self._rng)
        if self._sleep is None:
            _clock.sleep(delay)
        else:
            self._sleep(delay)
        return delay


def write_until_known(pause, retries, send, read_back, payload, unknown_statuses=()):
    """Send a write whose outcome may be unknown, never twice unless a read proved it missing.

    ``send(payload)`` performs the write and returns its result. When it fails in a way that
    may have taken effect (a 5xx, a connection lost after sending, or a status listed in
    ``unknown_statuses``, e.g. 409 for a create whose first attempt may have landed), this
    waits the client's backoff (the answer's ``Retry-After`` if it had one), then calls
    ``read_back(payload, error)``, which returns ``(True, result)`` when the write is known
    to be complete, or ``(False, missing)``: the payload still to send. At most ``retries``
    resends; after the last one it still waits and reads back once, then raises the last
    error. Any other failure is raised at once. 429s, token renewal and connection errors
    before sending are handled below, by the transport, for each attempt.
    """
    attempt = 0
    while True:
        try:
            return send(payload)
        except (ImsApiError, ImsConnectionError) as exc:
            if not (may_have_taken_effect(exc) or getattr(exc, "status", None) in unknown_statuses):
                raise
            failure = exc
        attempt += 1
        pause(attempt, getattr(failure, "retry_after", None))
        done, payload = read_back(payload, failure)
        if done:
            return payload
        if attempt > retries:
            raise failure


def transient(exc):
    """Whether a failed read is worth looking again later: a 429, a 5xx or a connection that failed.

    By the time a read raises, the transport has already spent its own retries on it; a waiter
    that has minutes left looks again at its next turn rather than give up on one bad moment.
    """
    if isinstance(exc, ImsConnectionError):
        return True
    return isinstance(exc, ImsApiError) and not isinstance(exc, ImsAnswerError) and exc.status in TRANSIENT_STATUSES


def poll(read, settled, timeout, timed_out, patient=False, steady=0.0):
    """Call ``read()`` until ``settled(current)`` is true; return that last read.

    The one polling policy: look at once, then after POLL_FIRST seconds, twice as long each
    time, at most POLL_CAP and never less than POLL_FLOOR seconds apart; for its first
    ``steady`` seconds, every POLL_FIRST seconds (the doubling starts after). With ``patient``, a
    read that fails :func:`transient`-ly is tried again at the next look, after its answer's
    ``Retry-After`` when that is longer (capped at RETRY_AFTER_CAP); without it, any failure of
    a read is raised. ``settled`` may raise (a failed image or job). When the next look would
    come after ``timeout`` seconds, raises ``timed_out(current)`` (``current``: the last read
    that worked, None if none did), or the last failure if the last read failed.
    """
    start = _clock.monotonic()
    deadline = start + timeout
    delay = POLL_FIRST
    current = failure = None
    while True:
        try:
            current, failure = read(), None
        except ImsError as exc:
            if not (patient and transient(exc)):
                raise
            failure = exc
        if failure is None and settled(current):
            return current
        wait = delay
        if failure is not None and getattr(failure, "retry_after", None) is not None:
            wait = max(wait, min(failure.retry_after, RETRY_AFTER_CAP))
        wait = max(wait, POLL_FLOOR)
        if _clock.monotonic() + wait > deadline:
            if failure is not None:
                raise failure
            raise timed_out(current)
        _clock.sleep(wait)
        if _clock.monotonic() - start >= steady:
            delay = min(delay * 2, POLL_CAP)


class _Unsettled(Exception):
    def __init__(self, current):
        super().__init__("not settled in time")
        self.current = current


def poll_until(read, settled, timeout, patient=False, steady=0.0):
    """:func:`poll`, but when the next look would come after ``timeout`` seconds, the last read that worked
    (None if none did) is returned instead of raising: for a wait that may end unsettled."""
    try:
        return poll(read, settled, timeout, _Unsettled, patient, steady)
    except _Unsettled as exc:
        return exc.current


def wait_for_status(read, ident, timeout, done=("active",), failed=("killed", "deleted"), what="image"):
    """Read ``read()`` (``what`` ``ident``: a dict with ``status``, or None once gone) until its status is one of ``done``.

    Polls as :func:`poll` does. Raises :class:`ImsError` when the status turns one of ``failed``
    (None counts as ``deleted``), or when the next look would come after ``timeout`` seconds.
    Returns the last read.
    """
    def status_of(current):
        return current.get("status") if current is not None else "deleted"

    def settled(current):
        status = status_of(current)
        if status in failed:
            raise ImsError("%s %s (%r) turned %s while waiting for it to become %s"
                           % (what, ident, (current or {}).get("name"), status, " or ".join(done)))
        return status in done

    def timed_out(current):
        return ImsError("timed out after %d s waiting for %s %s to become %s (it is %s)"
                        % (timeout, what, ident, " or ".join(done), status_of(current)))
    return poll(read, settled, timeout, timed_out)
