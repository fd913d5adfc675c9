# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official SDK learning a region's project from IAM (README "Regions"), unmodified.

``BasicCredentials(ak, sk)`` without a project id, IAM's endpoint the emulator, and an
``ImsClient`` built ``with_region(Region(REGION, ENDPOINT))``: the SDK asks
``GET /v3/projects?name=REGION`` (signed, without ``X-Project-Id``) and signs every IMS call
with the id IAM answered.

What the SDK cannot do is reach a region through a path prefix: it keeps only the scheme and
the host of an endpoint (huaweicloudsdkcore ``client.py``, ``_url_parse`` and
``build_future_request``), so ``<base>/cn-east-3`` is called at ``<base>/v2/...``, the default
region, which refuses the cn-east-3 project with a message naming its region. The collection
keeps the endpoint's path; the SDK needs a host of its own per region: through a plain HTTP
proxy (``HTTP_PROXY``, the emulator itself) an endpoint ``http://ims.cn-east-3.<anything>`` is
sent as an absolute-form target, whose host names the region.
"""

from __future__ import annotations

import pytest

from support.hwsdk import SdkFailed, run_sdk

EAST = "cn-east-3"
LIST = """
    page = client.glance_list_images(models.GlanceListImagesRequest(imagetype="private", limit=10))
    out["names"] = sorted(image.name for image in page.images)
    out["owners"] = sorted({image.owner for image in page.images})
"""


def projects_asked(emu) -> list:
    return [entry for entry in emu.stats()["log"] if entry["route"] == "GET /v3/projects"]


def test_the_sdk_learns_the_project_from_iam_and_lists_the_images(emu):
    emu.seed(count=2, name="sdk-home-{i}")
    emu.region(EAST).seed(name="sdk-east")
    emu.reset_stats()
    out = run_sdk(emu, LIST, region="cn-north-4", learn_project=True)
    assert out["names"] == ["sdk-home-0", "sdk-home-1"], out
    assert out["owners"] == [emu.project_id("cn-north-4")]
    (asked,) = projects_asked(emu)
    assert asked["query"] == "name=cn-north-4" and asked["auth"] == "aksk" and asked["status"] == 200
    assert not {"x-project-id"} & {name.lower() for name in asked["headers"]}


def test_the_sdk_learns_another_regions_project_but_drops_the_endpoints_path(emu):
    emu.reset_stats()
    out = run_sdk(emu, LIST, region=EAST, endpoint=emu.base_url + "/" + EAST, learn_project=True, expect_error=True)
    (asked,) = projects_asked(emu)
    assert asked["query"] == "name=" + EAST and asked["path"] == "/v3/projects" and asked["status"] == 200
    # the id IAM answered is cn-east-3's; the SDK sent it to the root: the default region refuses it
    error = out["error"]
    assert (error["status_code"], error["error_code"]) == (401, "APIGW.0301"), error
    assert emu.project_id(EAST) in error["error_msg"] and "in region cn-east-3, not in region cn-north-4" in error["error_msg"]
    (listed,) = [entry for entry in emu.stats()["log"] if entry["route"] == "GET /v2/images"]
    assert listed["path"] == "/v2/images" and listed["headers"]["X-Project-Id"] == emu.project_id(EAST)


def test_the_sdk_fails_clearly_for_a_region_without_a_project(emu):
    # IAM answers {"projects": []}: the SDK refuses as it builds the client, before any IMS call
    with pytest.raises(SdkFailed, match="Failed to get project id of region 'eu-west-0'"):
        run_sdk(emu, LIST, region="eu-west-0", learn_project=True)
    assert projects_asked(emu)[-1]["query"] == "name=eu-west-0"


def test_through_a_proxy_the_sdk_reaches_the_region_its_endpoint_host_names(emu):
    emu.region(EAST).seed(count=2, name="sdk-east-{i}")
    emu.seed(name="sdk-home")  # the default region's: not listed in cn-east-3
    emu.reset_stats()
    out = run_sdk(emu, LIST, region=EAST, endpoint="http://ims.cn-east-3.emulator.test", learn_project=True,
                  extra_env={"HTTP_PROXY": emu.base_url, "http_proxy": emu.base_url,
                             "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    assert out["names"] == ["sdk-east-0", "sdk-east-1"], out
    assert out["owners"] == [emu.project_id(EAST)]
    (asked,) = projects_asked(emu)
    assert asked["query"] == "name=" + EAST and asked["status"] == 200
    (listed,) = [entry for entry in emu.stats()["log"] if entry["route"] == "GET /v2/images"]
    assert listed["status"] == 200 and listed["headers"]["Host"] == "ims.cn-east-3.emulator.test"
