# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image when a write's outcome is unknown: wait, read back, send only what is missing.

A create (POST /v2/images with the module's own id), an update (PATCH), a member add (POST
.../members) and an upload (PUT .../file) whose answer is a 500/502/503/504, a read time-out
or a connection dropped after sending (for the create and the member add also a 409) may
have taken effect. The module then waits a backoff delay (the answer's Retry-After, capped at
60 s, else a random time between half and all of min(20, 0.5 * 2**(n-1)) s before resend n),
reads back, and sends only what is still missing: at most ``retries`` resends. After the
last failed send it waits and reads back once more, then fails with the last error, request
id included. A 429 is retried by the client itself (nothing happened); a 400 or 403 fails at
once. docs/errors-and-retries.md promises this.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import (
    IMAGE_ID,
    MEMBER_A,
    image,
    image_not_found,
    member,
    members,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import create, get, lookup, patch, upload, write_file
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    CONNECTION,
    IAM_ENDPOINT,
    IMS_ENDPOINT,
    PROJECT_ID,
    Call,
    Var,
    connect_timeout,
    dropped,
    read_timeout,
    refused,
    run_module,
)

NEW = Var("id")
FIELDS = {"name": "web", "container_format": "bare", "visibility": "private", "disk_format": "qcow2", "min_ram": 512}
ARGS = {"name": "web", "disk_format": "qcow2", "min_ram": 512}
UNKNOWN = [
    pytest.param({"status": 500}, id="500"),
    pytest.param({"status": 502}, id="502"),
    pytest.param({"status": 503}, id="503"),
    pytest.param({"status": 504}, id="504"),
    pytest.param({"raises": read_timeout}, id="read-timeout"),
    pytest.param({"raises": dropped}, id="dropped"),
]
WRITES = ("POST", "PATCH", "PUT", "DELETE")


def run(args, **kwargs):
    return run_module(ims_image, dict(CONNECTION, **args), **kwargs)


def ceiling(resend):
    """The longest wait before resend number ``resend`` (1-based)."""
    return min(20.0, 0.5 * 2 ** (resend - 1))


def waits_after_failed_writes(http):
    """The sleep that follows each failed write, asserting that each one is followed by a sleep then a read.

    A failed write is a write answered with anything but 2xx, or that raised.
    """
    events = http.events
    waits = []
    for index, event in enumerate(events):
        if event[0] != "http" or event[1].split(" ")[0] not in WRITES:
            continue
        outcome = event[2]
        if isinstance(outcome, int) and outcome < 300:
            continue
        following = events[index + 1:index + 3]
        assert len(following) == 2 and following[0][0] == "sleep", (
            "no wait after the failed %s: %s" % (event[1], http.timeline()))
        assert following[1][0] == "http" and following[1][1].startswith("GET "), (
            "no read-back after the wait after %s: %s" % (event[1], http.timeline()))
        waits.append(following[0][1])
    return waits


def assert_backoff(waits):
    """Each wait before resend n is between half and all of min(20, 0.5 * 2**(n-1)) s, never zero."""
    for resend, seconds in enumerate(waits, 1):
        assert 0 < seconds, waits
        assert ceiling(resend) / 2 <= seconds <= ceiling(resend), (resend, seconds, waits)


def create_again(status=201, **answer):
    """The create sent again: the same body, the same id."""
    return Call("POST", "/v2/images", json=dict(FIELDS, id=NEW), status=status, **answer)


def created(status="queued"):
    return lambda request, values: image(values["id"], status=status, min_ram=512)


def read_back_missing():
    return Call("GET", "/v2/images/{id}", status=404,
                answer=lambda request, values: image_not_found(values["id"]))


def read_back_found():
    return Call("GET", "/v2/images/{id}", answer=created())


# -- create -----------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", UNKNOWN + [pytest.param({"status": 409}, id="409")])
def test_a_create_that_landed_is_found_and_never_sent_again(http, clock, failure):
    http.expect(lookup("web"), create(FIELDS, **failure), read_back_found())  # it failed, yet created the image
    result = run(ARGS)
    assert result["failed"] is False, result
    assert result["changed"] is True
    assert [operation["action"] for operation in result["operations"]] == ["create"]
    assert result["image"]["id"] == http.values["id"]
    assert len(http.made("POST", "/v2/images")) == 1
    assert_backoff(waits_after_failed_writes(http))
    assert len(clock.sleeps) == 1


