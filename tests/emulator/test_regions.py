# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Regions over HTTP (README "Regions"): a real emulator process reached at ``<base>/<region>/...``,
signed with the collection's own signer (the path as sent, prefix included), IAM's projects API,
and the region's control calls through the harness."""

from __future__ import annotations

from emulator_client import A, B, Client, gateway_error, password_body
from harness import Emulator

EAST = "cn-east-3"


def in_region(emu, region, account=None):
    """The account (default: the first) as it signs in ``region``: that region's project."""
    account = account or A
    return dict(account, project_id=emu.project_id(region, access_key=account["access_key"]))


def test_the_harness_knows_the_regions(emu):
    regions = emu.regions()
    assert regions["default"] == "cn-north-4" and EAST in regions["regions"]
    assert emu.endpoint_template() == emu.base_url + "/{region}"
    env = emu.env(region=EAST)
    assert env["HW_IMS_ENDPOINT"] == emu.base_url + "/" + EAST and env["HW_IAM_ENDPOINT"] == emu.base_url
    assert env["HW_REGION_NAME"] == EAST and env["HW_PROJECT_ID"] == emu.project_id(EAST) != A["project_id"]
    assert emu.env()["HW_IMS_ENDPOINT"] == emu.base_url and emu.env()["HW_PROJECT_ID"] == A["project_id"]
    assert emu.region(EAST).env() == env  # a region's view gives its own variables
    assert emu.region("cn-north-4").env()["HW_IMS_ENDPOINT"] == emu.base_url + "/cn-north-4"


def test_an_image_made_in_a_region_is_only_there(emu, client):
    east = in_region(emu, EAST)
    r = client.post("/cn-east-3/v2/images", json={"name": "east-only"}, account=east)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == client.base + "/cn-east-3/v2/images/" + r.json()["id"]
    names = [i["name"] for i in client.get("/cn-east-3/v2/images", account=east).json()["images"]]
    assert "east-only" in names
    assert "east-only" not in [i["name"] for i in client.get("/v2/images").json()["images"]]
    assert [i["name"] for i in emu.region(EAST).images() if i["owner"] == east["project_id"]] == ["east-only"]
    assert not [i for i in emu.images() if i["name"] == "east-only"]
    # the other account, in its own project of that region
    assert client.get("/cn-east-3/v2/images/" + r.json()["id"], account=in_region(emu, EAST, B)).status_code == 404


def test_the_wrong_regions_project_and_an_unknown_region(emu, client):
    r = client.get("/cn-east-3/v2/images")  # signed with the default region's project
    gateway_error(r, 401, "APIGW.0301")
    assert "not in region cn-east-3" in r.json()["error_msg"]
    r = client.get("/eu-west-0/v2/images")
    gateway_error(r, 404, "APIGW.0101")
    assert EAST in r.json()["error_msg"]


def test_the_projects_api_answers_the_sdks_question(emu, client):
    r = client.get("/v3/projects", params={"name": EAST}, headers={}, account=dict(A, project_id=""))
    assert r.status_code == 200, r.text
    (project,) = r.json()["projects"]
    assert project["id"] == emu.project_id(EAST) and project["name"] == EAST and project["enabled"] is True
    assert r.json()["links"]["next"] is None
    assert client.get("/v3/projects", params={"name": "nowhere-1"}).json()["projects"] == []
    everything = client.get("/v3/projects").json()["projects"]
    assert sorted(p["name"] for p in everything) == sorted(emu.regions()["regions"])
    named = client.get("/cn-east-3/v3/projects", params={"name": EAST}, account=in_region(emu, EAST)).json()
    assert named["projects"] == [dict(project, links={"self": client.base + "/cn-east-3/v3/projects/" + project["id"]})]
    r = client.session.get(client.base + "/v3/projects")
    assert r.status_code == 401 and r.json()["error"]["code"] == 401


def test_a_token_of_a_region_and_its_catalog(emu, client):
    r = client.session.post(client.base + "/v3/auth/tokens", json=password_body(
        {"name": "emulator-user", "password": "emulator-password", "domain": "emulator-domain"}, project_name=EAST))
    assert r.status_code == 201, r.text
    token = r.headers["X-Subject-Token"]
    assert r.json()["token"]["project"]["id"] == emu.project_id(EAST)
    image = [s for s in r.json()["token"]["catalog"] if s["type"] == "image"][0]
    assert image["endpoints"][0]["url"] == client.base + "/" + EAST
    assert client.get("/cn-east-3/v2/images", auth="token", token=token).status_code == 200
    gateway_error(client.get("/v2/images", auth="token", token=token), 401, "APIGW.0301")
    assert len(client.session.get(client.base + "/v3/auth/projects", headers={"X-Auth-Token": token})
               .json()["projects"]) == len(emu.regions()["regions"])


def test_the_control_calls_of_a_region(emu, client):
    east = emu.region(EAST)
    ids = east.seed(count=2, name="seeded-east-{i}")
    assert {i["id"] for i in east.images() if i["name"].startswith("seeded-east-")} == set(ids)
    assert not [i for i in emu.images() if i["name"].startswith("seeded-east-")]
    east.set_quota(7)
    assert east.quota()["default"] == 7 and emu.quota()["default"] == 500
    east.configure_jobs(2)
    assert emu.jobs() == [] and east.jobs() == []
    assert east.seed_resources(obs_objects=[{"bucket": "b", "key": "k.qcow2"}])["obs_objects"] == ["b:k.qcow2"]
    assert east.resources()["obs_objects"][0]["region"] == EAST and emu.resources()["obs_objects"] == []
    assert emu.agencies()[A["project_id"]][0]["name"] == "ims_admin_agency"
    assert [a["name"] for a in emu.seed_agencies({"name": "copier"})] == ["copier"]
    assert [a["name"] for a in emu.agencies()[A["project_id"]]] == ["ims_admin_agency", "copier"]
    emu.reset()
    assert not [i for i in east.images() if i["name"].startswith("seeded-east-")] and east.quota()["default"] == 500
    assert [a["name"] for a in emu.agencies()[A["project_id"]]] == ["ims_admin_agency"]


def test_regions_on_the_command_line_and_state_across_runs(tmp_path):
    state = tmp_path / "state.json"
    with Emulator.start(state=state, regions=[EAST, "cn-south-1"]) as emu:
        assert emu.regions()["regions"] == [EAST, "cn-south-1"] and emu.project_id(EAST) == A["project_id"]
        emu.region("cn-south-1").seed(name="south")
        client = Client(emu)
        assert client.get("/cn-north-4/v2/images").status_code == 404  # not one of its regions
        client.session.close()
    with Emulator.start(state=state, regions=[EAST, "cn-south-1"]) as emu:
        assert [i["name"] for i in emu.region("cn-south-1").images() if i["name"] == "south"] == ["south"]
        assert not [i for i in emu.images() if i["name"] == "south"]
