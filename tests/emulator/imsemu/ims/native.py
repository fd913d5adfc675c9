"""IMS's native create actions and its job APIs (README "The native create API" and "Jobs"),
one method each: the body (``native_bodies.py``), the rules that need the fake resources
(``resources.py``) and the quota, then a job (``jobs.py``) that makes the image.

ims-native-api.md sections 1 and 2; the error codes of section 10. Faults reach these actions
only through the context's ``JOB_STARTED`` hooks (a ``job_fail`` fault); nothing here reads a
fault plan.
"""

from __future__ import annotations

import uuid

from ..core.clock import format_time
from ..core.request import JOB_STARTED
from ..core.responses import Response
from ..defaults import DEFAULT_REGION
from .exceptions import bad_request, not_found
from .images import new_image
from .native_bodies import (create_image_body, data_image_body, json_object, quick_import_body, refuse,
                            whole_image_body)

GIB = 1024 ** 3
MAX_FILE = 1024 * GIB  # 1 TB: the largest file IMS imports
MAX_NORMAL_IMPORT = 128 * GIB  # larger files need quick import (raw or zvhd2)
QUICK_FORMATS = ("raw", "zvhd2")
ENV_TYPES = {"ECS": "FusionCompute", "FusionCompute": "FusionCompute", "BMS": "Ironic", "Ironic": "Ironic",
             "IsoImage": "IsoImage", "DataImage": "DataImage"}


