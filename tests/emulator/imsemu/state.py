"""``--state FILE``: the whole emulator's state in one JSON file, written atomically after each change.

Format ``ims-emulator-state/2``: ``{"format", "tokens": {token: record}, "regions": {region:
{"images": [...], "members": {image id: [member...]}}}}``, one entry per region that has been
used. A file of format 1 (before regions: ``images``, ``members`` and ``tokens`` at the top) is
read as the default region's.
"""

from __future__ import annotations

import json
import os
import tempfile

from .core.responses import JSON_ENCODER

STATE_FORMAT = "ims-emulator-state/2"


class StateFile:
    """Reads and writes the state file (``path`` None: nothing is persisted)."""

    def __init__(self, path: str | None):
        self.path = path

    def read(self, default_region: str) -> dict | None:
        """``{"tokens": {...}, "regions": {name: {"images", "members"}}}``, or None without a file."""
        if not self.path or not os.path.exists(self.path):
            return None
        with open(self.path, encoding="utf-8") as handle:
            data = json.load(handle)
        if "regions" not in data:  # format 1: one region, the default one
            regions = {default_region: {"images": data.get("images", []), "members": data.get("members", {})}}
        else:
            regions = data["regions"]
        return {"tokens": dict(data.get("tokens", {})), "regions": regions}

    def write(self, tokens: dict, stores: dict) -> None:
        """Write ``tokens`` and every region's store (``{name: ImageStore}``) atomically."""
        if not self.path:
            return
        parts = ",".join("%s:%s" % (JSON_ENCODER.encode(name), store.dump()) for name, store in stores.items())
        text = '{"format":%s,"tokens":%s,"regions":{%s}}' % (
            JSON_ENCODER.encode(STATE_FORMAT), JSON_ENCODER.encode(tokens), parts)
        directory = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(prefix=".ims-state-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
