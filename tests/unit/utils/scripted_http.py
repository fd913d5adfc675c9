# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Scripted HTTP, a fake clock and an in-process module runner for the unit tests.

A test lists the HTTP calls it expects, in order, each with the answer to give (or the
exception ``requests`` would raise), and runs a module or the client. The fake replaces
``requests.Session.request`` only, so everything above it - signing, retries, paging,
error mapping, the module's decisions - runs as in production. The run fails when a call
differs from the next expected one (the message shows both), when a call is left over at
the end, or when a call comes that the script does not have.

Time is the other seam: :class:`FakeClock` replaces ``_clock.sleep``, ``_clock.monotonic``
and ``_clock.random``; its monotonic time advances only by the sleeps, which it records in
the same timeline as the HTTP calls, so a test asserts both the waits and where they fall.

Typical use (the ``http`` and ``clock`` fixtures of tests/unit/conftest.py wrap
:func:`install` and check at teardown that every scripted call was made)::

    def test_unchanged(http):
        http.expect(Call("GET", "/v2/images", query={("name", "web"), ...}, answer=listing([web])))
        result = run_module(ims_image, dict(CONNECTION, name="web"))
        assert result["changed"] is False
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import io
import json
import os
import socket

from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import requests

from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

import ansible.module_utils.basic as ansible_basic
import ansible.module_utils.common.warnings as ansible_warnings

from ansible_collections.hwcloud.ims.plugins.module_utils import _clock

