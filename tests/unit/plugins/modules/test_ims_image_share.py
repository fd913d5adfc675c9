# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_share in process, against scripted HTTP: the producer's batch share.

The images resolved, their members read natively (paged), the batches grouped (one POST for the images that need the
same members, one DELETE likewise) to the byte of their bodies, their jobs waited for, the members read again; the
re-run that only reads, check and diff mode, a batch of unknown outcome never sent again, a failed job, wait_timeout,
what IMS would refuse refused before any write, and no secret in a result.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_share
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import (
    IMAGE_ID,
    MEMBER_A,
    MEMBER_B,
    MEMBER_C,
    OTHER_PROJECT,
    image,
    ims_error,
    listing,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import writes
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    CONNECTION,
    PROJECT_ID,
    SECRET_KEY,
    Call,
    dropped,
    run_module,
)

IMAGE_B = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
IMAGE_C = "8e2d3c4b-5f6a-4b7c-9d8e-0f1a2b3c4d5e"
JOB_1 = "ff8080828f2a5e8a018f3c1e7d2b0042"
JOB_2 = "ff8080828f2a5e8a018f3c1e7d2b0043"
NATIVE_TYPE = "application/json;charset=UTF-8"
DOMAIN = "d1b2c3d4e5f60718293a4b5c6d7e8f90"
ORG = "organizations:orgPath::o-3j59d1231uprgk9yuvlidra7zbzfi578/r-rldbu1vmxdw5ahdkknxnvd5rgag77m2z"
PATH = "/v1/cloudimages/members"


def run(args, **kwargs):
    return run_module(ims_image_share, dict(CONNECTION, **args), **kwargs)


def get(image_id, name, **fields):
    return Call("GET", "/v2/images/%s" % image_id, answer=image(image_id, name=name, **fields))


def member(image_id, member_id, status="accepted", kind="project", urn=None):
    entry = {"status": status, "created_at": "2024-06-01T10:00:00Z", "updated_at": "2024-06-01T10:00:00Z",
             "image_id": image_id, "member_id": member_id, "schema": "/v2/schemas/member", "member_type": kind}
    if urn:
        entry["urn"] = urn
    return entry


def members(image_id, *entries, marker=None, query=None, repeat=False):
    """One page of the native listing of ``image_id``'s members; ``entries`` are member ids or member dicts."""
    page = [entry if isinstance(entry, dict) else member(image_id, entry) for entry in entries]
    answer = {"members": page, "schema": "/v2/schemas/members",
              "page_info": {"next_marker": marker or "", "current_count": len(page)}}
    return Call("GET", "/v1/%s/cloudimages/%s/members" % (PROJECT_ID, image_id),
                query=query or [("limit", "100")], headers={"X-Project-Id": PROJECT_ID}, answer=answer, repeat=repeat)


def batch(method, body, job_id=JOB_1, **kwargs):
    if "status" not in kwargs and "raises" not in kwargs:
        kwargs["answer"] = {"job_id": job_id}
    return Call(method, PATH, json=body, headers={"Content-Type": NATIVE_TYPE, "X-Project-Id": PROJECT_ID}, **kwargs)


def job(job_id=JOB_1, status="SUCCESS", job_type="imsAddImageMembersJob", **fields):
    answer = {"status": status, "job_id": job_id, "job_type": job_type, "entities": {"process_percent": 100.0},
              "begin_time": "2024-11-06T06:19:43.195Z", "end_time": "", "error_code": None, "fail_reason": None}
    answer.update(fields)
    return Call("GET", "/v1/%s/jobs/%s" % (PROJECT_ID, job_id), answer=answer)


def views(result):
    return {entry["id"]: sorted((m["member_type"], m["urn"] or m["member_id"], m["status"]) for m in entry["members"])
            for entry in result["images"]}


THREE = [get(IMAGE_ID, "web"), get(IMAGE_B, "db"), get(IMAGE_C, "cache")]


# -- a share made -----------------------------------------------------------------------------------


