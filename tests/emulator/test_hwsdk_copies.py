# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official SDK's copy calls (huaweicloudsdkims, unmodified) against the emulator (README "Copies").

``copy_image_in_region`` (and ``copy_image_in_region_in_safe_mode``, ``/v2.1``) and
``copy_image_cross_region``, the job read with ``show_job`` in the source region, and the copy where
it should be: the source region, or the destination region's project, as the SDK itself reads it
there (through ``HTTP_PROXY``, as ``test_hwsdk_regions.py`` reaches a region) and as the control
surface shows it.
"""

from __future__ import annotations

import pytest

from support.hwsdk import run_sdk
from test_hwsdk_native_create import with_wait

EAST = "cn-east-3"
PROXY = {"HTTP_PROXY": "", "http_proxy": "", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@pytest.fixture
def world(emu):
    emu.configure_jobs(0.5)
    (source,) = emu.seed(name="sdk-golden", properties={"__os_version": "Ubuntu 22.04 server 64bit", "min_disk": 40})
    return emu, source


def stored(images, image_id):
    return next(image for image in images if image["id"] == image_id)


@pytest.mark.parametrize("call", ["copy_image_in_region", "copy_image_in_region_in_safe_mode"])
def test_copy_image_in_region(world, call):
    emu, source = world
    request = "CopyImageInRegion" + ("InSafeMode" if call.endswith("mode") else "") + "Request"
    out = run_sdk(emu, with_wait("""
        body = models.CopyImageInRegionRequestBody(name="sdk-copy", description="copied by the SDK",
                                                   cmk_id="sdk-key", enterprise_project_id="0")
        job_id = client.%s(models.%s(image_id="%s", body=body)).job_id
        out["job"], out["progress"], out["statuses"] = wait(job_id)
    """ % (call, request, source)))
    job = out["job"]
    assert (job["status"], job["job_type"]) == ("SUCCESS", "imsCopyImageInRegionJob"), job
    assert out["progress"]["entities"]["image_id"] == job["entities"]["image_id"]
    copy = stored(emu.images(), job["entities"]["image_id"])
    assert (copy["name"], copy["status"], copy["owner"], copy["__originalimagename"]) == \
        ("sdk-copy", "active", emu.default_account["project_id"], source)
    assert (copy["__description"], copy["__system__cmkid"], copy["__system_encrypted"], copy["min_disk"]) == \
        ("copied by the SDK", "sdk-key", "1", 40)


def test_copy_image_cross_region_and_the_copy_read_in_the_destination(world):
    emu, source = world
    out = run_sdk(emu, with_wait("""
        body = models.CopyImageCrossRegionRequestBody(name="sdk-east-copy", region="%s", project_name="%s",
                                                      agency_name="ims_admin_agency", description="far away")
        job_id = client.copy_image_cross_region(models.CopyImageCrossRegionRequest(image_id="%s", body=body)).job_id
        out["job"], out["progress"], out["statuses"] = wait(job_id)
    """ % (EAST, EAST, source)))
    job = out["job"]
    assert (job["status"], job["job_type"]) == ("SUCCESS", "imsCrossRegionCopyImageJob"), job
    image_id = job["entities"]["image_id"]
    assert image_id not in [image["id"] for image in emu.images()]  # not in the source region
    copy = stored(emu.region(EAST).images(), image_id)
    assert (copy["name"], copy["status"], copy["owner"], copy["__originalimagename"], copy["__description"]) == \
        ("sdk-east-copy", "active", emu.project_id(EAST), source, "far away")
    read = run_sdk(emu, """
        image = client.glance_show_image(models.GlanceShowImageRequest(image_id="%s"))
        out["image"] = as_dict(image)
    """ % image_id, region=EAST, endpoint="http://ims.cn-east-3.emulator.test", learn_project=True,
                   extra_env=dict(PROXY, HTTP_PROXY=emu.base_url, http_proxy=emu.base_url))
    assert (read["image"]["owner"], read["image"]["originalimagename"], read["image"]["status"]) == \
        (emu.project_id(EAST), source, "active")


def test_a_refused_cross_region_copy_as_the_sdk_reads_it(world):
    emu, source = world
    out = run_sdk(emu, """
        body = models.CopyImageCrossRegionRequestBody(name="no", region="%s", project_name="%s", agency_name="nobody")
        client.copy_image_cross_region(models.CopyImageCrossRegionRequest(image_id="%s", body=body))
    """ % (EAST, EAST, source), expect_error=True)
    assert (out["error"]["status_code"], out["error"]["error_code"]) == (400, "IMG.0179"), out
    assert "agency" in out["error"]["error_msg"] and emu.jobs() == []
