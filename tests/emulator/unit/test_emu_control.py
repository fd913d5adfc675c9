"""The control surface in process: its calls, seeding, reset, clock, faults as hooks, stats, capture."""

from __future__ import annotations

import io
import json
import pathlib

import pytest

import imsemu
from imsemu.app import EmulatorApp
from imsemu.control.faults import FaultInjector, FaultPlan
from imsemu.control.urls import URL_PATHS
from imsemu.core.request import ANSWERED, UPLOAD_RECEIVED
from imsemu.defaults import PUBLIC_OWNER

OTHER = "c" * 32
UUID = "0f0f0f0f-0000-4000-8000-00000000abcd"


def control(app, method, path, body=None):
    response = app.control.handle(method, path, b"" if body is None else json.dumps(body).encode())
    return response.status, json.loads(response.body)


def test_every_call_answers_and_unknown_ones_do_not(app):
    bodies = {"/_emulator/faults": {"rules": []}, "/_emulator/seed": {"count": 1},
              "/_emulator/clock": {"offset_seconds": 0}, "/_emulator/quota": {"quota": 500},
              "/_emulator/jobs/config": {"job_seconds": 5}, "/_emulator/agencies": {"name": "a1"}}
    for method, path in URL_PATHS:
        status, _body = control(app, method, path, bodies.get(path) if method == "POST" else None)
        assert status == 200, (method, path)
    assert control(app, "GET", "/_emulator/stats/")[0] == 200  # a trailing slash is fine
    status, body = control(app, "GET", "/_emulator/nothing")
    assert status == 404 and body == {"error": "no control call GET /_emulator/nothing"}
    assert control(app, "PUT", "/_emulator/stats")[0] == 404
    response = app.control.handle("POST", "/_emulator/seed", b"{not json")
    assert (response.status, json.loads(response.body)) == (400, {"error": "the body is not valid JSON"})


def test_seeding(app):
    status, body = control(app, "POST", "/_emulator/seed", {
        "count": 3, "name": "build-{i:02d}", "status": "killed", "age_days": 2, "tags": ["t"],
        "members": [{"member": OTHER, "status": "accepted"}],
        "properties": {"__os_version": "Ubuntu 22.04 server 64bit", "min_disk": 40}})
    assert status == 200 and len(body["ids"]) == 3
    images = [app.store.get(i) for i in body["ids"]]
    assert [i["name"] for i in images] == ["build-00", "build-01", "build-02"]
    first = images[0]
    assert (first["status"], first["owner"], first["tags"], first["min_disk"]) == \
        ("killed", app.accounts[0].project_id, ["t"], 40)
    assert (first["__os_type"], first["__platform"]) == ("Linux", "Ubuntu")
    assert first["size"] is None  # only active images get a size
    assert app.store.relation(first, OTHER) == "accepted"
    assert first["created_at"] < first["updated_at"] or first["created_at"] == first["updated_at"]


def test_seeding_details(app):
    ids = app.control.seeder.seed({"images": [
        {"id": UUID, "created_at": "2024-05-06 07:08:09", "updated_at": "2024-06-01T00:00:00Z"},
        {"imagetype": "gold", "name": "pub"},
    ]})
    given, gold = app.store.get(ids[0]), app.store.get(ids[1])
    assert given["id"] == UUID and given["status"] == "active" and given["size"] >= 1 << 30
    assert (given["created_at"], given["updated_at"]) == ("2024-05-06T07:08:09Z", "2024-06-01T00:00:00Z")
    assert (gold["owner"], gold["protected"], gold["visibility"]) == (PUBLIC_OWNER, True, "public")


