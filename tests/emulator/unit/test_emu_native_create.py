"""The native create actions in process: every path, its body rules, and IMS's rules on the
fake resources, each with its code (README "The native create API")."""

from __future__ import annotations

import pytest

from native_helpers import (BACKUP, BMS_SERVER, BUSY_SERVER, DATA_VOLUME, DATA_VOLUME_2, GIB, LOOSE_VOLUME,
                            OTHER_SERVER_VOLUME, SERVER, SYSTEM_VOLUME, USED_BACKUP, VAULT, control,
                            made_image, refused, seed_world, started)

OS = "Ubuntu 22.04 server 64bit"
FILE = {"name": "from-file", "image_url": "imgs:linux.qcow2", "min_disk": 40}
QUICK = {"name": "quick", "image_url": "imgs:big.zvhd2", "min_disk": 300, "os_version": OS}


@pytest.fixture
def world(app):
    seed_world(app)
    return app


@pytest.fixture
def post(call, world):
    """post(path, body) -> Answer."""
    return lambda path, body: call("POST", path, body)


# -- every path makes its image ------------------------------------------------------------
def test_a_server_makes_a_system_image(world, post):
    job_id = started(post("/v2/cloudimages/action", {
        "name": "web image", "instance_id": SERVER, "description": "baked", "min_ram": 1024, "max_ram": 4096,
        "image_tags": [{"key": "team", "value": "web"}], "enterprise_project_id": "0"}))
    image = made_image(world, job_id)
    assert world.jobs.jobs[job_id].job_type == "imsCreateImageByInstance"
    assert (image["name"], image["status"], image["disk_format"], image["min_disk"], image["min_ram"]) == \
        ("web image", "active", "zvhd2", 50, 1024)
    assert image["__data_origin"] == "instance," + SERVER
    assert image["__originalimagename"] == "parent-image"
    assert (image["__os_version"], image["__platform"], image["__os_type"]) == ("CentOS 7.9 64bit", "CentOS", "Linux")
    assert (image["__description"], image["max_ram"], image["tags"]) == ("baked", "4096", ["team=web"])
    assert (image["__imagetype"], image["__image_source_type"], image["virtual_env_type"]) == \
        ("private", "uds", "FusionCompute")
    assert image["enterprise_project_id"] == "0" and image["owner"] == world.accounts[0].project_id
    assert image["size"] == 50 * GIB and image["__image_size"] == str(50 * GIB)


def test_a_bms_server_makes_an_ironic_image(world, post):
    image = made_image(world, started(post("/v2/cloudimages/action", {"name": "bms", "instance_id": BMS_SERVER})))
    assert image["virtual_env_type"] == "Ironic"


def test_a_volume_makes_a_system_image(world, post):
    job_id = started(post("/v2.1/cloudimages/action",
                          {"name": "from-volume", "volume_id": SYSTEM_VOLUME, "os_version": OS, "type": "ECS"}))
    image = made_image(world, job_id)
    assert world.jobs.jobs[job_id].job_type == "imsVolumeCreateImageJob"
    assert (image["__data_origin"], image["__os_version"], image["min_disk"]) == ("volume," + SYSTEM_VOLUME, OS, 50)
    assert image["__originalimagename"] == "parent-image"  # the system disk of a server booted from it


@pytest.mark.parametrize("path", ["/v2/cloudimages/action", "/v2.1/cloudimages/action"])
def test_a_file_makes_a_system_image(world, post, path):
    job_id = started(post(path, dict(FILE, os_version=OS, is_config=True, architecture="x86",
                                     hw_firmware_type="uefi", os_type="Linux", tags=["a.b"], cmk_id=None)))
    image = made_image(world, job_id)
    assert world.jobs.jobs[job_id].job_type == "imsImportImageJob"
    assert (image["__data_origin"], image["__root_origin"], image["__originalimagename"]) == \
        ("file,imgs:linux.qcow2", "file", "")
    assert (image["min_disk"], image["disk_format"], image["size"], image["tags"]) == (40, "zvhd2", 3 * GIB, ["a.b"])
    assert (image["__is_config_init"], image["hw_firmware_type"], image["architecture"]) == ("true", "uefi", "x86")
    assert "__system__cmkid" not in image


def test_an_encrypted_file_image_records_its_key(world, post):
    image = made_image(world, started(post("/v2/cloudimages/action", {
        "name": "enc", "image_url": "imgs:data.vhd", "min_disk": 40, "cmk_id": "kms-key-1"})))
    assert image["__system__cmkid"] == "kms-key-1"


