"""IMS's export of an image to OBS (README "Exports"): ``POST /v1/cloudimages/{image_id}/file``
(and ``/v2.1``), its body as the official SDK's ExportImageRequestBody defines it, IMS's rules
with their codes, and a job (``imsNativeExportImageJob``, ims-native-api.md 1.1) in the image's
region whose success puts the object in the region's fake OBS (``resources.py``).

A bucket exists, for the emulator, when the region's resources hold an object in it (seed one,
such as ``bucket: b, key: .keep``); its region is that object's ``region``. The codes of the
rules (ims-native-api.md 4 and 10): IMG.0069 the bucket missing, IMG.0058 in another region,
IMG.0070 the object exists, IMG.0148 an export of the image runs, IMG.0128 a full-server image,
IMG.0071 an ISO image, IMG.0077 a market image, IMG.0079 a charged image, IMG.0080 an image of a
backup, IMG.0160 a non-quick export above 128 GB, IMG.0072 a bad format (zvhd2 only quickly).
"""

from __future__ import annotations

from ..core.request import JOB_STARTED
from ..core.routing import UrlPath
from ..core.responses import Response
from .exceptions import bad_request, image_not_found
from .models import OWNER
from .native_bodies import json_object, refuse

GIB = 1024 ** 3
FORMATS = ("qcow2", "vhd", "zvhd", "vmdk")
QUICK_FORMAT = "zvhd2"
QUICK_ONLY_ABOVE = 128 * GIB
MAX_EXPORT = 1024 * GIB
JOB_TYPE = "imsNativeExportImageJob"
FIELDS = ("bucket_url", "file_format", "is_quick_export")


def export_body(body: dict) -> dict:
    """The plan of an export body: ``bucket``, ``key``, ``format``, ``quick``; 400 for what the model refuses."""
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise bad_request("unknown fields: %s" % ", ".join(unknown))
    url = body.get("bucket_url")
    if not isinstance(url, str) or ":" not in url:
        raise bad_request("bucket_url is required, as bucket:object")
    bucket, key = url.split(":", 1)
    if not bucket or not key:
        raise bad_request("bucket_url must name a bucket and an object (bucket:object)")
    if " " in key:
        raise refuse("IMG.0175", "The object name %r contains spaces." % key)
    quick = body.get("is_quick_export", False)
    if not isinstance(quick, bool):
        raise bad_request("is_quick_export must be a boolean")
    file_format = body.get("file_format")
    if quick:
        if file_format is not None:
            raise refuse("IMG.0072", "file_format must not be given with is_quick_export (a quick export is zvhd2).")
        file_format = QUICK_FORMAT
    elif file_format not in FORMATS:
        raise refuse("IMG.0072", "file_format must be one of %s (zvhd2 only with is_quick_export); got %r."
                     % (", ".join(FORMATS), file_format))
    return {"bucket": bucket, "key": key, "format": file_format, "quick": quick}


class ExportResponses:
    """The export action of one region."""

    def __init__(self, store, clock, resources, jobs, region_name):
        self.store = store
        self.clock = clock
        self.resources = resources
        self.jobs = jobs
        self.region_name = region_name
        self.exporting: dict = {}  # job id -> image id, for IMG.0148

    def export_image(self, ctx):
        """``POST /v1/cloudimages/{image_id}/file`` (and ``/v2.1``)."""
        image_id = ctx.params["image_id"]
        image, relation = self.store.visible(image_id, ctx.project)
        if image is None:
            raise image_not_found(image_id)
        plan = export_body(json_object(ctx))
        self._exportable(image, relation == OWNER, plan)
        self._bucket(plan)
        with self.jobs.lock:
            if any(self.exporting.get(job.id) == image_id and not job.finished for job in self.jobs.jobs.values()):
                raise refuse("IMG.0148", "Image %s is already being exported." % image_id)
            size = int(image.get("size") or image.get("__image_size") or 0)

            def store_object(_job):
                self.resources.add("obs_objects", [{
                    "bucket": plan["bucket"], "key": plan["key"], "size": size, "format": plan["format"],
                    "region": self.region_name, "storage_class": "STANDARD", "image_id": image_id}])

            job = self.jobs.start(ctx.project, JOB_TYPE, None, size, failure=ctx.run_hooks(JOB_STARTED),
                                  on_success=store_object)
            self.exporting[job.id] = image_id
        return Response.json(200, {"job_id": job.id})

    @staticmethod
    def _exportable(image: dict, own: bool, plan: dict) -> None:
        what = "Image %s" % image["id"]
        if not own:
            raise refuse("IMG.0047", "%s is not this project's own image; only the owner exports it." % what)
        if image.get("status") != "active":
            raise refuse("IMG.0046", "%s is not available (%s)." % (what, image.get("status")))
        if image.get("__whole_image") == "true":
            raise refuse("IMG.0128", "%s is a full-ECS image, which cannot be exported." % what)
        if image.get("virtual_env_type") == "IsoImage" or image.get("disk_format") == "iso":
            raise refuse("IMG.0071", "%s is an ISO image, which cannot be exported." % what)
        if image.get("__imagetype") == "market" or image.get("__productcode"):
            raise refuse("IMG.0077", "%s is a market image, which cannot be exported." % what)
        if image.get("__account_code"):
            raise refuse("IMG.0079", "%s is made from a charged image and cannot be exported." % what)
        if image.get("__backup_id"):
            raise refuse("IMG.0080", "%s is made from a backup and cannot be exported." % what)
        size = int(image.get("size") or image.get("__image_size") or 0)
        if size > MAX_EXPORT:
            raise refuse("IMG.0160", "%s is larger than 1 TB and cannot be exported." % what)
        if size > QUICK_ONLY_ABOVE and not plan["quick"]:
            raise refuse("IMG.0160", "%s is larger than 128 GB: only a quick export (is_quick_export) is supported."
                         % what)

    def _bucket(self, plan: dict) -> None:
        with self.resources.lock:
            objects = [record for (bucket, _key), record in self.resources.obs_objects.items()
                       if bucket == plan["bucket"]]
            if not objects:
                raise refuse("IMG.0069", "Bucket %s does not exist or cannot be accessed." % plan["bucket"])
            region = objects[0]["region"]
            if region != self.region_name:
                raise refuse("IMG.0058", "Bucket %s is in region %s, not %s."
                             % (plan["bucket"], region, self.region_name))
            if self.resources.obs_object(plan["bucket"], plan["key"]) is not None:
                raise refuse("IMG.0070", "The object %s:%s already exists." % (plan["bucket"], plan["key"]))


URL_PATHS = [
    UrlPath("POST", prefix + r"/cloudimages/(?P<image_id>[^/]+)/file", "POST %s/cloudimages/{image_id}/file" % prefix,
            ExportResponses.export_image)
    for prefix in ("/v1", "/v2.1")
]
