# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a Glance client (openstacksdk's image proxy) relies on and IMS shares with Glance, in
process: the ``Location`` of a created image, free properties such as openstacksdk's
``owner_specified.openstack.*`` on create and on update, and the json-patch content types."""

from __future__ import annotations

import hashlib

import pytest

PATCH = "application/openstack-images-v2.1-json-patch"
SDK_PROPERTIES = {"owner_specified.openstack.md5": hashlib.md5(b"x").hexdigest(),
                  "owner_specified.openstack.sha256": hashlib.sha256(b"x").hexdigest(),
                  "owner_specified.openstack.object": "images/sdk-img"}


def test_a_created_image_is_named_in_location(call):
    answer = call("POST", "/v2/images", {"name": "located"}, headers={"Host": "ims.example.test:8443"})
    assert answer.status == 201
    image = answer.json()
    assert answer.headers["Location"] == "http://ims.example.test:8443/v2/images/" + image["id"]


def test_location_uses_the_own_address_without_host(app, make_ctx, token):
    app.set_origin("https://127.0.0.1:4443")
    ctx = make_ctx("POST", "/v2/images", {"X-Auth-Token": token, "Content-Type": "application/json"}, b"{}")
    ctx.project = app.accounts[0].project_id
    answer = app.ims.create_image(ctx)
    assert dict(answer.headers)["Location"].startswith("https://127.0.0.1:4443/v2/images/")


def test_a_refused_create_has_no_location(call):
    answer = call("POST", "/v2/images", {"visibility": "public"})
    assert answer.status == 400 and "Location" not in answer.headers


def test_openstacksdk_properties_are_free_string_properties_on_create(call):
    image = call("POST", "/v2/images", dict(SDK_PROPERTIES, name="sdk-img", disk_format="qcow2",
                                            container_format="bare")).json()
    for name, value in SDK_PROPERTIES.items():
        assert image[name] == value
    empty = call("POST", "/v2/images", {"owner_specified.openstack.md5": ""})  # the SDK's value without checksum
    assert empty.status == 201 and empty.json()["owner_specified.openstack.md5"] == ""


def test_a_non_string_free_property_is_refused(call):
    answer = call("POST", "/v2/images", {"owner_specified.openstack.md5": 5})
    assert answer.status == 400 and answer.json()["error"]["code"] == "IMG.0001"


@pytest.mark.parametrize("content_type", [PATCH, "application/openstack-images-v2.0-json-patch",
                                          PATCH + "; charset=UTF-8"])
def test_properties_are_added_replaced_and_removed_by_patch(call, content_type):
    image = call("POST", "/v2/images", dict(SDK_PROPERTIES, name="sdk-img")).json()
    operations = [{"op": "add", "path": "/owner_specified.openstack.md5", "value": "0" * 32},
                  {"op": "replace", "path": "/os_distro", "value": "ubuntu"},
                  {"op": "remove", "path": "/owner_specified.openstack.object"},
                  {"op": "replace", "path": "/name", "value": "renamed"}]
    answer = call("PATCH", "/v2/images/" + image["id"], operations, headers={"Content-Type": content_type})
    assert answer.status == 200, answer.body
    patched = answer.json()
    assert patched["owner_specified.openstack.md5"] == "0" * 32 and patched["os_distro"] == "ubuntu"
    assert "owner_specified.openstack.object" not in patched and patched["name"] == "renamed"
    assert call("GET", "/v2/images/" + image["id"]).json() == patched


def test_json_is_not_a_patch_content_type(call):
    image = call("POST", "/v2/images", {"name": "x"}).json()
    answer = call("PATCH", "/v2/images/" + image["id"], [{"op": "replace", "path": "/name", "value": "y"}])
    assert answer.status == 415 and PATCH in answer.headers["Accept-Patch"]


def test_removing_a_server_owned_property_is_403_as_ims_does(call):
    """openstacksdk's ``update_image(image, key=value)`` replaces the whole ``properties`` dict,
    so its patch removes every other property, ``__image_size`` included: IMS refuses that."""
    image = call("POST", "/v2/images", {"name": "x"}).json()
    answer = call("PATCH", "/v2/images/" + image["id"], [{"op": "remove", "path": "/__image_size"}],
                  headers={"Content-Type": PATCH})
    assert answer.status == 403 and answer.json()["error"]["code"] == "IMG.0403"
