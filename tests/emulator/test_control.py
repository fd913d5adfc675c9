"""The control surface under /_emulator/: stats, faults, clock, reset, seed (README "The control surface").

These tests call the control surface over plain HTTP, as the README documents it, and use
the harness only through the shared fixtures.
"""

import datetime
import http.client
import json
import re
import time
import urllib.parse
import uuid

import pytest
import requests

from emulator_client import A, B, PUBLIC_OWNER, AkSkSigner, gateway_error, ims_error

TS_FMT = "%Y-%m-%dT%H:%M:%SZ"


def ctl(emu, method, path, body=None):
    r = requests.request(method, emu.base_url.rstrip("/") + "/_emulator/" + path,
                         data=json.dumps(body) if body is not None else None,
                         headers={"Content-Type": "application/json"} if body is not None else {},
                         timeout=30)
    assert r.status_code < 300, (method, path, r.status_code, r.text)
    return r.json() if r.content else None


def set_faults(emu, plan):
    ctl(emu, "POST", "faults", plan)


def _ts(s):
    return datetime.datetime.strptime(s, TS_FMT).replace(tzinfo=datetime.timezone.utc)


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


# --------------------------------------------------------------------------------------
# Stats

def test_stats_counts_by_method_and_route(client, emu):
    client.token()
    ctl(emu, "POST", "stats/reset")
    assert ctl(emu, "GET", "stats")["total"] == 0
    client.get("/v2/images", params={"limit": 3})
    client.get("/v2/images")
    client.get("/v2/images", auth="token")
    img = client.create()
    client.show(img["id"])
    client.patch_ops(img["id"], [{"op": "replace", "path": "/name", "value": "n"}])
    assert client.get("/v2/images", auth=None).status_code == 401
    # control calls are not counted
    for _attempt in range(3):
        ctl(emu, "GET", "stats")
    ctl(emu, "GET", "faults")
    st = ctl(emu, "GET", "stats")
    assert st["total"] == 7
    assert st["by_method"].get("GET") == 5
    assert st["by_method"].get("POST") == 1
    assert st["by_method"].get("PATCH") == 1
    assert sum(st["by_method"].values()) == 7
    assert st["by_route"].get("GET /v2/images") == 4
    assert st["by_route"].get("POST /v2/images") == 1
    assert st["by_route"].get("GET /v2/images/{id}") == 1
    assert st["by_route"].get("PATCH /v2/images/{id}") == 1
    assert sum(st["by_route"].values()) == 7
    log = st["log"]
    assert len(log) == 7
    for entry in log:
        for k in ("method", "path", "query", "status", "headers", "auth"):
            assert k in entry, (k, entry)
    assert [e["method"] for e in log] == ["GET", "GET", "GET", "POST", "GET", "PATCH", "GET"]
    assert [e["auth"] for e in log] == ["aksk", "aksk", "token", "aksk", "aksk", "aksk", "none"]
    assert [e["status"] for e in log] == [200, 200, 200, 201, 200, 200, 401]
    assert log[4]["path"] == "/v2/images/%s" % img["id"]
    assert "limit" in json.dumps(log[0]["query"]) and "3" in json.dumps(log[0]["query"])
    ctl(emu, "POST", "stats/reset")
    st = ctl(emu, "GET", "stats")
    assert st["total"] == 0 and st["log"] == [] and not any(st["by_method"].values())


def test_stats_harness_wrappers(client, emu):
    client.get("/v2/images")
    assert emu.stats()["total"] == 1
    emu.reset_stats()
    assert emu.stats()["total"] == 0


def test_stats_count_faulted_requests(client, emu):
    set_faults(emu, {"rules": [{"method": "GET", "path": "/v2/images", "status": 503, "times": 1}]})
    assert client.get("/v2/images").status_code == 503
    assert client.get("/v2/images").status_code == 200
    st = ctl(emu, "GET", "stats")
    assert st["total"] == 2
    assert [e["status"] for e in st["log"]] == [503, 200]


# --------------------------------------------------------------------------------------
# Faults

@pytest.mark.parametrize("status,code", [(500, "APIGW.0201"), (502, "APIGW.0201"), (503, "APIGW.0201"),
                                         (504, "APIGW.0201"), (429, "APIGW.0308")])
def test_fault_status_shape(client, emu, status, code):
    set_faults(emu, {"rules": [{"path": "/v2/images", "status": status}]})
    gateway_error(client.get("/v2/images"), status, code)


