"""AK/SK signatures: the official SDK's vectors through the verifier and the authenticator."""

from __future__ import annotations

import calendar
import hashlib
import json
import time

import pytest

from imsemu.app import EmulatorApp
from imsemu.core.exceptions import GatewayErrorAnswer
from imsemu.core.signing import SIGNING_VECTORS, SignatureVerifier, check_signing_vectors
from imsemu.iam.models import Account

with open(SIGNING_VECTORS, encoding="utf-8") as _handle:
    VECTORS = json.load(_handle)
COMMON = VECTORS["common"]
NAMES = [vector["name"] for vector in VECTORS["vectors"]]


def test_every_vector_is_reproduced():
    assert VECTORS["vectors"], "no vectors"
    assert check_signing_vectors() == []


def test_a_wrong_vector_is_reported(tmp_path):
    broken = json.loads(json.dumps(VECTORS))
    broken["vectors"][0]["body"] = "tampered"
    broken["vectors"][0]["canonical_uri"] = "/elsewhere/"
    path = tmp_path / "vectors.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    failures = check_signing_vectors(str(path))
    assert len(failures) == 2 and all(f.startswith(NAMES[0]) for f in failures)


def test_canonical_forms():
    assert SignatureVerifier.canonical_uri("/v2/images") == "/v2/images/"
    assert SignatureVerifier.canonical_uri("/v2/images/a%20b/tags/x%2Fy") == "/v2/images/a%20b/tags/x/y/"
    assert SignatureVerifier.canonical_query("b=2&a=1&a=0&c=x+y&d=") == "a=0&a=1&b=2&c=x%20y&d="
    # A repeated name keeps the order of its decoded values, as the official SDK sorts them ("-" before "="),
    # not of their encodings ("%3D" before "-").
    assert SignatureVerifier.canonical_query("tag=env%3Dprod&tag=env-x%3D1") == "tag=env-x%3D1&tag=env%3Dprod"
    assert SignatureVerifier.parse_authorization(
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host;X-Sdk-Date, Signature=ab") == ("AK", ["host", "x-sdk-date"], "ab")
    for bad in ("Basic abc", "SDK-HMAC-SHA256 Access=AK, Signature=ab", "SDK-HMAC-SHA256 Access=, SignedHeaders=a, Signature=b"):
        with pytest.raises(ValueError):
            SignatureVerifier.parse_authorization(bad)


@pytest.fixture
def vector_app():
    """An app with the vectors' account, its clock at the vectors' X-Sdk-Date."""
    app = EmulatorApp(accounts=[Account(COMMON["access_key"], COMMON["secret_key"], COMMON["project_id"])],
                      public_images=False)
    signed_at = calendar.timegm(time.strptime(COMMON["x_sdk_date"], "%Y%m%dT%H%M%SZ"))
    app.clock.offset = signed_at - time.time()
    yield app
    app.close()


def vector_ctx(make_ctx, vector, **changes):
    target = vector["url"].split("://", 1)[1]
    target = target[target.find("/"):]
    headers = dict(vector["headers"], Authorization=vector["authorization"])
    headers.update(changes.pop("headers", {}))
    return make_ctx(vector["method"], target, headers, changes.pop("body", vector["body"]).encode())


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_the_authenticator_accepts_every_vector(vector_app, make_ctx, index):
    ctx = vector_ctx(make_ctx, VECTORS["vectors"][index])
    assert vector_app.auth.authenticate(ctx) == COMMON["project_id"]
    assert ctx.signed is True


def denied(app, ctx, status=401, code="APIGW.0301"):
    with pytest.raises(GatewayErrorAnswer) as info:
        app.auth.authenticate(ctx)
    assert (info.value.status, info.value.code) == (status, code)
    return info.value.message


def test_a_changed_body_breaks_a_signed_payload(vector_app, make_ctx):
    vector = next(v for v in VECTORS["vectors"] if v["body"] and "x-sdk-content-sha256" not in
                  {k.lower() for k in v["headers"]})
    assert "does not match" in denied(vector_app, vector_ctx(make_ctx, vector, body=vector["body"] + " "))


def test_a_changed_header_or_clock_is_refused(vector_app, make_ctx):
    vector = VECTORS["vectors"][0]
    assert "does not match" in denied(vector_app, vector_ctx(make_ctx, vector, headers={"Host": "elsewhere"}))
    vector_app.clock.offset += 15 * 60 + 5
    assert "15 minutes" in denied(vector_app, vector_ctx(make_ctx, vector))


def test_other_credentials_are_refused(vector_app, make_ctx, app):
    vector = VECTORS["vectors"][0]
    assert "unknown access key" in denied(app, vector_ctx(make_ctx, vector))  # the default account only
    headers = {"Host": COMMON["host"], "X-Sdk-Date": COMMON["x_sdk_date"], "X-Project-Id": "f" * 32}
    signed = sorted(name.lower() for name in headers)
    canonical = SignatureVerifier.canonical_request(
        "GET", "/v2/images", "", lambda name: {k.lower(): v for k, v in headers.items()}[name], signed,
        hashlib.sha256(b"").hexdigest())
    signature = SignatureVerifier.signature(COMMON["secret_key"],
                                            SignatureVerifier.string_to_sign(COMMON["x_sdk_date"], canonical))
    headers["Authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (
        COMMON["access_key"], ";".join(signed), signature)
    # well signed, but for another project than the access key's
    assert "X-Project-Id" in denied(vector_app, make_ctx("GET", "/v2/images", headers), 403, "APIGW.0302")
    assert "no credentials" in denied(vector_app, make_ctx("GET", "/v2/images"))
    assert "unknown token" in denied(vector_app, make_ctx("GET", "/v2/images", {"X-Auth-Token": "nope"}))


def test_tokens_expire(app, make_ctx, token):
    ctx = make_ctx("GET", "/v2/images", {"X-Auth-Token": token})
    assert app.auth.authenticate(ctx) == app.accounts[0].project_id
    assert app.iam.expire_tokens() == 1
    denied(app, ctx, 401, "APIGW.0307")
