# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image against upstream Glance 33's answers beside IMS's: members and visibility, refusals, patches.

Glance differs from IMS (docs/dev/ims-api.md): only an image whose visibility
is ``shared`` has members (IMS applies that rule only with ``X-Api-Version`` 2.5 or later), a
protected delete is 403 (IMS: 400 ``IMG.0028``), another project's image is 404, ``remove`` of a
missing property and ``replace`` of one are 409, its images carry no ``__imagetype``, and its
errors are webob bodies with ``x-openstack-request-id``.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, ims_error, member, members
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import actions, create, lookup, patch
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, Call, run_module

MEMBER_A = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
GLANCE_REQUEST_ID = "req-3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9"
MEMBERS_PATH = "/v2/images/%s/members" % IMAGE_ID
NOT_SHARED_HINT = ("the server refuses members on an image whose visibility is private (upstream Glance, and IMS with "
                   "X-Api-Version 2.5 or later): set visibility: shared on this task to share image %s ('web') with "
                   "members" % IMAGE_ID)


def run(args, **kwargs):
    return run_module(ims_image, dict(CONNECTION, **args), **kwargs)


def glance_image(**fields):
    """An image as Glance answers it: no IMS ``__`` fields."""
    result = image(**fields)
    for key in [key for key in result if key.startswith("__")]:
        del result[key]
    return result


def webob(status, title, explanation, detail=""):
    return {"message": "%s<br /><br />\n%s\n\n" % (explanation, detail), "code": status, "title": title}


def glance_refusal(method, path, status, body, **kwargs):
    return Call(method, path, status=status, answer=body, request_id=None,
                answer_headers={"x-openstack-request-id": GLANCE_REQUEST_ID}, **kwargs)


def no_markup(text):
    assert "<" not in text and "br />" not in text and "\n" not in text, text
    return text


# -- members -----------------------------------------------------------------------------------------


def test_glance_refuses_a_member_of_a_private_image_and_the_task_names_visibility(http):
    refusal = webob("403 Forbidden", "Forbidden", "Only shared images have members.")
    http.expect(lookup("web", glance_image(visibility="private")), Call("GET", MEMBERS_PATH, answer={"members": []}),
                glance_refusal("POST", MEMBERS_PATH, 403, refusal, json={"member": MEMBER_A}))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["failed"] is True
    assert no_markup(result["msg"]) == (
        "POST %s failed: HTTP 403 Forbidden: Only shared images have members. (request id: %s); %s"
        % (MEMBERS_PATH, GLANCE_REQUEST_ID, NOT_SHARED_HINT))
    assert (result["status_code"], result["request_id"]) == (403, GLANCE_REQUEST_ID)
    assert result["changed"] is False and result["operations"] == []
    assert len(http.made("POST", MEMBERS_PATH)) == 1  # never retried


def test_ims_2_5_refuses_the_same_way_and_earlier_writes_are_reported(http):
    refusal = ims_error("IMG.0151", "Only shared images have members.")
    operations = [{"op": "replace", "path": "/min_ram", "value": 2048}]
    http.expect(lookup("web", image(min_ram=1024)), Call("GET", MEMBERS_PATH, answer={"members": []}),
                patch(operations, image(min_ram=2048)),
                Call("POST", MEMBERS_PATH, status=403, answer=refusal, json={"member": MEMBER_A}, request_id="r9"))
    result = run({"name": "web", "min_ram": 2048, "members": [MEMBER_A]})
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"] == ("POST %s failed: HTTP 403 IMG.0151: Only shared images have members. (request id: r9); %s"
                             % (MEMBERS_PATH, NOT_SHARED_HINT))
    assert actions(result) == ["update"]
    assert result["image"]["min_ram"] == 2048  # the image as the update left it


def test_ims_by_default_takes_a_member_of_a_private_image(http):
    http.expect(lookup("web", image(visibility="private")), Call("GET", MEMBERS_PATH, answer={"members": []}),
                Call("POST", MEMBERS_PATH, json={"member": MEMBER_A}, answer=member(IMAGE_ID, MEMBER_A)))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["failed"] is False and actions(result) == ["add_member"]


