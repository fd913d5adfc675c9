"""The emulator in this process, behind ``requests``: a module run talks to it without a socket.

``EmulatorBridge(app).install(monkeypatch)`` replaces ``requests.Session.request`` with a call
of ``EmulatorApp.serve()``, so signing, retries, paging and error mapping run as in production,
against the emulator's real semantics, in milliseconds. ``on_answer`` (optional) sees each JSON
answer's body before the client does and may return another one (``KEEP``: leave it): how the
answer-shape test breaks answers the way a broken gateway or an API change would.
"""

from __future__ import annotations

import http.client
import io
import itertools
import json

from urllib.parse import urlsplit

import requests

from imsemu.core.responses import DROP

KEEP = object()  # what on_answer returns to leave an answer as it is


def _headers(headers, body):
    lines = ["%s: %s\r\n" % item for item in headers.items()]
    lines.append("Content-Length: %d\r\n" % len(body))
    return http.client.parse_headers(io.BytesIO("".join(lines).encode("latin-1") + b"\r\n"))


class EmulatorBridge:
    """``requests`` answered by an in-process ``EmulatorApp``."""

    def __init__(self, app, on_answer=None):
        self.app = app
        self.on_answer = on_answer
        self.log = []  # (method, path, status) of every request
        self._ids = itertools.count(1)

    def install(self, monkeypatch):
        bridge = self

        def request(session, method, url, headers=None, data=None, timeout=None, verify=None, **kwargs):  # pylint: disable=unused-argument
            return bridge.handle(method, url, dict(session.headers, **(headers or {})), data)
        monkeypatch.setattr(requests.Session, "request", request)
        return self

    def handle(self, method, url, headers, data):
        parts = urlsplit(url)
        body = data.read() if hasattr(data, "read") else (data or b"")
        headers = {key: value for key, value in headers.items() if key.lower() != "content-length"}
        headers.setdefault("Host", parts.netloc)
        request_id = "req-%06d" % next(self._ids)
        outcome, _reader = self.app.serve(method, parts.path, parts.query, _headers(headers, body),
                                          io.BytesIO(body), request_id)
        if outcome is DROP:
            self.log.append((method, parts.path, None))
            raise requests.exceptions.ConnectionError("the emulator dropped the connection")
        content = outcome.body
        if outcome.file_path:
            with open(outcome.file_path, "rb") as handle:
                content = handle.read()
        answer_headers = dict(outcome.headers)
        if content and self.on_answer is not None and "json" in answer_headers.get("Content-Type", ""):
            changed = self.on_answer(method, parts.path, json.loads(content))
            if changed is not KEEP:
                content = changed.encode("utf-8") if isinstance(changed, str) else json.dumps(changed).encode("utf-8")
        self.log.append((method, parts.path, outcome.status))
        response = requests.Response()
        response.status_code = outcome.status
        response.headers = requests.structures.CaseInsensitiveDict(answer_headers)
        response.headers.setdefault("X-Request-Id", request_id)
        response._content = content  # pylint: disable=protected-access
        response.url = url
        response.encoding = "utf-8"
        return response