IMS_ENDPOINT = "https://ims.example.test"
IAM_ENDPOINT = "https://iam.example.test"
PROJECT_ID = "0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c"
ACCESS_KEY = "AKTESTAKTESTAKTEST01"
SECRET_KEY = "sk-test-secret-0123456789abcdef"
# The connection options of every test run: AK/SK against a scripted endpoint.
CONNECTION = {"ims_endpoint": IMS_ENDPOINT, "project_id": PROJECT_ID,
              "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}

_UNSET = object()
ANY = mock.ANY


class ScriptMismatch(AssertionError):
    """A request the script did not expect, or a scripted call that never came."""


class Var:
    """A value the script learns during the run (``capture``), used in later calls.

    In a path write ``{name}``; in an expected or answered JSON body put ``Var("name")``.
    """

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Var(%r)" % self.name


def resolve(value, values):
    """``value`` with every :class:`Var` replaced by what was captured."""
    if isinstance(value, Var):
        if value.name not in values:
            raise ScriptMismatch("the script uses %r before any call captured it" % value)
        return values[value.name]
    if isinstance(value, dict):
        return {key: resolve(item, values) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(resolve(item, values) for item in value)
    return value


class Request:
    """One request as the client sent it to ``requests.Session.request``."""

    def __init__(self, number, method, url, headers, data, timeout, verify, session=None):
        self.number = number
        self.session = session
        self.method = method
        self.url = url
        parts = urlsplit(url)
        self.origin = "%s://%s" % (parts.scheme, parts.netloc)
        self.path = parts.path
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        self.headers = CaseInsensitiveDict(headers or {})
        self.timeout = timeout
        self.verify = verify
        if hasattr(data, "read"):  # an upload streamed from an open file, as requests reads it
            self.streamed = True
            self.body = data.read()
        else:
            self.streamed = False
            self.body = data.encode("utf-8") if isinstance(data, str) else (data or b"")

    @property
    def json(self):
        """The body parsed as JSON (an AssertionError when it is not JSON)."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError as exc:
            raise AssertionError("request #%d (%s) has no JSON body: %r" % (self.number, self.line(), self.body[:200])) from exc

    @property
    def md5(self):
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()

    def line(self):
        query = "&".join("%s=%s" % pair for pair in self.query)
        return "%s %s%s%s" % (self.method, self.origin, self.path, "?" + query if query else "")

    def describe(self):
        text = self.line()
        if self.body:
            if self.streamed or len(self.body) > 500:
                text += "\n      body: %d bytes (md5 %s)" % (len(self.body), self.md5)
            else:
                text += "\n      body: %s" % self.body.decode("utf-8", "replace")
        return text


def _pairs_text(pairs):
    return "&".join("%s=%s" % pair for pair in pairs) if pairs else "(none)"


class Call:
    """One expected request and its answer.

    Expectations: ``method`` and ``path`` (``{name}`` filled from captured values; a full
    URL for another origin than ``base_url``); ``query``: None (no query at all), a set of
    (name, value) pairs (any order), a list (this exact order) or ``ANY``; ``json``: the
    exact JSON body (``ANY`` and :class:`Var` allowed inside); ``body``: the exact raw body;
    ``headers``: name -> expected value (``ANY``: present, None: absent); ``check``: a
    callable that gets the :class:`Request` and asserts (or returns False) when it is wrong; ``capture``: name ->
    callable(request) for a value later calls use.

    Answer: ``status`` with ``answer`` (a JSON body, or a callable(request, values) that
    returns one) or ``raw`` bytes, ``answer_headers`` (``Retry-After``...) and ``request_id``
    (the ``X-Request-Id``; by default ``req-<n>`` for the n-th request, None for none).
    Or ``raises``: an exception, or a callable(request) that returns one (see
    :func:`dropped`, :func:`read_timeout`...). ``repeat=True`` lets the call match one or
    more consecutive requests (for polling whose count is not the point of the test).
    """

    def __init__(self, method, path, *, query=None, json=_UNSET, body=_UNSET, headers=None, check=None,
                 capture=None, status=200, answer=_UNSET, raw=None, answer_headers=None, request_id=_UNSET,
                 raises=None, repeat=False):
        self.method = method
        self.path = path
        self.query = query
        self.json = json
        self.body = body
        self.headers = headers or {}
        self.check = check
        self.capture = capture or {}
        self.status = status
        self.answer = answer
        self.raw = raw
        self.answer_headers = answer_headers or {}
        self.request_id = request_id
        self.raises = raises
        self.repeat = repeat

    def describe(self, values=None):
        values = values or {}
        try:
            path = self.path.format(**values)
        except KeyError:
            path = self.path
        text = "%s %s" % (self.method, path)
        if self.query is ANY:
            text += " (any query)"
        elif self.query:
            text += "?" + _pairs_text(sorted(self.query) if isinstance(self.query, (set, frozenset)) else self.query)
            if isinstance(self.query, (set, frozenset)):
                text += " (any order)"
        if self.json is not _UNSET:
            text += "\n      json: %s" % json.dumps(resolve(self.json, values), default=repr, sort_keys=True)
        if self.raises is not None:
            text += "\n      -> raises %s" % getattr(self.raises, "__name__", type(self.raises).__name__)
        else:
            text += "\n      -> %s" % self.status
        return text

    def mismatches(self, request, base_url, values):
        """What differs between this call and ``request`` (empty: it matches)."""
        problems = []
        try:
            path = self.path.format(**values)
        except KeyError as exc:
            return ["the script's path %r uses %s before any call captured it" % (self.path, exc)]
        origin = base_url
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            origin, path = "%s://%s" % (parts.scheme, parts.netloc), parts.path
        if request.method != self.method:
            problems.append("method %s, expected %s" % (request.method, self.method))
        if request.origin != origin:
            problems.append("origin %s, expected %s" % (request.origin, origin))
        if request.path != path:
            problems.append("path %s, expected %s" % (request.path, path))
        if self.query is not ANY:
            expected = resolve(self.query or [], values)
            if isinstance(expected, (set, frozenset)):
                same = sorted(request.query) == sorted(expected)
            else:
                same = request.query == list(expected)
            if not same:
                problems.append("query %s, expected %s%s" % (
                    _pairs_text(request.query), _pairs_text(sorted(expected) if isinstance(expected, (set, frozenset))
                                                            else expected),
                    " (any order)" if isinstance(expected, (set, frozenset)) else ""))
        if self.json is not _UNSET:
            try:
                body = request.json
            except AssertionError as exc:
                problems.append(str(exc))
            else:
                expected = resolve(self.json, values)
                if body != expected:
                    problems.append("JSON body %s, expected %s" % (json.dumps(body, sort_keys=True),
                                                                   json.dumps(expected, sort_keys=True, default=repr)))
        if self.body is not _UNSET and request.body != self.body:
            problems.append("body of %d bytes (md5 %s), expected %d bytes (md5 %s)" % (
                len(request.body), request.md5, len(self.body), hashlib.md5(self.body, usedforsecurity=False).hexdigest()))
        for name, value in self.headers.items():
            actual = request.headers.get(name)
            if value is None and actual is not None:
                problems.append("header %s is %r, expected it absent" % (name, actual))
            elif value is not None and (actual is None or actual != value):
                problems.append("header %s is %r, expected %r" % (name, actual, "present" if value is ANY else value))
        if not problems and self.check is not None:
            try:
                if self.check(request) is False:
                    problems.append("check failed: %s returned False" % getattr(self.check, "__name__", "the check"))
            except AssertionError as exc:
                problems.append("check failed: %s" % (exc or "assertion"))
        return problems

    def respond(self, request, values):
        """The ``requests.Response`` of this call for ``request`` (or raise its exception)."""
        for name, get in self.capture.items():
            values[name] = get(request)
        if self.raises is not None:
            exc = self.raises(request) if callable(self.raises) and not isinstance(self.raises, BaseException) \
                else self.raises
            raise exc
        response = requests.Response()
        response.status_code = self.status
        response.reason = http.client.responses.get(self.status, "")
        response.url = request.url
        response.encoding = "utf-8"
        headers = CaseInsensitiveDict()
        answer = self.answer
        if callable(answer):
            answer = answer(request, values)
        answer = resolve(answer, values)
        if self.raw is not None:
            content = self.raw
        elif answer is not _UNSET and answer is not None:
            content = json.dumps(answer).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif self.status >= 400:
            content = json.dumps({"error_code": "TEST.%d" % self.status,
                                  "error_msg": "scripted HTTP %d" % self.status}).encode("utf-8")
            headers["Content-Type"] = "application/json"
        else:
            content = b""
        request_id = "req-%d" % request.number if self.request_id is _UNSET else self.request_id
        if request_id is not None:
            headers["X-Request-Id"] = request_id
        headers.update({name: str(value) for name, value in self.answer_headers.items()})
        response.headers = headers
        response._content = content  # pylint: disable=protected-access
        prepared = requests.PreparedRequest()
        prepared.method, prepared.url, prepared.headers = request.method, request.url, request.headers
        response.request = prepared
        return response


# -- exceptions as requests raises them ------------------------------------------------------


def _pool(request):
    parts = urlsplit(request.url)
    return HTTPSConnectionPool(parts.hostname, parts.port or 443)


def _connection(request):
    parts = urlsplit(request.url)
    return HTTPSConnection(parts.hostname, parts.port or 443)


def dropped(request):
    """The connection closed after the request went out, before any answer (outcome unknown)."""
    return requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", http.client.RemoteDisconnected("Remote end closed connection without response")))


def read_timeout(request):
    """No answer within the time-out after the request went out (outcome unknown)."""
    return requests.exceptions.ReadTimeout(
        ReadTimeoutError(_pool(request), request.path, "Read timed out. (read timeout=%s)" % request.timeout))


def connect_timeout(request):
    """The connection could not be made in time: the request was never sent."""
    reason = ConnectTimeoutError(_connection(request), "Connection to %s timed out. (connect timeout=%s)"
                                 % (urlsplit(request.url).hostname, request.timeout))
    return requests.exceptions.ConnectTimeout(MaxRetryError(_pool(request), request.path, reason))


def refused(request):
    """The connection was refused: the request was never sent."""
    reason = NewConnectionError(_connection(request), "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(_pool(request), request.path, reason))


def unresolved(request, errno=socket.EAI_NONAME, text="Name or service not known"):
    """The resolver says the host name does not exist (a misspelled region): the request was never sent.

    Built as urllib3 2 raises it, ``from`` the resolver's ``socket.gaierror``; no real lookup is made.
    """
    host = urlsplit(request.url).hostname
    reason = socket.gaierror(errno, text)
    try:
        from urllib3.exceptions import NameResolutionError
    except ImportError:  # urllib3 1.26: a NewConnectionError raised while handling the gaierror
        error = NewConnectionError(_connection(request), "Failed to establish a new connection: %s" % reason)
    else:
        error = NameResolutionError(host, _connection(request), reason)
    error.__cause__ = reason
    return requests.exceptions.ConnectionError(MaxRetryError(_pool(request), request.path, error))


def resolver_unavailable(request):
    """The resolver could not answer now (EAI_AGAIN): a passing failure, the request never sent."""
    return unresolved(request, socket.EAI_AGAIN, "Temporary failure in name resolution")


# -- the fakes ----------------------------------------------------------------------------------


class FakeClock:
    """``_clock`` for tests: monotonic time moves only when something sleeps; sleeps are recorded.

    ``random`` is the value ``_clock.random()`` returns (a number, or a list consumed in order
    and then repeating its last value).
    """

    def __init__(self, start=1000.0, random=0.5, events=None):
        self.now = float(start)
        self._random = random
        self.sleeps = []
        self.events = events if events is not None else []

    def sleep(self, seconds):
        assert seconds >= 0, "a negative sleep: %r" % seconds
        self.sleeps.append(seconds)
        self.events.append(("sleep", seconds))
        self.now += seconds

    def monotonic(self):
        return self.now

    def random(self):
        if isinstance(self._random, list):
            return self._random.pop(0) if len(self._random) > 1 else self._random[0]
        return self._random

    def set_random(self, value):
        self._random = value

    def install(self, monkeypatch):
        monkeypatch.setattr(_clock, "sleep", self.sleep)
        monkeypatch.setattr(_clock, "monotonic", self.monotonic)
        monkeypatch.setattr(_clock, "random", self.random)
        return self


class ScriptedHttp:
    """The replacement of ``requests.Session.request``: answers the scripted calls in order."""

    def __init__(self, base_url=IMS_ENDPOINT, auth_header="Authorization", events=None):
        self.base_url = base_url
        self.auth_header = auth_header
        self.calls = []
        self.index = 0
        self.repeats = 0
        self.values = {}
        self.requests = []
        self.events = events if events is not None else []
        self.failure = None

    def expect(self, *calls):
        """Append ``calls`` to the script."""
        for call in calls:
            assert isinstance(call, Call), "not a Call: %r" % (call,)
        self.calls.extend(calls)
        return self

    def install(self, monkeypatch):
        fake = self

        def request(session, method, url, **kwargs):
            return fake.handle(method, url, session=session, **kwargs)
        monkeypatch.setattr(requests.Session, "request", request)
        return self

    def _fail(self, text):
        if self.failure is None:
            self.failure = text
        raise ScriptMismatch(text)

    def _history(self):
        return "\n".join("    #%d %s" % (request.number, request.line()) for request in self.requests[-12:]) or "    (none)"

    def handle(self, method, url, headers=None, data=None, timeout=None, verify=None, session=None, **kwargs):
        request = Request(len(self.requests) + 1, method, url, headers, data, timeout, verify, session)
        self.requests.append(request)
        if kwargs.get("params") or kwargs.get("json") is not None:
            self._fail("request #%d passes params/json to requests; the client must send its own bytes" % request.number)
        if self.index >= len(self.calls):
            self._fail("request #%d is one more than the %d scripted calls:\n  got:      %s\n  requests so far:\n%s"
                       % (request.number, len(self.calls), request.describe(), self._history()))
        call = self.calls[self.index]
        problems = call.mismatches(request, self.base_url, self.values)
        if problems and call.repeat and self.repeats:  # a repeated call has had its turn: the next one?
            if self.index + 1 >= len(self.calls):
                self._fail("request #%d is one more than the %d scripted calls (the last one repeated %d times):"
                           "\n  got:      %s\n  differences from the last: %s\n  requests so far:\n%s"
                           % (request.number, len(self.calls), self.repeats, request.describe(), "; ".join(problems),
                              self._history()))
            self.index, self.repeats = self.index + 1, 0
            call = self.calls[self.index]
            problems = call.mismatches(request, self.base_url, self.values)
        if problems:
            self._fail("request #%d does not match expected call #%d:\n  expected: %s\n  got:      %s\n  "
                       "differences: %s\n  requests so far:\n%s" % (
                           request.number, self.index + 1, call.describe(self.values), request.describe(),
                           "; ".join(problems), self._history()))
        if request.origin == self.base_url and self.auth_header and not request.headers.get(self.auth_header):
            self._fail("request #%d (%s) has no %s header" % (request.number, request.line(), self.auth_header))
        if call.repeat:
            self.repeats += 1
        else:
            self.index += 1
        try:
            response = call.respond(request, self.values)
        except requests.exceptions.RequestException as exc:
            self.events.append(("http", "%s %s" % (method, request.path), type(exc).__name__))
            raise
        self.events.append(("http", "%s %s" % (method, request.path), response.status_code))
        return response

    def assert_done(self):
        """Fail when a mismatch happened (even if swallowed) or a scripted call was not made."""
        if self.failure is not None:
            raise ScriptMismatch(self.failure)
        remaining = self.calls[self.index:]
        if remaining and remaining[0].repeat and self.repeats:
            remaining = remaining[1:]
        if remaining:
            raise ScriptMismatch("%d scripted call(s) never made, the first: #%d %s\n  requests made:\n%s" % (
                len(remaining), len(self.calls) - len(remaining) + 1, remaining[0].describe(self.values),
                self._history()))

    def timeline(self):
        """The HTTP calls (``'POST /v2/images 503'``, ``'GET /v2/images/{id} 404'``) and sleeps in order.

        Captured values in paths are written as ``{name}``, as in the script.
        """
        lines = []
        for line in timeline(self.events):
            for name, value in self.values.items():
                if isinstance(value, str) and value:
                    line = line.replace(value, "{%s}" % name)
            lines.append(line)
        return lines

    def made(self, method=None, path=None):
        """The requests made, optionally only those of ``method`` and ``path``."""
        return [request for request in self.requests
                if (method is None or request.method == method) and (path is None or request.path == path)]


def timeline(events):
    """The events as short strings, in order: ``'POST /v2/images 503'``, ``'sleep'``."""
    return ["sleep" if event[0] == "sleep" else "%s %s" % (event[1], event[2]) for event in events]


def install(monkeypatch, random=0.5, base_url=IMS_ENDPOINT, auth_header="Authorization"):
    """Install a fake clock and scripted HTTP sharing one timeline; return (http, clock)."""
    events = []
    clock = FakeClock(random=random, events=events).install(monkeypatch)
    fake = ScriptedHttp(base_url=base_url, auth_header=auth_header, events=events).install(monkeypatch)
    return fake, clock


# -- running a module in process ------------------------------------------------------------------


@contextlib.contextmanager
def _module_args(args):
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19+
    except ImportError:  # ansible-core 2.18: the arguments as the controller would send them
        with mock.patch.object(ansible_basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")):
            yield
    else:
        with patch_module_args(args):
            yield


def run_module(module, args, check_mode=False, diff=False, env=None):
    """Run ``module.main()`` in process with ``args``; return its result (``failed`` set on failure).

    The result is what the module printed for the controller (after AnsibleModule removed
    no_log values), so a test sees what a user sees. No HW_* variable of the environment
    reaches the module, only those of ``env``. A module that ends without exit_json/fail_json,
    or with a Python error, fails the test.
    """
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    # A module process starts with no warning; in process, the earlier runs' would be in this result too.
    ansible_warnings._global_warnings.clear()  # pylint: disable=protected-access
    output = io.StringIO()
    environment = {name: value for name, value in os.environ.items() if not name.startswith("HW_")}
    environment.update(env or {})
    with mock.patch.dict(os.environ, environment, clear=True), _module_args(args), \
            contextlib.redirect_stdout(output):
        code = _UNSET
        try:
            module.main()
        except SystemExit as exc:
            code = exc.code
    if code is _UNSET:
        raise AssertionError("%s.main() returned without exit_json or fail_json" % module.__name__)
    text = output.getvalue().strip()
    try:
        result = json.loads(text.splitlines()[-1]) if text else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        raise AssertionError("%s printed no JSON result:\n%s" % (module.__name__, text))
    failed = bool(result.get("failed"))
    assert failed == (code not in (0, None)), "exit code %r but failed=%r: %s" % (code, failed, result)
    result["failed"] = failed
    if "warnings" in result:
        # ansible-core 2.19 sends each warning as a summary whose event holds the text; 2.18 as the text.
        result["warnings"] = [item["event"]["msg"] if isinstance(item, dict) else item for item in result["warnings"]]
    return result
