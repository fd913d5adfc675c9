#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_image_share
short_description: Share many images of Huawei Cloud IMS with projects, accounts and organisations at once
version_added: 0.2.0
description:
  - The owner's half of sharing, for one image or many, through IMS's native batch API - it sets the members of each
    image of O(images) - projects (O(projects)), accounts (O(domains)) and organisations (O(organizations)).
  - Reads each image's members first (IMS's native listing, paged), and computes per image what to add and what to
    remove. Images that need the same members added share one C(POST /v1/cloudimages/members); images that need the
    same members removed share one C(DELETE) there. Each starts an IMS job, which the module waits for (O(wait)), then
    reads the members again. A run that finds nothing to change reads only - the images and their members - and writes
    nothing.
  - With O(state=present) and O(purge_members=false), each image ends with at least the members listed. With
    O(purge_members=true), with exactly them - every member not listed is removed, whatever its type (a project, an
    account or an organisation), including types the task lists none of. With O(state=absent), exactly the members
    listed are removed (those the image has); the others are left alone.
  - A member added is V(pending) until the member project accepts it, with its own credentials
    (M(hwcloud.ims.ims_image_member), whose O(hwcloud.ims.ims_image_member#module:images) accepts many at once).
  - IMS's batch calls take no idempotency key. After an unknown outcome of one (a server error, a lost connection)
    it is never sent again - the members of its images are read again for up to 60 s (at most O(wait_timeout)); when
    they show the change, it was taken; when they do not, the task fails, saying that the change may be under way and
    to run the task again in a few minutes.
  - Before any request that writes (with O(state=present)), the module refuses what the images' own fields tell IMS
    would refuse - an image of another project, a public image (IMG.0089), an encrypted image (IMG.0098 - authorise its
    KMS key to the members first), a full-server image (IMG.0135) - and this project's own id among O(projects)
    (IMG.0076). Other refusals are IMS's error, with a hint naming the option.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the images and their members, sends no write, and predicts RV(ignore:changed), RV(operations) (each
        batch it would send) and RV(images) (the members added as V(pending)) exactly.
  diff_mode:
    support: full
    details:
      - Shows each image's members before and after, by kind.
  idempotent:
    support: full
options:
  images:
    description:
      - The images to share - ids, or names of this project's own images. Each must resolve to exactly one image; a
        name that several own images have fails the task, listing them.
    type: list
    elements: str
    required: true
  projects:
    description:
      - The project ids (32 hexadecimal characters, lowercase) to share with. Not this project's own.
    type: list
    elements: str
    default: []
  domains:
    description:
      - The account (domain) ids (32 hexadecimal characters, lowercase) to share with.
    type: list
    elements: str
    default: []
  organizations:
    description:
      - The organisation URNs to share with, such as C(organizations:orgPath::o-xxxx/r-xxxx/ou-xxxx) - each starting
        with C(organizations:), without spaces, at most 1024 characters.
    type: list
    elements: str
    default: []
  purge_members:
    description:
      - With V(true), each image ends with exactly the members listed - every other member, of any type, is removed
        (with nothing listed, every member). With V(false), the members not listed are left alone.
      - Only with O(state=present).
    type: bool
    default: false
  state:
    description:
      - V(present) shares the images with the members listed; V(absent) removes exactly the members listed.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Whether to wait until each batch's IMS job ends, then read the members again.
      - With V(false), the module returns once the batches are sent, with RV(jobs) to wait on with
        M(hwcloud.ims.ims_job_info), and RV(images) as they will be.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait for each batch's job, in seconds. A job still running then fails the task, naming it; a run of
        the task again reads the members and sends only what is still missing.
    type: int
    default: 600
notes:
  - Sharing uses the owner's credentials; accepting uses each member project's own.
  - IMS limits how many members an image may have; beyond it, it refuses the share (IMG.0088), which the task reports.
seealso:
  - module: hwcloud.ims.ims_image_member
  - module: hwcloud.ims.ims_image_member_info
  - module: hwcloud.ims.ims_image
  - name: Sharing images
    description: The guide - sharing, accepting, many images at once with the batch API.
    link: https://github.com/hwcloud-ims/hwcloud.ims/blob/main/docs/sharing.md
"""

EXAMPLES = r"""
- name: Share three images with two projects, in one task
  hwcloud.ims.ims_image_share:
    region: cn-north-4
    images: [web-2024-06, db-2024-06, 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86]
    projects:
      - 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b
      - a1b2c3d4e5f60718293a4b5c6d7e8f90

- name: The consumer accepts them, in one task, with its own credentials
  hwcloud.ims.ims_image_member:
    region: cn-north-4
    project_id: 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b
    access_key: "{{ consumer_access_key }}"
    secret_key: "{{ consumer_secret_key }}"
    images: [7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d, 8e2d3c4b-5f6a-4b7c-9d8e-0f1a2b3c4d5e,
             4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86]
    status: accepted

- name: Share exactly with one project and one organisation, removing every other member
  hwcloud.ims.ims_image_share:
    images: [web-2024-06]
    projects: [5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b]
    organizations: ["organizations:orgPath::o-3j59d1231uprgk9yuvlidra7zbzfi578/r-rldbu1vmxdw5ahdkknxnvd5rgag77m2z"]
    purge_members: true

- name: Stop sharing two images with a project
  hwcloud.ims.ims_image_share:
    images: [web-2024-06, db-2024-06]
    projects: [a1b2c3d4e5f60718293a4b5c6d7e8f90]
    state: absent
"""

RETURN = r"""
images:
  description:
    - Each image of O(images), once, in the order given - its C(id), C(name) and C(members) after the run (read again
      after the jobs; in check mode and with O(wait=false), as they will be, a member added being V(pending)).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The image id.
      type: str
    name:
      description: The image name.
      type: str
    members:
      description:
        - Each member, as IMS lists it - C(member_id), C(member_type) (V(project), V(domain) or V(organization)),
          C(status) (V(pending), V(accepted) or V(rejected)) and C(urn) (an organisation's; V(null) for the others).
      type: list
      elements: dict
  sample:
    - id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
      name: web-2024-06
      members:
        - {member_id: 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b, member_type: project, status: pending, urn: null}
jobs:
  description:
    - The IMS job of each batch sent, in order - C(id), C(type), C(status) and C(progress) as last read (only C(id)
      with O(wait=false)). A batch of unknown outcome whose change was then seen has no job here.
  returned: always
  type: list
  elements: dict
  sample:
    - {id: ff8080828f2a5e8a018f3c1e7d2b0042, type: imsAddImageMembersJob, status: SUCCESS, progress: 100.0}
operations:
  description:
    - What the run did, or in check mode would do, in order - shares first, then removals. Empty when nothing changed.
    - Each has an C(action) - V(share) or V(unshare) -, C(method) (V(POST) or V(DELETE)), C(path) and C(body), the
      request sent.
  returned: always
  type: list
  elements: dict
  sample:
    - action: share
      method: POST
      path: /v1/cloudimages/members
      body: {images: [4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86], projects: [5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b]}
"""

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._share import WAIT_TIMEOUT
from ansible_collections.hwcloud.ims.plugins.module_utils._share_run import ShareRun


class ImsImageShare(ImsModule):
    run_class = ShareRun
    argument_spec = {
        "images": {"type": "list", "elements": "str", "required": True},
        "projects": {"type": "list", "elements": "str", "default": []},
        "domains": {"type": "list", "elements": "str", "default": []},
        "organizations": {"type": "list", "elements": "str", "default": []},
        "purge_members": {"type": "bool", "default": False},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "int", "default": WAIT_TIMEOUT},
    }


def main():
    ImsImageShare().execute()


if __name__ == "__main__":
    main()
