# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Answers of the wrong shape are refused at the client's boundary, saying what is wrong."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils import _shapes

IMAGE = {"id": "i1", "status": "active", "name": "web", "protected": False, "tags": ["a=1"], "min_ram": 0,
         "size": None, "owner": "p1", "__imagetype": "private", "checksum": None}


def test_a_good_image_and_page_pass_unchanged():
    assert _shapes.image(IMAGE) is IMAGE
    page = {"images": [IMAGE], "next": "/v2/images?marker=i1"}
    assert _shapes.image_page(page) is page
    assert _shapes.image_page({"images": []})["images"] == []
    assert _shapes.member_list({"members": [{"member_id": "m", "status": "pending"}]})


@pytest.mark.parametrize("change, message", [
    ({"id": None}, "the image field id must be a string; got null"),
    ({"status": 3}, "the image field status must be a string; got an integer"),
    ({"protected": "false"}, "the image field protected must be a boolean; got a string"),
    ({"min_ram": True}, "the image field min_ram must be an integer or null; got a boolean"),
    ({"tags": "a=1"}, "the image field tags must be a list; got a string"),
    ({"tags": [1]}, "the image field tags must be a list of strings; got an item that is an integer"),
    ({"name": {"x": 1}}, "the image field name must be a string or null; got an object"),
])
def test_a_field_of_another_type_is_named(change, message):
    with pytest.raises(_shapes.ShapeError) as err:
        _shapes.image(dict(IMAGE, **change))
    assert str(err.value) == message


@pytest.mark.parametrize("field", ["id", "status"])
def test_a_dropped_required_field_is_named(field):
    image = dict(IMAGE)
    del image[field]
    with pytest.raises(_shapes.ShapeError, match="the image has no %s" % field):
        _shapes.image(image)


@pytest.mark.parametrize("page, message", [
    ([], "the listing must be an object; got a list"),
    (None, "the listing must be an object; got null"),
    ({}, "the listing has no images"),
    ({"images": {}}, "the listing field images must be a list; got an object"),
    ({"images": ["x"]}, "image 1 of the page must be an object; got a string"),
    ({"images": [IMAGE], "next": 5}, "the listing field next must be a link (a string); got an integer"),
])
def test_a_page_of_the_wrong_shape_is_named(page, message):
    with pytest.raises(_shapes.ShapeError) as err:
        _shapes.image_page(page)
    assert str(err.value) == message


@pytest.mark.parametrize("answer, message", [
    ({"members": None}, "the member list field members must be a list; got null"),
    ({"members": [{"status": "x"}]}, "member 1 of the list has no member_id"),
    ("x", "the member list must be an object; got a string"),
])
def test_a_member_list_of_the_wrong_shape_is_named(answer, message):
    with pytest.raises(_shapes.ShapeError) as err:
        _shapes.member_list(answer)
    assert str(err.value) == message
