# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image meeting IMS's rules of the native sources, through ``ansible`` against the emulator.

One journey per rule of tests/emulator/imsemu/ims/native.py that a native source (instance_id,
volume_id, backup_id, image_url) meets: a missing server, volume, backup or OBS file; a server
with an image job in progress; a bucket in another region; a file too large for a normal import
(and quick import taking it); the private-image quota; an encrypted image of a QCOW2 file. Each
fails the task with IMS's code and message, no traceback and no secret, and writes nothing: no
native create accepted (the emulator's request log), no job started, the image list unchanged.
"""

from __future__ import annotations

import json

import pytest

from test_journey_secrets import leaks

MODULE = "hwcloud.ims.ims_image"
BUCKET = "rules-bkt"
MISSING = "00000000-0000-4000-8000-00000000dead"
OS_VERSION = "Ubuntu 22.04 server 64bit"
NATIVE_POSTS = ("POST /v2/cloudimages/action", "POST /v1/cloudimages/wholeimages/action",
                "POST /v1/cloudimages/dataimages/action", "POST /v2/cloudimages/quickimport/action")
GIB = 1024 ** 3


def image_ids(emu):
    return sorted(image["id"] for image in emu.images())


def accepted_creates(emu):
    """The native creates the emulator answered with a 2xx since the last stats reset."""
    return [entry for entry in emu.stats()["log"] if entry["route"] in NATIVE_POSTS and 200 <= entry["status"] < 300]


def refused_creates(emu):
    return [entry for entry in emu.stats()["log"] if entry["route"] in NATIVE_POSTS and entry["status"] == 400]


def obs(emu, key, **fields):
    emu.seed_resources(obs_objects=[dict({"bucket": BUCKET, "key": key}, **fields)])
    return "%s:%s" % (BUCKET, key)


def server(emu):
    return emu.seed_resources(servers=[{"name": "rules-web", "os_version": OS_VERSION}])["servers"][0]


def file_args(url, **more):
    return dict({"image_url": url, "min_disk": 40, "os_version": OS_VERSION}, **more)


# Each rule: the task's arguments (given the reset emulator, seeded by the case), the IMS code,
# and IMS's words the message must carry.
RULES = {
    "missing_server": (lambda _emu: {"instance_id": MISSING}, "IMG.0005", "Server %s could not be found." % MISSING),
    "missing_volume": (lambda _emu: {"volume_id": MISSING, "image_type": "data"}, "IMG.0120",
                       "Volume %s could not be found." % MISSING),
    "missing_backup": (lambda _emu: {"backup_id": MISSING}, "IMG.0020", "Backup %s could not be found." % MISSING),
    "missing_obs_object": (lambda _emu: file_args("%s:missing.qcow2" % BUCKET), "IMG.0057",
                           "The file %s:missing.qcow2 does not exist." % BUCKET),
    "bucket_in_another_region": (lambda emu: file_args(obs(emu, "south.qcow2", region="cn-south-1")), "IMG.0058",
                                 "Bucket %s is in region cn-south-1, not cn-north-4." % BUCKET),
    "file_too_large_for_a_normal_import": (lambda emu: file_args(obs(emu, "huge.raw", size=200 * GIB)), "IMG.0059",
                                           "A file larger than 128 GB must be raw or zvhd2 and use quick import."),
}


def assert_clear_failure(emu, ran, code, words):
    """The task failed with IMS's code and words, no traceback, no secret; its result, for more checks."""
    assert ran.rc != 0, ran
    assert "Traceback" not in ran.output, ran
    assert not leaks(ran.output, [emu.env()["HW_SECRET_KEY"]]), ran
    result = ran.result()
    assert result["failed"] is True and result.get("changed") is not True, result
    assert code in result["msg"] and words in result["msg"], result["msg"]
    return result


def job_ids(emu):
    return sorted(job["job_id"] for job in emu.jobs())


@pytest.mark.parametrize("rule", sorted(RULES))
def test_a_rule_of_ims_fails_the_task_with_its_code_and_writes_nothing(emu, ansible, rule):
    make_args, code, words = RULES[rule]
    args = dict(make_args(emu), name="rules-" + rule.replace("_", "-"))
    before, jobs = image_ids(emu), job_ids(emu)
    emu.reset_stats()
    ran = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    result = assert_clear_failure(emu, ran, code, words)
    assert result.get("error_code") == code, result
    assert len(refused_creates(emu)) == 1, emu.stats()["by_route"]  # IMS was asked once, and refused
    assert accepted_creates(emu) == [] and image_ids(emu) == before and job_ids(emu) == jobs


def test_the_private_image_quota_fails_the_task_with_img_0015_and_writes_nothing(emu, ansible):
    server_id = server(emu)
    emu.set_quota(0, project_id=emu.default_account["project_id"])
    before = image_ids(emu)
    emu.reset_stats()
    ran = ansible.adhoc(MODULE, json.dumps({"name": "rules-over-quota", "instance_id": server_id}), emu.env())
    result = assert_clear_failure(emu, ran, "IMG.0015", "The private image quota (0) of the project is used up.")
    assert result.get("error_code") == "IMG.0015" and len(refused_creates(emu)) == 1, result
    assert accepted_creates(emu) == [] and image_ids(emu) == before and job_ids(emu) == []


def test_quick_import_takes_the_file_too_large_for_a_normal_import(emu, ansible):
    emu.configure_jobs(1)
    url = obs(emu, "huge.raw", size=200 * GIB)
    args = file_args(url, name="rules-huge-quick", quick_import=True)
    ran = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["changed"] is True and result["image"]["status"] == "active", result
    assert result["image"]["disk_format"] == "raw" and result["image"]["__data_origin"] == "file," + url, result
    assert [entry["route"] for entry in accepted_creates(emu)] == ["POST /v2/cloudimages/quickimport/action"]


def test_a_server_with_an_image_job_in_progress_fails_with_img_0010_and_makes_no_second_image(emu, ansible):
    emu.configure_jobs(600)  # the first job stays in INIT (no image listed yet) for the whole test
    server_id = server(emu)
    # wait_timeout 2: the first run returns while its job is still in INIT (60 s), with a warning
    started = {"name": "rules-busy-first", "instance_id": server_id, "wait": False, "wait_timeout": 2}
    first = ansible.adhoc(MODULE, json.dumps(started), emu.env())
    assert first.rc == 0 and first.result()["changed"] is True, first
    before, jobs = image_ids(emu), job_ids(emu)
    emu.reset_stats()
    args = {"name": "rules-busy-second", "instance_id": server_id, "wait_timeout": 5}
    ran = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    assert_clear_failure(emu, ran, "IMG.0010", "Server %s has tasks in progress." % server_id)
    assert accepted_creates(emu) == [] and image_ids(emu) == before and job_ids(emu) == jobs
    assert [image for image in emu.images() if image["name"] == "rules-busy-second"] == []
    assert [job["status"] for job in emu.jobs()] == ["INIT"]  # the first run's job, and no other


# IMS refuses to encrypt a QCOW2 file (IMG.0057, native.py's _from_file and _from_data_file); the
# module knows the rule from image_url's extension and refuses the task before any request, in its
# own words (which name cmk_id and image_url, not IMS's code).
ENCRYPTED_QCOW2 = {
    "system": lambda url: file_args(url, cmk_id=MISSING),
    "data": lambda url: {"image_url": url, "image_type": "data", "min_disk": 100, "cmk_id": MISSING},
}


@pytest.mark.parametrize("kind", sorted(ENCRYPTED_QCOW2))
def test_an_encrypted_image_of_a_qcow2_file_is_refused_before_any_request(emu, ansible, kind):
    url = obs(emu, "enc.qcow2")
    args = dict(ENCRYPTED_QCOW2[kind](url), name="rules-encrypted-" + kind)
    before = image_ids(emu)
    emu.reset_stats()
    ran = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    result = assert_clear_failure(emu, ran, "cmk_id", "cannot encrypt image_url %r" % url)
    assert "QCOW2" in result["msg"], result
    stats = emu.stats()
    assert [route for route in stats["by_route"] if route in NATIVE_POSTS] == [], stats["by_route"]
    assert image_ids(emu) == before and job_ids(emu) == []
