# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_copy: the copy within a region and to another, sent once, its job read at the source, the copy
read and patched in the destination (its endpoint, its project), the re-run that only reads, check and diff mode, the
copy of unknown outcome never sent again, what IMS would refuse refused before any write, and no secret in a result.

Every request is scripted (tests/unit/utils/scripted_http.py), to the byte of its JSON body, its origin and its
``X-Project-Id``; a request the script does not have fails the test.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_copy
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, ims_error, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import PATCH_TYPE, writes
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ACCESS_KEY,
    CONNECTION,
    IMS_ENDPOINT,
    PROJECT_ID,
    SECRET_KEY,
    Call,
    dropped,
    run_module,
)

SOURCE_REGION = "cn-north-4"
TARGET_REGION = "cn-east-3"
SOURCE = "https://ims.%s.example.test" % SOURCE_REGION
TARGET = "https://ims.%s.example.test" % TARGET_REGION
TARGET_IAM = "https://iam.%s.example.test" % TARGET_REGION
DEST_PROJECT = "5f1e3c7a9b2d4e6f8a0b1c2d3e4f5a6b"
COPY_ID = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
JOB_ID = "ff8080828f2a5e8a018f3c1e7d2b0042"
NATIVE_TYPE = "application/json;charset=UTF-8"
KEY = "3b2f6f0e-2f4b-4a6f-9a3c-6c1d2e3f4a5b"
AGENCY = "ims-copy-agency"

IN_REGION = dict(CONNECTION, region=SOURCE_REGION)
CROSS = {"region": SOURCE_REGION, "ims_endpoint": "https://ims.{region}.example.test", "project_id": PROJECT_ID,
         "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
TO_EAST = {"image": "web", "name": "web-copy", "target_region": TARGET_REGION, "agency_name": AGENCY,
           "target_project_id": DEST_PROJECT}
SOURCE_IMAGE = image(IMAGE_ID, name="web")


def run(args, connection=None, **kwargs):
    return run_module(ims_image_copy, dict(IN_REGION if connection is None else connection, **args), **kwargs)


def copy_of(status="active", **fields):
    """The copy as the destination shows it."""
    fields.setdefault("__originalimagename", IMAGE_ID)
    if status != "active":
        fields.update(checksum=None, size=None)
    return image(COPY_ID, name=fields.pop("name", "web-copy"), status=status, **fields)


def lookup(name, *images, origin="", project=PROJECT_ID, repeat=False):
    """The project's own images of ``name`` (any status), at ``origin`` (the scripted endpoint when empty)."""
    return Call("GET", origin + "/v2/images", query={("owner", project), ("name", name), ("limit", "1000")},
                headers={"X-Project-Id": project}, answer=listing(images), repeat=repeat)


def get(answer, image_id=COPY_ID, origin="", project=PROJECT_ID, **kwargs):
    return Call("GET", origin + "/v2/images/%s" % image_id, headers={"X-Project-Id": project}, answer=answer, **kwargs)


def post(body, path="/v1/cloudimages/%s/copy" % IMAGE_ID, origin="", **kwargs):
    if "status" not in kwargs and "raises" not in kwargs:
        kwargs.setdefault("answer", {"job_id": JOB_ID})
    return Call("POST", origin + path, json=body, headers={"Content-Type": NATIVE_TYPE, "X-Project-Id": PROJECT_ID},
                **kwargs)


def job(status="SUCCESS", image_id=COPY_ID, job_type="imsCopyImageInRegionJob", **fields):
    answer = {"status": status, "job_id": JOB_ID, "job_type": job_type,
              "entities": {"image_id": image_id} if image_id else {}, "begin_time": "2024-11-06T06:19:43.195Z",
              "end_time": "", "error_code": None, "fail_reason": None}
    answer.update(fields)
    return answer


def show_job(answer, origin="", **kwargs):
    """The job, read in the source region (its project)."""
    return Call("GET", origin + "/v1/%s/jobs/%s" % (PROJECT_ID, JOB_ID), headers={"X-Project-Id": PROJECT_ID},
                answer=answer, **kwargs)


def patch(operations, answer, origin="", project=PROJECT_ID):
    return Call("PATCH", origin + "/v2/images/%s" % COPY_ID, json=operations,
                headers={"Content-Type": PATCH_TYPE, "X-Project-Id": project}, answer=answer)


def posts(http):
    return [request for request in http.requests if request.method == "POST"]


# -- within the region ----------------------------------------------------------------------------


def test_an_in_region_copy_sends_the_exact_body_once_waits_for_its_job_then_patches_what_the_copy_lacks(http, clock):
    task = {"image": "web", "name": "web-copy", "cmk_id": KEY, "enterprise_project_id": "0", "description": "copy",
            "min_ram": 1024, "tags": {"team": "web"}}
    made = copy_of(__description="copy", __system__cmkid=KEY)
    after = dict(made, min_ram=1024, tags=["team=web"])
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy"),
                post({"name": "web-copy", "description": "copy", "cmk_id": KEY, "enterprise_project_id": "0"}),
                show_job(job("RUNNING", image_id=None)), show_job(job("SUCCESS")), get(made),
                patch([{"op": "replace", "path": "/min_ram", "value": 1024},
                       {"op": "replace", "path": "/tags", "value": ["team=web"]}], after))
    result = run(task)
    assert not result["failed"], result["msg"]
    assert result["changed"] is True and result["image"] == after
    assert [op["action"] for op in result["operations"]] == ["copy", "update"]
    assert result["operations"][0] == {"action": "copy", "region": SOURCE_REGION,
                                       "path": "/v1/cloudimages/%s/copy" % IMAGE_ID,
                                       "body": {"name": "web-copy", "description": "copy", "cmk_id": KEY,
                                                "enterprise_project_id": "0"}}
    assert result["job"]["id"] == JOB_ID and result["job"]["status"] == "SUCCESS"
    assert result["job"]["type"] == "imsCopyImageInRegionJob" and result["job"]["image_id"] == COPY_ID
    assert result["source"] == {"id": IMAGE_ID, "name": "web", "region": SOURCE_REGION}
    assert result["target_region"] == SOURCE_REGION
    assert len(posts(http)) == 1