class NativeResponses:
    """The create actions and the job APIs."""

    def __init__(self, store, clock, resources, jobs):
        self.store = store
        self.clock = clock
        self.resources = resources
        self.jobs = jobs
        self.region_name = DEFAULT_REGION  # the region these actions serve (regions.py); OBS buckets must be in it

    # -- the create actions ------------------------------------------------------------
    def create_image(self, ctx):
        """``POST /v2/cloudimages/action`` (and ``/v2.1``): a server, a volume, a file, or data volumes."""
        plan = create_image_body(json_object(ctx))
        if plan["case"] == "data_images":
            return self._data_images(ctx, plan)
        return getattr(self, "_from_" + plan["case"])(ctx, plan)

    def create_whole_image(self, ctx):
        """``POST /v1/cloudimages/wholeimages/action``: a full-ECS image from a server or a backup."""
        plan = whole_image_body(json_object(ctx))
        if plan["case"] == "backup":
            return self._whole_from_backup(ctx, plan)
        return self._whole_from_instance(ctx, plan)

    def create_data_image(self, ctx):
        """``POST /v1/cloudimages/dataimages/action`` (and ``/v2.1``): an OBS file -> a data image."""
        return self._from_data_file(ctx, data_image_body(json_object(ctx)))

    def import_image_quick(self, ctx):
        """``POST /v2/cloudimages/quickimport/action`` (and ``/v2.1``): ECS, BMS or DataImage."""
        plan = quick_import_body(json_object(ctx))
        return getattr(self, "_from_" + plan["case"])(ctx, plan)

    # -- the job APIs ------------------------------------------------------------------
    def show_job(self, ctx):
        """``GET /v1/{project_id}/jobs/{job_id}``."""
        job = self._job(ctx, ctx.params["project_id"] == ctx.project)
        return Response.json(200, self.jobs.show_job(job))

    def show_job_progress(self, ctx):
        """``GET /v1/cloudimages/job/{job_id}``."""
        return Response.json(200, self.jobs.show_job_progress(self._job(ctx, True)))

    def _job(self, ctx, own_project: bool):
        job = self.jobs.get(ctx.project, ctx.params["job_id"]) if own_project else None
        if job is None:
            raise not_found("Job %s could not be found." % ctx.params["job_id"])
        return job

    # -- the cases ---------------------------------------------------------------------
    def _from_instance(self, ctx, plan):
        server = self._server(ctx, plan["instance_id"])
        volume = self.resources.system_volume(server) or {"size": 40}
        image = self._image(ctx, plan, min_disk=volume["size"], os_version=server["os_version"],
                            origin="instance," + server["id"], env="Ironic" if server["type"] == "BMS" else
                            "FusionCompute", extra={"__originalimagename": server["image_id"],
                                                    "hw_firmware_type": server["hw_firmware_type"]})
        if server["cmk_id"]:
            image["__system__cmkid"] = server["cmk_id"]
        return self._start(ctx, "imsCreateImageByInstance", image, volume["size"] * GIB, {server["id"]})

    def _from_volume(self, ctx, plan):
        volume, server = self._attached_volume(ctx, plan["volume_id"])
        image = self._image(ctx, plan, min_disk=volume["size"], os_version=plan["os_version"],
                            origin="volume," + volume["id"], env=ENV_TYPES[plan["type"]],
                            extra={"__originalimagename": server["image_id"] if volume["kind"] == "system" else ""})
        return self._start(ctx, "imsVolumeCreateImageJob", image, volume["size"] * GIB, {volume["id"]})

    def _from_file(self, ctx, plan):
        obs = self._obs_file(plan)
        iso = plan["type"] == "IsoImage"
        if iso != (obs["format"] == "iso"):
            raise refuse("IMG.0057", "An ISO file makes an image of type IsoImage, and only an ISO file does.")
        if plan["cmk_id"] and obs["format"] == "qcow2":
            raise refuse("IMG.0057", "A QCOW2 file cannot be made into an encrypted image (cmk_id).")
        extra = {"__root_origin": "file", "__originalimagename": "", "__is_config_init": str(plan["is_config"]).lower(),
                 "hw_firmware_type": plan["hw_firmware_type"], "architecture": plan["architecture"]}
        if plan["cmk_id"]:
            extra["__system__cmkid"] = plan["cmk_id"]
        if plan["os_type"]:
            extra["__os_type"] = plan["os_type"]
        if plan.get("license_type"):
            extra["__license_type"] = plan["license_type"]
        disk_format = "iso" if iso else obs["format"] if plan["quick"] else "zvhd2"
        image = self._image(ctx, plan, min_disk=plan["min_disk"], os_version=plan["os_version"],
                            origin="file,%s:%s" % (obs["bucket"], obs["key"]), env=ENV_TYPES[plan["type"]],
                            extra=extra, disk_format=disk_format)
        return self._start(ctx, "imsImportImageJob", image, obs["size"])

    def _from_data_file(self, ctx, plan):
        obs = self._obs_file(plan)
        if obs["format"] == "iso":
            raise refuse("IMG.0057", "An ISO file cannot be made into a data image.")
        if plan["cmk_id"] and obs["format"] == "qcow2":
            raise refuse("IMG.0057", "A QCOW2 file cannot be made into an encrypted image (cmk_id).")
        extra = {"__root_origin": "file", "__originalimagename": "", "__os_type": plan["os_type"]}
        if plan["cmk_id"]:
            extra["__system__cmkid"] = plan["cmk_id"]
        image = self._image(ctx, plan, min_disk=plan["min_disk"], os_version=None,
                            origin="file,%s:%s" % (obs["bucket"], obs["key"]), env="DataImage", extra=extra,
                            disk_format=obs["format"] if plan["quick"] else "zvhd2")
        return self._start(ctx, "imsImportDataImageJob", image, obs["size"])

    def _data_images(self, ctx, plan):
        parts, servers = [], set()
        for entry in plan["images"]:
            volume, server = self._attached_volume(ctx, entry["volume_id"])
            if volume["kind"] != "data":
                raise refuse("IMG.0120", "Volume %s is not a data disk." % volume["id"])
            servers.add(server["id"])
            image = self._image(ctx, entry, min_disk=volume["size"], os_version=None,
                                origin="volume," + volume["id"], env="DataImage", extra={"__originalimagename": ""})
            image.pop("max_ram", None)  # RAM limits do not apply to data images
            image["min_ram"] = 0
            parts.append((image, volume["size"] * GIB, {volume["id"]}))
        if len(servers) > 1:
            raise refuse("IMG.0140", "The volumes of data_images belong to different servers.")
        self._check_quota(ctx, len(parts))
        job = self.jobs.start_parent(ctx.project, "imsVolumesToSysDataImagesJob", "imsVolumeCreateImageJob", parts,
                                     failure=ctx.run_hooks(JOB_STARTED))
        return Response.json(200, {"job_id": job.id})

    def _whole_from_instance(self, ctx, plan):
        server = self._server(ctx, plan["instance_id"])
        if self.resources.vault(ctx.project, plan["vault_id"]) is None:
            raise refuse("IMG.0181", "Vault %s could not be found." % plan["vault_id"])
        volume = self.resources.system_volume(server) or {"size": 40}
        backup = {"id": str(uuid.uuid4()), "name": "ims-" + plan["name"], "project_id": ctx.project,
                  "vault_id": plan["vault_id"], "resource_id": server["id"], "status": "available", "kind": "CBR",
                  "size": volume["size"], "image_id": None}
        image = self._whole_image(ctx, plan, backup, server)
        backup["image_id"] = image["id"]
        self._check_quota(ctx, 1)
        self.resources.set_backup(backup)
        return self._start(ctx, "imsCreateWholeImageByInstanceJob", image, backup["size"] * GIB, {server["id"]},
                           on_fail=lambda _job: self.resources.remove_backup(backup["id"]), quota_checked=True)

    def _whole_from_backup(self, ctx, plan):
        with self.resources.lock:
            backup = self.resources.backup(ctx.project, plan["backup_id"])
            if backup is None:
                raise refuse("IMG.0020", "Backup %s could not be found." % plan["backup_id"])
            if backup["kind"] != plan["whole_image_type"]:
                raise bad_request("backup %s is a %s backup, not %s"
                                  % (backup["id"], backup["kind"], plan["whole_image_type"]))
            if backup["image_id"]:
                raise refuse("IMG.0029", "Backup %s has already been used to create an image." % backup["id"])
            if backup["status"] != "available":
                raise refuse("IMG.0032", "Backup %s is not available (%s)." % (backup["id"], backup["status"]))
            server = self.resources.servers.get(backup["resource_id"]) or {}
            image = self._whole_image(ctx, plan, backup, server)
            self._check_quota(ctx, 1)
            self.resources.set_backup(dict(backup, image_id=image["id"]))

        def release(_job):
            current = self.resources.backups.get(backup["id"])
            if current is not None:
                self.resources.set_backup(dict(current, image_id=None))
        return self._start(ctx, "imsCreateWholeImageByBackupJob", image, backup["size"] * GIB, on_fail=release,
                           quota_checked=True)

    def _whole_image(self, ctx, plan, backup, server):
        image = self._image(ctx, plan, min_disk=backup["size"], os_version=server.get("os_version"),
                            origin="backup," + backup["id"], env="FusionCompute",
                            extra={"__backup_id": backup["id"], "__whole_image": "true",
                                   "__originalimagename": server.get("image_id", "")})
        return image

    # -- the rules ---------------------------------------------------------------------
    def _server(self, ctx, server_id):
        server = self.resources.server(ctx.project, server_id)
        if server is None:
            raise refuse("IMG.0005", "Server %s could not be found." % server_id)
        if server["task_in_progress"] or self.jobs.busy(server["id"]):
            raise refuse("IMG.0010", "Server %s has tasks in progress." % server_id)
        return server

    def _attached_volume(self, ctx, volume_id):
        volume = self.resources.volume(ctx.project, volume_id)
        if volume is None:
            raise refuse("IMG.0120", "Volume %s could not be found." % volume_id)
        server = self.resources.server(ctx.project, volume["server_id"]) if volume["server_id"] else None
        if server is None or volume["status"] != "in-use":
            raise refuse("IMG.0022", "Volume %s is not attached to a server (status %s)." % (volume_id, volume["status"]))
        if server["task_in_progress"]:
            raise refuse("IMG.0010", "Server %s, which volume %s is attached to, has tasks in progress."
                         % (server["id"], volume_id))
        if self.jobs.busy(volume["id"]):
            raise refuse("IMG.0139", "Volume %s is already being made into an image." % volume_id)
        return volume, server

    def _obs_file(self, plan):
        obs = self.resources.obs_object(plan["bucket"], plan["key"])
        if obs is None:
            raise refuse("IMG.0057", "The file %s:%s does not exist." % (plan["bucket"], plan["key"]))
        if obs["region"] != self.region_name:
            raise refuse("IMG.0058", "Bucket %s is in region %s, not %s." % (obs["bucket"], obs["region"], self.region_name))
        if obs["storage_class"] != "STANDARD":
            raise refuse("IMG.0057", "The file must be in OBS Standard storage, not %s." % obs["storage_class"])
        if obs["size"] > MAX_FILE:
            raise refuse("IMG.0059", "The file is larger than 1 TB.")
        if plan["quick"] and obs["format"] not in QUICK_FORMATS:
            raise refuse("IMG.0057", "Quick import takes raw or zvhd2 files, not %s." % obs["format"])
        if not plan["quick"] and obs["size"] > MAX_NORMAL_IMPORT:
            raise refuse("IMG.0059", "A file larger than 128 GB must be raw or zvhd2 and use quick import.")
        return obs

    def _check_quota(self, ctx, count: int) -> None:
        """400 IMG.0015 unless the project may own ``count`` more images, those its jobs will store counted."""
        used = self.store.private_count(ctx.project) + self.jobs.pending_images(ctx.project)
        self.store.quotas.check(ctx.project, used + count - 1)

    # -- building ----------------------------------------------------------------------
    def _image(self, ctx, plan, *, min_disk, os_version, origin, env, extra, disk_format="zvhd2") -> dict:
        """The image a job will store, with the fields IMS records for its source."""
        properties = {"__data_origin": origin, "virtual_env_type": env,
                      "enterprise_project_id": plan["enterprise_project_id"]}
        if plan.get("description") is not None:
            properties["__description"] = plan["description"]
        if plan.get("max_ram") is not None:
            properties["max_ram"] = str(plan["max_ram"])
        properties.update(extra)
        return new_image(image_id=str(uuid.uuid4()), owner=ctx.project, name=plan["name"],
                         created_at=format_time(self.clock.now()), status="saving", tags=plan["tags"],
                         disk_format=disk_format, min_disk=min_disk, min_ram=plan.get("min_ram") or 0,
                         os_version=os_version, properties=properties)

    def _start(self, ctx, job_type, image, size, sources=(), on_fail=None, quota_checked=False):
        if not quota_checked:
            self._check_quota(ctx, 1)
        job = self.jobs.start(ctx.project, job_type, image, size, failure=ctx.run_hooks(JOB_STARTED),
                              sources=sources, on_fail=on_fail)
        return Response.json(200, {"job_id": job.id})

    # -- Glance delete of an image made here (ImsResponses.delete_observers) -------------
    def before_delete(self, image: dict, _body: dict) -> None:
        if self.jobs.creating(image["id"]):
            raise refuse("IMG.0090", "Image %s is still being created and cannot be deleted." % image["id"])

    def after_delete(self, image: dict, body: dict) -> None:
        backup_id = image.get("__backup_id")
        if not backup_id or image.get("__whole_image") != "true":
            return
        if body.get("delete_backup"):
            self.resources.remove_backup(backup_id)
            return
        with self.resources.lock:
            backup = self.resources.backups.get(backup_id)
            if backup is not None and backup.get("image_id") == image["id"]:
                self.resources.set_backup(dict(backup, image_id=None))