@pytest.mark.parametrize("failure", UNKNOWN)
def test_a_create_that_did_not_land_is_sent_again_after_a_wait_and_a_read(http, clock, failure):
    http.expect(lookup("web"), create(FIELDS, **failure), read_back_missing(), create_again(answer=created()))
    result = run(ARGS)
    assert result["failed"] is False, result
    assert [operation["action"] for operation in result["operations"]] == ["create"]
    assert result["image"]["id"] == http.values["id"]
    assert http.timeline()[1:] == ["POST /v2/images %s" % http.events[1][2], "sleep", "GET /v2/images/{id} 404",
                                   "POST /v2/images 201"]
    posts = http.made("POST", "/v2/images")
    assert posts[0].json == posts[1].json  # the same id: a create sent twice can never make two images
    assert_backoff(waits_after_failed_writes(http))
    assert len(clock.sleeps) == 1


@pytest.mark.parametrize("random", [0.0, 0.5, 0.999999])
def test_a_create_answered_503_every_time_is_sent_retries_plus_one_times_with_backoff_then_fails(http, clock, random):
    """The done-when of the issue: retries 5, six sends, a non-zero wait before each resend, a clean failure."""
    clock.set_random(random)
    http.expect(lookup("web"), create(FIELDS, status=503), read_back_missing())
    for _resend in range(5):
        http.expect(create_again(status=503), read_back_missing())
    result = run(dict(ARGS, retries=5))
    assert result["failed"] is True
    posts = http.made("POST", "/v2/images")
    assert len(posts) == 6
    assert len({request.json["id"] for request in posts}) == 1
    waits = waits_after_failed_writes(http)
    assert len(waits) == 6  # before each of the 5 resends, and before the last read-back
    assert_backoff(waits[:5])
    assert 0 < waits[5] <= 20.0
    assert result["msg"] == "POST /v2/images failed: HTTP 503 TEST.503: scripted HTTP 503 (request id: req-12)"
    assert (result["status_code"], result["request_id"]) == (503, "req-12")
    assert result["changed"] is False and result["operations"] == []
    assert "Traceback" not in result["msg"]


def test_a_create_failing_with_retries_0_is_read_back_once_and_fails(http, clock):
    http.expect(lookup("web"), create(FIELDS, status=502), read_back_missing())
    result = run(dict(ARGS, retries=0))
    assert result["failed"] is True
    assert "(request id: req-2)" in result["msg"]
    assert len(clock.sleeps) == 1 and clock.sleeps[0] > 0


def test_a_create_dropped_every_time_fails_with_the_connection_error(http):
    http.expect(lookup("web"), create(FIELDS, raises=dropped), read_back_missing(),
                create_again(raises=dropped), read_back_missing())
    result = run(dict(ARGS, retries=1))
    assert result["failed"] is True
    assert result["msg"].startswith("POST https://ims.example.test/v2/images: connection failed")
    assert "Remote end closed connection without response" in result["msg"]


@pytest.mark.parametrize("retry_after, wait", [("7", 7.0), ("0", 0.0), ("3600", 60.0)])
def test_a_create_answer_with_retry_after_sets_the_wait(http, clock, retry_after, wait):
    http.expect(lookup("web"), create(FIELDS, status=503, answer_headers={"Retry-After": retry_after}),
                read_back_missing(), create_again(answer=created()))
    assert run(ARGS)["failed"] is False
    assert clock.sleeps == [wait]


def test_a_throttled_create_is_sent_again_by_the_client_without_a_read(http, clock):
    http.expect(lookup("web"), create(FIELDS, status=429, answer_headers={"Retry-After": "2"}),
                create_again(answer=created()))
    result = run(ARGS)
    assert result["failed"] is False
    assert http.timeline()[1:] == ["POST /v2/images 429", "sleep", "POST /v2/images 201"]
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize("factory", [connect_timeout, refused])
def test_a_create_never_sent_is_sent_again_by_the_client(http, clock, factory):
    http.expect(lookup("web"), create(FIELDS, raises=factory), create_again(answer=created()))
    assert run(ARGS)["failed"] is False
    assert http.timeline()[1:] == ["POST /v2/images %s" % http.events[1][2], "sleep", "POST /v2/images 201"]
    assert 0 < clock.sleeps[0] <= 0.5


