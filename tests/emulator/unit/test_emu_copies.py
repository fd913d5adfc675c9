# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Image copies in process (README "Copies"): both routes, their bodies, the jobs and where and when
the copy appears, and IMS's rules with their codes."""

from __future__ import annotations

import json

import pytest

from imsemu.app import EmulatorApp
from imsemu.defaults import DEFAULT_PROJECT_ID

from native_helpers import refused, started
from test_emu_regions import EAST, P_EAST, control, signed

SOURCE = "c0c0c0c0-0000-4000-8000-000000000001"
WHOLE = "c0c0c0c0-0000-4000-8000-000000000002"
ENCRYPTED = "c0c0c0c0-0000-4000-8000-000000000003"
ISO = "c0c0c0c0-0000-4000-8000-000000000004"
QUEUED = "c0c0c0c0-0000-4000-8000-000000000005"
OTHERS = "c0c0c0c0-0000-4000-8000-000000000006"
SHARED = "c0c0c0c0-0000-4000-8000-000000000007"
PUBLIC = "c0c0c0c0-0000-4000-8000-000000000008"
EAST_VAULT = "ba170000-0000-4000-8000-0000000000e3"
OS = "CentOS 7.9 64bit"
CROSS = {"name": "east copy", "region": EAST, "project_name": EAST, "agency_name": "ims_admin_agency"}


@pytest.fixture
def app():
    emulator = EmulatorApp(public_images=False)
    status, body = control(emulator, "POST", "/_emulator/seed", {"images": [
        {"id": SOURCE, "name": "golden", "properties": {
            "__os_version": OS, "min_disk": 40, "min_ram": 1024, "max_ram": "8192", "hw_firmware_type": "uefi",
            "__support_kvm": "true", "enterprise_project_id": "0", "__description": "the source"}},
        {"id": WHOLE, "name": "whole", "properties": {"__whole_image": "true", "__backup_id": "b-1"}},
        {"id": ENCRYPTED, "name": "enc", "properties": {"__system__cmkid": "key-1", "__system_encrypted": "1"}},
        {"id": ISO, "name": "iso", "properties": {"virtual_env_type": "IsoImage", "disk_format": "iso"}},
        {"id": QUEUED, "name": "queued", "status": "queued"},
        {"id": OTHERS, "name": "not mine", "owner": "d" * 32},
        {"id": SHARED, "name": "shared with me", "owner": "d" * 32,
         "members": [{"member": DEFAULT_PROJECT_ID, "status": "accepted"}]},
        {"id": PUBLIC, "name": "public", "imagetype": "gold"}]})
    assert status == 200, body
    status, body = control(emulator, "POST", "/_emulator/seed",
                           {"region": EAST, "vaults": [{"id": EAST_VAULT, "project_id": P_EAST}]})
    assert status == 200, body
    yield emulator
    emulator.close()


def post(app, path, body, prefix=""):
    return signed(app, "POST", prefix + path, P_EAST if prefix == "/" + EAST else DEFAULT_PROJECT_ID,
                  json.dumps(body).encode() if not isinstance(body, bytes) else body)


def show_job(app, job_id, prefix="", project=DEFAULT_PROJECT_ID):
    answer = signed(app, "GET", "%s/v1/%s/jobs/%s" % (prefix, project, job_id), project)
    return answer


def images(app, region=None):
    query = "region=" + region if region else ""
    return {i["id"]: i for i in control(app, "GET", "/_emulator/images", query=query)[1]["images"]}


def listed_names(app, prefix, project):
    answer = signed(app, "GET", prefix + "/v2/images", project)
    assert answer.status == 200, answer.body
    return {image["name"]: image["status"] for image in answer.json()["images"]}


