# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers of the client: backoff, Retry-After, error bodies, next links, options."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsClient, next_page_query
from ansible_collections.hwcloud.ims.plugins.module_utils._connection import regional_endpoint
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import ImsApiError, ImsConfigError, parse_error_body
from ansible_collections.hwcloud.ims.plugins.module_utils._retry import (
    BACKOFF_CAP,
    RETRY_AFTER_CAP,
    backoff_delay,
    parse_retry_after,
)

AKSK = {"region": "cn-north-4", "project_id": "p1", "access_key": "AK", "secret_key": "SK-SECRET"}


def test_backoff_is_exponential_with_equal_jitter_and_capped():
    assert [backoff_delay(n, rng=lambda: 1.0) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff_delay(30, rng=lambda: 1.0) == BACKOFF_CAP
    # Never less than half the ceiling: a retry always waits.
    assert [backoff_delay(n, rng=lambda: 0.0) for n in (1, 2, 3)] == [0.25, 0.5, 1.0]
    assert backoff_delay(3, rng=lambda: 0.5) == 1.5


def test_retry_after_wins_and_is_capped():
    assert backoff_delay(1, retry_after=7, rng=lambda: 1.0) == 7
    assert backoff_delay(1, retry_after=10_000) == RETRY_AFTER_CAP
    assert backoff_delay(1, retry_after=-3) == 0.0


@pytest.mark.parametrize("header, expected", [
    ("3", 3.0), (" 12 ", 12.0), ("", None), (None, None), ("soon", None),
    ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
])
def test_parse_retry_after(header, expected):
    now = 1445412480.0  # 2015-10-21T07:28:00Z
    assert parse_retry_after(header, now=now) == expected


@pytest.mark.parametrize("body, expected", [
    ('{"error":{"code":"IMG.0027","message":"The image does not exist."}}', ("IMG.0027", "The image does not exist.", None)),
    ('{"error_code":"APIGW.0308","error_msg":"Throttled","request_id":"r1"}', ("APIGW.0308", "Throttled", "r1")),
    ('{"error":{"code":401,"title":"Unauthorized","message":"The username or password is wrong."}}',
     (None, "The username or password is wrong.", None)),
    ('{"message":"409 Conflict"}', (None, "409 Conflict", None)),
    ("<html>Bad Gateway</html>", (None, "Bad Gateway", None)),
    ("", (None, None, None)),
    ("[1, 2]", (None, "[1, 2]", None)),
])
def test_parse_error_body_understands_every_shape(body, expected):
    assert parse_error_body(body) == expected + (None,)  # no reason: these bodies do not repeat the status


def test_long_unparsable_bodies_are_cut():
    code, message, _request_id, _reason = parse_error_body("x" * 1000)
    assert code is None and len(message) == 300


def test_api_error_message_names_call_status_code_and_request_id():
    error = ImsApiError("DELETE", "/v2/images/abc", 400, "IMG.0028", "The image is protected.", "req-1")
    assert str(error) == "DELETE /v2/images/abc failed: HTTP 400 IMG.0028: The image is protected. (request id: req-1)"
    assert not error.not_found
    assert ImsApiError("GET", "/x", 400, "IMG.0027").not_found
    assert ImsApiError("GET", "/x", 400, "IMG.0144").not_found
    assert ImsApiError("GET", "/x", 404).not_found
    assert ImsApiError("GET", "/x", 401, "APIGW.0307").token_expired
    assert "(request id: none)" in str(ImsApiError("GET", "/x", 500))


def test_next_link_parsed_in_any_order_and_limit_replaced():
    path, pairs = next_page_query("/v2/images?__isregistered=true&marker=0328&__imagetype=gold&limit=2")
    assert path == "/v2/images"
    assert sorted(pairs) == [("__imagetype", "gold"), ("__isregistered", "true"), ("limit", "2"), ("marker", "0328")]
    _path, pairs = next_page_query("/v2/images?limit=1000&name=a%20b&marker=x", page_limit=10)
    assert sorted(pairs) == [("limit", "10"), ("marker", "x"), ("name", "a b")]


@pytest.mark.parametrize("region, expected", [
    ("cn-north-4", "https://ims.cn-north-4.myhuaweicloud.com"),
    ("ap-southeast-1", "https://ims.ap-southeast-1.myhuaweicloud.com"),
    ("eu-west-101", "https://ims.eu-west-101.myhuaweicloud.eu"),
    ("eu-west-0", "https://ims.eu-west-0.myhuaweicloud.com"),
])
def test_regional_endpoint(region, expected):
    assert regional_endpoint("ims", region) == expected


def test_endpoint_derived_from_region_or_overridden():
    assert ImsClient.from_options(AKSK).transport.endpoint == "https://ims.cn-north-4.myhuaweicloud.com"
    client = ImsClient.from_options(dict(AKSK, region=None, ims_endpoint="http://127.0.0.1:9/")).transport
    assert client.endpoint == "http://127.0.0.1:9"
    assert client.url("/v2/images", [("b", "x y"), ("a", "1")]) == "http://127.0.0.1:9/v2/images?a=1&b=x%20y"


@pytest.mark.parametrize("options, message", [
    ({"access_key": "AK", "secret_key": "SK"}, "region is required (or ims_endpoint)"),
    ({"region": "cn-north-4"}, "no credentials: set access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY)"),
    ({"region": "cn-north-4", "access_key": "AK"}, "access_key and secret_key go together"),
    ({"region": "cn-north-4", "secret_key": "SK"}, "access_key and secret_key go together"),
    ({"ims_endpoint": "https://ims.example.test", "access_key": "AK", "secret_key": "SK"},
     "project_id is required with access_key/secret_key when region is not set"),
    ({"region": "cn-north-4", "user_name": "u", "password": "p"}, "missing: domain_name"),
    ({"region": "cn-north-4", "password": "p"}, "missing: user_name, domain_name"),
    ({"ims_endpoint": "http://x", "user_name": "u", "password": "p", "domain_name": "d", "project_id": "p"},
     "iam_endpoint (HW_IAM_ENDPOINT) or region is required"),
    ({"ims_endpoint": "http://x", "user_name": "u", "password": "p", "domain_name": "d"},
     "needs project_id or region"),
])
def test_connection_option_errors_name_the_options(options, message):
    with pytest.raises(ImsConfigError) as err:
        ImsClient.from_options(options)
    assert message in str(err.value)


def test_auth_preference_aksk_then_token_then_password():
    both = dict(AKSK, auth_token="T", user_name="u", password="p", domain_name="d")
    assert type(ImsClient.from_options(both).transport.auth).__name__ == "AkSkAuth"
    token = dict(both, access_key=None, secret_key=None)
    assert type(ImsClient.from_options(token).transport.auth).__name__ == "TokenAuth"
    password = dict(token, auth_token=None)
    auth = ImsClient.from_options(password).transport.auth
    assert type(auth).__name__ == "PasswordAuth"
    assert auth.iam_endpoint == "https://iam.cn-north-4.myhuaweicloud.com"


def test_password_token_request_scopes_by_project_id_or_region_name():
    base = {"region": "cn-north-4", "user_name": "u", "password": "pw", "domain_name": "d"}
    by_name = ImsClient.from_options(base).transport.auth.token_request_body()
    assert by_name["auth"]["scope"] == {"project": {"name": "cn-north-4"}}
    assert by_name["auth"]["identity"]["password"]["user"] == {"name": "u", "password": "pw", "domain": {"name": "d"}}
    by_id = ImsClient.from_options(dict(base, project_id="p9")).transport.auth.token_request_body()
    assert by_id["auth"]["scope"] == {"project": {"id": "p9"}}
    json.dumps(by_id)


def test_redact_hides_every_known_secret():
    client = ImsClient.from_options(dict(AKSK, security_token="STS-TOKEN"))
    text = client.redact("echo: SK-SECRET and STS-TOKEN and AK")
    assert text == "echo: ******** and ******** and AK"