@pytest.mark.parametrize("status", [400, 403])
def test_a_refused_create_fails_at_once(http, clock, status):
    http.expect(lookup("web"), create(FIELDS, status=status))
    result = run(ARGS)
    assert result["failed"] is True and result["changed"] is False
    assert result["operations"] == []
    assert result["msg"].startswith("POST /v2/images failed: HTTP %d" % status)
    assert "(request id: req-2)" in result["msg"]
    assert clock.sleeps == []


# -- update -----------------------------------------------------------------------------------


LIVE = image(min_ram=1024, tags=["a=1"])
PATCH = [{"op": "replace", "path": "/min_ram", "value": 2048}]


def patch_call(operations=None, answer=None, **overrides):
    return patch(operations or PATCH, answer or dict(LIVE, min_ram=2048), **overrides)


@pytest.mark.parametrize("failure", UNKNOWN)
def test_an_update_that_did_not_land_is_sent_again_after_a_wait_and_a_read(http, failure):
    http.expect(lookup("web", LIVE), patch_call(**failure), get(LIVE), patch_call())
    result = run({"name": "web", "min_ram": 2048})
    assert result["failed"] is False, result
    assert result["image"]["min_ram"] == 2048
    assert [operation["action"] for operation in result["operations"]] == ["update"]
    assert_backoff(waits_after_failed_writes(http))


@pytest.mark.parametrize("failure", UNKNOWN)
def test_an_update_that_landed_is_not_sent_again(http, failure):
    http.expect(lookup("web", LIVE), patch_call(**failure), get(dict(LIVE, min_ram=2048)))
    result = run({"name": "web", "min_ram": 2048})
    assert result["failed"] is False, result
    assert result["changed"] is True
    assert result["image"]["min_ram"] == 2048
    assert len(http.made("PATCH")) == 1
    assert_backoff(waits_after_failed_writes(http))


def test_an_update_sent_again_is_recomputed_from_the_image_as_read(http):
    """Someone added a tag meanwhile: the patch sent again keeps it (never a stale patch)."""
    first = [{"op": "replace", "path": "/tags", "value": ["a=1", "x=1"]}]
    again = [{"op": "replace", "path": "/tags", "value": ["a=1", "b=2", "x=1"]}]
    http.expect(lookup("web", LIVE), patch_call(first, status=503), get(dict(LIVE, tags=["a=1", "b=2"])),
                patch_call(again, answer=dict(LIVE, tags=["a=1", "b=2", "x=1"])))
    result = run({"name": "web", "tags": ["x=1"], "purge_tags": False})
    assert result["failed"] is False, result
    assert result["image"]["tags"] == ["a=1", "b=2", "x=1"]


def test_an_update_whose_image_is_gone_on_read_back_fails(http):
    http.expect(lookup("web", LIVE), patch_call(status=503),
                Call("GET", "/v2/images/%s" % IMAGE_ID, status=404, answer=image_not_found(IMAGE_ID)))
    result = run({"name": "web", "min_ram": 2048})
    assert result["failed"] is True
    assert len(http.made("PATCH")) == 1


def test_an_update_failing_every_time_stops_after_retries_and_fails_with_the_request_id(http, clock):
    http.expect(lookup("web", LIVE))
    for _send in range(3):
        http.expect(patch_call(status=503), get(LIVE))
    result = run({"name": "web", "min_ram": 2048, "retries": 2})
    assert result["failed"] is True
    assert len(http.made("PATCH")) == 3
    waits = waits_after_failed_writes(http)
    assert len(waits) == 3
    assert_backoff(waits[:2])
    assert result["msg"] == ("PATCH /v2/images/%s failed: HTTP 503 TEST.503: scripted HTTP 503 (request id: req-6)"
                             % IMAGE_ID)
    assert len(clock.sleeps) == 3


