# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The project of the credentials: given, or learned from IAM once, and never a lookup without ``owner``.

A token got with a password scoped by the region name names its project in the body of IAM's
answer; a ready token is validated once with ``GET {iam}/v3/auth/tokens`` (``X-Auth-Token`` and
``X-Subject-Token``: the token). When the project cannot be learned the task fails before any
lookup that needs it, and so before any write, naming ``project_id`` and what was tried. The
token never shows in a message or a result.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsClient, ImsProjectUnknown
from ansible_collections.hwcloud.ims.plugins.modules import (
    ims_image,
    ims_image_info,
    ims_image_member,
    ims_image_member_info,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import lookup
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    IAM_ENDPOINT,
    IMS_ENDPOINT,
    PROJECT_ID,
    Call,
    refused,
    run_module,
)

TOKEN = "MIIready-token-value/with+odd=chars"
TOKENS = IAM_ENDPOINT + "/v3/auth/tokens"
TOKEN_OPTIONS = {"ims_endpoint": IMS_ENDPOINT, "iam_endpoint": IAM_ENDPOINT, "auth_token": TOKEN, "retries": 0}
PASSWORD_OPTIONS = {"ims_endpoint": IMS_ENDPOINT, "iam_endpoint": IAM_ENDPOINT, "region": "cn-north-4",
                    "user_name": "alice", "password": "secret-password", "domain_name": "acme", "retries": 0}
NOT_KNOWN = "the project of these credentials is not known: set project_id (HW_PROJECT_ID) to the project's id; "
NOTHING_DONE = (". Nothing that needs the project (finding the project's own or shared images, members) is done "
                "without it, so that no image is missed and created twice")


def token_body(project_id=PROJECT_ID):
    token = {"methods": ["token"], "expires_at": "2026-12-03T03:00:00.000000Z", "user": {"id": "u1", "name": "alice"}}
    if project_id:
        token["project"] = {"id": project_id, "name": "cn-north-4", "domain": {"id": "d1", "name": "acme"}}
    else:
        token["domain"] = {"id": "d1", "name": "acme"}
    return {"token": token}


def validate(**overrides):
    """IAM's validation of the ready token: ``GET /v3/auth/tokens``, the token in both headers, no project sent."""
    overrides.setdefault("answer", token_body())
    return Call("GET", TOKENS, headers={"X-Auth-Token": TOKEN, "X-Subject-Token": TOKEN, "X-Project-Id": None},
                **overrides)


def with_project(call):
    """``call`` sent with the token and the learned project."""
    call.headers.update({"X-Auth-Token": TOKEN, "X-Project-Id": PROJECT_ID})
    return call


@pytest.fixture(name="token_http")
def fixture_token_http(http):
    http.auth_header = "X-Auth-Token"
    return http


def assert_no_token(result):
    text = json.dumps(result)
    assert TOKEN not in text and json.dumps(TOKEN)[1:-1] not in text and "MIIready" not in text


# -- a ready token ------------------------------------------------------------------------------------


def test_a_ready_token_learns_its_project_once_and_the_lookup_has_owner(token_http):
    token_http.expect(validate(), with_project(lookup("web", image())))
    result = run_module(ims_image, dict(TOKEN_OPTIONS, name="web"))
    assert result["failed"] is False and result["changed"] is False, result
    assert result["image"]["id"] == IMAGE_ID
    assert_no_token(result)


def test_the_project_is_asked_of_iam_at_most_once_per_run(token_http):
    def shared(status):
        query = {("visibility", "shared"), ("member_status", status), ("limit", "1000")}
        return with_project(Call("GET", "/v2/images", query=query, answer=listing([])))
    token_http.expect(validate(), shared("pending"), shared("accepted"), shared("rejected"))
    result = run_module(ims_image_member_info, TOKEN_OPTIONS)
    assert result["failed"] is False and result["images"] == []
    assert len(token_http.made("GET", "/v3/auth/tokens")) == 1


def test_the_regional_iam_endpoint_is_asked_without_iam_endpoint(token_http):
    regional = "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens"
    token_http.expect(Call("GET", regional, headers={"X-Subject-Token": TOKEN}, answer=token_body()))
    client = ImsClient.from_options({"ims_endpoint": IMS_ENDPOINT, "region": "cn-north-4", "auth_token": TOKEN})
    assert client.project_id == PROJECT_ID
    assert client.project_id == PROJECT_ID  # remembered


def test_a_read_only_listing_needs_no_project(token_http):
    token_http.expect(Call("GET", "/v2/images", query={("sort_key", "created_at"), ("sort_dir", "desc"),
                                                       ("limit", "1000")},
                           headers={"X-Auth-Token": TOKEN, "X-Project-Id": None}, answer=listing([image()])))
    result = run_module(ims_image_info, TOKEN_OPTIONS)
    assert result["failed"] is False and [item["id"] for item in result["images"]] == [IMAGE_ID]


