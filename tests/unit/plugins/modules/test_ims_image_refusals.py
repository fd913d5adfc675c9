# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image in process, against scripted HTTP: present, absent, check and diff mode.

The writes whose outcome may be unknown are in test_ims_image_unknown_outcome.py.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import (
    IMAGE_ID,
    MEMBER_A,
    OTHER_PROJECT,
    image,
    members,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import (
    create,
    get,
    lookup,
    patch,
    write_file,
    writes,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ANY,
    CONNECTION,
    Call,
    run_module,
)


def run(args, **kwargs):
    return run_module(ims_image, dict(CONNECTION, **args), **kwargs)


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("foreign, reason", [
    pytest.param({"owner": OTHER_PROJECT}, "it belongs to project %s" % OTHER_PROJECT, id="other-project"),
    pytest.param({"__imagetype": "gold", "visibility": "public"}, "it is a gold image", id="gold"),
    pytest.param({"__imagetype": "shared"}, "it is a shared image", id="shared"),
])
def test_a_foreign_image_is_never_changed(http, foreign, reason):
    http.expect(get(image(**foreign)))
    result = run({"id": IMAGE_ID, "min_ram": 4096})
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"] == "image %s ('web') is not owned by this project (%s); it cannot be changed" % (IMAGE_ID, reason)
    assert writes(http) == []


def test_a_foreign_image_that_needs_nothing_is_not_an_error(http):
    http.expect(get(image(owner=OTHER_PROJECT, min_ram=4096)))
    assert run({"id": IMAGE_ID, "min_ram": 4096})["changed"] is False


def test_a_foreign_image_is_never_deleted(http):
    http.expect(get(image(owner=OTHER_PROJECT)))
    result = run({"id": IMAGE_ID, "state": "absent"})
    assert result["failed"] is True
    assert "is not owned by this project (it belongs to project %s); it cannot be deleted" % OTHER_PROJECT in result["msg"]


def test_a_protected_image_is_not_deleted(http):
    http.expect(lookup("web", image(protected=True)))
    result = run({"name": "web", "state": "absent"})
    assert result["failed"] is True and result["changed"] is False
    assert "is protected and cannot be deleted; to delete it, first run this module with protected: false" in result["msg"]


def test_a_file_with_another_checksum_than_the_active_image_is_refused(http, tmp_path):
    path, _data, md5 = write_file(tmp_path)
    http.expect(lookup("web", image(checksum="0" * 32)))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is True and result["changed"] is False
    assert ("is active with checksum %s but %s has checksum %s; the file of an image cannot be replaced"
            % ("0" * 32, path, md5)) in result["msg"]


def test_a_file_over_12_mb_is_refused_with_aksk_before_the_create(http, tmp_path):
    path = tmp_path / "big.img"
    with open(path, "wb") as handle:
        handle.truncate(12 * 1024 * 1024 + 1)
    http.expect(lookup("big"))
    result = run({"name": "big", "filename": str(path)})
    assert result["failed"] is True and result["changed"] is False
    assert "is 12582913 bytes, but the API gateway accepts at most 12 MB in a request signed with AK/SK" in result["msg"]
    assert writes(http) == []


def test_a_file_of_exactly_12_mb_is_uploaded_with_aksk(http, tmp_path):
    path = tmp_path / "edge.img"
    with open(path, "wb") as handle:
        handle.truncate(12 * 1024 * 1024)
    http.expect(lookup("edge", image(name="edge", status="queued")),
                Call("PUT", "/v2/images/%s/file" % IMAGE_ID, status=204,
                     check=lambda request: request.body == bytes(12 * 1024 * 1024)),
                get(image(name="edge")))
    assert run({"name": "edge", "filename": str(path)})["operations"][0]["size"] == 12 * 1024 * 1024


def test_duplicates_fail_by_default_and_name_every_id(http):
    older = image("11111111-1111-4111-8111-111111111111", created_at="2024-01-01T00:00:00Z")
    newer = image("22222222-2222-4222-8222-222222222222", created_at="2024-02-01T00:00:00Z")
    http.expect(lookup("web", newer, older))
    result = run({"name": "web", "min_ram": 1})
    assert result["failed"] is True
    assert result["msg"] == ("found 2 images named 'web' in this project: %s (created 2024-01-01T00:00:00Z), "
                             "%s (created 2024-02-01T00:00:00Z); set on_duplicate to newest or oldest to pick one, "
                             "or give its id" % (older["id"], newer["id"]))


@pytest.mark.parametrize("policy, index", [("newest", 1), ("oldest", 0)])
def test_duplicates_under_newest_and_oldest(http, policy, index):
    images = [image("11111111-1111-4111-8111-111111111111", created_at="2024-01-01T00:00:00Z"),
              image("22222222-2222-4222-8222-222222222222", created_at="2024-02-01T00:00:00Z")]
    picked = images[index]
    http.expect(lookup("web", *reversed(images)),
                patch([{"op": "replace", "path": "/min_ram", "value": 512}], dict(picked, min_ram=512), picked["id"]))
    assert run({"name": "web", "min_ram": 512, "on_duplicate": policy})["image"]["id"] == picked["id"]


@pytest.mark.parametrize("method, path, args", [
    pytest.param("PATCH", "/v2/images/%s" % IMAGE_ID, {"min_ram": 2048}, id="update"),
    pytest.param("DELETE", "/v2/images/%s" % IMAGE_ID, {"state": "absent"}, id="delete"),
])
def test_a_refused_write_fails_unchanged(http, clock, method, path, args):
    http.expect(lookup("web", image(min_ram=1024)),
                Call(method, path, status=403, answer={"error_code": "APIGW.0302", "error_msg": "no permission"}))
    result = run(dict(args, name="web"))
    assert result["failed"] is True and result["changed"] is False
    assert result["operations"] == []
    assert result["msg"] == "%s %s failed: HTTP 403 APIGW.0302: no permission (request id: req-2)" % (method, path)
    assert (result["status_code"], result["error_code"], result["request_id"]) == (403, "APIGW.0302", "req-2")
    assert clock.sleeps == []


# -- option checks come before any request ----------------------------------------------------


@pytest.mark.parametrize("args, words", [
    ({"name": "x", "state": "gone"}, ["state"]),
    ({"name": "x", "on_duplicate": "first"}, ["on_duplicate"]),
    ({"name": "x", "disk_format": "vmdk"}, ["disk_format"]),
    ({"name": "x", "container_format": "ovf"}, ["container_format"]),
    ({"name": "x", "min_disk": -1}, ["min_disk"]),
    ({"name": "x", "min_disk": 1025}, ["min_disk"]),
    ({"name": "x", "min_disk": "big"}, ["min_disk"]),
    ({"name": "x", "min_ram": -1}, ["min_ram"]),
    ({"name": "x", "tags": ["ok=1", ""]}, ["tags"]),
    ({"name": "x", "tags": ["t" * 256]}, ["tags"]),
    ({"name": "x", "tags": ["a/b"]}, ["tags"]),
    ({"name": ""}, ["name"]),
    ({"name": "n" * 129}, ["name"]),
    ({"name": "x", "description": "d" * 1025}, ["description"]),
    ({"name": "x", "properties": {"status": "active"}}, ["properties", "status"]),
    ({"name": "x", "properties": {"__imagetype": "gold"}}, ["properties", "__imagetype"]),
    ({"name": "x", "properties": {"checksum": "0" * 32}}, ["properties", "checksum"]),
    ({"name": "x", "properties": {"name": "y"}}, ["properties", "name"]),
    ({"name": "x", "properties": {"__os_version": "Ubuntu 22.04 server 64bit"}}, ["properties", "__os_version"]),
    ({"name": "x", "properties": {"__description": "d"}}, ["properties", "__description"]),
    ({"name": "x", "properties": {"min_ram": 1}}, ["properties", "min_ram"]),
    ({"name": "x", "properties": {"build_list": ["1", "2"]}}, ["properties", "build_list"]),
    ({"name": "x", "properties": {"build_map": {"a": "1"}}}, ["properties", "build_map"]),
    ({"name": "x", "members": ["not-a-project-id"]}, ["members"]),
    ({"name": "x", "members": ["g" * 32]}, ["members"]),
    ({"name": "x", "members": [MEMBER_A[:-1]]}, ["members"]),
    ({"name": "x", "wait_timeout": 0}, ["wait_timeout"]),
    ({"name": "x", "filename": "/nonexistent/hwcloud-ims/disk.img"}, ["filename"]),
    ({"min_ram": 1}, ["id", "name"]),
    ({"name": ["a"]}, ["name"]),
], ids=lambda value: None if isinstance(value, dict) else "-".join(value))
def test_bad_options_fail_before_any_request(http, args, words):
    """Each bad value fails with a message naming the option (and the property key), before any request.

    The cases of the journey tests/journeys/test_journey_ims_image.py ran through ``ansible`` (it keeps one).
    """
    result = run(args)
    assert result["failed"] is True
    for word in words:
        assert word in result["msg"], result["msg"]
    assert "exception" not in result
    assert http.requests == []


def test_the_secret_key_is_never_in_the_result(http):
    http.expect(lookup("web", image()))
    result = run({"name": "web"})
    assert CONNECTION["secret_key"] not in repr(result)


def test_with_a_token_no_project_id_and_no_iam_to_ask_nothing_is_looked_up(http):
    """A lookup without owner could miss the image and create it twice: the task fails before any request."""
    result = run_module(ims_image, {"ims_endpoint": CONNECTION["ims_endpoint"], "auth_token": "a-token", "name": "web"})
    assert result["failed"] is True and result["operations"] == []
    assert result["msg"] == (
        "the project of these credentials is not known: set project_id (HW_PROJECT_ID) to the project's id; there "
        "is no IAM endpoint to ask for the token's project: set iam_endpoint (HW_IAM_ENDPOINT) or region. Nothing "
        "that needs the project (finding the project's own or shared images, members) is done without it, so that "
        "no image is missed and created twice")
    assert http.requests == []


# -- answers of the wrong shape ----------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    pytest.param({"images": {}}, id="images-an-object"),
    pytest.param({"images": [image(), "x"]}, id="an-image-a-string"),
    pytest.param({"images": [image(status=None)]}, id="status-null"),
    pytest.param({"images": [dict(image(), tags="a=1")]}, id="tags-a-string"),
    pytest.param({"images": [image()], "next": 5}, id="next-a-number"),
    pytest.param([image()], id="body-a-list"),
    pytest.param(None, id="no-body"),
])
def test_a_lookup_answer_of_the_wrong_shape_fails_cleanly_and_writes_nothing(http, answer):
    http.expect(Call("GET", "/v2/images", query=ANY, answer=answer))
    result = run({"name": "web", "min_ram": 2048})
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("GET /v2/images answered HTTP 200 with a body this collection cannot use: ")
    assert result["msg"].endswith("(request id: req-1)")
    assert writes(http) == []


