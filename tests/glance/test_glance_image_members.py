# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The members of hwcloud.ims.ims_image against a real Glance.

Glance lets only an image with ``visibility: shared`` have members (its default on create); an
image the module creates is ``private``, as IMS's are, and IMS lets a private image have members
where Glance answers 403 "Only shared images have members.". Helpers: test_glance_image.py.
"""

from __future__ import annotations

from glance_api import mark, served, written
from test_glance_image import assert_clean_message, assert_playbook_passed, rerun_unchanged, run, succeeded

MEMBER_A = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
MEMBER_B = "b1b2c3d4e5f60718293a4b5c6d7e8f90"
MEMBER_C = "c1b2c3d4e5f60718293a4b5c6d7e8f90"


def assert_says_what_to_do(msg):
    """A refusal of members that a user can act on: clean, and it names visibility shared."""
    assert_clean_message(msg)
    assert "visibility" in msg and "shared" in msg, msg


def test_members_of_a_shared_image_added_purged_and_rerun(glance, api, ansible, hw_env):
    seeded = api.create("shared-1", data=b"s" * 2048)
    assert seeded["visibility"] == "shared"  # Glance's default
    image_id = seeded["id"]
    since = mark(glance)
    ran = ansible.run_playbook("image_members.yml", hw_env, extra_vars={
        "image_name": "shared-1", "image_id": image_id, "member_a": MEMBER_A, "member_b": MEMBER_B,
        "member_c": MEMBER_C})
    assert_playbook_passed(ran)
    seen = served(glance, since)
    members = "/v2/images/%s/members" % image_id
    # Seven steps, each one lookup by name and one listing of the members; the re-runs nothing more.
    assert [line for line in seen if line.startswith("GET")] == ["GET /v2/images 200", "GET %s 200" % members] * 7, seen
    writes = ["%s %s %s" % (method, path, status) for method, path, _query, status in written(glance, since)]
    first = ["POST %s 200" % members] * 3 + ["DELETE %s/%s 204" % (members, MEMBER_A), "POST %s 200" % members]
    assert writes[:5] == first, seen
    assert sorted(writes[5:]) == ["DELETE %s/%s 204" % (members, member) for member in (MEMBER_A, MEMBER_B, MEMBER_C)]
    assert ran.recap()["localhost"]["changed"] == 4, ran.recap()
    assert api.members(image_id) == []
    assert api.get(image_id)["visibility"] == "shared"


def test_members_stay_as_glance_holds_them(glance, api, ansible, hw_env):
    """One ad hoc step: the members Glance then holds, pending, and a re-run that reads twice and writes nothing."""
    image_id = api.create("shared-2", data=b"s" * 1024)["id"]
    api.add_member(image_id, MEMBER_C)
    args = {"name": "shared-2", "members": [MEMBER_A, MEMBER_B]}
    since = mark(glance)
    result = succeeded(run(ansible, hw_env, args))
    members = "/v2/images/%s/members" % image_id
    assert served(glance, since) == ["GET /v2/images 200", "GET %s 200" % members, "POST %s 200" % members,
                                     "POST %s 200" % members, "DELETE %s/%s 204" % (members, MEMBER_C)]
    assert result["changed"] is True
    assert sorted(member["member_id"] for member in result["members"]) == [MEMBER_A, MEMBER_B]
    held = api.members(image_id)
    assert sorted((member["member_id"], member["status"]) for member in held) == \
        [(MEMBER_A, "pending"), (MEMBER_B, "pending")]
    # The members are read to compare them: the re-run's two reads, no write.
    rerun_unchanged(glance, ansible, hw_env, args, reads=["GET /v2/images 200", "GET %s 200" % members])
    assert len(api.members(image_id)) == 2


def test_members_of_a_private_image_glance_refuses_and_the_module_says_what_to_do(glance, api, ansible, hw_env):
    created = succeeded(run(ansible, hw_env, {"name": "private-1", "disk_format": "raw"}))
    image_id = created["image"]["id"]
    assert api.get(image_id)["visibility"] == "private"  # what the module creates, as on IMS
    # What Glance does (IMS would list the members of a private image).
    status, body = api.attempt("GET", "/v2/images/%s/members" % image_id)
    assert status == 403 and "Only shared images have members." in body["message"], body

    for options in ((), ("--check",)):
        since = mark(glance)
        ran = run(ansible, hw_env, {"name": "private-1", "members": [MEMBER_A]}, *options)
        assert ran.rc != 0, ran
        assert "Traceback" not in ran.output, ran
        assert written(glance, since) == [], served(glance, since)
        result = ran.result()
        assert result["failed"] is True and result["changed"] is False, result
        assert result["operations"] == [], result
        assert_says_what_to_do(result["msg"])
    assert api.get(image_id)["visibility"] == "private"


def test_a_create_with_members_on_glance_says_what_to_do(glance, api, ansible, hw_env):
    since = mark(glance)
    ran = run(ansible, hw_env, {"name": "private-2", "disk_format": "raw", "members": [MEMBER_A]})
    assert ran.rc != 0, ran
    assert "Traceback" not in ran.output, ran
    seen = served(glance, since)
    result = ran.result()
    assert result["failed"] is True, result
    assert_says_what_to_do(result["msg"])
    images = api.by_name("private-2")
    # The create was taken, the member was not: the result says so, and there is one image.
    assert len(images) == 1, images
    assert result["changed"] is True and result["image"]["id"] == images[0]["id"], result
    assert [op["action"] for op in result["operations"]] == ["create"], result
    assert seen.count("POST /v2/images 201") == 1, seen
    assert not any(line.startswith("POST /v2/images/") and line.endswith(" 200") for line in seen), seen


def test_visibility_shared_makes_an_image_take_members_on_glance(glance, api, ansible, hw_env):
    """The way out the message gives works: a private image made shared and given members in one task."""
    image_id = api.create("private-3", data=b"p" * 512, visibility="private")["id"]
    args = {"name": "private-3", "visibility": "shared", "members": [MEMBER_A]}
    since = mark(glance)
    result = succeeded(run(ansible, hw_env, args))
    assert result["changed"] is True
    members = "/v2/images/%s/members" % image_id
    # The members of a private image cannot be listed on Glance (403): none, then the patch, then the member.
    assert served(glance, since) == ["GET /v2/images 200", "GET %s 403" % members, "PATCH /v2/images/%s 200" % image_id,
                                     "POST %s 200" % members], served(glance, since)
    assert api.get(image_id)["visibility"] == "shared"
    assert [member["member_id"] for member in api.members(image_id)] == [MEMBER_A]
    rerun_unchanged(glance, ansible, hw_env, args, reads=["GET /v2/images 200", "GET %s 200" % members])

    # And a new image with visibility shared takes its members in the run that creates it.
    args = {"name": "shared-new", "disk_format": "raw", "visibility": "shared", "members": [MEMBER_B]}
    result = succeeded(run(ansible, hw_env, args))
    created = api.by_name("shared-new")
    assert [image["visibility"] for image in created] == ["shared"]
    assert [member["member_id"] for member in api.members(created[0]["id"])] == [MEMBER_B]
    assert result["members"][0]["member_id"] == MEMBER_B