def test_three_images_needing_the_same_members_share_one_post_then_are_read_again(http):
    http.expect(*THREE, members(IMAGE_ID), members(IMAGE_B), members(IMAGE_C),
                batch("POST", {"images": [IMAGE_ID, IMAGE_B, IMAGE_C], "projects": [MEMBER_A, MEMBER_B]}),
                job(),
                members(IMAGE_ID, member(IMAGE_ID, MEMBER_A, "pending"), member(IMAGE_ID, MEMBER_B, "pending")),
                members(IMAGE_B, member(IMAGE_B, MEMBER_A, "pending"), member(IMAGE_B, MEMBER_B, "pending")),
                members(IMAGE_C, member(IMAGE_C, MEMBER_A, "pending"), member(IMAGE_C, MEMBER_B, "pending")))
    result = run({"images": [IMAGE_ID, IMAGE_B, IMAGE_C], "projects": [MEMBER_A, MEMBER_B]})
    assert not result["failed"], result["msg"]
    assert result["changed"] is True
    assert len(writes(http)) == 1
    assert result["jobs"] == [{"id": JOB_1, "type": "imsAddImageMembersJob", "status": "SUCCESS", "progress": 100.0}]
    assert result["operations"] == [{"action": "share", "method": "POST", "path": PATH,
                                     "body": {"images": [IMAGE_ID, IMAGE_B, IMAGE_C], "projects": [MEMBER_A, MEMBER_B]}}]
    assert [entry["name"] for entry in result["images"]] == ["web", "db", "cache"]
    assert result["images"][0]["members"][0] == {"member_id": MEMBER_A, "member_type": "project", "status": "pending",
                                                 "urn": None}


