# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pure logic of sharing (plugins/module_utils/_sharing.py) and the shape of one member."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils import _shapes
from ansible_collections.hwcloud.ims.plugins.module_utils._sharing import (
    looks_like_id,
    member_view,
    pick_shared,
    predicted_member,
    unique_statuses,
)

IMAGE = "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86"
PROJECT = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"


@pytest.mark.parametrize("value, expected", [
    (IMAGE, True), (IMAGE.upper(), True), ("vendor-appliance", False), (IMAGE + "x", False), ("", False),
    (None, False), (IMAGE.replace("-", ""), False),
])
def test_looks_like_id(value, expected):
    assert looks_like_id(value) is expected


def test_member_view_keeps_the_fields_the_modules_return():
    answer = {"member_id": PROJECT, "image_id": IMAGE, "status": "accepted", "created_at": "a", "updated_at": "b",
              "schema": "/v2/schemas/member"}
    assert member_view(answer) == {"member_id": PROJECT, "image_id": IMAGE, "status": "accepted",
                                   "created_at": "a", "updated_at": "b"}


def test_member_view_completes_a_partial_answer():
    assert member_view(None, IMAGE, PROJECT) == {"member_id": PROJECT, "image_id": IMAGE, "status": None,
                                                 "created_at": None, "updated_at": None}
    assert member_view({"member_id": PROJECT}, IMAGE)["image_id"] == IMAGE


def test_predicted_member_is_pending_by_default():
    assert predicted_member(IMAGE, PROJECT)["status"] == "pending"
    assert predicted_member(IMAGE, PROJECT, "accepted")["status"] == "accepted"


def test_unique_statuses_keep_the_order_given():
    assert unique_statuses(["rejected", "pending", "rejected"]) == ["rejected", "pending"]


def test_pick_shared():
    one = {"id": IMAGE, "member_status": "pending", "owner": PROJECT}
    assert pick_shared([], "x") is None
    assert pick_shared([one], "x") is one
    with pytest.raises(ValueError, match=r"^image: 2 images named 'x' are shared with this project: .*pending.*accepted"):
        pick_shared([one, dict(one, id="other", member_status="accepted")], "x")


def test_the_shape_of_one_member():
    good = {"member_id": PROJECT, "image_id": IMAGE, "status": "pending", "created_at": None, "updated_at": "t"}
    assert _shapes.member(good) is good
    with pytest.raises(_shapes.ShapeError, match="the member has no member_id"):
        _shapes.member({"status": "pending"})
    with pytest.raises(_shapes.ShapeError, match="the member field status must be a string; got an integer"):
        _shapes.member(dict(good, status=1))
    with pytest.raises(_shapes.ShapeError, match="the member field status must be a string; got null"):
        _shapes.member(dict(good, status=None))  # a status decides the write: never from a null
    with pytest.raises(_shapes.ShapeError, match="the member has no status"):
        _shapes.member({"member_id": PROJECT})
    with pytest.raises(_shapes.ShapeError, match="the member must be an object; got a list"):
        _shapes.member([])
