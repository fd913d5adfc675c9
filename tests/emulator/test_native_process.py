"""The native create API through the emulator process, over HTTP: started with --job-seconds,
a create -> its job -> an active image, AK/SK-signed with X-Project-Id giving the project
(README "The native create API" and "Jobs")."""

import time

import pytest

from emulator_client import A, B, Client, start_emulator

SERVER = "5e1f0000-0000-4000-8000-0000000000e1"


@pytest.fixture(scope="module")
def job_emu():
    emu = start_emulator(accounts=[A, B], extra_args=["--job-seconds", "1.5"])
    yield emu
    emu.stop()


@pytest.fixture
def world(job_emu):
    job_emu.reset()
    job_emu.seed_resources(servers=[{"id": SERVER, "name": "web-1"}],
                           obs_objects=[{"bucket": "imgs", "key": "disk.zvhd2", "size": 2 * 1024 ** 3}])
    return job_emu


def wait_for(client, path, until, timeout=15):
    """GET path until until(body); every body seen, in order."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(path)
        assert r.status_code == 200, r.text
        seen.append(r.json())
        if until(seen[-1]):
            return seen
        time.sleep(0.1)
    raise AssertionError("not reached in %s s: %s" % (timeout, seen[-1]))


def test_a_server_image_over_http_with_job_seconds(world):
    client = Client(world)
    started = time.monotonic()
    r = client.post("/v2/cloudimages/action", json={"name": "web-image", "instance_id": SERVER})
    assert r.status_code == 200 and list(r.json()) == ["job_id"], r.text
    job_id = r.json()["job_id"]
    seen = wait_for(client, "/v1/%s/jobs/%s" % (A["project_id"], job_id), lambda b: b["status"] == "SUCCESS")
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 10, elapsed  # --job-seconds 1.5
    statuses = [b["status"] for b in seen]
    assert statuses[0] == "INIT" and "RUNNING" in statuses, statuses
    image_id = seen[-1]["entities"]["image_id"]
    progress = client.get("/v1/cloudimages/job/" + job_id).json()
    assert (progress["status"], progress["entities"]["image_id"]) == ("SUCCESS", image_id)
    image = client.get("/v2/images/" + image_id).json()
    assert (image["status"], image["__data_origin"], image["name"]) == ("active", "instance," + SERVER, "web-image")
    listed = client.get("/v2/images", params={"name": "web-image"}).json()["images"]
    assert [i["id"] for i in listed] == [image_id]


def test_the_image_is_listed_saving_while_the_job_runs(world):
    client = Client(world)
    world.configure_jobs(30)
    job_id = client.post("/v2/cloudimages/quickimport/action", json={
        "name": "quick", "image_url": "imgs:disk.zvhd2", "min_disk": 40,
        "os_version": "Ubuntu 22.04 server 64bit"}).json()["job_id"]
    assert client.get("/v2/images", params={"name": "quick"}).json()["images"] == []  # INIT
    client.set_clock(10)
    body = client.get("/v1/cloudimages/job/" + job_id).json()
    assert body["status"] == "RUNNING" and 0 < body["entities"]["process_percent"] < 100
    assert [i["status"] for i in client.get("/v2/images", params={"name": "quick"}).json()["images"]] == ["saving"]
    assert world.finish_jobs(job_id) == [job_id]
    assert client.get("/v2/images/" + body["entities"]["image_id"]).json()["status"] == "active"
    assert [j["status"] for j in world.jobs()] == ["SUCCESS"]


def test_the_project_comes_from_x_project_id(world):
    a, b = Client(world), Client(world, account=B)
    r = b.post("/v2/cloudimages/action", json={"name": "not-mine", "instance_id": SERVER})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "IMG.0005")  # A's server
    job_id = a.post("/v2/cloudimages/action", json={"name": "mine", "instance_id": SERVER}).json()["job_id"]
    assert b.get("/v1/cloudimages/job/" + job_id).status_code == 404
    assert b.get("/v1/%s/jobs/%s" % (B["project_id"], job_id)).status_code == 404
    assert b.get("/v1/%s/jobs/%s" % (A["project_id"], job_id)).status_code == 404
    r = a.post("/v2/cloudimages/action", json={"name": "x", "instance_id": SERVER}, auth=None)
    assert r.status_code == 401 and r.json()["error_code"] == "APIGW.0301"
    stats = world.stats()["by_route"]
    assert stats["POST /v2/cloudimages/action"] == 3 and stats["GET /v1/cloudimages/job/{job_id}"] == 1