def test_an_iso_file_makes_an_iso_image(world, post):
    image = made_image(world, started(post("/v2/cloudimages/action", {
        "name": "iso", "image_url": "imgs:install.iso", "min_disk": 40, "type": "IsoImage", "os_version": OS})))
    assert (image["virtual_env_type"], image["disk_format"]) == ("IsoImage", "iso")


def test_data_volumes_make_one_data_image_each_in_sub_jobs(world, post):
    job_id = started(post("/v2/cloudimages/action", {"data_images": [
        {"name": "data-a", "volume_id": DATA_VOLUME, "description": "first", "tags": ["x.y"]},
        {"name": "data-b", "volume_id": DATA_VOLUME_2}]}))
    control(world, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    parent = world.jobs.jobs[job_id]
    assert parent.job_type == "imsVolumesToSysDataImagesJob" and parent.status == "SUCCESS"
    images = [world.store.get(sub.image_id) for sub in parent.sub_jobs]
    assert [(i["name"], i["virtual_env_type"], i["min_disk"], i["status"]) for i in images] == \
        [("data-a", "DataImage", 100, "active"), ("data-b", "DataImage", 200, "active")]
    assert images[0]["__data_origin"] == "volume," + DATA_VOLUME
    assert (images[0]["__description"], images[0]["tags"]) == ("first", ["x.y"])


def test_a_server_and_its_vault_make_a_whole_image_and_a_backup(world, post):
    job_id = started(post("/v1/cloudimages/wholeimages/action",
                          {"name": "whole", "instance_id": SERVER, "vault_id": VAULT}))
    image = made_image(world, job_id)
    assert world.jobs.jobs[job_id].job_type == "imsCreateWholeImageByInstanceJob"
    backup = world.resources.backups[image["__backup_id"]]
    assert (backup["vault_id"], backup["resource_id"], backup["kind"], backup["image_id"]) == \
        (VAULT, SERVER, "CBR", image["id"])
    assert (image["__whole_image"], image["__data_origin"], image["min_disk"]) == \
        ("true", "backup," + backup["id"], 50)


def test_a_backup_makes_a_whole_image(world, post):
    job_id = started(post("/v1/cloudimages/wholeimages/action",
                          {"name": "from-backup", "backup_id": BACKUP, "whole_image_type": "CBR"}))
    image = made_image(world, job_id)
    assert world.jobs.jobs[job_id].job_type == "imsCreateWholeImageByBackupJob"
    assert (image["__backup_id"], image["__whole_image"], image["__os_version"]) == (BACKUP, "true", "CentOS 7.9 64bit")
    assert world.resources.backups[BACKUP]["image_id"] == image["id"]
    refused(post("/v1/cloudimages/wholeimages/action", {"name": "again", "backup_id": BACKUP,
                                                        "whole_image_type": "CBR"}), "IMG.0029")


@pytest.mark.parametrize("path", ["/v1/cloudimages/dataimages/action", "/v2.1/cloudimages/dataimages/action"])
def test_a_file_makes_a_data_image(world, post, path):
    job_id = started(post(path, {"name": "data-file", "image_url": "imgs:data.vhd", "min_disk": 100,
                                 "os_type": "Windows", "image_tags": [{"key": "k", "value": ""}]}))
    image = made_image(world, job_id)
    assert world.jobs.jobs[job_id].job_type == "imsImportDataImageJob"
    assert (image["virtual_env_type"], image["__os_type"], image["min_disk"], image["tags"]) == \
        ("DataImage", "Windows", 100, ["k="])
    assert image["__data_origin"] == "file,imgs:data.vhd"


@pytest.mark.parametrize("path", ["/v2/cloudimages/quickimport/action", "/v2.1/cloudimages/quickimport/action"])
def test_quick_import_makes_system_and_data_images(world, post, path):
    system = made_image(world, started(post(path, dict(QUICK, architecture="arm", license_type="byol"))))
    assert (system["disk_format"], system["size"], system["hw_firmware_type"], system["architecture"]) == \
        ("zvhd2", 200 * GIB, "uefi", "arm")  # arm boots with uefi
    assert system["__license_type"] == "byol" and system["virtual_env_type"] == "FusionCompute"
    data = made_image(world, started(post(path, {"name": "quick-data", "image_url": "imgs:disk.raw",
                                                 "min_disk": 100, "type": "DataImage"})))
    assert (data["virtual_env_type"], data["disk_format"], data["__os_type"]) == ("DataImage", "raw", "Linux")


def test_the_is_quick_import_flag_of_the_create_call(world, post):
    image = made_image(world, started(post("/v2/cloudimages/action", dict(QUICK, is_quick_import=True))))
    assert image["disk_format"] == "zvhd2" and image["size"] == 200 * GIB


# -- body rules ----------------------------------------------------------------------------
@pytest.mark.parametrize("path, body, code", [
    ("/v2/cloudimages/action", {}, "IMG.0012"),
    ("/v2/cloudimages/action", {"name": "no source"}, "IMG.0012"),
    ("/v2/cloudimages/action", {"name": "two", "instance_id": SERVER, "image_url": "imgs:linux.qcow2"}, "IMG.0001"),
    ("/v2/cloudimages/action", {"instance_id": SERVER}, "IMG.0013"),
    ("/v2/cloudimages/action", {"name": "x" * 129, "instance_id": SERVER}, "IMG.0002"),
    ("/v2/cloudimages/action", {"name": "bad/name", "instance_id": SERVER}, "IMG.0003"),
    ("/v2/cloudimages/action", {"name": " lead", "instance_id": SERVER}, "IMG.0003"),
    ("/v2/cloudimages/action", {"name": 7, "instance_id": SERVER}, "IMG.0003"),
    ("/v2/cloudimages/action", {"name": "d", "instance_id": SERVER, "description": "<b>"}, "IMG.0004"),
    ("/v2/cloudimages/action", {"name": "d", "instance_id": SERVER, "description": "x" * 1025}, "IMG.0004"),
    ("/v2/cloudimages/action", {"name": "t", "instance_id": SERVER, "tags": ["a"],
                                "image_tags": [{"key": "a", "value": "b"}]}, "IMG.0001"),
    ("/v2/cloudimages/action", {"name": "t", "instance_id": SERVER, "image_tags": [{"key": "a"}]}, "IMG.0001"),
    ("/v2/cloudimages/action", {"name": "t", "instance_id": SERVER, "tags": ["a/b"]}, "IMG.0001"),
    ("/v2/cloudimages/action", {"name": "r", "instance_id": SERVER, "min_ram": -1}, "IMG.0055"),
    ("/v2/cloudimages/action", {"name": "r", "instance_id": SERVER, "min_ram": 4096, "max_ram": 1024}, "IMG.0055"),
    ("/v2/cloudimages/action", {"name": "e", "instance_id": SERVER, "enterprise_project_id": "dev"}, "IMG.0154"),
    ("/v2/cloudimages/action", {"name": "v", "volume_id": SYSTEM_VOLUME}, "IMG.0056"),
    ("/v2/cloudimages/action", {"name": "v", "volume_id": SYSTEM_VOLUME, "os_version": "Plan 9 64bit"}, "IMG.0056"),
    ("/v2/cloudimages/action", {"name": "v", "volume_id": SYSTEM_VOLUME, "os_version": OS, "type": "DataImage"},
     "IMG.0117"),
    ("/v2/cloudimages/action", {"name": "f", "image_url": "imgs:linux.qcow2"}, "IMG.0001"),  # min_disk required
    ("/v2/cloudimages/action", dict(FILE, min_disk=0), "IMG.0055"),
    ("/v2/cloudimages/action", dict(FILE, min_disk=1025), "IMG.0055"),
    ("/v2/cloudimages/action", dict(FILE, min_disk="40"), "IMG.0055"),
    ("/v2/cloudimages/action", dict(FILE, image_url="no-colon"), "IMG.0001"),
    ("/v2/cloudimages/action", dict(FILE, image_url="imgs:my file.qcow2"), "IMG.0175"),
    ("/v2/cloudimages/action", dict(FILE, architecture="sparc"), "IMG.0212"),
    ("/v2/cloudimages/action", dict(FILE, hw_firmware_type="efi"), "IMG.0141"),
    ("/v2/cloudimages/action", dict(FILE, architecture="arm", hw_firmware_type="bios"), "IMG.0141"),
    ("/v2/cloudimages/action", dict(FILE, os_type="BeOS"), "IMG.0122"),
    ("/v2/cloudimages/action", dict(FILE, type="Docker"), "IMG.0117"),
    ("/v2/cloudimages/action", dict(FILE, type="BMS", cmk_id="key"), "IMG.0118"),
    ("/v2/cloudimages/action", dict(FILE, is_quick_import="yes"), "IMG.0001"),
    ("/v2/cloudimages/action", dict(FILE, is_quick_import=True), "IMG.0056"),  # quick import needs os_version
    ("/v2/cloudimages/action", dict(FILE, image_url="imgs:install.iso", type="IsoImage"), "IMG.0056"),
    ("/v2/cloudimages/action", {"data_images": []}, "IMG.0001"),
    ("/v2/cloudimages/action", {"data_images": [{"name": "d", "volume_id": DATA_VOLUME}], "instance_id": SERVER},
     "IMG.0001"),
    ("/v2/cloudimages/action", {"data_images": [{"volume_id": DATA_VOLUME}]}, "IMG.0013"),
    ("/v2/cloudimages/action", {"data_images": [{"name": "d", "volume_id": DATA_VOLUME},
                                                {"name": "e", "volume_id": DATA_VOLUME}]}, "IMG.0001"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w"}, "IMG.0019"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "instance_id": SERVER}, "IMG.0001"),  # vault_id
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "instance_id": SERVER, "backup_id": BACKUP}, "IMG.0001"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "backup_id": BACKUP, "whole_image_type": "EBS"}, "IMG.0001"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "backup_id": BACKUP, "whole_image_type": "CSBS"},
     "IMG.0001"),  # a CBR backup
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "instance_id": SERVER, "vault_id": VAULT,
                                            "whole_image_type": "CBR"}, "IMG.0001"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "instance_id": SERVER, "vault_id": VAULT,
                                            "cmk_id": "key"}, "IMG.0001"),  # a whole image is never encrypted
    ("/v1/cloudimages/dataimages/action", {"name": "d", "image_url": "imgs:data.vhd"}, "IMG.0001"),
    ("/v1/cloudimages/dataimages/action", {"name": "d", "image_url": "imgs:data.vhd", "min_disk": 2049}, "IMG.0055"),
    ("/v1/cloudimages/dataimages/action", {"name": "d", "image_url": "imgs:data.vhd", "min_disk": 40,
                                           "os_type": "Other"}, "IMG.0122"),
    ("/v2/cloudimages/quickimport/action", dict(QUICK, os_version=None), "IMG.0056"),
    ("/v2/cloudimages/quickimport/action", dict(QUICK, type="IsoImage"), "IMG.0117"),
    ("/v2/cloudimages/quickimport/action", dict(QUICK, license_type="free"), "IMG.0001"),
    ("/v2/cloudimages/quickimport/action", dict(QUICK, min_disk=1025), "IMG.0055"),
])
def test_body_rules(world, post, path, body, code):
    refused(post(path, body), code)
    assert world.jobs.jobs == {} and world.store.images == {}


