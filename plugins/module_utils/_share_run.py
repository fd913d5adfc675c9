# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of ``ims_image_share`` (the producer's batch share), and the member's batch answer of ``ims_image_member``.

Private to this collection: the API may change without notice. The requests of a share, in order:

1. each image of ``images``: ``GET /v2/images/{id}`` (an id) or the project's own images of that
   name (``GET /v2/images?owner=&name=``); what IMS would refuse of it (another project's, public,
   encrypted, full-server) fails the task here, before any write (with ``state: present``);
2. each image's members, natively and paged: ``GET /v1/{project_id}/cloudimages/{id}/members``;
3. the batches: one ``POST /v1/cloudimages/members`` per set of members to add (the images that
   need the same ones share it), one ``DELETE`` there (same body) per set to remove;
4. with ``wait``, each batch's job until it ends (:func:`_jobs.wait_for_job`), then the members of
   the changed images again.

A batch of unknown outcome (a 5xx, a connection lost after sending) is never sent again: the
members of its images are read again for up to the listing grace (min(60 s, ``wait_timeout``));
when they show the change, it was taken (its job is not known); when they do not, the task fails
saying that the change may be under way and to run it again in a few minutes.
"""

from __future__ import annotations

from ._base import TaskRun
from ._errors import ImsApiError, ImsError, ImsJobFailed, ImsJobTimeout
from ._jobs import wait_for_job
from ._native_create import LISTING_GRACE
from ._retry import poll_until, write_until_known
from ._sharing import member_view as membership_view
from ._share import (
    MEMBERS_PATH,
    SHARE_HINTS,
    WAIT_TIMEOUT,
    batch_body,
    group,
    image_refusal,
    is_id,
    member_view,
    members_diff,
    pick_own,
    plan,
    predicted,
    share_problems,
    shows,
    wanted_members,
)


def job_summary(job):
    """A batch's job as the result gives it: ``id``, ``type``, ``status``, ``progress``."""
    return {"id": job.get("id"), "type": job.get("type"), "status": job.get("status"), "progress": job.get("progress")}


def send_once(client, method, body, seen, grace, what):
    """Send one batch (``method`` on the members path with ``body``), never twice.

    After an unknown outcome, ``seen()`` (whether a read shows the change) is polled for up to
    ``grace`` seconds: True, the batch was taken and None (no job known) is returned; never, the
    task fails without sending it again. Other refusals are raised with IMS's hint.
    """
    def read_back(payload, error):
        if poll_until(seen, bool, grace):
            return True, None
        raise ImsError("the %s (%s %s, images %s) has an unknown outcome (%s), and the members read for %d s since do "
                       "not show it, so it may be under way. It starts an IMS job and takes no idempotency key, so it "
                       "is not sent again: run the task again in a few minutes (it reads the members and sends only "
                       "what is still missing)" % (what, method, MEMBERS_PATH, ", ".join(body["images"]), error,
                                                   grace))
    try:
        return write_until_known(client.transport.pause, 0, lambda payload: client.batch_members(method, payload),
                                 read_back, body)
    except ImsApiError as exc:
        raise exc.with_hint(SHARE_HINTS[exc.code]) if exc.code in SHARE_HINTS else exc


def wait_jobs(owner, job_ids, timeout):
    """Wait for each job of ``job_ids``; the views. A failed one raises (the task fails with its code and reason)."""
    views = []
    for job_id in job_ids:
        try:
            views.append(wait_for_job(owner.client, job_id, timeout))
        except ImsJobFailed as exc:
            if "jobs" in owner.result:
                owner.result["jobs"] = [job_summary(view) for view in views] + [job_summary(exc.job)]
            raise
        except ImsJobTimeout as exc:
            if "jobs" in owner.result:
                owner.result["jobs"] = [job_summary(view) for view in views] + [job_summary(exc.job)]
            owner.fail("IMS job %s is still %s after wait_timeout (%d s): the change may still be made; run the task "
                       "again later (it reads the members and sends only what is still missing)"
                       % (job_id, exc.job.get("status") or "not read", timeout), job=exc.job)
    return views


