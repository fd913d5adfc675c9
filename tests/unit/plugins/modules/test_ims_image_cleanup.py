# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_cleanup in process, against scripted HTTP: selection, plan, and the re-check before each delete."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_cleanup
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import OTHER_PROJECT, image, image_not_found, listing, members
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ANY,
    CONNECTION,
    IMS_ENDPOINT,
    PROJECT_ID,
    Call,
    run_module,
)

NOW = datetime.datetime.now(datetime.timezone.utc)


def ago(**delta):
    return (NOW - datetime.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def old(number, status, name=None, **fields):
    """An image of this project in ``status``, created ``number`` days ago (a distinct id per number)."""
    fields.setdefault("created_at", ago(days=number))
    return image("00000000-0000-4000-8000-%012d" % number, name=name or "img-%d" % number, status=status, **fields)


def listed(status, *images, tag=None):
    query = {("owner", PROJECT_ID), ("status", status), ("limit", "1000")}
    if tag:
        query.add(("tag", tag))
    return Call("GET", "/v2/images", query=query, answer=listing(images))


def listings(killed=(), queued=(), saving=(), active=None, tag=None):
    calls = [listed("killed", *killed), listed("queued", *queued), listed("saving", *saving)]
    if active is not None:
        calls.append(listed("active", *active, tag=tag))
    return calls


def recheck(item, answer=None):
    return Call("GET", "/v2/images/%s" % item["id"], answer=item if answer is None else answer)


def delete(item, status=204, **answer):
    return Call("DELETE", "/v2/images/%s" % item["id"], status=status, **answer)


def run(args, **kwargs):
    """The module with ``args``; without ``spare_shared`` in them, with it false: the tests of the other rules script
    no member reads (those of spare_shared, its default, are in the section below)."""
    args = dict({"spare_shared": False}, **args)
    return run_module(ims_image_cleanup, dict(CONNECTION, **args), **kwargs)


def members_of(item, *member_ids, status="accepted"):
    return Call("GET", "/v2/images/%s/members" % item["id"], answer=members(item["id"], *member_ids, status=status))


def entry_ids(entries):
    return [entry["id"] for entry in entries]


def reasons(entries):
    return {entry["id"]: entry["reason"] for entry in entries}


KILLED = old(10, "killed")
QUEUED = old(11, "queued")
SAVING = old(12, "saving")
YOUNG_KILLED = old(13, "killed", created_at=ago(hours=2))
PROTECTED = old(14, "killed", protected=True)
KEPT = old(15, "queued", tags=["cleanup=keep"])


# -- the plan -----------------------------------------------------------------------------------


def test_a_dry_run_plans_and_sends_no_write(http):
    http.expect(*listings(killed=[KILLED, YOUNG_KILLED, PROTECTED], queued=[QUEUED, KEPT], saving=[SAVING]))
    result = run({})
    assert result["failed"] is False and result["changed"] is False
    assert result["dry_run"] is True and result["outcome"] == "planned"
    assert entry_ids(result["candidates"]) == [KILLED["id"], QUEUED["id"], SAVING["id"]]  # by name: img-10, img-11, img-12
    assert reasons(result["candidates"]) == {KILLED["id"]: "killed for more than 6 h",
                                             QUEUED["id"]: "queued for more than 24 h",
                                             SAVING["id"]: "saving for more than 24 h"}
    assert reasons(result["spared"]) == {YOUNG_KILLED["id"]: "younger than 6 h", PROTECTED["id"]: "protected",
                                         KEPT["id"]: "carries the exclusion tag cleanup=keep"}
    assert result["summary"] == {"candidates": 3, "deleted": 0, "spared": 3, "failed": 0}
    assert result["deleted"] == [] and result["failures"] == []
    assert result["candidates"][0] == {"id": KILLED["id"], "name": KILLED["name"], "status": "killed",
                                       "created_at": KILLED["created_at"], "reason": "killed for more than 6 h"}


def test_check_mode_plans_even_with_dry_run_false(http):
    http.expect(*listings(killed=[KILLED]))
    result = run({"dry_run": False}, check_mode=True)
    assert result["dry_run"] is True and result["changed"] is False
    assert result["outcome"] == "planned"
    assert entry_ids(result["candidates"]) == [KILLED["id"]]


def test_thresholds_are_options(http):
    killed = old(1, "killed", created_at=ago(hours=3))
    queued = old(2, "queued", created_at=ago(hours=30))
    http.expect(*listings(killed=[killed], queued=[queued]))
    result = run({"killed_min_age_hours": 2, "stuck_min_age_hours": 48})
    assert entry_ids(result["candidates"]) == [killed["id"]]
    assert reasons(result["spared"]) == {queued["id"]: "younger than 48 h"}


def test_images_that_are_not_this_projects_are_spared_even_if_listed(http):
    foreign = old(20, "killed", owner=OTHER_PROJECT)
    gold = old(21, "killed", __imagetype="gold")
    http.expect(*listings(killed=[foreign, gold]))
    result = run({"dry_run": False})
    assert result["candidates"] == []
    assert set(reasons(result["spared"]).values()) == {"not a private image of this project"}


def test_an_image_listed_under_two_statuses_is_planned_once(http):
    http.expect(*listings(killed=[KILLED], queued=[KILLED]))
    assert entry_ids(run({})["candidates"]) == [KILLED["id"]]


def test_stale_active_images_beyond_the_newest_of_each_family(http):
    web = [old(100 + index, "active", name="web-2024-0%d" % index) for index in range(1, 5)]
    db = [old(110, "active", name="db-0001")]
    other = old(120, "active", name="scratch-7")
    young = old(1, "active", name="web-2025-01", created_at=ago(days=3))
    http.expect(*listings(active=web + db + [other, young], tag="stale=yes"))
    result = run({"stale_min_age_days": 30, "keep_newest": 2, "stale_tag": "stale=yes",
                  "stale_name_pattern": "^(web|db)-"})
    # web-2024-01 .. 04 are 101 .. 104 days old; the young web-2025-01 is one of the 2 newest of its family.
    assert entry_ids(result["candidates"]) == [web[1]["id"], web[2]["id"], web[3]["id"]]  # by name
    assert reasons(result["candidates"])[web[3]["id"]] == (
        "active for more than 30 days and not among the newest 2 of family 'web'")
    spared = reasons(result["spared"])
    assert spared[web[0]["id"]] == "among the newest 2 of family 'web'"
    assert spared[db[0]["id"]] == "among the newest 2 of family 'db'"
    assert spared[other["id"]] == "name does not match stale_name_pattern"
    assert spared[young["id"]] == "younger than 30 days"


def test_a_family_pattern_groups_names(http):
    images = [old(200 + index, "active", name="build-%s-x" % letter) for index, letter in enumerate("abc")]
    http.expect(*listings(active=images))
    result = run({"stale_min_age_days": 1, "keep_newest": 1, "family_pattern": "^(?P<family>build)-"})
    assert entry_ids(result["candidates"]) == [images[1]["id"], images[2]["id"]]  # by name; build-a-x is the newest


def test_too_many_deletions_fail_before_any_delete(http):
    http.expect(*listings(killed=[KILLED], queued=[QUEUED], saving=[SAVING]))
    result = run({"dry_run": False, "max_deletions": 2})
    assert result["failed"] is True and result["changed"] is False
    assert result["outcome"] == "aborted"
    assert result["msg"] == ("the cleanup would delete 3 images, more than max_deletions (2); nothing was deleted. "
                             "Check the plan in candidates, then raise max_deletions or narrow the selection")
    assert len(result["candidates"]) == 3
    assert [request.method for request in http.requests] == ["GET"] * 3


# -- deleting, and the re-check before each delete -------------------------------------------------


def test_each_candidate_is_read_again_then_deleted(http):
    http.expect(*listings(killed=[KILLED, YOUNG_KILLED], queued=[QUEUED]))
    http.expect(recheck(KILLED), delete(KILLED), recheck(QUEUED), delete(QUEUED))  # in plan order: by name
    result = run({"dry_run": False})
    assert result["failed"] is False and result["changed"] is True
    assert result["outcome"] == "cleaned"
    assert result["deleted"] == [{"id": KILLED["id"], "name": KILLED["name"]}, {"id": QUEUED["id"], "name": QUEUED["name"]}]
    assert result["summary"] == {"candidates": 2, "deleted": 2, "spared": 1, "failed": 0}


@pytest.mark.parametrize("now, reason", [
    pytest.param(dict(KILLED, protected=True), "changed since it was listed: protected", id="now-protected"),
    pytest.param(dict(KILLED, tags=["cleanup=keep"]), "changed since it was listed: carries the exclusion tag cleanup=keep",
                 id="now-tagged"),
    pytest.param(dict(KILLED, status="active"), "changed since it was listed: now active", id="now-active"),
    pytest.param(dict(KILLED, owner=OTHER_PROJECT), "changed since it was listed: not a private image of this project",
                 id="now-foreign"),
])
def test_an_image_changed_between_plan_and_delete_is_not_deleted(http, now, reason):
    http.expect(*listings(killed=[KILLED], queued=[QUEUED]))
    http.expect(recheck(KILLED, answer=now), recheck(QUEUED), delete(QUEUED))
    result = run({"dry_run": False})
    assert result["failed"] is False and result["outcome"] == "cleaned"
    assert entry_ids(result["deleted"]) == [QUEUED["id"]]
    assert reasons(result["spared"]) == {KILLED["id"]: reason}
    assert http.made("DELETE", "/v2/images/%s" % KILLED["id"]) == []


def test_an_image_gone_between_plan_and_delete_is_spared(http):
    http.expect(*listings(killed=[KILLED]))
    http.expect(Call("GET", "/v2/images/%s" % KILLED["id"], status=404, answer=image_not_found(KILLED["id"])))
    result = run({"dry_run": False})
    assert result["changed"] is False
    assert reasons(result["spared"]) == {KILLED["id"]: "changed since it was listed: already gone"}


def test_a_failed_delete_does_not_stop_the_others_and_fails_the_run(http):
    http.expect(*listings(killed=[KILLED], queued=[QUEUED], saving=[SAVING]))
    http.expect(recheck(KILLED), delete(KILLED),
                recheck(QUEUED), delete(QUEUED, status=403, answer={"error_code": "APIGW.0302", "error_msg": "denied"}),
                recheck(SAVING), delete(SAVING))
    result = run({"dry_run": False})
    assert result["failed"] is True and result["changed"] is True
    assert result["outcome"] == "failed"
    assert entry_ids(result["deleted"]) == [KILLED["id"], SAVING["id"]]
    assert result["failures"] == [{"id": QUEUED["id"], "name": QUEUED["name"], "error": (
        "DELETE /v2/images/%s failed: HTTP 403 APIGW.0302: denied (request id: req-7)" % QUEUED["id"])}]
    assert result["msg"] == ("1 of 3 deletions failed: %s (%s): DELETE /v2/images/%s failed: HTTP 403 APIGW.0302: "
                             "denied (request id: req-7); the other 2 images were deleted"
                             % (QUEUED["id"], QUEUED["name"], QUEUED["id"]))
    assert result["summary"] == {"candidates": 3, "deleted": 2, "spared": 0, "failed": 1}


def test_a_delete_answered_503_is_retried_by_the_client_with_a_wait(http, clock):
    http.expect(*listings(killed=[KILLED]))
    http.expect(recheck(KILLED), delete(KILLED, status=503), delete(KILLED))
    result = run({"dry_run": False})
    assert entry_ids(result["deleted"]) == [KILLED["id"]]
    assert len(clock.sleeps) == 1 and clock.sleeps[0] > 0


def test_a_second_run_finds_nothing_more(http):
    http.expect(*listings())
    result = run({"dry_run": False})
    assert result["changed"] is False and result["summary"] == {"candidates": 0, "deleted": 0, "spared": 0, "failed": 0}


# -- options -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    ({"keep_newest": -1}, "keep_newest must be 0 or more"),
    ({"stuck_min_age_hours": 0}, "stuck_min_age_hours must be 1 or more"),
    ({"family_pattern": "("}, "family_pattern must be a Python regular expression"),
    ({"stale_tag": ""}, "stale_tag must not be empty"),
])
def test_bad_options_fail_before_any_request(http, args, words):
    result = run(args)
    assert result["failed"] is True and words in result["msg"]
    assert "outcome" not in result
    assert http.requests == []


