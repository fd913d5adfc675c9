# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IAM in process (README "Authentication"): the Keystone v3 version document, the catalog of a
token's body (and ``nocatalog``), and the validation of a token, ``GET /v3/auth/tokens``."""

from __future__ import annotations

import pytest

from imsemu.iam.responses import service_catalog

P1 = "0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c"  # the default account's project
HOST = {"Host": "iam.example.test:8443"}


def password_body(project=None):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "emulator-user", "password": "emulator-password", "domain": {"name": "emulator-domain"}}}}}}
    if project is not None:
        body["auth"]["scope"] = {"project": project}
    return body


def issue(call, query="", project=None, headers=None):
    answer = call("POST", "/v3/auth/tokens" + query, json_body=password_body(project),
                  headers=dict(HOST, **(headers or {})), auth=False)
    assert answer.status == 201, answer.body
    return answer


def validate(call, caller, subject, query="", host=None):
    headers = dict(host or HOST)
    if caller is not None:
        headers["X-Auth-Token"] = caller
    if subject is not None:
        headers["X-Subject-Token"] = subject
    return call("GET", "/v3/auth/tokens" + query, headers=headers, auth=False)


def iam_error(answer, status, title):
    assert answer.status == status, answer.body
    body = answer.json()
    assert set(body) == {"error"} and body["error"]["code"] == status and body["error"]["title"] == title
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


