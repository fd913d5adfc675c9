# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sharing by the batch API in process (README "Sharing by the batch API"): the three batch routes and
their jobs, the change made when the job succeeds, IMS's rules with their codes, domain and organisation
members, the consumer's answer, and the native members read."""

from __future__ import annotations

import json

import pytest

from imsemu.app import EmulatorApp
from imsemu.iam.models import Account
from imsemu.ims.batch_members import MAX_MEMBERS
from imsemu.defaults import DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY

from native_helpers import refused, started
from test_emu_regions import EAST, control, serve, sign

OWNER = DEFAULT_PROJECT_ID
CONSUMER = "e" * 32
CONSUMER_AK, CONSUMER_SK = "CONSUMERAK0000000002", "consumer-sk-0002"
IMG1 = "5a5a0000-0000-4000-8000-000000000001"
IMG2 = "5a5a0000-0000-4000-8000-000000000002"
ENCRYPTED = "5a5a0000-0000-4000-8000-000000000003"
PUBLIC = "5a5a0000-0000-4000-8000-000000000004"
CBR_WHOLE = "5a5a0000-0000-4000-8000-000000000005"
CSBS_WHOLE = "5a5a0000-0000-4000-8000-000000000006"
OTHERS = "5a5a0000-0000-4000-8000-000000000007"
VAULT = "ba170000-0000-4000-8000-00000000c0de"
URN = "organization:orgs::0123456789abcdef:organization:o-abc123"


@pytest.fixture
def app():
    emulator = EmulatorApp(public_images=False, accounts=[
        Account(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, OWNER), Account(CONSUMER_AK, CONSUMER_SK, CONSUMER)])
    status, body = control(emulator, "POST", "/_emulator/seed", {
        "images": [{"id": IMG1, "name": "one"}, {"id": IMG2, "name": "two"},
                   {"id": ENCRYPTED, "name": "enc", "properties": {"__system__cmkid": "key-1"}},
                   {"id": PUBLIC, "name": "pub", "imagetype": "gold"},
                   {"id": CBR_WHOLE, "name": "cbr", "properties": {"__whole_image": "true", "__backup_id": "bk-cbr"}},
                   {"id": CSBS_WHOLE, "name": "csbs",
                    "properties": {"__whole_image": "true", "__backup_id": "bk-csbs"}},
                   {"id": OTHERS, "name": "not mine", "owner": CONSUMER,
                    "members": [{"member": OWNER, "status": "accepted"}]}],
        "vaults": [{"id": VAULT, "project_id": CONSUMER}, {"id": "owner-vault"}],
        "backups": [{"id": "bk-cbr", "vault_id": "owner-vault"}, {"id": "bk-csbs", "vault_id": "owner-vault",
                                                                  "kind": "CSBS"}]})
    assert status == 200, body
    yield emulator
    emulator.close()


def call(app, method, target, body=None, consumer=False):
    data = json.dumps(body).encode() if body is not None else b""
    keys = {"ak": CONSUMER_AK, "sk": CONSUMER_SK} if consumer else {}
    project = CONSUMER if consumer else OWNER
    return serve(app, method, target, data, sign(app, method, target, project, data, **keys))


def finish(app, job_id):
    control(app, "POST", "/_emulator/jobs/finish", {"job_id": job_id})


def share(app, images, projects=(CONSUMER,), **more):
    return call(app, "POST", "/v1/cloudimages/members", dict(images=list(images), projects=list(projects), **more))


def members(app, image_id):
    return control(app, "GET", "/_emulator/images")[1]["members"].get(image_id, [])


def glance_shared(app, status):
    answer = call(app, "GET", "/v2/images?visibility=shared&member_status=" + status, consumer=True)
    assert answer.status == 200, answer.body
    return sorted(image["id"] for image in answer.json()["images"])


def test_a_share_is_a_job_whose_success_adds_pending_members(app):
    job_id = started(share(app, [IMG1, IMG2]))
    assert members(app, IMG1) == [] and glance_shared(app, "pending") == []
    job = call(app, "GET", "/v1/%s/jobs/%s" % (OWNER, job_id)).json()
    assert job["job_type"] == "imsAddImageMembersJob" and job["status"] in ("INIT", "RUNNING")
    assert "image_id" not in job["entities"]
    finish(app, job_id)
    assert call(app, "GET", "/v1/cloudimages/job/" + job_id).json()["status"] == "SUCCESS"
    assert [(m["member_id"], m["status"]) for m in members(app, IMG1)] == [(CONSUMER, "pending")]
    assert "member_type" not in members(app, IMG1)[0]  # stored exactly as a Glance-added member
    assert glance_shared(app, "pending") == sorted([IMG1, IMG2])
    shown = call(app, "GET", "/v2/images/" + IMG1, consumer=True).json()
    assert shown["visibility"] == "shared" and shown["__imagetype"] == "shared"


