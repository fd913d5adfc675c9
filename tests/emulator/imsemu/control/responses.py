"""The control surface's calls (README "The control surface"), one method each.

``ControlSurface`` owns what only tests touch: the fault plan, the statistics, the capture
file, seeding. It installs itself into an ``EmulatorApp`` through the app's hooks, so the API
actions know nothing of it. Each call takes the parsed JSON body and returns the JSON answer;
a ``ValueError`` is a 400.

A call about one region's state (seed, images, resources, jobs, quota) is that of the region the
path's prefix names (``/cn-east-3/_emulator/images``), else of the ``region`` query parameter or
body field, else of the default region. The others (stats, faults, clock, tokens, reset, regions,
agencies) are global: ``reset`` resets every region.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

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
        self.seeder = Seeder(app.store, app.clock, app.accounts[0].project_id)  # the default region's
        self.resource_seeder = ResourceSeeder(app.resources, app.accounts[0].project_id, app.regions.default_name)
        app.request_hooks.append(FaultInjector(self.faults))
        if capture:
            app.observers.append(CaptureWriter(capture))
        app.observers.append(self.stats.observe)

    def handle(self, method: str, path: str, body: bytes, query: str = "") -> Response:
        """Answer one control call; ``path`` may start with a region prefix (``/cn-east-3/_emulator/...``)."""
        path, _mark, rest = path.partition("?")
        query = query or rest
        head, _sep, tail = path[1:].partition("/")
        region_name = None
        if head != "_emulator":  # /<region>/_emulator/...
            region_name, path = head, "/" + tail
            if region_name not in self.app.regions.known:
                return Response.json(404, {"error": unknown_region(self.app, region_name)})
        found = self.calls.get((method, path.rstrip("/")))
        if found is None:
            return Response.json(404, {"error": "no control call %s %s" % (method, path)})
        call, takes_body = found
        try:
            payload = self._json(body) if takes_body else None
            for name, value in parse_qsl(query, keep_blank_values=True):
                if name == "region":
                    region_name = region_name or value
            if isinstance(payload, dict) and "region" in payload:
                payload = dict(payload)
                given = payload.pop("region")
                region_name = region_name or given
            if region_name is not None and not isinstance(region_name, str):
                raise ValueError("region must be a region name")
            return Response.json(200, call(payload, self.app.region(region_name)))
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
    def get_stats(self, _body, region=None):
        return self.stats.snapshot()

    def reset_stats(self, _body, region=None):
        self.stats.clear()
        return {}

    def set_faults(self, plan, region=None):
        self.faults.set(plan)
        return self.faults.describe()

    def clear_faults(self, _body, region=None):
        self.faults.clear()
        return self.faults.describe()

    def get_faults(self, _body, region=None):
        return self.faults.describe()

    def _region(self, region):
        return region or self.app.region()

    def _seeders(self, region):
        """(Seeder, ResourceSeeder) of a region: the default owner is the first account's project there."""
        region = self._region(region)
        if region is self.app.regions.built.get(self.app.regions.default_name):
            return self.seeder, self.resource_seeder
        owner = self.app.iam.project_in(self.app.accounts[0].project_id, region.name).id
        return Seeder(region.store, self.app.clock, owner), ResourceSeeder(region.resources, owner, region.name)

    def seed(self, payload, region=None):
        """Images (``Seeder``), and the resources of ``RESOURCE_KINDS`` (``ResourceSeeder``), checked first."""
        seeder, resource_seeder = self._seeders(region)
        if not isinstance(payload, dict) or not set(payload) & set(RESOURCE_KINDS):
            return {"ids": seeder.seed(payload)}
        images = {k: v for k, v in payload.items() if k not in RESOURCE_KINDS}
        built = resource_seeder.build(payload)  # every refusal comes before anything is stored
        ids = seeder.seed(images) if images else []
        answer = resource_seeder.store(payload, built)
        answer["ids"] = ids
        return answer

    def resources(self, _body, region=None):
        return self._region(region).resources.snapshot()

    def images(self, _body, region=None):
        region = self._region(region)
        region.jobs.advance()
        store = region.store
        with store.lock:
            return {"images": list(store.images.values()),
                    "members": {iid: list(m.values()) for iid, m in store.members.items() if m}}

    def reset(self, _body, region=None):
        """Every image, member, token, fault and count goes; the starting images come back."""
        self.app.reset_state()
        self.faults.clear()
        self.stats.clear()
        return {}

    def set_clock(self, body, region=None):
        offset = body.get("offset_seconds") if isinstance(body, dict) else None
        if not is_number(offset):
            raise ValueError('expected {"offset_seconds": NUMBER}')
        self.app.clock.offset = float(offset)
        return {"offset_seconds": self.app.clock.offset, "now": format_time(self.app.clock.now())}

    # -- jobs and quotas ---------------------------------------------------------------
    def jobs(self, _body, region=None):
        jobs = self._region(region).jobs
        jobs.advance()
        return {"job_seconds": jobs.job_seconds, "jobs": jobs.describe()}

    def configure_jobs(self, body, region=None):
        """``{"job_seconds": N}``: the duration of the jobs started from now on."""
        seconds = body.get("job_seconds") if isinstance(body, dict) else None
        if not is_number(seconds) or not 0 <= seconds < float("inf") or set(body) != {"job_seconds"}:
            raise ValueError('expected {"job_seconds": SECONDS} (0 or more)')
        jobs = self._region(region).jobs
        jobs.job_seconds = float(seconds)
        return {"job_seconds": jobs.job_seconds}

    def finish_jobs(self, body, region=None):
        """``{"job_id": ID}`` (a job, or a parent with its sub jobs) or ``{}`` (every job): they end now."""
        job_id = body.get("job_id") if isinstance(body, dict) else None
        if set(body or {}) - {"job_id"} or (job_id is not None and not isinstance(job_id, str)):
            raise ValueError('expected {"job_id": ID} or {}')
        jobs = self._region(region).jobs
        jobs.advance()
        if job_id is not None and job_id not in jobs.jobs:
            raise ValueError("no job %s" % job_id)
        return {"finished": jobs.finish(job_id)}

    def expire_tokens(self, _body, region=None):
        return {"expired": self.app.iam.expire_tokens()}

    def get_quota(self, _body, region=None):
        return self._region(region).store.quotas.describe()

    def set_quota(self, body, region=None):
        """``{"quota": N}`` (the default) or ``{"project_id": P, "quota": N|null}`` (P's own)."""
        if not isinstance(body, dict) or "quota" not in body or set(body) - {"quota", "project_id"}:
            raise ValueError('expected {"quota": N} or {"project_id": PROJECT_ID, "quota": N|null}')
        project = body.get("project_id")
        if "project_id" in body and not (isinstance(project, str) and project):
            raise ValueError("project_id must be a project id")
        if project is None and body["quota"] is None:
            raise ValueError("the default quota must be an integer")
        quotas = self._region(region).store.quotas
        quotas.set(body["quota"], project)
        return quotas.describe()

    # -- regions and agencies ------------------------------------------------------------
    def get_regions(self, _body, region=None):
        """The regions, the default one, and every account's and user's project in each."""
        iam = self.app.iam

        def projects(home):
            return {p.region: p.id for p in iam.projects_of([home])}
        return {"default": self.app.regions.default_name, "regions": list(self.app.regions.names),
                "accounts": [{"access_key": a.access_key, "projects": projects(a.project_id)} for a in iam.accounts],
                "users": [{"name": u.name, "domain": u.domain, "projects": projects(u.projects[0])}
                          for u in iam.users]}

    def get_agencies(self, _body, region=None):
        """Every account's agencies, by the account's default project id."""
        homes = dict.fromkeys(a.project_id for a in self.app.accounts)
        return {"agencies": {home: self.app.iam.agencies.of(home) for home in homes}}

    def seed_agencies(self, body, region=None):
        """``{"agencies": [{"name", "project_id"?, "description"?, "duration"?, "trust_domain_name"?}]}``
        or one such object; ``project_id`` (any project of the account; default: the first account's)."""
        specs = body.get("agencies") if isinstance(body, dict) and "agencies" in body else [body]
        if not isinstance(specs, list) or (isinstance(body, dict) and "agencies" in body and len(body) > 1):
            raise ValueError('expected {"agencies": [...]} alone, or one agency')
        plans = []
        for spec in specs:
            spec = dict(spec) if isinstance(spec, dict) else spec
            project = spec.pop("project_id", self.app.accounts[0].project_id) if isinstance(spec, dict) else None
            home = self.app.iam.home_of(project) if isinstance(project, str) else None
            if home is None:
                raise ValueError("project_id %r is no account's project" % (project,))
            plans.append((home, self.app.iam.agencies.check(spec)))  # every one checked before any is stored
        return {"agencies": [dict(self.app.iam.agencies.add(home, agency), project_id=home) for home, agency in plans]}


def unknown_region(app, name: str) -> str:
    return "The region %s is not one of the emulator's regions (%s)." % (name, ", ".join(app.regions.names))
