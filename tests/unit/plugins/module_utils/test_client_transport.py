# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client's transport against scripted HTTP: paging, retries and their waits, errors, authentication, redaction.

Only ``ImsClient.from_options`` and the client's public methods are used, with the two seams
of the unit tests: ``requests.Session.request`` (scripted) and ``_clock`` (a fake clock).
"""

from __future__ import annotations

import email.utils
import json
import re
import socket
import ssl
import time

import pytest
import requests

from urllib3.exceptions import MaxRetryError
from urllib3.exceptions import SSLError as Urllib3SSLError

from ansible_collections.hwcloud.ims.plugins.module_utils._client import (
    ImsApiError,
    ImsClient,
    ImsConnectionError,
    ImsError,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import (
    IMAGE_ID,
    gateway_error,
    image,
    image_not_found,
    ims_error,
    listing,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ANY,
    CONNECTION,
    IAM_ENDPOINT,
    IMS_ENDPOINT,
    PROJECT_ID,
    SECRET_KEY,
    Call,
    FakeClock,
    dropped,
    read_timeout,
    refused,
)

REQUEST_ID = re.compile(r"\(request id: [0-9A-Za-z-]+\)$")
OWN = [("owner", PROJECT_ID)]
TOKENS = IAM_ENDPOINT + "/v3/auth/tokens"
PASSWORD = "pa\"ss wörd/1"
TOKEN_1 = "MIItoken-one"
TOKEN_2 = "MIItoken-two"


def aksk(**overrides):
    options = dict(CONNECTION, retries=3)
    options.update(overrides)
    return ImsClient.from_options(options)


def password_client(**overrides):
    options = {"ims_endpoint": IMS_ENDPOINT, "iam_endpoint": IAM_ENDPOINT, "region": "cn-north-4",
               "user_name": "alice", "password": PASSWORD, "domain_name": "acme", "retries": 3}
    options.update(overrides)
    return ImsClient.from_options(options)


def images(count, start=0):
    return [image("00000000-0000-4000-8000-%012d" % index, name="n%d" % index) for index in range(start, start + count)]


def page(limit, answer, marker=None, extra=()):
    pairs = set(OWN) | {("limit", str(limit))} | set(extra)
    if marker:
        pairs.add(("marker", marker))
    return Call("GET", "/v2/images", query=pairs, answer=answer)


def link(marker, limit=1000):
    return "/v2/images?owner=%s&marker=%s&limit=%d" % (PROJECT_ID, marker, limit)


def token_call(status=201, token=TOKEN_1, scope=None, **kwargs):
    """The IAM password token request, answered with ``token`` in X-Subject-Token."""
    scope = scope or {"name": "cn-north-4"}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "alice", "password": PASSWORD, "domain": {"name": "acme"}}}}, "scope": {"project": scope}}}
    answer_headers = {"X-Subject-Token": token} if status == 201 else {}
    if status == 201:
        kwargs.setdefault("answer", {"token": {"expires_at": "2099-01-01T00:00:00.000000Z"}})
    return Call("POST", TOKENS, json=body, status=status, answer_headers=answer_headers,
                headers={"Content-Type": "application/json", "Authorization": None, "X-Auth-Token": None}, **kwargs)


def with_token(call, token):
    call.headers["X-Auth-Token"] = token
    return call


def expired():
    return {"status": 401, "answer": gateway_error("APIGW.0307", "The token expires.")}


# -- paging ----------------------------------------------------------------------------------


def test_pages_through_everything_with_the_pages_needed_and_no_more(http):
    first, second, third = images(3), images(3, 3), images(1, 6)
    http.expect(page(3, listing(first, link(first[-1]["id"], 3))),
                page(3, listing(second, link(second[-1]["id"], 3)), marker=first[-1]["id"]),
                page(3, listing(third), marker=second[-1]["id"]))
    result = list(aksk().iter_images(OWN, page_size=3))
    assert [item["id"] for item in result] == [item["id"] for item in first + second + third]


def test_an_exactly_full_last_page_costs_one_empty_page(http):
    first, second = images(2), images(2, 2)
    http.expect(page(2, listing(first, link(first[-1]["id"], 2))),
                page(2, listing(second, link(second[-1]["id"], 2)), marker=first[-1]["id"]),
                page(2, listing([]), marker=second[-1]["id"]))
    assert len(list(aksk().iter_images(OWN, page_size=2))) == 4


def test_max_results_asks_only_for_what_is_missing(http):
    first, second = images(20), images(5, 20)
    http.expect(page(20, listing(first, link(first[-1]["id"], 20))),
                page(5, listing(second, link(second[-1]["id"], 5)), marker=first[-1]["id"]))
    assert len(list(aksk().iter_images(OWN, page_size=20, max_results=25))) == 25


def test_a_client_side_predicate_keeps_full_pages(http):
    kvm = [dict(item, __support_kvm="true") for item in images(2)]
    first = kvm + images(1, 2)
    second = images(3, 3)
    http.expect(page(3, listing(first, link(first[-1]["id"], 3))),
                page(3, listing(second, link(second[-1]["id"], 3)), marker=first[-1]["id"]))
    kept = list(aksk().iter_images(OWN, page_size=3, max_results=3, keep=lambda item: "__support_kvm" not in item))
    assert [item["name"] for item in kept] == ["n2", "n3", "n4"]


def test_get_image_is_none_when_not_found_and_the_image_otherwise(http):
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, status=404, answer=image_not_found(IMAGE_ID)),
                Call("GET", "/v2/images/%s" % IMAGE_ID, status=400, answer=ims_error("IMG.0027", "not found")),
                Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image(name="x")))
    client = aksk()
    assert client.get_image(IMAGE_ID) is None
    assert client.get_image(IMAGE_ID) is None
    assert client.get_image(IMAGE_ID)["name"] == "x"


def test_an_id_is_quoted_in_the_path(http):
    http.expect(Call("GET", "/v2/images/a%2Fb%20c", status=404, answer=image_not_found("a/b c")))
    assert aksk().get_image("a/b c") is None


def test_one_session_carries_every_request_of_a_client(http):
    first = images(1)
    http.expect(page(1, listing(first, link(first[-1]["id"], 1))), page(1, listing([]), marker=first[-1]["id"]),
                Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image()))
    client = aksk()
    list(client.iter_images(OWN, page_size=1))
    client.get_image(IMAGE_ID)
    assert len({id(request.session) for request in http.requests}) == 1


# -- retries and their waits ------------------------------------------------------------------


def test_server_errors_on_reads_are_retried_with_capped_jittered_waits(http, clock):
    http.expect(Call("GET", "/v2/images", query=ANY, status=500), Call("GET", "/v2/images", query=ANY, status=503),
                page(1000, listing(images(3))))
    assert len(list(aksk().iter_images(OWN))) == 3
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5 and 0 <= clock.sleeps[1] <= 1.0


def test_the_waits_grow_and_stop_at_20_seconds(http, clock):
    clock.set_random(0.999999)
    http.expect(*[Call("GET", "/v2/images/%s" % IMAGE_ID, status=503) for _index in range(9)],
                Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image()))
    assert aksk(retries=9).get_image(IMAGE_ID)["id"] == IMAGE_ID
    ceilings = [min(20.0, 0.5 * 2 ** index) for index in range(9)]
    assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(clock.sleeps, ceilings)), clock.sleeps
    assert clock.sleeps == sorted(clock.sleeps) and max(clock.sleeps) <= 20.0


def test_throttling_honours_retry_after(http, clock):
    http.expect(Call("GET", "/v2/images", query=ANY, status=429, answer_headers={"Retry-After": "2"}),
                Call("GET", "/v2/images", query=ANY, status=429),
                page(1000, listing([])))
    list(aksk().iter_images(OWN))
    assert clock.sleeps[0] == 2.0
    assert 0 <= clock.sleeps[1] <= 1.0  # the second retry without Retry-After: a backoff of at most 1 s


def test_retry_after_is_capped_and_may_be_an_http_date(http, clock):
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, status=503, answer_headers={"Retry-After": "86400"}),
                Call("GET", "/v2/images/%s" % IMAGE_ID, status=503, answer_headers={"Retry-After": when}),
                Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image()))
    aksk().get_image(IMAGE_ID)
    assert clock.sleeps == [60.0, 60.0]


@pytest.mark.parametrize("factory", [dropped, read_timeout, refused])
def test_connection_failures_on_reads_are_retried(http, clock, factory):
    http.expect(Call("GET", "/v2/images", query=ANY, raises=factory), page(1000, listing([])))
    assert list(aksk().iter_images(OWN)) == []
    assert len(clock.sleeps) == 1


def test_a_create_that_got_a_server_error_is_never_repeated_by_the_client(http, clock):
    http.expect(Call("POST", "/v2/images", json={"name": "once"}, status=500))
    with pytest.raises(ImsApiError) as err:
        aksk().create_image({"name": "once"})
    assert err.value.status == 500
    assert clock.sleeps == []


@pytest.mark.parametrize("factory", [dropped, read_timeout])
def test_a_create_whose_connection_failed_after_sending_is_never_repeated_by_the_client(http, clock, factory):
    http.expect(Call("POST", "/v2/images", json={"name": "once"}, raises=factory))
    with pytest.raises(ImsConnectionError) as err:
        aksk().create_image({"name": "once"})
    assert "after 1 attempt(s)" in str(err.value)
    assert clock.sleeps == []


def test_a_create_never_sent_is_sent_again(http, clock):
    http.expect(Call("POST", "/v2/images", json={"name": "x"}, raises=refused),
                Call("POST", "/v2/images", json={"name": "x"}, status=201, answer=image(name="x")))
    assert aksk().create_image({"name": "x"})["name"] == "x"
    assert len(clock.sleeps) == 1


def test_a_throttled_create_is_repeated(http, clock):
    http.expect(Call("POST", "/v2/images", json={"name": "t"}, status=429),
                Call("POST", "/v2/images", json={"name": "t"}, status=201, answer=image(name="t", status="queued")))
    assert aksk().create_image({"name": "t"})["status"] == "queued"
    assert len(clock.sleeps) == 1


def test_retries_exhausted_is_a_clear_error_with_the_last_request_id(http, clock):
    http.expect(*[Call("GET", "/v2/images", query=ANY, status=503) for _index in range(3)])
    with pytest.raises(ImsApiError) as err:
        list(aksk(retries=2).iter_images(OWN))
    assert err.value.status == 503
    assert len(clock.sleeps) == 2
    assert str(err.value).endswith("(request id: req-3)")


def test_an_unreachable_endpoint_is_a_connection_error_after_the_retries(http, clock):
    http.expect(*[Call("GET", "/v2/images/x", raises=refused) for _index in range(3)])
    with pytest.raises(ImsConnectionError) as err:
        aksk(retries=2).get_image("x")
    assert str(err.value) == ("GET https://ims.example.test/v2/images/x: connection failed after 3 attempt(s): "
                              "Failed to establish a new connection: [Errno 111] Connection refused")
    assert len(clock.sleeps) == 2


def test_a_real_refused_connection_is_known_never_sent(monkeypatch):
    """No scripted HTTP: a real socket to a closed local port, so urllib3 builds the exception chain itself."""
    clock = FakeClock().install(monkeypatch)  # requests.Session.request stays the real one
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ImsClient.from_options(dict(CONNECTION, ims_endpoint="http://127.0.0.1:%d" % port, retries=1, timeout=2))
    with pytest.raises(ImsConnectionError) as err:
        client.create_image({"name": "x"})
    assert "after 2 attempt(s)" in str(err.value)  # a POST is sent again: it never left
    assert "Connection refused" in str(err.value)
    assert len(clock.sleeps) == 1


def tls_failure(reason):
    """requests' SSLError for ``reason`` (an ssl.SSLError), as urllib3 wraps it."""
    def factory(request):
        return requests.exceptions.SSLError(MaxRetryError(None, request.path, Urllib3SSLError(reason)))
    return factory


