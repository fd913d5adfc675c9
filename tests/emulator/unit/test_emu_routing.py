"""Routing: every route resolves to its function; unknown paths and methods; requests end to end
through EmulatorApp.serve() (in process, no socket)."""

from __future__ import annotations

import hashlib
import os

import pytest

from imsemu.core.routing import Router
from imsemu.iam.responses import IamResponses
from imsemu.iam.urls import URL_PATHS as IAM_URL_PATHS
from imsemu.ims.responses import ImsResponses
from imsemu.ims.urls import URL_PATHS as IMS_URL_PATHS

I = "0f0f0f0f-0000-4000-8000-000000000001"
P = "b" * 32
R = ImsResponses
EXPECTED = [  # method, raw path, route name, function, params
    ("GET", "/v3", "GET /v3", IamResponses.show_version, {}),
    ("POST", "/v3/auth/tokens", "POST /v3/auth/tokens", IamResponses.issue_token, {}),
    ("GET", "/v3/auth/tokens", "GET /v3/auth/tokens", IamResponses.validate_token, {}),
    ("GET", "/v3/projects", "GET /v3/projects", IamResponses.list_projects, {}),
    ("GET", "/v3/auth/projects", "GET /v3/auth/projects", IamResponses.list_auth_projects, {}),
    ("GET", "/", "GET /", R.list_versions, {}),
    ("GET", "/v2", "GET /v2", R.list_versions, {}),
    ("GET", "/v2/schemas/image", "GET /v2/schemas/image", R.show_schema, {"schema": "image"}),
    ("GET", "/v2/schemas/images", "GET /v2/schemas/images", R.show_schema, {"schema": "images"}),
    ("GET", "/v2/schemas/member", "GET /v2/schemas/member", R.show_schema, {"schema": "member"}),
    ("GET", "/v2/schemas/members", "GET /v2/schemas/members", R.show_schema, {"schema": "members"}),
    ("GET", "/v2/images", "GET /v2/images", R.list_images, {}),
    ("POST", "/v2/images", "POST /v2/images", R.create_image, {}),
    ("GET", "/v2/images/" + I, "GET /v2/images/{id}", R.show_image, {"id": I}),
    ("PATCH", "/v2/images/" + I, "PATCH /v2/images/{id}", R.update_image, {"id": I}),
    ("DELETE", "/v2/images/" + I, "DELETE /v2/images/{id}", R.delete_image, {"id": I}),
    ("PUT", "/v2/images/%s/file" % I, "PUT /v2/images/{id}/file", R.upload_file, {"id": I}),
    ("GET", "/v2/images/%s/file" % I, "GET /v2/images/{id}/file", R.download_file, {"id": I}),
    ("PUT", "/v2/images/%s/tags/team%%3Dweb" % I, "PUT /v2/images/{id}/tags/{tag}", R.add_tag,
     {"id": I, "tag": "team=web"}),
    ("DELETE", "/v2/images/%s/tags/a%%2Fb" % I, "DELETE /v2/images/{id}/tags/{tag}", R.remove_tag,
     {"id": I, "tag": "a/b"}),
    ("GET", "/v2/images/%s/members" % I, "GET /v2/images/{id}/members", R.list_members, {"id": I}),
    ("POST", "/v2/images/%s/members" % I, "POST /v2/images/{id}/members", R.add_member, {"id": I}),
    ("GET", "/v2/images/%s/members/%s" % (I, P), "GET /v2/images/{id}/members/{pid}", R.show_member,
     {"id": I, "member": P}),
    ("PUT", "/v2/images/%s/members/%s" % (I, P), "PUT /v2/images/{id}/members/{pid}", R.update_member,
     {"id": I, "member": P}),
    ("DELETE", "/v2/images/%s/members/%s" % (I, P), "DELETE /v2/images/{id}/members/{pid}", R.remove_member,
     {"id": I, "member": P}),
    ("GET", "/v2/cloudimages", "GET /v2/cloudimages", R.list_native_images, {}),
    ("GET", "/v1/cloudimages/quota", "GET /v1/cloudimages/quota", R.show_quota, {}),
    ("GET", "/v1/cloudimages/os_version", "GET /v1/cloudimages/os_version", R.list_os_versions, {}),
]


def test_the_table_covers_every_route_once():
    declared = [(p.method, p.name, p.function) for p in IAM_URL_PATHS + IMS_URL_PATHS]
    assert sorted(declared, key=repr) == sorted(((m, n, f) for m, _p, n, f, _a in EXPECTED), key=repr)
    assert len({name for _m, name, _f in declared}) == len(declared)


