"""``BodyReader``: a request body announced by Content-Length or sent chunked, read piece by piece."""

from __future__ import annotations

from .exceptions import GatewayErrorAnswer, entity_too_large

CHUNK = 1024 * 1024


class BodyEndedEarly(Exception):
    """The body ended before its announced length (the request context answers it)."""


class BodyReader:
    """Reads a request body announced by Content-Length or sent chunked, piece by piece."""

    def __init__(self, rfile, headers):
        self.rfile = rfile
        self.chunked = "chunked" in headers.get("Transfer-Encoding", "").lower()
        self.length = None
        self.remaining = 0
        self._chunk_left = 0
        self.complete = False
        self.truncated = False
        if not self.chunked:
            text = headers.get("Content-Length")
            if text is None:
                self.length = 0
            elif not text.strip().isdigit():
                self.complete = True
                raise GatewayErrorAnswer(400, "APIGW.0201", "Bad request: invalid Content-Length.")
            else:
                self.length = int(text)
            self.remaining = self.length
            self.complete = self.length == 0

    def read(self, size: int = CHUNK) -> bytes:
        """Up to ``size`` bytes; b"" at the end (``truncated`` tells an early end)."""
        if self.complete or self.truncated:
            return b""
        try:
            data = self._read_chunked(size) if self.chunked else self._read_plain(size)
        except (OSError, ValueError):
            data = b""
            self.truncated = True
        return data

    def _read_plain(self, size):
        data = self.rfile.read(min(size, self.remaining))
        if not data:
            self.truncated = True
            return b""
        self.remaining -= len(data)
        self.complete = self.remaining == 0
        return data

    def _read_chunked(self, size):
        if self._chunk_left == 0:
            line = self.rfile.readline(65537)
            if not line:
                self.truncated = True
                return b""
            chunk_size = int(line.split(b";", 1)[0].strip(), 16)
            if chunk_size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                self.complete = True
                return b""
            self._chunk_left = chunk_size
        data = self.rfile.read(min(size, self._chunk_left))
        if not data:
            self.truncated = True
            return b""
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            self.rfile.readline(65537)
        return data

    def read_all(self, limit: int) -> bytes:
        """The whole body; 413 (gateway shape) if it is longer than ``limit``;
        ``BodyEndedEarly`` if it ends before its announced length."""
        if self.length is not None and self.length > limit:
            raise entity_too_large()
        parts, size = [], 0
        while True:
            data = self.read(CHUNK)
            if not data:
                break
            size += len(data)
            if size > limit:
                raise entity_too_large()
            parts.append(data)
        if self.truncated:
            raise BodyEndedEarly("the request body ended before its announced length")
        return b"".join(parts)

    def drain(self, limit: int) -> bool:
        """Read and drop the rest of the body; False if it is longer than ``limit``."""
        if self.length is not None and self.remaining > limit:
            return False
        size = 0
        while not (self.complete or self.truncated):
            data = self.read(CHUNK)
            size += len(data)
            if size > limit:
                return False
        return self.complete
