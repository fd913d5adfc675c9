#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_image_member
short_description: Accept or reject an image shared with your project in Huawei Cloud IMS
version_added: 0.2.0
description:
  - The member's half of sharing. An owner shares an image with another project (M(hwcloud.ims.ims_image), option
    O(hwcloud.ims.ims_image#module:members)); the share is V(pending) until the member project accepts it. This module,
    run with the member project's own credentials, sets that project's membership status on the image -
    V(accepted) to use it, V(rejected) to decline it, or V(pending) again.
  - The member is the project of the connection options - O(project_id), else the project IAM names for the
    credentials (learned once, before any other request; the task fails when it cannot be learned). Only the member
    can set its status; the owner cannot, and the module fails when the image is the caller's own.
  - Reads the membership first and writes only when the status differs. An unchanged run by id is two reads
    (the image and the membership) and no write; by name, three listings and the membership.
  - A write whose outcome is unknown (a time-out, a server error) is followed by a read of the membership, and is
    sent again only when the status still differs.
  - With O(images), many images at once through IMS's native batch API - the membership of each is read first, and
    one C(PUT /v1/cloudimages/members) (the images whose status differs, this project, O(status), O(vault_id)) starts an
    IMS job, which the module waits for (up to O(wait_timeout)), then reads those memberships again. An unchanged run is
    two reads per image and no write. After an unknown outcome of the C(PUT) it is never sent again - the memberships
    are read again for up to 60 s (at most O(wait_timeout)); when they show the status, it was taken; otherwise the task
    fails, saying that the change may be under way and to run the task again in a few minutes.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the membership (each, with O(images)), predicts RV(ignore:changed) and RV(membership) (RV(memberships)), and
        sends no write.
  diff_mode:
    support: full
    details:
      - Shows the membership status before and after (with O(images), each image's, by id).
  idempotent:
    support: full
options:
  image:
    description:
      - The image shared with this project, by id.
      - A value that is not in the form of an image id (a UUID) is taken as a name, looked up among the images
        shared with this project (pending, accepted and rejected - three listings). It must name exactly one of them;
        otherwise the module fails listing the ids and you give the id.
      - One of O(image) and O(images) is required; they are mutually exclusive.
    type: str
  images:
    description:
      - Several images shared with this project, each as O(image) takes it (an id, or a name that must name exactly one
        share), answered at once with IMS's native batch API (one request for all whose status differs).
      - Only with O(status) V(accepted) or V(rejected), the statuses IMS's batch takes.
    type: list
    elements: str
    version_added: 0.2.0
  status:
    description:
      - The membership status this project should have on the image (on each image of O(images)).
    type: str
    choices: [accepted, rejected, pending]
    required: true
  vault_id:
    description:
      - The CBR vault to accept into - needed to accept a full-server image made from a CBR backup. Sent with the
        status (in the Glance C(PUT) body with O(image), in the batch body with O(images)), and only with
        O(status=accepted).
    type: str
    version_added: 0.2.0
  wait_timeout:
    description:
      - With O(images), how long to wait for the batch's IMS job, in seconds. Not used with O(image), whose write is
        synchronous.
    type: int
    default: 600
    version_added: 0.2.0
notes:
  - A project that is not a member of the image (the image is not shared with it, or the owner removed the member)
    gets a failure naming O(image); nothing is written.
seealso:
  - module: hwcloud.ims.ims_image_member_info
  - module: hwcloud.ims.ims_image
  - module: hwcloud.ims.ims_image_share
    description: The owner's side - the members of many images at once.
"""

EXAMPLES = r"""
- name: Accept an image another project shared with this one
  hwcloud.ims.ims_image_member:
    image: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    status: accepted

- name: Decline one, found by its name among the images shared with this project
  hwcloud.ims.ims_image_member:
    image: vendor-appliance-2024-06
    status: rejected

- name: Accept every pending share (listed with ims_image_member_info)
  block:
    - name: The pending shares
      hwcloud.ims.ims_image_member_info:
        status: [pending]
      register: pending

    - name: Accept them
      hwcloud.ims.ims_image_member:
        image: "{{ item.id }}"
        status: accepted
      loop: "{{ pending.images }}"
      loop_control:
        label: "{{ item.name }}"

- name: Accept three shared images in one task (one batch request for those not accepted yet)
  hwcloud.ims.ims_image_member:
    images:
      - 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
      - 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d
      - vendor-appliance-2024-06
    status: accepted

- name: Accept a full-server image made from a CBR backup, into a vault
  hwcloud.ims.ims_image_member:
    image: 8e2d3c4b-5f6a-4b7c-9d8e-0f1a2b3c4d5e
    status: accepted
    vault_id: 3b2f6f0e-2f4b-4a6f-9a3c-6c1d2e3f4a5b

- name: With the member project's own credentials, when the owner's are the defaults
  hwcloud.ims.ims_image_member:
    project_id: "{{ member_project_id }}"
    access_key: "{{ member_access_key }}"
    secret_key: "{{ member_secret_key }}"
    image: "{{ shared_image_id }}"
    status: accepted
"""

RETURN = r"""
membership:
  description:
    - The membership of this project in the image after the run (in check mode, as it would be).
    - In a failed result, the membership as it was last read; V(null) when the project is not a member, and with
      O(images).
  returned: always
  type: dict
  contains:
    image_id:
      description: The image id.
      type: str
      sample: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    member_id:
      description: The member project id, the caller's project.
      type: str
      sample: 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b
    status:
      description: V(pending), V(accepted) or V(rejected).
      type: str
      sample: accepted
    created_at:
      description: When the image was shared with the project (UTC). V(null) when not known.
      type: str
      sample: "2024-06-01T10:00:00Z"
    updated_at:
      description: When the status last changed (UTC); in check mode the time before the change.
      type: str
      sample: "2024-06-02T08:30:00Z"
image:
  description:
    - The image as this project sees it (a shared image has C(visibility) V(shared), and on IMS C(__imagetype)
      V(shared)), with every field as IMS returns it.
    - V(null) when no such image is visible to the project, and with O(images).
  returned: always
  type: dict
  sample:
    id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    name: vendor-appliance-2024-06
    status: active
    owner: 0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c
    visibility: shared
    __imagetype: shared
memberships:
  description:
    - With O(images), this project's membership in each image after the run (in check mode, as it would be), in the
      order given, each as RV(membership) is.
  returned: with O(images)
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - {image_id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86, member_id: 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b, status: accepted,
       created_at: "2024-06-01T10:00:00Z", updated_at: "2024-06-02T08:30:00Z"}
images:
  description: With O(images), each image as this project sees it, as RV(image) is.
  returned: with O(images)
  type: list
  elements: dict
  version_added: 0.2.0
job:
  description:
    - With O(images), the batch's IMS job as last read - C(id), C(type), C(status), C(progress), C(error_code),
      C(fail_reason) and the other fields M(hwcloud.ims.ims_job_info) returns. V(null) when nothing was sent, in check
      mode, and when a request of unknown outcome was then seen to have been taken.
  returned: with O(images)
  type: dict
  version_added: 0.2.0
  sample: {id: ff8080828f2a5e8a018f3c1e7d2b0042, type: imsUpdateImageMembersJob, status: SUCCESS, progress: 100.0}
operations:
  description:
    - With O(images), the batch request sent (or in check mode, that would be) - C(action) V(member_status),
      C(method) V(PUT), C(path) and C(body). Empty when nothing changed.
  returned: with O(images)
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - action: member_status
      method: PUT
      path: /v1/cloudimages/members
      body: {images: [4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86], project_id: 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b,
             status: accepted}
"""

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsError
from ansible_collections.hwcloud.ims.plugins.module_utils._share import WAIT_TIMEOUT
from ansible_collections.hwcloud.ims.plugins.module_utils._share_run import MemberBatchRun
from ansible_collections.hwcloud.ims.plugins.module_utils._sharing import (
    MEMBER_STATUSES,
    looks_like_id,
    member_view,
    pick_shared,
    status_diff,
)


class ImsImageMember(ImsModule):
    argument_spec = {
        "image": {"type": "str"},
        "images": {"type": "list", "elements": "str"},
        "status": {"type": "str", "required": True, "choices": ["accepted", "rejected", "pending"]},
        "vault_id": {"type": "str"},
        "wait_timeout": {"type": "int", "default": WAIT_TIMEOUT},
    }

    def check_options(self):
        problems = []
        params = self.params
        if params["image"] is not None and params["images"] is not None:
            problems.append("image and images are mutually exclusive: give one image as image, or several as images")
        elif params["images"] is not None:
            if not params["images"]:
                problems.append("images must list at least one image shared with this project")
            if any(not (entry or "").strip() for entry in params["images"]):
                problems.append("images must not hold an empty id or name")
            if params["status"] == "pending":
                problems.append("status pending is set only one image at a time (image): IMS's batch answer (images) "
                                "takes accepted or rejected")
        elif not (params["image"] or "").strip():
            problems.append("image must not be empty: give the id (or the name) of an image shared with this project "
                            "(or several as images)")
        vault_id = params["vault_id"]
        if vault_id is not None and (not vault_id.strip() or any(char.isspace() for char in vault_id)):
            problems.append("vault_id must be the id of a CBR vault (no spaces); got %r" % vault_id)
        if vault_id is not None and params["status"] != "accepted":
            problems.append("vault_id applies only to status accepted (accepting a full-server image made from a CBR "
                            "backup); leave it out")
        if params["wait_timeout"] is not None and params["wait_timeout"] < 1:
            problems.append("wait_timeout must be 1 or more (seconds); got %d" % params["wait_timeout"])
        return problems

    @property
    def project_id(self):
        """The member project: given, else learned from IAM once (the task fails before any write without it)."""
        return self.client.project_id

    def find(self, wanted=None, option="image"):
        """The image as the project sees it, or a failure naming ``option``."""
        wanted = self.params["image"] if wanted is None else wanted
        if looks_like_id(wanted):
            image = self.client.get_image(wanted)
            if image is None:
                raise ImsError("%s: no image with id %s is visible to project %s; it is not shared with this "
                               "project, or does not exist" % (option, wanted, self.project_id))
            return image
        found = []
        for status in MEMBER_STATUSES:
            found.extend(self.client.shared_images(status, name=wanted))
        try:
            image = pick_shared(found, wanted)
        except ValueError as exc:
            raise ImsError(str(exc).replace("image:", "%s:" % option, 1).replace(" as image", " as %s" % option))
        if image is None:
            raise ImsError("%s: no image named %r is shared with project %s (looked among its pending, accepted "
                           "and rejected shares); give the id of the image if it has another name"
                           % (option, wanted, self.project_id))
        image = dict(image)
        image.pop("member_status", None)
        return image

    def run(self):
        self.result.update(membership=None, image=None)
        self.client.learn_project()  # first (given, else from IAM): the whole task is about this project
        if self.params["images"] is not None:
            MemberBatchRun(self).run(self.project_id)
            return
        image = self.find()
        self.result["image"] = image
        if image.get("owner") == self.project_id:
            raise ImsError("image: image %s (%r) is owned by this project (%s); only a member project sets its "
                           "membership status, with its own credentials (the owner shares it with the members "
                           "option of hwcloud.ims.ims_image)" % (image["id"], image.get("name"), self.project_id))
        current = self.client.get_member(image["id"], self.project_id)
        if current is None:
            raise ImsError("image: image %s (%r) is not shared with this project (%s): it is not one of its members"
                           % (image["id"], image.get("name"), self.project_id))
        before = member_view(current, image["id"], self.project_id)
        self.result["membership"] = before
        wanted = self.params["status"]
        after = before
        if before["status"] != wanted:
            self.result["changed"] = True
            if self.module.check_mode:
                after = dict(before, status=wanted)
            else:
                updated = self.client.set_member_status_once(image["id"], self.project_id, wanted,
                                                             self.params["vault_id"])
                after = member_view(updated, image["id"], self.project_id)
        self.result["membership"] = after
        if self.module._diff:
            self.result["diff"] = {"before": status_diff(image["id"], self.project_id, before["status"]),
                                   "after": status_diff(image["id"], self.project_id, after["status"])}


def main():
    ImsImageMember().execute()


if __name__ == "__main__":
    main()
