"""Echoing faults and the --capture file (README "Faults" and "Start it"), for the secrets tests.

An ``echo`` fault puts the whole request, secrets included, into the error message;
``--capture FILE`` records every API request unredacted. Neither changes the default,
redacted logs.
"""

import json

import pytest

from emulator_client import A, Client, password_body, start_emulator

SECURITY_TOKEN = "echo-security-token-0123456789abcdef"


@pytest.fixture(scope="module")
def capturing(tmp_path_factory):
    capture = tmp_path_factory.mktemp("capture") / "requests.jsonl"
    emu = start_emulator(extra_args=("--capture", str(capture), "--verbose"))
    try:
        yield emu, capture
    finally:
        emu.stop()


def captured(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_echo_fault_echoes_the_whole_request(client, emu):
    emu.set_faults({"rules": [{"method": "POST", "path": "/v2/images", "status": 500, "echo": True}]})
    response = client.post("/v2/images", params={"q": "v"}, json={"name": "echo-me"},
                           security_token=SECURITY_TOKEN)
    assert response.status_code == 500
    body = response.json()
    assert body["error_code"] == "APIGW.0201"
    message = body["error_msg"]
    assert message.startswith("Backend unavailable (injected fault). Request: POST /v2/images?q=v; headers: ")
    assert "Authorization: SDK-HMAC-SHA256 Access=%s" % A["access_key"] in message
    assert "Signature=" in message and "Signature=<redacted>" not in message
    assert "X-Security-Token: %s" % SECURITY_TOKEN in message
    assert message.endswith('body: {"name": "echo-me"}')
    # The default log stays redacted.
    entry = emu.stats()["log"][-1]
    assert entry["headers"]["X-Security-Token"] == "<redacted>"
    assert SECURITY_TOKEN not in json.dumps(emu.stats())
    assert emu.faults()["rules"][0]["echo"] is True


def test_echo_fault_echoes_tokens_and_iam_bodies(client, emu):
    user = {"name": "emulator-user", "password": "emulator-password", "domain": "emulator-domain"}
    emu.set_faults({"rules": [{"path": "/v3/auth/tokens", "times": 1, "status": 403, "echo": True},
                              {"method": "GET", "status": 401, "echo": True}]})
    refused = client.post("/v3/auth/tokens", json=password_body(user, A["project_id"]), auth=None)
    assert refused.status_code == 403 and "emulator-password" in refused.json()["error_msg"]
    token = client.token()
    response = client.get("/v2/images", auth="token", token=token)
    assert response.status_code == 401
    assert "X-Auth-Token: %s" % token in response.json()["error_msg"]


def test_echo_must_be_a_boolean(client, emu):
    response = client.session.post(emu.base_url + "/_emulator/faults",
                                   json={"rules": [{"status": 500, "echo": "yes"}]}, timeout=30)
    assert response.status_code == 400


def test_capture_records_requests_unredacted(capturing):
    emu, path = capturing
    client = Client(emu)
    try:
        client.post("/v2/images", json={"name": "captured"}, security_token=SECURITY_TOKEN)
        token = client.token()
        client.get("/v2/images", params={"limit": "1"}, auth="token", token=token)
    finally:
        client.session.close()
    records = captured(path)
    create, issue, listing = records[-3:]
    assert (create["method"], create["path"], create["status"]) == ("POST", "/v2/images", 201)
    headers = dict(create["headers"])
    assert headers["X-Security-Token"] == SECURITY_TOKEN and "Signature=" in headers["Authorization"]
    assert json.loads(create["body"]) == {"name": "captured"}
    assert issue["path"] == "/v3/auth/tokens" and "emulator-password" in issue["body"]
    assert dict(issue["response_headers"])["X-Subject-Token"] == token
    assert listing["query"] == "limit=1" and dict(listing["headers"])["X-Auth-Token"] == token
    assert listing["body"] == ""
    # The control surface is not captured; the stats and --verbose lines stay redacted.
    assert all(not r["path"].startswith("/_emulator") for r in records)
    stats = json.dumps(emu.stats())
    assert token not in stats and SECURITY_TOKEN not in stats and "emulator-password" not in stats
    stderr = emu.stderr()
    assert "POST /v2/images 201" in stderr and token not in stderr and SECURITY_TOKEN not in stderr