def _verify_failed(message):
    reason = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s "
                                             "(_ssl.c:1006)" % message)
    reason.verify_message = message
    return reason


@pytest.mark.parametrize("reason, options, start", [
    pytest.param(_verify_failed("unable to get local issuer certificate"), {},
                 "TLS certificate verification failed for %s (unable to get local issuer certificate) on GET "
                 "/v2/images/x: set ca_bundle (HW_CA_BUNDLE) to the PEM file" % IMS_ENDPOINT, id="unknown-ca"),
    pytest.param(_verify_failed("Hostname mismatch, certificate is not valid for 'ims.example.test'."), {},
                 "TLS certificate verification failed for %s (Hostname mismatch" % IMS_ENDPOINT, id="mismatch"),
    pytest.param(_verify_failed("self-signed certificate in certificate chain"), {"ca_bundle": "ca.pem"},
                 "TLS certificate verification failed for %s (self-signed certificate in certificate chain) on GET "
                 "/v2/images/x: the CA bundle {bundle} (ca_bundle, HW_CA_BUNDLE) does not hold the CA"
                 % IMS_ENDPOINT, id="bundle-without-the-ca"),
    pytest.param(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"), {},
                 "TLS handshake failed with %s" % IMS_ENDPOINT, id="not-tls"),
])
def test_a_tls_problem_is_reported_at_once_never_retried(http, clock, tmp_path, reason, options, start):
    if options.get("ca_bundle"):
        bundle = tmp_path / options["ca_bundle"]
        bundle.write_text("-----BEGIN CERTIFICATE-----\n")
        options = dict(options, ca_bundle=str(bundle))
        start = start.replace("{bundle}", str(bundle))
    http.expect(Call("GET", "/v2/images/x", raises=tls_failure(reason)))
    with pytest.raises(ImsConnectionError) as err:
        aksk(**options).get_image("x")
    assert str(err.value).startswith(start), str(err.value)
    assert clock.sleeps == []


