# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official SDK's native create calls and job APIs (huaweicloudsdkims, unmodified) against the emulator.

``create_image`` (a server, a volume, an OBS file, data volumes), ``create_whole_image``,
``create_data_image``, ``import_image_quick`` (and the ``*_in_safe_mode`` /v2.1 variants),
``show_job`` and ``show_job_progress``; each test checks what the SDK read back and the
emulator's state through its control surface (README "The native create API", "Jobs").
"""

from __future__ import annotations

import textwrap

import pytest

from support.hwsdk import run_sdk

SERVER = "5e1f0000-0000-4000-8000-0000000005d1"
SYSTEM_VOLUME = "7a1e0000-0000-4000-8000-0000000005d1"
DATA_VOLUMES = ["7a1e0000-0000-4000-8000-0000000005d2", "7a1e0000-0000-4000-8000-0000000005d3"]
VAULT = "ba170000-0000-4000-8000-0000000005d1"
BACKUP = "bac00000-0000-4000-8000-0000000005d1"
OS = "Ubuntu 22.04 server 64bit"

# What every script may call: wait(job_id) polls both job APIs until the job ends.
WAIT = """
import time
def wait(job_id):
    statuses = []
    for _ in range(200):
        job = client.show_job(models.ShowJobRequest(job_id=job_id))
        statuses.append(job.status)
        if job.status in ("SUCCESS", "FAIL"):
            progress = client.show_job_progress(models.ShowJobProgressRequest(job_id=job_id))
            return as_dict(job), as_dict(progress), statuses
        time.sleep(0.05)
    raise AssertionError("the job did not end: " + repr(statuses))