def test_an_existing_member_is_left_as_it_is(app):
    finish(app, started(share(app, [IMG1])))
    finish(app, started(call(app, "PUT", "/v1/cloudimages/members",
                             {"images": [IMG1], "project_id": CONSUMER, "status": "accepted"}, consumer=True)))
    finish(app, started(share(app, [IMG1])))
    assert [m["status"] for m in members(app, IMG1)] == ["accepted"]


def test_the_consumer_accepts_and_rejects_by_put(app):
    finish(app, started(share(app, [IMG1, IMG2])))
    job_id = started(call(app, "PUT", "/v1/cloudimages/members",
                          {"images": [IMG1, IMG2], "project_id": CONSUMER, "status": "accepted"}, consumer=True))
    assert glance_shared(app, "pending") == sorted([IMG1, IMG2])  # not before the job's end
    job = call(app, "GET", "/v1/%s/jobs/%s" % (CONSUMER, job_id), consumer=True).json()
    assert job["job_type"] == "imsUpdateImageMembersJob"
    finish(app, job_id)
    assert glance_shared(app, "accepted") == sorted([IMG1, IMG2])
    listed = call(app, "GET", "/v2/images", consumer=True).json()["images"]
    assert {IMG1, IMG2} <= {image["id"] for image in listed}
    finish(app, started(call(app, "PUT", "/v1/cloudimages/members",
                             {"images": [IMG2], "project_id": CONSUMER, "status": "rejected"}, consumer=True)))
    assert glance_shared(app, "rejected") == [IMG2]


def test_an_unshare_removes_the_members_at_its_end_and_ignores_absent_ones(app):
    finish(app, started(share(app, [IMG1, IMG2])))
    job_id = started(call(app, "DELETE", "/v1/cloudimages/members",
                          {"images": [IMG1], "projects": [CONSUMER, "f" * 32]}))
    assert call(app, "GET", "/v1/cloudimages/job/" + job_id).json()["job_type"] == "imsDelImageMembersJob"
    assert glance_shared(app, "pending") == sorted([IMG1, IMG2])
    finish(app, job_id)
    assert members(app, IMG1) == [] and glance_shared(app, "pending") == [IMG2]


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT"])
def test_a_job_fail_fault_fails_the_job_and_changes_nothing(app, method):
    finish(app, started(share(app, [IMG1])))
    before = members(app, IMG1)
    control(app, "POST", "/_emulator/faults", {"rules": [{"path": "/v1/cloudimages/members", "job_fail": True}]})
    body = {"images": [IMG1], "projects": [CONSUMER, "f" * 32]}
    if method == "PUT":
        body = {"images": [IMG1], "project_id": CONSUMER, "status": "accepted"}
    job_id = started(call(app, method, "/v1/cloudimages/members", body, consumer=method == "PUT"))
    finish(app, job_id)
    assert app.jobs.show_job(app.jobs.jobs[job_id])["status"] == "FAIL"
    assert members(app, IMG1) == before


@pytest.mark.parametrize("body, code", [
    (None, "IMG.0007"),
    ([IMG1], "IMG.0001"),
    ({"projects": [CONSUMER]}, "IMG.0001"),
    ({"images": [IMG1]}, "IMG.0001"),
    ({"images": IMG1, "projects": [CONSUMER]}, "IMG.0001"),
    ({"images": [IMG1], "projects": [1]}, "IMG.0001"),
    ({"images": [], "projects": [CONSUMER]}, "IMG.0001"),
    ({"images": [IMG1], "projects": []}, "IMG.0001"),
    ({"images": [IMG1], "projects": [CONSUMER], "domains": "d"}, "IMG.0001"),
    ({"images": [IMG1], "projects": [""]}, "IMG.0001"),
])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_the_body_rules(app, method, body, code):
    answer = call(app, method, "/v1/cloudimages/members", body)
    if body is None:
        answer = serve(app, method, "/v1/cloudimages/members", b"", sign(app, method, "/v1/cloudimages/members", OWNER))
    refused(answer, code)
    assert not app.jobs.jobs


def test_unknown_fields_are_ignored(app):
    finish(app, started(call(app, "POST", "/v1/cloudimages/members",
                             {"images": [IMG1], "projects": [CONSUMER], "color": "blue"})))
    assert len(members(app, IMG1)) == 1


