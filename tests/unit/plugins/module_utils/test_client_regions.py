# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Regions in the client: the ``cloud`` domain, the ``{region}`` placeholder, and AK/SK without a project.

With AK/SK and no ``project_id``, the project is the one IAM names like the region (``GET
{iam}/v3/projects?name=REGION``, signed, without ``X-Project-Id``), learned once before the first
IMS call, as the official SDK learns it; when IAM names none or several, the task fails before
any IMS request and names ``project_id``.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsClient
from ansible_collections.hwcloud.ims.plugins.module_utils._connection import (
    connection_problems,
    endpoint_origins,
    iam_endpoint,
    ims_endpoint,
)
from ansible_collections.hwcloud.ims.plugins.modules import ims_image, ims_image_info
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import lookup
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ACCESS_KEY,
    IAM_ENDPOINT,
    IMS_ENDPOINT,
    PROJECT_ID,
    SECRET_KEY,
    Call,
    run_module,
)

EAST_PROJECT = "5f1e3c7a9b2d4e6f8a0b1c2d3e4f5a6b"
AKSK = {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "retries": 0}
NO_PROJECT = dict(AKSK, ims_endpoint=IMS_ENDPOINT, iam_endpoint=IAM_ENDPOINT, region="cn-east-3")
NOT_KNOWN = "the project of these credentials is not known: set project_id (HW_PROJECT_ID) to the project's id; "
ASKED = "IAM was asked for the project named cn-east-3 (GET %s/v3/projects?name=cn-east-3): " % IAM_ENDPOINT
GOOD = {"region": "cn-north-4", "timeout": 30.0, "retries": 5, "access_key": "AK", "secret_key": "SK",
        "project_id": PROJECT_ID}


def projects(*ids, name="cn-east-3"):
    return {"projects": [{"id": pid, "name": name, "domain_id": "d1", "enabled": True, "is_domain": False,
                          "parent_id": "d1", "description": "", "links": {"self": "x"}} for pid in ids],
            "links": {"self": "x", "next": None, "previous": None}}


def ask_projects(*ids, **overrides):
    """IAM's projects named like the region, asked with a signature and without a project."""
    overrides.setdefault("answer", projects(*ids))
    return Call("GET", IAM_ENDPOINT + "/v3/projects", query={("name", "cn-east-3")},
                headers={"X-Project-Id": None}, **overrides)


# -- cloud and the {region} placeholder ------------------------------------------------------------


@pytest.mark.parametrize("options, ims, iam", [
    ({"region": "cn-east-3"}, "https://ims.cn-east-3.myhuaweicloud.com", "https://iam.cn-east-3.myhuaweicloud.com"),
    ({"region": "eu-west-101"}, "https://ims.eu-west-101.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu"),
    ({"region": "cn-east-3", "cloud": "hcs.example.com"}, "https://ims.cn-east-3.hcs.example.com",
     "https://iam.cn-east-3.hcs.example.com"),
    ({"region": "eu-west-101", "cloud": "myhuaweicloud.com"}, "https://ims.eu-west-101.myhuaweicloud.com",
     "https://iam.eu-west-101.myhuaweicloud.com"),
    ({"region": "cn-east-3", "ims_endpoint": "http://127.0.0.1:8080/{region}/", "iam_endpoint": "http://127.0.0.1:8080"},
     "http://127.0.0.1:8080/cn-east-3", "http://127.0.0.1:8080"),
    ({"region": "ap-southeast-1", "ims_endpoint": "https://ims.{region}.internal.example", "cloud": "ignored.example"},
     "https://ims.ap-southeast-1.internal.example", "https://iam.ap-southeast-1.ignored.example"),
])
def test_the_endpoints_of_a_region(options, ims, iam):
    assert connection_problems(dict(GOOD, **options)) == []
    assert ims_endpoint(options) == ims and iam_endpoint(options) == iam


@pytest.mark.parametrize("overrides, message", [
    ({"cloud": "https://myhuaweicloud.com"}, "cloud must be the domain of the endpoints, such as myhuaweicloud.com "
                                             "(no scheme, no path); got 'https://myhuaweicloud.com'"),
    ({"cloud": "MyHuaweiCloud.com"}, "cloud must be the domain of the endpoints"),
    ({"cloud": "localhost"}, "cloud must be the domain of the endpoints"),
    ({"ims_endpoint": "https://ims.{region_id}.example.com"},
     "ims_endpoint may hold one placeholder, {region}; got {region_id} in 'https://ims.{region_id}.example.com'"),
    ({"iam_endpoint": "https://{project}.{region}.example.com"}, "iam_endpoint may hold one placeholder, {region}; "
                                                                 "got {project} in"),
    ({"region": None, "ims_endpoint": "https://ims.{region}.example.com"},
     "ims_endpoint has the {region} placeholder: set region (HW_REGION_NAME) to fill it in"),
    ({"ims_endpoint": "ims.{region}.example.com"}, "ims_endpoint must be an http:// or https:// URL such as "
                                                   "https://ims.cn-north-4.myhuaweicloud.com or https://ims.{region}."
                                                   "example.com; got 'ims.{region}.example.com'"),
])
def test_a_bad_cloud_or_placeholder_is_named(overrides, message):
    problems = connection_problems(dict(GOOD, **overrides))
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_an_empty_cloud_is_unset_as_awx_injects_it():
    assert connection_problems(dict(GOOD, cloud="")) == []
    assert ims_endpoint({"region": "cn-east-3", "cloud": ""}) == "https://ims.cn-east-3.myhuaweicloud.com"


def test_a_host_made_from_a_placeholder_counts_as_given_for_the_dns_hint():
    options = dict(NO_PROJECT, ims_endpoint="https://ims.{region}.example.com", iam_endpoint=None, cloud="hcs.example")
    assert endpoint_origins(options) == {"ims.cn-east-3.example.com": ("ims_endpoint", None),
                                         "iam.cn-east-3.hcs.example": ("iam_endpoint", "cn-east-3")}


def test_aksk_needs_project_id_or_a_region():
    problems = connection_problems({"ims_endpoint": IMS_ENDPOINT, "access_key": "AK", "secret_key": "SK"})
    assert problems == ["project_id is required with access_key/secret_key when region is not set (HW_PROJECT_ID); "
                        "with region, IAM is asked for the project named like the region"]
    assert connection_problems(dict(NO_PROJECT, timeout=30.0, retries=5)) == []


# -- AK/SK without project_id: the region's project, from IAM ----------------------------------------


def test_aksk_learns_the_regions_project_once_then_sends_it(http):
    first = lookup("web", image(), project=EAST_PROJECT)
    first.headers["X-Project-Id"] = EAST_PROJECT
    http.expect(ask_projects(EAST_PROJECT), first)
    result = run_module(ims_image, dict(NO_PROJECT, name="web"))
    assert result["failed"] is False and result["changed"] is False, result
    assert result["image"]["id"] == IMAGE_ID
    assert len(http.made("GET", "/v3/projects")) == 1
    signed = http.requests[0].headers["Authorization"]
    assert signed.startswith("SDK-HMAC-SHA256 Access=%s, SignedHeaders=" % ACCESS_KEY)
    assert "x-project-id" not in signed.split("SignedHeaders=")[1].split(",")[0]


def test_a_listing_without_project_sends_the_learned_project_too(http):
    listed = Call("GET", "/v2/images", query={("sort_key", "created_at"), ("sort_dir", "desc"), ("limit", "1000")},
                  headers={"X-Project-Id": EAST_PROJECT}, answer=listing([image()]))
    http.expect(ask_projects(EAST_PROJECT), listed)
    result = run_module(ims_image_info, NO_PROJECT)
    assert result["failed"] is False and [item["id"] for item in result["images"]] == [IMAGE_ID]


def test_the_regional_iam_endpoint_of_the_cloud_is_asked(http):
    http.base_url = "https://ims.cn-east-3.hcs.example"
    http.expect(Call("GET", "https://iam.cn-east-3.hcs.example/v3/projects", query={("name", "cn-east-3")},
                     answer=projects(EAST_PROJECT)))
    client = ImsClient.from_options(dict(AKSK, region="cn-east-3", cloud="hcs.example"))
    assert client.project_id == EAST_PROJECT
    assert client.project_id == EAST_PROJECT  # remembered, not asked again
    assert len(http.requests) == 1


@pytest.mark.parametrize("call, why", [
    pytest.param(ask_projects(), "it named none: the account has no project of that name", id="none"),
    pytest.param(ask_projects(EAST_PROJECT, PROJECT_ID), "it named 2 (%s, %s): set project_id to the one to use" % (
        EAST_PROJECT, PROJECT_ID), id="several"),
    pytest.param(ask_projects(answer={"projects": [{"name": "cn-east-3"}]}),
                 "the answer is not a projects list this collection can read (a project of the projects answer has no "
                 "id (a string); got null)", id="broken"),
    pytest.param(ask_projects(status=403, answer={"error": {"code": "IAM.0003", "message": "Policy doesn't allow "
                                                            "iam:projects:listProjects to be performed."}}),
                 "GET /v3/projects failed: HTTP 403", id="refused"),
])
def test_a_region_project_that_cannot_be_learned_fails_before_any_ims_request(http, call, why):
    http.expect(call)
    result = run_module(ims_image, dict(NO_PROJECT, name="web"))
    assert result["failed"] is True and result["changed"] is False and result["operations"] == []
    assert result["msg"].startswith(NOT_KNOWN + ASKED + why), result["msg"]
    assert len(http.requests) == 1  # IAM only: no IMS request, no write
    assert SECRET_KEY not in json.dumps(result)


def test_a_client_for_another_project_asks_for_that_projects_name(http):
    """``project_name`` (set by a module working in another project, never a module option) replaces the region's."""
    http.expect(Call("GET", IAM_ENDPOINT + "/v3/projects", query={("name", "cn-east-3_dev")},
                     answer=projects(EAST_PROJECT, name="cn-east-3_dev")))
    client = ImsClient.from_options(dict(NO_PROJECT, project_name="cn-east-3_dev"))
    assert client.project_id == EAST_PROJECT
