# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The native create against scripted HTTP: look before sending, send once, look again after an unknown outcome."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsAnswerError, ImsApiError, ImsClient
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import ImsImageConflict
from ansible_collections.hwcloud.ims.plugins.module_utils._native import adoptable, native_request
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import image, ims_error
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import lookup
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    CONNECTION,
    PROJECT_ID,
    Call,
    dropped,
    read_timeout,
)

SERVER = "b4c6f7a8-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
JOB_ID = "ff8080828f2a5e8a018f3c1e7d2b0042"
TASK = {"name": "web", "instance_id": SERVER, "description": "baked"}
BODY = {"name": "web", "instance_id": SERVER, "description": "baked"}
NATIVE_TYPE = "application/json;charset=UTF-8"
SAVING = image("6f0d2a4e-0000-4000-8000-000000000001", name="web", status="saving",
               __data_origin="instance,%s" % SERVER, checksum=None, size=None)


def client(**overrides):
    options = dict(CONNECTION, retries=3)
    options.update(overrides)
    return ImsClient.from_options(options)


def create(native_client, task=None, listed=None):
    task = task or TASK
    made = native_request(task)
    return native_client.create_native(made.path, made.body, task["name"], functools.partial(adoptable, params=task),
                                       listed)


def post(**kwargs):
    kwargs.setdefault("answer", {"job_id": JOB_ID})
    return Call("POST", "/v2/cloudimages/action", json=BODY,
                headers={"Content-Type": NATIVE_TYPE, "X-Project-Id": PROJECT_ID}, **kwargs)


def posts(http):
    return [request for request in http.requests if request.method == "POST"]


def test_with_no_image_of_the_name_the_create_is_sent_once_after_the_lookup(http):
    http.expect(lookup("web"), post())
    assert create(client()) == {"job_id": JOB_ID, "image": None, "sent": True}
    assert http.timeline() == ["GET /v2/images 200", "POST /v2/cloudimages/action 200"]


def test_a_listing_the_caller_just_made_is_not_made_again(http):
    http.expect(post())
    assert create(client(), listed=[]) == {"job_id": JOB_ID, "image": None, "sent": True}
    assert http.timeline() == ["POST /v2/cloudimages/action 200"]


def test_an_image_in_the_listing_the_caller_made_is_taken_without_a_request(http):
    assert create(client(), listed=[SAVING]) == {"job_id": None, "image": SAVING, "sent": False}
    assert http.requests == []


def test_an_image_still_being_made_from_the_same_source_is_adopted_without_a_create(http):
    http.expect(lookup("web", SAVING))
    assert create(client()) == {"job_id": None, "image": SAVING, "sent": False}
    assert posts(http) == []


def test_an_image_of_the_name_from_another_source_refuses_the_create(http):
    other = dict(SAVING, __data_origin="volume,9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b")
    http.expect(lookup("web", other))
    with pytest.raises(ImsImageConflict):
        create(client())
    assert posts(http) == []


@pytest.mark.parametrize("failure", [{"status": 503}, {"status": 500}, {"raises": dropped}, {"raises": read_timeout}])
def test_after_an_unknown_outcome_a_lookup_that_finds_the_image_sends_no_second_create(http, clock, failure):
    http.expect(lookup("web"), post(**failure), lookup("web", SAVING))
    assert create(client()) == {"job_id": None, "image": SAVING, "sent": True}
    assert len(posts(http)) == 1 and len(clock.sleeps) == 1


def test_after_an_unknown_outcome_a_lookup_that_proves_absence_resends_exactly_once(http, clock):
    http.expect(lookup("web"), post(raises=dropped), lookup("web"), post())
    assert create(client()) == {"job_id": JOB_ID, "image": None, "sent": True}
    assert len(posts(http)) == 2
    assert http.timeline() == ["GET /v2/images 200", "POST /v2/cloudimages/action ConnectionError", "sleep",
                               "GET /v2/images 200", "POST /v2/cloudimages/action 200"]


def test_a_create_answered_503_every_time_is_looked_for_before_every_resend_and_then_fails(http, clock):
    http.expect(lookup("web"), *[call for _n in range(3) for call in (post(status=503), lookup("web"))],
                post(status=503), lookup("web"))
    with pytest.raises(ImsApiError) as err:
        create(client())
    assert err.value.status == 503 and len(posts(http)) == 4 and len(clock.sleeps) == 4


def test_a_create_refused_is_raised_at_once_without_a_second_look(http, clock):
    http.expect(lookup("web"), post(status=400, answer=ims_error("IMG.0015", "The private image quota is reached.")))
    with pytest.raises(ImsApiError) as err:
        create(client())
    assert err.value.code == "IMG.0015" and clock.sleeps == []


def test_a_create_answered_without_a_job_id_is_never_resent(http, clock):
    http.expect(lookup("web"), post(answer={"jobid": JOB_ID}))
    with pytest.raises(ImsAnswerError) as err:
        create(client())
    assert "the answer has no job_id (a non-empty string); got null" in str(err.value)
    assert len(posts(http)) == 1


def test_the_429s_of_a_create_are_resent_by_the_transport_after_retry_after(http, clock):
    http.expect(lookup("web"), post(status=429, answer_headers={"Retry-After": "3"}), post())
    assert create(client())["job_id"] == JOB_ID and clock.sleeps == [3.0]


def test_a_token_client_sends_the_project_on_the_native_create_too(http):
    http.auth_header = "X-Auth-Token"
    token = {"ims_endpoint": CONNECTION["ims_endpoint"], "auth_token": "MIItoken", "project_id": PROJECT_ID}
    http.expect(lookup("web"), post())
    assert create(ImsClient.from_options(token))["job_id"] == JOB_ID


def test_each_source_posts_its_own_path_with_the_native_content_type(http):
    task = {"name": "data", "image_url": "bkt:disk.raw", "image_type": "data", "min_disk": 40}
    http.expect(lookup("data"), Call("POST", "/v1/cloudimages/dataimages/action",
                                     json={"name": "data", "image_url": "bkt:disk.raw", "min_disk": 40},
                                     headers={"Content-Type": NATIVE_TYPE, "X-Project-Id": PROJECT_ID},
                                     answer={"job_id": JOB_ID}))
    assert create(client(), task)["job_id"] == JOB_ID
