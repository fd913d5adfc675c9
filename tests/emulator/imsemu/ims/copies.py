"""IMS's image copies (README "Copies"): within a region and to another region, each by a job.

ims-native-api.md 3.1 and 3.2 (the bodies of the SDK's ``CopyImageInRegionRequestBody`` and
``CopyImageCrossRegionRequestBody``), 1 (the jobs) and 10 (the codes). A copy answers
``{"job_id"}`` at once, as the native creates do (``native.py``); its job is one of the
source region's ``JobBoard``, and the copy is stored, as a native create's image is, once the
job leaves ``INIT``: in the source region for an in-region copy, in the destination region's
store for a cross-region one (that board's ``incoming``: its requests move the job too).
Fields IMS does not know are ignored, as the native create bodies ignore them.
"""

from __future__ import annotations

import threading
import uuid

from ..core.clock import format_time
from ..core.request import JOB_STARTED
from ..core.responses import Response
from .exceptions import image_not_found
from .images import new_image
from .native_bodies import check_description, check_enterprise_project, check_name, check_string, json_object, refuse

IN_REGION_JOB = "imsCopyImageInRegionJob"
CROSS_REGION_JOB = "imsCrossRegionCopyImageJob"
MAX_CROSS_REGION_IN_FLIGHT = 5  # per project (ims-native-api.md 3.2: "at most 5 images may be in flight")
# What a copy keeps of its source, besides name, owner and the fields of a new image.
KEPT = ("max_ram", "virtual_env_type", "__os_version",
        "__os_type", "__platform", "__os_bit", "architecture", "hw_firmware_type", "__is_config_init",
        "__whole_image", "__data_origin", "__root_origin", "__license_type", "__os_feature_list", "__lazyloading",
        "__system__cmkid", "__system_encrypted")


def in_region_body(body: dict) -> dict:
    """``CopyImageInRegionRequestBody``: **name**, description, cmk_id, enterprise_project_id."""
    return {"name": check_name(body.get("name")), "description": check_description(body),
            "cmk_id": check_string(body, "cmk_id", code="IMG.0095"),
            "enterprise_project_id": check_enterprise_project(body)}


def cross_region_body(body: dict) -> dict:
    """``CopyImageCrossRegionRequestBody``: **name**, **region**, **project_name**, **agency_name**, vault_id,
    description."""
    return {"name": check_name(body.get("name")), "description": check_description(body),
            "region": check_string(body, "region", True, "IMG.0178"),
            "project_name": check_string(body, "project_name", True, "IMG.0104"),
            "agency_name": check_string(body, "agency_name", True, "IMG.0179"),
            "vault_id": check_string(body, "vault_id")}


