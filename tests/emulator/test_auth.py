"""Authentication as the gateway does it: AK/SK signatures, tokens, IAM (README "Authentication")."""

import datetime
import hashlib
import json
import urllib.parse

import pytest
import requests

from emulator_client import (A, B, V, VECTORS, USER_A, USER_B, AkSkSigner, Client,
                             gateway_error, password_body, start_emulator)

VECTOR_TIME = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
PATCH_VECTOR_IMAGE = "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86"


def _vector(name_part):
    for v in VECTORS["vectors"]:
        if name_part in v["name"]:
            return v
    raise KeyError(name_part)


def _vector_clock(client):
    """Set the emulator's clock (and the client's) so that now == 2024-01-02T03:04:05Z."""
    offset = (VECTOR_TIME - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    client.set_clock(offset)


def _send_vector(client, vec, headers=None):
    parts = urllib.parse.urlsplit(vec["url"])
    path = parts.path + ("?" + parts.query if parts.query else "")
    hdrs = dict(vec["headers"] if headers is None else headers)
    hdrs["Authorization"] = vec["authorization"]
    data = vec["body"].encode()
    return client.session.request(vec["method"], client.base + path, headers=hdrs,
                                  data=data if data else None, timeout=30)


def client_sign(client, method, url, headers=None, body=b"", account=None, now=None):
    acc = account or A
    return AkSkSigner(acc["access_key"], acc["secret_key"], acc["project_id"]).sign(
        method, url, headers=dict(headers or {}), body=body, now=now or client.now())


# --------------------------------------------------------------------------------------
# Official vectors are accepted.

def test_vector_list_accepted(client):
    vec = _vector("list images")
    _vector_clock(client)
    r = _send_vector(client, vec)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["images"], list)
    assert body["images"] == []  # nothing matches name "my image" in the vectors' project


def test_vector_create_accepted(client):
    vec = _vector("create image")
    assert hashlib.sha256(vec["body"].encode()).hexdigest() == vec["body_sha256"]
    _vector_clock(client)
    r = _send_vector(client, vec)
    assert r.status_code == 201, r.text
    img = r.json()
    assert img["name"] == "test-image"
    assert img["owner"] == V["project_id"]
    assert img["status"] == "queued"
    assert img["min_disk"] == 40 and img["min_ram"] == 1024
    assert img["tags"] == ["env=test"]
    # the emulator's clock was at the vectors' date
    assert img["created_at"].startswith("2024-01-02T03:0")


def test_vector_json_patch_unsigned_payload_accepted(client):
    created = client.create(name="test", id=PATCH_VECTOR_IMAGE, account=V)
    assert created["id"] == PATCH_VECTOR_IMAGE
    vec = _vector("json-patch")
    _vector_clock(client)
    r = _send_vector(client, vec)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "renamed"
    assert client.show(PATCH_VECTOR_IMAGE, account=V).json()["name"] == "renamed"


def test_vector_rejected_at_real_time(client):
    """The same signed request, 16+ minutes after its date (here: months), is refused."""
    vec = _vector("list images")
    r = _send_vector(client, vec)
    gateway_error(r, 401, "APIGW.0301")


def test_vector_with_another_host_header_rejected(client):
    vec = _vector("list images")
    _vector_clock(client)
    hdrs = dict(vec["headers"])
    hdrs["Host"] = "ims.ap-southeast-1.myhuaweicloud.com"
    r = _send_vector(client, vec, headers=hdrs)
    gateway_error(r, 401, "APIGW.0301")


# --------------------------------------------------------------------------------------
# Refusals.

def test_signed_request_accepted(client):
    r = client.get("/v2/images")
    assert r.status_code == 200, r.text


def test_tampered_signature(client):
    url = client.url("/v2/images", {"limit": 5})
    hdrs = client_sign(client, "GET", url)
    auth = hdrs["Authorization"]
    last = auth[-1]
    hdrs["Authorization"] = auth[:-1] + ("0" if last != "0" else "1")
    r = client.session.get(url, headers=hdrs)
    gateway_error(r, 401, "APIGW.0301")


def test_changed_query_value(client):
    url = client.url("/v2/images", {"limit": 10, "sort_dir": "asc"})
    hdrs = client_sign(client, "GET", url)
    assert "limit=10" in url
    r = client.session.get(url.replace("limit=10", "limit=11"), headers=hdrs)
    gateway_error(r, 401, "APIGW.0301")


def test_added_query_parameter(client):
    url = client.url("/v2/images", {"limit": 10})
    hdrs = client_sign(client, "GET", url)
    r = client.session.get(url + "&sort_dir=asc", headers=hdrs)
    gateway_error(r, 401, "APIGW.0301")