# -- in-region copy ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/v1/cloudimages/%s/copy", "/v2.1/cloudimages/%s/copy"])
def test_an_in_region_copy_is_a_job_that_makes_the_copy(app, path):
    job_id = started(post(app, path % SOURCE, {"name": "copy 1", "description": "a copy", "unknown": 1}))
    job = app.jobs.jobs[job_id]
    assert job.job_type == "imsCopyImageInRegionJob"
    assert "copy 1" not in listed_names(app, "", DEFAULT_PROJECT_ID)  # INIT: not listed, as the native creates
    assert "image_id" not in show_job(app, job_id).json()["entities"]
    app.clock.offset = 2  # RUNNING (10 s jobs: INIT is the first second)
    assert listed_names(app, "", DEFAULT_PROJECT_ID)["copy 1"] == "saving"
    entities = show_job(app, job_id).json()["entities"]
    assert show_job(app, job_id).json()["status"] == "RUNNING" and entities["image_id"] == job.image_id
    app.clock.offset = 11
    body = show_job(app, job_id).json()
    assert body["status"] == "SUCCESS" and body["entities"]["image_id"] == job.image_id
    copy = images(app)[job.image_id]
    assert copy["status"] == "active" and copy["owner"] == DEFAULT_PROJECT_ID and copy["name"] == "copy 1"
    assert copy["__originalimagename"] == SOURCE
    assert (copy["__os_version"], copy["__platform"], copy["min_disk"], copy["min_ram"], copy["max_ram"]) == \
        (OS, "CentOS", 40, 1024, "8192")
    assert (copy["hw_firmware_type"], copy["__support_kvm"], copy["__description"]) == ("uefi", "true", "a copy")
    assert copy["__imagetype"] == "private" and copy["enterprise_project_id"] == "0" and "unknown" not in copy
    assert copy["size"] == images(app)[SOURCE]["size"]


def test_an_in_region_copy_may_encrypt_and_name_its_enterprise_project(app):
    eps = "3b8e3d2a-0000-4000-8000-000000000001"
    job_id = started(post(app, "/v1/cloudimages/%s/copy" % SOURCE,
                          {"name": "enc copy", "cmk_id": "key-9", "enterprise_project_id": eps}))
    control(app, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    copy = images(app)[app.jobs.jobs[job_id].image_id]
    assert (copy["__system__cmkid"], copy["__system_encrypted"], copy["enterprise_project_id"]) == ("key-9", "1", eps)
    again = started(post(app, "/v1/cloudimages/%s/copy" % ENCRYPTED, {"name": "same key kept"}))
    control(app, "POST", "/_emulator/jobs/finish", {"job_id": again})
    assert images(app)[app.jobs.jobs[again].image_id]["__system__cmkid"] == "key-1"  # an encrypted source's key


@pytest.mark.parametrize("body, code", [
    (b"", "IMG.0007"), ([1], "IMG.0001"), ({}, "IMG.0013"), ({"name": "x" * 129}, "IMG.0002"),
    ({"name": " lead"}, "IMG.0003"), ({"name": 5}, "IMG.0003"), ({"name": "ok", "description": "<b>"}, "IMG.0004"),
    ({"name": "ok", "cmk_id": 7}, "IMG.0095"), ({"name": "ok", "enterprise_project_id": "eps"}, "IMG.0154"),
])
def test_the_in_region_body_rules(app, body, code):
    refused(post(app, "/v1/cloudimages/%s/copy" % SOURCE, body), code)
    assert app.jobs.jobs == {}


@pytest.mark.parametrize("image_id, body, code, status, words", [
    ("c0c0c0c0-0000-4000-8000-0000000000ff", {}, "IMG.0144", 404, "could not be found"),
    (OTHERS, {}, "IMG.0144", 404, "could not be found"),
    (SHARED, {}, "IMG.0047", 400, "Only the owner"),
    (PUBLIC, {}, "IMG.0047", 400, "Only the owner"),
    (QUEUED, {}, "IMG.0046", 400, "only an active image"),
    (ISO, {}, "IMG.0046", 400, "ISO images cannot be replicated"),
    (WHOLE, {}, "IMG.0130", 400, "Full-ECS images cannot be replicated within a region"),
    (ENCRYPTED, {"cmk_id": "key-1"}, "IMG.0096", 400, "must be different from the original key"),
])
def test_imss_in_region_rules(app, image_id, body, code, status, words):
    assert words in refused(post(app, "/v1/cloudimages/%s/copy" % image_id, dict(body, name="c")), code, status)
    assert app.jobs.jobs == {}


def test_an_in_region_copy_counts_towards_the_quota(app):
    control(app, "POST", "/_emulator/quota", {"quota": 6})  # 5 seeded of the project + 1
    started(post(app, "/v1/cloudimages/%s/copy" % SOURCE, {"name": "one"}))
    refused(post(app, "/v1/cloudimages/%s/copy" % SOURCE, {"name": "two"}), "IMG.0015")


def test_a_job_fail_fault_fails_a_copy_and_kills_it(app):
    control(app, "POST", "/_emulator/faults", {"rules": [{"path": "/v1/cloudimages/.*/copy", "job_fail": True}]})
    job_id = started(post(app, "/v1/cloudimages/%s/copy" % SOURCE, {"name": "doomed"}))
    control(app, "POST", "/_emulator/jobs/finish", {})
    assert show_job(app, job_id).json()["status"] == "FAIL"
    assert images(app)[app.jobs.jobs[job_id].image_id]["status"] == "killed"


# -- cross-region copy -----------------------------------------------------------------------------
def test_a_cross_region_copy_appears_in_the_destination(app):
    job_id = started(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, dict(CROSS, description="far")))
    job = app.jobs.jobs[job_id]
    assert job.job_type == "imsCrossRegionCopyImageJob" and job.project == DEFAULT_PROJECT_ID
    east = "/" + EAST
    assert "east copy" not in listed_names(app, east, P_EAST)  # INIT
    app.clock.offset = 2  # a request to the destination alone moves the job
    assert listed_names(app, east, P_EAST)["east copy"] == "saving"
    assert "east copy" not in listed_names(app, "", DEFAULT_PROJECT_ID)  # never in the source region
    app.clock.offset = 11
    assert listed_names(app, east, P_EAST)["east copy"] == "active"
    body = show_job(app, job_id).json()  # read in the source region
    assert body["status"] == "SUCCESS" and body["job_type"] == "imsCrossRegionCopyImageJob"
    copy = images(app, EAST)[body["entities"]["image_id"]]
    assert (copy["owner"], copy["name"], copy["__originalimagename"], copy["__description"]) == \
        (P_EAST, "east copy", SOURCE, "far")
    assert (copy["__os_version"], copy["min_disk"], copy["hw_firmware_type"]) == (OS, 40, "uefi")
    assert body["entities"]["image_id"] not in images(app)
    assert show_job(app, job_id, "/" + EAST, P_EAST).status == 404  # the job is the source region's
    assert control(app, "GET", "/_emulator/jobs", query="region=" + EAST)[1]["jobs"] == []


