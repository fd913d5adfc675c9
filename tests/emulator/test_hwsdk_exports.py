# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official SDK's ``export_image`` (huaweicloudsdkims, unmodified) against the emulator process (README "Exports").

An image made from an OBS file is exported to another object of the bucket, then exported again to the same object
(refused with IMG.0070, which the SDK raises); the object is read back through the control surface.
"""

from __future__ import annotations

import textwrap

import pytest

from support.hwsdk import run_sdk

SCRIPT = """
import time
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
def wait(job_id):
    for _ in range(200):
        job = client.show_job(models.ShowJobRequest(job_id=job_id))
        if job.status in ("SUCCESS", "FAIL"):
            return as_dict(job)
        time.sleep(0.05)
    raise AssertionError("the job did not end")
body = models.CreateImageRequestBody(name="sdk-to-export", image_url="sdk:linux.qcow2", min_disk=40)
made = wait(client.create_image(models.CreateImageRequest(body=body)).job_id)
image_id = made["entities"]["image_id"]
out["image_id"] = image_id
export = models.ExportImageRequestBody(bucket_url="sdk:exported/linux.vmdk", file_format="vmdk")
job_id = client.export_image(models.ExportImageRequest(image_id=image_id, body=export)).job_id
out["job"] = wait(job_id)
try:
    client.export_image(models.ExportImageRequest(image_id=image_id, body=export))
except ClientRequestException as exc:
    out["again"] = [exc.status_code, exc.error_code]
"""


@pytest.fixture
def world(emu):
    emu.configure_jobs(0.3)
    emu.seed_resources(obs_objects=[{"bucket": "sdk", "key": "linux.qcow2", "size": 2 * 1024 ** 3}])
    return emu


def test_export_image_makes_the_object_and_a_second_export_is_img_0070(world):
    out = run_sdk(world, textwrap.dedent(SCRIPT))
    assert out["job"]["status"] == "SUCCESS" and out["job"]["job_type"] == "imsNativeExportImageJob"
    assert out["again"] == [400, "IMG.0070"]
    exported = [o for o in world.resources()["obs_objects"] if o["key"] == "exported/linux.vmdk"]
    assert len(exported) == 1 and exported[0]["format"] == "vmdk" and exported[0]["image_id"] == out["image_id"]
