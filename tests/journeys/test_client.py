# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared client against the emulator, over real HTTP: paging, retries, errors, auth."""

from __future__ import annotations

import re

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import (
    BACKOFF_CAP,
    ImsApiError,
    ImsClient,
    ImsConnectionError,
)
from harness import DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_USER

REQUEST_ID = re.compile(r"\(request id: [0-9A-Za-z-]{8,}\)$")


class Sleeps(list):
    """Records the waits of the client instead of waiting."""

    def __call__(self, seconds):
        self.append(seconds)


def aksk_options(emu, **overrides):
    account = emu.default_account
    options = {"ims_endpoint": emu.base_url, "project_id": account["project_id"],
               "access_key": account["access_key"], "secret_key": account["secret_key"], "retries": 3}
    options.update(overrides)
    return options


def password_options(emu, **overrides):
    options = {"ims_endpoint": emu.base_url, "iam_endpoint": emu.base_url, "region": "cn-north-4",
               "user_name": DEFAULT_USER, "password": DEFAULT_PASSWORD, "domain_name": DEFAULT_DOMAIN, "retries": 3}
    options.update(overrides)
    return options


def make_client(options):
    sleeps = Sleeps()
    return ImsClient.from_options(options, sleep=sleeps), sleeps


def own(emu):
    return [("owner", emu.default_account["project_id"])]


def route_count(emu, route):
    return emu.stats()["by_route"].get(route, 0)


def list_queries(emu):
    return [entry["query"] for entry in emu.stats()["log"] if entry["path"] == "/v2/images" and entry["method"] == "GET"]


# -- paging ---------------------------------------------------------------------------

def test_pages_through_everything_with_pages_needed_and_no_more(emu):
    emu.seed(count=2500, name="img-{i:04d}")
    client = make_client(aksk_options(emu))[0]
    images = list(client.iter_images(own(emu), page_size=1000))
    assert len(images) == 2500
    assert len({image["id"] for image in images}) == 2500
    assert route_count(emu, "GET /v2/images") == 3


def test_exactly_full_last_page_costs_one_empty_page(emu):
    emu.seed(count=2000)
    client = make_client(aksk_options(emu))[0]
    assert len(list(client.iter_images(own(emu), page_size=1000))) == 2000
    # 1000 + 1000 (full, so IMS still gives next) + the empty page.
    assert route_count(emu, "GET /v2/images") == 3


def test_small_pages_follow_next_links_and_keep_the_order(emu):
    emu.seed(count=7, name="n{i}")
    client = make_client(aksk_options(emu))[0]
    params = own(emu) + [("sort_key", "name"), ("sort_dir", "asc")]
    names = [image["name"] for image in client.iter_images(params, page_size=2)]
    assert names == ["n0", "n1", "n2", "n3", "n4", "n5", "n6"]
    assert route_count(emu, "GET /v2/images") == 4


def test_max_results_asks_only_for_what_is_missing(emu):
    emu.seed(count=30)
    client = make_client(aksk_options(emu))[0]
    assert len(list(client.iter_images(own(emu), page_size=20, max_results=25))) == 25
    queries = list_queries(emu)
    assert len(queries) == 2
    assert "limit=20" in queries[0] and "limit=5" in queries[1]


def test_client_side_predicate_keeps_full_pages(emu):
    emu.seed(count=6, properties={"__support_kvm": "true"})
    emu.seed(count=4)
    client = make_client(aksk_options(emu))[0]
    kept = list(client.iter_images(own(emu), page_size=3, max_results=3,
                                   keep=lambda image: image.get("__support_kvm") != "true"))
    assert len(kept) == 3
    assert all("__support_kvm" not in image for image in kept)
    assert all("limit=3" in query for query in list_queries(emu))


def test_get_image_not_found_is_none(emu):
    client = make_client(aksk_options(emu))[0]
    assert client.get_image("00000000-0000-0000-0000-000000000000") is None
    image_id = emu.seed(name="x")[0]
    assert client.get_image(image_id)["name"] == "x"


# -- retries ----------------------------------------------------------------------------

