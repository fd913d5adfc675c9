# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_info with ``members: true``: the members of each own image, one request per own image."""

from __future__ import annotations

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_info
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import (
    CREATED_AT,
    IMAGE_ID,
    MEMBER_A,
    MEMBER_B,
    OTHER_PROJECT,
    image,
    listing,
    member,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, Call, run_module

SORT = {("sort_key", "created_at"), ("sort_dir", "desc"), ("limit", "1000")}
OWN_2 = "00000000-0000-4000-8000-000000000002"
SHARED_IN = "00000000-0000-4000-8000-000000000003"


def run(args, **kwargs):
    return run_module(ims_image_info, dict(CONNECTION, **args), **kwargs)


def member_list(image_id, *entries):
    return Call("GET", "/v2/images/%s/members" % image_id,
                answer={"members": [member(image_id, member_id, status) for member_id, status in entries]})


def test_each_own_image_gets_its_members_and_no_other_image_is_asked(http):
    foreign = image(SHARED_IN, name="in", owner=OTHER_PROJECT, visibility="shared")
    http.expect(Call("GET", "/v2/images", query=SORT, answer=listing([image(), image(OWN_2, name="db"), foreign])),
                member_list(IMAGE_ID, (MEMBER_A, "accepted"), (MEMBER_B, "pending")),
                member_list(OWN_2))
    result = run({"members": True})
    web, db, shared = result["images"]
    assert web["members"] == [
        {"member_id": MEMBER_A, "image_id": IMAGE_ID, "status": "accepted", "created_at": CREATED_AT,
         "updated_at": CREATED_AT},
        {"member_id": MEMBER_B, "image_id": IMAGE_ID, "status": "pending", "created_at": CREATED_AT,
         "updated_at": CREATED_AT}]
    assert db["members"] == []
    assert "members" not in shared
    assert len(http.requests) == 3


def test_one_image_by_id_with_its_members(http):
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image()), member_list(IMAGE_ID, (MEMBER_A, "rejected")))
    result = run({"id": IMAGE_ID, "members": True})
    assert [entry["status"] for entry in result["images"][0]["members"]] == ["rejected"]


def test_without_members_no_member_is_read(http):
    http.expect(Call("GET", "/v2/images", query=SORT, answer=listing([image()])))
    result = run({})
    assert "members" not in result["images"][0]
    assert len(http.requests) == 1


def test_members_needs_a_project_id(http):
    args = {"ims_endpoint": CONNECTION["ims_endpoint"], "auth_token": "a-token", "members": True}
    result = run_module(ims_image_info, args)
    assert result["failed"] is True
    assert result["msg"].startswith("the project of these credentials is not known: set project_id (HW_PROJECT_ID)")
    assert http.requests == []


def test_an_image_that_is_not_shared_has_no_members_where_glance_refuses_to_list_them(http):
    """Upstream Glance answers 403 to the listing of a private image's members: it has none."""
    refusal = {"message": "Not allowed to list members for image %s: Only shared images have members.<br /><br />\n\n\n"
               % IMAGE_ID, "code": "403 Forbidden", "title": "Forbidden"}
    private = dict(image(), visibility="private")
    private.pop("__imagetype", None)
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, answer=private),
                Call("GET", "/v2/images/%s/members" % IMAGE_ID, status=403, answer=refusal))
    result = run({"id": IMAGE_ID, "members": True})
    assert not result.get("failed"), result
    assert result["images"][0]["members"] == []