@pytest.mark.parametrize("path", ["/v3", "/v3/"])
def test_the_keystone_version_document_needs_no_authentication(call, path):
    answer = call("GET", path, headers=HOST, auth=False)
    assert answer.status == 200
    version = answer.json()["version"]
    assert version["id"].startswith("v3.") and version["status"] == "stable"
    assert version["links"] == [{"rel": "self", "href": "http://iam.example.test:8443/v3/"}]
    assert {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"} in version["media-types"]


def test_the_version_document_follows_the_scheme_and_the_own_address_without_host(app, call, make_ctx):
    app.set_origin("https://127.0.0.1:4443")
    answer = call("GET", "/v3", headers={"Host": "[::1]:4443"}, auth=False)
    assert answer.json()["version"]["links"][0]["href"] == "https://[::1]:4443/v3/"
    ctx = make_ctx("GET", "/v3")  # no Host header at all
    assert app.iam_responses.show_version(ctx).status == 200
    assert b"https://127.0.0.1:4443/v3/" in app.iam_responses.show_version(ctx).body


@pytest.mark.parametrize("project, region", [({"id": P1}, "cn-north-4"), ({"name": "eu-west-101"}, "eu-west-101"),
                                             (None, "cn-north-4")])
def test_a_token_body_carries_the_catalog_with_the_image_service_at_the_emulator(call, project, region):
    token = issue(call, project=project).json()["token"]
    assert token["project"]["name"] == region
    image = [s for s in token["catalog"] if s["type"] == "image"]
    assert len(image) == 1 and image[0]["endpoints"]
    for endpoint in image[0]["endpoints"]:
        assert endpoint["url"] == "http://iam.example.test:8443"
        assert endpoint["region"] == endpoint["region_id"] == region
    assert {e["interface"] for e in image[0]["endpoints"]} >= {"public"}
    identity = [s for s in token["catalog"] if s["type"] == "identity"]
    assert identity[0]["endpoints"][0]["url"] == "http://iam.example.test:8443/v3"


@pytest.mark.parametrize("query", ["?nocatalog=true", "?nocatalog=True", "?x=1&nocatalog=TRUE"])
def test_nocatalog_true_leaves_the_catalog_out(call, query):
    assert "catalog" not in issue(call, query, project={"id": P1}).json()["token"]


@pytest.mark.parametrize("query", ["?nocatalog=false", "?nocatalog=", "?other=true"])
def test_any_other_nocatalog_keeps_it(call, query):
    assert "catalog" in issue(call, query, project={"id": P1}).json()["token"]


def test_the_catalog_is_the_same_for_every_token_of_a_region():
    first, second = service_catalog("http://h:1", "cn-north-4"), service_catalog("http://h:1", "cn-north-4")
    assert first == second
    assert service_catalog("http://h:1", "eu-west-101") != first  # endpoint ids and regions differ


# --------------------------------------------------------------------------------------
# GET /v3/auth/tokens

def test_validating_a_token_mirrors_what_post_returned(call):
    answer = issue(call, project={"name": "cn-north-4"})
    token = answer.headers["X-Subject-Token"]
    posted = answer.json()
    got = validate(call, token, token)
    assert got.status == 200
    assert got.headers["X-Subject-Token"] == token
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.json() == posted
    body = got.json()["token"]
    assert set(body) >= {"methods", "expires_at", "issued_at", "user", "project", "roles", "catalog"}
    assert body["methods"] == ["password"]
    assert body["project"]["id"] == P1 and set(body["project"]["domain"]) == {"id", "name"}
    assert body["user"]["name"] == "emulator-user" and body["user"]["domain"]["name"] == "emulator-domain"


def test_validating_another_token_than_the_callers(call, app):
    caller = issue(call).headers["X-Subject-Token"]
    subject = issue(call, project={"name": "ap-southeast-1"}).headers["X-Subject-Token"]
    got = validate(call, caller, subject)
    assert got.status == 200 and got.headers["X-Subject-Token"] == subject
    assert got.json()["token"]["project"]["name"] == "ap-southeast-1"
    assert app.iam.token(caller)["project_name"] == "cn-north-4"


def test_validation_honours_nocatalog(call):
    token = issue(call).headers["X-Subject-Token"]
    assert "catalog" not in validate(call, token, token, "?nocatalog=true").json()["token"]
    assert "catalog" in validate(call, token, token, "?nocatalog=false").json()["token"]


def test_a_token_issued_in_process_validates_too(call, token):
    got = validate(call, token, token)
    assert got.status == 200 and got.json()["token"]["project"] == {
        "id": P1, "name": "cn-north-4", "domain": got.json()["token"]["user"]["domain"]}


@pytest.mark.parametrize("caller", [None, "", "not-a-token-0123456789"])
def test_a_missing_or_unknown_caller_token_is_401(call, caller):
    subject = issue(call).headers["X-Subject-Token"]
    iam_error(validate(call, caller, subject), 401, "Unauthorized")


def test_an_expired_caller_token_is_401(call, app):
    caller = issue(call).headers["X-Subject-Token"]
    app.clock.offset = 86400 + 1  # the default lifetime has passed
    iam_error(validate(call, caller, caller), 401, "Unauthorized")


@pytest.mark.parametrize("subject", [None, "", "not-a-token-0123456789"])
def test_a_missing_or_unknown_subject_token_is_404(call, subject):
    caller = issue(call).headers["X-Subject-Token"]
    iam_error(validate(call, caller, subject), 404, "Not Found")


def test_an_expired_subject_token_is_404(call, app):
    subject = issue(call).headers["X-Subject-Token"]
    app.iam.expire_tokens()
    caller = issue(call).headers["X-Subject-Token"]  # issued afterwards: alive
    iam_error(validate(call, caller, subject), 404, "Not Found")


def test_a_token_of_a_user_no_longer_configured_is_404(call, app):
    caller = issue(call).headers["X-Subject-Token"]
    record = dict(app.iam.token(caller), user="gone-user")
    app.iam.add_token("MIIgone", record)
    iam_error(validate(call, caller, "MIIgone"), 404, "Not Found")


def test_a_token_record_of_an_older_state_without_domain_or_methods_validates(call, app):
    caller = issue(call).headers["X-Subject-Token"]
    record = {k: v for k, v in app.iam.token(caller).items() if k not in ("domain", "methods")}
    app.iam.add_token("MIIold", record)
    got = validate(call, caller, "MIIold")
    assert got.status == 200 and got.json()["token"]["methods"] == ["password"]


def test_validation_is_counted_under_its_own_route(call, app):
    token = issue(call).headers["X-Subject-Token"]
    validate(call, token, token)
    assert app.control.stats.snapshot()["by_route"]["GET /v3/auth/tokens"] == 1
