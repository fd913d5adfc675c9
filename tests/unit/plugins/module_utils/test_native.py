# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Images IMS makes from a server, a volume, a backup or an OBS file: requests, validation, source comparison."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._errors import ImsImageConflict
from ansible_collections.hwcloud.ims.plugins.module_utils._native import (
    adoptable,
    file_format,
    image_tags,
    native_problems,
    native_request,
    source_mismatch,
)

SERVER = "b4c6f7a8-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
VOLUME = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
BACKUP = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
VAULT = "d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a"
URL = "images-bucket:linux/web.qcow2"
RAW_URL = "images-bucket:linux/web.zvhd2"
EP = "4f3e2d1c-0b9a-4887-a665-544332211000"


def request(**params):
    made = native_request(params)
    return made.path, made.body


# -- each source's request ----------------------------------------------------------------------


def test_a_server_makes_a_system_image_through_v2_action():
    assert request(name="web", instance_id=SERVER, description="baked", min_ram=1024, max_ram=4096,
                   tags={"team": "web"}, enterprise_project_id=EP) == (
        "/v2/cloudimages/action",
        {"name": "web", "instance_id": SERVER, "description": "baked", "min_ram": 1024, "max_ram": 4096,
         "image_tags": [{"key": "team", "value": "web"}], "enterprise_project_id": EP})


def test_a_server_makes_a_whole_image_with_its_vault():
    assert request(name="web-full", instance_id=SERVER, image_type="whole", vault_id=VAULT) == (
        "/v1/cloudimages/wholeimages/action", {"name": "web-full", "instance_id": SERVER, "vault_id": VAULT})


