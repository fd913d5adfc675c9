# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What an image task wants versus what IMS has: validation, patches, members, duplicates."""

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._image import (
    apply_patch,
    build_patch,
    CREATE_SOURCES,
    create_body,
    create_refusal,
    file_digest,
    foreign_reason,
    immutable_changes,
    managed_view,
    member_changes,
    pick_duplicate,
    target_tags,
    user_properties,
    validate_options,
)

LIVE = {
    "id": "i1", "name": "web", "status": "active", "container_format": "bare", "disk_format": "qcow2",
    "min_disk": 40, "min_ram": 0, "protected": False, "tags": ["team=web", "env=prod"], "owner": "p1",
    "__imagetype": "private", "__os_version": "Ubuntu 22.04 server 64bit", "__os_type": "Linux",
    "__platform": "Ubuntu", "__os_bit": "64", "__image_size": "5", "hw_firmware_type": "bios",
    "__support_kvm": "true", "virtual_env_type": "FusionCompute", "checksum": "abc",
}


def params(**overrides):
    base = {"name": None, "id": None, "container_format": None, "disk_format": None, "min_disk": None,
            "min_ram": None, "protected": None, "tags": None, "purge_tags": True, "os_version": None,
            "description": None, "properties": None, "purge_properties": False, "members": None,
            "purge_members": True, "filename": None, "wait_timeout": 900}
    base.update(overrides)
    return base


def test_an_identical_task_needs_no_patch():
    same = params(name="web", disk_format="qcow2", min_disk=40, min_ram=0, protected=False,
                  tags=["env=prod", "team=web"], os_version="Ubuntu 22.04 server 64bit",
                  properties={"hw_firmware_type": "bios", "__support_kvm": True})
    assert build_patch(LIVE, same) == []


def test_replace_what_exists_add_what_does_not_in_one_patch():
    patch = build_patch(LIVE, params(name="web2", min_ram=1024, protected=True, description="d",
                                     properties={"hw_firmware_type": "uefi", "__support_xen": False}))
    assert patch == [
        {"op": "add", "path": "/__description", "value": "d"},
        {"op": "add", "path": "/__support_xen", "value": "false"},
        {"op": "replace", "path": "/hw_firmware_type", "value": "uefi"},
        {"op": "replace", "path": "/min_ram", "value": 1024},
        {"op": "replace", "path": "/name", "value": "web2"},
        {"op": "replace", "path": "/protected", "value": True},
    ]


@pytest.mark.parametrize("tags, purge, expected", [
    (None, True, None),
    (["team=web", "env=prod"], True, None),
    (["team=web"], True, ["team=web"]),
    (["team=web"], False, None),
    (["new=1"], False, ["team=web", "env=prod", "new=1"]),
    ([], True, []),
    ([], False, None),
    (["a", "a"], True, ["a"]),
])
def test_tags(tags, purge, expected):
    patch = build_patch(LIVE, params(tags=tags, purge_tags=purge))
    assert patch == ([] if expected is None else [{"op": "replace", "path": "/tags", "value": expected}])


def test_target_tags_keeps_live_order_then_new():
    assert target_tags(["b", "a"], ["c", "a"], False) == ["b", "a", "c"]
    assert target_tags(["b", "a"], None, True) is None


def test_purge_properties_removes_only_user_properties():
    patch = build_patch(LIVE, params(purge_properties=True, properties={"__support_kvm": "true"}))
    assert patch == [{"op": "remove", "path": "/hw_firmware_type"}]
    assert build_patch(LIVE, params(purge_properties=True)) == [
        {"op": "remove", "path": "/__support_kvm"}, {"op": "remove", "path": "/hw_firmware_type"}]
    assert user_properties(LIVE) == {"hw_firmware_type": "bios", "__support_kvm": "true"}


def test_apply_patch_predicts_the_result():
    patch = build_patch(LIVE, params(min_ram=512, tags=["x"], purge_properties=True))
    after = apply_patch(LIVE, patch)
    assert after["min_ram"] == 512 and after["tags"] == ["x"]
    assert "hw_firmware_type" not in after and "__support_kvm" not in after
    assert LIVE["min_ram"] == 0  # the live image is not touched


def test_formats_only_change_while_queued():
    problems = immutable_changes(LIVE, params(disk_format="raw"))
    assert problems == ["disk_format cannot be changed on image i1 once it is active (it is qcow2, the task asks "
                        "for raw): create a new image instead"]
    assert immutable_changes(LIVE, params(disk_format="qcow2")) == []
    assert immutable_changes(dict(LIVE, status="queued"), params(disk_format="raw")) == []