def test_verify_and_timeout_are_given_to_every_request(http):
    http.expect(Call("GET", "/v2/images/x", status=404, answer=image_not_found("x"),
                     check=lambda request: request.verify is False and request.timeout == 7.5))
    aksk(validate_certs=False, timeout=7.5).get_image("x")


# -- error mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize("status, code", [(401, "APIGW.0301"), (403, "APIGW.0302"), (429, "APIGW.0308"),
                                          (500, "APIGW.0201")])
def test_gateway_errors_carry_status_code_and_request_id(http, status, code):
    http.expect(Call("GET", "/v2/images", query=ANY, status=status, answer=gateway_error(code, "refused"),
                     request_id="gw-req-0001"))
    with pytest.raises(ImsApiError) as err:
        list(aksk(retries=0).iter_images(OWN))
    assert (err.value.status, err.value.code, err.value.request_id) == (status, code, "gw-req-0001")
    text = "GET /v2/images failed: HTTP %d %s: refused (request id: gw-req-0001)" % (status, code)
    if status == 401:  # and the credentials used (test_client_credentials.py)
        text += "; the credentials used: AK/SK with the access key AKTE...01, access_key and secret_key from the task's options or the environment"
    assert str(err.value) == text


def test_the_request_id_of_the_body_is_used_without_the_header(http):
    http.expect(Call("GET", "/v2/images/x", status=403, request_id=None,
                     answer=gateway_error("APIGW.0302", "denied", request_id="body-req-1")))
    with pytest.raises(ImsApiError) as err:
        aksk().get_image("x")
    assert err.value.request_id == "body-req-1"


