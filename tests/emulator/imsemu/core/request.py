"""``RequestContext``: everything an API action needs to know about one request, and its hooks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .body import BodyEndedEarly

MAX_JSON_BODY = 12 * 1024 * 1024  # any JSON body of the API
ECHO_BODY_LIMIT = 64 * 1024  # how much of a request body an echoing fault (or --capture) reads

# Per-request hook events (``RequestContext.add_hook``). A hook is ``hook(ctx, outcome)`` and
# returns the outcome to go on with (a Response, DROP, or None for "nothing to say").
UPLOAD_RECEIVED = "upload_received"  # an upload's body is in, before the image becomes active
ANSWERED = "answered"  # the action has answered; a hook may replace the answer
# A native create is about to start its job: a hook returns the job's planned failure
# ({"error_code", "fail_reason", "phase"}) or passes on the outcome (None: the job succeeds).
JOB_STARTED = "job_started"


class RequestContext:
    """Everything an API action needs to know about one request.

    ``bad_request(message)`` makes the error answer of a malformed or truncated body (the
    app gives IMS's ``IMG.0001``, for every route, as the emulator always has).
    """

    def __init__(self, method, raw_path, raw_query, headers, request_id, reader, route, params, bad_request):
        self.method = method
        self.raw_path = raw_path
        self.raw_query = raw_query
        self.headers = headers
        self.request_id = request_id
        self.reader = reader
        self.route = route
        self.params = params
        self.bad_request = bad_request
        self.project = None
        # The region that serves the request (app.py): its bundle, name and path prefix ("" at the root).
        self.region = None
        self.region_name = None
        self.prefix = ""
        self.signed = False  # authenticated by AK/SK (its body is capped at 12 MB)
        self.body = None
        self._hooks = {}

    # -- hooks -------------------------------------------------------------------------
    def add_hook(self, event: str, hook) -> None:
        self._hooks.setdefault(event, []).append(hook)

    def run_hooks(self, event: str, outcome=None):
        """Pass ``outcome`` through the hooks of ``event``, in the order they were added."""
        for hook in self._hooks.get(event, ()):
            outcome = hook(self, outcome)
        return outcome

    # -- the request -------------------------------------------------------------------
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()

    def read_body(self, limit: int = MAX_JSON_BODY) -> bytes:
        if self.body is None:
            try:
                self.body = self.reader.read_all(limit)
            except BodyEndedEarly as exc:
                raise self.bad_request(str(exc)) from None
        return self.body

    def json_body(self, error=None):
        error = error or self.bad_request
        body = self.read_body()
        if not body.strip():
            raise error("a JSON body is required")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise error("the body is not valid JSON") from None

    def query_pairs(self) -> list:
        return parse_qsl(self.raw_query, keep_blank_values=True)

    def body_for_echo(self) -> bytes:
        """The body as read by the action, or at most ECHO_BODY_LIMIT bytes of it (the rest is drained)."""
        if self.body is None:
            self.body = self.reader.read(ECHO_BODY_LIMIT) if self.reader is not None else b""
        return self.body[:ECHO_BODY_LIMIT]

    def echo(self) -> str:
        """The whole request as text, unredacted: what a careless gateway puts in an error message."""
        target = self.raw_path + ("?" + self.raw_query if self.raw_query else "")
        headers = "; ".join("%s: %s" % (name, value) for name, value in self.headers.items())
        return "%s %s; headers: %s; body: %s" % (self.method, target, headers,
                                                 self.body_for_echo().decode("utf-8", "replace"))


@dataclass
class Exchange:
    """One API request and its outcome, as observers (statistics, --capture) see it.

    ``ctx`` is None when the request could not even be read (a bad Content-Length).
    """

    method: str
    raw_path: str
    raw_query: str
    headers: object
    request_id: str
    route: object
    ctx: RequestContext | None
    outcome: object