def test_an_update_with_retry_after_waits_that_long(http, clock):
    http.expect(lookup("web", LIVE), patch_call(status=503, answer_headers={"Retry-After": "12"}), get(LIVE),
                patch_call())
    assert run({"name": "web", "min_ram": 2048})["failed"] is False
    assert clock.sleeps == [12.0]


@pytest.mark.parametrize("status", [400, 403])
def test_a_refused_update_fails_at_once(http, clock, status):
    http.expect(lookup("web", LIVE), patch_call(status=status))
    result = run({"name": "web", "min_ram": 2048})
    assert result["failed"] is True and result["changed"] is False
    assert clock.sleeps == []


# -- member add ---------------------------------------------------------------------------------


def member_add(**overrides):
    if "raises" not in overrides and overrides.get("status", 200) < 300:
        overrides.setdefault("answer", member(IMAGE_ID, MEMBER_A))
    return Call("POST", "/v2/images/%s/members" % IMAGE_ID, json={"member": MEMBER_A}, **overrides)


def member_list(*ids):
    return Call("GET", "/v2/images/%s/members" % IMAGE_ID, answer=members(IMAGE_ID, *ids))


@pytest.mark.parametrize("failure", UNKNOWN + [pytest.param({"status": 409}, id="409")])
def test_a_member_add_that_landed_is_not_sent_again(http, failure):
    http.expect(lookup("web", image()), member_list(), member_add(**failure), member_list(MEMBER_A))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["failed"] is False, result
    assert result["operations"] == [{"action": "add_member", "member": MEMBER_A}]
    assert len(http.made("POST")) == 1
    assert_backoff(waits_after_failed_writes(http))


@pytest.mark.parametrize("failure", UNKNOWN + [pytest.param({"status": 409}, id="409")])
def test_a_member_add_that_did_not_land_is_sent_again(http, failure):
    http.expect(lookup("web", image()), member_list(), member_add(**failure), member_list(), member_add())
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["failed"] is False, result
    assert len(http.made("POST")) == 2
    assert_backoff(waits_after_failed_writes(http))


def test_a_member_add_failing_every_time_fails_with_the_request_id(http, clock):
    http.expect(lookup("web", image()), member_list(),
                member_add(status=503), member_list(), member_add(status=503), member_list())
    result = run({"name": "web", "members": [MEMBER_A], "retries": 1})
    assert result["failed"] is True
    assert result["msg"] == ("POST /v2/images/%s/members failed: HTTP 503 TEST.503: scripted HTTP 503 "
                             "(request id: req-5)" % IMAGE_ID)
    assert len(clock.sleeps) == 2
    assert_backoff(clock.sleeps[:1])


def test_a_refused_member_add_fails_at_once(http, clock):
    http.expect(lookup("web", image()), member_list(), member_add(status=403))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["failed"] is True and result["changed"] is False
    assert clock.sleeps == []


# -- upload ------------------------------------------------------------------------------------


def put(data, **overrides):
    return upload(data, IMAGE_ID, **overrides)


@pytest.mark.parametrize("failure", UNKNOWN)
def test_an_upload_that_did_not_land_is_sent_again_from_the_start_of_the_file(http, tmp_path, failure):
    path, data, md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), put(data, **failure), get(image(status="queued")), put(data),
                get(image(checksum=md5)))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is False, result
    assert [operation["action"] for operation in result["operations"]] == ["upload"]
    assert result["image"]["checksum"] == md5
    assert [request.body for request in http.made("PUT")] == [data, data]
    assert_backoff(waits_after_failed_writes(http))


@pytest.mark.parametrize("landed", [
    pytest.param("saving", id="saving"),
    pytest.param("active", id="active-with-the-checksum"),
])
@pytest.mark.parametrize("failure", UNKNOWN)
def test_an_upload_that_landed_is_not_sent_again(http, tmp_path, failure, landed):
    path, data, md5 = write_file(tmp_path)
    read = image(status="saving") if landed == "saving" else image(checksum=md5)
    http.expect(lookup("web", image(status="queued")), put(data, **failure), get(read), get(image(checksum=md5)))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is False, result
    assert result["image"]["status"] == "active"
    assert len(http.made("PUT")) == 1
    assert [operation["action"] for operation in result["operations"]] == ["upload"]