@pytest.mark.parametrize("status", [401, 403])
def test_fault_auth_statuses_gateway_shape(client, emu, status):
    set_faults(emu, {"rules": [{"path": "/v2/images", "status": status}]})
    r = client.get("/v2/images")
    assert r.status_code == status
    body = r.json()
    assert body["error_code"].startswith("APIGW.")
    assert body["request_id"] == r.headers["X-Request-Id"]


def test_fault_429_retry_after(client, emu):
    set_faults(emu, {"rules": [{"path": "/v2/images", "sequence": [
        {"status": 429, "retry_after": 2}, 429]}]})
    r = client.get("/v2/images")
    gateway_error(r, 429, "APIGW.0308")
    assert r.headers.get("Retry-After") == "2"
    r = client.get("/v2/images")
    gateway_error(r, 429, "APIGW.0308")
    assert "Retry-After" not in r.headers
    assert client.get("/v2/images").status_code == 200


def test_fault_times(client, emu):
    set_faults(emu, {"rules": [{"method": "GET", "path": "/v2/images", "status": 503, "times": 2}]})
    assert [client.get("/v2/images").status_code for _attempt in range(4)] == [503, 503, 200, 200]
    plan = ctl(emu, "GET", "faults")
    assert plan["rules"][0]["path"] == "/v2/images"
    counts = [v for k, v in plan["rules"][0].items() if isinstance(v, int) and not isinstance(v, bool)
              and k not in ("times", "status")]
    assert 2 in counts, plan


def test_fault_injected_count_reported(client, emu):
    set_faults(emu, {"rules": [{"method": "GET", "path": "/v2/images", "status": 503, "times": 7}]})
    for _attempt in range(3):
        client.get("/v2/images")
    plan = emu.faults()
    rule = plan["rules"][0]
    assert rule.get("times") == 7
    assert 3 in [v for k, v in rule.items() if k not in ("times", "status") and isinstance(v, int)
                 and not isinstance(v, bool)], plan


def test_fault_sequence_with_null(client, emu):
    set_faults(emu, {"rules": [{"path": "/v2/images", "sequence": [503, None, 502, {"status": 500}]}]})
    got = [client.get("/v2/images").status_code for _attempt in range(6)]
    assert got == [503, 200, 502, 500, 200, 200]


def test_fault_sequence_counts_only_matching_requests(client, emu):
    img = client.create()
    set_faults(emu, {"rules": [{"method": "GET", "path": "/v2/images", "sequence": [None, 503]}]})
    assert client.show(img["id"]).status_code == 200      # not matching: does not use the sequence
    assert client.post("/v2/images", json={"name": "x"}).status_code == 201
    assert client.get("/v2/images").status_code == 200   # null
    assert client.get("/v2/images").status_code == 503
    assert client.get("/v2/images").status_code == 200


def test_fault_drop(client, emu):
    set_faults(emu, {"rules": [{"path": "/v2/images", "sequence": [{"drop": True}]}]})
    with pytest.raises(requests.ConnectionError):
        client.get("/v2/images")
    assert client.get("/v2/images").status_code == 200


def test_fault_rate_is_seeded(client, emu):
    plan = {"seed": 7, "rules": [{"method": "GET", "path": "/v2/images", "rate": 0.5, "status": 503}]}
    set_faults(emu, plan)
    first = [client.get("/v2/images").status_code for _attempt in range(40)]
    assert set(first) == {200, 503}
    assert 5 <= first.count(503) <= 35
    set_faults(emu, plan)
    again = [client.get("/v2/images").status_code for _attempt in range(40)]
    assert again == first
    set_faults(emu, dict(plan, seed=8))
    other = [client.get("/v2/images").status_code for _attempt in range(40)]
    assert other != first


def test_fault_rate_zero_and_one(client, emu):
    set_faults(emu, {"seed": 1, "rules": [{"path": "/v2/images", "rate": 0, "status": 503}]})
    assert {client.get("/v2/images").status_code for _attempt in range(10)} == {200}
    set_faults(emu, {"seed": 1, "rules": [{"path": "/v2/images", "rate": 1, "status": 503}]})
    assert {client.get("/v2/images").status_code for _attempt in range(10)} == {503}


def test_fault_rate_with_times(client, emu):
    set_faults(emu, {"seed": 3, "rules": [{"path": "/v2/images", "rate": 0.5, "times": 2, "status": 503}]})
    got = [client.get("/v2/images").status_code for _attempt in range(40)]
    assert got.count(503) == 2


