# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_export: the export sent with its exact body and its job waited for, the re-run unchanged on
IMG.0070, IMG.0148 on a plain run, the one guarded resend after an unknown outcome (and never another), a failed and a
timed-out job, what IMS would refuse refused before any write, check and diff mode, and no secret in a result.

Every request is scripted (tests/unit/utils/scripted_http.py), to the byte of its JSON body; a request the script does
not have fails the test.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_export
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, ims_error, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import writes
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    CONNECTION,
    PROJECT_ID,
    SECRET_KEY,
    Call,
    dropped,
    run_module,
)

REGION = "cn-north-4"
JOB_ID = "ff8080828f2a5e8a018f3c1e7d2b0042"
NATIVE_TYPE = "application/json;charset=UTF-8"
URL = "images-backup:web/web.qcow2"
PATH = "/v1/cloudimages/%s/file" % IMAGE_ID
SOURCE = image(IMAGE_ID, name="web")
TASK = {"image": "web", "bucket_url": URL, "file_format": "qcow2"}
BODY = {"bucket_url": URL, "file_format": "qcow2"}


def run(args, **kwargs):
    return run_module(ims_image_export, dict(CONNECTION, region=REGION, **args), **kwargs)


def lookup(*images, name="web"):
    return Call("GET", "/v2/images", query={("owner", PROJECT_ID), ("name", name), ("limit", "1000")},
                headers={"X-Project-Id": PROJECT_ID}, answer=listing(images))


def post(body=None, **kwargs):
    if "status" not in kwargs and "raises" not in kwargs:
        kwargs.setdefault("answer", {"job_id": JOB_ID})
    return Call("POST", PATH, json=BODY if body is None else body,
                headers={"Content-Type": NATIVE_TYPE, "X-Project-Id": PROJECT_ID}, **kwargs)


def refused(code, message="refused"):
    return post(status=400, answer=ims_error(code, message))


def job(status="SUCCESS", **fields):
    answer = {"status": status, "job_id": JOB_ID, "job_type": "imsNativeExportImageJob", "entities": {},
              "begin_time": "2024-11-06T06:19:43.195Z", "end_time": "", "error_code": None, "fail_reason": None}
    answer.update(fields)
    return Call("GET", "/v1/%s/jobs/%s" % (PROJECT_ID, JOB_ID), answer=answer)


def posts(http):
    return [request for request in http.requests if request.method == "POST"]


def test_an_export_sends_the_exact_body_once_and_waits_for_its_job(http, clock):
    http.expect(lookup(SOURCE), post(), job("RUNNING"), job("SUCCESS"))
    result = run(TASK)
    assert not result["failed"], result["msg"]
    assert result["changed"] is True and result["message"] is None and not result.get("warnings")
    assert result["job"]["id"] == JOB_ID and result["job"]["status"] == "SUCCESS"
    assert result["job"]["type"] == "imsNativeExportImageJob"
    assert result["object"] == {"bucket": "images-backup", "object": "web/web.qcow2", "format": "qcow2"}
    assert result["image"]["id"] == IMAGE_ID and result["image"]["region"] == REGION
    assert [request.json for request in posts(http)] == [BODY]


def test_a_quick_export_by_id_sends_is_quick_export_and_no_format_and_need_not_wait(http, clock):
    body = {"bucket_url": URL, "is_quick_export": True}
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image(IMAGE_ID, size=200 * 1024 ** 3, checksum="x")), post(body))
    result = run({"image": IMAGE_ID, "bucket_url": URL, "quick": True, "wait": False})
    assert not result["failed"], result["msg"]
    assert result["changed"] is True and result["job"] == {"id": JOB_ID} and result["object"]["format"] == "zvhd2"
    assert len(posts(http)) == 1


def test_a_re_run_is_unchanged_when_ims_says_the_object_exists(http, clock):
    http.expect(lookup(SOURCE), refused("IMG.0070", "The object already exists."))
    result = run(TASK, diff=True)
    assert not result["failed"], result["msg"]
    assert result["changed"] is False and result["job"] is None
    assert "IMG.0070" in result["message"] and "not checked to be this image's export" in result["message"]
    assert result["warnings"] == [result["message"]]
    assert result["diff"]["before"]["state"] == "present" and len(posts(http)) == 1


def test_an_export_already_running_on_a_plain_run_is_unchanged_and_none_is_started(http, clock):
    http.expect(lookup(SOURCE), refused("IMG.0148", "The image is being exported."))
    result = run(TASK)
    assert not result["failed"], result["msg"]
    assert result["changed"] is False and result["job"] is None and "already under way" in result["message"]
    assert len(posts(http)) == 1


@pytest.mark.parametrize("code", ["IMG.0148", "IMG.0070"])
@pytest.mark.parametrize("failure", [{"status": 503}, {"raises": dropped}])
def test_an_unknown_outcome_is_resent_once_and_a_busy_refusal_says_the_first_was_taken(http, clock, code, failure):
    http.expect(lookup(SOURCE), post(**failure), refused(code))
    result = run(TASK)
    assert not result["failed"], result["msg"]
    assert result["changed"] is True and result["job"] is None
    assert "the first export was taken" in result["message"] and "job id is not known" in result["message"]
    assert len(posts(http)) == 2