@pytest.mark.parametrize("server_image", [glance_image, image], ids=["glance", "ims"])
def test_visibility_shared_is_set_before_the_members_on_both_servers(http, server_image):
    operations = [{"op": "replace", "path": "/visibility", "value": "shared"}]
    http.expect(lookup("web", server_image(visibility="private")), Call("GET", MEMBERS_PATH, answer={"members": []}),
                patch(operations, server_image(visibility="shared")),
                Call("POST", MEMBERS_PATH, json={"member": MEMBER_A}, answer=member(IMAGE_ID, MEMBER_A)))
    result = run({"name": "web", "visibility": "shared", "members": [MEMBER_A]})
    assert result["failed"] is False, result
    assert actions(result) == ["update", "add_member"]


def test_a_shared_image_with_its_members_is_left_alone(http):
    http.expect(lookup("web", glance_image(visibility="shared")),
                Call("GET", MEMBERS_PATH, answer=members(IMAGE_ID, MEMBER_A)))
    result = run({"name": "web", "visibility": "shared", "members": [MEMBER_A]})
    assert result["failed"] is False and result["changed"] is False


def test_a_new_image_is_created_with_the_visibility_asked_for_else_private(http):
    fields = {"name": "web", "container_format": "bare", "disk_format": "qcow2", "visibility": "shared"}
    http.expect(lookup("web"), create(fields))
    assert run({"name": "web", "disk_format": "qcow2", "visibility": "shared"})["changed"] is True
    http.expect(lookup("web"), create(dict(fields, visibility="private")))  # Glance's default would be shared
    assert run({"name": "web", "disk_format": "qcow2"})["changed"] is True


# -- delete ------------------------------------------------------------------------------------------


WAY_OUT = ("image %s ('web') is protected: to delete it, first run this module with protected: false "
           "(state: present), then with state: absent" % IMAGE_ID)


@pytest.mark.parametrize("refusal, said", [
    pytest.param(glance_refusal("DELETE", "/v2/images/" + IMAGE_ID, 403,
                                webob("403 Forbidden", "Forbidden", "Image %s is protected and cannot be deleted." % IMAGE_ID)),
                 "HTTP 403 Forbidden: Image %s is protected and cannot be deleted. (request id: %s)"
                 % (IMAGE_ID, GLANCE_REQUEST_ID), id="glance-403"),
    pytest.param(Call("DELETE", "/v2/images/" + IMAGE_ID, status=400, request_id="r2",
                      answer=ims_error("IMG.0028", "The image is protected.")),
                 "HTTP 400 IMG.0028: The image is protected. (request id: r2)", id="ims-400"),
])
def test_a_delete_refused_because_protected_gives_the_way_out_on_both_servers(http, refusal, said):
    http.expect(lookup("web", image(protected=False)), refusal)  # protected since it was read
    result = run({"name": "web", "state": "absent"})
    assert result["failed"] is True and result["changed"] is False
    assert no_markup(result["msg"]) == "DELETE /v2/images/%s failed: %s; %s" % (IMAGE_ID, said, WAY_OUT)


@pytest.mark.parametrize("server_image", [glance_image, image], ids=["glance", "ims"])
def test_a_protected_image_read_so_is_refused_before_the_delete_on_both_servers(http, server_image):
    http.expect(lookup("web", server_image(protected=True)))
    result = run({"name": "web", "state": "absent"})
    assert result["failed"] is True and "with protected: false (state: present), then with state: absent" in result["msg"]


def test_another_projects_image_is_404_on_glance_and_reads_as_missing(http):
    http.expect(glance_refusal("GET", "/v2/images/" + IMAGE_ID, 404,
                               webob("404 Not Found", "Not Found", "No image found with ID %s" % IMAGE_ID)))
    result = run({"id": IMAGE_ID, "state": "absent"})
    assert result["failed"] is False and result["changed"] is False


# -- patches -----------------------------------------------------------------------------------------