def test_images_needing_different_members_get_one_post_each_and_every_kind_goes_in_the_body(http):
    http.expect(get(IMAGE_ID, "web"), get(IMAGE_B, "db"),
                members(IMAGE_ID, MEMBER_A), members(IMAGE_B),
                batch("POST", {"images": [IMAGE_ID], "projects": [], "domains": [DOMAIN], "organizations": [ORG]}),
                batch("POST", {"images": [IMAGE_B], "projects": [MEMBER_A], "domains": [DOMAIN],
                               "organizations": [ORG]}, job_id=JOB_2),
                job(JOB_1), job(JOB_2),
                members(IMAGE_ID, MEMBER_A, member(IMAGE_ID, DOMAIN, "pending", "domain"),
                        member(IMAGE_ID, "org-1", "pending", "organization", ORG)),
                members(IMAGE_B, MEMBER_A, member(IMAGE_B, DOMAIN, "pending", "domain"),
                        member(IMAGE_B, "org-1", "pending", "organization", ORG)))
    result = run({"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_A], "domains": [DOMAIN], "organizations": [ORG]})
    assert not result["failed"], result["msg"]
    assert [job["id"] for job in result["jobs"]] == [JOB_1, JOB_2]
    assert ("organization", ORG, "pending") in views(result)[IMAGE_B]


def test_a_name_resolves_among_the_projects_own_images_and_the_members_are_paged(http):
    http.expect(Call("GET", "/v2/images", query={("owner", PROJECT_ID), ("name", "web"), ("limit", "1000")},
                     answer=listing([image(IMAGE_ID, name="web")])),
                members(IMAGE_ID, MEMBER_A, marker="m1"),
                members(IMAGE_ID, MEMBER_B, query=[("limit", "100"), ("marker", "m1")]))
    result = run({"images": ["web"], "projects": [MEMBER_A, MEMBER_B]})
    assert not result["failed"], result["msg"]
    assert result["changed"] is False and writes(http) == []
    assert [m["member_id"] for m in result["images"][0]["members"]] == [MEMBER_A, MEMBER_B]


# -- purge and state absent ------------------------------------------------------------------------------


def test_purge_removes_every_member_not_listed_of_every_kind_with_one_delete(http):
    http.expect(get(IMAGE_ID, "web"), get(IMAGE_B, "db"),
                members(IMAGE_ID, MEMBER_A, MEMBER_B, member(IMAGE_ID, DOMAIN, kind="domain")),
                members(IMAGE_B, MEMBER_A, MEMBER_B, member(IMAGE_B, DOMAIN, kind="domain")),
                batch("DELETE", {"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_B], "domains": [DOMAIN]}),
                job(job_type="imsDelImageMembersJob"), members(IMAGE_ID, MEMBER_A), members(IMAGE_B, MEMBER_A))
    result = run({"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_A], "purge_members": True}, diff=True)
    assert not result["failed"], result["msg"]
    assert [request.method for request in writes(http)] == ["DELETE"]
    assert result["diff"]["before"][IMAGE_ID] == {"projects": sorted([MEMBER_A, MEMBER_B]), "domains": [DOMAIN],
                                                  "organizations": []}
    assert result["diff"]["after"][IMAGE_ID] == {"projects": [MEMBER_A], "domains": [], "organizations": []}


def test_purge_with_an_addition_too_sends_the_post_then_the_delete(http):
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID, MEMBER_B),
                batch("POST", {"images": [IMAGE_ID], "projects": [MEMBER_A]}),
                batch("DELETE", {"images": [IMAGE_ID], "projects": [MEMBER_B]}, job_id=JOB_2),
                job(JOB_1), job(JOB_2, job_type="imsDelImageMembersJob"), members(IMAGE_ID, MEMBER_A))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A], "purge_members": True})
    assert not result["failed"], result["msg"]
    assert [op["action"] for op in result["operations"]] == ["share", "unshare"]


def test_state_absent_removes_exactly_the_listed_members_the_image_has(http):
    http.expect(get(IMAGE_ID, "web"), get(IMAGE_B, "db"),
                members(IMAGE_ID, MEMBER_A, MEMBER_B, MEMBER_C), members(IMAGE_B, MEMBER_C),
                batch("DELETE", {"images": [IMAGE_ID], "projects": [MEMBER_A, MEMBER_B]}),
                job(job_type="imsDelImageMembersJob"), members(IMAGE_ID, MEMBER_C))
    result = run({"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_A, MEMBER_B], "state": "absent"})
    assert not result["failed"], result["msg"]
    assert len(writes(http)) == 1
    assert views(result) == {IMAGE_ID: [("project", MEMBER_C, "accepted")], IMAGE_B: [("project", MEMBER_C, "accepted")]}


# -- the re-run, check and diff mode -------------------------------------------------------------------------


def test_an_unchanged_rerun_reads_the_images_and_their_members_only(http):
    http.expect(*THREE, members(IMAGE_ID, MEMBER_A), members(IMAGE_B, MEMBER_A), members(IMAGE_C, MEMBER_A))
    result = run({"images": [IMAGE_ID, IMAGE_B, IMAGE_C], "projects": [MEMBER_A]}, diff=True)
    assert not result["failed"], result["msg"]
    assert result["changed"] is False and result["operations"] == [] and result["jobs"] == []
    assert [request.method + " " + request.path for request in http.requests] == [
        "GET /v2/images/%s" % IMAGE_ID, "GET /v2/images/%s" % IMAGE_B, "GET /v2/images/%s" % IMAGE_C,
        "GET /v1/%s/cloudimages/%s/members" % (PROJECT_ID, IMAGE_ID),
        "GET /v1/%s/cloudimages/%s/members" % (PROJECT_ID, IMAGE_B),
        "GET /v1/%s/cloudimages/%s/members" % (PROJECT_ID, IMAGE_C)]
    assert result["diff"]["before"] == result["diff"]["after"]


def test_check_mode_reads_only_and_predicts_the_batches_and_the_members(http):
    http.expect(get(IMAGE_ID, "web"), get(IMAGE_B, "db"), members(IMAGE_ID, MEMBER_C), members(IMAGE_B))
    result = run({"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_A], "purge_members": True},
                 check_mode=True, diff=True)
    assert not result["failed"], result["msg"]
    assert writes(http) == []
    assert result["changed"] is True
    assert result["operations"] == [
        {"action": "share", "method": "POST", "path": PATH, "body": {"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_A]}},
        {"action": "unshare", "method": "DELETE", "path": PATH, "body": {"images": [IMAGE_ID], "projects": [MEMBER_C]}}]
    assert views(result) == {IMAGE_ID: [("project", MEMBER_A, "pending")], IMAGE_B: [("project", MEMBER_A, "pending")]}
    assert result["diff"]["before"][IMAGE_ID]["projects"] == [MEMBER_C]
    assert result["diff"]["after"][IMAGE_ID]["projects"] == [MEMBER_A]
    assert result["jobs"] == []


def test_wait_false_returns_the_job_ids_and_the_members_as_they_will_be(http):
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID), batch("POST", {"images": [IMAGE_ID], "projects": [MEMBER_A]}))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A], "wait": False})
    assert not result["failed"], result["msg"]
    assert result["jobs"] == [{"id": JOB_1, "type": None, "status": None, "progress": None}]
    assert views(result) == {IMAGE_ID: [("project", MEMBER_A, "pending")]}


# -- never a batch twice unproven ------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [{"status": 500}, {"status": 503}, {"raises": dropped}], ids=["500", "503", "dropped"])
def test_a_post_of_unknown_outcome_whose_change_is_then_seen_is_not_sent_again(http, clock, failure):
    http.expect(get(IMAGE_ID, "web"), get(IMAGE_B, "db"), members(IMAGE_ID), members(IMAGE_B),
                batch("POST", {"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_A]}, **failure),
                members(IMAGE_ID, member(IMAGE_ID, MEMBER_A, "pending")), members(IMAGE_B),  # not yet: B lacks it
                members(IMAGE_ID, member(IMAGE_ID, MEMBER_A, "pending")),
                members(IMAGE_B, member(IMAGE_B, MEMBER_A, "pending")),
                members(IMAGE_ID, member(IMAGE_ID, MEMBER_A, "pending")),
                members(IMAGE_B, member(IMAGE_B, MEMBER_A, "pending")))
    result = run({"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_A]})
    assert not result["failed"], result["msg"]
    assert result["changed"] is True
    assert len(http.made("POST")) == 1
    assert result["jobs"] == []  # the job of a batch of unknown outcome is not known
    assert views(result)[IMAGE_B] == [("project", MEMBER_A, "pending")]


def test_a_post_of_unknown_outcome_whose_change_is_never_seen_fails_without_sending_it_again(http, clock):
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID),
                batch("POST", {"images": [IMAGE_ID], "projects": [MEMBER_A]}, status=502),
                members(IMAGE_ID, repeat=True))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A], "wait_timeout": 30})
    assert result["failed"] is True
    assert "has an unknown outcome" in result["msg"] and "may be under way" in result["msg"]
    assert "run the task again in a few minutes" in result["msg"] and "30 s" in result["msg"]
    assert len(http.made("POST")) == 1 and result["changed"] is True
    assert sum(clock.sleeps) <= 30 + 0.5