def test_project_id_is_required(http):
    result = run_module(ims_image_cleanup, {"ims_endpoint": IMS_ENDPOINT, "auth_token": "a-token"})
    assert result["failed"] is True
    assert "project_id is required (HW_PROJECT_ID)" in result["msg"]
    assert http.requests == []


def test_a_recheck_answer_of_the_wrong_shape_is_never_deleted(http):
    http.expect(*listings(killed=[KILLED]))
    http.expect(recheck(KILLED, answer=dict(KILLED, protected="no")))
    result = run({"dry_run": False})
    assert result["failed"] is True and result["changed"] is False
    assert result["outcome"] == "failed"
    assert entry_ids(result["failures"]) == [KILLED["id"]]
    assert "answered HTTP 200 with a body this collection cannot use" in result["failures"][0]["error"]
    assert http.made("DELETE") == []


def test_a_listing_of_the_wrong_shape_fails_before_any_plan(http):
    http.expect(Call("GET", "/v2/images", query=ANY, answer={"images": [dict(KILLED, created_at=5)]}))
    result = run({"dry_run": False})
    assert result["failed"] is True and "outcome" not in result
    assert "(request id: req-1)" in result["msg"]


# -- exclude_ids, spare_shared ------------------------------------------------------------------------


def test_an_image_listed_in_exclude_ids_is_spared_like_a_protected_one(http):
    http.expect(*listings(killed=[KILLED, old(16, "killed")]))
    result = run({"exclude_ids": [KILLED["id"]], "dry_run": False}, check_mode=True)
    assert reasons(result["spared"]) == {KILLED["id"]: "excluded by id (exclude_ids)"}
    assert entry_ids(result["candidates"]) == [old(16, "killed")["id"]]