def test_fault_method_filter(client, emu):
    set_faults(emu, {"rules": [{"method": "POST", "path": "/v2/images", "status": 503}]})
    assert client.get("/v2/images").status_code == 200
    gateway_error(client.post("/v2/images", json={"name": "x"}), 503, "APIGW.0201")
    assert client.list_all({"name": "x"}) == []


def test_fault_path_must_match_whole_path(client, emu):
    img = client.create()
    set_faults(emu, {"rules": [{"path": "/v2/images", "status": 503}]})
    assert client.show(img["id"]).status_code == 200
    assert client.get("/v2/images").status_code == 503
    set_faults(emu, {"rules": [{"path": "/v2/images/.*", "status": 503}]})
    assert client.get("/v2/images").status_code == 200
    assert client.show(img["id"]).status_code == 503
    set_faults(emu, {"rules": [{"path": "/v2/images/[^/]+", "status": 503}]})
    assert client.get("/v2/images/%s/members" % img["id"]).status_code == 200
    assert client.show(img["id"]).status_code == 503


def test_fault_rule_without_path_or_method_matches_all(client, emu):
    img = client.create()
    set_faults(emu, {"rules": [{"status": 502}]})
    assert client.get("/v2/images").status_code == 502
    assert client.show(img["id"]).status_code == 502
    assert client.delete("/v2/images/%s" % img["id"]).status_code == 502


def test_fault_first_rule_that_fires_decides(client, emu):
    set_faults(emu, {"rules": [
        {"path": "/v2/images", "status": 500, "times": 1},
        {"path": "/v2/images", "status": 503},
    ]})
    assert [client.get("/v2/images").status_code for _attempt in range(3)] == [500, 503, 503]
    set_faults(emu, {"seed": 5, "rules": [
        {"path": "/v2/images", "rate": 0, "status": 500},
        {"path": "/v2/images", "status": 502},
    ]})
    assert client.get("/v2/images").status_code == 502


def test_fault_after_on_post(client, emu):
    set_faults(emu, {"rules": [{"method": "POST", "path": "/v2/images", "times": 1, "status": 500,
                                "after": True}]})
    r = client.post("/v2/images", json={"name": "after-fault", "disk_format": "qcow2",
                                        "container_format": "bare"})
    gateway_error(r, 500, "APIGW.0201")
    got = client.list_all({"name": "after-fault"})
    assert len(got) == 1 and got[0]["status"] == "queued"


def test_fault_after_drop_on_post(client, emu):
    set_faults(emu, {"rules": [{"method": "POST", "path": "/v2/images", "times": 1, "drop": True,
                                "after": True}]})
    with pytest.raises(requests.ConnectionError):
        client.post("/v2/images", json={"name": "after-drop"})
    assert len(client.list_all({"name": "after-drop"})) == 1


def test_fault_after_on_delete(client, emu):
    img = client.create()
    set_faults(emu, {"rules": [{"method": "DELETE", "status": 503, "after": True}]})
    assert client.delete("/v2/images/%s" % img["id"]).status_code == 503
    emu.clear_faults()
    ims_error(client.show(img["id"]), 404, "IMG.0144")


def test_fault_without_after_has_no_effect(client, emu):
    set_faults(emu, {"rules": [{"method": "POST", "path": "/v2/images", "times": 1, "status": 500}]})
    assert client.post("/v2/images", json={"name": "no-effect"}).status_code == 500
    assert client.list_all({"name": "no-effect"}) == []


def test_latency_plan(client, emu):
    set_faults(emu, {"latency": 0.3, "rules": []})
    t0 = time.monotonic()
    r = client.get("/v2/images")
    assert time.monotonic() - t0 >= 0.3
    assert r.status_code == 200


def test_latency_rule(client, emu):
    set_faults(emu, {"rules": [{"path": "/v2/images", "times": 1, "status": 503, "latency": 0.4}]})
    t0 = time.monotonic()
    r = client.get("/v2/images")
    assert time.monotonic() - t0 >= 0.4
    assert r.status_code == 503


def test_latency_rule_without_status(client, emu):
    set_faults(emu, {"rules": [{"path": "/v2/images", "times": 1, "latency": 0.3}]})
    t0 = time.monotonic()
    r = client.get("/v2/images")
    assert time.monotonic() - t0 >= 0.3
    assert r.status_code == 200, r.text