@pytest.mark.parametrize("path", ["/v2/cloudimages/action", "/v2.1/cloudimages/action",
                                  "/v1/cloudimages/wholeimages/action", "/v1/cloudimages/dataimages/action",
                                  "/v2/cloudimages/quickimport/action"])
def test_an_empty_body(world, call, path):
    refused(call("POST", path, body=b"", headers={"Content-Type": "application/json"}), "IMG.0007")


def test_a_body_that_is_not_an_object(world, call):
    refused(call("POST", "/v2/cloudimages/action", body=b"[1]", headers={"Content-Type": "application/json"}),
            "IMG.0001")
    refused(call("POST", "/v2/cloudimages/action", body=b"{oops", headers={"Content-Type": "application/json"}),
            "IMG.0001")


# -- IMS's rules on the resources ----------------------------------------------------------
@pytest.mark.parametrize("path, body, code", [
    ("/v2/cloudimages/action", {"name": "s", "instance_id": "no-such-server"}, "IMG.0005"),
    ("/v2/cloudimages/action", {"name": "s", "instance_id": "5e1f0000-0000-4000-8000-0000000000cc"},
     "IMG.0005"),  # another project's server
    ("/v2/cloudimages/action", {"name": "s", "instance_id": BUSY_SERVER}, "IMG.0010"),
    ("/v2/cloudimages/action", {"name": "v", "volume_id": "no-such-volume", "os_version": OS}, "IMG.0120"),
    ("/v2/cloudimages/action", {"name": "v", "volume_id": LOOSE_VOLUME, "os_version": OS}, "IMG.0022"),
    ("/v2/cloudimages/action", {"data_images": [{"name": "d", "volume_id": SYSTEM_VOLUME}]}, "IMG.0120"),
    ("/v2/cloudimages/action", {"data_images": [{"name": "d", "volume_id": DATA_VOLUME},
                                                {"name": "e", "volume_id": OTHER_SERVER_VOLUME}]}, "IMG.0140"),
    ("/v2/cloudimages/action", dict(FILE, image_url="imgs:nothing.qcow2"), "IMG.0057"),
    ("/v2/cloudimages/action", dict(FILE, image_url="far:linux.qcow2"), "IMG.0058"),
    ("/v2/cloudimages/action", dict(FILE, image_url="imgs:cold.qcow2"), "IMG.0057"),
    ("/v2/cloudimages/action", dict(FILE, image_url="imgs:big.qcow2"), "IMG.0059"),  # > 128 GB, normal import
    ("/v2/cloudimages/action", dict(FILE, image_url="imgs:big.zvhd2"), "IMG.0059"),  # ... even raw/zvhd2
    ("/v2/cloudimages/action", dict(FILE, image_url="imgs:huge.raw", is_quick_import=True, os_version=OS),
     "IMG.0059"),  # > 1 TB
    ("/v2/cloudimages/action", dict(FILE, cmk_id="kms-key-1"), "IMG.0057"),  # a qcow2 file is never encrypted
    ("/v2/cloudimages/action", dict(FILE, image_url="imgs:install.iso"), "IMG.0057"),  # ISO needs IsoImage
    ("/v2/cloudimages/action", dict(FILE, type="IsoImage", os_version=OS), "IMG.0057"),  # IsoImage needs ISO
    ("/v2/cloudimages/quickimport/action", dict(QUICK, image_url="imgs:big.qcow2"), "IMG.0057"),  # raw/zvhd2 only
    ("/v1/cloudimages/dataimages/action", {"name": "d", "image_url": "imgs:big.qcow2", "min_disk": 300}, "IMG.0059"),
    ("/v1/cloudimages/dataimages/action", {"name": "d", "image_url": "imgs:linux.qcow2", "min_disk": 40,
                                           "cmk_id": "kms-key-1"}, "IMG.0057"),
    ("/v1/cloudimages/dataimages/action", {"name": "d", "image_url": "imgs:install.iso", "min_disk": 40}, "IMG.0057"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "instance_id": SERVER, "vault_id": "no-vault"}, "IMG.0181"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "instance_id": "nothing", "vault_id": VAULT}, "IMG.0005"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "backup_id": "no-backup"}, "IMG.0020"),
    ("/v1/cloudimages/wholeimages/action", {"name": "w", "backup_id": USED_BACKUP}, "IMG.0029"),
])
def test_resource_rules(world, post, path, body, code):
    backups = dict(world.resources.backups)
    refused(post(path, body), code)
    assert world.jobs.jobs == {} and world.store.images == {}
    assert world.resources.backups == backups