@pytest.mark.parametrize("images, projects, code, status, words", [
    ([ENCRYPTED], [CONSUMER], "IMG.0098", 400, "encrypted"),
    ([PUBLIC], [CONSUMER], "IMG.0089", 400, "public"),
    ([CSBS_WHOLE], [CONSUMER], "IMG.0135", 400, "Full-ECS"),
    ([IMG1], [CONSUMER, OWNER], "IMG.0076", 400, "own project"),
    ([IMG1, OTHERS], [CONSUMER], "IMG.0047", 400, "owner"),
    ([IMG1, "5a5a0000-0000-4000-8000-0000000000ff"], [CONSUMER], "IMG.0144", 404, "could not be found"),
])
def test_imss_share_rules(app, images, projects, code, status, words):
    assert words in refused(share(app, images, projects), code, status)
    assert not app.jobs.jobs and members(app, IMG1) == []


def test_a_cbr_full_ecs_image_may_be_shared_and_needs_a_vault_to_be_accepted(app):
    finish(app, started(share(app, [CBR_WHOLE])))
    put = {"images": [CBR_WHOLE], "project_id": CONSUMER, "status": "accepted"}
    message = refused(call(app, "PUT", "/v1/cloudimages/members", put, consumer=True), "IMG.0181")
    assert "vault_id is required" in message
    refused(call(app, "PUT", "/v1/cloudimages/members", dict(put, vault_id="owner-vault"), consumer=True), "IMG.0181")
    rejected = dict(put, status="rejected")
    finish(app, started(call(app, "PUT", "/v1/cloudimages/members", rejected, consumer=True)))  # no vault to reject
    finish(app, started(call(app, "PUT", "/v1/cloudimages/members", dict(put, vault_id=VAULT), consumer=True)))
    assert [m["status"] for m in members(app, CBR_WHOLE)] == ["accepted"]


def test_the_member_limit_is_img_0088(app):
    many = ["%032x" % i for i in range(1, MAX_MEMBERS)]
    finish(app, started(share(app, [IMG1], many)))
    assert len(members(app, IMG1)) == MAX_MEMBERS - 1
    finish(app, started(share(app, [IMG1], many[:5] + [CONSUMER])))  # one more: 128
    assert "at most 128" in refused(share(app, [IMG1], ["f" * 32]), "IMG.0088")


@pytest.mark.parametrize("body, code, status", [
    ({"images": [IMG1], "project_id": OWNER, "status": "accepted"}, "IMG.0403", 403),
    ({"images": [IMG1], "project_id": CONSUMER, "status": "pending"}, "IMG.0001", 400),
    ({"images": [IMG1], "status": "accepted"}, "IMG.0001", 400),
    ({"project_id": CONSUMER, "status": "accepted"}, "IMG.0001", 400),
    ({"images": [IMG1], "project_id": CONSUMER, "status": "accepted", "vault_id": 3}, "IMG.0001", 400),
    ({"images": [IMG1, IMG2], "project_id": CONSUMER, "status": "accepted"}, "IMG.0112", 400),
])
def test_the_consumers_put_rules(app, body, code, status):
    finish(app, started(share(app, [IMG1])))
    message = refused(call(app, "PUT", "/v1/cloudimages/members", body, consumer=True), code, status)
    if code == "IMG.0112":
        assert IMG2 in message
    assert [m["status"] for m in members(app, IMG1)] == ["pending"]


def test_a_domain_member_shares_with_the_accounts_project_until_it_answers(app):
    domain = app.iam.domain_of(CONSUMER)
    finish(app, started(share(app, [IMG1], [], domains=[domain])))
    assert [(m["member_id"], m["member_type"]) for m in members(app, IMG1)] == [(domain, "domain")]
    assert glance_shared(app, "pending") == [IMG1]
    east = app.region(EAST).store  # the image is in the default region only
    assert not east.listing(app.iam.project_in(CONSUMER, EAST).id, "pending", "id", False)[0]
    finish(app, started(call(app, "PUT", "/v1/cloudimages/members",
                             {"images": [IMG1], "project_id": CONSUMER, "status": "accepted"}, consumer=True)))
    assert glance_shared(app, "accepted") == [IMG1]
    finish(app, started(call(app, "DELETE", "/v1/cloudimages/members",
                             {"images": [IMG1], "projects": [], "domains": [domain]})))
    assert glance_shared(app, "accepted") == [IMG1]  # its own answer stays a project membership
    finish(app, started(call(app, "DELETE", "/v1/cloudimages/members", {"images": [IMG1], "projects": [CONSUMER]})))
    assert glance_shared(app, "accepted") == [] and members(app, IMG1) == []