def test_control_surface_never_faulted(client, emu):
    set_faults(emu, {"latency": 0.0, "rules": [{"path": ".*", "status": 503}, {"status": 500}]})
    assert client.get("/v2/images").status_code == 503
    assert ctl(emu, "GET", "stats")["total"] == 1
    ctl(emu, "GET", "images")
    ctl(emu, "GET", "faults")
    ctl(emu, "DELETE", "faults")
    assert client.get("/v2/images").status_code == 200


def test_faults_get_and_clear(client, emu):
    plan = {"seed": 7, "latency": 0.0, "rules": [
        {"method": "GET", "path": "/v2/images", "rate": 0.2, "status": 503},
        {"path": "/v2/images/.*", "sequence": [429, {"status": 429, "retry_after": 1}, None, {"drop": True}]},
    ]}
    set_faults(emu, plan)
    got = ctl(emu, "GET", "faults")
    assert got["seed"] == 7
    assert len(got["rules"]) == 2
    assert got["rules"][0]["status"] == 503 and got["rules"][0]["rate"] == 0.2
    assert got["rules"][1]["sequence"] == plan["rules"][1]["sequence"]
    ctl(emu, "DELETE", "faults")
    assert not ctl(emu, "GET", "faults").get("rules")
    assert {client.get("/v2/images").status_code for _attempt in range(10)} == {200}


def test_faults_replaced_not_merged(client, emu):
    set_faults(emu, {"rules": [{"method": "GET", "path": "/v2/images", "status": 503}]})
    set_faults(emu, {"rules": [{"method": "POST", "path": "/v2/images", "status": 502}]})
    assert client.get("/v2/images").status_code == 200
    assert client.post("/v2/images", json={"name": "x"}).status_code == 502


def test_harness_fault_wrappers(client, emu):
    emu.set_faults({"rules": [{"path": "/v2/images", "status": 503}]})
    assert client.get("/v2/images").status_code == 503
    emu.clear_faults()
    assert client.get("/v2/images").status_code == 200


# --------------------------------------------------------------------------------------
# Clock

def test_clock_offset(client, emu):
    ctl(emu, "POST", "clock", {"offset_seconds": 7200})
    client.clock_offset = 7200
    img = client.create(name="future")
    delta = (_ts(img["created_at"]) - _now()).total_seconds()
    assert 7200 - 300 <= delta <= 7200 + 300
    # a request signed with the real time is now 2 h off
    gateway_error(client.get("/v2/images", now=_now()), 401, "APIGW.0301")
    ctl(emu, "POST", "clock", {"offset_seconds": 0})
    client.clock_offset = 0
    img = client.create(name="present")
    assert abs((_ts(img["created_at"]) - _now()).total_seconds()) <= 300


def test_clock_ages_seeded_images(client, emu):
    emu.clock(-86400 * 3)
    client.clock_offset = -86400 * 3
    (iid,) = emu.seed(name="aged", age_days=1)
    created = _ts(client.show(iid).json()["created_at"])
    assert abs((created - (_now() - datetime.timedelta(days=4))).total_seconds()) <= 300


# --------------------------------------------------------------------------------------
# Reset

def _catalogue(client):
    return sorted((i["__imagetype"], i["name"]) for i in client.list_all({"visibility": "public"}))


def test_reset(client, emu):
    before = _catalogue(client)
    assert before and any(t == "market" for t, _name in before)
    img = client.create()
    emu.seed(imagetype="gold", owner=PUBLIC_OWNER, name="extra-gold", protected=True)
    tok = client.token()
    set_faults(emu, {"rules": [{"method": "POST", "path": "/v2/images/.*", "status": 503}]})
    client.get("/v2/images")
    ctl(emu, "POST", "reset")
    assert ctl(emu, "GET", "stats")["total"] == 0
    assert not ctl(emu, "GET", "faults").get("rules")
    ims_error(client.show(img["id"]), 404, "IMG.0144")
    assert _catalogue(client) == before
    gateway_error(client.get("/v2/images", auth="token", token=tok), 401, "APIGW.0301")
    assert client.get("/v2/images", auth="token", token=client.token(fresh=True)).status_code == 200


def test_reset_drops_members(client, client_b, emu):
    img = client.create()
    client.post("/v2/images/%s/members" % img["id"], json={"member": B["project_id"]})
    emu.reset()
    assert client_b.list_all([("visibility", "shared"), ("member_status", "pending")]) == []
    assert [i for i in client.list_all() if i["owner"] == A["project_id"]] == []