def test_an_unavailable_backup(world, post):
    control(world, "POST", "/_emulator/seed", {"backups": [{"id": "b-err", "status": "error"}]})
    refused(post("/v1/cloudimages/wholeimages/action", {"name": "w", "backup_id": "b-err"}), "IMG.0032")


def test_a_server_with_an_image_job_in_progress(world, post):
    started(post("/v2/cloudimages/action", {"name": "first", "instance_id": SERVER}))
    refused(post("/v2/cloudimages/action", {"name": "second", "instance_id": SERVER}), "IMG.0010")
    refused(post("/v1/cloudimages/wholeimages/action", {"name": "w", "instance_id": SERVER, "vault_id": VAULT}),
            "IMG.0010")
    control(world, "POST", "/_emulator/jobs/finish", {})
    started(post("/v2/cloudimages/action", {"name": "second", "instance_id": SERVER}))  # free again


def test_a_volume_already_being_imaged(world, post):
    started(post("/v2/cloudimages/action", {"data_images": [{"name": "d", "volume_id": DATA_VOLUME}]}))
    refused(post("/v2/cloudimages/action", {"data_images": [{"name": "e", "volume_id": DATA_VOLUME}]}), "IMG.0139")


def test_a_volume_on_a_busy_server(world, post):
    control(world, "POST", "/_emulator/seed", {"volumes": [{"id": "vol-busy", "server_id": BUSY_SERVER}]})
    refused(post("/v2/cloudimages/action", {"name": "v", "volume_id": "vol-busy", "os_version": OS}), "IMG.0010")


