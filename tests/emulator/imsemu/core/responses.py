"""``Response``: an answer ready to be written; ``DROP``: no answer, close the connection."""

from __future__ import annotations

import json

# Our own data is never circular: skipping the check makes encoding a third faster.
JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def json_with_images(obj: dict, encoded_images) -> str:
    """JSON text of ``obj`` plus an ``images`` list given as already encoded images."""
    rest = JSON_ENCODER.encode(obj)
    return '{"images":[%s]%s%s' % (",".join(encoded_images), "," if len(rest) > 2 else "", rest[1:])


class Response:
    """An answer ready to be written: status, headers and a body (bytes or a file path)."""

    __slots__ = ("status", "headers", "body", "file_path")

    def __init__(self, status: int, body: bytes = b"", headers=None, file_path: str | None = None):
        self.status = status
        self.headers = list(headers or [])
        self.body = body
        self.file_path = file_path

    @classmethod
    def json(cls, status: int, obj, headers=None) -> "Response":
        return cls.json_text(status, JSON_ENCODER.encode(obj), headers)

    @classmethod
    def json_text(cls, status: int, text: str, headers=None) -> "Response":
        return cls(status, text.encode("utf-8"),
                   [("Content-Type", "application/json; charset=UTF-8")] + list(headers or []))

    @classmethod
    def empty(cls, status: int = 204, headers=None) -> "Response":
        return cls(status, b"", headers)


# Returned instead of a Response when the connection must be closed without an answer.
DROP = object()
