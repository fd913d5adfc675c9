# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IMS jobs against scripted HTTP: both job APIs, one view, where the image id is, the waiter and its failures."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsAnswerError, ImsApiError, ImsClient
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import ImsConnectionError, ImsJobFailed, ImsJobTimeout
from ansible_collections.hwcloud.ims.plugins.module_utils._jobs import (
    SHOW_JOB_PROGRESS,
    JobReader,
    job_image_ids,
    job_view,
    read_until_named,
    wait_for_job,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import ims_error
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import ANY, CONNECTION, PROJECT_ID, Call, dropped

JOB_ID = "ff8080828f2a5e8a018f3c1e7d2b0042"
IMAGE_A = "0b7a3c1e-0000-4000-8000-00000000000a"
IMAGE_B = "0b7a3c1e-0000-4000-8000-00000000000b"
SHOW_JOB = "/v1/%s/jobs/%s" % (PROJECT_ID, JOB_ID)
PROGRESS = "/v1/cloudimages/job/%s" % JOB_ID


def client(**overrides):
    options = dict(CONNECTION, retries=2)
    options.update(overrides)
    return ImsClient.from_options(options)


def job(status="RUNNING", **entities):
    answer = {"status": status, "job_id": JOB_ID, "job_type": "imsCreateImageByInstance",
              "begin_time": "2024-11-06T06:19:43.195Z", "end_time": "", "error_code": None, "fail_reason": None,
              "entities": entities}
    if status in ("SUCCESS", "FAIL"):
        answer["end_time"] = "2024-11-06T06:23:43.195Z"
    return answer


def show_job(answer, **kwargs):
    return Call("GET", SHOW_JOB, answer=answer, headers={"X-Project-Id": PROJECT_ID}, **kwargs)


def progress(answer, **kwargs):
    return Call("GET", PROGRESS, answer=answer, headers={"X-Project-Id": PROJECT_ID}, **kwargs)


# -- the view ----------------------------------------------------------------------------------


def test_show_job_answer_becomes_the_view(http):
    http.expect(show_job(job("RUNNING", image_id=IMAGE_A, image_name="web", process_percent=42.5,
                             current_task="CreateImage")))
    view = JobReader(client(), JOB_ID).read()
    assert view == {"id": JOB_ID, "type": "imsCreateImageByInstance", "status": "RUNNING", "progress": 42.5,
                    "image_id": IMAGE_A, "image_ids": [IMAGE_A], "error_code": None, "fail_reason": None,
                    "begin_time": "2024-11-06T06:19:43.195Z", "end_time": None}


def test_show_job_progress_answer_with_camel_case_sub_job_id_becomes_the_same_view(http):
    http.expect(progress(job("SUCCESS", image_id=IMAGE_A, process_percent=100.0, subJobId="ff80-sub-1",
                             sub_jobs_list=["ff80-sub-1"])))
    view = JobReader(client(), JOB_ID, prefer=SHOW_JOB_PROGRESS).read()
    assert (view["status"], view["progress"], view["image_id"], view["end_time"]) == (
        "SUCCESS", 100.0, IMAGE_A, "2024-11-06T06:23:43.195Z")


def test_data_images_from_volumes_are_found_in_sub_jobs_result():
    entities = {"sub_jobs_result": [
        {"status": "SUCCESS", "job_id": "s1", "job_type": "imsVolumeCreateImageJob", "entities": {"image_id": IMAGE_A}},
        {"status": "SUCCESS", "job_id": "s2", "job_type": "imsVolumeCreateImageJob", "entities": {"image_id": IMAGE_B}},
    ]}
    view = job_view(job("SUCCESS", **entities))
    assert view["image_id"] == IMAGE_A and view["image_ids"] == [IMAGE_A, IMAGE_B]


@pytest.mark.parametrize("entities, expected", [
    ({"image_id": IMAGE_A}, [IMAGE_A]),
    ({"__data_images": IMAGE_B}, [IMAGE_B]),
    ({"__data_images": "%s,%s" % (IMAGE_A, IMAGE_B)}, [IMAGE_A, IMAGE_B]),
    ({"__data_images": [{"image_id": IMAGE_B}, IMAGE_A]}, [IMAGE_B, IMAGE_A]),
    ({"results": [{"image_id": IMAGE_A, "project_id": PROJECT_ID, "status": "SUCCESS"}]}, [IMAGE_A]),
    ({"image_id": IMAGE_A, "sub_jobs_result": [{"entities": {"image_id": IMAGE_A}}]}, [IMAGE_A]),
    ({"image_id": ""}, []),
    ({}, []),
])
def test_every_place_an_image_id_lives(entities, expected):
    assert job_image_ids(entities) == expected


def test_every_error_field_of_a_failed_job_is_surfaced():
    answer = job("FAIL", error_code="IMG.0010", error="the ECS has tasks in progress",
                 addition_error_code="Ecs.0001", addition_error_msg="server busy")
    answer.update(error_code="IMG.0010", fail_reason="The ECS has tasks in progress.")
    view = job_view(answer)
    assert view["error_code"] == "IMG.0010"
    assert view["fail_reason"] == "The ECS has tasks in progress.; the ECS has tasks in progress; server busy"


def test_a_failed_sub_job_gives_its_code_and_reason_when_the_job_does_not():
    answer = job("FAIL", sub_jobs_result=[
        {"status": "SUCCESS", "entities": {"image_id": IMAGE_A}},
        {"status": "FAIL", "error_code": "IMG.0120", "fail_reason": "data disk unavailable", "entities": {}},
    ])
    view = job_view(answer)
    assert (view["error_code"], view["fail_reason"], view["image_ids"]) == ("IMG.0120", "data disk unavailable",
                                                                            [IMAGE_A])


@pytest.mark.parametrize("answer, message", [
    (dict(job(), status=""), "the job field status must be one of INIT, RUNNING, SUCCESS, FAIL; got ''"),
    (dict(job(), status="PENDING"), "the job field status must be one of INIT, RUNNING, SUCCESS, FAIL; got 'PENDING'"),
    ({"job_id": JOB_ID}, "the job has no status"),
    (dict(job(), entities=[]), "the job field entities must be an object or null; got a list"),
    (job(process_percent="42"), "the job's entities field process_percent must be an integer or a number or null"),
    (job(sub_jobs_result=[{"entities": {"image_id": 7}}]),
     "item 1 of the job's entities.sub_jobs_result entities field image_id must be a string or null; got an integer"),
    ([], "the job must be an object; got a list"),
])
def test_a_job_of_the_wrong_shape_fails_naming_the_call_and_the_request_id(http, answer, message):
    http.expect(show_job(answer))
    with pytest.raises(ImsAnswerError) as err:
        JobReader(client(), JOB_ID).read()
    text = str(err.value)
    assert text.startswith("GET %s answered HTTP 200 with a body this collection cannot use: " % SHOW_JOB)
    assert message in text and text.endswith("(request id: req-1)")


# -- which API -----------------------------------------------------------------------------------


def test_show_job_404_falls_back_to_show_job_progress_once_and_for_all(http):
    http.expect(show_job(ims_error("IMS.0404", "job not found"), status=404),
                progress(job("INIT")), progress(job("RUNNING")))
    reader = JobReader(client(), JOB_ID)
    assert reader.read()["status"] == "INIT"
    assert reader.api == SHOW_JOB_PROGRESS
    assert reader.read()["status"] == "RUNNING"  # ShowJob is not asked again
    assert [request.path for request in http.requests] == [SHOW_JOB, PROGRESS, PROGRESS]


def test_show_job_progress_404_falls_back_to_show_job(http):
    http.expect(progress(None, status=404), show_job(job("RUNNING")), show_job(job("SUCCESS")))
    reader = JobReader(client(), JOB_ID, prefer=SHOW_JOB_PROGRESS)
    assert [reader.read()["status"], reader.read()["status"]] == ["RUNNING", "SUCCESS"]


def test_a_404_after_the_api_was_decided_is_not_a_fallback(http):
    http.expect(show_job(job("RUNNING")), show_job(None, status=404))
    reader = JobReader(client(), JOB_ID)
    reader.read()
    with pytest.raises(ImsApiError) as err:
        reader.read()
    assert err.value.status == 404 and len(http.requests) == 2


def test_a_job_neither_api_knows_fails_saying_so(http):
    http.expect(show_job(None, status=404), progress(None, status=404))
    with pytest.raises(ImsApiError) as err:
        JobReader(client(), JOB_ID).read()
    assert "neither ShowJob nor ShowJobProgress knows job %s" % JOB_ID in str(err.value)


def test_another_error_is_not_a_fallback(http):
    http.expect(show_job(ims_error("IMG.0026", "no permission"), status=403))
    with pytest.raises(ImsApiError) as err:
        JobReader(client(), JOB_ID).read()
    assert err.value.code == "IMG.0026" and len(http.requests) == 1


# -- waiting -----------------------------------------------------------------------------------------


def test_the_wait_starts_short_and_backs_off_to_ten_seconds(http, clock):
    http.expect(*[show_job(job("RUNNING", process_percent=float(step))) for step in range(8)],
                show_job(job("SUCCESS", image_id=IMAGE_A, process_percent=100.0)))
    view = wait_for_job(client(), JOB_ID, 1200)
    assert view["status"] == "SUCCESS" and view["image_id"] == IMAGE_A
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0, 10.0]
    assert min(clock.sleeps) >= 1.0 and http.timeline()[0] == "GET %s 200" % SHOW_JOB