def test_query_order_does_not_matter(client):
    """The server canonicalises the query it receives: sorted by name then value."""
    params = [("limit", "10"), ("sort_dir", "asc"), ("tag", "b=2"), ("tag", "a=1")]
    url = client.url("/v2/images", params)
    hdrs = client_sign(client, "GET", url)
    base, query = url.split("?", 1)
    reordered = "&".join(reversed(query.split("&")))
    assert reordered != query
    r = client.session.get(base + "?" + reordered, headers=hdrs)
    assert r.status_code == 200, r.text


def test_encoded_query_values_accepted(client):
    """Spaces and colons in values are encoded as %20 / %3A in the canonical query."""
    r = client.get("/v2/images", params={"name": "my image: one", "created_at": "gt:2018-10-28 10:00:00",
                                         "limit": 3})
    assert r.status_code == 200, r.text
    assert "%20" in r.request.url and "%3A" in r.request.url


def test_changed_body(client):
    body = json.dumps({"name": "aaa", "container_format": "bare", "disk_format": "qcow2"}).encode()
    url = client.url("/v2/images")
    hdrs = client_sign(client, "POST", url, headers={"Content-Type": "application/json"}, body=body)
    assert "X-Sdk-Content-Sha256" not in hdrs  # JSON bodies are signed
    r = client.session.post(url, headers=hdrs, data=body.replace(b"aaa", b"bbb"))
    gateway_error(r, 401, "APIGW.0301")
    assert list(client.list_all({"name": "bbb"})) == []
    r = client.session.post(url, headers=hdrs, data=body)
    assert r.status_code == 201, r.text


def test_unknown_access_key(client):
    unknown = {"access_key": "UNKNOWNAKUNKNOWNAK99", "secret_key": A["secret_key"],
               "project_id": A["project_id"]}
    r = client.get("/v2/images", account=unknown)
    gateway_error(r, 401, "APIGW.0301")


def test_wrong_secret_key(client):
    wrong = dict(A, secret_key="not-the-secret")
    r = client.get("/v2/images", account=wrong)
    gateway_error(r, 401, "APIGW.0301")


@pytest.mark.parametrize("minutes", [-16, 16])
def test_date_skew_over_15_minutes(client, minutes):
    r = client.get("/v2/images", now=client.now() + datetime.timedelta(minutes=minutes))
    gateway_error(r, 401, "APIGW.0301")


@pytest.mark.parametrize("minutes", [-14, 14])
def test_date_skew_under_15_minutes_accepted(client, minutes):
    r = client.get("/v2/images", now=client.now() + datetime.timedelta(minutes=minutes))
    assert r.status_code == 200, r.text


def test_skew_is_measured_against_emulator_clock(client):
    client.emu.clock(3600)  # the client keeps signing with the real time
    r = client.get("/v2/images")
    gateway_error(r, 401, "APIGW.0301")
    client.set_clock(3600)  # now it signs with the emulator's time
    assert client.get("/v2/images").status_code == 200


def test_project_of_another_account(client):
    other = dict(A, project_id=B["project_id"])
    r = client.get("/v2/images", account=other)
    gateway_error(r, 403, "APIGW.0302")


def test_unknown_project(client):
    other = dict(A, project_id="ffffffffffffffffffffffffffffffff")
    r = client.get("/v2/images", account=other)
    gateway_error(r, 403, "APIGW.0302")


def test_missing_project_id(client):
    url = client.url("/v2/images")
    hdrs = AkSkSigner(A["access_key"], A["secret_key"], None).sign("GET", url, now=client.now())
    assert "X-Project-Id" not in hdrs  # a correctly signed request without the header
    r = client.session.get(url, headers=hdrs)
    gateway_error(r, 403, "APIGW.0302")


def test_unsigned_payload_for_json_patch(client):
    img = client.create(name="before")
    url = client.url("/v2/images/%s" % img["id"])
    ct = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
    signed_body = json.dumps([{"op": "replace", "path": "/name", "value": "signed"}]).encode()
    hdrs = client_sign(client, "PATCH", url, headers=ct, body=signed_body)
    assert hdrs.get("X-Sdk-Content-Sha256") == "UNSIGNED-PAYLOAD"
    assert "x-sdk-content-sha256" in hdrs["Authorization"]
    # the payload is not part of the signature: another body goes through
    sent = json.dumps([{"op": "replace", "path": "/name", "value": "sent"}]).encode()
    r = client.session.patch(url, headers=hdrs, data=sent)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "sent"


def test_unsigned_payload_upload(client):
    img = client.create()
    r = client.upload(img["id"], b"x" * 1000, auth="aksk")
    assert r.status_code == 204, r.text
    assert r.request.headers.get("X-Sdk-Content-Sha256") == "UNSIGNED-PAYLOAD"


