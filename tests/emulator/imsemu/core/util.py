"""Small helpers every part uses."""

from __future__ import annotations

import os
import re

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_int(value) -> bool:
    """An integer, and not a boolean."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    """An int or a float, and not a boolean."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def host_origin(ctx, default_origin: str) -> str:
    """scheme://host[:port] of the request: its Host header, else the emulator's own address."""
    scheme = default_origin.split("://", 1)[0]
    host = (ctx.headers.get("Host") or "").strip()
    return "%s://%s" % (scheme, host) if host else default_origin


def origin_of(ctx, default_origin: str) -> str:
    """The base of the request's absolute links: ``host_origin`` plus its region prefix (``/cn-east-3``), if any."""
    return host_origin(ctx, default_origin) + getattr(ctx, "prefix", "")


def random_uuids(count: int):
    """``count`` random (version 4) UUID strings; much faster than uuid.uuid4() in bulk."""
    data = os.urandom(16 * count).hex()
    for start in range(0, 32 * count, 32):
        h = data[start:start + 32]
        yield "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) & 3], h[17:20], h[20:])