def test_no_request_id_is_said_so(http):
    http.expect(Call("GET", "/v2/images/x", status=403, request_id=None, answer=gateway_error("APIGW.0302", "denied")))
    with pytest.raises(ImsApiError) as err:
        aksk().get_image("x")
    assert str(err.value).endswith("(request id: none)")


def test_an_ims_not_found_on_delete_maps_to_not_found(http):
    http.expect(Call("DELETE", "/v2/images/%s" % IMAGE_ID, status=400, answer=ims_error("IMG.0027", "no such image")),
                Call("DELETE", "/v2/images/%s" % IMAGE_ID, status=400, answer=ims_error("IMG.0027", "no such image")))
    client = aksk()
    with pytest.raises(ImsApiError) as err:
        client.transport.request("DELETE", "/v2/images/%s" % IMAGE_ID, expected=(204,))
    assert err.value.not_found and err.value.code == "IMG.0027"
    assert REQUEST_ID.search(str(err.value))
    assert client.delete_image(IMAGE_ID) is False


def test_a_show_of_a_missing_image_is_a_404(http):
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, status=404, answer=image_not_found(IMAGE_ID)))
    with pytest.raises(ImsApiError) as err:
        aksk().transport.request("GET", "/v2/images/%s" % IMAGE_ID)
    assert err.value.status == 404 and err.value.not_found and err.value.code == "IMG.0144"


