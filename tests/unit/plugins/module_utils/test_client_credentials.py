# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a 401 says of the credentials used: their kind, where they came from, what was ignored; never a secret."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._connection import describe_credentials, short_key
from ansible_collections.hwcloud.ims.plugins.modules import ims_image, ims_image_info
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import gateway_error
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ACCESS_KEY,
    ANY,
    IAM_ENDPOINT,
    IMS_ENDPOINT,
    PROJECT_ID,
    SECRET_KEY,
    Call,
    run_module,
)

AKSK = {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
TOKEN = "MIItoken-0123456789-secret"
PASSWORD = "pa55-w0rd-secret"
USER = {"user_name": "alice", "password": PASSWORD, "domain_name": "acme"}
SECRETS = (SECRET_KEY, TOKEN, PASSWORD, "st-secret-token")
TASK_AKSK = "the credentials used: AK/SK with the access key AKTE...01, access_key and secret_key from the task's options"
ENV_AKSK = ("the credentials used: AK/SK with the access key AKTE...01, access_key and secret_key from the environment "
            "variables HW_ACCESS_KEY and HW_SECRET_KEY")


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


# -- the description, pure ----------------------------------------------------------------------


def test_an_access_key_is_shortened_to_its_first_4_and_last_2_characters():
    assert short_key("AKTESTAKTESTAKTEST01") == "AKTE...01"
    assert short_key("AK12") == "(4 characters)"  # too short to show any of it


@pytest.mark.parametrize("given, text", [
    (frozenset(AKSK), TASK_AKSK),
    (frozenset(), ENV_AKSK),
    (frozenset(["access_key"]), "the credentials used: AK/SK with the access key AKTE...01, access_key from the task's "
                                "options, secret_key from the environment variable HW_SECRET_KEY"),
    (None, "the credentials used: AK/SK with the access key AKTE...01, access_key and secret_key from the task's "
           "options or the environment"),
], ids=["task", "environment", "mixed", "unknown"])
def test_aksk_names_the_key_and_where_it_came_from(given, text):
    assert describe_credentials(AKSK, given) == text


def test_temporary_aksk_says_it_has_a_security_token():
    text = describe_credentials(dict(AKSK, security_token="st-secret-token"), frozenset())
    assert text.startswith("the credentials used: AK/SK with the access key AKTE...01 and a security token, "
                           "access_key, secret_key and security_token from the environment variables HW_ACCESS_KEY, "
                           "HW_SECRET_KEY and HW_SECURITY_TOKEN")
    assert_no_secret(text)


def test_aksk_wins_and_says_what_it_ignored():
    text = describe_credentials(dict(AKSK, auth_token=TOKEN, **USER), frozenset(["access_key", "secret_key", "auth_token"]))
    assert text == (TASK_AKSK + "; ignored, since AK/SK wins over a token and an IAM password: auth_token from the "
                    "task's options; user_name, password and domain_name from the environment variables HW_USER_NAME, "
                    "HW_USER_PASSWORD and HW_DOMAIN_NAME")
    assert_no_secret(text)


def test_a_token_says_it_is_never_renewed_and_that_it_won_over_a_password():
    text = describe_credentials(dict(auth_token=TOKEN, **USER), frozenset(USER))
    assert text == ("the credentials used: the token of auth_token (a fixed token, never renewed), auth_token from "
                    "the environment variable HW_AUTH_TOKEN; ignored, since a token wins over an IAM password: "
                    "user_name, password and domain_name from the task's options")
    assert_no_secret(text)


def test_a_password_names_the_user_and_the_domain():
    assert describe_credentials(USER, frozenset(USER)) == (
        "the credentials used: the IAM password of user alice in domain acme, user_name, password and domain_name "
        "from the task's options")


def test_no_credentials_no_description():
    assert describe_credentials({}, frozenset()) is None


# -- through the modules: a 401 carries it, other errors do not -----------------------------------


def unauthorized(code="APIGW.0301", message="Incorrect IAM authentication information: verify aksk signature fail"):
    return Call("GET", "/v2/images", query=ANY, status=401, answer=gateway_error(code, message), request_id="r1")


def test_a_401_with_aksk_from_the_options_says_so(http):
    http.expect(unauthorized())
    result = run_module(ims_image_info, dict(AKSK, ims_endpoint=IMS_ENDPOINT, project_id=PROJECT_ID))
    assert result["failed"] is True and result["status_code"] == 401 and result["error_code"] == "APIGW.0301"
    assert result["msg"] == ("GET /v2/images failed: HTTP 401 APIGW.0301: Incorrect IAM authentication information: "
                             "verify aksk signature fail (request id: r1); " + TASK_AKSK)
    assert_no_secret(repr(result))


def test_a_401_with_aksk_from_the_environment_says_so_and_names_the_token_it_ignored(http):
    http.expect(unauthorized())
    env = {"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY, "HW_PROJECT_ID": PROJECT_ID,
           "HW_IMS_ENDPOINT": IMS_ENDPOINT}
    result = run_module(ims_image, {"name": "web", "auth_token": TOKEN}, env=env)
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].endswith("(request id: r1); " + ENV_AKSK + "; ignored, since AK/SK wins over a token: "
                                  "auth_token from the task's options")
    assert_no_secret(repr(result))


def test_an_expired_fixed_token_says_it_is_never_renewed(http):
    http.auth_header = "X-Auth-Token"
    http.expect(unauthorized("APIGW.0307", "The token expires."))
    result = run_module(ims_image_info, {"ims_endpoint": IMS_ENDPOINT, "auth_token": TOKEN})
    assert result["msg"].endswith("; the credentials used: the token of auth_token (a fixed token, never renewed), "
                                  "auth_token from the task's options")
    assert_no_secret(repr(result))


def test_a_wrong_iam_password_from_the_environment_says_so(http):
    http.auth_header = None
    http.expect(Call("POST", IAM_ENDPOINT + "/v3/auth/tokens", status=401, request_id="r1",
                     answer={"error": {"code": 401, "title": "Unauthorized", "message": "The username or password is wrong."}}))
    env = {"HW_USER_NAME": "alice", "HW_USER_PASSWORD": PASSWORD, "HW_DOMAIN_NAME": "acme"}
    result = run_module(ims_image_info, {"ims_endpoint": IMS_ENDPOINT, "iam_endpoint": IAM_ENDPOINT,
                                         "region": "cn-north-4"}, env=env)
    assert result["msg"] == ("POST /v3/auth/tokens failed: HTTP 401: The username or password is wrong. (request id: r1); "
                             "the credentials used: the IAM password of user alice in domain acme, user_name, password "
                             "and domain_name from the environment variables HW_USER_NAME, HW_USER_PASSWORD and "
                             "HW_DOMAIN_NAME")
    assert_no_secret(repr(result))


def test_a_403_does_not_describe_the_credentials(http):
    http.expect(Call("GET", "/v2/images", query=ANY, status=403, answer=gateway_error("APIGW.0302", "denied")))
    result = run_module(ims_image_info, dict(AKSK, ims_endpoint=IMS_ENDPOINT, project_id=PROJECT_ID))
    assert result["status_code"] == 403 and "credentials used" not in result["msg"]
