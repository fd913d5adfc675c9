"""Statistics of the API requests (README "The control surface"): counts and a redacted log.

``Stats.observe`` is an observer of ``EmulatorApp``: it sees every API request once answered
(the control surface is not counted). Nothing it keeps holds a secret.
"""

from __future__ import annotations

import collections
import threading

from ..core.responses import DROP
from ..core.signing import ALGORITHM, SignatureVerifier

LOG_SIZE = 10000
SECRET_HEADERS = frozenset({"x-auth-token", "x-security-token", "x-subject-token", "cookie"})
REDACTED = "<redacted>"


class Stats:
    """Counts and a log of every API request (the control surface is not counted)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.by_method = collections.Counter()
        self.by_route = collections.Counter()
        self.log = collections.deque(maxlen=LOG_SIZE)

    def record(self, entry: dict) -> None:
        with self.lock:
            self.total += 1
            self.by_method[entry["method"]] += 1
            self.by_route[entry["route"]] += 1
            self.log.append(entry)

    def snapshot(self) -> dict:
        with self.lock:
            return {"total": self.total, "by_method": dict(self.by_method),
                    "by_route": dict(self.by_route), "log": list(self.log)}

    def clear(self) -> None:
        with self.lock:
            self.reset()

    def observe(self, exchange) -> None:
        """Record one answered API request (an observer of ``EmulatorApp``)."""
        self.record({
            "method": exchange.method, "path": exchange.raw_path, "query": exchange.raw_query,
            "status": 0 if exchange.outcome is DROP else exchange.outcome.status,
            "headers": redact_headers(exchange.headers), "auth": auth_kind(exchange.headers),
            "route": exchange.route.name if exchange.route else "%s (unknown)" % exchange.method,
            "request_id": exchange.request_id,
        })


def auth_kind(headers) -> str:
    """How a request authenticates, for the log: aksk, token or none."""
    if headers.get("Authorization", "").strip().startswith(ALGORITHM):
        return "aksk"
    return "token" if headers.get("X-Auth-Token") else "none"


def redact_headers(headers) -> dict:
    """Request headers for the log: secrets replaced, the signature hidden."""
    out = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "authorization":
            try:
                access, signed, _signature = SignatureVerifier.parse_authorization(value)
                value = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
                    ALGORITHM, access, ";".join(signed), REDACTED)
            except ValueError:
                value = REDACTED
        elif lowered in SECRET_HEADERS:
            value = REDACTED
        out[name] = value
    return out
