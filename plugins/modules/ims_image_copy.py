#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_image_copy
short_description: Copy an image of Huawei Cloud IMS within its region or to another region
version_added: 0.2.0
description:
  - Has IMS copy one of the project's images, within its region (a new name, optionally another KMS key or
    enterprise project) or to another region (O(target_region)), as an asynchronous job that the module waits for
    (O(wait)), then gives the copy what IMS's copy request does not take (O(min_ram), O(max_ram), O(tags),
    O(description)) in the destination.
  - The copy is identified by its O(name) among the destination project's own images, C(queued) and C(saving)
    ones included. One active is kept, never copied again, and given only what differs of O(min_ram), O(max_ram),
    O(tags) and O(description) (a second run reads and writes nothing); one still being made is waited on; several
    fail the task. Only when there is none is the copy requested, once.
  - IMS's copy takes no idempotency key. After an unknown outcome of the copy request (a server error, a lost
    connection) it is never sent again; the destination is watched for an image of the name for up to 60 s (at most
    O(wait_timeout)), which is taken when it appears; otherwise the task fails, saying that the copy may be under
    way and to run the task again in a few minutes.
  - Before any request that writes, the module reads the source image and refuses what IMS refuses - an image that
    is not active, an ISO image, a full-server image within a region (or to another region without O(vault_id)),
    an encrypted image to another region.
  - The copy request goes to the source's region, whose job names the new image; the copy is read and updated in
    the destination, with a client for O(target_region) built from the same connection options.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
attributes:
  check_mode:
    support: full
    details:
      - Sends no write request (only the reads of the source and the destination) and predicts RV(ignore:changed) and
        RV(operations) exactly, with the copy request it would send.
  diff_mode:
    support: full
    details:
      - Shows the copy's managed fields in the destination before and after.
  idempotent:
    support: full