def test_a_body_that_is_not_json_is_shown_cut(http):
    http.expect(Call("GET", "/v2/images/x", status=502, raw=b"<html>" + b"x" * 1000 + b"</html>"))
    with pytest.raises(ImsApiError) as err:
        aksk(retries=0).get_image("x")
    assert err.value.message == "x" * 300  # the markup dropped, then cut


def test_an_answer_that_is_not_json_is_an_error(http):
    http.expect(Call("GET", "/v2/images/x", raw=b"not json"))
    with pytest.raises(ImsApiError) as err:
        aksk().get_image("x")
    assert "the answer is not JSON" in str(err.value)


def test_every_error_is_an_ims_error():
    assert issubclass(ImsApiError, ImsError) and issubclass(ImsConnectionError, ImsError)


# -- redaction ------------------------------------------------------------------------------------


def test_a_secret_echoed_by_the_server_is_redacted_in_every_form(http):
    escaped = json.dumps(SECRET_KEY)[1:-1]
    echo = "got %s and %s and %s" % (SECRET_KEY, escaped, requests.utils.quote(SECRET_KEY, safe=""))
    http.expect(Call("GET", "/v2/images/x", status=400, answer=ims_error("IMG.0001", echo)))
    with pytest.raises(ImsApiError) as err:
        aksk().get_image("x")
    assert SECRET_KEY not in str(err.value)
    assert str(err.value).count("********") == 3


def test_the_password_echoed_in_the_iam_answer_is_redacted(http):
    http.auth_header = None
    echo = json.dumps({"error": {"code": 401, "title": "Unauthorized",
                                 "message": "bad password %s" % json.dumps(PASSWORD)[1:-1]}})
    http.expect(token_call(status=401, raw=echo.encode("utf-8")))
    with pytest.raises(ImsApiError) as err:
        password_client().get_image("x")
    text = str(err.value)
    assert text.startswith("POST /v3/auth/tokens failed: HTTP 401: ")
    assert PASSWORD not in text and json.dumps(PASSWORD)[1:-1] not in text
    assert "********" in text


# -- authentication ----------------------------------------------------------------------------------


def test_aksk_requests_are_signed_with_the_project(http):
    http.expect(Call("GET", "/v2/images/x", status=404, answer=image_not_found("x"),
                     headers={"X-Project-Id": PROJECT_ID, "X-Sdk-Date": ANY, "X-Auth-Token": None}))
    aksk().get_image("x")
    assert http.requests[0].headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=%s, " % CONNECTION["access_key"])


def test_temporary_credentials_send_a_signed_security_token(http):
    http.expect(Call("GET", "/v2/images/x", status=404, answer=image_not_found("x"),
                     headers={"X-Security-Token": "sts-token-value"}))
    aksk(security_token="sts-token-value").get_image("x")
    assert "x-security-token" in http.requests[0].headers["Authorization"]


def test_the_user_agent_names_the_collection(http):
    http.expect(Call("GET", "/v2/images/x", status=404, answer=image_not_found("x")))
    client = aksk()
    client.get_image("x")
    assert client.transport.session.headers["User-Agent"].startswith("hwcloud.ims/")


def test_an_iam_password_gets_one_token_and_reuses_it(http):
    http.auth_header = "X-Auth-Token"
    first = images(1)
    http.expect(token_call(),
                with_token(page(1, listing(first, link(first[-1]["id"], 1))), TOKEN_1),
                with_token(page(1, listing([]), marker=first[-1]["id"]), TOKEN_1),
                with_token(Call("GET", "/v2/images/x", status=404, answer=image_not_found("x")), TOKEN_1))
    client = password_client()
    assert len(list(client.iter_images(OWN, page_size=1))) == 1
    assert client.get_image("x") is None
    assert [request.headers.get("Authorization") for request in http.requests] == [None] * 4


def test_an_iam_token_is_scoped_by_project_id(http):
    http.auth_header = "X-Auth-Token"
    http.expect(token_call(scope={"id": PROJECT_ID}),
                with_token(Call("GET", "/v2/images/x", status=404, answer=image_not_found("x"),
                                headers={"X-Project-Id": PROJECT_ID}), TOKEN_1))
    assert password_client(region=None, project_id=PROJECT_ID).get_image("x") is None