@pytest.mark.parametrize("payload", [
    {"colour": "red"}, {"count": -1}, {"status": "sleeping"}, {"imagetype": "shared"}, {"name": "{j}"},
    {"protected": "yes"}, {"tags": ["a/b"]}, {"properties": []}, {"id": "not-a-uuid"},
    {"id": UUID, "count": 2}, {"created_at": "yesterday"}, {"age_days": "1"},
    {"members": [{"member": OTHER, "status": "friend"}]}, {"members": ["x"]},
    {"images": [{"count": 1}, {"count": "many"}]},  # a bad second entry: nothing is seeded
    {"images": {}}, {"images": [], "count": 1}, [],
])
def test_a_bad_seed_is_refused_and_seeds_nothing(app, payload):
    status, body = control(app, "POST", "/_emulator/seed", payload)
    assert status == 400 and body["error"]
    assert app.store.images == {}


def test_reset_clock_and_tokens(app, call):
    app.control.seeder.seed({"count": 2})
    control(app, "POST", "/_emulator/faults", {"rules": [{"status": 503, "path": "/nothing"}]})
    call("GET", "/v2/images")
    status, body = control(app, "POST", "/_emulator/clock", {"offset_seconds": 3600})
    assert status == 200 and body["offset_seconds"] == 3600.0 and app.clock.offset == 3600.0
    assert control(app, "POST", "/_emulator/clock", {"offset_seconds": "1"})[0] == 400
    assert control(app, "POST", "/_emulator/tokens/expire") == (200, {"expired": 1})
    assert control(app, "POST", "/_emulator/reset") == (200, {})
    assert app.store.images == {} and app.iam.tokens == {}
    assert app.clock.offset == 0.0
    assert app.control.faults.describe()["rules"] == []
    assert app.control.stats.snapshot()["total"] == 0


def test_faults_answer_before_authentication_and_are_counted(app, call):
    control(app, "POST", "/_emulator/faults", {"seed": 1, "rules": [
        {"method": "GET", "path": "/v2/images", "sequence": [503, None, {"status": 429, "retry_after": 0.5}]}]})
    first = call("GET", "/v2/images", auth=False)
    assert first.status == 503 and first.json()["error_code"] == "APIGW.0201"
    assert call("GET", "/v2/images", auth=False).status == 401  # null: no fault, the real answer
    third = call("GET", "/v2/images")
    assert third.status == 429 and third.headers["Retry-After"] == "0.5"
    assert call("GET", "/v2/images").status == 200  # the sequence is used up
    assert control(app, "GET", "/_emulator/faults")[1]["rules"][0]["injected"] == 2


def test_an_after_fault_replaces_the_answer_once_the_work_is_done(app, call):
    control(app, "POST", "/_emulator/faults", {"rules": [
        {"method": "POST", "path": "/v2/images", "times": 1, "status": 500, "after": True}]})
    assert call("POST", "/v2/images", {"name": "made"}).status == 500
    assert [i["name"] for i in app.store.images.values()] == ["made"]  # it took effect
    assert call("POST", "/v2/images", {"name": "again"}).status == 201  # times: 1


def test_the_upload_fault_is_a_hook_of_the_request(app, make_ctx, call):
    plan = FaultPlan()
    plan.set({"rules": [{"method": "PUT", "upload_fail": True, "status": 503}]})
    upload_route, _params = app.router.resolve("PUT", "/v2/images/%s/file" % UUID)
    ctx = make_ctx("PUT", "/v2/images/%s/file" % UUID, route=upload_route)
    assert FaultInjector(plan)(ctx) is None  # nothing answered in the request's place...
    outcome = ctx.run_hooks(UPLOAD_RECEIVED)  # ...but the upload action's hook answers
    assert outcome.status == 503
    assert ctx.run_hooks(ANSWERED, "real") == "real"

    image_id = call("POST", "/v2/images", {"name": "u"}).json()["id"]
    control(app, "POST", "/_emulator/faults", {"rules": [{"method": "PUT", "upload_fail": True}]})
    failed = call("PUT", "/v2/images/%s/file" % image_id, body=b"x" * 10,
                  headers={"Content-Type": "application/octet-stream"})
    assert failed.status == 500 and failed.json()["error_code"] == "APIGW.0201"
    assert app.store.get(image_id)["status"] == "killed"
    control(app, "POST", "/_emulator/faults", {"rules": [{"method": "PUT", "upload_fail": True, "drop": True}]})
    other = call("POST", "/v2/images", {"name": "v"}).json()["id"]
    assert call("PUT", "/v2/images/%s/file" % other, body=b"y",
                headers={"Content-Type": "application/octet-stream"}).dropped