"""


@pytest.fixture
def world(emu):
    emu.configure_jobs(0.5)
    emu.seed_resources(
        servers=[{"id": SERVER, "name": "sdk-server", "os_version": "CentOS 7.9 64bit",
                  "system_volume_id": SYSTEM_VOLUME}],
        volumes=[{"id": SYSTEM_VOLUME, "server_id": SERVER, "kind": "system", "size": 40}]
        + [{"id": volume, "server_id": SERVER, "size": 100} for volume in DATA_VOLUMES],
        vaults=[{"id": VAULT}],
        backups=[{"id": BACKUP, "vault_id": VAULT, "resource_id": SERVER}],
        obs_objects=[{"bucket": "sdk", "key": "linux.qcow2"}, {"bucket": "sdk", "key": "large.zvhd2",
                                                               "size": 300 * 1024 ** 3},
                     {"bucket": "sdk", "key": "data.vhd"}, {"bucket": "sdk", "key": "setup.iso"}])
    return emu


def with_wait(script: str) -> str:
    """``script`` (indented as a test writes it) after the ``wait`` helper."""
    return WAIT + textwrap.dedent(script)


def stored(emu, image_id):
    return next(image for image in emu.images() if image["id"] == image_id)


def test_create_image_from_a_server_and_both_job_apis(world):
    out = run_sdk(world, with_wait("""
        body = models.CreateImageRequestBody(name="sdk-from-server", instance_id="%s", description="by the SDK",
                                             min_ram=1024, image_tags=[models.TagKeyValue(key="made", value="sdk")])
        job_id = client.create_image(models.CreateImageRequest(body=body)).job_id
        out["job_id"] = job_id
        out["job"], out["progress"], out["statuses"] = wait(job_id)
        listed = client.list_images(models.ListImagesRequest(name="sdk-from-server", imagetype="private")).images
        out["listed"] = as_dict(listed)
    """) % SERVER)
    job, progress = out["job"], out["progress"]
    assert (job["job_id"], job["status"], job["job_type"]) == (out["job_id"], "SUCCESS", "imsCreateImageByInstance")
    assert out["statuses"][0] in ("INIT", "RUNNING") and job["begin_time"] and job["end_time"]
    assert job["entities"]["process_percent"] == 100.0 and job["error_code"] is None
    assert progress["status"] == "SUCCESS" and progress["entities"]["image_id"] == job["entities"]["image_id"]
    image = stored(world, job["entities"]["image_id"])
    assert (image["name"], image["status"], image["__data_origin"], image["__description"], image["min_ram"]) == \
        ("sdk-from-server", "active", "instance," + SERVER, "by the SDK", 1024)
    assert image["tags"] == ["made=sdk"] and image["__os_version"] == "CentOS 7.9 64bit"
    [listed] = out["listed"]  # the native list shows it, with the source IMS recorded
    assert (listed["id"], listed["status"], listed["data_origin"]) == (image["id"], "active", "instance," + SERVER)


def test_create_image_from_a_volume_a_file_an_iso_and_data_volumes(world):
    out = run_sdk(world, with_wait("""
        Body = models.CreateImageRequestBody
        made = {}
        made["volume"] = wait(client.create_image(models.CreateImageRequest(body=Body(
            name="sdk-volume", volume_id="%s", os_version="%s"))).job_id)[0]
        made["file"] = wait(client.create_image_in_safe_mode(models.CreateImageInSafeModeRequest(body=Body(
            name="sdk-file", image_url="sdk:linux.qcow2", min_disk=40, is_config=True, architecture="x86",
            hw_firmware_type="bios"))).job_id)[0]
        made["iso"] = wait(client.create_image(models.CreateImageRequest(body=Body(
            name="sdk-iso", image_url="sdk:setup.iso", min_disk=40, type="IsoImage", os_version="%s"))).job_id)[0]
        data = [models.CreateDataImage(name="sdk-data-%%d" %% i, volume_id=volume) for i, volume in enumerate(%r)]
        made["data"], progress, _statuses = wait(client.create_image(models.CreateImageRequest(
            body=Body(data_images=data))).job_id)
        made["data_progress"] = progress
        out.update(made)
    """) % (SYSTEM_VOLUME, OS, OS, DATA_VOLUMES))
    volume, file_image, iso = (stored(world, out[k]["entities"]["image_id"]) for k in ("volume", "file", "iso"))
    assert (volume["__data_origin"], volume["__os_version"]) == ("volume," + SYSTEM_VOLUME, OS)
    assert (file_image["__data_origin"], file_image["__root_origin"], file_image["__is_config_init"]) == \
        ("file,sdk:linux.qcow2", "file", "true")
    assert (iso["virtual_env_type"], iso["disk_format"]) == ("IsoImage", "iso")
    results = out["data"]["entities"]["sub_jobs_result"]
    assert out["data"]["status"] == "SUCCESS" and len(results) == 2
    assert out["data_progress"]["entities"]["sub_job_id"] in out["data"]["entities"]["sub_jobs_list"]
    data_images = [stored(world, r["entities"]["image_id"]) for r in results]
    assert [(i["name"], i["virtual_env_type"], i["__data_origin"]) for i in data_images] == \
        [("sdk-data-%d" % n, "DataImage", "volume," + v) for n, v in enumerate(DATA_VOLUMES)]


def test_create_whole_image_from_a_server_and_a_backup_and_delete_its_backup(world):
    out = run_sdk(world, with_wait("""
        Body = models.CreateWholeImageRequestBody
        from_server = wait(client.create_whole_image(models.CreateWholeImageRequest(body=Body(
            name="sdk-whole", instance_id="%s", vault_id="%s"))).job_id)[0]
        from_backup = wait(client.create_whole_image(models.CreateWholeImageRequest(body=Body(
            name="sdk-cbr", backup_id="%s", whole_image_type="CBR"))).job_id)[0]
        out["server"], out["backup"] = from_server, from_backup
        client.glance_delete_image(models.GlanceDeleteImageRequest(
            image_id=from_backup["entities"]["image_id"], body=models.GlanceDeleteImageRequestBody(delete_backup=True)))
    """) % (SERVER, VAULT, BACKUP))
    assert out["server"]["job_type"] == "imsCreateWholeImageByInstanceJob"
    assert out["backup"]["job_type"] == "imsCreateWholeImageByBackupJob"
    whole = stored(world, out["server"]["entities"]["image_id"])
    assert whole["__whole_image"] == "true" and whole["status"] == "active"
    backups = {b["id"]: b for b in world.resources()["backups"]}
    assert backups[whole["__backup_id"]]["resource_id"] == SERVER  # the backup the server image made
    assert BACKUP not in backups  # deleted with its image
    assert all(image["id"] != out["backup"]["entities"]["image_id"] for image in world.images())


def test_create_data_image_and_quick_import(world):
    out = run_sdk(world, with_wait("""
        data = wait(client.create_data_image(models.CreateDataImageRequest(body=models.CreateDataImageRequestBody(
            name="sdk-data-file", image_url="sdk:data.vhd", min_disk=100, os_type="Linux",
            image_tags=[models.ImageTag(key="k", value="v")]))).job_id)[0]
        Quick = models.QuickImportImageByFileRequestBody
        quick = wait(client.import_image_quick(models.ImportImageQuickRequest(body=Quick(
            name="sdk-quick", image_url="sdk:large.zvhd2", min_disk=400, os_version="%s", type="ECS"))).job_id)[0]
        safe = wait(client.import_image_quick_in_safe_mode(models.ImportImageQuickInSafeModeRequest(body=Quick(
            name="sdk-quick-data", image_url="sdk:large.zvhd2", min_disk=400, type="DataImage"))).job_id)[0]
        v21 = wait(client.create_data_image_in_safe_mode(models.CreateDataImageInSafeModeRequest(
            body=models.CreateDataImageRequestBody(name="sdk-v21", image_url="sdk:data.vhd", min_disk=40))).job_id)[0]
        out.update(data=data, quick=quick, safe=safe, v21=v21)
    """) % OS)
    data, quick, safe, v21 = (stored(world, out[k]["entities"]["image_id"]) for k in ("data", "quick", "safe", "v21"))
    assert (data["virtual_env_type"], data["tags"], out["data"]["job_type"]) == \
        ("DataImage", ["k=v"], "imsImportDataImageJob")
    assert (quick["disk_format"], quick["size"], quick["__os_version"]) == ("zvhd2", 300 * 1024 ** 3, OS)
    assert safe["virtual_env_type"] == v21["virtual_env_type"] == "DataImage"


def test_the_sdk_reads_the_rules_and_a_failed_job(world):
    answer = run_sdk(world, """
        client.import_image_quick(models.ImportImageQuickRequest(body=models.QuickImportImageByFileRequestBody(
            name="too-plain", image_url="sdk:linux.qcow2", min_disk=40, os_version="%s")))
    """ % OS, expect_error=True)
    assert (answer["error"]["status_code"], answer["error"]["error_code"]) == (400, "IMG.0057")
    answer = run_sdk(world, """
        client.create_image(models.CreateImageRequest(body=models.CreateImageRequestBody(
            name="too-big", image_url="sdk:large.zvhd2", min_disk=400)))
    """, expect_error=True)
    assert answer["error"]["error_code"] == "IMG.0059"
    world.set_faults({"rules": [{"method": "POST", "path": "/v1/cloudimages/wholeimages/action", "job_fail": {
        "error_code": "IMG.0136", "fail_reason": "The server is being backed up."}}]})
    out = run_sdk(world, with_wait("""
        out["job"], out["progress"], _statuses = wait(client.create_whole_image(models.CreateWholeImageRequest(
            body=models.CreateWholeImageRequestBody(name="sdk-doomed", backup_id="%s"))).job_id)
    """) % BACKUP)
    assert (out["job"]["status"], out["job"]["error_code"], out["job"]["fail_reason"]) == \
        ("FAIL", "IMG.0136", "The server is being backed up.")
    assert (out["progress"]["status"], out["progress"]["error_code"]) == ("FAIL", "IMG.0136")
    assert [i["status"] for i in world.images() if i["name"] == "sdk-doomed"] == ["killed"]