@pytest.mark.parametrize("call, answer", [
    pytest.param("members", {"members": [{"member_id": 7}]}, id="member-id-a-number"),
    pytest.param("members", {"members": None}, id="members-null"),
    pytest.param("get", dict(image(), id=None), id="image-id-null"),
    pytest.param("get", "text", id="image-a-string"),
])
def test_other_answers_of_the_wrong_shape_fail_cleanly(http, call, answer):
    if call == "members":
        http.expect(lookup("web", image()), Call("GET", "/v2/images/%s/members" % IMAGE_ID, answer=answer))
        args = {"name": "web", "members": [MEMBER_A]}
    else:
        http.expect(get(answer))
        args = {"id": IMAGE_ID, "min_ram": 1}
    result = run(args)
    assert result["failed"] is True and result["changed"] is False
    assert "answered HTTP 200 with a body this collection cannot use: " in result["msg"]
    assert result["msg"].endswith("(request id: req-%d)" % len(http.requests))
    assert writes(http) == []


# -- a failed result carries the image as it is -------------------------------------------------


@pytest.mark.parametrize("found, args, words", [
    pytest.param(image(protected=True), {"state": "absent"}, "is protected and cannot be deleted", id="protected-delete"),
    pytest.param(image(status="killed"), {"min_ram": 1}, "is killed", id="killed"),
    pytest.param(image(owner=OTHER_PROJECT), {"min_ram": 1}, "is not owned by this project", id="foreign"),
    pytest.param(image(checksum="0" * 32), {"disk_format": "qcow2"}, "disk_format cannot be changed", id="immutable"),
])
def test_a_refusal_returns_the_image_it_refused(http, found, args, words):
    http.expect(lookup("web", found))
    result = run(dict(args, name="web"))
    assert result["failed"] is True and words in result["msg"]
    assert result["image"] == found
    assert writes(http) == []


