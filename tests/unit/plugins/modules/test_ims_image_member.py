# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_member in process, against scripted HTTP: the member accepts, rejects, or sets pending.

The caller is the member: the project of CONNECTION (PROJECT_ID); the image belongs to OTHER_PROJECT.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_member
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import (
    IMAGE_ID,
    OTHER_PROJECT,
    image,
    ims_error,
    listing,
    member,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import get, get_missing, writes
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    CONNECTION,
    PROJECT_ID,
    Call,
    dropped,
    read_timeout,
    run_module,
)

MEMBER_PATH = "/v2/images/%s/members/%s" % (IMAGE_ID, PROJECT_ID)
UPDATED_AT = "2024-06-02T08:30:00Z"


def shared_image(image_id=IMAGE_ID, name="vendor", **fields):
    """An image of OTHER_PROJECT as the member sees it."""
    return image(image_id, name=name, owner=OTHER_PROJECT, visibility="shared", **dict({"__imagetype": "shared"}, **fields))


def run(args, **kwargs):
    return run_module(ims_image_member, dict(CONNECTION, **args), **kwargs)


def membership(status):
    return member(IMAGE_ID, PROJECT_ID, status)


def get_member(wanted, **overrides):
    """The read of the membership: ``wanted`` the status it answers, or ``overrides`` the failure."""
    if "status" in overrides or "raises" in overrides:
        return Call("GET", MEMBER_PATH, **overrides)
    return Call("GET", MEMBER_PATH, answer=membership(wanted))


def put_member(wanted, **overrides):
    """The write of the status ``wanted``; ``overrides`` the answer (``status``, ``raises``...)."""
    if "raises" not in overrides and overrides.get("status", 200) < 300:
        overrides.setdefault("answer", dict(membership(wanted), updated_at=UPDATED_AT))
    return Call("PUT", MEMBER_PATH, json={"status": wanted}, headers={"Content-Type": "application/json"}, **overrides)


def shared_listing(status, *images, name="vendor"):
    query = {("visibility", "shared"), ("member_status", status), ("name", name),
             ("limit", "1000")}
    return Call("GET", "/v2/images", query=query, answer=listing(images))


# -- by id -----------------------------------------------------------------------------------------


def test_a_pending_share_is_accepted_with_one_put(http):
    http.expect(get(shared_image()), get_member("pending"), put_member("accepted"))
    result = run({"image": IMAGE_ID, "status": "accepted"}, diff=True)
    assert result["changed"] is True
    assert result["membership"] == {"image_id": IMAGE_ID, "member_id": PROJECT_ID, "status": "accepted",
                                    "created_at": "2024-06-01T10:00:00Z", "updated_at": UPDATED_AT}
    assert result["image"]["id"] == IMAGE_ID and result["image"]["visibility"] == "shared"
    assert result["diff"] == {"before": {"image_id": IMAGE_ID, "member_id": PROJECT_ID, "status": "pending"},
                              "after": {"image_id": IMAGE_ID, "member_id": PROJECT_ID, "status": "accepted"}}


@pytest.mark.parametrize("status", ["accepted", "rejected", "pending"])
def test_the_status_already_set_is_two_reads_and_no_write(http, status):
    http.expect(get(shared_image()), get_member(status))
    result = run({"image": IMAGE_ID, "status": status}, diff=True)
    assert result["changed"] is False
    assert result["membership"]["status"] == status
    assert result["diff"]["before"] == result["diff"]["after"]
    assert writes(http) == []


def test_an_accepted_share_is_rejected(http):
    http.expect(get(shared_image()), get_member("accepted"), put_member("rejected"))
    result = run({"image": IMAGE_ID, "status": "rejected"})
    assert result["changed"] is True and result["membership"]["status"] == "rejected"