def test_server_errors_on_reads_are_retried_as_counted_by_the_emulator(emu):
    emu.seed(count=3)
    emu.set_faults({"rules": [{"method": "GET", "path": "/v2/images", "sequence": [500, 503]}]})
    client, sleeps = make_client(aksk_options(emu))
    assert len(list(client.iter_images(own(emu)))) == 3
    assert route_count(emu, "GET /v2/images") == 3
    assert len(sleeps) == 2 and all(0 <= s <= BACKOFF_CAP for s in sleeps)


def test_throttling_honours_retry_after(emu):
    emu.set_faults({"rules": [{"method": "GET", "path": "/v2/images",
                               "sequence": [{"status": 429, "retry_after": 2}, 429]}]})
    client, sleeps = make_client(aksk_options(emu))
    list(client.iter_images(own(emu)))
    assert sleeps[0] == 2.0
    assert 0 <= sleeps[1] <= 1.0  # second retry without Retry-After: jittered backoff 0..1 s
    assert route_count(emu, "GET /v2/images") == 3


def test_dropped_connections_on_reads_are_retried(emu):
    emu.set_faults({"rules": [{"method": "GET", "path": "/v2/images", "sequence": [{"drop": True}]}]})
    client, sleeps = make_client(aksk_options(emu))
    assert list(client.iter_images(own(emu))) == []
    assert len(sleeps) == 1


def test_a_create_that_got_a_server_error_is_never_repeated(emu):
    emu.set_faults({"rules": [{"method": "POST", "path": "/v2/images", "times": 1, "status": 500, "after": True}]})
    client, sleeps = make_client(aksk_options(emu))
    with pytest.raises(ImsApiError) as err:
        client.request_json("POST", "/v2/images", expected=(201,),
                            json_body={"name": "once", "disk_format": "qcow2", "container_format": "bare"})
    assert err.value.status == 500
    assert route_count(emu, "POST /v2/images") == 1
    assert sleeps == []
    assert len([i for i in emu.images() if i["name"] == "once"]) == 1


def test_a_throttled_create_is_repeated(emu):
    emu.set_faults({"rules": [{"method": "POST", "path": "/v2/images", "times": 1, "status": 429}]})
    client = make_client(aksk_options(emu))[0]
    image = client.request_json("POST", "/v2/images", expected=(201,),
                                json_body={"name": "throttled", "disk_format": "qcow2", "container_format": "bare"})
    assert image["status"] == "queued"
    assert route_count(emu, "POST /v2/images") == 2
    assert len([i for i in emu.images() if i["name"] == "throttled"]) == 1


def test_retries_exhausted_is_a_clear_error(emu):
    emu.set_faults({"rules": [{"method": "GET", "status": 503}]})
    client, sleeps = make_client(aksk_options(emu, retries=2))
    with pytest.raises(ImsApiError) as err:
        list(client.iter_images(own(emu)))
    assert err.value.status == 503
    assert route_count(emu, "GET /v2/images") == 3
    assert len(sleeps) == 2
    assert REQUEST_ID.search(str(err.value))


def test_unreachable_endpoint_is_a_connection_error_after_retries(emu):
    client, sleeps = make_client(aksk_options(emu, ims_endpoint="http://127.0.0.1:9", retries=2, timeout=2))
    with pytest.raises(ImsConnectionError) as err:
        client.get_image("x")
    assert "after 3 attempt(s)" in str(err.value)
    assert len(sleeps) == 2


# -- error mapping ------------------------------------------------------------------------

@pytest.mark.parametrize("status, code", [(401, "APIGW.0301"), (403, "APIGW.0302"), (429, "APIGW.0308"),
                                          (500, "APIGW.0201")])
def test_gateway_errors_carry_status_code_and_request_id(emu, status, code):
    emu.set_faults({"rules": [{"method": "GET", "status": status}]})
    client = make_client(aksk_options(emu, retries=0))[0]
    with pytest.raises(ImsApiError) as err:
        list(client.iter_images(own(emu)))
    assert err.value.status == status
    assert err.value.request_id
    assert str(err.value).startswith("GET /v2/images failed: HTTP %d" % status)
    assert REQUEST_ID.search(str(err.value))
    if status != 403 and status != 401:
        assert err.value.code == code


