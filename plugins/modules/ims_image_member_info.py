#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_image_member_info
short_description: List the images shared with your project in Huawei Cloud IMS, with their membership status
version_added: 0.2.0
description:
  - Lists the images other projects share with the caller's project (O(project_id), else learned from IAM once),
    each with this project's
    membership status in RV(images[].member_status) - V(pending) until the project accepts or rejects the share with
    M(hwcloud.ims.ims_image_member).
  - One paged listing per status in O(status) (C(visibility=shared) and C(member_status), which IMS and upstream
    Glance both honour), so the status comes without one request per image. The project's own images are left out.
  - Finding nothing is not an error; RV(images) is then an empty list.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
  - hwcloud.ims.attributes.INFO_MODULE
options:
  status:
    description:
      - The membership statuses to list, in this order.
    type: list
    elements: str
    choices: [pending, accepted, rejected]
    default: [pending, accepted, rejected]
seealso:
  - module: hwcloud.ims.ims_image_member
  - module: hwcloud.ims.ims_image_info
"""

EXAMPLES = r"""
- name: Shares waiting for this project's answer
  hwcloud.ims.ims_image_member_info:
    status: [pending]
  register: pending

- name: Every image shared with this project, and its status
  hwcloud.ims.ims_image_member_info:
  register: shares

- name: The ids of the accepted ones
  ansible.builtin.debug:
    msg: "{{ shares.images | selectattr('member_status', 'equalto', 'accepted') | map(attribute='id') | list }}"
"""

RETURN = r"""
images:
  description:
    - The images shared with this project, as it sees them (every field as IMS returns it), grouped by status in the
      order of O(status).
    - Empty when nothing is shared with the project.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The image id.
      type: str
      sample: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    name:
      description: The image name.
      type: str
      sample: vendor-appliance-2024-06
    owner:
      description: The project that owns the image and shared it.
      type: str
      sample: 0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c
    status:
      description: The image status (V(active) once usable).
      type: str
      sample: active
    member_status:
      description: This project's membership status on the image, V(pending), V(accepted) or V(rejected).
      type: str
      sample: pending
"""

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._sharing import MEMBER_STATUSES, unique_statuses


class ImsImageMemberInfo(ImsModule):
    argument_spec = {
        "status": {"type": "list", "elements": "str", "choices": list(MEMBER_STATUSES),
                   "default": list(MEMBER_STATUSES)},
    }

    def check_options(self):
        if not self.params["status"]:
            return ["status must list at least one of %s; leave it out for all of them" % ", ".join(MEMBER_STATUSES)]
        return []

    def run(self):
        images = []
        for status in unique_statuses(self.params["status"]):
            images.extend(self.client.shared_images(status))
        self.result["images"] = images


def main():
    ImsImageMemberInfo().execute()


if __name__ == "__main__":
    main()
