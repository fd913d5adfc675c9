# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A host name that does not resolve: at once on an endpoint derived from region, retried on one given.

No test here makes a real DNS lookup: the resolver's failure is scripted (``unresolved``), or
``socket.getaddrinfo`` is replaced so that urllib3 builds its exception chain itself.
"""

from __future__ import annotations

import socket

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsClient, ImsConnectionError
from ansible_collections.hwcloud.ims.plugins.module_utils._connection import endpoint_origins
from ansible_collections.hwcloud.ims.plugins.modules import ims_image, ims_image_info
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ACCESS_KEY,
    ANY,
    IMS_ENDPOINT,
    PROJECT_ID,
    SECRET_KEY,
    Call,
    FakeClock,
    resolver_unavailable,
    run_module,
    unresolved,
)

TYPO = "https://ims.cn-nort-4.myhuaweicloud.com"
REGIONAL = {"region": "cn-nort-4", "project_id": PROJECT_ID, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
AT_ONCE = ("the host name ims.cn-nort-4.myhuaweicloud.com does not resolve (Name or service not known) on GET "
           "/v2/images: check region (HW_REGION_NAME): 'cn-nort-4' gives the host ims.cn-nort-4.myhuaweicloud.com, "
           "and a Huawei Cloud region name has the form cn-north-4 or ap-southeast-1 (or set ims_endpoint to the "
           "endpoint's URL); not retried")


def listing_call(origin=TYPO, **kwargs):
    return Call("GET", origin + "/v2/images", query={("owner", PROJECT_ID), ("limit", "1000")}, **kwargs)


# -- where each host name comes from -------------------------------------------------------------


def test_origins_say_which_host_was_derived_from_region():
    assert endpoint_origins(REGIONAL) == {"ims.cn-nort-4.myhuaweicloud.com": ("ims_endpoint", "cn-nort-4")}
    assert endpoint_origins(dict(REGIONAL, ims_endpoint="https://IMS.Example.test:8443/")) == {
        "ims.example.test": ("ims_endpoint", None)}


def test_origins_hold_the_iam_host_only_with_a_password():
    password = {"region": "eu-west-101", "user_name": "alice", "password": "pw", "domain_name": "acme"}
    assert endpoint_origins(password) == {"ims.eu-west-101.myhuaweicloud.eu": ("ims_endpoint", "eu-west-101"),
                                          "iam.eu-west-101.myhuaweicloud.eu": ("iam_endpoint", "eu-west-101")}
    assert endpoint_origins(dict(password, iam_endpoint="https://iam.example.test")) == {
        "ims.eu-west-101.myhuaweicloud.eu": ("ims_endpoint", "eu-west-101"), "iam.example.test": ("iam_endpoint", None)}


# -- a derived endpoint: at once ------------------------------------------------------------------


def test_a_region_whose_host_does_not_exist_fails_at_once_naming_region(http, clock):
    http.expect(listing_call(raises=unresolved))
    with pytest.raises(ImsConnectionError) as err:
        list(ImsClient.from_options(REGIONAL).iter_images([("owner", PROJECT_ID)]))
    assert str(err.value) == AT_ONCE
    assert err.value.sent is False
    assert len(http.requests) == 1 and clock.sleeps == []


def test_a_write_on_a_misspelled_region_fails_at_once_too(http, clock):
    http.expect(Call("POST", TYPO + "/v2/images", raises=unresolved))
    with pytest.raises(ImsConnectionError) as err:
        ImsClient.from_options(REGIONAL).create_image({"name": "x"})
    assert "check region (HW_REGION_NAME): 'cn-nort-4'" in str(err.value) and err.value.sent is False
    assert clock.sleeps == []


def test_the_real_urllib3_chain_of_a_name_that_does_not_exist_fails_at_once(monkeypatch):
    """No scripted HTTP: the resolver is replaced, urllib3 and requests raise as they would on a typo."""
    clock = FakeClock().install(monkeypatch)
    looked_up = []

    def getaddrinfo(host, *args, **kwargs):
        looked_up.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    client = ImsClient.from_options(dict(REGIONAL, timeout=2))
    with pytest.raises(ImsConnectionError) as err:
        list(client.iter_images([("owner", PROJECT_ID)]))
    assert str(err.value) == AT_ONCE
    assert looked_up == ["ims.cn-nort-4.myhuaweicloud.com"] and clock.sleeps == []


def test_the_iam_host_of_a_misspelled_region_fails_at_once_naming_iam_endpoint(http, clock):
    http.expect(Call("POST", "https://iam.cn-nort-4.myhuaweicloud.com/v3/auth/tokens", raises=unresolved))
    client = ImsClient.from_options({"region": "cn-nort-4", "user_name": "alice", "password": "pw", "domain_name": "acme"})
    with pytest.raises(ImsConnectionError) as err:
        client.get_image("x")
    assert str(err.value).startswith("the host name iam.cn-nort-4.myhuaweicloud.com does not resolve")
    assert "(or set iam_endpoint to the endpoint's URL); not retried" in str(err.value)
    assert clock.sleeps == []


def test_a_resolver_that_cannot_answer_now_is_retried_with_the_region_hint(http, clock):
    """EAI_AGAIN is a passing failure, even on a derived endpoint: retried; the last message has the hint."""
    http.expect(*[listing_call(raises=resolver_unavailable) for _attempt in range(3)])
    with pytest.raises(ImsConnectionError) as err:
        list(ImsClient.from_options(dict(REGIONAL, retries=2)).iter_images([("owner", PROJECT_ID)]))
    assert str(err.value).startswith("GET %s/v2/images: connection failed after 3 attempt(s): " % TYPO)
    assert str(err.value).endswith("; check region (HW_REGION_NAME): 'cn-nort-4' gives the host "
                                   "ims.cn-nort-4.myhuaweicloud.com, and a Huawei Cloud region name has the form "
                                   "cn-north-4 or ap-southeast-1 (or set ims_endpoint to the endpoint's URL)")
    assert len(clock.sleeps) == 2


# -- an endpoint given: retried as before, with a hint ---------------------------------------------


def test_a_given_endpoint_that_does_not_resolve_is_retried_then_named(http, clock):
    http.expect(*[listing_call(IMS_ENDPOINT, raises=unresolved) for _attempt in range(3)])
    options = dict(REGIONAL, ims_endpoint=IMS_ENDPOINT, retries=2)
    with pytest.raises(ImsConnectionError) as err:
        list(ImsClient.from_options(options).iter_images([("owner", PROJECT_ID)]))
    assert str(err.value).startswith("GET https://ims.example.test/v2/images: connection failed after 3 attempt(s): ")
    assert str(err.value).endswith("; check ims_endpoint (HW_IMS_ENDPOINT), the endpoint given")
    assert len(clock.sleeps) == 2


# -- through the modules ---------------------------------------------------------------------------


def test_ims_image_info_on_a_misspelled_region_fails_at_once(http, clock):
    http.expect(Call("GET", TYPO + "/v2/images", query=ANY, raises=unresolved))
    result = run_module(ims_image_info, dict(REGIONAL, owner=PROJECT_ID))
    assert result["failed"] is True and result["msg"] == AT_ONCE
    assert clock.sleeps == []


def test_ims_image_on_a_misspelled_region_fails_at_once_and_writes_nothing(http, clock):
    http.expect(Call("GET", TYPO + "/v2/images", query={("owner", PROJECT_ID), ("name", "web"), ("limit", "1000")},
                     raises=unresolved))
    result = run_module(ims_image, dict(REGIONAL, name="web", disk_format="qcow2"))
    assert result["failed"] is True and result["changed"] is False and result["operations"] == []
    assert "check region (HW_REGION_NAME): 'cn-nort-4'" in result["msg"]
    assert clock.sleeps == []
