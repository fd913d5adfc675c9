"""The emulator's clock and its time formats (docs/dev/ims-api.md, "images" and "auth and signing")."""

from __future__ import annotations

import datetime
import time

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class Clock:
    """The emulator's clock: the real time shifted by ``offset`` seconds."""

    def __init__(self):
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


def format_time(ts: float) -> str:
    """Image timestamps: ``YYYY-MM-DDTHH:MM:SSZ``."""
    return time.strftime(TIME_FORMAT, time.gmtime(ts))


def format_iam_time(ts: float) -> str:
    """IAM timestamps: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> str | None:
    """``yyyy-MM-ddThh:mm:ssZ`` or ``yyyy-MM-dd hh:mm:ss`` -> the image form, or None."""
    for fmt in (TIME_FORMAT, "%Y-%m-%d %H:%M:%S"):
        try:
            parsed = datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.strftime(TIME_FORMAT)
    return None