@pytest.mark.parametrize("failure", UNKNOWN)
def test_an_upload_that_left_the_image_killed_fails_saying_so(http, tmp_path, failure):
    path, data, _md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), put(data, **failure), get(image(status="killed")))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is True
    assert "image %s ('web') turned killed: the upload failed" % IMAGE_ID in result["msg"]
    assert "replace_failed: true" in result["msg"]
    assert len(http.made("PUT")) == 1


def test_an_upload_failing_every_time_fails_with_the_request_id(http, tmp_path, clock):
    path, data, _md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), put(data, status=503), get(image(status="queued")),
                put(data, status=503), get(image(status="queued")))
    result = run({"name": "web", "filename": path, "retries": 1})
    assert result["failed"] is True
    assert result["msg"] == ("PUT /v2/images/%s/file failed: HTTP 503 TEST.503: scripted HTTP 503 (request id: req-4)"
                             % IMAGE_ID)
    assert len(clock.sleeps) == 2
    assert_backoff(clock.sleeps[:1])


def test_a_throttled_upload_is_sent_again_by_the_client(http, tmp_path, clock):
    path, data, md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), put(data, status=429, answer_headers={"Retry-After": "3"}),
                put(data), get(image(checksum=md5)))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is False
    assert [request.body for request in http.made("PUT")] == [data, data]
    assert clock.sleeps == [3.0]


@pytest.mark.parametrize("status", [400, 403])
def test_a_refused_upload_fails_at_once(http, tmp_path, clock, status):
    """No wait and no resend; one look at the image, which a refused upload may have left killed."""
    path, data, _md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), put(data, status=status), get(image(status="queued")))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"] == ("PUT /v2/images/%s/file failed: HTTP %d TEST.%d: scripted HTTP %d (request id: req-2)"
                             % (IMAGE_ID, status, status, status))
    assert result["operations"] == []
    assert clock.sleeps == []


def test_a_refused_upload_that_left_the_image_killed_says_so(http, tmp_path, clock):
    path, data, _md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), put(data, status=400), get(image(status="killed")))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is True
    assert "image %s ('web') turned killed: the upload failed (PUT /v2/images/%s/file failed: HTTP 400" % (
        IMAGE_ID, IMAGE_ID) in result["msg"]
    assert clock.sleeps == []


def test_an_upload_after_a_create_whose_answer_was_lost(http, tmp_path):
    """Both unknown outcomes in one run: the create is found by its id, the upload by the image status."""
    path, data, md5 = write_file(tmp_path)
    fields = {"name": "web", "container_format": "bare", "visibility": "private"}
    http.expect(lookup("web"), create(fields, raises=read_timeout),
                Call("GET", "/v2/images/{id}", answer=lambda request, values: image(values["id"], status="queued")),
                Call("PUT", "/v2/images/{id}/file", body=data, raises=dropped),
                Call("GET", "/v2/images/{id}", answer=lambda request, values: image(values["id"], status="saving")),
                Call("GET", "/v2/images/{id}", answer=lambda request, values: image(values["id"], checksum=md5)))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is False, result
    assert [operation["action"] for operation in result["operations"]] == ["create", "upload"]
    assert len(http.made("POST")) == 1 and len(http.made("PUT")) == 1
    assert_backoff(waits_after_failed_writes(http)[:1])


@pytest.mark.parametrize("write", ["update", "member"])
def test_a_throttled_update_or_member_add_is_sent_again_by_the_client_without_a_read(http, clock, write):
    if write == "update":
        http.expect(lookup("web", LIVE), patch_call(status=429, answer_headers={"Retry-After": "4"}), patch_call())
        args = {"name": "web", "min_ram": 2048}
    else:
        http.expect(lookup("web", image()), member_list(), member_add(status=429, answer_headers={"Retry-After": "4"}),
                    member_add())
        args = {"name": "web", "members": [MEMBER_A]}
    result = run(args)
    assert result["failed"] is False and result["changed"] is True
    assert clock.sleeps == [4.0]


