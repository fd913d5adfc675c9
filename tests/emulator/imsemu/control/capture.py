"""``--capture FILE`` (tests only): every API request as sent, unredacted, as JSON lines.

``CaptureWriter`` is an observer of ``EmulatorApp``. README "Start it" documents the format.
"""

from __future__ import annotations

import json
import threading

from ..core.responses import DROP


class CaptureWriter:
    """Appends one JSON line per API request to ``path``: the request, the answer's headers."""

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()

    def __call__(self, exchange) -> None:
        ctx, outcome = exchange.ctx, exchange.outcome
        if ctx is None:  # the request could not be read
            return
        if ctx.body is None and ctx.reader is not None and not (ctx.route is not None and ctx.route.streams_body):
            ctx.body_for_echo()  # the rest of the body is drained before the answer, as always
        entry = {
            "method": ctx.method, "path": ctx.raw_path, "query": ctx.raw_query,
            "headers": [[name, value] for name, value in ctx.headers.items()],
            "body": ctx.body.decode("utf-8", "replace") if ctx.body is not None else None,
            "status": 0 if outcome is DROP else outcome.status,
            "response_headers": [] if outcome is DROP else [list(pair) for pair in outcome.headers],
        }
        with self.lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