def test_the_quota_counts_images_and_jobs_yet_to_store_theirs(world, post, call):
    project = world.accounts[0].project_id
    assert control(world, "POST", "/_emulator/quota", {"project_id": project, "quota": 2})[0] == 200
    world.control.seeder.seed({"count": 1})
    started(post("/v2/cloudimages/action", FILE))  # INIT: no image yet, but it counts
    refused(post("/v2/cloudimages/action", dict(FILE, name="over")), "IMG.0015")
    refused(post("/v1/cloudimages/wholeimages/action", {"name": "w", "backup_id": BACKUP}), "IMG.0015")
    assert world.resources.backups[BACKUP]["image_id"] is None  # a refusal uses nothing up
    refused(call("POST", "/v2/images", {"name": "glance"}), "IMG.0015")  # the Glance create too
    control(world, "POST", "/_emulator/quota", {"project_id": project, "quota": None})  # back to the default
    started(post("/v2/cloudimages/action", dict(FILE, name="fits")))


def test_the_quota_counts_every_data_image_of_a_request(world, post):
    control(world, "POST", "/_emulator/quota", {"project_id": world.accounts[0].project_id, "quota": 1})
    refused(post("/v2/cloudimages/action", {"data_images": [{"name": "a", "volume_id": DATA_VOLUME},
                                                            {"name": "b", "volume_id": DATA_VOLUME_2}]}), "IMG.0015")


