# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official SDK's sharing calls (huaweicloudsdkims, unmodified) against the emulator process (README
"Sharing by the batch API"): ``batch_add_members`` and ``batch_delete_members`` as the owner,
``batch_update_members`` as the consumer with the consumer's own credentials (a second account),
``list_image_members`` (paged) and ``show_image_member``, each job waited for with ``show_job``, and an IMS
refusal as the SDK raises it."""

from __future__ import annotations

import pytest

from emulator_client import B
from support.hwsdk import run_sdk

WAIT = """
import time
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
def wait(job_id):
    for _ in range(300):
        job = client.show_job(models.ShowJobRequest(job_id=job_id))
        if job.status in ("SUCCESS", "FAIL"):
            return as_dict(job)
        time.sleep(0.05)
    raise AssertionError("the job did not end")
"""

OWNER_SHARES = WAIT + """
images = %(images)r
body = models.BatchAddMembersRequestBody(images=images, projects=[%(member)r], domains=[%(domain)r])
out["share"] = wait(client.batch_add_members(models.BatchAddMembersRequest(body=body)).job_id)
first = client.list_image_members(models.ListImageMembersRequest(image_id=images[0], limit=1))
out["first"] = as_dict(first)
rest = client.list_image_members(models.ListImageMembersRequest(image_id=images[0], limit=5,
                                                                marker=first.page_info.next_marker))
out["rest"] = as_dict(rest)
out["one"] = as_dict(client.show_image_member(models.ShowImageMemberRequest(image_id=images[0],
                                                                            member_id=%(member)r)))
try:
    client.batch_add_members(models.BatchAddMembersRequest(body=models.BatchAddMembersRequestBody(
        images=images, projects=[%(own)r])))
except ClientRequestException as exc:
    out["self"] = [exc.status_code, exc.error_code]
"""

CONSUMER_ACCEPTS = WAIT + """
body = models.BatchUpdateMembersRequestBody(images=%(images)r, project_id=%(member)r, status="accepted")
out["accept"] = wait(client.batch_update_members(models.BatchUpdateMembersRequest(body=body)).job_id)
shared = client.list_images(models.ListImagesRequest(visibility="shared", member_status="accepted"))
out["accepted"] = sorted(image.id for image in shared.images)
"""

OWNER_UNSHARES = WAIT + """
body = models.BatchAddMembersRequestBody(images=%(images)r, projects=[%(member)r])
out["unshare"] = wait(client.batch_delete_members(models.BatchDeleteMembersRequest(body=body)).job_id)
left = client.list_image_members(models.ListImageMembersRequest(image_id=%(images)r[0]))
out["left"] = [(m.member_id, m.member_type) for m in left.members]
"""


@pytest.fixture
def world(emu):
    emu.configure_jobs(0.2)
    return emu, emu.seed(images=[{"name": "sdk-web"}, {"name": "sdk-db"}])


def test_share_accept_read_and_unshare_with_the_sdk(world):
    emu, images = world
    owner = emu.accounts[0]["project_id"]
    domain = "d0" * 16
    values = {"images": images, "member": B["project_id"], "own": owner, "domain": domain}
    out = run_sdk(emu, OWNER_SHARES % values)
    assert (out["share"]["status"], out["share"]["job_type"]) == ("SUCCESS", "imsAddImageMembersJob")
    assert out["first"]["page_info"]["current_count"] == 1 and out["first"]["page_info"]["next_marker"]
    read = out["first"]["members"] + out["rest"]["members"]
    assert sorted((m["member_id"], m["member_type"], m["status"]) for m in read) == sorted(
        [(B["project_id"], "project", "pending"), (domain, "domain", "pending")])
    assert out["one"]["member_type"] == "project" and out["one"]["image_id"] == images[0]
    assert out["self"] == [400, "IMG.0076"]
    out = run_sdk(emu, CONSUMER_ACCEPTS % values, account=B)
    assert (out["accept"]["status"], out["accept"]["job_type"]) == ("SUCCESS", "imsUpdateImageMembersJob")
    assert out["accepted"] == sorted(images)
    out = run_sdk(emu, OWNER_UNSHARES % values)
    assert (out["unshare"]["status"], out["unshare"]["job_type"]) == ("SUCCESS", "imsDelImageMembersJob")
    assert out["left"] == [[domain, "domain"]]


def test_the_consumer_cannot_answer_for_another_project(world):
    emu, images = world
    script = """
    body = models.BatchUpdateMembersRequestBody(images=%r, project_id=%r, status="accepted")
    client.batch_update_members(models.BatchUpdateMembersRequest(body=body))
    """ % (images, emu.accounts[0]["project_id"])
    answer = run_sdk(emu, script, account=B, expect_error=True)
    assert (answer["error"]["status_code"], answer["error"]["error_code"]) == (403, "IMG.0403")
