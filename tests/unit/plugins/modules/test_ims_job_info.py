# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_job_info: one job through either job API, its image, waiting, a failed job and a time-out."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_job_info
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, ims_error
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import get, get_missing
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, PROJECT_ID, Call, run_module

JOB_ID = "ff8080828f2a5e8a018f3c1e7d2b0042"
SHOW_JOB = "/v1/%s/jobs/%s" % (PROJECT_ID, JOB_ID)
PROGRESS = "/v1/cloudimages/job/%s" % JOB_ID


def run(args=None, **kwargs):
    return run_module(ims_job_info, dict(CONNECTION, job_id=JOB_ID, **(args or {})), **kwargs)


def job(status, image_id=IMAGE_ID, **fields):
    answer = {"status": status, "job_id": JOB_ID, "job_type": "createImageByInstance",
              "entities": {"image_id": image_id, "process_percent": 50.0} if image_id else {},
              "begin_time": "2024-11-06T06:19:43.195Z", "end_time": "", "error_code": None, "fail_reason": None}
    answer.update(fields)
    return answer


def show_job(answer, **kwargs):
    return Call("GET", SHOW_JOB, answer=answer, **kwargs)


def progress(answer, **kwargs):
    return Call("GET", PROGRESS, answer=answer, **kwargs)


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check-mode"])
def test_showjob_is_read_once_with_the_image_it_names(http, clock, check_mode):
    http.expect(show_job(job("RUNNING")), get(image(status="saving")))
    result = run(check_mode=check_mode)
    assert result["failed"] is False and result["changed"] is False, result
    assert result["job"]["id"] == JOB_ID and result["job"]["status"] == "RUNNING" and result["job"]["progress"] == 50.0
    assert result["image"]["id"] == IMAGE_ID and result["image"]["status"] == "saving"
    assert clock.sleeps == [] and all(request.method == "GET" for request in http.requests)


def test_showjobprogress_answers_when_showjob_does_not_know_the_job(http):
    http.expect(show_job(ims_error("IMG.0144", "job not found"), status=404),
                progress(job("SUCCESS")), get(image()))
    result = run()
    assert result["job"]["status"] == "SUCCESS" and result["image"]["status"] == "active", result


def test_a_job_in_init_names_no_image_and_reads_none(http):
    http.expect(show_job(job("INIT", image_id=None)))
    result = run()
    assert result["image"] is None and result["job"]["image_id"] is None and len(http.requests) == 1, result


def test_an_image_named_but_gone_is_null(http):
    http.expect(show_job(job("SUCCESS")), get_missing())
    assert run()["image"] is None


def test_without_wait_a_failed_job_is_returned_not_raised(http):
    http.expect(show_job(job("FAIL", image_id=None, error_code="IMG.0010", fail_reason="not stopped")))
    result = run()
    assert result["failed"] is False and result["job"]["error_code"] == "IMG.0010", result


def test_wait_polls_the_api_that_answered_until_the_job_ends(http, clock):
    http.expect(show_job(ims_error("IMG.0144", "job not found"), status=404), progress(job("RUNNING")),
                progress(job("RUNNING")), progress(job("SUCCESS")), get(image()))
    result = run({"wait": True})
    assert result["job"]["status"] == "SUCCESS" and result["image"]["status"] == "active", result
    assert clock.sleeps == [1.0, 2.0]


def test_wait_fails_on_a_failed_job_with_ims_code_reason_and_job_id(http, clock):
    http.expect(show_job(job("FAIL", image_id=None, error_code="IMG.0010", fail_reason="The server is not stopped.")))
    result = run({"wait": True})
    assert result["failed"] is True
    assert JOB_ID in result["msg"] and "IMG.0010" in result["msg"] and "The server is not stopped." in result["msg"]
    assert result["error_code"] == "IMG.0010" and result["fail_reason"] == "The server is not stopped."
    assert result["job"]["status"] == "FAIL" and result["image"] is None


def test_wait_fails_at_wait_timeout_naming_the_job_and_its_image(http, clock):
    http.expect(show_job(job("RUNNING"), repeat=True), get(image(status="saving")))
    result = run({"wait": True, "wait_timeout": 30})
    assert result["failed"] is True, result
    assert JOB_ID in result["msg"] and IMAGE_ID in result["msg"] and "wait_timeout (30 s)" in result["msg"]
    assert result["job"]["status"] == "RUNNING" and result["image"]["status"] == "saving"
    assert sum(clock.sleeps) <= 30


@pytest.mark.parametrize("args, words", [
    ({"job_id": ""}, "job_id must be a job id"),
    ({"job_id": " a"}, "job_id must be a job id"),
    ({"job_id": "a/b"}, "job_id must be a job id"),
    ({"wait_timeout": 0}, "wait_timeout must be 1 or more"),
])
def test_bad_options_fail_before_any_request(http, args, words):
    result = run_module(ims_job_info, dict(CONNECTION, **dict({"job_id": JOB_ID}, **args)))
    assert result["failed"] is True and words in result["msg"] and http.requests == [], result