options:
  image:
    description:
      - The image to copy, in the source region (the connection's O(region)) - its id, or the name of one of the
        project's own images there. A name that several own images have fails the task, listing them; give the id.
    type: str
    required: true
  name:
    description:
      - The name of the copy, 1 to 128 characters. It identifies the copy in the destination, so a second run finds
        it rather than copying again.
    type: str
    required: true
  target_region:
    description:
      - The region to copy to. Not set (or the source's region), the copy is made within the region.
      - Needs O(region), the source's, and an O(ims_endpoint) with a C({region}) placeholder or none at all.
        O(iam_endpoint) may be fixed (IAM is global, and names the projects of every region) or hold C({region}) too.
      - A copy to another region cannot be made with O(auth_token), a token of the source's project; use AK/SK or a
        password.
    type: str
  target_project_name:
    description:
      - The name of the destination project, sent to IMS as C(project_name); by default O(target_region), the name
        of Huawei Cloud's default project of a region.
      - Without O(target_project_id), the destination project's id is learned from IAM by this name.
      - Only for a copy to another region.
    type: str
  target_project_id:
    description:
      - The id of the destination project (32 hexadecimal characters), where the copy is looked up and updated;
        not set, it is learned from IAM by O(target_project_name).
      - Only for a copy to another region.
    type: str
  agency_name:
    description:
      - The IAM agency that lets IMS act in the destination region. Required for a copy to another region, and only
        for one.
    type: str
  vault_id:
    description:
      - The CBR vault in the destination region for the copy of a full-server image (required for one). Only for a
        copy to another region.
    type: str
  cmk_id:
    description:
      - The KMS key to encrypt the copy with (another key than the source's). Only for a copy within the region, as
        IMS's copy to another region takes none.
    type: str
  enterprise_project_id:
    description:
      - The enterprise project of the copy. Only for a copy within the region.
    type: str
  description:
    description:
      - The description of the copy, at most 1024 characters; sent with the copy request, and set on a copy that
        differs.
    type: str
  tags:
    description:
      - The tags of the copy, usually C(key=value), as M(hwcloud.ims.ims_image) takes them - a list, a
        comma-separated string or a dictionary.
      - Set once the copy exists (IMS's copy request takes none), in the destination; the copy ends with exactly
        these tags. Not set, the copy keeps what IMS gave it.
    type: raw
  min_ram:
    description:
      - The minimum memory of the copy in MB, 0 or more; set once the copy exists.
    type: int
  max_ram:
    description:
      - The maximum memory of the copy in MB, 0 or more; set once the copy exists.
    type: int
  wait:
    description:
      - Whether to wait until IMS's copy job ends and the copy is active.
      - With V(false), the module returns once the job names its copy (or after 60 s at most), with RV(job) to wait
        on with M(hwcloud.ims.ims_job_info) in the source region; O(min_ram), O(max_ram), O(tags) and a changed
        O(description) are applied by a later run of the task, once the copy is active.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait for the copy job and the copy, in seconds. A job still running then fails the task, naming
        the job and the copy; a later run of the task finds the copy and waits for it, without copying again.
    type: int
    default: 3600
notes:
  - IMS copies at most 5 images to other regions at a time, images up to 128 GB, and no Windows image to another
    region; it refuses the others with its own error, which the task reports.
seealso:
  - module: hwcloud.ims.ims_image
  - module: hwcloud.ims.ims_job_info
  - name: Copying, exporting and sharing images
    description: The guide - copies to several regions at once, an export and its re-run, what IMS refuses.
    link: https://github.com/hwcloud-ims/hwcloud.ims/blob/main/docs/copy-export-share.md
"""

EXAMPLES = r"""
- name: Copy an image within its region, encrypted with another KMS key
  hwcloud.ims.ims_image_copy:
    region: cn-north-4
    image: web-2024-06
    name: web-2024-06-encrypted
    cmk_id: 3b2f6f0e-2f4b-4a6f-9a3c-6c1d2e3f4a5b
    tags: {team: web}

- name: Start copies to three regions without waiting
  hwcloud.ims.ims_image_copy:
    region: cn-north-4
    image: web-2024-06
    name: web-2024-06
    target_region: "{{ item }}"
    agency_name: ims-copy-agency
    wait: false
  loop: [cn-east-3, cn-south-1, ap-southeast-1]
  register: copies

- name: Wait for each copy job, in the source region where the jobs run
  hwcloud.ims.ims_job_info:
    region: cn-north-4
    job_id: "{{ item.job.id }}"
    wait: true
    wait_timeout: 3600
  loop: "{{ copies.results }}"
  when: item.job is not none

- name: Run the copies again, to wait for them and give them their tags
  hwcloud.ims.ims_image_copy:
    region: cn-north-4
    image: web-2024-06
    name: web-2024-06
    target_region: "{{ item }}"
    agency_name: ims-copy-agency
    tags: {team: web}
  loop: [cn-east-3, cn-south-1, ap-southeast-1]
"""

RETURN = r"""
image:
  description:
    - The copy, as the destination's IMS returns it after the run, with every field (the C(__) properties as strings).
    - V(null) in check mode when the copy would be made, and with O(wait=false) before IMS names the copy.
  returned: always
  type: dict
  sample:
    id: 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d
    name: web-2024-06
    status: active
    min_ram: 1024
    tags: ["team=web"]
    __originalimagename: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
job:
  description:
    - IMS's copy job, as last read, in the view M(hwcloud.ims.ims_job_info) returns as
      RV(hwcloud.ims.ims_job_info#module:job) - C(id), C(type), C(status), C(progress), C(image_id), C(image_ids),
      C(error_code), C(fail_reason), C(begin_time), C(end_time). The job runs in the source region.
    - V(null) when the run started no job (the copy existed, was found being made, or appeared after an unknown
      outcome), and in check mode.
  returned: always
  type: dict
  sample:
    id: ff8080828f2a5e8a018f3c1e7d2b0042
    type: imsCrossRegionCopyImageJob
    status: SUCCESS
    progress: 100.0
    image_id: 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d
source:
  description: The source image - its C(id), C(name) and C(region) (V(null) when O(region) is not set).
  returned: always
  type: dict
  sample: {id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86, name: web-2024-06, region: cn-north-4}
target_region:
  description: The region of the copy (the source's for a copy within the region; V(null) when neither is set).
  returned: always
  type: str
  sample: cn-east-3
operations:
  description:
    - What the run did, or in check mode would do, in order. Empty when nothing changed.
    - Each has an C(action) - V(copy) (with C(region), the source's, C(path) and C(body), the request sent) or
      V(update) (with C(id), C(region), the destination's, and C(patch), the JSON patch).
  returned: always
  type: list
  elements: dict
  sample:
    - action: copy
      region: cn-north-4
      path: /v1/cloudimages/4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86/cross_region_copy
      body: {name: web-2024-06, region: cn-east-3, project_name: cn-east-3, agency_name: ims-copy-agency}
    - action: update
      id: 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d
      region: cn-east-3
      patch: [{op: replace, path: /tags, value: ["team=web"]}]
"""

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._copy_run import WAIT_TIMEOUT, CopyRun


class ImsImageCopy(ImsModule):
    run_class = CopyRun
    argument_spec = {
        "image": {"type": "str", "required": True},
        "name": {"type": "str", "required": True},
        "target_region": {"type": "str"},
        "target_project_name": {"type": "str"},
        "target_project_id": {"type": "str"},
        "agency_name": {"type": "str"},
        "vault_id": {"type": "str"},
        "cmk_id": {"type": "str"},
        "enterprise_project_id": {"type": "str"},
        "description": {"type": "str"},
        "tags": {"type": "raw"},
        "min_ram": {"type": "int"},
        "max_ram": {"type": "int"},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "int", "default": WAIT_TIMEOUT},
    }


def main():
    ImsImageCopy().execute()


if __name__ == "__main__":
    main()
