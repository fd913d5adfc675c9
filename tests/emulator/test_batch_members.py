# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sharing by the batch API through the emulator process, over HTTP (README "Sharing by the batch API"):
two accounts; the owner shares two images with the member's project by one POST, the member sees both
pending in its Glance list, accepts both by one PUT and sees them accepted; the owner unshares one by
DELETE. Each change is seen only once its job has ended; a rule's answer as a client reads it."""

from __future__ import annotations

import time

import pytest

from emulator_client import A, B, Client, ims_error, start_emulator

MEMBERS = "/v1/cloudimages/members"


@pytest.fixture(scope="module")
def job_emu():
    emu = start_emulator(accounts=[A, B], extra_args=["--job-seconds", "0.5"])
    yield emu
    emu.stop()


@pytest.fixture
def world(job_emu):
    job_emu.reset()
    ids = job_emu.seed(images=[{"name": "web"}, {"name": "db"},
                               {"name": "secret", "properties": {"__system__cmkid": "key-1"}}])
    owner, member = Client(job_emu), Client(job_emu, account=B)
    yield job_emu, owner, member, ids
    owner.session.close()
    member.session.close()


def wait(client, job_id, timeout=15):
    """Poll ShowJob until the job ends; the job."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get("/v1/%s/jobs/%s" % (client.account["project_id"], job_id))
        assert job.status_code == 200, job.text
        if job.json()["status"] in ("SUCCESS", "FAIL"):
            return job.json()
        time.sleep(0.05)
    raise AssertionError("job %s did not end" % job_id)


def job_of(answer) -> str:
    assert answer.status_code == 200, answer.text
    return answer.json()["job_id"]


def shared(member, status):
    answer = member.get("/v2/images", params={"visibility": "shared", "member_status": status})
    assert answer.status_code == 200, answer.text
    return sorted(image["id"] for image in answer.json()["images"])


def test_share_accept_and_unshare_between_two_accounts(world):
    _emu, owner, member, (web, db, _secret) = world
    both = sorted([web, db])
    job_id = job_of(owner.post(MEMBERS, json={"images": [web, db], "projects": [B["project_id"]]}))
    assert shared(member, "pending") == []  # not before the job has ended (0.5 s)
    job = wait(owner, job_id)
    assert (job["status"], job["job_type"]) == ("SUCCESS", "imsAddImageMembersJob")
    assert shared(member, "pending") == both
    job_id = job_of(member.put(MEMBERS, json={"images": [web, db], "project_id": B["project_id"],
                                              "status": "accepted"}))
    job = wait(member, job_id)
    assert (job["status"], job["job_type"]) == ("SUCCESS", "imsUpdateImageMembersJob")
    assert shared(member, "accepted") == both and shared(member, "pending") == []
    listed = {image["id"]: image for image in member.get("/v2/images").json()["images"]}
    assert listed[web]["visibility"] == "shared" and db in listed
    read = owner.get("/v1/%s/cloudimages/%s/members" % (A["project_id"], web)).json()
    assert [(m["member_id"], m["status"], m["member_type"]) for m in read["members"]] == \
        [(B["project_id"], "accepted", "project")]
    job = wait(owner, job_of(owner.delete(MEMBERS, json={"images": [web], "projects": [B["project_id"]]})))
    assert (job["status"], job["job_type"]) == ("SUCCESS", "imsDelImageMembersJob")
    assert shared(member, "accepted") == [db]
    assert member.get("/v2/images/" + web).status_code == 404


def test_a_refusal_answers_at_once_and_starts_nothing(world):
    emu, owner, _member, (_web, _db, secret) = world
    answer = owner.post(MEMBERS, json={"images": [secret], "projects": [B["project_id"]]})
    ims_error(answer, 400, "IMG.0098")
    answer = owner.post(MEMBERS, json={"images": [secret], "projects": [A["project_id"]]})
    ims_error(answer, 400, "IMG.0076")
    assert emu.jobs() == []


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_the_control_calls_finish_the_jobs_and_show_the_members(world, method):
    emu, owner, _member, (web, _db, _secret) = world
    emu.configure_jobs(60)
    body = {"images": [web], "projects": [B["project_id"]]}
    if method == "DELETE":  # a member to remove first
        assert len(emu.finish_jobs(job_of(owner.post(MEMBERS, json=body)))) == 1
    job_id = job_of(owner.request(method, MEMBERS, json=body))
    listed = {job["job_id"]: job for job in emu.jobs()}
    assert listed[job_id]["status"] in ("INIT", "RUNNING") and listed[job_id]["project_id"] == A["project_id"]
    assert emu.finish_jobs(job_id) == [job_id]
    assert [m["member_id"] for m in emu.members().get(web, [])] == ([B["project_id"]] if method == "POST" else [])
