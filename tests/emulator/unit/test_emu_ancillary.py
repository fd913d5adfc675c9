"""The ancillary native calls in process: ``GET /v1/cloudimages/quota`` (the per-project private
image quota, set through the control surface and enforced on create) and
``GET /v1/cloudimages/os_version`` (the catalogue of valid os_version values)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from imsemu.app import EmulatorApp
from imsemu.defaults import DEFAULT_QUOTA
from imsemu.ims.images import os_fields
from imsemu.ims.os_versions import OS_VERSIONS, is_known_os_version, list_os_versions
from imsemu.ims.quotas import MAX_QUOTA

OTHER = "c" * 32


def control(app, method, path, body=None):
    response = app.control.handle(method, path, b"" if body is None else json.dumps(body).encode())
    return response.status, json.loads(response.body)


def quota_of(call):
    answer = call("GET", "/v1/cloudimages/quota")
    assert answer.status == 200
    body = answer.json()
    assert list(body) == ["quotas"] and list(body["quotas"]) == ["resources"]
    [resource] = body["quotas"]["resources"]
    return resource


def test_the_quota_answer_and_what_counts_as_used(app, call):
    resource = quota_of(call)
    assert resource == {"type": "image", "used": 0, "quota": DEFAULT_QUOTA, "min": 1, "max": MAX_QUOTA}
    me = app.accounts[0].project_id
    seeder = app.control.seeder
    seeder.seed({"images": [{"count": 3}, {"count": 1, "status": "killed"}]})  # private images of mine
    seeder.seed({"images": [{"count": 2, "owner": OTHER, "members": [{"member": me, "status": "accepted"}]},
                            {"count": 2, "imagetype": "gold"}]})  # shared with me, public: not mine
    assert quota_of(call)["used"] == 4


def test_the_quota_is_per_project_and_set_through_the_control_surface(app, call):
    me = app.accounts[0].project_id
    assert control(app, "GET", "/_emulator/quota") == (200, {"default": DEFAULT_QUOTA, "projects": {}})
    assert control(app, "POST", "/_emulator/quota", {"project_id": me, "quota": 2}) == \
        (200, {"default": DEFAULT_QUOTA, "projects": {me: 2}})
    assert quota_of(call)["quota"] == 2
    assert app.store.quotas.limit(OTHER) == DEFAULT_QUOTA  # another project keeps the default
    assert control(app, "POST", "/_emulator/quota", {"quota": 7})[1] == {"default": 7, "projects": {me: 2}}
    assert (quota_of(call)["quota"], app.store.quotas.limit(OTHER)) == (2, 7)
    assert control(app, "POST", "/_emulator/quota", {"project_id": me, "quota": None})[1] == \
        {"default": 7, "projects": {}}
    assert quota_of(call)["quota"] == 7
    control(app, "POST", "/_emulator/quota", {"project_id": me, "quota": 0})
    control(app, "POST", "/_emulator/reset")
    assert control(app, "GET", "/_emulator/quota")[1] == {"default": DEFAULT_QUOTA, "projects": {}}


@pytest.mark.parametrize("body", [
    {}, {"quota": -1}, {"quota": MAX_QUOTA + 1}, {"quota": "5"}, {"quota": True}, {"quota": None},
    {"project_id": "", "quota": 1}, {"project_id": 5, "quota": 1}, {"quota": 1, "extra": 1}, [1],
])
def test_a_bad_quota_call_changes_nothing(app, body):
    status, answer = control(app, "POST", "/_emulator/quota", body)
    assert status == 400 and answer["error"]
    assert app.store.quotas.describe() == {"default": DEFAULT_QUOTA, "projects": {}}


def test_the_project_quota_is_what_a_create_meets(app, call):
    me = app.accounts[0].project_id
    control(app, "POST", "/_emulator/quota", {"project_id": me, "quota": 1})
    assert call("POST", "/v2/images", {"name": "one"}).status == 201
    answer = call("POST", "/v2/images", {"name": "two"})
    assert answer.status == 400 and answer.json()["error"]["code"] == "IMG.0015"
    assert quota_of(call) == {"type": "image", "used": 1, "quota": 1, "min": 1, "max": MAX_QUOTA}
    control(app, "POST", "/_emulator/quota", {"project_id": me, "quota": 2})
    assert call("POST", "/v2/images", {"name": "two"}).status == 201


def test_the_command_line_quota_is_the_default():
    app = EmulatorApp(public_images=False, quota=3)
    try:
        assert app.store.quotas.describe() == {"default": 3, "projects": {}}
        app.store.quotas.set(9)
        app.reset_state()
        assert app.store.quotas.limit(app.accounts[0].project_id) == 3
    finally:
        app.close()


def os_versions(call, **query):
    answer = call("GET", "/v1/cloudimages/os_version" + ("?" + urlencode(query) if query else ""))
    assert answer.status == 200
    return answer.json()


def flat(body):
    return [entry["os_version"] for group in body for entry in group["version_list"]]


def test_every_os_version_and_its_fields(call):
    body = os_versions(call)
    assert flat(body) == [os_version for os_version, _tags in OS_VERSIONS]
    platforms = [group["platform"] for group in body]
    assert len(platforms) == len(set(platforms))  # one group per platform
    assert {"CentOS", "Ubuntu", "Debian", "EulerOS", "Windows", "SUSE", "Other"} <= set(platforms)
    for group in body:
        assert set(group) == {"platform", "version_list"}
        for entry in group["version_list"]:
            assert set(entry) == {"platform", "os_version_key", "os_version", "os_bit", "os_type"}
            assert entry["platform"] == group["platform"] and entry["os_version_key"] == entry["os_version"]
            assert entry["os_bit"] in (32, 64) and entry["os_type"] in ("Linux", "Windows", "Other")
            # what an image made with this os_version gets
            assert os_fields(entry["os_version"]) == (entry["os_type"], entry["platform"], str(entry["os_bit"]))
    windows = [e for g in body for e in g["version_list"] if g["platform"] == "Windows"]
    assert windows and all(e["os_type"] == "Windows" for e in windows)
    assert [e["os_bit"] for g in body for e in g["version_list"] if e["os_version"] == "CentOS 6.10 32bit"] == [32]


def test_the_tags_choose_a_part_of_the_catalogue(call):
    everything = set(flat(os_versions(call)))
    arm, x86 = set(flat(os_versions(call, tag="arm"))), set(flat(os_versions(call, tag="x86")))
    assert arm and x86 and arm | x86 == everything and not arm & x86
    assert all(v.endswith("with ARM") for v in arm)
    for tag in ("bms", "uefi"):
        part = set(flat(os_versions(call, tag=tag)))
        assert part and part < everything
    assert "CentOS 7.9 64bit" in set(flat(os_versions(call, tag="bms")))
    assert "CentOS 6.10 64bit" not in set(flat(os_versions(call, tag="uefi")))
    assert list_os_versions("arm") == os_versions(call, tag="arm")


@pytest.mark.parametrize("query", ["?tag=ppc", "?tag=", "?tag=arm&tag=x86", "?tag=ARM"])
def test_a_bad_tag_is_refused(call, query):
    answer = call("GET", "/v1/cloudimages/os_version" + query)
    assert answer.status == 400 and answer.json()["error"]["code"] == "IMG.0001"


def test_is_known_os_version():
    assert is_known_os_version("Ubuntu 22.04 server 64bit")
    assert is_known_os_version("Other Linux(64 bit)")  # what an image gets when it names none
    for wrong in ("ubuntu 22.04 server 64bit", "Ubuntu 22.04", "", None, 64):
        assert not is_known_os_version(wrong)


def test_the_calls_need_authentication(call):
    assert call("GET", "/v1/cloudimages/quota", auth=False).status == 401
    assert call("GET", "/v1/cloudimages/os_version", auth=False).status == 401