@pytest.mark.parametrize("failure", [{"status": 503}, {"raises": dropped}], ids=["503", "dropped"])
def test_a_delete_of_unknown_outcome_whose_change_is_seen_is_not_sent_again(http, clock, failure):
    """DELETE is a method the transport resends on a 5xx; the batch's is not (it starts a job)."""
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID, MEMBER_A, MEMBER_B),
                batch("DELETE", {"images": [IMAGE_ID], "projects": [MEMBER_B]}, **failure),
                members(IMAGE_ID, MEMBER_A), members(IMAGE_ID, MEMBER_A))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A], "purge_members": True})
    assert not result["failed"], result["msg"]
    assert len(http.made("DELETE")) == 1


# -- jobs ------------------------------------------------------------------------------------------------------


def test_a_failed_job_fails_the_task_with_its_code_reason_and_id(http):
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID), batch("POST", {"images": [IMAGE_ID], "projects": [MEMBER_A]}),
                job(status="FAIL", error_code="IMG.0088", fail_reason="The number of members exceeds the quota."))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A]})
    assert result["failed"] is True and result["changed"] is True
    assert result["error_code"] == "IMG.0088" and "exceeds the quota" in result["fail_reason"]
    assert JOB_1 in result["msg"] and result["job"]["id"] == JOB_1
    assert result["jobs"][0]["status"] == "FAIL"


def test_a_job_still_running_at_wait_timeout_fails_naming_it(http, clock):
    running = Call("GET", "/v1/%s/jobs/%s" % (PROJECT_ID, JOB_1), repeat=True,
                   answer={"status": "RUNNING", "job_id": JOB_1, "job_type": "imsAddImageMembersJob", "entities": {}})
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID), batch("POST", {"images": [IMAGE_ID], "projects": [MEMBER_A]}),
                running)
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A], "wait_timeout": 20})
    assert result["failed"] is True
    assert "IMS job %s is still RUNNING after wait_timeout (20 s)" % JOB_1 in result["msg"]
    assert result["job"]["id"] == JOB_1 and len(writes(http)) == 1
    assert sum(clock.sleeps) <= 20


# -- refused before any write ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, words", [
    ({"visibility": "public", "__imagetype": "gold"}, "is a public image, which IMS does not share (IMG.0089)"),
    ({"__system__cmkid": "3b2f6f0e-2f4b-4a6f-9a3c-6c1d2e3f4a5b"}, "authorise the KMS key first"),
    ({"__whole_image": "true"}, "is a full-server image, which IMS does not share with the batch API (IMG.0135)"),
    ({"owner": OTHER_PROJECT}, "belongs to project %s, not this one" % OTHER_PROJECT),
], ids=["public", "encrypted", "whole", "foreign"])
def test_what_ims_refuses_of_an_image_is_refused_before_any_write(http, fields, words):
    http.expect(get(IMAGE_ID, "web"), get(IMAGE_B, "db", **fields))
    result = run({"images": [IMAGE_ID, IMAGE_B], "projects": [MEMBER_A]})
    assert result["failed"] is True and words in result["msg"], result["msg"]
    assert result["msg"].startswith("images: image %s ('db')" % IMAGE_B)
    assert writes(http) == []