@pytest.mark.parametrize("method, path, name, function, params", EXPECTED, ids=[e[2] for e in EXPECTED])
def test_every_route_resolves_to_its_function(app, method, path, name, function, params):
    route, got = app.router.resolve(method, path)
    assert route is not None and route.name == name
    assert route.function is function  # a function reference, bound to the service's responses
    assert route.handler.__func__ is function
    service = IamResponses if " /v3" in name else ImsResponses
    assert isinstance(route.handler.__self__, service)
    assert got == params
    assert route.authenticated is not (" /v3" in name or name in ("GET /", "GET /v2"))
    assert route.streams_body is (name == "PUT /v2/images/{id}/file")


@pytest.mark.parametrize("method, path", [
    ("GET", "/v2/nothing"), ("GET", "/v2/images/"), ("POST", "/v2/images/" + I), ("OPTIONS", "/v2/images"),
    ("PUT", "/v3/auth/tokens"), ("GET", "/v3/auth"), ("GET", "/v2/images/%s/file/more" % I), ("HEAD", "/"),
    ("GET", "/v2/schemas/imagex"), ("GET", "/v2/schemas/"), ("POST", "/"), ("GET", "/v1"), ("GET", "//"),
])
def test_unknown_paths_and_methods(app, call, method, path):
    assert app.router.resolve(method, path) == (None, {})
    answer = call(method, path)
    assert answer.status == 404
    assert answer.json() == {"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been "
                             "published.", "request_id": "request-id-2"}
    assert app.control.stats.snapshot()["by_route"] == {"%s (unknown)" % method: 1}


def test_the_router_takes_the_first_route_of_the_method():
    router = Router()
    router.bind(IMS_URL_PATHS, ImsResponses(None, None))
    assert [r.name for r in router.routes] == [p.name for p in IMS_URL_PATHS]


def test_an_image_end_to_end(app, call):
    created = call("POST", "/v2/images", {"name": "web", "tags": ["a"]})
    assert created.status == 201, created.body
    image = created.json()
    assert (image["status"], image["owner"], image["visibility"]) == ("queued", app.accounts[0].project_id, "private")
    assert call("GET", "/v2/images/" + image["id"]).json() == image
    assert [i["id"] for i in call("GET", "/v2/images?name=web").json()["images"]] == [image["id"]]

    wrong = call("PATCH", "/v2/images/" + image["id"], [{"op": "replace", "path": "/name", "value": "x"}])
    assert wrong.status == 415 and "Accept-Patch" in wrong.headers
    patched = call("PATCH", "/v2/images/" + image["id"], [{"op": "replace", "path": "/name", "value": "x"}],
                   headers={"Content-Type": "application/openstack-images-v2.1-json-patch"})
    assert patched.status == 200 and patched.json()["name"] == "x"

    assert call("PUT", "/v2/images/%s/tags/b" % image["id"]).status == 204
    assert call("DELETE", "/v2/images/%s/tags/zz" % image["id"]).json()["error"]["code"] == "IMG.0404"
    data = b"disk bytes" * 100
    upload = call("PUT", "/v2/images/%s/file" % image["id"], body=data,
                  headers={"Content-Type": "application/octet-stream"})
    assert upload.status == 204, upload.body
    stored = app.store.get(image["id"])
    assert (stored["status"], stored["size"], stored["checksum"]) == ("active", len(data), hashlib.md5(data).hexdigest())
    assert stored["tags"] == ["a", "b"]
    assert os.path.getsize(app.store.file_path(image["id"])) == len(data)
    assert call("DELETE", "/v2/images/" + image["id"]).status == 204
    assert call("GET", "/v2/images/" + image["id"]).json()["error"]["code"] == "IMG.0144"


def test_unauthenticated_requests_get_the_gateway_answer(call):
    answer = call("GET", "/v2/images", auth=False)
    assert answer.status == 401 and answer.json()["error_code"] == "APIGW.0301"


def test_a_token_through_iam(app, call):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "emulator-user", "password": "emulator-password", "domain": {"name": "emulator-domain"}}}},
        "scope": {"project": {"name": "cn-north-4"}}}}
    answer = call("POST", "/v3/auth/tokens", body, auth=False)
    assert answer.status == 201
    token = answer.headers["X-Subject-Token"]
    assert app.iam.token(token)["project_id"] == app.accounts[0].project_id
    assert answer.json()["token"]["project"]["name"] == "cn-north-4"
    body["auth"]["identity"]["password"]["user"]["password"] = "wrong"
    refused = call("POST", "/v3/auth/tokens", body, auth=False)
    assert refused.status == 401 and refused.json()["error"]["title"] == "Unauthorized"
