# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Image copies through the emulator process, over HTTP (README "Copies"): a copy's job read in the
source region, the copy queued nowhere during INIT, ``saving`` then ``active`` in the right region,
the control calls, and a rule's answer as a client reads it."""

from __future__ import annotations

import time

import pytest

from emulator_client import A, Client, ims_error, start_emulator

EAST = "cn-east-3"


@pytest.fixture(scope="module")
def job_emu():
    emu = start_emulator(accounts=[A], extra_args=["--job-seconds", "1.5"])
    yield emu
    emu.stop()


@pytest.fixture
def world(job_emu):
    job_emu.reset()
    job_emu.seed(images=[{"name": "golden", "properties": {"__os_version": "Ubuntu 22.04 server 64bit",
                                                           "min_disk": 40}},
                         {"name": "whole", "properties": {"__whole_image": "true"}}])
    return job_emu


def source(emu, name):
    return next(i for i in emu.images() if i["name"] == name)


def watch(client, job_path, listing_path, name, account=None, timeout=15):
    """Poll the job and the copy's listing until the job ends: [(job status, the copy's status or None)]."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(job_path).json()
        listed = client.get(listing_path, params={"name": name}, account=account).json()["images"]
        seen.append((job["status"], listed[0]["status"] if listed else None))
        if job["status"] in ("SUCCESS", "FAIL"):
            return job, seen
        time.sleep(0.05)
    raise AssertionError("the job did not end: %s" % seen[-1:])


def phases(seen):
    """The distinct (job status, image status) pairs, in order."""
    return [pair for i, pair in enumerate(seen) if i == 0 or pair != seen[i - 1]]


def test_an_in_region_copy_over_http(world):
    client = Client(world)
    golden = source(world, "golden")
    r = client.post("/v1/cloudimages/%s/copy" % golden["id"], json={"name": "golden copy", "description": "c"})
    assert r.status_code == 200 and list(r.json()) == ["job_id"], r.text
    job, seen = watch(client, "/v1/%s/jobs/%s" % (A["project_id"], r.json()["job_id"]), "/v2/images", "golden copy")
    assert phases(seen)[0] == ("INIT", None) and ("RUNNING", "saving") in phases(seen), seen
    assert job["job_type"] == "imsCopyImageInRegionJob" and phases(seen)[-1] == ("SUCCESS", "active")
    copy = client.get("/v2/images/" + job["entities"]["image_id"]).json()
    assert (copy["__originalimagename"], copy["__description"], copy["min_disk"]) == (golden["id"], "c", 40)
    progress = client.get("/v1/cloudimages/job/" + job["job_id"]).json()
    assert progress["entities"]["image_id"] == copy["id"]


def test_a_cross_region_copy_over_http(world):
    client = Client(world)
    east = dict(A, project_id=world.project_id(EAST))
    golden = source(world, "golden")
    r = client.post("/v1/cloudimages/%s/cross_region_copy" % golden["id"], json={
        "name": "east copy", "region": EAST, "project_name": EAST, "agency_name": "ims_admin_agency"})
    assert r.status_code == 200, r.text
    job, seen = watch(client, "/v1/%s/jobs/%s" % (A["project_id"], r.json()["job_id"]), "/cn-east-3/v2/images",
                      "east copy", account=east)
    assert phases(seen)[0] == ("INIT", None) and ("RUNNING", "saving") in phases(seen), seen
    assert job["job_type"] == "imsCrossRegionCopyImageJob" and phases(seen)[-1] == ("SUCCESS", "active")
    copy = client.get("/cn-east-3/v2/images/" + job["entities"]["image_id"], account=east).json()
    assert (copy["owner"], copy["__originalimagename"], copy["name"]) == (east["project_id"], golden["id"], "east copy")
    assert client.get("/v2/images/" + copy["id"]).status_code == 404  # not in the source region
    assert [i["id"] for i in world.region(EAST).images() if i["name"] == "east copy"] == [copy["id"]]


def test_the_control_calls_finish_a_copy_and_show_it_in_its_region(world):
    client = Client(world)
    world.configure_jobs(600)
    world.seed_agencies({"name": "copier"})
    vault = world.region(EAST).seed_resources(vaults=[{"project_id": world.project_id(EAST)}])["vaults"][0]
    r = client.post("/v1/cloudimages/%s/cross_region_copy" % source(world, "whole")["id"], json={
        "name": "whole east", "region": EAST, "project_name": EAST, "agency_name": "copier", "vault_id": vault})
    assert r.status_code == 200, r.text
    job_id = r.json()["job_id"]
    assert [j["job_type"] for j in world.jobs()] == ["imsCrossRegionCopyImageJob"] and world.region(EAST).jobs() == []
    assert not [i for i in world.region(EAST).images() if i["name"] == "whole east"]  # INIT
    assert world.finish_jobs(job_id) == [job_id]
    (copy,) = [i for i in world.region(EAST).images() if i["name"] == "whole east"]
    assert copy["status"] == "active" and copy["__whole_image"] == "true"
    assert [b["vault_id"] for b in world.region(EAST).resources()["backups"]] == [vault]


def test_rules_answer_as_ims_does(world):
    client = Client(world)
    golden, whole = source(world, "golden"), source(world, "whole")
    ims_error(client.post("/v1/cloudimages/%s/copy" % whole["id"], json={"name": "w"}), 400, "IMG.0130")
    ims_error(client.post("/v1/cloudimages/%s/cross_region_copy" % golden["id"], json={
        "name": "x", "region": EAST, "project_name": "someone-else", "agency_name": "ims_admin_agency"}),
        400, "IMG.0145")
    ims_error(client.post("/v1/cloudimages/%s/cross_region_copy" % golden["id"], json={
        "name": "x", "region": "eu-west-0", "project_name": "eu-west-0", "agency_name": "a"}), 400, "IMG.0178")
    ims_error(client.post("/v1/cloudimages/%s/copy" % ("0" * 8 + "-0000-4000-8000-" + "0" * 12), json={"name": "n"}),
              404, "IMG.0144")
    assert client.post("/v1/cloudimages/%s/copy" % golden["id"], json={"name": "n"}, auth="none").status_code == 401
    assert world.jobs() == []