def test_wrong_secret_key_is_401_with_the_gateway_code(emu):
    client = make_client(aksk_options(emu, secret_key="not-the-secret"))[0]
    with pytest.raises(ImsApiError) as err:
        list(client.iter_images(own(emu)))
    assert (err.value.status, err.value.code) == (401, "APIGW.0301")
    assert REQUEST_ID.search(str(err.value))
    assert "not-the-secret" not in str(err.value)


def test_ims_not_found_on_delete_maps_to_not_found(emu):
    client = make_client(aksk_options(emu))[0]
    with pytest.raises(ImsApiError) as err:
        client.request("DELETE", "/v2/images/00000000-0000-0000-0000-000000000000", expected=(204,))
    assert err.value.not_found
    assert err.value.code == "IMG.0027"
    assert REQUEST_ID.search(str(err.value))


def test_show_of_a_missing_image_is_a_404(emu):
    client = make_client(aksk_options(emu))[0]
    with pytest.raises(ImsApiError) as err:
        client.request("GET", "/v2/images/00000000-0000-0000-0000-000000000000")
    assert err.value.status == 404 and err.value.not_found
    assert err.value.code == "IMG.0144"
    assert REQUEST_ID.search(str(err.value))


# -- authentication ---------------------------------------------------------------------------

def test_iam_password_gets_one_token_and_reuses_it(emu):
    emu.seed(count=3)
    client = make_client(password_options(emu))[0]
    assert len(list(client.iter_images(own(emu), page_size=2))) == 3
    assert client.get_image("missing") is None
    stats = emu.stats()
    assert stats["by_route"]["POST /v3/auth/tokens"] == 1
    assert {entry["auth"] for entry in stats["log"] if entry["path"].startswith("/v2/")} == {"token"}


def test_a_token_request_that_failed_on_the_server_is_retried(emu):
    emu.set_faults({"rules": [{"method": "POST", "path": "/v3/auth/tokens", "sequence": [503]}]})
    client, sleeps = make_client(password_options(emu))
    assert client.get_image("missing") is None
    assert route_count(emu, "POST /v3/auth/tokens") == 2
    assert len(sleeps) == 1


def test_iam_token_scoped_by_project_id(emu):
    client = make_client(password_options(emu, region=None, project_id=emu.default_account["project_id"]))[0]
    assert client.get_image("missing") is None


def test_an_expired_token_is_renewed_once(emu):
    client = make_client(password_options(emu))[0]
    assert client.get_image("missing") is None
    emu.expire_tokens()
    assert client.get_image("missing") is None
    assert route_count(emu, "POST /v3/auth/tokens") == 2


def test_wrong_password_is_a_clear_401(emu):
    client = make_client(password_options(emu, password="wrong-password"))[0]
    with pytest.raises(ImsApiError) as err:
        client.get_image("x")
    assert err.value.status == 401
    assert str(err.value).startswith("POST /v3/auth/tokens failed: HTTP 401: ")
    assert "wrong-password" not in str(err.value)


def test_a_ready_token_works_and_an_expired_one_is_reported(emu):
    issuer = make_client(password_options(emu))[0]
    token = issuer.fetch_token(issuer._auth)
    client = make_client({"ims_endpoint": emu.base_url, "auth_token": token, "retries": 0})[0]
    assert client.get_image("missing") is None
    emu.expire_tokens()
    with pytest.raises(ImsApiError) as err:
        client.get_image("missing")
    assert (err.value.status, err.value.code) == (401, "APIGW.0307")
    assert token not in str(err.value)


def test_temporary_credentials_send_a_signed_security_token(emu):
    client = make_client(aksk_options(emu, security_token="sts-token-value"))[0]
    assert client.get_image("missing") is None
    entry = emu.stats()["log"][-1]
    assert entry["auth"] == "aksk"
    headers = {k.lower(): v for k, v in entry["headers"].items()}
    assert "x-security-token" in headers["authorization"]


def test_one_connection_is_reused_for_a_whole_listing(emu):
    emu.seed(count=50)
    client = make_client(aksk_options(emu))[0]
    list(client.iter_images(own(emu), page_size=5))
    pools = client.session.get_adapter(emu.base_url).poolmanager.pools
    assert route_count(emu, "GET /v2/images") == 11
    # Eleven requests, one pool, one TCP connection.
    assert [pools[key].num_connections for key in pools.keys()] == [1]