def test_an_unchanged_re_run_only_reads_the_source_and_the_copy(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy", copy_of(min_ram=1024)))
    result = run({"image": "web", "name": "web-copy", "min_ram": 1024})
    assert result["changed"] is False and result["operations"] == [] and result["job"] is None
    assert result["image"]["id"] == COPY_ID and not result.get("warnings")
    made = [(request.method, request.path) for request in http.requests]
    assert made == [("GET", "/v2/images"), ("GET", "/v2/images")]


def test_a_copy_of_another_source_under_the_name_is_kept_with_a_warning_never_copied_again(http, clock):
    other = "0c9b8a7f-6e5d-4c3b-a291-8f7e6d5c4b3a"
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy", copy_of(__originalimagename=other)))
    result = run({"image": "web", "name": "web-copy"})
    assert result["changed"] is False and writes(http) == []
    assert any("copied from image %s, not from %s" % (other, IMAGE_ID) in warning for warning in result["warnings"])


def test_a_copy_still_being_made_is_waited_on_then_patched_never_copied_again(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy", copy_of("saving")), get(copy_of("saving")),
                get(copy_of()), patch([{"op": "add", "path": "/max_ram", "value": "4096"}], copy_of(max_ram="4096")))
    result = run({"image": "web", "name": "web-copy", "max_ram": 4096})
    assert not result["failed"], result["msg"]
    assert [op["action"] for op in result["operations"]] == ["update"] and result["job"] is None
    assert result["image"]["max_ram"] == "4096" and posts(http) == []


def test_the_source_under_the_name_of_the_copy_is_refused_not_taken_for_the_copy(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web", SOURCE_IMAGE))
    result = run({"image": "web", "name": "web"})
    assert result["failed"] and "is the name of the source image %s itself" % IMAGE_ID in result["msg"]
    assert writes(http) == []


def test_several_copies_of_the_name_fail_before_any_write(http, clock):
    twin = dict(copy_of(), id="8e2d3c4b-5f6a-4b7c-9d8e-0f1a2b3c4d5e")
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy", copy_of(), twin))
    result = run({"image": "web", "name": "web-copy"})
    assert result["failed"] and "found 2 images named 'web-copy'" in result["msg"] and writes(http) == []


def test_several_sources_of_the_name_fail_naming_image(http, clock):
    twin = dict(SOURCE_IMAGE, id="8e2d3c4b-5f6a-4b7c-9d8e-0f1a2b3c4d5e")
    http.expect(lookup("web", SOURCE_IMAGE, twin))
    result = run({"image": "web", "name": "web-copy"})
    assert result["failed"] and "found 2 images named 'web'" in result["msg"] and "(of image" in result["msg"]


# -- to another region ----------------------------------------------------------------------------


def test_a_cross_region_copy_posts_to_the_source_reads_the_job_there_and_the_copy_in_the_destination(http, clock):
    made = copy_of(owner=DEST_PROJECT)
    after = dict(made, max_ram="2048")
    http.expect(get(SOURCE_IMAGE, IMAGE_ID, origin=SOURCE),
                lookup("web-copy", origin=TARGET, project=DEST_PROJECT),
                post({"name": "web-copy", "region": TARGET_REGION, "project_name": TARGET_REGION, "agency_name": AGENCY},
                     path="/v1/cloudimages/%s/cross_region_copy" % IMAGE_ID, origin=SOURCE),
                show_job(job("SUCCESS", job_type="imsCrossRegionCopyImageJob"), origin=SOURCE),
                get(made, origin=TARGET, project=DEST_PROJECT),
                patch([{"op": "add", "path": "/max_ram", "value": "2048"}], after, origin=TARGET, project=DEST_PROJECT))
    result = run(dict(TO_EAST, image=IMAGE_ID, max_ram=2048), CROSS)
    assert not result["failed"], result["msg"]
    assert result["changed"] is True and result["image"] == after and result["target_region"] == TARGET_REGION
    assert result["operations"][1] == {"action": "update", "id": COPY_ID, "region": TARGET_REGION,
                                       "patch": [{"op": "add", "path": "/max_ram", "value": "2048"}]}
    assert result["source"] == {"id": IMAGE_ID, "name": "web", "region": SOURCE_REGION}
    assert SECRET_KEY not in json.dumps(result)


def test_an_unchanged_cross_region_re_run_reads_the_source_there_and_the_copy_here_only(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE, origin=SOURCE),
                lookup("web-copy", copy_of(owner=DEST_PROJECT), origin=TARGET, project=DEST_PROJECT))
    result = run(TO_EAST, CROSS)
    assert result["changed"] is False and result["job"] is None and result["operations"] == []
    assert [(request.method, request.origin) for request in http.requests] == [("GET", SOURCE), ("GET", TARGET)]


def test_the_destination_project_is_learned_from_iam_by_target_project_name(http, clock):
    projects = {"projects": [{"id": DEST_PROJECT, "name": "cn-east-3_dev", "domain_id": "d1", "enabled": True}],
                "links": {"self": "x"}}
    http.expect(lookup("web", SOURCE_IMAGE, origin=SOURCE),
                Call("GET", TARGET_IAM + "/v3/projects", query={("name", "cn-east-3_dev")},
                     headers={"X-Project-Id": None}, answer=projects),
                lookup("web-copy", origin=TARGET, project=DEST_PROJECT))
    task = dict(TO_EAST, target_project_id=None, target_project_name="cn-east-3_dev")
    result = run(task, dict(CROSS, iam_endpoint="https://iam.{region}.example.test"), check_mode=True)
    assert not result["failed"], result["msg"]
    assert result["operations"] == [{
        "action": "copy", "region": SOURCE_REGION, "path": "/v1/cloudimages/%s/cross_region_copy" % IMAGE_ID,
        "body": {"name": "web-copy", "region": TARGET_REGION, "project_name": "cn-east-3_dev", "agency_name": AGENCY}}]
    assert writes(http) == []


def test_a_destination_project_iam_does_not_name_fails_naming_target_project_id_before_any_write(http, clock):
    none = {"projects": [], "links": {"self": "x"}}
    http.expect(lookup("web", SOURCE_IMAGE, origin=SOURCE),
                Call("GET", TARGET_IAM + "/v3/projects", query={("name", TARGET_REGION)}, answer=none))
    result = run(dict(TO_EAST, target_project_id=None), dict(CROSS, iam_endpoint="https://iam.{region}.example.test"))
    assert result["failed"] and "set target_project_id, or target_project_name" in result["msg"], result["msg"]
    assert writes(http) == []


def test_a_full_server_image_crosses_with_its_vault(http, clock):
    whole = dict(SOURCE_IMAGE, __whole_image="true")
    http.expect(lookup("web", whole, origin=SOURCE), lookup("web-copy", origin=TARGET, project=DEST_PROJECT))
    result = run(dict(TO_EAST, vault_id="v-1"), CROSS, check_mode=True)
    assert result["changed"] is True and result["operations"][0]["body"]["vault_id"] == "v-1"


# -- check and diff mode --------------------------------------------------------------------------


def test_check_mode_predicts_the_copy_exactly_without_a_write_and_diff_shows_it(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy"))
    result = run({"image": "web", "name": "web-copy", "tags": ["a=b"], "min_ram": 512}, check_mode=True, diff=True)
    assert result["changed"] is True and result["image"] is None and result["job"] is None
    assert result["operations"] == [{"action": "copy", "region": SOURCE_REGION,
                                     "path": "/v1/cloudimages/%s/copy" % IMAGE_ID, "body": {"name": "web-copy"}}]
    assert result["diff"] == {"before": {"state": "absent"},
                              "after": {"state": "present", "id": None, "status": "queued", "name": "web-copy",
                                        "region": SOURCE_REGION, "min_ram": 512, "tags": ["a=b"]}}
    assert writes(http) == []


def test_check_mode_on_an_existing_copy_predicts_its_patch_and_diff_shows_before_and_after(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy", copy_of()))
    result = run({"image": "web", "name": "web-copy", "tags": "team=web"}, check_mode=True, diff=True)
    assert result["changed"] is True and writes(http) == []
    assert result["operations"] == [{"action": "update", "id": COPY_ID, "region": SOURCE_REGION,
                                     "patch": [{"op": "replace", "path": "/tags", "value": ["team=web"]}]}]
    assert result["diff"]["before"]["tags"] == [] and result["diff"]["after"]["tags"] == ["team=web"]
    assert result["image"]["tags"] == ["team=web"]


def test_check_mode_on_an_unchanged_copy_predicts_nothing(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy", copy_of()))
    result = run({"image": "web", "name": "web-copy"}, check_mode=True, diff=True)
    assert result["changed"] is False and result["operations"] == []
    assert result["diff"]["before"] == result["diff"]["after"]


# -- never a second copy --------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [{"status": 503}, {"raises": dropped}])
def test_a_copy_of_unknown_outcome_is_adopted_when_listed_never_sent_again(http, clock, failure):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy"), post({"name": "web-copy"}, **failure),
                lookup("web-copy"), lookup("web-copy", copy_of("saving")), get(copy_of()))
    result = run({"image": "web", "name": "web-copy"})
    assert not result["failed"], result["msg"]
    assert result["changed"] is True and result["image"]["status"] == "active" and result["job"] is None
    assert [op["action"] for op in result["operations"]] == ["copy"] and len(posts(http)) == 1


def test_a_copy_of_unknown_outcome_never_listed_fails_without_sending_it_again(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy"), post({"name": "web-copy"}, raises=dropped),
                lookup("web-copy", repeat=True))
    result = run({"image": "web", "name": "web-copy"})
    assert result["failed"] and len(posts(http)) == 1
    assert "the copy of image 'web-copy'" in result["msg"] and "may be under way" in result["msg"]
    assert "run the task again in a few minutes" in result["msg"] and sum(clock.sleeps) <= 61


def test_a_cross_region_copy_of_unknown_outcome_is_watched_for_in_the_destination(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE, origin=SOURCE), lookup("web-copy", origin=TARGET, project=DEST_PROJECT),
                post({"name": "web-copy", "region": TARGET_REGION, "project_name": TARGET_REGION, "agency_name": AGENCY},
                     path="/v1/cloudimages/%s/cross_region_copy" % IMAGE_ID, origin=SOURCE, status=502),
                lookup("web-copy", copy_of(), origin=TARGET, project=DEST_PROJECT))
    result = run(TO_EAST, CROSS)
    assert not result["failed"], result["msg"]
    assert result["image"]["id"] == COPY_ID and len(posts(http)) == 1


# -- the job --------------------------------------------------------------------------------------


def test_a_failed_job_fails_with_its_code_reason_and_id(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy"), post({"name": "web-copy"}),
                show_job(job("FAIL", image_id=None, error_code="IMG.0130", fail_reason="whole image")))
    result = run({"image": "web", "name": "web-copy"})
    assert result["failed"] and JOB_ID in result["msg"] and "IMG.0130" in result["msg"] and "whole image" in result["msg"]
    assert result["error_code"] == "IMG.0130" and result["job"]["id"] == JOB_ID
    assert [op["action"] for op in result["operations"]] == ["copy"]


def test_wait_timeout_names_the_job_and_the_copy_and_a_re_run_adopts_it(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy"), post({"name": "web-copy"}),
                show_job(job("RUNNING"), repeat=True), get(copy_of("saving")))
    result = run({"image": "web", "name": "web-copy", "wait_timeout": 20})
    assert result["failed"] and JOB_ID in result["msg"] and "'web-copy'" in result["msg"]
    assert result["job"]["status"] == "RUNNING" and result["image"]["id"] == COPY_ID
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy", copy_of("saving")), get(copy_of()))
    again = run({"image": "web", "name": "web-copy", "wait_timeout": 20})
    assert not again["failed"], again["msg"]
    assert again["changed"] is False and again["image"]["status"] == "active" and len(posts(http)) == 1


def test_without_wait_the_run_returns_once_the_job_names_the_copy_and_leaves_the_rest_for_later(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy"), post({"name": "web-copy"}),
                show_job(job("RUNNING")), get(copy_of("queued")))
    result = run({"image": "web", "name": "web-copy", "wait": False, "tags": ["a=b"]})
    assert not result["failed"], result["msg"]
    assert result["job"]["status"] == "RUNNING" and result["image"]["status"] == "queued"
    assert any("tags not applied yet" in warning for warning in result["warnings"])


# -- what IMS refuses, refused first --------------------------------------------------------------


@pytest.mark.parametrize("fields, task, words", [
    ({"status": "queued"}, {}, "IMS copies only an active image"),
    ({"virtual_env_type": "IsoImage"}, {}, "is an ISO image"),
    ({"disk_format": "iso"}, {}, "is an ISO image"),
    ({"__whole_image": "true"}, {}, "copies only to another region"),
    ({"__whole_image": "true"}, TO_EAST, "needs vault_id"),
    ({"__system__cmkid": KEY}, TO_EAST, "does not copy an encrypted image to another region"),
    ({"__system__cmkid": KEY}, {"cmk_id": KEY}, "cmk_id %s is the key" % KEY),
])
def test_what_ims_would_refuse_of_the_source_fails_before_any_write(http, clock, fields, task, words):
    source = dict(SOURCE_IMAGE, **fields)
    http.expect(lookup("web", source, origin=SOURCE if task.get("target_region") else ""))
    args = dict({"image": "web", "name": "web-copy"}, **task)
    result = run(args, CROSS if task.get("target_region") else None)
    assert result["failed"] and words in result["msg"] and writes(http) == []


@pytest.mark.parametrize("code, words", [("IMG.0179", "agency_name"), ("IMG.0145", "target_project_name"),
                                         ("IMG.0189", "vault_id"), ("IMG.0104", "target_project_name"),
                                         ("IMG.0060", "run the task again later")])
def test_a_refusal_of_the_copy_names_the_option_to_change(http, clock, code, words):
    http.expect(lookup("web", SOURCE_IMAGE, origin=SOURCE), lookup("web-copy", origin=TARGET, project=DEST_PROJECT),
                post({"name": "web-copy", "region": TARGET_REGION, "project_name": TARGET_REGION, "agency_name": AGENCY},
                     path="/v1/cloudimages/%s/cross_region_copy" % IMAGE_ID, origin=SOURCE, status=400,
                     answer=ims_error(code, "refused")))
    result = run(TO_EAST, CROSS)
    assert result["failed"] and result["error_code"] == code and words in result["msg"] and len(posts(http)) == 1


@pytest.mark.parametrize("task, connection, words", [
    ({"cmk_id": KEY}, CROSS, "cmk_id applies only to a copy within the region"),
    ({"enterprise_project_id": "0"}, CROSS, "enterprise_project_id applies only to a copy within the region"),
    ({"agency_name": None}, CROSS, "agency_name is required for a copy to another region"),
    ({}, dict(CROSS, ims_endpoint=IMS_ENDPOINT), "ims_endpoint '%s' has no {region} placeholder" % IMS_ENDPOINT),
    ({}, {"region": SOURCE_REGION, "ims_endpoint": "https://ims.{region}.example.test", "auth_token": "tok-secret",
          "project_id": PROJECT_ID}, "auth_token is a token of the source's project"),
    ({}, dict(CROSS, region=None), "target_region needs region"),
    ({"target_region": "East 3"}, CROSS, "target_region must be a Huawei Cloud region name"),
    ({"target_project_id": "nope"}, CROSS, "target_project_id must be a project id"),
    ({"target_region": None}, IN_REGION, "agency_name applies only to a copy to another region"),
    ({"target_region": SOURCE_REGION, "agency_name": None}, IN_REGION,
     "target_project_id applies only to a copy to another region"),
    ({"name": "x" * 129}, CROSS, "name must be 1 to 128 characters long"),
    ({"min_ram": 4096, "max_ram": 1024}, CROSS, "min_ram (4096) must not be more than max_ram (1024)"),
    ({"tags": [" a"]}, CROSS, "tags"),
    ({"wait_timeout": 0}, CROSS, "wait_timeout must be 1 or more"),
    ({"image": ""}, CROSS, "image must be the id or the name of the image to copy"),
])
def test_bad_options_fail_before_any_request_naming_the_option(http, clock, task, connection, words):
    result = run(dict(TO_EAST, **task), connection)
    assert result["failed"] and words in result["msg"], result["msg"]
    assert http.requests == [] and "tok-secret" not in json.dumps(result)


def test_an_unknown_source_id_fails_naming_image(http, clock):
    http.expect(get(ims_error("IMG.0144", "not found"), IMAGE_ID, status=404))
    result = run({"image": IMAGE_ID, "name": "web-copy"})
    assert result["failed"] and "no image with id %s" % IMAGE_ID in result["msg"] and writes(http) == []


def test_no_secret_in_a_failed_result(http, clock):
    http.expect(lookup("web", SOURCE_IMAGE), lookup("web-copy"),
                post({"name": "web-copy"}, status=400, answer=ims_error("IMG.0096", "key %s" % SECRET_KEY)))
    result = run({"image": "web", "name": "web-copy"})
    assert result["failed"] and SECRET_KEY not in json.dumps(result) and "cmk_id must differ" in result["msg"]


def test_a_password_gets_the_destination_its_own_token_scoped_by_the_project_name(http, clock):
    http.auth_header = "X-Auth-Token"

    def token(origin, scope, project, value):
        answer = {"token": {"methods": ["password"], "expires_at": "2026-12-03T03:00:00.000000Z",
                            "user": {"id": "u1", "name": "alice"},
                            "project": {"id": project, "name": "x", "domain": {"id": "d1", "name": "acme"}}}}
        return Call("POST", origin + "/v3/auth/tokens", status=201, answer=answer,
                    answer_headers={"X-Subject-Token": value},
                    json={"auth": {"identity": {"methods": ["password"], "password": {"user": {
                        "name": "alice", "password": "secret-password", "domain": {"name": "acme"}}}},
                        "scope": {"project": scope}}})

    source_lookup = lookup("web", SOURCE_IMAGE, origin=SOURCE)
    source_lookup.headers["X-Auth-Token"] = "MIIpw-source"
    copy_lookup = lookup("web-copy", copy_of(owner=DEST_PROJECT), origin=TARGET, project=DEST_PROJECT)
    copy_lookup.headers["X-Auth-Token"] = "MIIpw-target"
    http.expect(token("https://iam.%s.example.test" % SOURCE_REGION, {"id": PROJECT_ID}, PROJECT_ID, "MIIpw-source"),
                source_lookup, token(TARGET_IAM, {"name": TARGET_REGION}, DEST_PROJECT, "MIIpw-target"), copy_lookup)
    connection = {"region": SOURCE_REGION, "ims_endpoint": "https://ims.{region}.example.test",
                  "iam_endpoint": "https://iam.{region}.example.test", "project_id": PROJECT_ID, "user_name": "alice",
                  "password": "secret-password", "domain_name": "acme"}
    result = run(dict(TO_EAST, target_project_id=None), connection)
    assert not result["failed"], result["msg"]
    assert result["changed"] is False and result["image"]["id"] == COPY_ID
    text = json.dumps(result)
    assert "secret-password" not in text and "MIIpw" not in text