class ShareRun(TaskRun):
    """The share of one ``ims_image_share`` task; ``module`` is the :class:`_base.ImsModule` running it."""

    def problems(self):
        problems = share_problems(self.params, self.params.get("project_id"))
        self.timeout = self.params["wait_timeout"] or WAIT_TIMEOUT
        self.grace = min(LISTING_GRACE, self.timeout)
        return problems

    def record(self, action, method, body):
        self.result["operations"].append({"action": action, "method": method, "path": MEMBERS_PATH, "body": body})
        self.result["changed"] = True

    def run(self):
        params = self.params
        self.result.update(images=[], jobs=[], operations=[])
        project_id = self.client.project_id
        problems = share_problems(params, project_id)
        if problems:
            raise ImsError("; ".join(problems))
        images = self.resolve()
        if params["state"] == "present":
            for image in images:
                reason = image_refusal(image, project_id)
                if reason:
                    raise ImsError(reason)
        current = {image["id"]: self.client.native_members(image["id"]) for image in images}
        wanted = wanted_members(params)
        plans = {image["id"]: plan(current[image["id"]], wanted, params["state"], params["purge_members"])
                 for image in images}
        adds = group([(image_id, add) for image_id, (add, _remove) in plans.items()])
        removes = group([(image_id, remove) for image_id, (_add, remove) in plans.items()])
        job_ids = []
        for action, method, batches, index in (("share", "POST", adds, 0), ("unshare", "DELETE", removes, 1)):
            for image_ids, keys in batches:
                body = batch_body(image_ids, keys)
                self.record(action, method, body)  # before the send: a failed or unknown one may have changed things
                if not self.module.check_mode:
                    job_id = send_once(self.client, method, body, self.seen(image_ids, plans, index), self.grace,
                                       action)
                    if job_id is not None:
                        job_ids.append(job_id)
                        self.result["jobs"].append({"id": job_id, "type": None, "status": None, "progress": None})
        after = dict(current)
        changed_ids = [image_id for image_id, (add, remove) in plans.items() if add or remove]
        if self.module.check_mode or not params["wait"]:
            for image_id in changed_ids:
                after[image_id] = predicted(current[image_id], *plans[image_id])
        else:
            self.result["jobs"] = [job_summary(view) for view in wait_jobs(self.owner, job_ids, self.timeout)]
            for image_id in changed_ids:
                after[image_id] = self.client.native_members(image_id)
        self.result["images"] = [{"id": image["id"], "name": image.get("name"),
                                  "members": [member_view(member) for member in after[image["id"]]]}
                                 for image in images]
        if self.module._diff:
            self.result["diff"] = {"before": {image["id"]: members_diff(current[image["id"]]) for image in images},
                                   "after": {image["id"]: members_diff(after[image["id"]]) for image in images}}

    def seen(self, image_ids, plans, index):
        """Whether the members of ``image_ids`` read now show their part (``index`` 0: added, 1: removed) of the plan."""
        def read():
            for image_id in image_ids:
                add, remove = plans[image_id]
                members = self.client.native_members(image_id)
                if not shows(members, add if index == 0 else [], remove if index == 1 else []):
                    return False
            return True
        return read

    def resolve(self):
        """The images of ``images``, each once, in the order given."""
        found = {}
        for wanted in self.params["images"]:
            if is_id(wanted):
                image = self.client.get_image(wanted)
                if image is None:
                    raise ImsError("images: no image with id %s exists in this project; check images, region and "
                                   "project_id" % wanted)
            else:
                try:
                    image = pick_own(self.client.own_images(name=wanted), wanted)
                except ValueError as exc:
                    raise ImsError(str(exc))
            found.setdefault(image["id"], image)
        return list(found.values())


class MemberBatchRun(TaskRun):
    """The member's answer to many shares at once (``ims_image_member`` with ``images``): one ``PUT`` for those that differ.

    ``module`` is the :class:`ImsImageMember` running it (its ``find``, ``client``, ``result``).
    The requests: each image as the project sees it and its membership (``GET
    /v2/images/{id}/members/{project_id}``), then one ``PUT /v1/cloudimages/members`` with the
    images whose status differs, ``project_id`` (this project), ``status`` and ``vault_id``, its
    job until it ends, and the memberships of those images again.
    """

    def run(self, project_id):
        params = self.params
        wanted = params["status"]
        self.result.update(memberships=[], images=[], job=None, operations=[])
        images, before = [], {}
        for entry in params["images"]:
            image = self.owner.find(entry, option="images")
            if image["id"] in before:
                continue
            if image.get("owner") == project_id:
                raise ImsError("images: image %s (%r) is owned by this project (%s); only a member project sets its "
                               "membership status" % (image["id"], image.get("name"), project_id))
            current = self.owner.client.get_member(image["id"], project_id)
            if current is None:
                raise ImsError("images: image %s (%r) is not shared with this project (%s): it is not one of its "
                               "members" % (image["id"], image.get("name"), project_id))
            images.append(image)
            before[image["id"]] = membership_view(current, image["id"], project_id)
        self.result["images"] = images
        self.result["memberships"] = [before[image["id"]] for image in images]
        differ = [image["id"] for image in images if before[image["id"]]["status"] != wanted]
        after = dict(before)
        if differ:
            body = {"images": differ, "project_id": project_id, "status": wanted}
            if params.get("vault_id") is not None:
                body["vault_id"] = params["vault_id"]
            self.result["operations"].append({"action": "member_status", "method": "PUT", "path": MEMBERS_PATH,
                                              "body": body})
            self.result["changed"] = True
            if self.module.check_mode:
                after.update((image_id, dict(before[image_id], status=wanted)) for image_id in differ)
            else:
                after.update(self.send(body, differ, project_id))
        self.result["memberships"] = [after[image["id"]] for image in images]
        if self.module._diff:
            self.result["diff"] = {"before": {image_id: view["status"] for image_id, view in before.items()},
                                   "after": {image_id: view["status"] for image_id, view in after.items()}}

    def send(self, body, differ, project_id):
        """The one ``PUT`` (never sent twice), its job waited for; the memberships of ``differ`` read again."""
        client = self.owner.client
        timeout = self.params["wait_timeout"] or WAIT_TIMEOUT
        grace = min(LISTING_GRACE, timeout)

        def seen():
            for image_id in differ:
                current = client.get_member(image_id, project_id)
                if current is None or current.get("status") != body["status"]:
                    return False
            return True
        job_id = send_once(client, "PUT", body, seen, grace, "status change")
        if job_id is not None:
            self.result["job"] = {"id": job_id}
            self.result["job"] = wait_jobs(self.owner, [job_id], timeout)[0]
        return {image_id: membership_view(client.get_member(image_id, project_id), image_id, project_id)
                for image_id in differ}