# --------------------------------------------------------------------------------------
# Seed

def test_seed_count_pattern_age_tags_members(client, client_b, emu):
    spec = {"count": 5, "owner": A["project_id"], "name": "build-{i:04d}", "status": "killed",
            "age_days": 10, "tags": ["team=ci"], "protected": False, "imagetype": "private",
            "members": [{"member": B["project_id"], "status": "accepted"}],
            "properties": {"__os_version": "Ubuntu 14.04 server 64bit"}}
    r = ctl(emu, "POST", "seed", spec)
    ids = r["ids"]
    assert len(ids) == 5 and len(set(ids)) == 5
    got = client.list_all([("tag", "team=ci"), ("sort_key", "name"), ("sort_dir", "asc")])
    assert [i["name"] for i in got] == ["build-%04d" % i for i in range(5)]
    assert sorted(i["id"] for i in got) == sorted(ids)
    ten_days_ago = _now() - datetime.timedelta(days=10)
    for img in got:
        assert img["status"] == "killed"
        assert img["tags"] == ["team=ci"]
        assert img["protected"] is False
        assert img["owner"] == A["project_id"]
        assert img["__imagetype"] == "private" and img["visibility"] == "private"
        assert img["__os_version"] == "Ubuntu 14.04 server 64bit"
        assert abs((_ts(img["created_at"]) - ten_days_ago).total_seconds()) <= 300
        for k, v in img.items():
            if k.startswith("__"):
                assert isinstance(v, str), (k, v)
    seen_b = {i["id"]: i for i in client_b.list_all({"tag": "team=ci"})}
    assert sorted(seen_b) == sorted(ids)
    assert all(i["__imagetype"] == "shared" and i["visibility"] == "shared" for i in seen_b.values())
    m = client.get("/v2/images/%s/members/%s" % (ids[0], B["project_id"]))
    assert m.status_code == 200 and m.json()["status"] == "accepted"


def test_seed_defaults(client, emu):
    ids = emu.seed()
    assert len(ids) == 1
    img = client.show(ids[0]).json()
    assert img["owner"] == A["project_id"]  # the first account's project
    assert img["status"] == "active"
    assert img["__imagetype"] == "private"
    assert isinstance(img["size"], int) and img["size"] > 0
    assert isinstance(img["checksum"], str) and len(img["checksum"]) == 32
    assert img["__image_size"] == str(img["size"])
    assert isinstance(img["min_disk"], int) and isinstance(img["min_ram"], int)
    assert isinstance(img["protected"], bool) and isinstance(img["tags"], list)
    assert abs((_ts(img["created_at"]) - _now()).total_seconds()) <= 300
    for field in ("schema", "self", "file", "virtual_env_type", "__isregistered", "__image_source_type",
                  "container_format", "disk_format", "min_ram", "min_disk", "visibility", "updated_at"):
        assert field in img, field


def test_seed_age_seconds_and_created_at(client, emu):
    (a,) = emu.seed(name="aged-1h", age_seconds=3600)
    (b,) = emu.seed(name="explicit", created_at="2019-05-06T07:08:09Z")
    created = _ts(client.show(a).json()["created_at"])
    assert abs((created - (_now() - datetime.timedelta(hours=1))).total_seconds()) <= 300
    assert client.show(b).json()["created_at"] == "2019-05-06T07:08:09Z"


def test_seed_images_list_form(client, client_b, emu):
    r = ctl(emu, "POST", "seed", {"images": [
        {"name": "one", "status": "queued", "tags": ["x"]},
        {"name": "two", "owner": B["project_id"], "protected": True},
        {"name": "pub", "imagetype": "gold", "owner": PUBLIC_OWNER},
        {"name": "mkt", "imagetype": "market", "owner": PUBLIC_OWNER},
    ]})
    one, two, pub, mkt = r["ids"]
    i1 = client.show(one).json()
    assert i1["name"] == "one" and i1["status"] == "queued" and i1["tags"] == ["x"]
    assert i1["size"] is None and i1["checksum"] is None
    ims_error(client.show(two), 404, "IMG.0144")
    i2 = client_b.show(two).json()
    assert i2["owner"] == B["project_id"] and i2["protected"] is True
    for c in (client, client_b):
        p = c.show(pub).json()
        assert p["visibility"] == "public" and p["__imagetype"] == "gold"
        m = c.show(mkt).json()
        assert m["visibility"] == "public" and m["__imagetype"] == "market"