def test_check_mode_predicts_and_sends_no_write(http):
    http.expect(get(shared_image()), get_member("pending"))
    result = run({"image": IMAGE_ID, "status": "rejected"}, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["membership"]["status"] == "rejected"
    assert result["membership"]["updated_at"] == "2024-06-01T10:00:00Z"  # nothing was written
    assert result["diff"]["after"]["status"] == "rejected"
    assert writes(http) == []


def test_check_mode_unchanged(http):
    http.expect(get(shared_image()), get_member("accepted"))
    result = run({"image": IMAGE_ID, "status": "accepted"}, check_mode=True)
    assert result["changed"] is False


# -- not a member, or the owner ----------------------------------------------------------------------


def test_an_image_not_visible_fails_naming_the_option(http):
    http.expect(get_missing())
    result = run({"image": IMAGE_ID, "status": "accepted"})
    assert result["failed"] is True
    assert result["msg"].startswith("image: no image with id %s is visible to project %s" % (IMAGE_ID, PROJECT_ID))
    assert result["image"] is None and result["membership"] is None
    assert writes(http) == []


def test_a_visible_image_not_shared_with_the_project_fails_and_carries_the_image(http):
    public = image(owner=OTHER_PROJECT, visibility="public", **{"__imagetype": "gold"})
    http.expect(get(public), get_member(None, status=404, answer=ims_error(
        "IMG.0404", "Project %s is not a member of image %s." % (PROJECT_ID, IMAGE_ID))))
    result = run({"image": IMAGE_ID, "status": "accepted"})
    assert result["failed"] is True
    assert result["msg"] == "image: image %s ('web') is not shared with this project (%s): it is not one of its members" % (
        IMAGE_ID, PROJECT_ID)
    assert result["image"]["id"] == IMAGE_ID and result["membership"] is None
    assert writes(http) == []


def test_the_owner_cannot_set_a_member_status(http):
    http.expect(get(image()))  # an image of this project
    result = run({"image": IMAGE_ID, "status": "accepted"})
    assert result["failed"] is True
    assert result["msg"].startswith("image: image %s ('web') is owned by this project (%s); only a member project"
                                    % (IMAGE_ID, PROJECT_ID))
    assert "members option of hwcloud.ims.ims_image" in result["msg"]
    assert result["image"]["owner"] == PROJECT_ID
    assert writes(http) == []


def test_a_refused_put_fails_with_the_membership_as_read(http):
    http.expect(get(shared_image()), get_member("pending"),
                put_member("accepted", status=403, answer=ims_error("IMG.0047", "Only the member can do it."),
                           request_id="req-403"))
    result = run({"image": IMAGE_ID, "status": "accepted"})
    assert result["failed"] is True and result["changed"] is True
    assert result["status_code"] == 403 and result["error_code"] == "IMG.0047" and result["request_id"] == "req-403"
    assert result["membership"]["status"] == "pending"
    assert len(writes(http)) == 1


@pytest.mark.parametrize("args, message", [
    ({"image": "", "status": "accepted"}, "image must not be empty"),
    ({"image": "  ", "status": "accepted"}, "image must not be empty"),
    ({"image": IMAGE_ID, "status": "acepted"}, "value of status must be one of: accepted, rejected, pending"),
])
def test_bad_options_fail_before_any_request(http, args, message):
    result = run(args)
    assert result["failed"] is True and message in result["msg"], result["msg"]
    assert http.requests == []


def test_without_a_project_id_it_fails_naming_project_id(http):
    args = dict(CONNECTION, image=IMAGE_ID, status="accepted", auth_token="a-token")
    for key in ("project_id", "access_key", "secret_key"):
        args.pop(key)
    result = run_module(ims_image_member, args)
    assert result["failed"] is True
    assert result["msg"].startswith("the project of these credentials is not known: set project_id (HW_PROJECT_ID)")
    assert "there is no IAM endpoint to ask for the token's project" in result["msg"]
    assert http.requests == []


# -- by name -------------------------------------------------------------------------------------------


def test_a_name_is_resolved_among_the_shares_of_every_status(http):
    http.expect(shared_listing("pending", shared_image()), shared_listing("accepted"), shared_listing("rejected"),
                get_member("pending"), put_member("accepted"))
    result = run({"image": "vendor", "status": "accepted"})
    assert result["changed"] is True and result["membership"]["status"] == "accepted"
    assert result["image"]["id"] == IMAGE_ID and "member_status" not in result["image"]


def test_a_name_of_no_share_fails_naming_the_option(http):
    http.expect(shared_listing("pending"), shared_listing("accepted"), shared_listing("rejected"))
    result = run({"image": "vendor", "status": "accepted"})
    assert result["failed"] is True
    assert result["msg"].startswith("image: no image named 'vendor' is shared with project %s" % PROJECT_ID)
    assert writes(http) == []


def test_a_name_of_several_shares_fails_with_their_ids(http):
    second = "00000000-0000-4000-8000-000000000002"
    http.expect(shared_listing("pending", shared_image()), shared_listing("accepted", shared_image(second)),
                shared_listing("rejected"))
    result = run({"image": "vendor", "status": "accepted"})
    assert result["failed"] is True
    assert result["msg"].startswith("image: 2 images named 'vendor' are shared with this project: ")
    assert IMAGE_ID in result["msg"] and second in result["msg"] and "give the id" in result["msg"]
    assert writes(http) == []


def test_an_own_image_in_a_shared_listing_is_not_taken(http):
    own = image(name="vendor", visibility="shared", **{"__imagetype": "shared"})  # owner: this project
    http.expect(shared_listing("pending", own), shared_listing("accepted"), shared_listing("rejected"))
    result = run({"image": "vendor", "status": "accepted"})
    assert result["failed"] is True and "no image named 'vendor'" in result["msg"]


# -- a PUT whose outcome is unknown: read back, never resent blindly -------------------------------------

UNKNOWN = [
    pytest.param({"status": 500}, id="500"),
    pytest.param({"status": 503}, id="503"),
    pytest.param({"raises": read_timeout}, id="read-timeout"),
    pytest.param({"raises": dropped}, id="dropped"),
]


@pytest.mark.parametrize("failure", UNKNOWN)
def test_a_put_that_landed_is_read_back_and_not_sent_again(http, clock, failure):
    http.expect(get(shared_image()), get_member("pending"), put_member("accepted", **failure),
                get_member("accepted"))
    result = run({"image": IMAGE_ID, "status": "accepted"})
    assert result["failed"] is False, result
    assert result["changed"] is True and result["membership"]["status"] == "accepted"
    assert len(http.made("PUT")) == 1
    assert len(clock.sleeps) == 1 and 0.25 <= clock.sleeps[0] <= 0.5
    assert [event[0] for event in http.events[-3:]] == ["http", "sleep", "http"]


@pytest.mark.parametrize("failure", UNKNOWN)
def test_a_put_that_did_not_land_is_sent_again_after_a_wait_and_a_read(http, clock, failure):
    http.expect(get(shared_image()), get_member("pending"), put_member("accepted", **failure),
                get_member("pending"), put_member("accepted"))
    result = run({"image": IMAGE_ID, "status": "accepted"})
    assert result["failed"] is False, result
    assert result["membership"]["status"] == "accepted"
    assert len(http.made("PUT")) == 2
    assert len(clock.sleeps) == 1


def test_a_put_that_keeps_failing_stops_after_the_retries_and_reads_back_once_more(http, clock):
    calls = [get(shared_image()), get_member("pending")]
    for _attempt in range(3):
        calls += [put_member("accepted", status=500), get_member("pending")]
    http.expect(*calls)
    result = run({"image": IMAGE_ID, "status": "accepted", "retries": 2})
    assert result["failed"] is True and result["status_code"] == 500
    assert len(http.made("PUT")) == 3
    assert len(clock.sleeps) == 3


def test_a_membership_gone_after_an_unknown_put_fails_without_resending(http, clock):
    http.expect(get(shared_image()), get_member("pending"), put_member("accepted", status=502),
                get_member(None, status=404, answer=ims_error("IMG.0404", "not a member")))
    result = run({"image": IMAGE_ID, "status": "accepted"})
    assert result["failed"] is True and result["status_code"] == 502
    assert len(http.made("PUT")) == 1


# -- vault_id and the native batch (images) -----------------------------------------------------------

IMAGE_B = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
IMAGE_C = "8e2d3c4b-5f6a-4b7c-9d8e-0f1a2b3c4d5e"
VAULT = "3b2f6f0e-2f4b-4a6f-9a3c-6c1d2e3f4a5b"
JOB_ID = "ff8080828f2a5e8a018f3c1e7d2b0042"
NATIVE_TYPE = "application/json;charset=UTF-8"


def test_vault_id_goes_in_the_glance_put_body(http):
    http.expect(get(shared_image(__whole_image="true")), get_member("pending"),
                Call("PUT", MEMBER_PATH, json={"status": "accepted", "vault_id": VAULT},
                     headers={"Content-Type": "application/json"},
                     answer=dict(membership("accepted"), updated_at=UPDATED_AT)))
    result = run({"image": IMAGE_ID, "status": "accepted", "vault_id": VAULT})
    assert result["failed"] is False, result
    assert result["membership"]["status"] == "accepted"


def member_of(image_id, wanted):
    return Call("GET", "/v2/images/%s/members/%s" % (image_id, PROJECT_ID), answer=member(image_id, PROJECT_ID, wanted))


def batch_put(body, **kwargs):
    if "status" not in kwargs and "raises" not in kwargs:
        kwargs["answer"] = {"job_id": JOB_ID}
    return Call("PUT", "/v1/cloudimages/members", json=body,
                headers={"Content-Type": NATIVE_TYPE, "X-Project-Id": PROJECT_ID}, **kwargs)


def batch_job(status="SUCCESS", **fields):
    answer = {"status": status, "job_id": JOB_ID, "job_type": "imsUpdateImageMembersJob",
              "entities": {"process_percent": 100.0}}
    answer.update(fields)
    return Call("GET", "/v1/%s/jobs/%s" % (PROJECT_ID, JOB_ID), answer=answer)


THREE = [IMAGE_ID, IMAGE_B, IMAGE_C]


def reads(statuses):
    calls = []
    for image_id, wanted in zip(THREE, statuses):
        calls += [get(shared_image(image_id), image_id), member_of(image_id, wanted)]
    return calls


def test_the_batch_sends_one_put_for_only_the_images_that_differ_waits_for_its_job_and_reads_them_again(http):
    http.expect(*reads(["pending", "accepted", "rejected"]),
                batch_put({"images": [IMAGE_ID, IMAGE_C], "project_id": PROJECT_ID, "status": "accepted"}),
                batch_job(), member_of(IMAGE_ID, "accepted"), member_of(IMAGE_C, "accepted"))
    result = run({"images": THREE, "status": "accepted"}, diff=True)
    assert result["failed"] is False, result
    assert result["changed"] is True
    assert [request.method for request in writes(http)] == ["PUT"]
    assert [view["status"] for view in result["memberships"]] == ["accepted"] * 3
    assert [image["id"] for image in result["images"]] == THREE
    assert result["job"]["id"] == JOB_ID and result["job"]["status"] == "SUCCESS"
    assert result["diff"]["before"] == {IMAGE_ID: "pending", IMAGE_B: "accepted", IMAGE_C: "rejected"}
    assert result["diff"]["after"] == dict.fromkeys(THREE, "accepted")
    assert result["membership"] is None and result["image"] is None


def test_the_batch_sends_vault_id(http):
    http.expect(*reads(["pending", "accepted", "accepted"]),
                batch_put({"images": [IMAGE_ID], "project_id": PROJECT_ID, "status": "accepted", "vault_id": VAULT}),
                batch_job(), member_of(IMAGE_ID, "accepted"))
    result = run({"images": THREE, "status": "accepted", "vault_id": VAULT})
    assert result["failed"] is False, result


def test_the_batch_unchanged_reads_only(http):
    http.expect(*reads(["rejected"] * 3))
    result = run({"images": THREE, "status": "rejected"})
    assert result["changed"] is False and writes(http) == [] and result["job"] is None
    assert len(http.requests) == 6


def test_the_batch_in_check_mode_predicts_and_sends_nothing(http):
    http.expect(*reads(["pending", "accepted", "pending"]))
    result = run({"images": THREE, "status": "rejected"}, check_mode=True)
    assert result["changed"] is True and writes(http) == []
    assert [view["status"] for view in result["memberships"]] == ["rejected"] * 3
    assert result["operations"][0]["body"]["images"] == THREE


def test_a_batch_of_unknown_outcome_then_seen_is_not_sent_again(http, clock):
    http.expect(*reads(["pending", "accepted", "accepted"]),
                batch_put({"images": [IMAGE_ID], "project_id": PROJECT_ID, "status": "accepted"}, status=503),
                member_of(IMAGE_ID, "pending"), member_of(IMAGE_ID, "accepted"), member_of(IMAGE_ID, "accepted"))
    result = run({"images": THREE, "status": "accepted"})
    assert result["failed"] is False, result
    assert len(http.made("PUT")) == 1 and result["job"] is None


def test_a_batch_of_unknown_outcome_never_seen_fails_without_sending_it_again(http, clock):
    http.expect(*reads(["pending", "accepted", "accepted"]),
                batch_put({"images": [IMAGE_ID], "project_id": PROJECT_ID, "status": "accepted"}, raises=dropped),
                Call("GET", "/v2/images/%s/members/%s" % (IMAGE_ID, PROJECT_ID), repeat=True,
                     answer=member(IMAGE_ID, PROJECT_ID, "pending")))
    result = run({"images": THREE, "status": "accepted", "wait_timeout": 10})
    assert result["failed"] is True and "may be under way" in result["msg"]
    assert len(http.made("PUT")) == 1


def test_a_failed_batch_job_fails_with_its_code(http):
    http.expect(*reads(["pending", "accepted", "accepted"]),
                batch_put({"images": [IMAGE_ID], "project_id": PROJECT_ID, "status": "accepted"}),
                batch_job("FAIL", error_code="IMG.0189", fail_reason="vault needed"))
    result = run({"images": THREE, "status": "accepted"})
    assert result["failed"] is True and result["error_code"] == "IMG.0189" and result["job"]["id"] == JOB_ID


def test_the_batch_fails_for_an_image_the_project_is_not_a_member_of_before_any_write(http):
    http.expect(get(shared_image()), member_of(IMAGE_ID, "pending"), get(shared_image(IMAGE_B), IMAGE_B),
                Call("GET", "/v2/images/%s/members/%s" % (IMAGE_B, PROJECT_ID), status=404,
                     answer=ims_error("IMG.0404", "not a member")))
    result = run({"images": [IMAGE_ID, IMAGE_B], "status": "accepted"})
    assert result["failed"] is True and result["msg"].startswith("images: image %s" % IMAGE_B)
    assert writes(http) == []


@pytest.mark.parametrize("args, message", [
    ({"image": IMAGE_ID, "images": [IMAGE_B], "status": "accepted"}, "image and images are mutually exclusive"),
    ({"images": [], "status": "accepted"}, "images must list at least one image"),
    ({"images": [" "], "status": "accepted"}, "images must not hold an empty id or name"),
    ({"images": [IMAGE_ID], "status": "pending"}, "status pending is set only one image at a time"),
    ({"status": "accepted"}, "image must not be empty"),
    ({"image": IMAGE_ID, "status": "accepted", "vault_id": "a b"}, "vault_id must be the id of a CBR vault"),
    ({"image": IMAGE_ID, "status": "rejected", "vault_id": VAULT}, "vault_id applies only to status accepted"),
    ({"images": [IMAGE_ID], "status": "accepted", "wait_timeout": 0}, "wait_timeout must be 1 or more"),
])
def test_bad_batch_options_fail_before_any_request(http, args, message):
    result = run(args)
    assert result["failed"] is True and message in result["msg"], result["msg"]
    assert http.requests == []


def test_no_secret_in_a_batch_result(http):
    from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import SECRET_KEY
    http.expect(*reads(["pending", "accepted", "accepted"]),
                batch_put({"images": [IMAGE_ID], "project_id": PROJECT_ID, "status": "accepted"}, status=400,
                          answer=ims_error("IMG.0112", "refused %s" % SECRET_KEY)))
    result = run({"images": THREE, "status": "accepted"})
    assert result["failed"] is True and SECRET_KEY not in json.dumps(result)
