# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The native create against scripted HTTP: look before sending, send once, look again after an unknown outcome,
and IMS's busy refusals and the OBS file's window (``_native_create.create_once``)."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsAnswerError, ImsApiError, ImsClient
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import ImsError, ImsImageConflict
from ansible_collections.hwcloud.ims.plugins.module_utils._native import adoptable, native_request, native_source
from ansible_collections.hwcloud.ims.plugins.module_utils._native_create import LISTING_GRACE, create_once
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


def create(native_client, task=None, listed=None, grace=LISTING_GRACE):
    task = task or TASK
    made = native_request(task)
    return create_once(native_client, made.path, made.body, task["name"], functools.partial(adoptable, params=task),
                       native_source(task), grace, listed)


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
    assert str(err.value).endswith("; the project's private image quota is reached: delete the images it no longer "
                                   "needs, or ask for more")


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


# -- IMS's busy refusals: a job holds the source (an earlier run's, or this run's lost create) ---------------------

BUSY = ims_error("IMG.0010", "Server %s has tasks in progress." % SERVER)


def nothing_listed():
    """The lookup of the name, answering no image every time it is made."""
    call = lookup("web")
    call.repeat = True
    return call


def busy_post(**kwargs):
    return post(status=400, answer=BUSY, **kwargs)


def test_a_busy_refusal_after_an_empty_lookup_watches_the_listing_and_takes_the_image_once_listed(http, clock):
    # a run stopped while its job was in INIT: nothing listed, the create refused, the image listed moments later
    http.expect(lookup("web"), busy_post(), lookup("web"), lookup("web"), lookup("web", SAVING))
    assert create(client()) == {"job_id": None, "image": SAVING, "sent": False}
    assert len(posts(http)) == 1 and clock.sleeps == [1.0, 2.0]


def test_a_busy_refusal_with_no_image_listed_in_the_grace_fails_with_ims_words_and_sends_nothing_more(http, clock):
    http.expect(lookup("web"), busy_post(), nothing_listed())
    with pytest.raises(ImsApiError) as err:
        create(client(), grace=30)
    message = str(err.value)
    assert err.value.code == "IMG.0010" and "has tasks in progress" in message
    assert "no image named 'web' was listed within 30 s" in message and "the job that holds the server" in message
    assert len(posts(http)) == 1 and sum(clock.sleeps) <= 30


def test_a_lost_create_sent_again_and_refused_busy_is_this_runs_own_job_and_is_taken(http, clock):
    # the first create landed (its answer lost) and its job is in INIT: the resend is refused, the image appears
    http.expect(lookup("web"), post(raises=dropped), lookup("web"), busy_post(), lookup("web"), lookup("web", SAVING))
    assert create(client()) == {"job_id": None, "image": SAVING, "sent": True}
    assert len(posts(http)) == 2


def test_a_lost_create_refused_busy_and_never_listed_says_it_may_be_this_tasks_job(http, clock):
    http.expect(lookup("web"), post(status=503), lookup("web"), busy_post(),
                nothing_listed())
    with pytest.raises(ImsApiError) as err:
        create(client(), grace=10)
    assert "this task's first create had an unknown outcome" in str(err.value) and len(posts(http)) == 2


@pytest.mark.parametrize("task, code", [
    ({"name": "web", "volume_id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", "image_type": "data"}, "IMG.0139"),
    ({"name": "web", "backup_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}, "IMG.0029"),
])
def test_each_held_source_has_its_busy_code(http, clock, task, code):
    made = native_request(task)
    taken = image("6f0d2a4e-0000-4000-8000-000000000001", name="web", status="saving", checksum=None, size=None,
                  **({"__data_origin": "volume,%s" % task["volume_id"], "virtual_env_type": "DataImage"} if "volume_id" in task
                     else {"__backup_id": task["backup_id"], "__whole_image": "true"}))
    http.expect(lookup("web"), Call("POST", made.path, status=400, answer=ims_error(code, "busy")),
                lookup("web", taken))
    assert create(client(), task)["image"] == taken


def test_a_refusal_of_another_code_is_not_taken_for_a_busy_source(http, clock):
    http.expect(lookup("web"), post(status=400, answer=ims_error("IMG.0008", "The server is not stopped.")))
    with pytest.raises(ImsApiError) as err:
        create(client())
    assert err.value.code == "IMG.0008" and clock.sleeps == []


# -- an OBS file: IMS has no busy rule, so a create of unknown outcome is never sent again unproven -----------------

FILE_TASK = {"name": "web", "image_url": "bkt:web.qcow2", "min_disk": 40, "os_version": "CentOS 7.9 64bit"}
FILE_BODY = dict(FILE_TASK)
FROM_FILE = image("6f0d2a4e-0000-4000-8000-000000000002", name="web", status="saving", checksum=None, size=None,
                  __data_origin="file,bkt:web.qcow2")


def file_post(**kwargs):
    kwargs.setdefault("answer", {"job_id": JOB_ID})
    return Call("POST", "/v2/cloudimages/action", json=FILE_BODY, **kwargs)


@pytest.mark.parametrize("failure", [{"status": 503}, {"raises": dropped}, {"raises": read_timeout}])
def test_a_file_create_of_unknown_outcome_with_nothing_listed_in_the_grace_is_not_sent_again(http, clock, failure):
    http.expect(lookup("web"), file_post(**failure), nothing_listed())
    with pytest.raises(ImsError) as err:
        create(client(), FILE_TASK, grace=60)
    message = str(err.value)
    assert "has an unknown outcome" in message and "listed 60 s later" in message and "it is not sent again" in message
    assert len(posts(http)) == 1 and sum(clock.sleeps) <= 61


def test_a_file_create_of_unknown_outcome_listed_within_the_grace_is_taken(http, clock):
    http.expect(lookup("web"), file_post(status=500), lookup("web"), lookup("web"), lookup("web", FROM_FILE))
    assert create(client(), FILE_TASK) == {"job_id": None, "image": FROM_FILE, "sent": True}
    assert len(posts(http)) == 1


def test_a_create_taken_but_answered_without_a_job_id_says_the_image_may_be_being_made(http, clock):
    http.expect(lookup("web"), file_post(answer={"jobid": JOB_ID}))
    with pytest.raises(ImsAnswerError) as err:
        create(client(), FILE_TASK)
    assert "IMS took the create, so image 'web' may be being made" in str(err.value) and len(posts(http)) == 1


@pytest.mark.parametrize("code, option", [("IMG.0005", "instance_id"), ("IMG.0058", "image_url"),
                                          ("IMG.0059", "quick_import: true"), ("IMG.0181", "vault_id")])
def test_a_refusal_names_the_option_to_change(http, clock, code, option):
    http.expect(lookup("web"), post(status=400, answer=ims_error(code, "refused")))
    with pytest.raises(ImsApiError) as err:
        create(client())
    assert err.value.code == code and "refused" in str(err.value) and option in str(err.value)
