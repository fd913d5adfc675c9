"""The emulator's regions (README "Regions"): one bundle of state and services per region.

A request whose path starts with ``/<region>/`` is served by that region, the prefix removed;
any other path by the default region, as if there were one. Each region has its own images
(its own public catalogue), members, quota, jobs and fake resources; IAM is global. A region is
built on its first use, so starting the emulator costs one region, whatever the list.
"""

from __future__ import annotations

import os
import re

from .core.routing import Router
from .ims.batch_members import URL_PATHS as BATCH_MEMBER_URL_PATHS, BatchMemberResponses
from .ims.copies import CopyResponses
from .ims.copy_urls import URL_PATHS as COPY_URL_PATHS
from .iam.urls import URL_PATHS as IAM_URL_PATHS
from .ims.exports import URL_PATHS as EXPORT_URL_PATHS, ExportResponses
from .ims.jobs import JobBoard
from .ims.models import ImageStore
from .ims.native import NativeResponses
from .ims.native_urls import URL_PATHS as NATIVE_URL_PATHS
from .ims.resources import CloudResources
from .ims.responses import ImsResponses
from .ims.urls import URL_PATHS as IMS_URL_PATHS

DEFAULT_REGIONS = ("cn-north-4", "cn-north-1", "cn-east-3", "cn-south-1", "ap-southeast-1", "ap-southeast-3")
# A first path segment that looks like a region id (an unknown one is a 404, not the default region's path).
REGION_LIKE = re.compile(r"[a-z]{2,}(-[a-z0-9]+)*-[a-z]+-?[0-9]+")


class Region:
    """One region: its ``ImageStore``, ``JobBoard``, ``CloudResources`` and the services on them."""

    def __init__(self, name, prefix, app):
        self.name = name
        self.prefix = prefix  # "" for the default region's root paths, else "/<name>"
        files_dir = app.files_dir if not prefix else os.path.join(app.files_dir, "@" + name)
        os.makedirs(files_dir, exist_ok=True)
        self.store = ImageStore(app.clock, files_dir, app.quota, lock=app.lock, persist=app.save_state)
        self.resources = CloudResources()
        self.jobs = JobBoard(self.store, app.clock, app.job_seconds)
        self.store.pending_images = self.jobs.pending_images  # images jobs will store count towards the quota
        self.ims = ImsResponses(self.store, app.clock)
        self.native = NativeResponses(self.store, app.clock, self.resources, self.jobs)
        self.native.region_name = name
        self.ims.delete_observers.append(self.native)
        self.ims.default_origin = app.default_origin
        self.router = Router()
        self.router.bind(IAM_URL_PATHS, app.iam_responses)
        self.router.bind(IMS_URL_PATHS, self.ims)
        self.router.bind(NATIVE_URL_PATHS, self.native)
        self.exports = ExportResponses(self.store, app.clock, self.resources, self.jobs, name)
        self.router.bind(EXPORT_URL_PATHS, self.exports)
        self.copies = CopyResponses(self, app)  # its copies (ims/copies.py)
        self.router.bind(COPY_URL_PATHS, self.copies)
        self.batch_members = BatchMemberResponses(self, app)  # sharing by the batch API (ims/batch_members.py)
        self.store.domain_projects = self.batch_members.domain_projects
        self.router.bind(BATCH_MEMBER_URL_PATHS, self.batch_members)

    def reset(self, images) -> None:
        self.store.reset(images)
        self.store.quotas.reset()
        self.jobs.reset()
        self.resources.reset()


class Regions:
    """The configured region names (the default first) and the regions built so far."""

    def __init__(self, names, app):
        self.names = tuple(dict.fromkeys(names or DEFAULT_REGIONS))
        if not self.names or not all(REGION_LIKE.fullmatch(n) for n in self.names):
            raise ValueError("region names look like cn-north-4: %s" % ", ".join(names or ()))
        self.default_name = self.names[0]
        self.app = app
        self.built: dict = {}  # name -> Region, in the order they were built
        self.known = frozenset(self.names)

    def get(self, name: str) -> Region:
        """The region ``name`` (configured), built on first use with the starting images."""
        region = self.built.get(name)
        if region is None:
            region = self._build(name, fresh=True)
        return region

    def _build(self, name: str, fresh: bool, data=None) -> Region:
        with self.app.lock:
            region = self.built.get(name)
            if region is None:
                region = Region(name, "" if name == self.default_name else "/" + name, self.app)
                if data is not None:
                    region.store.restore(data)
                elif fresh:
                    region.store.reset(self.app.starting_images())
                self.built[name] = region
            return region

    def restore(self, regions_data: dict) -> None:
        """The regions of a state file (others are built fresh when first used)."""
        for name, data in regions_data.items():
            if name in self.known:
                self._build(name, fresh=False, data=data)

    @property
    def default(self) -> Region:
        return self.get(self.default_name)

    def of_host(self, authority: str):
        """The region a host names by one of its labels (``ims.cn-east-3.myhuaweicloud.com:443``), or None."""
        for label in authority.rsplit(":", 1)[0].lower().split("."):
            if label in self.known:
                return self.get(label)
        return None

    def split(self, raw_path: str):
        """(region, path without its prefix, the prefix), or (None, name, "") for an unknown region-like prefix."""
        end = raw_path.find("/", 1)
        head = raw_path[1:end] if end > 0 else raw_path[1:]
        if head in self.known:
            return self.get(head), (raw_path[end:] if end > 0 else "/"), "/" + head
        if "-" in head and REGION_LIKE.fullmatch(head):
            return None, head, ""
        return self.built.get(self.default_name) or self.default, raw_path, ""