def test_latency_and_echo(make_ctx):
    slept = []
    plan = FaultPlan()
    plan.set({"latency": 0.25, "rules": [{"latency": 2, "status": 502, "echo": True}]})
    ctx = make_ctx("POST", "/v2/images?x=1", {"X-Auth-Token": "secret-token"}, b'{"name":"n"}')
    answer = FaultInjector(plan, sleep=slept.append)(ctx)
    assert slept == [0.25, 2.0]
    message = json.loads(answer.body)["error_msg"]
    assert message.startswith("Backend unavailable (injected fault). Request: POST /v2/images?x=1; headers: ")
    assert "X-Auth-Token: secret-token" in message and message.endswith('body: {"name":"n"}')


@pytest.mark.parametrize("plan", [
    [], {"latency": -1}, {"rules": {}}, {"rules": [1]}, {"rules": [{"status": 99}]},
    {"rules": [{"rate": 2}]}, {"rules": [{"times": -1}]}, {"rules": [{"path": "("}]},
    {"rules": [{"drop": "yes"}]}, {"rules": [{"sequence": 503}]}, {"rules": [{"sequence": ["x"]}]},
    {"rules": [{"retry_after": -1}]}, {"rules": [{"method": 1}]},
])
def test_a_bad_fault_plan_is_refused(app, plan):
    status, body = control(app, "POST", "/_emulator/faults", plan)
    assert status == 400 and body["error"]
    assert app.control.faults.describe()["rules"] == []


def test_stats_are_redacted(app, call, token):
    call("GET", "/v2/images?limit=1", headers={"Cookie": "c=1", "X-Security-Token": "s"})
    stats = app.control.stats.snapshot()
    assert (stats["total"], stats["by_method"], stats["by_route"]) == (1, {"GET": 1}, {"GET /v2/images": 1})
    entry = stats["log"][0]
    assert (entry["path"], entry["query"], entry["status"], entry["auth"]) == ("/v2/images", "limit=1", 200, "token")
    assert entry["headers"]["X-Auth-Token"] == entry["headers"]["Cookie"] == "<redacted>"
    assert entry["headers"]["X-Security-Token"] == "<redacted>"
    assert token not in json.dumps(stats)
    control(app, "POST", "/_emulator/stats/reset")
    assert app.control.stats.snapshot()["total"] == 0


def test_capture_writes_every_request_unredacted(tmp_path, headers_of):
    capture = tmp_path / "capture.jsonl"
    app = EmulatorApp(public_images=False, capture=str(capture))
    try:
        app.control.handle("GET", "/_emulator/stats", b"")  # the control surface is not captured
        assert not capture.exists()
        headers = headers_of({"X-Auth-Token": "tok-1", "Content-Type": "application/json"}, b'{"a":1}')
        app.serve("POST", "/v2/images", "", headers, io.BytesIO(b'{"a":1}'), "rid")
        entry = json.loads(capture.read_text().splitlines()[0])
        assert (entry["method"], entry["path"], entry["body"], entry["status"]) == ("POST", "/v2/images", '{"a":1}', 401)
        assert ["X-Auth-Token", "tok-1"] in entry["headers"]
    finally:
        app.close()


def test_the_api_packages_never_import_the_control_surface():
    root = pathlib.Path(imsemu.__file__).parent
    for package in ("core", "ims", "iam"):
        for path in (root / package).glob("*.py"):
            source = path.read_text(encoding="utf-8")
            assert "from ..control" not in source and "from .control" not in source, path
