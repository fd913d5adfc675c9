# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image's ``members`` result: each member and its status, read only when ``members`` is set."""

from __future__ import annotations

from ansible_collections.hwcloud.ims.plugins.modules import ims_image
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import (
    CREATED_AT,
    IMAGE_ID,
    MEMBER_A,
    MEMBER_B,
    MEMBER_C,
    image,
    member,
    members,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import create, get, lookup
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, Call, read_timeout, run_module

LIST = "/v2/images/%s/members" % IMAGE_ID


def run(args, **kwargs):
    return run_module(ims_image, dict(CONNECTION, **args), **kwargs)


def record(member_id, status, image_id=IMAGE_ID, when=CREATED_AT):
    return {"member_id": member_id, "image_id": image_id, "status": status, "created_at": when, "updated_at": when}


def listed(*entries):
    """``GET .../members`` answering (member id, status) pairs."""
    return Call("GET", LIST, answer={"members": [member(IMAGE_ID, member_id, status) for member_id, status in entries],
                                     "schema": "/v2/schemas/members"})


def test_an_unchanged_run_shows_each_member_and_its_status(http):
    http.expect(lookup("web", image()), listed((MEMBER_A, "accepted"), (MEMBER_B, "rejected")))
    result = run({"name": "web", "members": [MEMBER_A, MEMBER_B]})
    assert result["changed"] is False
    assert result["members"] == [record(MEMBER_A, "accepted"), record(MEMBER_B, "rejected")]


def test_members_added_are_pending_and_removed_ones_gone(http):
    http.expect(lookup("web", image()), listed((MEMBER_A, "accepted"), (MEMBER_C, "pending")),
                Call("POST", LIST, json={"member": MEMBER_B}, answer=member(IMAGE_ID, MEMBER_B)),
                Call("DELETE", "%s/%s" % (LIST, MEMBER_C), status=204))
    result = run({"name": "web", "members": [MEMBER_A, MEMBER_B]})
    assert result["members"] == [record(MEMBER_A, "accepted"), record(MEMBER_B, "pending")]


def test_in_check_mode_a_member_to_add_is_predicted_pending(http):
    http.expect(lookup("web", image()), listed((MEMBER_A, "accepted")))
    result = run({"name": "web", "members": [MEMBER_B]}, check_mode=True)
    assert result["members"] == [{"member_id": MEMBER_B, "image_id": IMAGE_ID, "status": "pending",
                                  "created_at": None, "updated_at": None}]


def test_a_member_add_of_unknown_outcome_found_by_the_read_back_is_shown_as_read(http, clock):
    http.expect(lookup("web", image()), listed(),
                Call("POST", LIST, json={"member": MEMBER_A}, raises=read_timeout),
                listed((MEMBER_A, "pending")))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["failed"] is False, result
    assert result["members"] == [record(MEMBER_A, "pending")]


def test_members_of_a_new_image(http):
    fields = {"name": "web", "container_format": "bare", "visibility": "private", "disk_format": "qcow2"}
    http.expect(lookup("web"), create(fields),
                Call("POST", "/v2/images/{id}/members", json={"member": MEMBER_A},
                     answer=lambda request, values: member(values["id"], MEMBER_A)))
    result = run({"name": "web", "disk_format": "qcow2", "members": [MEMBER_A]})
    assert result["members"] == [record(MEMBER_A, "pending", image_id=http.values["id"])]


def test_members_of_an_image_to_create_in_check_mode(http):
    http.expect(lookup("web"))
    result = run({"name": "web", "disk_format": "qcow2", "members": [MEMBER_A]}, check_mode=True)
    assert result["failed"] is False, result
    assert result["members"] == [{"member_id": MEMBER_A, "image_id": None, "status": "pending",
                                  "created_at": None, "updated_at": None}]


def test_a_run_without_members_reads_no_member_and_returns_none(http):
    http.expect(get(image()))
    result = run({"id": IMAGE_ID, "min_disk": 0})
    assert result["changed"] is False
    assert "members" not in result
    assert len(http.requests) == 1


def test_members_as_the_list_answer_gives_them(http):
    http.expect(lookup("web", image()), Call("GET", LIST, answer=members(IMAGE_ID, MEMBER_A, status="accepted")))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["members"][0]["status"] == "accepted"