def test_a_token_that_expires_between_a_create_and_its_read_back_is_renewed(http, clock):
    """IAM password authentication: the read-back after the wait gets a fresh token, and the create goes on."""
    http.auth_header = "X-Auth-Token"
    tokens = IAM_ENDPOINT + "/v3/auth/tokens"

    def token(value):
        return Call("POST", tokens, status=201, answer={"token": {"project": {"id": PROJECT_ID, "name": "cn-north-4"}}},
                    answer_headers={"X-Subject-Token": value},
                    headers={"X-Auth-Token": None})
    http.expect(
        token("MIItoken-one"),
        lookup("web"),  # the project named by the token's answer
        create(FIELDS, status=503, headers={"X-Auth-Token": "MIItoken-one"}),
        Call("GET", "/v2/images/{id}", status=401, answer={"error_code": "APIGW.0307", "error_msg": "expired"}),
        token("MIItoken-two"),
        Call("GET", "/v2/images/{id}", status=404, headers={"X-Auth-Token": "MIItoken-two"},
             answer=lambda request, values: image_not_found(values["id"])),
        create_again(answer=created(), headers={"X-Auth-Token": "MIItoken-two"}))
    result = run_module(ims_image, dict(ARGS, ims_endpoint=IMS_ENDPOINT, iam_endpoint=IAM_ENDPOINT, region="cn-north-4",
                                        user_name="alice", password="secret-password", domain_name="acme"))
    assert result["failed"] is False, result
    assert len(http.made("POST", "/v2/images")) == 2
    assert_backoff(clock.sleeps)
    assert "secret-password" not in repr(result)


# -- one task, three writes, one of them of unknown outcome ------------------------------------------

QUEUED = image(status="queued", min_ram=1024)
DONE = [
    pytest.param({"status": 500}, True, id="done-then-500"),
    pytest.param({"raises": dropped}, True, id="done-then-dropped"),
    pytest.param({"raises": dropped}, False, id="dropped-before"),
]


@pytest.mark.parametrize("failure, landed", DONE)
@pytest.mark.parametrize("faulty", ["update", "member", "upload"])
def test_a_task_with_an_update_a_member_and_an_upload_completes_whichever_write_was_unknown(
        http, tmp_path, faulty, failure, landed):
    """The other writes of the task go on; the one of unknown outcome is read back and sent again only if
    it had not landed; a second run finds nothing left to do (the journey of test_journey_ims_image.py)."""
    path, data, md5 = write_file(tmp_path)
    updated = dict(QUEUED, min_ram=2048)
    final = image(min_ram=2048, checksum=md5, size=len(data))
    http.expect(lookup("web", QUEUED), member_list())
    # Each write: sent once; or, for the faulty one, sent, read back, and sent again only if it had not landed.
    writes = {"update": ([patch_call(answer=updated)], [get(updated)], [get(QUEUED), patch_call(answer=updated)]),
              "member": ([member_add()], [member_list(MEMBER_A)], [member_list(), member_add()]),
              "upload": ([put(data)], [get(final)], [get(updated), put(data)])}
    faulty_call = {"update": patch_call(answer=updated, **failure), "member": member_add(**failure),
                   "upload": put(data, **failure)}[faulty]
    for write, (once, found, missing) in writes.items():
        http.expect(*(([faulty_call] + (found if landed else missing)) if write == faulty else once))
    http.expect(get(final))
    task = {"name": "web", "min_ram": 2048, "members": [MEMBER_A], "filename": path}
    result = run(task)
    assert result["failed"] is False, result
    assert result["changed"] is True
    assert [operation["action"] for operation in result["operations"]] == ["update", "add_member", "upload"]
    assert (result["image"]["id"], result["image"]["min_ram"], result["image"]["status"], result["image"]["checksum"]) == (
        IMAGE_ID, 2048, "active", md5)
    method, route = {"update": ("PATCH", "/v2/images/%s" % IMAGE_ID), "member": ("POST", "/v2/images/%s/members" % IMAGE_ID),
                     "upload": ("PUT", "/v2/images/%s/file" % IMAGE_ID)}[faulty]
    assert len(http.made(method, route)) == (1 if landed else 2)
    assert_backoff(waits_after_failed_writes(http))
    http.assert_done()
    http.expect(lookup("web", final), member_list(MEMBER_A))
    again = run(task)
    assert again["failed"] is False and again["changed"] is False, again
    assert again["operations"] == []