# -- seeding the fakes ---------------------------------------------------------------------
def test_seeded_fakes_get_their_defaults(app):
    status, body = control(app, "POST", "/_emulator/seed", {
        "servers": [{"id": "s-1"}, {"id": "s-arm", "architecture": "arm"}],
        "volumes": [{"id": "v-1", "server_id": "s-1"}], "backups": [{"id": "b-1"}], "vaults": [{}],
        "obs_objects": [{"bucket": "b", "key": "k.zvhd2"}, {"bucket": "b", "key": "noext"}],
        "count": 1})
    assert status == 200 and len(body["ids"]) == 1 and body["servers"] == ["s-1", "s-arm"]
    assert body["obs_objects"] == ["b:k.zvhd2", "b:noext"] and len(body["vaults"]) == 1
    server = app.resources.servers["s-1"]
    project = app.accounts[0].project_id
    assert (server["status"], server["type"], server["project_id"], server["os_version"], server["task_in_progress"]) \
        == ("ACTIVE", "ECS", project, "Ubuntu 22.04 server 64bit", False)
    assert app.resources.servers["s-arm"]["hw_firmware_type"] == "uefi"
    system = app.resources.volumes[server["system_volume_id"]]
    assert (system["kind"], system["size"], system["server_id"], system["status"]) == ("system", 40, "s-1", "in-use")
    volume = app.resources.volumes["v-1"]
    assert (volume["kind"], volume["size"], volume["status"]) == ("data", 100, "in-use")
    backup = app.resources.backups["b-1"]
    assert (backup["status"], backup["kind"], backup["image_id"]) == ("available", "CBR", None)
    assert app.resources.obs_object("b", "k.zvhd2")["format"] == "zvhd2"
    assert app.resources.obs_object("b", "noext") == {"bucket": "b", "key": "noext", "format": "qcow2",
                                                      "size": 4 * GIB, "storage_class": "STANDARD",
                                                      "region": "cn-north-4"}


@pytest.mark.parametrize("payload", [
    {"servers": [{"colour": "red"}]}, {"servers": [{"task_in_progress": 1}]}, {"servers": [{"status": "ON"}]},
    {"servers": {}}, {"servers": ["s"]}, {"servers": [{"id": ""}]}, {"servers": [{"system_disk_size": 0}]},
    {"volumes": [{"kind": "root"}]}, {"volumes": [{"size": "40"}]}, {"volumes": [{"server_id": 3}]},
    {"backups": [{"kind": "EBS"}]}, {"backups": [{"vault_id": 1}]}, {"vaults": [{"size": 1}]},
    {"obs_objects": [{"bucket": "b"}]}, {"obs_objects": [{"bucket": "b", "key": "k", "format": "tar"}]},
    {"obs_objects": [{"bucket": "b", "key": "k", "storage_class": "GLACIER"}]},
    {"obs_objects": [{"bucket": "b", "key": "k", "region": ""}]},
    {"servers": [{"id": "fine"}], "count": "many"},  # a bad image entry beside good fakes
])
def test_a_bad_resource_seed_seeds_nothing(app, payload):
    status, body = control(app, "POST", "/_emulator/seed", payload)
    assert status == 400 and body["error"]
    assert control(app, "GET", "/_emulator/resources")[1] == {
        "servers": [], "volumes": [], "vaults": [], "backups": [], "obs_objects": []}
    assert app.store.images == {}