def test_a_backup_makes_a_whole_image_of_type_cbr():
    assert request(name="from-backup", backup_id=BACKUP, max_ram=2048, tags="a=1, b=2") == (
        "/v1/cloudimages/wholeimages/action",
        {"name": "from-backup", "backup_id": BACKUP, "whole_image_type": "CBR", "max_ram": 2048,
         "image_tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]})


def test_a_volume_makes_a_system_image_with_its_os_version():
    assert request(name="sys", volume_id=VOLUME, os_version="Ubuntu 22.04 server 64bit", server_type="ECS",
                   min_ram=512) == (
        "/v2/cloudimages/action",
        {"name": "sys", "volume_id": VOLUME, "os_version": "Ubuntu 22.04 server 64bit", "type": "ECS",
         "min_ram": 512})


def test_a_volume_makes_a_data_image_through_data_images():
    assert request(name="data", volume_id=VOLUME, image_type="data", description="d", tags=["env=prod", "keep"],
                   enterprise_project_id="0") == (
        "/v2/cloudimages/action",
        {"data_images": [{"name": "data", "volume_id": VOLUME, "description": "d",
                          "image_tags": [{"key": "env", "value": "prod"}, {"key": "keep", "value": ""}]}],
         "enterprise_project_id": "0"})


def test_an_obs_file_makes_a_system_image_with_every_field_it_takes():
    assert request(name="imported", image_url=URL, min_disk=40, os_version="CentOS 7.9 64bit", os_type="Linux",
                   architecture="x86", hw_firmware_type="bios", server_type="BMS", is_config=True, min_ram=1024,
                   max_ram=8192, description="from obs") == (
        "/v2/cloudimages/action",
        {"name": "imported", "image_url": URL, "min_disk": 40, "os_version": "CentOS 7.9 64bit", "os_type": "Linux",
         "architecture": "x86", "hw_firmware_type": "bios", "type": "BMS", "is_config": True, "min_ram": 1024,
         "max_ram": 8192, "description": "from obs"})


def test_an_obs_file_makes_an_encrypted_system_image():
    assert request(name="enc", image_url=RAW_URL, min_disk=40, cmk_id="kms-key-1") == (
        "/v2/cloudimages/action", {"name": "enc", "image_url": RAW_URL, "min_disk": 40, "cmk_id": "kms-key-1"})


def test_an_obs_file_makes_a_data_image_through_dataimages():
    assert request(name="data", image_url="bkt:disk.vhd", image_type="data", min_disk=100, os_type="Windows",
                   cmk_id="kms-key-1") == (
        "/v1/cloudimages/dataimages/action",
        {"name": "data", "image_url": "bkt:disk.vhd", "min_disk": 100, "os_type": "Windows", "cmk_id": "kms-key-1"})


def test_an_obs_file_makes_an_iso_image():
    assert request(name="installer", image_url="bkt:ubuntu.iso", image_type="iso", min_disk=20,
                   os_version="Ubuntu 22.04 server 64bit", architecture="arm", hw_firmware_type="uefi") == (
        "/v2/cloudimages/action",
        {"name": "installer", "image_url": "bkt:ubuntu.iso", "min_disk": 20, "os_version": "Ubuntu 22.04 server 64bit",
         "architecture": "arm", "hw_firmware_type": "uefi", "type": "IsoImage"})


def test_a_quick_import_of_a_system_image():
    assert request(name="big", image_url=RAW_URL, quick_import=True, min_disk=200, os_version="EulerOS 2.9 64bit",
                   server_type="ECS", architecture="arm", hw_firmware_type="uefi", license_type="byol",
                   tags=["t=1"]) == (
        "/v2/cloudimages/quickimport/action",
        {"name": "big", "image_url": RAW_URL, "min_disk": 200, "os_version": "EulerOS 2.9 64bit", "type": "ECS",
         "architecture": "arm", "hw_firmware_type": "uefi", "license_type": "byol",
         "image_tags": [{"key": "t", "value": "1"}]})


def test_a_quick_import_of_a_data_image_is_of_type_data_image():
    assert request(name="bigdata", image_url="bkt:disk.raw", quick_import=True, image_type="data", min_disk=500,
                   os_type="Linux") == (
        "/v2/cloudimages/quickimport/action",
        {"name": "bigdata", "image_url": "bkt:disk.raw", "min_disk": 500, "os_type": "Linux", "type": "DataImage"})


def test_a_request_is_never_built_from_bad_options():
    with pytest.raises(ValueError) as err:
        native_request({"name": "web", "volume_id": VOLUME})
    assert str(err.value) == "os_version is required for a system image from volume_id"
    with pytest.raises(ValueError):
        native_request({"name": "web"})


def test_tags_become_image_tags_in_every_form_ims_image_takes():
    expected = [{"key": "team", "value": "web"}, {"key": "env", "value": "prod"}]
    assert image_tags(["team=web", "env=prod"]) == image_tags("team=web, env=prod") == expected
    assert image_tags({"team": "web", "env": "prod"}) == expected
    assert image_tags(None) == []


@pytest.mark.parametrize("url, fmt", [("b:x.QCOW2", "qcow2"), ("b:a/b.zvhd2", "zvhd2"), ("b:noext", None),
                                      ("b:x.tar", None), ("b:x.iso", "iso")])
def test_the_format_an_object_name_shows(url, fmt):
    assert file_format(url) == fmt


# -- validation: every problem at once, each naming the option, the value and what is accepted ---------------


def problems(**params):
    return native_problems(params)


@pytest.mark.parametrize("params, expected", [
    ({"name": "web", "instance_id": SERVER, "volume_id": VOLUME},
     ["instance_id, backup_id, volume_id, image_url exclude each other: an image has one source; got "
      "instance_id='%s', volume_id='%s'" % (SERVER, VOLUME)]),
    ({"name": "web", "image_url": URL, "min_disk": 40, "filename": "/tmp/disk.qcow2"},
     ["filename ('/tmp/disk.qcow2') and image_url exclude each other: the image is either uploaded from a local "
      "file or made by IMS from image_url"]),
    ({"name": "web", "volume_id": VOLUME}, ["os_version is required for a system image from volume_id"]),
    ({"name": "web", "image_url": RAW_URL, "quick_import": True, "min_disk": 40},
     ["os_version is required for a system image from image_url with quick_import"]),
    ({"name": "web", "image_url": URL}, ["min_disk is required for a system image from image_url"]),
    ({"name": "web", "image_url": "b-1:x.iso", "image_type": "iso"},
     ["min_disk is required for an iso image from image_url", "os_version is required for an iso image from image_url"]),
    ({"name": "web", "instance_id": SERVER, "image_type": "whole"},
     ["vault_id is required for a whole image from instance_id"]),
    ({"name": "web", "instance_id": SERVER, "image_type": "whole", "vault_id": VAULT, "cmk_id": "k1"},
     ["cmk_id ('k1') does not apply to a whole image from instance_id; leave it out (the options that do: "
      "description, enterprise_project_id, max_ram, min_ram, name, tags, vault_id)"]),
    ({"name": "web", "instance_id": SERVER, "min_disk": 40},
     ["min_disk (40) does not apply to a system image from instance_id; leave it out (the options that do: "
      "description, enterprise_project_id, max_ram, min_ram, name, tags)"]),
    ({"name": "web", "backup_id": BACKUP, "image_type": "system"},
     ["image_type must be one of whole for an image from backup_id; got 'system'"]),
    ({"name": "web", "instance_id": SERVER, "image_type": "iso"},
     ["image_type must be one of system, whole for an image from instance_id; got 'iso'"]),
    ({"name": "web", "volume_id": VOLUME, "quick_import": True, "image_type": "data"},
     ["quick_import applies only to image_url with image_type system or data; got a data image from volume_id"]),
    ({"name": "web", "image_url": URL, "min_disk": 40, "cmk_id": "k1"},
     ["cmk_id ('k1') cannot encrypt image_url '%s': IMS cannot encrypt a QCOW2 file; convert it to another format, "
      "or leave cmk_id out" % URL]),
    ({"name": "web", "image_url": URL, "quick_import": True, "min_disk": 40, "os_version": "x"},
     ["quick_import takes only raw or zvhd2 files; image_url '%s' is qcow2 (leave quick_import out for it)" % URL]),
    ({"name": "web", "image_url": RAW_URL, "quick_import": True, "min_disk": 40, "os_version": "x", "cmk_id": "k"},
     ["cmk_id ('k') does not apply to a system image from image_url with quick_import; leave it out (the options "
      "that do: architecture, description, enterprise_project_id, hw_firmware_type, license_type, min_disk, name, "
      "os_version, server_type, tags)"]),
    ({"name": "web", "image_url": "bucket", "min_disk": 40},
     ["image_url must be bucket:object (an OBS bucket and the object's key); got 'bucket'"]),
    ({"name": "web", "image_url": "My_Bucket:disk.raw", "min_disk": 40},
     ["image_url's bucket must be 3 to 63 lower-case letters, digits, '-' or '.'; got 'My_Bucket'"]),
    ({"name": "web", "image_url": "bkt:my disk.raw", "min_disk": 40},
     ["image_url's object may not hold spaces (IMS refuses them: IMG.0175); got 'my disk.raw'"]),
    ({"name": "web", "image_url": RAW_URL, "min_disk": 2000},
     ["min_disk must be from 1 to 1024 (GB) for a system image from image_url; got 2000"]),
    ({"name": "web", "image_url": RAW_URL, "image_type": "data", "min_disk": 0},
     ["min_disk must be from 1 to 2048 (GB) for a data image from image_url; got 0"]),
    ({"name": "web", "image_url": RAW_URL, "min_disk": 40, "architecture": "amd64"},
     ["architecture must be one of x86, arm; got 'amd64'"]),
    ({"name": "web", "image_url": RAW_URL, "min_disk": 40, "hw_firmware_type": "efi"},
     ["hw_firmware_type must be one of bios, uefi; got 'efi'"]),
    ({"name": "web", "image_url": RAW_URL, "min_disk": 40, "architecture": "arm", "hw_firmware_type": "bios"},
     ["hw_firmware_type must be uefi with architecture arm (arm images boot with UEFI); got 'bios'"]),
    ({"name": "web", "image_url": RAW_URL, "quick_import": True, "min_disk": 40, "os_version": "x",
      "license_type": "free"}, ["license_type must be one of platform, byol; got 'free'"]),
    ({"name": "web", "image_url": RAW_URL, "min_disk": 40, "os_type": "BSD"},
     ["os_type must be one of Linux, Windows, Other; got 'BSD'"]),
    ({"name": "web", "image_url": RAW_URL, "image_type": "data", "min_disk": 40, "os_type": "Other"},
     ["os_type must be one of Linux, Windows; got 'Other'"]),
    ({"name": "web", "image_url": RAW_URL, "quick_import": True, "min_disk": 40, "os_version": "x",
      "server_type": "Ironic"}, ["server_type must be one of ECS, BMS; got 'Ironic'"]),
    ({"name": "web", "volume_id": VOLUME, "os_version": "x", "server_type": "KVM"},
     ["server_type must be one of ECS, BMS, FusionCompute, Ironic; got 'KVM'"]),
    ({"name": "web", "instance_id": SERVER, "min_ram": -1}, ["min_ram must be 0 or more (MB; 0: no limit); got -1"]),
    ({"name": "web", "instance_id": SERVER, "min_ram": 4096, "max_ram": 1024},
     ["min_ram (4096) must not be more than max_ram (1024)"]),
    ({"name": "web", "instance_id": "a server"},
     ["instance_id must be an id (a non-empty string without spaces); got 'a server'"]),
    ({"name": "web", "volume_id": VOLUME, "os_version": " "},
     ["os_version must not be empty (a value of GET /v1/cloudimages/os_version)"]),
    ({"instance_id": SERVER}, ["name is required to create an image from instance_id"]),
    ({"name": "x" * 129, "instance_id": SERVER}, ["name must be 1 to 128 characters long; got 129 (%r)" % ("x" * 129)]),
    ({"name": "web/1", "instance_id": SERVER},
     ["name may hold only letters, digits, '-', '.', '_', spaces and Chinese characters, and may not start or end "
      "with a space; got 'web/1'"]),
    ({"name": " web", "instance_id": SERVER},
     ["name may hold only letters, digits, '-', '.', '_', spaces and Chinese characters, and may not start or end "
      "with a space; got ' web'"]),
    ({"name": "web", "instance_id": SERVER, "description": "a <b>"},
     ["description may not hold a carriage return, '<' or '>'; got 'a <b>'"]),
    ({"name": "web", "instance_id": SERVER, "description": "d" * 1025},
     ["description must be at most 1024 characters; got 1025"]),
    ({"name": "web", "instance_id": SERVER, "tags": ["t%d=v" % n for n in range(11)]},
     ["tags may hold at most 10 tags for IMS's image_tags; got 11"]),
    ({"name": "web", "instance_id": SERVER, "tags": ["env=prod", "env=test"]},
     ["tags must give each key once (image_tags has one value per key); 'env' given more than once"]),
    ({"name": "web", "instance_id": SERVER, "tags": ["k" * 128 + "=v"]},
     ["tags keys may be at most 127 characters and values at most 255; got %r" % ("k" * 128 + "=v")]),
])
def test_each_problem_names_the_option_its_value_and_what_is_accepted(params, expected):
    assert native_problems(params) == expected


def test_a_tag_ims_image_refuses_is_refused_here_too():
    [message] = problems(name="web", instance_id=SERVER, tags=["a/b"])
    assert message.startswith("tags must each be 1 to 255 characters without '/'")


def test_every_problem_is_reported_at_once():
    found = problems(name=" web", image_url="Bad Bucket:x.qcow2", cmk_id="k", architecture="sparc", tags=["a=1", "a=2"],
                     vault_id=VAULT)
    assert len(found) == 7
    assert [message.split(" ", 1)[0] for message in found] == [
        "vault_id", "min_disk", "name", "architecture", "image_url's", "cmk_id", "tags"]


def test_a_name_of_chinese_characters_digits_and_spaces_is_accepted():
    assert problems(name="镜像 web-1.0_a", instance_id=SERVER) == []


def test_a_task_without_a_source_may_not_give_what_only_a_native_create_takes():
    assert problems(name="web", vault_id=VAULT, quick_import=True) == [
        "vault_id applies only to an image made by IMS from instance_id, backup_id, volume_id or image_url; give one "
        "of them, or leave vault_id out",
        "quick_import applies only to an image made by IMS from instance_id, backup_id, volume_id or image_url; give "
        "one of them, or leave quick_import out"]
    assert problems(name="web", min_disk=10, os_version="x", quick_import=False) == []  # ims_image's own options


# -- an existing image against the task's source -------------------------------------------------------


def image(status="active", **fields):
    result = {"id": "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86", "name": "web", "status": status,
              "created_at": "2024-06-01T10:00:00Z", "virtual_env_type": "FusionCompute"}
    result.update(fields)
    return result


@pytest.mark.parametrize("recorded, params", [
    ({"__data_origin": "instance,%s" % SERVER}, {"instance_id": SERVER}),
    ({"__data_origin": "volume,%s" % VOLUME}, {"volume_id": VOLUME, "os_version": "x"}),
    ({"__data_origin": "volume,%s" % VOLUME, "virtual_env_type": "DataImage"}, {"volume_id": VOLUME, "image_type": "data"}),
    ({"__data_origin": "file,%s" % URL, "__root_origin": "file"}, {"image_url": URL, "min_disk": 40}),
    ({"__data_origin": "file,%s" % URL, "virtual_env_type": "IsoImage"}, {"image_url": URL, "image_type": "iso"}),
    ({"__data_origin": "file,%s" % URL, "virtual_env_type": "DataImage"}, {"image_url": URL, "image_type": "data"}),
    ({"__root_origin": "file"}, {"image_url": URL}),
    ({"__backup_id": BACKUP, "__whole_image": "true"}, {"backup_id": BACKUP}),
    ({"__backup_id": BACKUP, "__whole_image": True, "__data_origin": "backup,%s" % BACKUP},
     {"instance_id": SERVER, "image_type": "whole", "vault_id": VAULT}),
    ({"__data_origin": "instance,%s" % SERVER, "__whole_image": "true"}, {"instance_id": SERVER, "image_type": "whole"}),
])
def test_an_image_made_from_the_tasks_source_matches(recorded, params):
    assert source_mismatch(image(**recorded), dict(params, name="web")) is None


@pytest.mark.parametrize("recorded, params, message", [
    ({"__data_origin": "instance,other-server"}, {"instance_id": SERVER},
     "image 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86 ('web') was made from instance other-server (__data_origin "
     "'instance,other-server'), not from instance_id %s; an image's source cannot change: give the task another "
     "name, or delete this image first" % SERVER),
    ({"__data_origin": "volume,%s" % VOLUME}, {"instance_id": SERVER},
     "image 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86 ('web') was not made from instance_id %s (IMS records "
     "__data_origin 'volume,%s'); an image's source cannot change" % (SERVER, VOLUME)),
    ({"__data_origin": "volume,%s" % VOLUME}, {"volume_id": VOLUME, "image_type": "data"},
     "image 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86 ('web') is a system image, but the task asks for a data image from "
     "volume_id"),
    ({"__data_origin": "file,bkt:other.raw"}, {"image_url": URL},
     "was made from file bkt:other.raw (__data_origin 'file,bkt:other.raw'), not from image_url %s" % URL),
    ({"__backup_id": "another", "__whole_image": "true"}, {"backup_id": BACKUP},
     "was made from backup another (__backup_id), not from backup_id %s" % BACKUP),
    ({"__data_origin": "instance,%s" % SERVER}, {"backup_id": BACKUP},
     "is a system image, but the task asks for a whole image from backup_id"),
    ({"__whole_image": "true", "__backup_id": BACKUP}, {"instance_id": SERVER},
     "is a whole image, but the task asks for a system image from instance_id"),
    ({}, {"instance_id": SERVER}, "was not made from instance_id %s (IMS records no source)" % SERVER),
    ({"__root_origin": "file"}, {"instance_id": SERVER}, "(IMS records __root_origin 'file')"),
])
def test_an_image_made_otherwise_is_described_never_recreated(recorded, params, message):
    assert message in source_mismatch(image(**recorded), dict(params, name="web"))


FROM_SERVER = {"name": "web", "instance_id": SERVER}


def test_the_image_still_being_made_from_the_same_source_is_adopted():
    saving = image("saving", id="saving-1", __data_origin="instance,%s" % SERVER)
    assert adoptable([saving], FROM_SERVER) is saving
    queued = image("queued", id="queued-1", __data_origin="instance,%s" % SERVER)
    assert adoptable([queued], FROM_SERVER) is queued


def test_one_being_made_is_preferred_to_an_active_one_then_the_newest():
    origin = "instance,%s" % SERVER
    active = image("active", id="a", created_at="2024-06-03T00:00:00Z", __data_origin=origin)
    saving = image("saving", id="s", created_at="2024-06-01T00:00:00Z", __data_origin=origin)
    older = image("active", id="o", created_at="2024-06-01T00:00:00Z", __data_origin=origin)
    assert adoptable([active, saving, older], FROM_SERVER)["id"] == "s"
    assert adoptable([older, active], FROM_SERVER)["id"] == "a"


def test_no_image_of_the_name_means_create():
    assert adoptable([], FROM_SERVER) is None


def test_an_image_of_the_name_that_is_not_the_tasks_refuses_the_create():
    other = image("saving", id="x1", __data_origin="volume,%s" % VOLUME)
    killed = image("killed", id="k1", __data_origin="instance,%s" % SERVER)
    with pytest.raises(ImsImageConflict) as err:
        adoptable([other, killed], FROM_SERVER)
    text = str(err.value)
    assert text.startswith("an image named 'web' exists but is not the one the task describes, so none is created: "
                           "image x1 ('web') was not made from instance_id %s" % SERVER)
    assert text.endswith("; image k1 ('web') is killed")