def test_seed_many_images(client, emu):
    ids = emu.seed(count=2000, name="bulk-{i}", tags=["bulk"])
    assert len(ids) == 2000
    body = client.list([("tag", "bulk"), ("limit", "1000")])
    assert len(body["images"]) == 1000 and "next" in body
    assert len(client.list_all({"tag": "bulk"})) == 2000


def test_control_images_all_projects(client, client_b, emu):
    a = client.create(name="a-img")
    b = client_b.create(name="b-img")
    r = requests.get(emu.base_url.rstrip("/") + "/_emulator/images", timeout=30)
    assert r.status_code == 200
    text = r.text
    assert a["id"] in text and b["id"] in text
    data = r.json()
    imgs = data["images"] if isinstance(data, dict) else data
    owners = {i["owner"] for i in imgs}
    assert {A["project_id"], B["project_id"], PUBLIC_OWNER} <= owners
    via_harness = emu.images()
    via_harness = via_harness["images"] if isinstance(via_harness, dict) else via_harness
    assert {i["id"] for i in via_harness} == {i["id"] for i in imgs}


# --------------------------------------------------------------------------------------
# X-Request-Id

def test_request_id_on_every_response(client, client_b, emu):
    responses = []
    responses.append(client.get("/v2/images"))                                   # 200
    img_r = client.post("/v2/images", json={"name": "rid"})                      # 201
    responses.append(img_r)
    iid = img_r.json()["id"]
    responses.append(client.patch_ops(iid, [{"op": "replace", "path": "/name", "value": "r"}]))
    responses.append(client.put("/v2/images/%s/tags/t1" % iid))                 # 204
    responses.append(client.get("/v2/images/%s/file" % iid))                    # 204
    responses.append(client.post("/v2/images", json={"disk_format": "nope"}))   # 400
    responses.append(client.show(str(uuid.uuid4())))                            # 404
    responses.append(client.patch("/v2/images/%s" % iid, data="[]",
                                  headers={"Content-Type": "application/json"}))  # 415
    responses.append(client.get("/v2/images", auth=None))                        # 401
    responses.append(client.get("/v2/images", auth="token", token="bogus"))      # 401
    responses.append(client.get("/v2/images", account=dict(A, project_id=B["project_id"])))  # 403
    responses.append(client.session.post(client.base + "/v3/auth/tokens", json={"auth": {}}))
    responses.append(client.session.post(client.base + "/v3/auth/tokens", json={
        "auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "emulator-user", "password": "emulator-password",
            "domain": {"name": "emulator-domain"}}}}, "scope": {"project": {"name": "cn-north-4"}}}}))
    responses.append(client.delete("/v2/images/%s" % iid))                     # 204
    responses.append(client.get("/v2/nothing-here"))
    set_faults(emu, {"rules": [{"path": "/v2/images", "sequence": [503, 429]}]})
    responses.append(client.get("/v2/images"))
    responses.append(client.get("/v2/images"))
    responses.append(requests.get(emu.base_url.rstrip("/") + "/_emulator/stats", timeout=30))
    ids = []
    for r in responses:
        rid = r.headers.get("X-Request-Id")
        assert rid, (r.request.method, r.request.url, r.status_code)
        assert re.fullmatch(r"[0-9a-fA-F-]{8,}", rid), rid
        ids.append(rid)
    assert len(set(ids)) == len(ids)
    statuses = {r.status_code for r in responses}
    assert {200, 201, 204, 400, 401, 403, 404, 415, 429, 503} <= statuses


def test_keep_alive(emu):
    """HTTP/1.1 keep-alive: two signed API requests over one connection."""
    host = urllib.parse.urlsplit(emu.base_url).netloc
    signer = AkSkSigner(A["access_key"], A["secret_key"], A["project_id"])
    conn = http.client.HTTPConnection(host, timeout=10)
    try:
        socks = []
        for _attempt in range(3):
            url = emu.base_url.rstrip("/") + "/v2/images?limit=2"
            conn.request("GET", "/v2/images?limit=2", headers=signer.sign("GET", url))
            r = conn.getresponse()
            r.read()
            assert r.status == 200
            assert conn.sock is not None, "the emulator closed the connection after one response"
            socks.append(conn.sock)
        assert socks[0] is socks[1] is socks[2]
    finally:
        conn.close()
