#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_image_export
short_description: Export an image of Huawei Cloud IMS to an OBS object
version_added: 0.2.0
description:
  - Has IMS export one of the project's images to an OBS object (O(bucket_url)), in a file format (O(file_format))
    or quickly (O(quick)), as an asynchronous job that the module waits for (O(wait)).
  - IMS answers IMG.0070 when the OBS object exists - the task then reports unchanged without checking that the
    object is this image's export; delete or rename the object to export again. IMS answers IMG.0148 while another
    export of the image runs - the task then reports unchanged, warns that an export is under way and starts none.
  - IMS's export takes no idempotency key, but IMS itself refuses a second export of an image while one runs
    (IMG.0148) and an export to an object that exists (IMG.0070). So after an unknown outcome of the export request
    (a server error, a lost connection) the request is sent again once, and only once - if the first was taken IMS
    refuses this one with IMG.0148 or IMG.0070, and the task reports changed with a warning (the job id is then not
    known - run the task again to follow it, or look for the object); if it was not, this one is the export. A second
    unknown outcome fails the task without a third request. Any other refusal is never followed by another request.
  - Before any request that writes, the module reads the image and refuses what IMS refuses, as the image's own fields
    tell - an image that is not active, a full-server image, an ISO image, a market image, a charged image, and a
    non-quick export of an image above 128 GB. Images made from some public images or from backups are refused by
    IMS, whose error the task reports with a hint.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the image and sends no write request. It predicts RV(ignore:changed) true, as it cannot know whether the
        object exists (IMS tells only by refusing the export).
  diff_mode:
    support: full
    details:
      - Shows the object, absent before and present after (present in both when IMS says it exists).
  idempotent:
    support: partial
    details:
      - A re-run is unchanged because IMS refuses an export to an object that exists (IMG.0070), whatever the object
        holds.
options:
  image:
    description:
      - The image to export - its id, or the name of one of the project's own images. A name that several own images
        have fails the task, listing them; give the id.
    type: str
    required: true
  bucket_url:
    description:
      - The OBS object to export to, as C(bucket:object) - a bucket of the image's region (3 to 63 lowercase letters,
        digits, hyphens and periods) and the object's name (not empty, no spaces).
    type: str
    required: true
  file_format:
    description:
      - The format of the file. Required unless O(quick) is true, and not set with it.
    type: str
    choices: [qcow2, vhd, zvhd, vmdk]
  quick:
    description:
      - Whether to export quickly, to a C(zvhd2) file. IMS exports an image above 128 GB only so.
    type: bool
    default: false
  wait:
    description:
      - Whether to wait until IMS's export job ends. With V(false) the module returns RV(job) at once, to wait on with
        M(hwcloud.ims.ims_job_info).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait for the export job, in seconds. A job still running then fails the task, naming the job; a
        run of the task again does not export twice (IMS refuses it with IMG.0148 while the job runs).
    type: int
    default: 3600
notes:
  - The caller needs OBS rights that let IMS write to the bucket (OBS Tenant Administrator); IMS refuses the export
    otherwise (IMG.0069), and an export to a bucket of another region (IMG.0058).
seealso:
  - module: hwcloud.ims.ims_image
  - module: hwcloud.ims.ims_job_info
  - name: Copying, exporting and sharing images
    description: The guide - copies to several regions at once, an export and its re-run, what IMS refuses.
    link: https://github.com/hwcloud-ims/hwcloud.ims/blob/main/docs/copy-export-share.md
"""

EXAMPLES = r"""
- name: Export an image as a qcow2 file
  hwcloud.ims.ims_image_export:
    region: cn-north-4
    image: web-2024-06
    bucket_url: "images-backup:web/web-2024-06.qcow2"
    file_format: qcow2

- name: Export a large image quickly, without waiting
  hwcloud.ims.ims_image_export:
    region: cn-north-4
    image: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    bucket_url: "images-backup:big.zvhd2"
    quick: true
    wait: false
  register: export

- name: Wait for the export job
  hwcloud.ims.ims_job_info:
    region: cn-north-4
    job_id: "{{ export.job.id }}"
    wait: true
  when: export.job is not none
"""

RETURN = r"""
image:
  description: The exported image - its C(id), C(name), C(region) (V(null) when O(region) is not set), C(size) in
    bytes (V(null) when unknown) and C(disk_format).
  returned: always
  type: dict
  sample: {id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86, name: web-2024-06, region: cn-north-4, size: 2048,
           disk_format: zvhd2}
object:
  description: The OBS object - its C(bucket), C(object) (the name) and C(format) (C(zvhd2) for a quick export).
  returned: always
  type: dict
  sample: {bucket: images-backup, object: web/web-2024-06.qcow2, format: qcow2}
job:
  description:
    - IMS's export job, as last read, in the view M(hwcloud.ims.ims_job_info) returns as
      RV(hwcloud.ims.ims_job_info#module:job); only its C(id) with O(wait=false).
    - V(null) when no export was started (IMS refused it with IMG.0070 or IMG.0148), when the job is not known (an
      export taken after an unknown outcome), and in check mode.
  returned: always
  type: dict
  sample: {id: ff8080828f2a5e8a018f3c1e7d2b0042, type: imsNativeExportImageJob, status: SUCCESS, progress: 100.0}
message:
  description: Why nothing was exported (IMG.0070, IMG.0148), or why the job is not known; also given as a warning.
    V(null) otherwise.
  returned: always
  type: str
  sample: "IMS refused the export (IMG.0070) - the object images-backup:web.qcow2 already exists"
"""

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._export import FORMATS, WAIT_TIMEOUT, ExportRun


class ImsImageExport(ImsModule):
    run_class = ExportRun
    argument_spec = {
        "image": {"type": "str", "required": True},
        "bucket_url": {"type": "str", "required": True},
        "file_format": {"type": "str", "choices": list(FORMATS)},
        "quick": {"type": "bool", "default": False},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "int", "default": WAIT_TIMEOUT},
    }


def main():
    ImsImageExport().execute()


if __name__ == "__main__":
    main()