def test_a_token_request_that_failed_on_the_server_is_retried(http, clock):
    http.auth_header = "X-Auth-Token"
    http.expect(token_call(status=503), token_call(),
                with_token(Call("GET", "/v2/images/x", status=404, answer=image_not_found("x")), TOKEN_1))
    assert password_client().get_image("x") is None
    assert len(clock.sleeps) == 1


def test_an_iam_answer_without_a_token_is_an_error(http):
    http.auth_header = None
    http.expect(Call("POST", TOKENS, status=201, answer={"token": {}}))
    with pytest.raises(ImsApiError) as err:
        password_client().get_image("x")
    assert "IAM answered without an X-Subject-Token header" in str(err.value)


def test_an_expired_token_is_renewed_once(http):
    http.auth_header = "X-Auth-Token"
    http.expect(token_call(),
                with_token(Call("GET", "/v2/images/x", **expired()), TOKEN_1),
                token_call(token=TOKEN_2),
                with_token(Call("GET", "/v2/images/x", answer=image()), TOKEN_2),
                with_token(Call("GET", "/v2/images/x", **expired()), TOKEN_2),
                token_call(token=TOKEN_1),
                with_token(Call("GET", "/v2/images/x", **expired()), TOKEN_1))
    client = password_client()
    assert client.get_image("x")["id"] == IMAGE_ID
    with pytest.raises(ImsApiError) as err:  # expired again right after the renewal: not renewed twice
        client.get_image("x")
    assert (err.value.status, err.value.code) == (401, "APIGW.0307")


def test_a_token_is_renewed_again_after_a_retry_wait(http, clock):
    http.auth_header = "X-Auth-Token"
    http.expect(token_call(),
                with_token(Call("GET", "/v2/images/x", **expired()), TOKEN_1),
                token_call(token=TOKEN_2),
                with_token(Call("GET", "/v2/images/x", status=503), TOKEN_2),
                with_token(Call("GET", "/v2/images/x", **expired()), TOKEN_2),
                token_call(token=TOKEN_1),
                with_token(Call("GET", "/v2/images/x", answer=image()), TOKEN_1))
    assert password_client().get_image("x")["id"] == IMAGE_ID
    assert len(clock.sleeps) == 1


def test_a_wrong_password_is_a_clear_401(http):
    http.auth_header = None
    http.expect(token_call(status=401, answer={"error": {"code": 401, "title": "Unauthorized",
                                                         "message": "The username or password is wrong."}}))
    with pytest.raises(ImsApiError) as err:
        password_client().get_image("x")
    assert str(err.value) == ("POST /v3/auth/tokens failed: HTTP 401: The username or password is wrong. "
                              "(request id: req-1); the credentials used: the IAM password of user alice in domain acme, "
                              "user_name, password and domain_name from the task's options or the environment")
    assert err.value.code is None


def test_a_ready_token_works_and_an_expired_one_is_reported_redacted(http):
    http.auth_header = "X-Auth-Token"
    token = "MIIready-token-value"
    http.expect(with_token(Call("GET", "/v2/images/x", status=404, answer=image_not_found("x")), token),
                with_token(Call("GET", "/v2/images/x", status=401,
                                answer=gateway_error("APIGW.0307", "The token %s expires." % token)), token))
    client = ImsClient.from_options({"ims_endpoint": IMS_ENDPOINT, "auth_token": token, "retries": 0})
    assert client.get_image("x") is None
    with pytest.raises(ImsApiError) as err:
        client.get_image("x")
    assert (err.value.status, err.value.code) == (401, "APIGW.0307")
    assert token not in str(err.value)


def test_a_connection_error_names_the_url_as_sent_with_the_endpoints_own_path(http, clock):
    """An endpoint with a path of its own (a region behind a path prefix): the message shows the path sent."""
    http.expect(Call("GET", IMS_ENDPOINT + "/cn-east-3/v2/images/x", raises=refused))
    client = ImsClient.from_options(dict(CONNECTION, ims_endpoint=IMS_ENDPOINT + "/cn-east-3", retries=0))
    with pytest.raises(ImsConnectionError) as err:
        client.get_image("x")
    assert str(err.value).startswith("GET https://ims.example.test/cn-east-3/v2/images/x: connection failed after 1 "
                                     "attempt(s): ")
    assert not clock.sleeps
