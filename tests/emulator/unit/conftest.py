"""Fixtures of the emulator's in-process tests: the ``imsemu`` classes called directly.

No process, no socket: a request is a ``RequestContext`` over an in-memory body, or goes
through ``EmulatorApp.serve()`` with an in-memory ``rfile``. ``imsemu`` is importable through
pytest.ini's ``pythonpath`` (it lists ``tests/emulator``).
"""

from __future__ import annotations

import http.client
import io
import json
import os

import pytest

from imsemu.app import EmulatorApp
from imsemu.core.body import BodyReader
from imsemu.core.clock import Clock
from imsemu.core.request import RequestContext
from imsemu.core.responses import DROP
from imsemu.ims.exceptions import bad_request
from imsemu.ims.models import ImageStore


def parse_headers(headers: dict, body: bytes = b""):
    """Headers as http.server hands them to the handler (case-insensitive ``get``)."""
    lines = ["%s: %s\r\n" % item for item in headers.items()]
    if body and not any(k.lower() in ("content-length", "transfer-encoding") for k in headers):
        lines.append("Content-Length: %d\r\n" % len(body))
    return http.client.parse_headers(io.BytesIO("".join(lines).encode("latin-1") + b"\r\n"))


class Answer:
    """A Response (or DROP) made easy to assert on."""

    def __init__(self, outcome):
        self.dropped = outcome is DROP
        self.status = 0 if self.dropped else outcome.status
        self.headers = {} if self.dropped else dict(outcome.headers)
        self.body = b"" if self.dropped else outcome.body

    def json(self):
        return json.loads(self.body)


@pytest.fixture
def headers_of():
    """headers_of(dict, body=b"") -> headers as http.server parses them."""
    return parse_headers


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    """An empty store (image files in tmp_path/files)."""
    files = tmp_path / "files"
    os.makedirs(files)
    return ImageStore(clock, str(files))


@pytest.fixture
def app():
    """An emulator without the public catalogue, in memory."""
    emulator = EmulatorApp(public_images=False)
    yield emulator
    emulator.close()


@pytest.fixture
def make_ctx():
    """make_ctx(method, target, headers=None, body=b"", route=None, params=None) -> RequestContext."""
    def make(method, target, headers=None, body=b"", route=None, params=None):
        raw_path, _mark, raw_query = target.partition("?")
        parsed = parse_headers(headers or {}, body)
        reader = BodyReader(io.BytesIO(body), parsed)
        return RequestContext(method, raw_path, raw_query, parsed, "request-id-1", reader, route,
                              params or {}, bad_request)
    return make


@pytest.fixture
def token(app):
    """A valid token of the default user for the first account's project."""
    value, _issued, _expires = app.iam.issue_token(app.iam.users[0], app.accounts[0].project_id, "cn-north-4")
    return value


@pytest.fixture
def call(app, token):
    """call(method, target, json_body=None, body=b"", headers=None, auth=True) -> Answer, via app.serve()."""
    def do(method, target, json_body=None, body=b"", headers=None, auth=True):
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        if auth:
            headers["X-Auth-Token"] = token
        raw_path, _mark, raw_query = target.partition("?")
        parsed = parse_headers(headers, body)
        outcome, _reader = app.serve(method, raw_path, raw_query, parsed, io.BytesIO(body), "request-id-2")
        return Answer(outcome)
    return do