class CopyResponses:
    """The two copy actions of one region (``region``: its store, jobs and resources; ``app``: IAM and the
    other regions)."""

    # Makes a copy's checks (quota, the in-flight limit) and its start one step. Taken first and alone:
    # the boards' locks are then taken one at a time, never one inside another (two regions copying to
    # each other cannot deadlock).
    starting = threading.Lock()

    def __init__(self, region, app):
        self.region = region
        self.app = app

    # -- the actions -------------------------------------------------------------------
    def copy_in_region(self, ctx):
        """``POST /v1/cloudimages/{image_id}/copy`` (and ``/v2.1``)."""
        plan = in_region_body(json_object(ctx))
        source = self._source(ctx)
        if source.get("__whole_image") == "true":
            raise refuse("IMG.0130", "Full-ECS images cannot be replicated within a region: image %s is a "
                                     "full-ECS image." % source["id"])
        if plan["cmk_id"] and plan["cmk_id"] == source.get("__system__cmkid"):
            raise refuse("IMG.0096", "The new key must be different from the original key: image %s is already "
                                     "encrypted with %s." % (source["id"], plan["cmk_id"]))
        image = self._copy(source, plan, ctx.project, plan["enterprise_project_id"])
        if plan["cmk_id"]:
            image["__system__cmkid"] = plan["cmk_id"]
            image["__system_encrypted"] = "1"
        with self.starting:
            self._check_quota(self.region, ctx.project)
            job = self.region.jobs.start(ctx.project, IN_REGION_JOB, image, self._size(source),
                                         failure=ctx.run_hooks(JOB_STARTED))
        return Response.json(200, {"job_id": job.id})

    def copy_cross_region(self, ctx):
        """``POST /v1/cloudimages/{image_id}/cross_region_copy``: the copy appears in ``region``."""
        plan = cross_region_body(json_object(ctx))
        destination = self._destination(plan["region"])
        home = self.app.iam.home_of(ctx.project)
        project = self.app.iam.project_in(home, destination.name) if home else None
        if project is None or plan["project_name"] != project.region:
            raise refuse("IMG.0145", "The project name %s is not a project of the tenant in region %s."
                         % (plan["project_name"], destination.name))
        if not self.app.iam.agencies.exists(home, plan["agency_name"]):
            raise refuse("IMG.0179", "Failed to obtain the agency token: the agency %s does not exist or does not "
                                     "authorize IMS." % plan["agency_name"])
        source = self._source(ctx)
        if source.get("__system__cmkid") or source.get("__system_encrypted") == "1":
            raise refuse("IMG.0098", "Encrypted images cannot be replicated across regions: image %s is encrypted."
                         % source["id"])
        image = self._copy(source, plan, project.id, source.get("enterprise_project_id") or "0")
        backup = None
        if source.get("__whole_image") == "true":
            backup = self._backup(destination, project.id, plan, source)
            image["__backup_id"] = backup["id"]
            backup["image_id"] = image["id"]

        def release(_job):
            destination.resources.remove_backup(backup["id"])
        with self.starting:
            if self._in_flight(ctx.project) >= MAX_CROSS_REGION_IN_FLIGHT:
                raise refuse("IMG.0060", "The number of images being replicated across regions has reached the "
                                         "upper limit (%d): try again later." % MAX_CROSS_REGION_IN_FLIGHT)
            self._check_quota(destination, project.id)
            if backup is not None:
                destination.resources.set_backup(backup)
            job = self.region.jobs.start(ctx.project, CROSS_REGION_JOB, image, self._size(source),
                                         failure=ctx.run_hooks(JOB_STARTED), on_fail=release if backup else None,
                                         destination=destination.jobs)
        return Response.json(200, {"job_id": job.id})

    # -- the rules ---------------------------------------------------------------------
    def _source(self, ctx) -> dict:
        """The caller's own image the path names: 404 when unseen; IMS's rules on what is copied."""
        image_id = ctx.params["image_id"]
        image, _relation = self.region.store.visible(image_id, ctx.project)
        if image is None:
            raise image_not_found(image_id)
        if image["owner"] != ctx.project:
            raise refuse("IMG.0047", "Only the owner of image %s can replicate it." % image_id)
        if image.get("virtual_env_type") == "IsoImage" or image.get("disk_format") == "iso":
            raise refuse("IMG.0046", "ISO images cannot be replicated: image %s is an ISO image." % image_id)
        if image["status"] != "active":
            raise refuse("IMG.0046", "Image %s is not available: its status is %s, and only an active image can be "
                                     "replicated." % (image_id, image["status"]))
        return image

    def _destination(self, name: str):
        if name == self.region.name:
            raise refuse("IMG.0178", "The destination region must differ from the source region (%s)." % name)
        if name not in self.app.regions.known:
            raise refuse("IMG.0178", "The region %s does not exist or cannot be replicated to (regions: %s)."
                         % (name, ", ".join(self.app.regions.names)))
        return self.app.regions.get(name)

    def _in_flight(self, project: str) -> int:
        """The project's unfinished cross-region copies from this region."""
        jobs = self.region.jobs
        with jobs.lock:
            return sum(1 for job in jobs.jobs.values()
                       if job.project == project and job.job_type == CROSS_REGION_JOB and not job.finished)

    @staticmethod
    def _check_quota(region, project: str) -> None:
        """400 IMG.0015 unless ``project`` may own one more private image in ``region``, its jobs' counted."""
        used = region.store.private_count(project) + region.jobs.pending_images(project)
        region.store.quotas.check(project, used)

    @staticmethod
    def _backup(destination, project: str, plan: dict, source: dict) -> dict:
        """The CBR backup a full-ECS image's copy is made into, in ``vault_id`` of the destination."""
        vault_id = plan["vault_id"]
        if not vault_id:
            raise refuse("IMG.0189", "vault_id is required to replicate full-ECS image %s across regions."
                         % source["id"])
        if destination.resources.vault(project, vault_id) is None:
            raise refuse("IMG.0189", "The vault %s does not exist in region %s." % (vault_id, destination.name))
        return {"id": str(uuid.uuid4()), "name": "ims-copy-" + plan["name"], "project_id": project,
                "vault_id": vault_id, "resource_id": "", "status": "available", "kind": "CBR",
                "size": source.get("min_disk") or 40, "image_id": None}

    # -- building ----------------------------------------------------------------------
    def _copy(self, source: dict, plan: dict, owner: str, enterprise_project_id: str) -> dict:
        """The image the job will store: ``name``, ``owner``, ``__originalimagename`` the source's id."""
        kept = {key: source[key] for key in KEPT if key in source}
        kept.update((key, value) for key, value in source.items() if key.startswith("__support_"))
        kept.update(__originalimagename=source["id"], enterprise_project_id=enterprise_project_id)
        if plan.get("description") is not None:
            kept["__description"] = plan["description"]
        return new_image(image_id=str(uuid.uuid4()), owner=owner, name=plan["name"],
                         created_at=format_time(self.region.store.clock.now()), status="saving",
                         container_format=source.get("container_format", "bare"),
                         disk_format=source.get("disk_format", "zvhd2"), min_disk=source.get("min_disk", 0),
                         min_ram=source.get("min_ram", 0), os_version=source.get("__os_version"), properties=kept)

    @staticmethod
    def _size(source: dict) -> int:
        return source.get("size") or int(source.get("__image_size") or 0)