def test_security_token_signed_accepted(client):
    r = client.get("/v2/images", security_token="any-temporary-token-value")
    assert r.status_code == 200, r.text
    assert "x-security-token" in r.request.headers["Authorization"]


def test_security_token_unsigned_rejected(client):
    url = client.url("/v2/images")
    hdrs = client_sign(client, "GET", url)
    hdrs["X-Security-Token"] = "added-after-signing"
    r = client.session.get(url, headers=hdrs)
    gateway_error(r, 401, "APIGW.0301")


def test_path_segments_encoded(client):
    """A tag with '=', ' ' and ':' in the path: canonical URI re-encodes each segment."""
    img = client.create()
    tag = "env=prod x:1"
    path = "/v2/images/%s/tags/%s" % (img["id"], urllib.parse.quote(tag, safe=""))
    r = client.put(path)
    assert r.status_code == 204, r.text
    assert tag in client.show(img["id"]).json()["tags"]


def test_no_credentials(client):
    r = client.get("/v2/images", auth=None)
    assert r.status_code == 401, r.text
    assert r.headers.get("X-Request-Id")


def test_signed_body_over_12_mb(client):
    img = client.create()
    data = bytes(13 * 1024 * 1024)
    try:
        r = client.upload(img["id"], data, auth="aksk")
    except requests.ConnectionError as exc:  # pragma: no cover - reported as a failure
        pytest.fail("AK/SK upload of 13 MiB: connection error instead of 413: %r" % exc)
    assert r.status_code == 413, r.text
    # the same body over a token is fine (large uploads use a token)
    r = client.upload(img["id"], data, auth="token")
    assert r.status_code == 204, r.text
    assert client.show(img["id"]).json()["size"] == len(data)


def test_signed_body_of_12_mb_or_less_accepted(client):
    img = client.create()
    data = bytes(12 * 1000 * 1000)
    r = client.upload(img["id"], data, auth="aksk")
    assert r.status_code == 204, r.text


# --------------------------------------------------------------------------------------
# Tokens and IAM.

def _iam(client, body):
    return client.session.post(client.base + "/v3/auth/tokens", json=body)


def test_iam_token_scoped_by_project_id(client):
    r = _iam(client, password_body(USER_A, project_id=A["project_id"]))
    assert r.status_code == 201, r.text
    assert r.headers.get("X-Subject-Token")
    tok = r.json()["token"]
    assert tok["methods"] == ["password"]
    assert tok["project"]["id"] == A["project_id"]
    assert isinstance(tok["project"]["name"], str)
    assert isinstance(tok["user"], dict)
    issued = _ts(tok["issued_at"])
    expires = _ts(tok["expires_at"])
    assert abs((expires - issued).total_seconds() - 86400) <= 2
    assert r.headers.get("X-Request-Id")


@pytest.mark.parametrize("region", ["cn-north-4", "ap-southeast-1"])
def test_iam_token_scoped_by_region_name(client, emu, region):
    """A region's name scopes the token to the user's project in that region (README "Regions")."""
    r = _iam(client, password_body(USER_A, project_name=region))
    assert r.status_code == 201, r.text
    assert r.json()["token"]["project"] == dict(r.json()["token"]["project"], id=emu.project_id(region), name=region)
    r2 = _iam(client, password_body(USER_B, project_name=region))
    assert r2.status_code == 201, r2.text
    assert r2.json()["token"]["project"]["id"] == emu.project_id(region, access_key=B["access_key"])
    assert (region == "cn-north-4") == (r2.json()["token"]["project"]["id"] == B["project_id"])