@pytest.mark.parametrize("call, why", [
    pytest.param(validate(status=401, answer={"error": {"code": 401, "title": "Unauthorized",
                                                        "message": "The request you have made requires authentication."}}),
                 "IAM was asked for the token's project (GET %s): GET /v3/auth/tokens failed: HTTP 401: The request "
                 "you have made requires authentication. (request id: req-1); the credentials used: the token of "
                 "auth_token (a fixed token, never renewed), auth_token from the task's options" % TOKENS, id="401"),
    pytest.param(validate(status=404, answer={"error": {"code": 404, "title": "Not Found",
                                                        "message": "Could not find token: %s." % TOKEN}}),
                 "IAM was asked for the token's project (GET %s): GET /v3/auth/tokens failed: HTTP 404: Could not "
                 "find token: ********. (request id: req-1)" % TOKENS, id="404-echoing-the-token"),
    pytest.param(validate(answer=token_body(project_id=None)),
                 "IAM was asked for the token's project (GET %s): the token IAM answered GET /v3/auth/tokens with "
                 "is not scoped to a project" % TOKENS, id="domain-scoped"),
    pytest.param(validate(answer={"token": {"project": {"id": 7}}}),
                 "IAM was asked for the token's project (GET %s): IAM's answer to GET /v3/auth/tokens is not a token "
                 "body this collection can read (the token's project has no id (a string); got an integer)" % TOKENS,
                 id="broken-answer"),
    pytest.param(validate(raises=refused),
                 "IAM was asked for the token's project (GET %s): GET https://iam.example.test/v3/auth/tokens: "
                 "connection failed after 1 attempt(s): Failed to establish a new connection: [Errno 111] Connection refused"
                 % TOKENS, id="unreachable"),
])
def test_a_project_that_cannot_be_learned_fails_before_any_lookup(token_http, call, why):
    token_http.expect(call)
    result = run_module(ims_image, dict(TOKEN_OPTIONS, name="web"))
    assert result["failed"] is True and result["operations"] == [] and result["changed"] is False
    assert result["msg"] == NOT_KNOWN + why + NOTHING_DONE
    assert len(token_http.requests) == 1  # no lookup, no write, not asked again
    assert_no_token(result)


def test_members_of_a_token_without_project_fail_before_any_request(token_http):
    result = run_module(ims_image_member, {"ims_endpoint": IMS_ENDPOINT, "auth_token": TOKEN, "image": IMAGE_ID,
                                           "status": "accepted"})
    assert result["failed"] is True
    assert result["msg"].startswith(NOT_KNOWN + "there is no IAM endpoint to ask for the token's project: set "
                                                "iam_endpoint (HW_IAM_ENDPOINT) or region")
    assert token_http.requests == []


def test_a_failure_to_learn_is_remembered_not_asked_again(token_http):
    token_http.expect(validate(status=404, answer={"error": {"code": 404, "message": "Could not find token."}}))
    client = ImsClient.from_options(TOKEN_OPTIONS)
    for _attempt in range(2):
        with pytest.raises(ImsProjectUnknown):
            client.own_images(name="web")
    assert len(token_http.requests) == 1


# -- a password scoped by the region name --------------------------------------------------------------


def password_token(answer):
    return Call("POST", TOKENS, status=201, answer=answer, answer_headers={"X-Subject-Token": "MIIpw-token"},
                json={"auth": {"identity": {"methods": ["password"], "password": {"user": {
                    "name": "alice", "password": "secret-password", "domain": {"name": "acme"}}}},
                    "scope": {"project": {"name": "cn-north-4"}}}})


def test_a_password_token_names_its_project_in_its_answer_and_no_extra_call(token_http):
    call = lookup("web", image())
    call.headers.update({"X-Auth-Token": "MIIpw-token", "X-Project-Id": PROJECT_ID})
    token_http.expect(password_token(token_body()), call)
    result = run_module(ims_image, dict(PASSWORD_OPTIONS, name="web"))
    assert result["failed"] is False and result["image"]["id"] == IMAGE_ID
    assert "secret-password" not in json.dumps(result) and "MIIpw-token" not in json.dumps(result)


def test_a_password_token_without_project_fails_before_the_lookup(token_http):
    token_http.expect(password_token({"token": {"domain": {"id": "d1"}}}))
    result = run_module(ims_image, dict(PASSWORD_OPTIONS, name="web"))
    assert result["failed"] is True
    assert result["msg"] == (NOT_KNOWN + "IAM was asked for a token scoped by the region name (POST %s): the token "
                             "IAM answered POST /v3/auth/tokens with is not scoped to a project" % TOKENS + NOTHING_DONE)
    assert len(token_http.requests) == 1