def test_removing_a_domain_member_hides_the_image_from_its_projects(app):
    domain = app.iam.domain_of(CONSUMER)
    finish(app, started(share(app, [IMG1], [], domains=[domain])))
    unshare = {"images": [IMG1], "projects": [], "domains": [domain]}
    finish(app, started(call(app, "DELETE", "/v1/cloudimages/members", unshare)))
    assert glance_shared(app, "pending") == []
    assert call(app, "GET", "/v2/images/" + IMG1, consumer=True).status == 404


def test_organizations_are_stored_and_listed_only(app):
    finish(app, started(share(app, [IMG1], [], organizations=[URN])))
    native = call(app, "GET", "/v1/%s/cloudimages/%s/members" % (OWNER, IMG1)).json()["members"]
    assert [(m["member_type"], m["urn"], m["status"]) for m in native] == [("organization", URN, "pending")]
    assert glance_shared(app, "pending") == []


def test_the_native_members_read_is_the_owners_view_paged(app):
    domain = app.iam.domain_of(CONSUMER)
    many = ["%032x" % i for i in range(1, 6)]
    finish(app, started(share(app, [IMG1], many, domains=[domain], organizations=[URN])))
    path = "/v1/%s/cloudimages/%s/members" % (OWNER, IMG1)
    first = call(app, "GET", path + "?limit=3").json()
    assert first["schema"] == "/v2/schemas/members" and len(first["members"]) == 3
    assert first["page_info"] == {"current_count": 3, "next_marker": first["members"][-1]["member_id"]}
    rest = call(app, "GET", path + "?limit=4&marker=" + first["page_info"]["next_marker"]).json()
    assert rest["page_info"] == {"current_count": 4}
    everyone = first["members"] + rest["members"]
    assert sorted(m["member_id"] for m in everyone) == sorted(many + [domain, URN])
    project = next(m for m in everyone if m["member_id"] == many[0])
    assert set(project) == {"status", "created_at", "updated_at", "image_id", "member_id", "schema", "member_type"}
    assert project["member_type"] == "project" and project["schema"] == "/v2/schemas/member"
    one = call(app, "GET", path + "/" + domain).json()
    assert one["member_type"] == "domain" and one["image_id"] == IMG1
    refused(call(app, "GET", path + "/" + "9" * 32), "IMG.0404", 404)
    refused(call(app, "GET", path + "?limit=0"), "IMG.0001")
    refused(call(app, "GET", path + "?marker=nobody"), "IMG.0001")
    refused(call(app, "GET", "/v1/%s/cloudimages/%s/members" % (CONSUMER, IMG1)), "IMG.0144", 404)


def test_a_glance_added_member_is_read_natively_as_a_project(app):
    answer = call(app, "POST", "/v2/images/%s/members" % IMG1, {"member": CONSUMER})
    assert answer.status == 200, answer.body
    native = call(app, "GET", "/v1/%s/cloudimages/%s/members" % (OWNER, IMG1)).json()["members"]
    assert [(m["member_id"], m["member_type"]) for m in native] == [(CONSUMER, "project")]
    mine = call(app, "GET", "/v1/%s/cloudimages/%s/members" % (CONSUMER, IMG1), consumer=True).json()
    assert [m["member_id"] for m in mine["members"]] == [CONSUMER]


def test_deleting_a_domain_shared_image_forgets_its_shares(app):
    finish(app, started(share(app, [IMG1], [], domains=[app.iam.domain_of(CONSUMER)])))
    assert call(app, "DELETE", "/v2/images/" + IMG1).status == 204
    assert glance_shared(app, "pending") == [] and not app.store._shared_with[CONSUMER]


def test_domain_members_and_their_projects_view_survive_the_state_file(tmp_path):
    accounts = [Account(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, OWNER), Account(CONSUMER_AK, CONSUMER_SK, CONSUMER)]
    state = str(tmp_path / "state.json")
    first = EmulatorApp(public_images=False, accounts=accounts, state_file=state)
    control(first, "POST", "/_emulator/seed", {"images": [{"id": IMG1, "name": "one"}]})
    finish(first, started(share(first, [IMG1], [], domains=[first.iam.domain_of(CONSUMER)], organizations=[URN])))
    first.close()
    second = EmulatorApp(public_images=False, accounts=accounts, state_file=state)
    try:
        assert sorted(m["member_id"] for m in members(second, IMG1)) == sorted([second.iam.domain_of(CONSUMER), URN])
        assert glance_shared(second, "pending") == [IMG1]
    finally:
        second.close()