def test_the_patch_replaces_what_the_image_has_adds_the_rest_and_removes_only_what_is_there(http):
    live = glance_image(hw_a="1", hw_b="2")
    operations = [{"op": "add", "path": "/__os_version", "value": "Ubuntu 22.04 server 64bit"},
                  {"op": "replace", "path": "/hw_a", "value": "9"},
                  {"op": "replace", "path": "/min_ram", "value": 4096},
                  {"op": "remove", "path": "/hw_b"}]
    http.expect(lookup("web", live), patch(operations, dict(live, hw_a="9", min_ram=4096)))
    result = run({"name": "web", "min_ram": 4096, "os_version": "Ubuntu 22.04 server 64bit",
                  "properties": {"hw_a": "9"}, "purge_properties": True})
    assert result["failed"] is False, result
    removed = [op["path"] for op in http.requests[1].json if op["op"] == "remove"]
    assert removed == ["/hw_b"]  # never a property the image lacks: Glance answers 409 to that


def test_a_409_from_glance_reads_cleanly(http):
    body = webob("409 Conflict", "Conflict", "There was a conflict when trying to complete your request.",
                 "Property hw_a does not exist.")
    http.expect(lookup("web", glance_image(hw_a="1")),
                glance_refusal("PATCH", "/v2/images/" + IMAGE_ID, 409, body,
                               json=[{"op": "replace", "path": "/hw_a", "value": "9"}]))
    result = run({"name": "web", "properties": {"hw_a": "9"}})  # the property went away since it was read
    assert result["failed"] is True and result["changed"] is False
    assert no_markup(result["msg"]) == (
        "PATCH /v2/images/%s failed: HTTP 409 Conflict: There was a conflict when trying to complete your request. "
        "Property hw_a does not exist. (request id: %s)" % (IMAGE_ID, GLANCE_REQUEST_ID))
    assert len(http.made("PATCH")) == 1  # a refusal, not an unknown outcome: never sent again


# -- the members of an image that is not shared cannot even be listed on Glance ----------------------

LIST_REFUSAL = webob("403 Forbidden", "Forbidden", "Not allowed to list members for image %s: Only shared images "
                     "have members." % IMAGE_ID)


def test_a_refused_listing_of_members_fails_before_any_write_naming_visibility(http):
    http.expect(lookup("web", glance_image(visibility="private")), glance_refusal("GET", MEMBERS_PATH, 403, LIST_REFUSAL))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["failed"] is True and result["changed"] is False and result["operations"] == []
    assert no_markup(result["msg"]).endswith(NOT_SHARED_HINT), result["msg"]


def test_a_refused_listing_is_no_members_when_the_task_makes_the_image_shared(http):
    """visibility: shared in the same task: the patch comes first, then the member is added."""
    http.expect(lookup("web", glance_image(visibility="private")), glance_refusal("GET", MEMBERS_PATH, 403, LIST_REFUSAL),
                patch([{"op": "replace", "path": "/visibility", "value": "shared"}], glance_image(visibility="shared")),
                Call("POST", MEMBERS_PATH, json={"member": MEMBER_A}, answer=member(IMAGE_ID, MEMBER_A)))
    result = run({"name": "web", "visibility": "shared", "members": [MEMBER_A]})
    assert result["changed"] is True, result
    assert [operation["action"] for operation in result["operations"]] == ["update", "add_member"]


def test_a_refused_listing_with_nothing_to_add_is_unchanged(http):
    """members: [] on a private Glance image: it has none, so there is nothing to do."""
    http.expect(lookup("web", glance_image(visibility="private")), glance_refusal("GET", MEMBERS_PATH, 403, LIST_REFUSAL))
    result = run({"name": "web", "members": []})
    assert result["changed"] is False and not result.get("failed"), result
    assert result["members"] == []


def test_another_403_of_a_shared_image_is_not_taken_for_no_members(http):
    """Only an image that is not shared has no members to list; a 403 for a shared one is an error."""
    refusal = webob("403 Forbidden", "Forbidden", "You are not authorized to complete get_members action.")
    http.expect(lookup("web", glance_image(visibility="shared")), glance_refusal("GET", MEMBERS_PATH, 403, refusal))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["failed"] is True
    assert "not authorized" in result["msg"] and "visibility: shared" not in result["msg"], result["msg"]
