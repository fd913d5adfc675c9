# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AK/SK signer against requests signed by the official Huawei Cloud SDK."""

from __future__ import annotations

import datetime
import json
import pathlib

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._signer import (
    AkSkSigner,
    canonical_query_string,
    canonical_uri,
    format_sdk_date,
)

VECTORS = json.loads((pathlib.Path(__file__).parents[2] / "fixtures" / "signing-vectors.json").read_text())
COMMON = VECTORS["common"]
SIGNED_AT = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


def _signer(token=None):
    return AkSkSigner(COMMON["access_key"], COMMON["secret_key"], COMMON["project_id"], token)


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=[v["name"] for v in VECTORS["vectors"]])
def test_reproduces_official_sdk_signature(vector):
    headers = {"Content-Type": vector["headers"]["Content-Type"]}
    signed = _signer().sign(vector["method"], vector["url"], headers, vector["body"].encode(), now=SIGNED_AT)
    assert signed["Authorization"] == vector["authorization"]
    for name, value in vector["headers"].items():
        assert signed[name] == value


@pytest.mark.parametrize("vector", [v for v in VECTORS["vectors"] if "canonical_query" in v or "canonical_uri" in v])
def test_canonical_parts_match_vectors(vector):
    from urllib.parse import parse_qsl, urlsplit
    parts = urlsplit(vector["url"])
    assert canonical_uri(parts.path) == vector["canonical_uri"]
    if "canonical_query" in vector:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        assert canonical_query_string(pairs) == vector["canonical_query"]


def test_query_order_does_not_change_the_signature():
    base = "https://ims.cn-north-4.myhuaweicloud.com/v2/images?"
    one = _signer().sign("GET", base + canonical_query_string([("b", "2"), ("a", "1")]), now=SIGNED_AT)
    two = _signer().sign("GET", base + "b=2&a=1", now=SIGNED_AT)
    assert one["Authorization"] == two["Authorization"]


def test_canonical_query_encoding_rules():
    assert canonical_query_string([("name", "my image"), ("created_at", "gt:2018-10-28 10:00:00")]) == (
        "created_at=gt%3A2018-10-28%2010%3A00%3A00&name=my%20image")
    assert canonical_query_string([("protected", True), ("flag", False), ("empty", "")]) == (
        "empty=&flag=false&protected=true")
    assert canonical_query_string([("tag", "b=2"), ("tag", "a=1")]) == "tag=a%3D1&tag=b%3D2"
    assert canonical_query_string([("k", "ü~-_.")]) == "k=%C3%BC~-_."


def test_a_repeated_name_keeps_the_order_of_its_raw_values_as_the_official_sdk_does():
    """``-`` sorts before ``=`` but ``%3D`` before ``-``: the SDK sorts the values, then encodes them
    (vector "list images with repeated tag filters"), so the signature of ``tag`` given twice matches it."""
    assert canonical_query_string([("tag", "env=prod"), ("tag", "env-x=1")]) == "tag=env-x%3D1&tag=env%3Dprod"
    assert canonical_query_string([("tag", "b"), ("limit", 5), ("tag", "a"), ("flag", True)]) == (
        "flag=true&limit=5&tag=a&tag=b")


def test_canonical_uri_always_ends_with_slash_and_encodes_segments():
    assert canonical_uri("") == "/"
    assert canonical_uri("/v2/images") == "/v2/images/"
    assert canonical_uri("/v2/images/abc/tags/a%3Db") == "/v2/images/abc/tags/a%3Db/"
    assert canonical_uri("/v2/images/abc/tags/a b") == "/v2/images/abc/tags/a%20b/"


def test_security_token_is_signed_and_non_json_bodies_are_unsigned():
    signed = _signer("temporary-token").sign(
        "PUT", "https://ims.example.com/v2/images/x/file", {"Content-Type": "application/octet-stream"}, None,
        now=SIGNED_AT)
    assert signed["X-Security-Token"] == "temporary-token"
    assert signed["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert "SignedHeaders=content-type;host;x-project-id;x-sdk-content-sha256;x-sdk-date;x-security-token," in (
        signed["Authorization"])


def test_host_keeps_the_port_and_headers_with_underscores_are_not_signed():
    signed = _signer().sign("GET", "http://127.0.0.1:8080/v2/images", {"X_Custom": "1"}, now=SIGNED_AT)
    assert signed["Host"] == "127.0.0.1:8080"
    assert "x_custom" not in signed["Authorization"]


def test_secret_never_in_repr_or_headers():
    signer = _signer("temporary-token")
    signed = signer.sign("GET", "https://ims.example.com/v2/images", now=SIGNED_AT)
    assert COMMON["secret_key"] not in repr(signer)
    assert "temporary-token" not in repr(signer)
    assert all(COMMON["secret_key"] not in value for value in signed.values())


def test_sdk_date_format_is_utc():
    plus_eight = datetime.timezone(datetime.timedelta(hours=8))
    assert format_sdk_date(datetime.datetime(2024, 1, 2, 11, 4, 5, tzinfo=plus_eight)) == "20240102T030405Z"
