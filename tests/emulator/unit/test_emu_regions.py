# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Regions in process (README "Regions"): the path prefix, per-region state, IAM's projects per
region and the projects API, authentication per region, agencies, the control calls' region, and
``--state`` with two regions (and a state file of before regions)."""

from __future__ import annotations

import datetime
import hashlib
import io
import json

import pytest

from imsemu.app import EmulatorApp
from imsemu.core.signing import SDK_DATE_FORMAT, SignatureVerifier
from imsemu.defaults import DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY
from imsemu.iam.models import derived_project_id

from conftest import Answer, parse_headers

EAST = "cn-east-3"
P_EAST = hashlib.md5(("project:%s:%s" % (DEFAULT_PROJECT_ID, EAST)).encode()).hexdigest()
HOST = {"Host": "ims.example.test:8443"}


def serve(app, method, target, body=b"", headers=None):
    raw_path, _mark, raw_query = target.partition("?")
    parsed = parse_headers(dict(headers or {}), body)
    outcome, _reader = app.serve(method, raw_path, raw_query, parsed, io.BytesIO(body), "rid")
    return Answer(outcome)


def signed(app, method, target, project=None, body=b"", headers=None):
    """A request signed as the official SDK signs it (the path as sent, prefix included)."""
    return serve(app, method, target, body, sign(app, method, target, project, body, headers))


def sign(app, method, target, project=None, body=b"", headers=None, ak=DEFAULT_ACCESS_KEY, sk=DEFAULT_SECRET_KEY):
    """The headers of a request signed for ``target``."""
    raw_path, _mark, raw_query = target.partition("?")
    when = datetime.datetime.fromtimestamp(app.clock.now(), datetime.timezone.utc).strftime(SDK_DATE_FORMAT)
    hdrs = dict(HOST, **(headers or {}))
    hdrs["X-Sdk-Date"] = when
    if project is not None:
        hdrs["X-Project-Id"] = project
    if body:
        hdrs.setdefault("Content-Type", "application/json")
    names = sorted(name.lower() for name in hdrs)
    lowered = {k.lower(): v for k, v in hdrs.items()}
    canonical = SignatureVerifier.canonical_request(method, raw_path, raw_query, lambda n: lowered[n], names,
                                                    hashlib.sha256(body).hexdigest())
    signature = SignatureVerifier.signature(sk, SignatureVerifier.string_to_sign(when, canonical))
    hdrs["Authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (ak, ";".join(names), signature)
    return hdrs


def token_for(app, project=None):
    scope = {} if project is None else {"scope": {"project": project}}
    body = {"auth": dict({"identity": {"methods": ["password"], "password": {"user": {
        "name": "emulator-user", "password": "emulator-password", "domain": {"name": "emulator-domain"}}}}}, **scope)}
    answer = serve(app, "POST", "/v3/auth/tokens", json.dumps(body).encode(), dict(HOST, **{"Content-Type": "application/json"}))
    assert answer.status == 201, answer.body
    return answer.headers["X-Subject-Token"], answer.json()["token"]


def control(app, method, path, body=None, query=""):
    response = app.control.handle(method, path, b"" if body is None else json.dumps(body).encode(), query)
    return response.status, json.loads(response.body)


def listed(app, prefix, project):
    answer = signed(app, "GET", prefix + "/v2/images", project)
    assert answer.status == 200, answer.body
    return [image["name"] for image in answer.json()["images"]]


@pytest.fixture
def app():
    emulator = EmulatorApp(public_images=False)
    yield emulator
    emulator.close()


# -- regions and the prefix ----------------------------------------------------------------
def test_the_default_regions_and_their_lazy_building():
    app = EmulatorApp()
    try:
        assert app.regions.names == ("cn-north-4", "cn-north-1", "cn-east-3", "cn-south-1", "ap-southeast-1",
                                     "ap-southeast-3")
        assert list(app.regions.built) == ["cn-north-4"]  # the others wait for their first use
        assert len(listed(app, "/" + EAST, P_EAST)) == len(listed(app, "", DEFAULT_PROJECT_ID)) > 0  # own catalogue
        assert list(app.regions.built) == ["cn-north-4", EAST]
    finally:
        app.close()


def test_regions_are_configurable_and_the_first_is_the_default():
    app = EmulatorApp(public_images=False, regions=[EAST, "cn-north-4"])
    try:
        assert app.regions.default_name == EAST
        assert app.iam.project_in(DEFAULT_PROJECT_ID, EAST).id == DEFAULT_PROJECT_ID
        other = derived_project_id(DEFAULT_PROJECT_ID, "cn-north-4")
        assert signed(app, "GET", "/cn-north-4/v2/images", other).status == 200
        assert signed(app, "GET", "/cn-south-1/v2/images", other).status == 404  # not one of these regions
    finally:
        app.close()
    with pytest.raises(ValueError):
        EmulatorApp(regions=["not a region"])


def test_an_unknown_region_is_a_404_naming_the_regions(app):
    answer = signed(app, "GET", "/eu-west-0/v2/images", DEFAULT_PROJECT_ID)
    assert answer.status == 404 and answer.json()["error_code"] == "APIGW.0101"
    message = answer.json()["error_msg"]
    assert "eu-west-0" in message and EAST in message and "cn-north-4" in message
    assert serve(app, "GET", "/v2/nothing").json()["error_code"] == "APIGW.0101"  # a plain unknown path as before


def test_answers_look_as_at_the_regions_root(app):
    versions = serve(app, "GET", "/" + EAST + "/", headers=HOST)
    assert versions.status == 300
    assert versions.json()["versions"][0]["links"][0]["href"] == "http://ims.example.test:8443/cn-east-3/v2/"
    assert serve(app, "GET", "/" + EAST, headers=HOST).status == 300
    created = signed(app, "POST", "/cn-east-3/v2/images", P_EAST, json.dumps({"name": "e1"}).encode())
    assert created.status == 201
    image = created.json()
    assert created.headers["Location"] == "http://ims.example.test:8443/cn-east-3/v2/images/" + image["id"]
    assert image["self"] == "/v2/images/" + image["id"] and image["owner"] == P_EAST
    signed(app, "POST", "/cn-east-3/v2/images", P_EAST, json.dumps({"name": "e2"}).encode())
    page = signed(app, "GET", "/cn-east-3/v2/images?limit=1", P_EAST).json()
    assert page["next"].startswith("/v2/images?") and page["first"].startswith("/v2/images?")
    assert page["schema"] == "/v2/schemas/images"


# -- per region state ----------------------------------------------------------------------
def test_images_members_and_quota_are_per_region(app):
    assert signed(app, "POST", "/cn-east-3/v2/images", P_EAST, json.dumps({"name": "east"}).encode()).status == 201
    assert listed(app, "/cn-east-3", P_EAST) == ["east"]
    assert listed(app, "", DEFAULT_PROJECT_ID) == []
    assert listed(app, "/cn-north-4", DEFAULT_PROJECT_ID) == []  # the default region by its prefix
    assert control(app, "POST", "/cn-east-3/_emulator/quota", {"quota": 1})[0] == 200
    refused = signed(app, "POST", "/cn-east-3/v2/images", P_EAST, json.dumps({"name": "two"}).encode())
    assert refused.status == 400 and refused.json()["error"]["code"] == "IMG.0015"
    assert signed(app, "POST", "/v2/images", DEFAULT_PROJECT_ID, json.dumps({"name": "home"}).encode()).status == 201
    assert control(app, "GET", "/_emulator/quota")[1]["default"] == 500
    quota = signed(app, "GET", "/cn-east-3/v1/cloudimages/quota", P_EAST).json()["quotas"]["resources"][0]
    assert (quota["used"], quota["quota"]) == (1, 1)


def test_jobs_and_fake_resources_are_per_region(app):
    status, body = control(app, "POST", "/_emulator/seed", {"region": EAST, "obs_objects": [{"bucket": "b", "key": "d.qcow2"}]})
    assert status == 200, body
    assert control(app, "GET", "/_emulator/resources", query="region=" + EAST)[1]["obs_objects"][0]["region"] == EAST
    assert control(app, "GET", "/_emulator/resources")[1]["obs_objects"] == []
    create = json.dumps({"name": "data", "image_url": "b:d.qcow2", "min_disk": 40}).encode()
    assert signed(app, "POST", "/v1/cloudimages/dataimages/action", DEFAULT_PROJECT_ID, create).status == 400  # no such object here
    answer = signed(app, "POST", "/cn-east-3/v1/cloudimages/dataimages/action", P_EAST, create)
    assert answer.status == 200, answer.body
    job_id = answer.json()["job_id"]
    assert [j["job_id"] for j in control(app, "GET", "/cn-east-3/_emulator/jobs")[1]["jobs"]] == [job_id]
    assert control(app, "GET", "/_emulator/jobs")[1]["jobs"] == []
    assert signed(app, "GET", "/v1/cloudimages/job/" + job_id, DEFAULT_PROJECT_ID).status == 404
    assert control(app, "POST", "/_emulator/jobs/finish", {"job_id": job_id})[0] == 400  # not the default region's
    assert control(app, "POST", "/cn-east-3/_emulator/jobs/finish", {"job_id": job_id})[1]["finished"] == [job_id]
    assert listed(app, "/cn-east-3", P_EAST) == ["data"]


# -- IAM: projects per region and the projects API ---------------------------------------------
def test_the_projects_api_by_name_none_and_all(app):
    answer = signed(app, "GET", "/v3/projects?name=" + EAST)  # no X-Project-Id: what the SDK sends
    assert answer.status == 200, answer.body
    body = answer.json()
    assert body["links"] == {"self": "http://ims.example.test:8443/v3/projects?name=cn-east-3", "next": None,
                             "previous": None}
    (project,) = body["projects"]
    assert project["id"] == P_EAST and project["name"] == EAST
    assert set(project) == {"id", "name", "domain_id", "enabled", "parent_id", "is_domain", "description", "links"}
    assert project["enabled"] is True and project["is_domain"] is False and project["parent_id"] == project["domain_id"]
    assert project["links"] == {"self": "http://ims.example.test:8443/v3/projects/" + P_EAST}
    assert signed(app, "GET", "/v3/projects?name=eu-west-0").json()["projects"] == []
    everything = signed(app, "GET", "/v3/projects").json()["projects"]
    assert [p["name"] for p in everything] == list(app.regions.names)
    assert everything[0]["id"] == DEFAULT_PROJECT_ID
    under_prefix = signed(app, "GET", "/cn-east-3/v3/projects?name=cn-north-4").json()["projects"]
    assert [p["id"] for p in under_prefix] == [DEFAULT_PROJECT_ID]  # IAM is global
    assert serve(app, "GET", "/v3/projects").status == 401
    token, _body = token_for(app)
    by_token = serve(app, "GET", "/v3/auth/projects", headers={"X-Auth-Token": token}).json()["projects"]
    assert [p["id"] for p in by_token] == [p["id"] for p in everything]
    assert [p["id"] for p in signed(app, "GET", "/v3/auth/projects").json()["projects"]] == [p["id"] for p in everything]


def test_an_account_may_configure_a_regions_project():
    from imsemu.cli import parse_account
    account = parse_account("AK1:S:K:p0,cn-east-3=pe")
    assert (account.secret_key, account.project_id, account.region_projects) == ("S:K", "p0", (("cn-east-3", "pe"),))
    app = EmulatorApp(accounts=[account], public_images=False)
    try:
        assert app.iam.project_in("p0", EAST).id == "pe"
        assert app.iam.project_in("p0", "cn-south-1").id == derived_project_id("p0", "cn-south-1")
        assert control(app, "GET", "/_emulator/regions")[1]["accounts"][0]["projects"][EAST] == "pe"
    finally:
        app.close()


# -- authentication per region -------------------------------------------------------------
def test_aksk_needs_the_accounts_project_of_that_region(app):
    assert signed(app, "GET", "/cn-east-3/v2/images", P_EAST).status == 200
    wrong = signed(app, "GET", "/cn-east-3/v2/images", DEFAULT_PROJECT_ID)
    assert wrong.status == 401 and wrong.json()["error_code"] == "APIGW.0301"
    assert "not in region cn-east-3" in wrong.json()["error_msg"]
    back = signed(app, "GET", "/v2/images", P_EAST)
    assert back.status == 401 and "in region cn-east-3, not in region cn-north-4" in back.json()["error_msg"]
    assert signed(app, "GET", "/cn-east-3/v2/images", "f" * 32).json()["error_code"] == "APIGW.0302"
    assert signed(app, "GET", "/cn-east-3/v2/images").json()["error_code"] == "APIGW.0302"  # still required


def test_the_signature_covers_the_prefix(app):
    assert signed(app, "GET", "/cn-east-3/v2/images", P_EAST).status == 200
    headers = sign(app, "GET", "/v2/images", P_EAST)  # signed without the prefix the request is sent with
    answer = serve(app, "GET", "/cn-east-3/v2/images", headers=headers)
    assert answer.status == 401 and "signature" in answer.json()["error_msg"]


def test_a_token_works_only_in_its_projects_region(app):
    token, body = token_for(app, {"name": EAST})
    assert body["project"] == {"id": P_EAST, "name": EAST, "domain": body["project"]["domain"]}
    image_endpoint = [s for s in body["catalog"] if s["type"] == "image"][0]["endpoints"][0]["url"]
    assert image_endpoint == "http://ims.example.test:8443/cn-east-3"
    assert serve(app, "GET", "/cn-east-3/v2/images", headers={"X-Auth-Token": token}).status == 200
    other = serve(app, "GET", "/v2/images", headers={"X-Auth-Token": token})
    assert other.status == 401 and "in region cn-east-3" in other.json()["error_msg"]
    by_id, body = token_for(app, {"id": P_EAST})
    assert body["project"]["name"] == EAST
    assert serve(app, "GET", "/cn-east-3/v2/images", headers={"X-Auth-Token": by_id}).status == 200
    home, body = token_for(app)
    assert body["project"]["id"] == DEFAULT_PROJECT_ID
    assert [s for s in body["catalog"] if s["type"] == "image"][0]["endpoints"][0]["url"] == "http://ims.example.test:8443"
    assert serve(app, "GET", "/cn-east-3/v2/images", headers={"X-Auth-Token": home}).status == 401
    assert serve(app, "GET", "/cn-north-4/v2/images", headers={"X-Auth-Token": home}).status == 200


# -- agencies --------------------------------------------------------------------------------
def test_agencies_default_seeded_and_reset(app):
    assert [a["name"] for a in control(app, "GET", "/_emulator/agencies")[1]["agencies"][DEFAULT_PROJECT_ID]] == \
        ["ims_admin_agency"]
    assert app.iam.agencies.exists(DEFAULT_PROJECT_ID, "ims_admin_agency")
    status, body = control(app, "POST", "/_emulator/agencies", {"agencies": [{"name": "copy_agency", "project_id": P_EAST}]})
    assert status == 200 and body["agencies"][0]["project_id"] == DEFAULT_PROJECT_ID  # any project names the account
    assert app.iam.agencies.exists(DEFAULT_PROJECT_ID, "copy_agency")
    assert not app.iam.agencies.exists("someone-else", "copy_agency")
    assert control(app, "POST", "/_emulator/agencies", {"agencies": [{"name": "ok"}, {"name": ""}]})[0] == 400
    assert not app.iam.agencies.exists(DEFAULT_PROJECT_ID, "ok")  # nothing seeded
    assert control(app, "POST", "/_emulator/agencies", {"name": "x", "project_id": "nobody"})[0] == 400
    control(app, "POST", "/_emulator/reset")
    assert not app.iam.agencies.exists(DEFAULT_PROJECT_ID, "copy_agency")


# -- the control calls' region ---------------------------------------------------------------
def test_control_calls_take_the_region_by_prefix_query_or_field(app):
    assert control(app, "POST", "/cn-east-3/_emulator/seed", {"name": "by-prefix"})[0] == 200
    assert control(app, "POST", "/_emulator/seed", {"name": "by-field", "region": EAST})[0] == 200
    names = {i["name"]: i["owner"] for i in control(app, "GET", "/_emulator/images", query="region=cn-east-3")[1]["images"]}
    assert names == {"by-prefix": P_EAST, "by-field": P_EAST}  # the default owner: the first account's project there
    assert control(app, "GET", "/_emulator/images")[1]["images"] == []
    assert control(app, "POST", "/_emulator/jobs/config", {"job_seconds": 3, "region": EAST})[1] == {"job_seconds": 3.0}
    assert control(app, "GET", "/_emulator/jobs")[1]["job_seconds"] == 10.0
    status, body = control(app, "GET", "/eu-west-0/_emulator/images")
    assert status == 404 and "cn-east-3" in body["error"]
    assert control(app, "GET", "/_emulator/images", query="region=eu-west-0")[0] == 400
    regions = control(app, "GET", "/_emulator/regions")[1]
    assert regions["default"] == "cn-north-4" and regions["regions"] == list(app.regions.names)
    assert regions["accounts"] == [{"access_key": DEFAULT_ACCESS_KEY, "projects": {
        name: (DEFAULT_PROJECT_ID if name == "cn-north-4" else derived_project_id(DEFAULT_PROJECT_ID, name))
        for name in app.regions.names}}]
    assert regions["users"][0]["projects"][EAST] == P_EAST
    control(app, "POST", "/_emulator/reset")  # every region
    assert control(app, "GET", "/cn-east-3/_emulator/images")[1]["images"] == []
    assert control(app, "GET", "/_emulator/jobs", query="region=cn-east-3")[1]["job_seconds"] == 10.0


# -- --state with regions --------------------------------------------------------------------
def test_state_round_trip_with_two_regions(tmp_path):
    path = str(tmp_path / "state.json")
    app = EmulatorApp(public_images=False, state_file=path)
    control(app, "POST", "/_emulator/seed", {"name": "home"})
    control(app, "POST", "/cn-east-3/_emulator/seed", {"name": "east"})
    token, _body = token_for(app, {"name": EAST})
    app.close()
    with open(path, encoding="utf-8") as handle:
        saved = json.load(handle)
    assert saved["format"] == "ims-emulator-state/2" and set(saved["regions"]) == {"cn-north-4", EAST}
    again = EmulatorApp(public_images=False, state_file=path)
    try:
        assert [i["name"] for i in again.regions.get(EAST).store.images.values()] == ["east"]
        assert [i["name"] for i in again.store.images.values()] == ["home"]
        assert serve(again, "GET", "/cn-east-3/v2/images", headers={"X-Auth-Token": token}).status == 200
    finally:
        again.close()


def test_a_state_file_of_before_regions_is_the_default_regions(tmp_path):
    path = tmp_path / "old.json"
    image = {"id": "0f0f0f0f-0000-4000-8000-000000000001", "owner": DEFAULT_PROJECT_ID, "name": "old",
             "__imagetype": "private", "created_at": "2024-01-01T00:00:00Z", "status": "active"}
    path.write_text(json.dumps({"format": "ims-emulator-state/1", "images": [image], "members": {},
                                "tokens": {"MIIold": {"project_id": DEFAULT_PROJECT_ID, "project_name": "cn-north-4",
                                                      "user": "emulator-user", "expires_at": 4e9, "issued_at": 0}}}))
    app = EmulatorApp(public_images=False, state_file=str(path))
    try:
        assert list(app.store.images) == [image["id"]]
        assert serve(app, "GET", "/v2/images/" + image["id"], headers={"X-Auth-Token": "MIIold"}).status == 200
        assert control(app, "GET", "/cn-east-3/_emulator/images")[1]["images"] == []
    finally:
        app.close()


def test_the_host_of_a_proxied_request_may_name_the_region(app):
    headers = sign(app, "GET", "/v2/images", P_EAST, headers={"Host": "ims.cn-east-3.example.test"})
    parsed = parse_headers(headers)
    outcome, _reader = app.serve("GET", "/v2/images", "", parsed, io.BytesIO(b""), "rid", "ims.cn-east-3.example.test")
    assert outcome.status == 200
    outcome, _reader = app.serve("GET", "/v2/images", "", parsed, io.BytesIO(b""), "rid", "ims.example.test")
    assert outcome.status == 401  # no region in the host: the default region's, where P_EAST is not
    assert app.regions.of_host("ims.cn-east-3.example.test:8080").name == EAST
    assert app.regions.of_host("127.0.0.1:8080") is None and app.regions.of_host("[::1]:80") is None