def test_create_body_has_every_field_the_task_sets():
    body = create_body(params(name="n", disk_format="raw", min_disk=10, protected=False, tags=["a", "a", "b"],
                              os_version="Ubuntu 22.04 server 64bit", description="d", properties={"x": 1}))
    assert body == {"name": "n", "container_format": "bare", "visibility": "private", "disk_format": "raw",
                    "min_disk": 10, "protected": False, "tags": ["a", "b"], "__os_version": "Ubuntu 22.04 server 64bit",
                    "__description": "d", "x": "1"}


@pytest.mark.parametrize("current, wanted, purge, expected", [
    (["a", "b"], None, True, ([], [])),
    (["a", "b"], ["b", "c"], True, (["c"], ["a"])),
    (["a", "b"], ["b", "c"], False, (["c"], [])),
    ([], ["a", "a"], True, (["a"], [])),
    (["a"], [], True, ([], ["a"])),
])
def test_member_changes(current, wanted, purge, expected):
    assert member_changes(current, wanted, purge) == expected


def test_duplicates():
    images = [{"id": "b", "created_at": "2024-02-01T00:00:00Z"}, {"id": "a", "created_at": "2024-01-01T00:00:00Z"},
              {"id": "c", "created_at": "2024-03-01T00:00:00Z"}]
    assert pick_duplicate(images, "newest", "n")["id"] == "c"
    assert pick_duplicate(images, "oldest", "n")["id"] == "a"
    assert pick_duplicate([], "fail", "n") is None
    assert pick_duplicate(images[:1], "fail", "n")["id"] == "b"
    with pytest.raises(ValueError) as err:
        pick_duplicate(images, "fail", "n")
    assert str(err.value) == (
        "found 3 images named 'n' in this project: a (created 2024-01-01T00:00:00Z), b (created "
        "2024-02-01T00:00:00Z), c (created 2024-03-01T00:00:00Z); set on_duplicate to newest or oldest to pick one, "
        "or give its id")


@pytest.mark.parametrize("image, reason", [
    ({"__imagetype": "gold", "owner": "x"}, "it is a gold image"),
    ({"__imagetype": "market"}, "it is a market image"),
    ({"__imagetype": "shared", "owner": "x"}, "it is a shared image"),
    ({"__imagetype": "private", "owner": "other"}, "it belongs to project other"),
    ({"__imagetype": "private", "owner": "p1"}, None),
])
def test_foreign_images(image, reason):
    assert foreign_reason(image, "p1") == reason


def test_managed_view_shows_only_what_the_task_manages():
    view = managed_view(LIVE, params(min_ram=1, tags=["x"], members=["m"], filename="f", purge_properties=True),
                        members=["m2", "m1"])
    assert view == {"state": "present", "id": "i1", "status": "active", "min_ram": 0,
                    "tags": ["env=prod", "team=web"], "members": ["m1", "m2"], "checksum": "abc",
                    "properties": {"__support_kvm": "true", "hw_firmware_type": "bios"}}
    assert managed_view(None, params()) == {"state": "absent"}


def test_managed_view_names_fields_like_the_options():
    view = managed_view(LIVE, params(os_version="x", description="d", properties={"hw_firmware_type": "uefi",
                                                                                  "absent_one": "1"}))
    assert view == {"state": "present", "id": "i1", "status": "active", "os_version": "Ubuntu 22.04 server 64bit",
                    "description": None, "properties": {"hw_firmware_type": "bios"}}


