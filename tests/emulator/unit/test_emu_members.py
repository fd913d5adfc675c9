# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Members and ``visibility`` under ``X-Api-Version`` (README "Members and X-Api-Version"), in
process. By default IMS's older semantics: any private image may have members, a user's image is
created ``private`` and ``visibility`` is read-only. With ``X-Api-Version`` 2.5 or later (Glance's
Image API 2.5): only ``shared`` images have members (403 otherwise), and ``visibility`` may be
``shared`` on create and be changed between ``private`` and ``shared``."""

from __future__ import annotations

import pytest

from imsemu.ims.documents import requested_api_version, shared_visibility_semantics

P2 = "b" * 32
PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
NEW = {"X-Api-Version": "2.5"}


def create(call, headers=None, **fields):
    answer = call("POST", "/v2/images", dict({"name": "shared-or-not"}, **fields), headers=headers)
    assert answer.status == 201, answer.body
    return answer.json()


def add_member(call, image_id, headers=None, member=P2):
    return call("POST", "/v2/images/%s/members" % image_id, {"member": member}, headers=headers)


def patch_visibility(call, image_id, value, headers=None, op="replace"):
    operation = {"op": op, "path": "/visibility"}
    if op != "remove":
        operation["value"] = value
    return call("PATCH", "/v2/images/" + image_id, [operation], headers=dict(PATCH, **(headers or {})))


def ims_error(answer, status, code):
    assert answer.status == status, answer.body
    body = answer.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    return body["error"]["message"]


@pytest.mark.parametrize("value, expected", [
    ("2.5", (2, 5)), ("v2.6", (2, 6)), ("image 2.9", (2, 9)), (" 3.0 ", (3, 0)), ("V2.10", (2, 10)),
    ("2", None), ("Queens", None), ("2.5.1", None), ("", None), ("latest", None),
])
def test_the_header_is_read_as_major_minor(make_ctx, value, expected):
    ctx = make_ctx("GET", "/v2/images", {"X-Api-Version": value})
    assert requested_api_version(ctx) == expected
    assert shared_visibility_semantics(ctx) is (expected is not None and expected >= (2, 5))


def test_without_the_header_there_is_no_version(make_ctx):
    assert requested_api_version(make_ctx("GET", "/v2/images")) is None


@pytest.mark.parametrize("headers", [None, {"X-Api-Version": "2.4"}, {"X-Api-Version": "2.0"},
                                     {"X-Api-Version": "Queens"}, {"X-Api-Version": ""}])
def test_by_default_a_private_image_may_have_members(call, headers):
    image = create(call)
    assert image["visibility"] == "private"
    answer = add_member(call, image["id"], headers)
    assert answer.status == 200 and answer.json()["status"] == "pending"


@pytest.mark.parametrize("version", ["2.5", "2.6", "v2.9", "image 2.5", "3.0"])
def test_from_2_5_only_shared_images_have_members(app, call, version):
    image = create(call)
    message = ims_error(add_member(call, image["id"], {"X-Api-Version": version}), 403, "IMG.0403")
    assert "Only shared images have members" in message
    assert app.store.members.get(image["id"], {}) == {}


def test_from_2_5_a_private_image_becomes_shared_and_then_has_members(app, call):
    image = create(call)
    patched = patch_visibility(call, image["id"], "shared", NEW)
    assert patched.status == 200 and patched.json()["visibility"] == "shared"
    assert patched.json()["__imagetype"] == "private"  # still the owner's private image in IMS's terms
    assert add_member(call, image["id"], NEW).status == 200
    assert app.store.get(image["id"])["visibility"] == "shared"
    assert call("GET", "/v2/images/" + image["id"]).json()["visibility"] == "shared"  # the owner sees it shared


def test_from_2_5_an_image_is_created_shared(call):
    image = create(call, NEW, visibility="shared")
    assert image["visibility"] == "shared"
    assert add_member(call, image["id"], NEW).status == 200


def test_from_2_5_a_shared_image_made_private_again_takes_no_new_member(call):
    image = create(call, NEW, visibility="shared")
    assert add_member(call, image["id"], NEW).status == 200
    assert patch_visibility(call, image["id"], "private", NEW).json()["visibility"] == "private"
    ims_error(add_member(call, image["id"], NEW, member="c" * 32), 403, "IMG.0403")
    # the member already there stays (the emulator decides what a member sees by membership)
    assert [m["member_id"] for m in call("GET", "/v2/images/%s/members" % image["id"]).json()["members"]] == [P2]


def test_the_other_member_rules_come_before_or_after_as_they_did(call):
    image = create(call, NEW, visibility="shared")
    assert add_member(call, image["id"], NEW).status == 200
    ims_error(add_member(call, image["id"], NEW), 409, "IMG.0409")  # already a member


@pytest.mark.parametrize("headers", [None, {"X-Api-Version": "2.4"}])
def test_by_default_visibility_is_private_on_create_and_read_only(call, headers):
    assert "visibility must be private" == ims_error(
        call("POST", "/v2/images", {"visibility": "shared"}, headers=headers), 400, "IMG.0001")
    ims_error(call("POST", "/v2/images", {"visibility": "public"}, headers=headers), 400, "IMG.0001")
    image = create(call, headers, visibility="private")
    assert image["visibility"] == "private"
    for value in ("shared", "private"):
        ims_error(patch_visibility(call, image["id"], value, headers), 403, "IMG.0403")


def test_from_2_5_public_stays_refused_and_other_values_are_wrong(call):
    ims_error(call("POST", "/v2/images", {"visibility": "public"}, headers=NEW), 400, "IMG.0001")
    ims_error(call("POST", "/v2/images", {"visibility": "community"}, headers=NEW), 400, "IMG.0001")
    image = create(call)
    ims_error(patch_visibility(call, image["id"], "public", NEW), 403, "IMG.0403")
    ims_error(patch_visibility(call, image["id"], "everyone", NEW), 400, "IMG.0001")
    ims_error(patch_visibility(call, image["id"], 5, NEW), 400, "IMG.0001")
    ims_error(patch_visibility(call, image["id"], None, NEW, op="remove"), 403, "IMG.0403")
    missing = call("PATCH", "/v2/images/" + image["id"], [{"op": "add", "path": "/visibility"}],
                   headers=dict(PATCH, **NEW))
    ims_error(missing, 400, "IMG.0001")
    assert call("GET", "/v2/images/" + image["id"]).json()["visibility"] == "private"


def test_add_on_visibility_works_as_replace_from_2_5(call):
    image = create(call)
    assert patch_visibility(call, image["id"], "shared", NEW, op="add").json()["visibility"] == "shared"


def test_a_default_request_adds_members_to_a_shared_image_too(call):
    image = create(call, NEW, visibility="shared")
    assert add_member(call, image["id"]).status == 200


def test_a_member_sees_an_image_shared_from_2_5_as_shared(app, call):
    image = create(call, NEW, visibility="shared")
    assert add_member(call, image["id"], NEW).status == 200
    seen, _relation = app.store.visible(image["id"], P2)
    assert seen["visibility"] == "shared" and seen["__imagetype"] == "shared"