def test_a_sixty_second_job_costs_at_most_twelve_reads(http, clock):
    def answer(request, values):
        return job("SUCCESS" if clock.now - 1000.0 >= 60 else "RUNNING", image_id=IMAGE_A)
    http.expect(Call("GET", SHOW_JOB, answer=answer, repeat=True))
    wait_for_job(client(), JOB_ID, 1200)
    assert len(http.requests) <= 12 and clock.now - 1000.0 <= 70


def test_a_job_is_read_every_second_until_it_names_its_image_then_less_often(http, clock):
    http.expect(show_job(job("INIT", image_id=None), repeat=True))
    view = read_until_named(client(), JOB_ID, 60)
    assert view["status"] == "INIT" and view["image_id"] is None
    assert clock.sleeps == [1.0] * 10 + [2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
    assert len(http.requests) == 17


def test_reading_until_named_stops_at_the_first_look_that_names_the_image(http, clock):
    http.expect(show_job(job("INIT", image_id=None)), show_job(job("INIT", image_id=None)),
                show_job(job("RUNNING", image_id=IMAGE_A)))
    view = read_until_named(client(), JOB_ID, 60)
    assert view["image_id"] == IMAGE_A and clock.sleeps == [1.0, 1.0]


def test_a_failed_job_raises_with_ims_code_reason_and_job_id(http, clock):
    failed = job("FAIL", image_id=IMAGE_A)
    failed.update(error_code="IMG.0008", fail_reason="The ECS is not in the stopped state.")
    http.expect(show_job(job("INIT")), show_job(failed))
    with pytest.raises(ImsJobFailed) as err:
        wait_for_job(client(), JOB_ID, 1200)
    assert str(err.value) == ("IMS job %s (imsCreateImageByInstance) failed: IMG.0008: The ECS is not in the "
                              "stopped state. (image %s)" % (JOB_ID, IMAGE_A))
    assert (err.value.job_id, err.value.error_code, err.value.job["status"]) == (JOB_ID, "IMG.0008", "FAIL")


def test_a_failed_job_without_code_or_reason_says_so(http, clock):
    http.expect(show_job(dict(job("FAIL"), job_type=None)))
    with pytest.raises(ImsJobFailed) as err:
        wait_for_job(client(), JOB_ID, 60)
    assert str(err.value) == "IMS job %s failed: no error code: IMS gave no reason" % JOB_ID


def test_a_job_still_running_at_the_deadline_names_job_status_progress_and_image(http, clock):
    http.expect(Call("GET", SHOW_JOB, answer=job("RUNNING", image_id=IMAGE_A, process_percent=37.0), repeat=True))
    with pytest.raises(ImsJobTimeout) as err:
        wait_for_job(client(), JOB_ID, 30)
    assert str(err.value) == (
        "IMS job %s (imsCreateImageByInstance) is still RUNNING, progress 37%% after wait_timeout (30 s); image %s "
        "is being made. Nothing failed: run the task again (or raise wait_timeout) and it picks up where it left off, "
        "waiting for this job and its image, without creating another" % (JOB_ID, IMAGE_A))
    assert sum(clock.sleeps) <= 30 and err.value.job["progress"] == 37.0


def test_a_job_still_init_at_the_deadline_says_its_image_is_not_named_yet(http, clock):
    http.expect(Call("GET", SHOW_JOB, answer=job("INIT"), repeat=True))
    with pytest.raises(ImsJobTimeout) as err:
        wait_for_job(client(), JOB_ID, 5)
    assert "is still INIT after wait_timeout (5 s); IMS has not named its image yet" in str(err.value)


def test_retry_after_of_a_throttled_job_read_is_honoured(http, clock):
    http.expect(show_job(None, status=429, answer_headers={"Retry-After": "7"}), show_job(job("SUCCESS")))
    wait_for_job(client(), JOB_ID, 60)
    assert clock.sleeps == [7.0]


def test_a_read_still_failing_after_the_transports_retries_is_tried_again_at_the_next_look(http, clock):
    http.expect(show_job(job("RUNNING")),
                show_job(None, status=503, answer_headers={"Retry-After": "15"}),
                show_job(job("RUNNING")),
                show_job(None, raises=dropped),
                show_job(job("SUCCESS", image_id=IMAGE_A)))
    view = wait_for_job(client(retries=0), JOB_ID, 1200)
    assert view["image_id"] == IMAGE_A
    # 1 s, then the answer's Retry-After (15 s, longer than the 2 s due), then 4 s and 8 s.
    assert clock.sleeps == [1.0, 15.0, 4.0, 8.0]


def test_a_read_failing_at_the_deadline_raises_that_failure(http, clock):
    http.expect(show_job(job("RUNNING")), Call("GET", SHOW_JOB, raises=dropped, repeat=True))
    with pytest.raises(ImsConnectionError):
        wait_for_job(client(retries=0), JOB_ID, 10)


def test_a_refused_read_is_not_retried_by_the_waiter(http, clock):
    http.expect(show_job(job("RUNNING")), show_job(ims_error("IMG.0026", "denied"), status=403))
    with pytest.raises(ImsApiError) as err:
        wait_for_job(client(retries=0), JOB_ID, 1200)
    assert err.value.status == 403 and clock.sleeps == [1.0]


def test_show_job_progress_is_read_without_asking_for_the_project(http, clock):
    """With a token and no project_id, ShowJobProgress needs no IAM call (its path has no project)."""
    options = {"ims_endpoint": CONNECTION["ims_endpoint"], "auth_token": "MIItoken", "retries": 0}
    http.auth_header = "X-Auth-Token"
    http.expect(Call("GET", PROGRESS, answer=job("SUCCESS"), headers={"X-Auth-Token": ANY}))
    assert wait_for_job(ImsClient.from_options(options), JOB_ID, 60, prefer=SHOW_JOB_PROGRESS)["status"] == "SUCCESS"
