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
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the membership, predicts RV(ignore:changed) and RV(membership), and sends no write.
  diff_mode:
    support: full
    details:
      - Shows the membership status before and after.
  idempotent:
    support: full
options:
  image:
    description:
      - The image shared with this project, by id.
      - A value that is not in the form of an image id (a UUID) is taken as a name, looked up among the images
        shared with this project (pending, accepted and rejected - three listings). It must name exactly one of them;
        otherwise the module fails listing the ids and you give the id.
    type: str
    required: true
  status:
    description:
      - The membership status this project should have on the image.
    type: str
    choices: [accepted, rejected, pending]
    required: true
notes:
  - A project that is not a member of the image (the image is not shared with it, or the owner removed the member)
    gets a failure naming O(image); nothing is written.
seealso:
  - module: hwcloud.ims.ims_image_member_info
  - module: hwcloud.ims.ims_image
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
    - In a failed result, the membership as it was last read; V(null) when the project is not a member.
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
    - V(null) when no such image is visible to the project.
  returned: always
  type: dict
  sample:
    id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    name: vendor-appliance-2024-06
    status: active
    owner: 0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c
    visibility: shared
    __imagetype: shared
"""

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsError
from ansible_collections.hwcloud.ims.plugins.module_utils._sharing import (
    MEMBER_STATUSES,
    looks_like_id,
    member_view,
    pick_shared,
    status_diff,
)


class ImsImageMember(ImsModule):
    argument_spec = {
        "image": {"type": "str", "required": True},
        "status": {"type": "str", "required": True, "choices": ["accepted", "rejected", "pending"]},
    }

    def check_options(self):
        problems = []
        if not (self.params["image"] or "").strip():
            problems.append("image must not be empty: give the id (or the name) of an image shared with this project")
        return problems

    @property
    def project_id(self):
        """The member project: given, else learned from IAM once (the task fails before any write without it)."""
        return self.client.project_id

    def find(self):
        """The image as the project sees it, or a failure naming ``image``."""
        wanted = self.params["image"]
        if looks_like_id(wanted):
            image = self.client.get_image(wanted)
            if image is None:
                raise ImsError("image: no image with id %s is visible to project %s; it is not shared with this "
                               "project, or does not exist" % (wanted, self.project_id))
            return image
        found = []
        for status in MEMBER_STATUSES:
            found.extend(self.client.shared_images(status, name=wanted))
        try:
            image = pick_shared(found, wanted)
        except ValueError as exc:
            raise ImsError(str(exc))
        if image is None:
            raise ImsError("image: no image named %r is shared with project %s (looked among its pending, accepted "
                           "and rejected shares); give the id of the image if it has another name"
                           % (wanted, self.project_id))
        image = dict(image)
        image.pop("member_status", None)
        return image

    def run(self):
        self.result.update(membership=None, image=None)
        self.client.learn_project()  # first (given, else from IAM): the whole task is about this project
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
                updated = self.client.set_member_status_once(image["id"], self.project_id, wanted)
                after = member_view(updated, image["id"], self.project_id)
        self.result["membership"] = after
        if self.module._diff:
            self.result["diff"] = {"before": status_diff(image["id"], self.project_id, before["status"]),
                                   "after": status_diff(image["id"], self.project_id, after["status"])}


def main():
    ImsImageMember().execute()


if __name__ == "__main__":
    main()