def test_iam_token_validation_over_http(client):
    """GET /v3/auth/tokens (README "Authentication"): the same body as POST, 401 caller, 404 subject."""
    r = _iam(client, password_body(USER_A, project_id=A["project_id"]))
    tok = r.headers["X-Subject-Token"]
    url = client.base + "/v3/auth/tokens"
    got = client.session.get(url, headers={"X-Auth-Token": tok, "X-Subject-Token": tok})
    assert got.status_code == 200, got.text
    assert got.headers["X-Subject-Token"] == tok and got.headers.get("X-Request-Id")
    assert got.json() == r.json()
    assert got.json()["token"]["catalog"][0]["endpoints"][0]["url"] == client.base
    bare = client.session.get(url, params={"nocatalog": "true"}, headers={"X-Auth-Token": tok, "X-Subject-Token": tok})
    assert bare.status_code == 200 and "catalog" not in bare.json()["token"]
    unknown = client.session.get(url, headers={"X-Auth-Token": "not-a-token-0123456789", "X-Subject-Token": tok})
    assert unknown.status_code == 401 and unknown.json()["error"]["title"] == "Unauthorized"
    missing = client.session.get(url, headers={"X-Auth-Token": tok, "X-Subject-Token": "not-a-token-0123456789"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == 404
    assert "X-Subject-Token" not in missing.headers
    client.emu.expire_tokens()
    expired = client.session.get(url, headers={"X-Auth-Token": tok, "X-Subject-Token": tok})
    assert expired.status_code == 401
    assert client.emu.stats()["by_route"]["GET /v3/auth/tokens"] == 5


@pytest.mark.parametrize("what", ["password", "name", "domain"])
def test_iam_wrong_credentials(client, what):
    r = _iam(client, password_body(USER_A, project_id=A["project_id"], **{what: "wrong-" + what}))
    assert r.status_code == 401, r.text
    err = r.json()["error"]
    assert err["code"] == 401
    assert err["title"] == "Unauthorized"
    assert isinstance(err["message"], str)
    assert "X-Subject-Token" not in r.headers


def test_token_works_on_images(client):
    r = client.get("/v2/images", auth="token")
    assert r.status_code == 200, r.text
    img = client.post("/v2/images", json={"name": "by-token"}, auth="token")
    assert img.status_code == 201, img.text
    assert img.json()["owner"] == A["project_id"]
    rb = client.get("/v2/images", auth="token", account=B, params={"name": "by-token"})
    assert rb.status_code == 200 and rb.json()["images"] == []


def test_unknown_token(client):
    r = client.get("/v2/images", auth="token", token="not-a-token-0123456789")
    gateway_error(r, 401, "APIGW.0301")


def test_expire_tokens(client):
    tok = client.token()
    assert client.get("/v2/images", auth="token").status_code == 200
    client.emu.expire_tokens()
    r = client.get("/v2/images", auth="token", token=tok)
    gateway_error(r, 401, "APIGW.0307")
    # a token issued afterwards works
    assert client.get("/v2/images", auth="token", token=client.token(fresh=True)).status_code == 200


def test_token_expires_with_clock(client):
    tok = client.token()
    client.emu.clock(86400 - 120)
    assert client.get("/v2/images", auth="token", token=tok).status_code == 200
    client.emu.clock(86400 + 120)
    gateway_error(client.get("/v2/images", auth="token", token=tok), 401, "APIGW.0307")


def test_token_ttl_flag():
    emu = start_emulator(extra_args=["--token-ttl", "60"])
    try:
        c = Client(emu, users={A["project_id"]: USER_A})
        r = c.session.post(c.base + "/v3/auth/tokens", json=password_body(USER_A, project_id=A["project_id"]))
        assert r.status_code == 201, r.text
        tok = r.headers["X-Subject-Token"]
        body = r.json()["token"]
        assert abs((_ts(body["expires_at"]) - _ts(body["issued_at"])).total_seconds() - 60) <= 2
        assert c.get("/v2/images", auth="token", token=tok).status_code == 200
        emu.clock(30)
        assert c.get("/v2/images", auth="token", token=tok).status_code == 200
        emu.clock(90)
        gateway_error(c.get("/v2/images", auth="token", token=tok), 401, "APIGW.0307")
        c.session.close()
    finally:
        emu.stop()


def test_default_account_and_user_without_flags():
    emu = start_emulator()
    try:
        assert emu.default_account["access_key"] == A["access_key"]
        assert emu.default_account["secret_key"] == A["secret_key"]
        assert emu.default_account["project_id"] == A["project_id"]
        c = Client(emu, users={A["project_id"]: USER_A})
        assert c.get("/v2/images").status_code == 200
        assert c.get("/v2/images", auth="token").status_code == 200
        # B is not an account of this emulator
        gateway_error(c.get("/v2/images", account=B), 401, "APIGW.0301")
        c.session.close()
    finally:
        emu.stop()


def test_account_flag_replaces_default_account():
    emu = start_emulator(accounts=[B], users=[USER_B])
    try:
        c = Client(emu, account=B, users={B["project_id"]: USER_B})
        assert c.get("/v2/images").status_code == 200
        assert c.get("/v2/images", auth="token").status_code == 200
        gateway_error(c.get("/v2/images", account=A), 401, "APIGW.0301")
        r = c.session.post(c.base + "/v3/auth/tokens", json=password_body(USER_A, project_id=A["project_id"]))
        assert r.status_code == 401
        c.session.close()
    finally:
        emu.stop()


def _ts(s):
    s = s.replace("Z", "+00:00")
    if "." in s:
        head, tail = s.split(".", 1)
        frac = "".join(ch for ch in tail if ch.isdigit())
        tz = tail[len(frac):]
        s = head + "." + frac[:6] + tz
    dt = datetime.datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt
