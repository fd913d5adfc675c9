"""The control surface's calls (README "The control surface"), one method each.

``ControlSurface`` owns what only tests touch: the fault plan, the statistics, the capture
file, seeding. It installs itself into an ``EmulatorApp`` through the app's hooks, so the API
actions know nothing of it. Each call takes the parsed JSON body and returns the JSON answer;
a ``ValueError`` is a 400.
"""

from __future__ import annotations

import json

from ..core.clock import format_time
from ..core.responses import Response
from ..core.util import is_number
from ..ims.resources import KINDS as RESOURCE_KINDS
from .capture import CaptureWriter
from .faults import FaultInjector, FaultPlan
from .resource_seeding import ResourceSeeder
from .seeding import Seeder
from .stats import Stats


class ControlSurface:
    """``/_emulator/...``: plain JSON, no authentication, never counted or faulted."""

    def __init__(self, app, url_paths, capture: str | None = None):
        """``url_paths``: ``control.urls.URL_PATHS``; ``capture``: the --capture file, if any."""
        self.app = app
        self.calls = {key: (call.function.__get__(self), call.takes_body) for key, call in url_paths.items()}
        self.faults = FaultPlan()
        self.stats = Stats()
        self.seeder = Seeder(app.store, app.clock, app.accounts[0].project_id)
        self.resource_seeder = ResourceSeeder(app.resources, app.accounts[0].project_id)
        app.request_hooks.append(FaultInjector(self.faults))
        if capture:
            app.observers.append(CaptureWriter(capture))
        app.observers.append(self.stats.observe)

    def handle(self, method: str, path: str, body: bytes) -> Response:
        found = self.calls.get((method, path.rstrip("/")))
        if found is None:
            return Response.json(404, {"error": "no control call %s %s" % (method, path)})
        call, takes_body = found
        try:
            return Response.json(200, call(self._json(body) if takes_body else None))
        except ValueError as exc:
            return Response.json(400, {"error": str(exc)})

    @staticmethod
    def _json(body: bytes):
        if not body.strip():
            return {}
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ValueError("the body is not valid JSON") from None

    # -- the calls -----------------------------------------------------------------------
    def get_stats(self, _body):
        return self.stats.snapshot()

    def reset_stats(self, _body):
        self.stats.clear()
        return {}

    def set_faults(self, plan):
        self.faults.set(plan)
        return self.faults.describe()

    def clear_faults(self, _body):
        self.faults.clear()
        return self.faults.describe()

    def get_faults(self, _body):
        return self.faults.describe()

    def seed(self, payload):
        """Images (``Seeder``), and the resources of ``RESOURCE_KINDS`` (``ResourceSeeder``), checked first."""
        if not isinstance(payload, dict) or not set(payload) & set(RESOURCE_KINDS):
            return {"ids": self.seeder.seed(payload)}
        images = {k: v for k, v in payload.items() if k not in RESOURCE_KINDS}
        built = self.resource_seeder.build(payload)  # every refusal comes before anything is stored
        ids = self.seeder.seed(images) if images else []
        answer = self.resource_seeder.store(payload, built)
        answer["ids"] = ids
        return answer

    def resources(self, _body):
        return self.app.resources.snapshot()

    def images(self, _body):
        self.app.jobs.advance()
        store = self.app.store
        with store.lock:
            return {"images": list(store.images.values()),
                    "members": {iid: list(m.values()) for iid, m in store.members.items() if m}}

    def reset(self, _body):
        """Every image, member, token, fault and count goes; the starting images come back."""
        self.app.reset_state()
        self.faults.clear()
        self.stats.clear()
        return {}

    def set_clock(self, body):
        offset = body.get("offset_seconds") if isinstance(body, dict) else None
        if not is_number(offset):
            raise ValueError('expected {"offset_seconds": NUMBER}')
        self.app.clock.offset = float(offset)
        return {"offset_seconds": self.app.clock.offset, "now": format_time(self.app.clock.now())}

    # -- jobs and quotas ---------------------------------------------------------------
    def jobs(self, _body):
        self.app.jobs.advance()
        return {"job_seconds": self.app.jobs.job_seconds, "jobs": self.app.jobs.describe()}

    def configure_jobs(self, body):
        """``{"job_seconds": N}``: the duration of the jobs started from now on."""
        seconds = body.get("job_seconds") if isinstance(body, dict) else None
        if not is_number(seconds) or not 0 <= seconds < float("inf") or set(body) != {"job_seconds"}:
            raise ValueError('expected {"job_seconds": SECONDS} (0 or more)')
        self.app.jobs.job_seconds = float(seconds)
        return {"job_seconds": self.app.jobs.job_seconds}

    def finish_jobs(self, body):
        """``{"job_id": ID}`` (a job, or a parent with its sub jobs) or ``{}`` (every job): they end now."""
        job_id = body.get("job_id") if isinstance(body, dict) else None
        if set(body or {}) - {"job_id"} or (job_id is not None and not isinstance(job_id, str)):
            raise ValueError('expected {"job_id": ID} or {}')
        self.app.jobs.advance()
        if job_id is not None and job_id not in self.app.jobs.jobs:
            raise ValueError("no job %s" % job_id)
        return {"finished": self.app.jobs.finish(job_id)}

    def expire_tokens(self, _body):
        return {"expired": self.app.iam.expire_tokens()}

    def get_quota(self, _body):
        return self.app.store.quotas.describe()

    def set_quota(self, body):
        """``{"quota": N}`` (the default) or ``{"project_id": P, "quota": N|null}`` (P's own)."""
        if not isinstance(body, dict) or "quota" not in body or set(body) - {"quota", "project_id"}:
            raise ValueError('expected {"quota": N} or {"project_id": PROJECT_ID, "quota": N|null}')
        project = body.get("project_id")
        if "project_id" in body and not (isinstance(project, str) and project):
            raise ValueError("project_id must be a project id")
        if project is None and body["quota"] is None:
            raise ValueError("the default quota must be an integer")
        self.app.store.quotas.set(body["quota"], project)
        return self.app.store.quotas.describe()
