# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Exporting an image to OBS: the options, the request, what IMS refuses, and the one guarded resend.

Private to this collection: the API may change without notice. The wire facts (the official
SDK's ExportImageRequestBody; docs/dev/ims-native-api.md, "Export to OBS"):
``POST /v1/cloudimages/{image_id}/file`` with ``bucket_url`` (``bucket:object``) and
``file_format`` (``qcow2``, ``vhd``, ``zvhd`` or ``vmdk``), or ``is_quick_export: true`` and no
format (a ZVHD2 file); IMS answers ``{job_id}``, and the job makes the OBS object.

The export takes no idempotency key, but IMS itself refuses a second export while one of the
image runs (IMG.0148) and an export to an object that exists (IMG.0070). So:

- a refused POST wrote nothing; IMG.0070 and IMG.0148 on a plain run mean "nothing to do"
  (unchanged, with a warning);
- after an unknown outcome (a 5xx, a connection lost after sending) the POST is sent again
  once, and only once: if the first was taken, IMS refuses this one with IMG.0148 (still
  exporting) or IMG.0070 (done), which then means "the first export was taken" (changed, no
  job id known); if it was not, this one is the export. A second unknown outcome fails the
  task without a third POST; a run of the task later is guarded the same way.

Runs of ``ims_image_export``: :class:`ExportRun`.
"""

from __future__ import annotations

import re

from urllib.parse import quote

from ._base import TaskRun
from ._copy import is_image_id, pick_source
from ._errors import ImsApiError, ImsConnectionError, ImsError, ImsJobFailed, ImsJobTimeout, may_have_taken_effect
from ._jobs import wait_for_job

EXPORT_PATH = "/v1/cloudimages/%s/file"
FORMATS = ("qcow2", "vhd", "zvhd", "vmdk")
QUICK_FORMAT = "zvhd2"
WAIT_TIMEOUT = 3600
QUICK_ONLY_ABOVE = 128 * 1024 ** 3  # bytes: IMS exports a larger image only quickly (IMG.0160)
OBJECT_EXISTS = "IMG.0070"
EXPORTING = "IMG.0148"
# OBS bucket names: 3 to 63 lowercase letters, digits, hyphens and periods, a letter or digit at each end.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")

# What IMS's refusal of an export asks the task to change (its error codes).
EXPORT_HINTS = {
    "IMG.0069": "check bucket_url: the bucket must exist and IMS must be able to write to it (OBS Tenant "
                "Administrator rights)",
    "IMG.0068": "check bucket_url: the bucket must exist and IMS must be able to write to it",
    "IMG.0109": "check bucket_url: a Standard storage bucket that IMS may write to",
    "IMG.0058": "the bucket of bucket_url must be in the image's region",
    "IMG.0128": "a full-server image cannot be exported: check image",
    "IMG.0160": "an image above 128 GB is exported only with quick: true",
    "IMG.0072": "check file_format (qcow2, vhd, zvhd or vmdk), or set quick: true",
    "IMG.0079": "an image made from a charged image cannot be exported: check image",
    "IMG.0080": "an image made from a CSBS or CBR backup cannot be exported: check image",
    "IMG.0175": "the object of bucket_url must not contain spaces",
}


def bucket_url_problem(value):
    """Why ``bucket_url`` is not ``bucket:object`` as OBS and IMS take it (None when it is)."""
    if not isinstance(value, str) or ":" not in value:
        return "bucket_url must be bucket:object (an OBS bucket, a colon, the object's name); got %r" % (value,)
    bucket, name = value.split(":", 1)
    if not _BUCKET.match(bucket) or ".." in bucket or ".-" in bucket or "-." in bucket or _IP.match(bucket):
        return ("the bucket of bucket_url must be an OBS bucket name (3 to 63 lowercase letters, digits, hyphens and "
                "periods, starting and ending with a letter or a digit, not an IP address); got %r" % bucket)
    if not name or name.strip() != name or re.search(r"\s", name):
        return "the object of bucket_url must be a non-empty name without spaces; got %r" % name
    if name.startswith("/"):
        return "the object of bucket_url must not start with /; got %r" % name
    return None


def export_problems(params):
    """Every problem of the options, before any request, each naming the option."""
    problems = []
    if not (params.get("image") or "").strip():
        problems.append("image must be the id or the name of the image to export; got %r" % params.get("image"))
    problem = bucket_url_problem(params.get("bucket_url"))
    if problem:
        problems.append(problem)
    if params.get("quick") and params.get("file_format"):
        problems.append("file_format must not be set with quick: true (a quick export is always %s)" % QUICK_FORMAT)
    if not params.get("quick") and not params.get("file_format"):
        problems.append("file_format is required (one of %s) unless quick is true" % ", ".join(FORMATS))
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 1:
        problems.append("wait_timeout must be 1 or more seconds; got %d" % params["wait_timeout"])
    return problems


def export_request(params, image_id):
    """The path and the body of the export IMS is asked for."""
    body = {"bucket_url": params["bucket_url"]}
    if params.get("quick"):
        body["is_quick_export"] = True
    else:
        body["file_format"] = params["file_format"]
    return EXPORT_PATH % quote(image_id, safe=""), body


def object_view(params):
    bucket, name = params["bucket_url"].split(":", 1)
    return {"bucket": bucket, "object": name, "format": QUICK_FORMAT if params.get("quick") else params["file_format"]}


def image_bytes(image):
    """The image's size in bytes as its fields tell (``size``, ``__image_size``); None when none does."""
    sizes = []
    for field in ("size", "__image_size"):
        try:
            sizes.append(int(image.get(field)))
        except (TypeError, ValueError):
            pass
    return max(sizes) if sizes else None


def source_refusal(image, params):
    """Why IMS would refuse to export ``image`` as the task asks (None when it exports it), from its own fields."""
    what = "image %s (%r)" % (image.get("id"), image.get("name"))
    if image.get("status") != "active":
        return "%s is %s: only an active image is exported; run the task again once it is active" % (
            what, image.get("status"))
    if str(image.get("__whole_image")).lower() == "true":
        return "%s is a full-server image, which IMS does not export (IMG.0128); check image" % what
    if image.get("virtual_env_type") == "IsoImage" or image.get("disk_format") == "iso":
        return "%s is an ISO image, which IMS does not export; check image" % what
    if image.get("__imagetype") == "market" or image.get("__productcode"):
        return "%s is a market image, which IMS does not export; check image" % what
    if image.get("__account_code"):
        return "%s is a charged image (__account_code), which IMS does not export (IMG.0079); check image" % what
    size = image_bytes(image)
    if not params.get("quick") and size is not None and size > QUICK_ONLY_ABOVE:
        return ("%s is %s bytes, above 128 GB, which IMS exports only quickly (IMG.0160): set quick: true (and no "
                "file_format)" % (what, size))
    return None


def source_view(image, region):
    return {"id": image.get("id"), "name": image.get("name"), "region": region, "size": image_bytes(image),
            "disk_format": image.get("disk_format")}


class ExportRun(TaskRun):
    """The export of one ``ims_image_export`` task; ``module`` is the :class:`_base.ImsModule` running it."""

    def problems(self):
        return export_problems(self.params)

    def run(self):
        params = self.params
        self.result.update(job=None, image=None, object=object_view(params), message=None)
        image = self.find_source()
        self.result["image"] = source_view(image, params.get("region"))
        reason = source_refusal(image, params)
        if reason:
            raise ImsError(reason)
        path, body = export_request(params, image["id"])
        target = self.result["object"]
        if self.module._diff:
            self.result["diff"] = {"before": {"state": "absent", "bucket_url": params["bucket_url"]},
                                   "after": dict(target, state="present", bucket_url=params["bucket_url"])}
        if self.module.check_mode:
            self.result["changed"] = True
            return
        job_id = self.send(path, body, image)
        if job_id is None:
            return
        self.result["changed"] = True
        self.result["job"] = {"id": job_id}
        if params["wait"]:
            self.wait(job_id)

    def find_source(self):
        wanted = self.params["image"]
        if is_image_id(wanted):
            found = self.client.get_image(wanted)
            if found is None:
                raise ImsError("no image with id %s exists (image); check image, region and project_id" % wanted)
            return found
        try:
            return pick_source(self.client.own_images(name=wanted), wanted)
        except ValueError as exc:
            raise ImsError(str(exc).replace("the image to copy", "the image to export").replace(
                " in the source region", ""))

    def say(self, message):
        self.result["message"] = message
        self.module.warn(message)

    def send(self, path, body, image):
        """The export's job id; None when IMS refused it as already done or under way (the result says which)."""
        where = self.params["bucket_url"]
        try:
            return self.client.post_native(path, body)
        except (ImsApiError, ImsConnectionError) as exc:
            if not may_have_taken_effect(exc):
                return self.refused(exc, image)
            first = exc
        # The first POST may have been taken: send it once more, IMS refusing it if so.
        self.client.transport.pause(1, getattr(first, "retry_after", None))
        try:
            return self.client.post_native(path, body)
        except (ImsApiError, ImsConnectionError) as exc:
            if may_have_taken_effect(exc):
                raise ImsError("the export of image %s to %s (POST %s) had an unknown outcome twice (%s; then %s); it "
                               "is not sent a third time. Run the task again later: IMS refuses the export with "
                               "IMG.0148 while one runs and IMG.0070 once the object exists, so a re-run does not "
                               "export twice" % (image["id"], where, path, first, exc))
            if exc.code in (EXPORTING, OBJECT_EXISTS):
                self.result["changed"] = True
                self.say("the first export request of image %s to %s had an unknown outcome (%s), and IMS refused "
                         "the one sent again with %s (%s): the first export was taken. Its job id is not known: run "
                         "the task again to follow it (IMS answers IMG.0148 while it runs, IMG.0070 once the object "
                         "exists), or look for the object in the bucket"
                         % (image["id"], where, first, exc.code,
                            "already exporting" if exc.code == EXPORTING else "the object exists"))
                return None
            return self.refused(exc, image)

    def refused(self, exc, image):
        """A refusal on a plain run: IMG.0070 and IMG.0148 leave the task unchanged; any other error fails it."""
        where = self.params["bucket_url"]
        if isinstance(exc, ImsApiError) and exc.code == OBJECT_EXISTS:
            if self.module._diff:
                self.result["diff"]["before"] = dict(self.result["diff"]["after"])
            self.say("IMS refused the export (IMG.0070): the object %s already exists, so nothing was exported. "
                     "It was not checked to be this image's export; delete or rename the object to export again"
                     % where)
            return None
        if isinstance(exc, ImsApiError) and exc.code == EXPORTING:
            self.say("IMS refused the export (IMG.0148): an export of image %s is already under way, so no other "
                     "was started; run the task again once it has ended" % image["id"])
            return None
        if isinstance(exc, ImsApiError) and exc.code in EXPORT_HINTS:
            raise exc.with_hint(EXPORT_HINTS[exc.code])
        raise exc

    def wait(self, job_id):
        try:
            self.result["job"] = wait_for_job(self.client, job_id, self.params["wait_timeout"] or WAIT_TIMEOUT)
        except ImsJobTimeout as exc:
            self.result["job"] = exc.job
            self.owner.fail("IMS job %s (the export of image %s to %s) is still %s after wait_timeout (%d s). Nothing "
                            "failed: follow it with hwcloud.ims.ims_job_info (job_id %s); a run of the task again "
                            "does not export twice (IMS refuses it with IMG.0148 while the job runs)"
                            % (job_id, self.result["image"]["id"], self.params["bucket_url"],
                               exc.job.get("status") or "not read yet", exc.timeout, job_id), job=exc.job)
        except ImsJobFailed as exc:
            self.result["job"] = exc.job
            raise
