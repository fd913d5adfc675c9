#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_job_info
short_description: Read, or wait for, one asynchronous job of Huawei Cloud IMS
version_added: 0.2.0
description:
  - Reads one IMS job, such as the one M(hwcloud.ims.ims_image) starts to make an image from a server, a volume, a
    backup or an OBS file with O(hwcloud.ims.ims_image#module:wait=false), and the image it names.
  - Asks ShowJob (C(GET /v1/{project_id}/jobs/{job_id})) first, and ShowJobProgress
    (C(GET /v1/cloudimages/job/{job_id})) when ShowJob does not know the job; whichever answers is used for the rest of
    the run.
  - With O(wait=true), waits until the job ends (polling at once, then after 1, 2, 4, 8 s and every 10 s, honouring
    C(Retry-After)). A job that ends C(FAIL) fails the task with IMS's C(error_code), C(fail_reason) and the job id; a
    job still running at O(wait_timeout) fails the task naming the job and its image. Without O(wait), a job that
    failed is returned as it is (RV(job.status) V(FAIL)), not an error.
  - Only reads; nothing is ever written, in check mode or not.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
  - hwcloud.ims.attributes.INFO_MODULE
options:
  job_id:
    description:
      - The id of the job, for example the C(id) of RV(hwcloud.ims.ims_image#module:job) of a task run with
        O(hwcloud.ims.ims_image#module:wait=false).
    type: str
    required: true
  wait:
    description:
      - Whether to wait until the job ends (C(SUCCESS) or C(FAIL)).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait at most, with O(wait=true).
    type: int
    default: 1200
seealso:
  - module: hwcloud.ims.ims_image
"""

EXAMPLES = r"""
- name: Start making an image from a server, without waiting
  hwcloud.ims.ims_image:
    name: web-baked-2024-06
    instance_id: 877a2cda-ba63-4e1e-b95f-e67e48b6129a
    wait: false
  register: started

- name: Do other work here, then wait for the job (it fails the task if the job fails)
  hwcloud.ims.ims_job_info:
    job_id: "{{ started.job.id }}"
    wait: true
    wait_timeout: 1800
  register: done

- name: The new image
  ansible.builtin.debug:
    msg: "{{ done.image.id }} is {{ done.image.status }}"

- name: Or look at the job every 30 s from the playbook, until it ends
  hwcloud.ims.ims_job_info:
    job_id: "{{ started.job.id }}"
  register: job
  until: job.job.status in ['SUCCESS', 'FAIL']
  retries: 60
  delay: 30

- name: A long wait as an async task (AWX job timeouts count the whole task)
  hwcloud.ims.ims_job_info:
    job_id: "{{ started.job.id }}"
    wait: true
    wait_timeout: 3600
  async: 3900
  poll: 30
"""

RETURN = r"""
job:
  description:
    - The job as last read.
    - In a failed result (O(wait=true) and a job that failed or still ran at O(wait_timeout)), the job as last read.
  returned: always
  type: dict
  contains:
    id:
      description: The job id.
      type: str
      sample: ff8080828f2a5e8a018f3c1e7d2b0042
    type:
      description: IMS's job type.
      type: str
      sample: createImageByInstance
    status:
      description: V(INIT), V(RUNNING), V(SUCCESS) or V(FAIL).
      type: str
      sample: RUNNING
    progress:
      description: How far the job is, as IMS says (C(process_percent)); V(null) when IMS does not say.
      type: float
      sample: 42.5
    image_id:
      description: The id of the image the job makes, once IMS names it; V(null) before.
      type: str
      sample: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    image_ids:
      description: Every image id the job names (one per volume for data images).
      type: list
      elements: str
      sample: [4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86]
    error_code:
      description: IMS's error code of a failed job; V(null) otherwise.
      type: str
      sample: IMG.0010
    fail_reason:
      description: IMS's reason of a failed job; V(null) otherwise.
      type: str
      sample: The server is not stopped.
    begin_time:
      description: When the job began (UTC), as IMS writes it.
      type: str
      sample: "2024-11-06T06:19:43.195Z"
    end_time:
      description: When the job ended; V(null) while it runs.
      type: str
      sample: null
image:
  description:
    - The image the job names, as the Glance API shows it (every field, the C(__) properties as strings).
    - V(null) while IMS has not named it, or when it does not exist (any more).
  returned: always
  type: dict
  sample:
    id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    name: web-baked-2024-06
    status: saving
"""

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import ImsJobFailed, ImsJobTimeout
from ansible_collections.hwcloud.ims.plugins.module_utils._jobs import JobReader, wait_for_job


class ImsJobInfo(ImsModule):
    argument_spec = {
        "job_id": {"type": "str", "required": True},
        "wait": {"type": "bool", "default": False},
        "wait_timeout": {"type": "int", "default": 1200},
    }

    def check_options(self):
        problems = []
        job_id = self.params["job_id"]
        if not job_id.strip() or job_id != job_id.strip() or "/" in job_id:
            problems.append("job_id must be a job id (a non-empty string without spaces or '/'); got %r" % job_id)
        if self.params["wait_timeout"] < 1:
            problems.append("wait_timeout must be 1 or more (seconds); got %d" % self.params["wait_timeout"])
        return problems

    def image_of(self, job):
        return self.client.get_image(job["image_id"]) if job and job.get("image_id") else None

    def run(self):
        self.result.update(job=None, image=None)
        reader = JobReader(self.client, self.params["job_id"])
        try:
            job = wait_for_job(self.client, self.params["job_id"], self.params["wait_timeout"], reader=reader) \
                if self.params["wait"] else reader.read()
        except (ImsJobFailed, ImsJobTimeout) as exc:
            self.result.update(job=exc.job, image=self.image_of(exc.job))  # the failed result shows them
            raise
        self.result.update(job=job, image=self.image_of(job))


def main():
    ImsJobInfo().execute()


if __name__ == "__main__":
    main()