@pytest.mark.parametrize("overrides, message", [
    ({"name": ""}, "name must be 1 to 128 characters long; got 0"),
    ({"name": "x" * 129}, "name must be 1 to 128 characters long; got 129"),
    ({"id": ""}, "id must not be empty"),
    ({"min_disk": -1}, "min_disk must be from 0 to 1024 (GB); got -1"),
    ({"min_disk": 1025}, "min_disk must be from 0 to 1024 (GB); got 1025"),
    ({"min_ram": -1}, "min_ram must be 0 or more (MB); got -1"),
    ({"tags": [""]}, "tags must each be 1 to 255 characters without '/'"),
    ({"tags": ["a/b"]}, "tags must each be 1 to 255 characters without '/'"),
    ({"tags": ["x" * 256]}, "tags must each be 1 to 255 characters without '/'"),
    ({"description": "d" * 1025}, "description must be at most 1024 characters; got 1025"),
    ({"properties": {"name": "x"}}, "properties must not set name: use the name option"),
    ({"properties": {"__os_version": "x"}}, "properties must not set __os_version: use the os_version option"),
    ({"properties": {"__description": "x"}}, "properties must not set __description: use the description option"),
    ({"properties": {"status": "active"}}, "properties must not set status: IMS sets it"),
    ({"properties": {"__imagetype": "gold"}}, "properties must not set __imagetype: IMS sets it"),
    ({"properties": {"tags": "a"}}, "properties must not set tags: use the tags option"),
    ({"properties": {"min_ram": 1}}, "properties must not set min_ram: use the min_ram option"),
    ({"properties": {"x": [1]}}, "properties values must be strings, numbers or booleans; x is [1]"),
    ({"members": ["not-a-project"]}, "members must be project ids (32 hexadecimal characters); got 'not-a-project'"),
    ({"wait_timeout": 0}, "wait_timeout must be 1 or more (seconds); got 0"),
])
def test_invalid_values_are_named(overrides, message):
    problems = validate_options(params(**overrides))
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_valid_values_pass():
    assert validate_options(params(name="x" * 128, min_disk=1024, min_ram=0, tags=["k=v", "x" * 255],
                                   description="d" * 1024, properties={"hw_firmware_type": "uefi", "n": 1},
                                   members=["0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c"], wait_timeout=1)) == []


def test_file_digest_streams(tmp_path):
    data = b"x" * (3 * 1024 * 1024 + 7)
    path = tmp_path / "image.raw"
    path.write_bytes(data)
    assert file_digest(str(path), chunk_size=1024) == (hashlib.md5(data).hexdigest(), len(data))


# -- when a create happens ---------------------------------------------------------------------


@pytest.mark.parametrize("source", [{"disk_format": "qcow2"}, {"disk_format": "zvhd2"}, {"filename": "/srv/web.qcow2"}])
def test_a_task_that_says_what_the_image_is_may_create_it(source):
    assert create_refusal(dict({"name": "web", "min_ram": 2048}, **source), "p1") is None


def test_each_create_source_alone_allows_a_create():
    for option in CREATE_SOURCES:
        assert create_refusal({"name": "web", option: "x"}, "p1") is None


@pytest.mark.parametrize("params", [{"name": "mistakez"}, {"name": "mistakez", "min_ram": 2048, "tags": ["a=1"]},
                                    {"name": "mistakez", "disk_format": None, "filename": None}])
def test_a_task_that_only_names_an_image_may_not_create_it(params):
    reason = create_refusal(params, "p1")
    assert reason.startswith("no image named 'mistakez' exists in project p1 (among its own private images)")
    assert "set disk_format" in reason and "filename" in reason and "image_url" in reason


def test_the_refusal_says_this_project_without_a_project_id():
    assert "exists in this project " in create_refusal({"name": "web"}, None)


def test_an_id_that_does_not_exist_is_refused_even_with_a_source():
    reason = create_refusal({"id": "i9", "disk_format": "qcow2"}, "p1")
    assert reason.startswith("no image with id i9 exists in project p1; images are created by name")


def test_replacing_a_killed_image_needs_a_source_too():
    killed = {"id": "i1", "name": "web", "status": "killed"}
    assert create_refusal({"id": "i1", "disk_format": "raw"}, "p1", killed) is None
    assert create_refusal({"name": "web"}, "p1", killed).startswith(
        "image i1 ('web') is killed, and replace_failed would delete it and create a new image")


def test_property_keys_with_slash_or_tilde_are_escaped_json_pointers():
    """RFC 6901: "/" is "~1" and "~" is "~0" in a path; Glance answers 400 to an unescaped "/a/b"."""
    live = dict(LIVE, **{"old/key": "1", "x~y": "2"})
    patch = build_patch(live, params(properties={"a/b": "1", "c~d": "2", "~1": "3"}, purge_properties=True))
    assert patch == [{"op": "add", "path": "/a~1b", "value": "1"},
                     {"op": "add", "path": "/c~0d", "value": "2"},
                     {"op": "add", "path": "/~01", "value": "3"},
                     {"op": "remove", "path": "/__support_kvm"},
                     {"op": "remove", "path": "/hw_firmware_type"},
                     {"op": "remove", "path": "/old~1key"},
                     {"op": "remove", "path": "/x~0y"}]
    after = apply_patch(live, patch)
    assert (after["a/b"], after["c~d"], after["~1"]) == ("1", "2", "3")
    assert "old/key" not in after and "x~y" not in after
