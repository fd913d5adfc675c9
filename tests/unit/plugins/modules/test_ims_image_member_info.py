# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_member_info in process, against scripted HTTP: one paged listing per membership status."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_member_info
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import OTHER_PROJECT, image, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, Call, run_module


def run(args, **kwargs):
    return run_module(ims_image_member_info, dict(CONNECTION, **args), **kwargs)


def shared(index, **fields):
    return image("00000000-0000-4000-8000-%012d" % index, name="shared-%d" % index, owner=OTHER_PROJECT,
                 visibility="shared", **dict({"__imagetype": "shared"}, **fields))


def query(status, *extra):
    return {("visibility", "shared"), ("member_status", status)} | set(extra)


def shared_listing(status, *images, extra=(("limit", "1000"),), next_link=None):
    return Call("GET", "/v2/images", query=query(status, *extra), answer=listing(images, next_link))


def test_every_status_by_default_each_image_with_its_member_status(http):
    http.expect(shared_listing("pending", shared(1)), shared_listing("accepted", shared(2), shared(3)),
                shared_listing("rejected", shared(4)))
    result = run({})
    assert result["changed"] is False
    assert [(item["name"], item["member_status"]) for item in result["images"]] == [
        ("shared-1", "pending"), ("shared-2", "accepted"), ("shared-3", "accepted"), ("shared-4", "rejected")]
    assert result["images"][0]["owner"] == OTHER_PROJECT


def test_only_the_statuses_asked_for_in_their_order_each_once(http):
    http.expect(shared_listing("rejected", shared(4)), shared_listing("pending"))
    result = run({"status": ["rejected", "pending", "rejected"]})
    assert [item["member_status"] for item in result["images"]] == ["rejected"]


def test_nothing_shared_is_an_empty_list(http):
    http.expect(shared_listing("pending"))
    result = run({"status": ["pending"]})
    assert result["failed"] is False and result["images"] == []


def test_each_listing_follows_its_pages(http):
    link = "/v2/images?member_status=accepted&marker=%s&visibility=shared&limit=1000" % shared(2)["id"]
    http.expect(shared_listing("accepted", shared(1), shared(2), next_link=link),
                shared_listing("accepted", shared(3), extra=(("limit", "1000"), ("marker", shared(2)["id"]))))
    result = run({"status": ["accepted"]})
    assert [item["name"] for item in result["images"]] == ["shared-1", "shared-2", "shared-3"]


def test_the_projects_own_images_are_left_out(http):
    own = image(visibility="shared", **{"__imagetype": "shared"})  # owner: this project
    http.expect(shared_listing("accepted", own, shared(2)))
    result = run({"status": ["accepted"]})
    assert [item["name"] for item in result["images"]] == ["shared-2"]


def test_check_mode_lists_as_well(http):
    http.expect(shared_listing("pending", shared(1)))
    result = run({"status": ["pending"]}, check_mode=True)
    assert result["changed"] is False and len(result["images"]) == 1


@pytest.mark.parametrize("status, message", [
    ([], "status must list at least one of pending, accepted, rejected"),
    (["acepted"], "value of status must be one or more of: pending, accepted, rejected"),
])
def test_bad_statuses_fail_before_any_request(http, status, message):
    result = run({"status": status})
    assert result["failed"] is True and message in result["msg"], result["msg"]
    assert http.requests == []