def test_the_source_regions_finish_completes_the_destination_image(app):
    job_id = started(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, CROSS))
    assert control(app, "POST", "/_emulator/jobs/finish", {"job_id": job_id})[1] == {"finished": [job_id]}
    assert images(app, EAST)[app.jobs.jobs[job_id].image_id]["status"] == "active"


def test_a_full_ecs_image_crosses_with_a_vault_of_the_destination(app):
    body = dict(CROSS, name="whole copy")
    assert "vault_id is required" in refused(post(app, "/v1/cloudimages/%s/cross_region_copy" % WHOLE, body),
                                             "IMG.0189")
    refused(post(app, "/v1/cloudimages/%s/cross_region_copy" % WHOLE, dict(body, vault_id="nope")), "IMG.0189")
    job_id = started(post(app, "/v1/cloudimages/%s/cross_region_copy" % WHOLE, dict(body, vault_id=EAST_VAULT)))
    control(app, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    copy = images(app, EAST)[app.jobs.jobs[job_id].image_id]
    backups = control(app, "GET", "/_emulator/resources", query="region=" + EAST)[1]["backups"]
    assert copy["__whole_image"] == "true" and [b["id"] for b in backups] == [copy["__backup_id"]]
    assert backups[0]["vault_id"] == EAST_VAULT and backups[0]["image_id"] == copy["id"]


def test_a_seeded_agency_may_be_named(app):
    refused(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, dict(CROSS, agency_name="mine")), "IMG.0179")
    assert control(app, "POST", "/_emulator/agencies", {"name": "mine"})[0] == 200
    started(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, dict(CROSS, agency_name="mine")))