def test_a_failure_after_a_create_returns_the_created_image(http):
    fields = {"name": "web", "container_format": "bare", "visibility": "private", "disk_format": "qcow2"}
    http.expect(lookup("web"), create(fields),
                Call("POST", "/v2/images/{id}/members", status=403,
                     answer={"error_code": "APIGW.0302", "error_msg": "no permission"}))
    result = run({"name": "web", "disk_format": "qcow2", "members": [MEMBER_A]})
    assert result["failed"] is True and result["status_code"] == 403
    assert result["operations"] == [{"action": "create", "fields": fields}]
    assert result["image"]["name"] == "web" and result["image"]["status"] == "queued"
    assert result["image"]["id"] == http.requests[1].json["id"]


def test_a_failure_after_an_update_returns_the_updated_image(http):
    updated = image(min_ram=2048)
    http.expect(lookup("web", image(min_ram=1024)), Call("GET", "/v2/images/%s/members" % IMAGE_ID, answer=members(IMAGE_ID)),
                patch([{"op": "replace", "path": "/min_ram", "value": 2048}], updated),
                Call("POST", "/v2/images/%s/members" % IMAGE_ID, status=403,
                     answer={"error_code": "APIGW.0302", "error_msg": "no permission"}))
    result = run({"name": "web", "min_ram": 2048, "members": [MEMBER_A]})
    assert result["failed"] is True and result["image"] == updated


def test_a_failure_after_replacing_a_killed_image_returns_no_image(http):
    http.expect(lookup("web", image(status="killed")),
                Call("DELETE", "/v2/images/%s" % IMAGE_ID, status=204),
                Call("POST", "/v2/images", status=403, answer={"error_code": "APIGW.0302", "error_msg": "no permission"}))
    result = run({"name": "web", "disk_format": "qcow2", "replace_failed": True})
    assert result["failed"] is True and result["image"] is None
    assert result["operations"] == [{"action": "delete", "id": IMAGE_ID, "reason": "killed"}]
