# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of ``ims_image_copy``: the source read, the copy looked up in the destination, sent once, waited for, finished.

Private to this collection: the API may change without notice. The requests, in order:

1. the source, in the source region: ``GET /v2/images/{id}`` (``image`` an id) or the project's own
   images of that name; what IMS would refuse of it fails the task here (:func:`_copy.source_refusal`);
2. the destination's own images named ``name``, any status (through the destination's client: for
   a copy to another region, one built for ``target_region`` and its project, learned from IAM by
   name unless given);
3. none there: the copy, once (:func:`_native_create.create_once`, with no source a job holds, so
   that a copy of unknown outcome is never sent again), to the source region, and its job, read in
   the source region until it ends; one there: it, waited on while it is being made;
4. the copy as the destination shows it (``GET /v2/images/{id}``), and once it is active, the
   ``PATCH`` that gives it ``min_ram``, ``max_ram``, ``tags`` and ``description``.
"""

from __future__ import annotations

from ._base import TaskRun
from ._client import ImsClient, ImsError
from ._connection import connection_problems
from ._copy import (
    AFTER_COPY,
    COPY_HINTS,
    copy_patch,
    copy_problems,
    copy_request,
    copy_view,
    crosses,
    destination_options,
    is_image_id,
    origin_warning,
    patched,
    pick_copy,
    pick_source,
    project_name,
    predicted_copy,
    source_refusal,
    source_view,
    target_region,
)
from ._errors import ImsJobFailed, ImsJobTimeout, ImsProjectUnknown
from ._jobs import PENDING, read_until_named, wait_for_job
from ._native_create import LISTING_GRACE, create_once
from ._tags import normalize_tags

# wait_timeout when the task does not set it: IMS's copy jobs take long (Terraform allows 60 minutes).
WAIT_TIMEOUT = 3600
BEING_MADE = ("queued", "saving")


class CopyRun(TaskRun):
    """The copy of one ``ims_image_copy`` task; ``module`` is the :class:`_base.ImsModule` running it.

    ``client`` is the source region's (the module's); ``dest``, the destination's.
    """

    def __init__(self, module):
        super().__init__(module)
        self.dest = None
        self.before = None

    # -- before any request ------------------------------------------------------------

    def problems(self):
        params = self.params
        problems = copy_problems(params)
        if not problems and crosses(params):
            problems += ["for target_region %s: %s" % (params["target_region"], problem)
                         for problem in connection_problems(destination_options(params))]
        if not problems:
            params["tags"] = normalize_tags(params["tags"])
        self.timeout = params["wait_timeout"] or WAIT_TIMEOUT
        self.grace = min(LISTING_GRACE, self.timeout)  # how long a copy of unknown outcome is watched for
        return problems

    # -- helpers -----------------------------------------------------------------------

    def record(self, action, **details):
        details["action"] = action
        self.result["operations"].append(details)
        self.result["changed"] = True

    def copied(self):
        return any(operation["action"] == "copy" for operation in self.result["operations"])

    def pick(self, images):
        try:
            return pick_copy(images, self.params["name"])
        except ValueError as exc:
            raise ImsError("%s (in region %s)" % (exc, self.target or "of ims_endpoint"))

    # -- run ---------------------------------------------------------------------------

    def run(self):
        params = self.params
        self.target = target_region(params)
        self.result.update(image=None, job=None, source=None, target_region=self.target, operations=[])
        source = self.find_source()
        self.result["source"] = source_view(source, params.get("region"))
        reason = source_refusal(source, params)
        if reason:
            raise ImsError(reason)
        self.dest = self.client
        if crosses(params):
            self.dest = ImsClient.from_options(destination_options(params), given=self.owner._given)
        try:
            self.present(source)
        finally:
            if self.dest is not self.client:
                self.dest.close()

    def find_source(self):
        wanted = self.params["image"]
        if is_image_id(wanted):
            found = self.client.get_image(wanted)
            if found is None:
                raise ImsError("no image with id %s exists in the source region (image); check image, region and "
                               "project_id" % wanted)
            return found
        try:
            return pick_source(self.client.own_images(name=wanted), wanted)
        except ValueError as exc:
            raise ImsError(str(exc))

    def present(self, source):
        try:
            listed = self.dest.own_images(name=self.params["name"])
        except ImsProjectUnknown as exc:
            if self.dest is self.client:
                raise
            raise ImsError("the destination project in target_region %s is not known: set target_project_id, or "
                           "target_project_name to its name (IAM was asked for %r): %s"
                           % (self.target, project_name(self.params), exc))
        found = self.pick(listed)
        if found is not None and found["id"] == source["id"]:
            raise ImsError("name %r is the name of the source image %s itself in region %s: give the copy another "
                           "name" % (self.params["name"], source["id"], self.target or "of ims_endpoint"))
        self.before = copy_view(found, self.params, self.target)
        if found is not None:
            warning = origin_warning(found, source["id"])
            if warning:
                self.module.warn(warning)
            self.result["image"] = found
            image = self.settle(found)
        else:
            image = self.copy(source, listed)
        self.finish(self.after_copy(image))

    def copy(self, source, listed):
        """Have IMS copy ``source`` (one request, never two); the copy, after its job when waiting."""
        path, body = copy_request(self.params, source["id"])
        details = {"region": self.params.get("region"), "path": path, "body": body}
        if self.module.check_mode:
            self.record("copy", **details)
            return None
        created = create_once(self.client, path, body, self.params["name"], self.pick, None, self.grace, listed,
                              lister=self.dest, hints=COPY_HINTS, what="copy")
        if created["sent"]:
            self.record("copy", **details)
        if created["job_id"] is None:  # the copy of an unknown outcome, listed in the destination
            self.result["image"] = created["image"]
            return self.settle(created["image"])
        return self.follow(created["job_id"])

    def follow(self, job_id):
        """The job, read in the source region (waited for; with ``wait: false``, until it names the copy); the copy."""
        name = self.params["name"]
        try:
            job = wait_for_job(self.client, job_id, self.timeout) if self.params["wait"] else \
                read_until_named(self.client, job_id, self.grace)
        except ImsJobTimeout as exc:
            self.result["job"] = exc.job
            self.result["image"] = self.job_image(exc.job)
            self.owner.fail("%s (the copy is image %r in region %s)" % (exc, name, self.target or "of ims_endpoint"),
                            job=exc.job)
        except ImsJobFailed as exc:
            self.result["job"] = exc.job
            raise
        self.result["job"] = job
        image = self.job_image(job)
        self.result["image"] = image
        if image is None and not self.params["wait"] and job["status"] in PENDING:
            self.module.warn("IMS job %s has not named the copy yet (%s after %d s): wait for it with "
                             "hwcloud.ims.ims_job_info (job_id: %s, in the source region) before running the task "
                             "again" % (job_id, job["status"], self.grace, job_id))
        if image is None and self.params["wait"]:
            raise ImsError("IMS job %s ended %s but the copy (%s) cannot be read in region %s; look for image %r "
                           "with ims_image_info" % (job_id, job["status"], job["image_id"] or "not named",
                                                    self.target or "of ims_endpoint", name))
        return self.settle(image)

    def job_image(self, job):
        """The copy ``job`` names, read in the destination; None when it names none or it does not exist."""
        return self.dest.get_image(job["image_id"]) if job and job.get("image_id") else None

    def settle(self, image):
        """``image``, waited on until active while it is being made (``wait``; not in check mode)."""
        if image is None or image.get("status") not in BEING_MADE or self.module.check_mode \
                or not self.params["wait"]:
            return image
        image = self.dest.wait_for_image(image["id"], self.timeout)
        self.result["image"] = image
        return image

    def after_copy(self, image):
        """The copy given what IMS's copy request does not take, once active (in check mode, predicted)."""
        if image is None:
            return None
        patch = copy_patch(image, self.params)
        ready = image.get("status") == "active" or (
            self.module.check_mode and self.params["wait"] and image.get("status") in BEING_MADE)
        if not patch:
            return image
        if not ready:
            later = [option for option in AFTER_COPY if self.params[option] is not None]
            self.module.warn("%s not applied yet: the copy %s (%r) is %s; run the task again once it is active"
                             % (", ".join(later), image["id"], image.get("name"), image.get("status")))
            return image
        details = {"id": image["id"], "region": self.target, "patch": patch}
        if self.module.check_mode:
            self.record("update", **details)
            return patched(image, patch)
        updated = self.dest.update_image_until(image["id"], patch, lambda current: copy_patch(current, self.params))
        self.record("update", **details)
        self.result["image"] = updated
        return updated

    def finish(self, image):
        predicted = self.module.check_mode and self.copied()
        self.result["image"] = None if predicted else image
        if self.module._diff:
            after = predicted_copy(self.params, self.target) if predicted or image is None else \
                copy_view(image, self.params, self.target)
            self.result["diff"] = {"before": self.before, "after": after}
