"""The private-image quota of each project: the one place it is kept and checked.

docs/dev/ims-api.md, "The native list, the quota and the os_version catalogue":
``GET /v1/cloudimages/quota`` reports it, and a create that would exceed it answers 400
``IMG.0015``. Every create action enforces it through ``ImageStore.create`` (which calls
``check``); the control surface sets it (``POST /_emulator/quota``, README "The quota").
"""

from __future__ import annotations

import threading

from ..core.util import is_int
from ..defaults import DEFAULT_QUOTA
from .exceptions import ImsErrorAnswer

QUOTA_TYPE = "image"  # the resource type IMS reports the private-image quota under
MIN_QUOTA = 1  # the range IMS reports with the quota (``min``, ``max``)
MAX_QUOTA = 100000


class ProjectQuotas:
    """A default quota, and the projects that have their own."""

    def __init__(self, default: int = DEFAULT_QUOTA):
        self.starting_default = default
        self.default = default
        self.own: dict = {}  # project id -> its quota
        self.lock = threading.Lock()

    def limit(self, project: str) -> int:
        """The number of private images ``project`` may own."""
        with self.lock:
            return self.own.get(project, self.default)

    def check(self, project: str, used: int) -> None:
        """400 IMG.0015 when ``project``, owning ``used`` private images, may not own one more."""
        quota = self.limit(project)
        if used >= quota:
            raise ImsErrorAnswer(400, "IMG.0015", "The private image quota (%d) of the project is used up." % quota)

    def resource(self, project: str, used: int) -> dict:
        """``project``'s entry of the quota answer: ``{type, used, quota, min, max}``."""
        return {"type": QUOTA_TYPE, "used": used, "quota": self.limit(project), "min": MIN_QUOTA, "max": MAX_QUOTA}

    def set(self, quota, project: str | None = None) -> None:
        """Set ``project``'s quota (the default without a project); ``quota`` None drops the
        project's own. ``ValueError`` for a quota that is not an integer from 0 to MAX_QUOTA."""
        if quota is None and project is not None:
            with self.lock:
                self.own.pop(project, None)
            return
        if not is_int(quota) or not 0 <= quota <= MAX_QUOTA:
            raise ValueError("quota must be an integer from 0 to %d" % MAX_QUOTA)
        with self.lock:
            if project is None:
                self.default = quota
            else:
                self.own[project] = quota

    def reset(self) -> None:
        """Back to the starting default, no project with its own."""
        with self.lock:
            self.default = self.starting_default
            self.own.clear()

    def describe(self) -> dict:
        with self.lock:
            return {"default": self.default, "projects": dict(self.own)}