def test_the_own_project_among_projects_is_refused_before_any_request(http):
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A, PROJECT_ID]})
    assert result["failed"] is True and "IMG.0076" in result["msg"] and "projects must not hold" in result["msg"]
    assert http.requests == []


def test_an_ims_refusal_fails_with_its_code_and_a_hint_naming_the_option(http):
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID),
                batch("POST", {"images": [IMAGE_ID], "projects": [MEMBER_A]}, status=400,
                      answer=ims_error("IMG.0088", "The number of image members exceeds the quota.")))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A]})
    assert result["failed"] is True and result["error_code"] == "IMG.0088" and result["status_code"] == 400
    assert "purge_members" in result["msg"]
    assert len(writes(http)) == 1


@pytest.mark.parametrize("args, words", [
    ({"images": [], "projects": [MEMBER_A]}, "images must list at least one image"),
    ({"images": [""], "projects": [MEMBER_A]}, "images must not hold an empty id or name"),
    ({"images": [IMAGE_ID], "projects": ["ABC"]}, "projects must each be a project id"),
    ({"images": [IMAGE_ID], "domains": ["x y"]}, "domains must each be an account (domain) id"),
    ({"images": [IMAGE_ID], "organizations": ["o-123"]}, "organizations must each be an organisation URN"),
    ({"images": [IMAGE_ID]}, "give the members to share with"),
    ({"images": [IMAGE_ID], "state": "absent"}, "state absent needs the members to remove"),
    ({"images": [IMAGE_ID], "projects": [MEMBER_A], "state": "absent", "purge_members": True},
     "purge_members applies only to state present"),
    ({"images": [IMAGE_ID], "projects": [MEMBER_A], "wait_timeout": 0}, "wait_timeout must be 1 or more"),
])
def test_bad_options_fail_before_any_request(http, args, words):
    result = run(args)
    assert result["failed"] is True and words in result["msg"], result["msg"]
    assert http.requests == []


def test_a_name_of_several_own_images_fails_listing_them(http):
    http.expect(Call("GET", "/v2/images", query={("owner", PROJECT_ID), ("name", "web"), ("limit", "1000")},
                     answer=listing([image(IMAGE_ID, name="web"), image(IMAGE_B, name="web")])))
    result = run({"images": ["web"], "projects": [MEMBER_A]})
    assert result["failed"] is True and result["msg"].startswith("images: 2 of this project's images are named 'web'")
    assert IMAGE_ID in result["msg"] and IMAGE_B in result["msg"]


def test_purge_with_no_member_listed_removes_every_member(http):
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID, MEMBER_A),
                batch("DELETE", {"images": [IMAGE_ID], "projects": [MEMBER_A]}),
                job(job_type="imsDelImageMembersJob"), members(IMAGE_ID))
    result = run({"images": [IMAGE_ID], "purge_members": True})
    assert not result["failed"], result["msg"]
    assert views(result) == {IMAGE_ID: []}


def test_no_secret_in_a_result(http):
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID),
                batch("POST", {"images": [IMAGE_ID], "projects": [MEMBER_A]}, status=400,
                      answer=ims_error("IMG.0112", "bad member %s" % SECRET_KEY)))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_A]})
    assert result["failed"] is True
    assert SECRET_KEY not in json.dumps(result)


def test_a_member_page_that_repeats_its_marker_fails_naming_the_call_and_writes_nothing(http):
    http.expect(get(IMAGE_ID, "web"), members(IMAGE_ID, MEMBER_A, marker="m1"),
                members(IMAGE_ID, MEMBER_B, marker="m1", query=[("limit", "100"), ("marker", "m1")]))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_C]})
    assert result["failed"] is True and "repeated the page marker m1" in result["msg"]
    assert writes(http) == []


def test_a_member_page_of_the_wrong_shape_fails_before_any_write(http):
    http.expect(get(IMAGE_ID, "web"), Call("GET", "/v1/%s/cloudimages/%s/members" % (PROJECT_ID, IMAGE_ID),
                                           query=[("limit", "100")], answer={"members": None}))
    result = run({"images": [IMAGE_ID], "projects": [MEMBER_C]})
    assert result["failed"] is True and "the member page field members must be a list" in result["msg"]
    assert writes(http) == []