@pytest.mark.parametrize("image_id, change, code, words", [
    (SOURCE, {"region": None}, "IMG.0178", "region is required"),
    (SOURCE, {"region": "eu-west-0"}, "IMG.0178", "does not exist"),
    (SOURCE, {"region": "cn-north-4"}, "IMG.0178", "must differ from the source region"),
    (SOURCE, {"project_name": None}, "IMG.0104", "project_name is required"),
    (SOURCE, {"project_name": "cn-north-4"}, "IMG.0145", "is not a project of the tenant"),
    (SOURCE, {"agency_name": None}, "IMG.0179", "agency_name is required"),
    (SOURCE, {"agency_name": "nobody"}, "IMG.0179", "Failed to obtain the agency token"),
    (SOURCE, {"name": None}, "IMG.0013", "name is missing"),
    (SOURCE, {"vault_id": 3}, "IMG.0001", "vault_id must be a string"),
    (ENCRYPTED, {}, "IMG.0098", "Encrypted images cannot be replicated across regions"),
    (ISO, {}, "IMG.0046", "ISO images cannot be replicated"),
    (QUEUED, {}, "IMG.0046", "only an active image"),
])
def test_imss_cross_region_rules(app, image_id, change, code, words):
    body = {k: v for k, v in dict(CROSS, **change).items() if v is not None}
    assert words in refused(post(app, "/v1/cloudimages/%s/cross_region_copy" % image_id, body), code)
    assert app.jobs.jobs == {} and not [i for i in images(app, EAST).values() if i["name"] == "east copy"]


def test_a_missing_source_is_a_404_across_regions_too(app):
    refused(post(app, "/v1/cloudimages/%s/cross_region_copy" % OTHERS, CROSS), "IMG.0144", 404)


def test_at_most_five_cross_region_copies_in_flight_per_project(app):
    jobs = [started(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, dict(CROSS, name="c%d" % i)))
            for i in range(5)]
    words = refused(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, dict(CROSS, name="c6")), "IMG.0060")
    assert "upper limit (5)" in words
    started(post(app, "/v1/cloudimages/%s/copy" % SOURCE, {"name": "in region still"}))  # not a cross-region copy
    control(app, "POST", "/_emulator/jobs/finish", {"job_id": jobs[0]})
    started(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, dict(CROSS, name="c6")))


def test_the_destinations_quota_counts_the_copy(app):
    control(app, "POST", "/_emulator/quota", {"project_id": P_EAST, "quota": 1, "region": EAST})
    job_id = started(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, CROSS))
    refused(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, dict(CROSS, name="two")), "IMG.0015")
    seed = signed(app, "POST", "/%s/v2/images" % EAST, P_EAST, json.dumps({"name": "glance"}).encode())
    assert seed.status == 400 and seed.json()["error"]["code"] == "IMG.0015"  # INIT: still counted
    control(app, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    refused(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, dict(CROSS, name="two")), "IMG.0015")
    started(post(app, "/v1/cloudimages/%s/copy" % SOURCE, {"name": "the source region has its own quota"}))


def test_the_destination_image_cannot_be_deleted_while_its_job_runs(app):
    job_id = started(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, CROSS))
    app.clock.offset = 2
    image_id = show_job(app, job_id).json()["entities"]["image_id"]
    answer = signed(app, "DELETE", "/%s/v2/images/%s" % (EAST, image_id), P_EAST)
    assert answer.status == 400 and answer.json()["error"]["code"] == "IMG.0090"


def test_a_reset_forgets_the_incoming_jobs(app):
    started(post(app, "/v1/cloudimages/%s/cross_region_copy" % SOURCE, CROSS))
    assert app.region(EAST).jobs.incoming
    control(app, "POST", "/_emulator/reset")
    assert not app.region(EAST).jobs.incoming and app.jobs.jobs == {}


def test_a_copy_from_another_region_to_the_default_one(app):
    status, body = control(app, "POST", "/_emulator/seed", {"region": EAST, "name": "east golden"})
    assert status == 200, body
    (east_source,) = body["ids"]
    job_id = started(post(app, "/v1/cloudimages/%s/cross_region_copy" % east_source,
                          dict(CROSS, name="home copy", region="cn-north-4", project_name="cn-north-4"), "/" + EAST))
    assert show_job(app, job_id).status == 404  # the job is cn-east-3's
    body = show_job(app, job_id, "/" + EAST, P_EAST).json()
    control(app, "POST", "/_emulator/jobs/finish", {"job_id": job_id, "region": EAST})
    copy = images(app)[app.region(EAST).jobs.jobs[job_id].image_id]
    assert (copy["owner"], copy["status"], copy["__originalimagename"]) == (DEFAULT_PROJECT_ID, "active", east_source)
    assert body["job_type"] == "imsCrossRegionCopyImageJob"