def test_stale_min_age_days_0_selects_every_active_image_beyond_the_newest_of_its_family(http):
    web = [old(index, "active", name="web-%d" % index, created_at=ago(hours=index)) for index in (1, 2, 3)]
    http.expect(*listings(active=web))
    result = run({"stale_min_age_days": 0, "keep_newest": 1})
    assert entry_ids(result["candidates"]) == [web[1]["id"], web[2]["id"]]
    assert reasons(result["spared"]) == {web[0]["id"]: "among the newest 1 of family 'web'"}


def test_by_default_a_candidate_shared_with_an_accepted_member_is_spared_naming_the_member(http):
    pending = old(16, "killed")
    http.expect(*listings(killed=[KILLED, pending]), members_of(KILLED, OTHER_PROJECT),
                members_of(pending, OTHER_PROJECT, status="pending"))
    result = run_module(ims_image_cleanup, dict(CONNECTION))
    assert entry_ids(result["candidates"]) == [pending["id"]]
    assert reasons(result["spared"]) == {
        KILLED["id"]: "shared with 1 accepted member (%s); spare_shared is true" % OTHER_PROJECT}


def test_a_member_that_accepts_between_the_plan_and_the_delete_spares_the_image(http):
    http.expect(*listings(killed=[KILLED]), members_of(KILLED), recheck(KILLED), members_of(KILLED, OTHER_PROJECT))
    result = run_module(ims_image_cleanup, dict(CONNECTION, dry_run=False))
    assert result["deleted"] == [] and result["changed"] is False
    assert reasons(result["spared"]) == {
        KILLED["id"]: "changed since it was listed: shared with 1 accepted member (%s); spare_shared is true" % OTHER_PROJECT}
    assert [call for call in http.timeline() if call.startswith("DELETE")] == []


def test_spare_shared_false_deletes_a_shared_image_without_reading_its_members(http):
    http.expect(*listings(killed=[KILLED]), recheck(KILLED), delete(KILLED))
    result = run({"spare_shared": False, "dry_run": False})
    assert entry_ids(result["deleted"]) == [KILLED["id"]]
