"""The export to OBS in process (README "Exports"): the body as the SDK's model defines it, a job
``imsNativeExportImageJob`` whose end puts the object in the region's fake OBS, and IMS's rules, each
with its code."""

from __future__ import annotations

import pytest

from native_helpers import GIB, control, made_image, refused, seed_world, started

FILE = {"name": "to-export", "image_url": "imgs:linux.qcow2", "min_disk": 40}
BIG = {"name": "big", "image_url": "imgs:big.zvhd2", "min_disk": 300, "os_version": "Ubuntu 22.04 server 64bit"}


@pytest.fixture
def world(app):
    seed_world(app)
    return app


@pytest.fixture
def post(call, world):
    return lambda path, body: call("POST", path, body)


@pytest.fixture
def image_id(world, post):
    return made_image(world, started(post("/v2/cloudimages/action", FILE)))["id"]


def export(post, image_id, body, v21=False):
    return post("%s/cloudimages/%s/file" % ("/v2.1" if v21 else "/v1", image_id), body)


def objects(world):
    status, body = control(world, "GET", "/_emulator/resources")
    assert status == 200
    return {(o["bucket"], o["key"]): o for o in body["obs_objects"]}


@pytest.mark.parametrize("v21", [False, True])
def test_an_export_job_puts_the_object_in_the_bucket_at_its_end(world, post, image_id, v21):
    job_id = started(export(post, image_id, {"bucket_url": "imgs:out/web.qcow2", "file_format": "qcow2"}, v21))
    job = world.jobs.jobs[job_id]
    assert job.job_type == "imsNativeExportImageJob" and job.image is None
    assert ("imgs", "out/web.qcow2") not in objects(world)
    control(world, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    made = objects(world)[("imgs", "out/web.qcow2")]
    wanted = ("qcow2", 3 * GIB, "cn-north-4", image_id)
    assert (made["format"], made["size"], made["region"], made["image_id"]) == wanted
    assert world.jobs.show_job(job)["status"] == "SUCCESS"


def test_a_quick_export_is_zvhd2_and_needed_above_128_gb(world, post):
    big = made_image(world, started(post("/v2/cloudimages/quickimport/action", BIG)))["id"]
    refused(export(post, big, {"bucket_url": "imgs:big.vhd", "file_format": "vhd"}), "IMG.0160")
    job_id = started(export(post, big, {"bucket_url": "imgs:big-out.zvhd2", "is_quick_export": True}))
    control(world, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    assert objects(world)[("imgs", "big-out.zvhd2")]["format"] == "zvhd2"


@pytest.mark.parametrize("body, code", [
    ({"file_format": "qcow2"}, "IMG.0001"),
    ({"bucket_url": "imgs", "file_format": "qcow2"}, "IMG.0001"),
    ({"bucket_url": "imgs:", "file_format": "qcow2"}, "IMG.0001"),
    ({"bucket_url": "imgs:a b.qcow2", "file_format": "qcow2"}, "IMG.0175"),
    ({"bucket_url": "imgs:x"}, "IMG.0072"),
    ({"bucket_url": "imgs:x", "file_format": "zvhd2"}, "IMG.0072"),
    ({"bucket_url": "imgs:x", "file_format": "qcow2", "is_quick_export": True}, "IMG.0072"),
    ({"bucket_url": "imgs:x", "is_quick_export": "yes"}, "IMG.0001"),
    ({"bucket_url": "imgs:x", "file_format": "qcow2", "other": 1}, "IMG.0001"),
    ({"bucket_url": "missing:x", "file_format": "qcow2"}, "IMG.0069"),
    ({"bucket_url": "far:x", "file_format": "qcow2"}, "IMG.0058"),
    ({"bucket_url": "imgs:linux.qcow2", "file_format": "qcow2"}, "IMG.0070"),
])
def test_the_body_and_the_bucket_rules(world, post, image_id, body, code):
    refused(export(post, image_id, body), code)
    assert not [job for job in world.jobs.jobs.values() if job.job_type == "imsNativeExportImageJob"]


def test_a_second_export_while_one_runs_is_img_0148_and_the_exported_object_then_img_0070(world, post, image_id):
    body = {"bucket_url": "imgs:once.qcow2", "file_format": "qcow2"}
    job_id = started(export(post, image_id, body))
    refused(export(post, image_id, dict(body, bucket_url="imgs:other.qcow2")), "IMG.0148")
    control(world, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    refused(export(post, image_id, body), "IMG.0070")
    started(export(post, image_id, dict(body, bucket_url="imgs:other.qcow2")))


@pytest.mark.parametrize("fields, code", [
    ({"__whole_image": "true"}, "IMG.0128"),
    ({"virtual_env_type": "IsoImage"}, "IMG.0071"),
    ({"__productcode": "00301-x"}, "IMG.0077"),
    ({"__account_code": "abc"}, "IMG.0079"),
    ({"__backup_id": "bac0000-0000-4000-8000-000000000001"}, "IMG.0080"),
    ({"status": "queued"}, "IMG.0046"),
])
def test_what_ims_does_not_export(world, post, image_id, fields, code):
    world.store.update(image_id, **fields)
    refused(export(post, image_id, {"bucket_url": "imgs:x.qcow2", "file_format": "qcow2"}), code)


def test_an_unknown_image_and_another_project_s_are_404s(world, post, image_id):
    refused(export(post, "00000000-0000-4000-8000-000000000000", {"bucket_url": "imgs:x", "file_format": "vhd"}),
            "IMG.0144", 404)
    world.store.update(image_id, owner="c" * 32)
    refused(export(post, image_id, {"bucket_url": "imgs:x", "file_format": "vhd"}), "IMG.0144", 404)


def test_a_failed_export_job_makes_no_object(world, post, image_id):
    status, body = control(world, "POST", "/_emulator/faults", {"rules": [{
        "method": "POST", "path": "/v1/cloudimages/%s/file" % image_id, "times": 1,
        "job_fail": {"error_code": "IMS.0204", "fail_reason": "obs failed"}}]})
    assert status == 200, body
    job_id = started(export(post, image_id, {"bucket_url": "imgs:fail.qcow2", "file_format": "qcow2"}))
    control(world, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    shown = world.jobs.show_job(world.jobs.jobs[job_id])
    assert (shown["status"], shown["error_code"], shown["fail_reason"]) == ("FAIL", "IMS.0204", "obs failed")
    assert ("imgs", "fail.qcow2") not in objects(world)