def test_an_unknown_outcome_then_an_accepted_resend_is_the_export(http, clock):
    http.expect(lookup(SOURCE), post(status=502), post(), job("SUCCESS"))
    result = run(TASK)
    assert not result["failed"], result["msg"]
    assert result["changed"] is True and result["job"]["status"] == "SUCCESS" and len(posts(http)) == 2


def test_two_unknown_outcomes_fail_without_a_third_post(http, clock):
    http.expect(lookup(SOURCE), post(status=503), post(raises=dropped))
    result = run(TASK)
    assert result["failed"] and "unknown outcome twice" in result["msg"] and "not sent a third time" in result["msg"]
    assert len(posts(http)) == 2


def test_a_refusal_after_an_unknown_outcome_is_not_resent_again(http, clock):
    http.expect(lookup(SOURCE), post(status=503), refused("IMG.0069", "bucket not accessible"))
    result = run(TASK)
    assert result["failed"] and "IMG.0069" in result["msg"] and "check bucket_url" in result["msg"]
    assert len(posts(http)) == 2


@pytest.mark.parametrize("code, hint", [("IMG.0069", "check bucket_url"), ("IMG.0058", "bucket_url must be in"),
                                        ("IMG.0128", "full-server"), ("IMG.0400", None)])
def test_a_4xx_is_never_resent_and_fails_with_a_hint_naming_the_option(http, clock, code, hint):
    http.expect(lookup(SOURCE), refused(code))
    result = run(TASK)
    assert result["failed"] and code in result["msg"] and len(posts(http)) == 1
    if hint:
        assert hint in result["msg"]


def test_a_failed_job_names_its_code_reason_and_id(http, clock):
    http.expect(lookup(SOURCE), post(), job("FAIL", error_code="IMS.0204", fail_reason="obs write failed"))
    result = run(TASK)
    assert result["failed"] and result["changed"] is True
    for text in ("IMS.0204", "obs write failed", JOB_ID):
        assert text in result["msg"]
    assert result["job"]["id"] == JOB_ID


def test_a_job_still_running_at_wait_timeout_fails_naming_the_job(http, clock):
    running = job("RUNNING")
    running.repeat = True
    http.expect(lookup(SOURCE), post(), running)
    result = run(dict(TASK, wait_timeout=30))
    assert result["failed"] and result["changed"] is True
    assert JOB_ID in result["msg"] and "wait_timeout (30 s)" in result["msg"] and "ims_job_info" in result["msg"]
    assert len(posts(http)) == 1


@pytest.mark.parametrize("fields, words", [
    ({"status": "queued"}, "only an active image"),
    ({"__whole_image": "true"}, "full-server"),
    ({"virtual_env_type": "IsoImage"}, "ISO image"),
    ({"disk_format": "iso"}, "ISO image"),
    ({"__imagetype": "market", "__productcode": "00301-x"}, "market image"),
    ({"__account_code": "abc"}, "charged image"),
    ({"size": 129 * 1024 ** 3, "checksum": "x"}, "set quick: true"),
])
def test_what_the_image_tells_is_refused_before_any_write(http, clock, fields, words):
    http.expect(lookup(image(IMAGE_ID, name="web", **fields)))
    result = run(TASK)
    assert result["failed"] and words in result["msg"] and writes(http) == []


def test_several_images_of_the_name_are_refused(http, clock):
    http.expect(lookup(SOURCE, image("5ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86", name="web")))
    result = run(TASK)
    assert result["failed"] and IMAGE_ID in result["msg"] and writes(http) == []


@pytest.mark.parametrize("args, words", [
    ({"bucket_url": "no-colon"}, "bucket:object"),
    ({"bucket_url": "Bad_Bucket:x"}, "OBS bucket name"),
    ({"bucket_url": "192.168.1.1:x"}, "OBS bucket name"),
    ({"bucket_url": "bucket:"}, "non-empty"),
    ({"bucket_url": "bucket:a b"}, "without spaces"),
    ({"quick": True}, "must not be set with quick"),
    ({"wait_timeout": 0}, "wait_timeout"),
])
def test_bad_options_are_refused_before_any_request(http, clock, args, words):
    result = run(dict(TASK, **args))
    assert result["failed"] and words in result["msg"] and http.requests == []


def test_file_format_is_required_unless_quick(http, clock):
    result = run({"image": "web", "bucket_url": URL})
    assert result["failed"] and "file_format is required" in result["msg"] and http.requests == []


def test_check_mode_reads_only_and_predicts_a_change_with_a_diff(http, clock):
    http.expect(lookup(SOURCE))
    result = run(TASK, check_mode=True, diff=True)
    assert not result["failed"], result["msg"]
    assert result["changed"] is True and result["job"] is None and writes(http) == []
    assert result["diff"]["before"]["state"] == "absent"
    assert result["diff"]["after"] == {"state": "present", "bucket_url": URL, "bucket": "images-backup",
                                       "object": "web/web.qcow2", "format": "qcow2"}


def test_no_secret_in_a_failed_result(http, clock):
    http.expect(lookup(SOURCE), refused("IMG.0069", "denied for %s" % SECRET_KEY))
    result = run(TASK)
    assert result["failed"] and SECRET_KEY not in json.dumps(result)
