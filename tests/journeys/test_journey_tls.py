# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""TLS, through real ``ansible`` runs against an HTTPS emulator whose certificate a throwaway CA signed.

Refused by default with a clear message, at once and without any request reaching the API;
accepted with ``validate_certs=false``, with ``ca_bundle``, with ``HW_CA_BUNDLE`` and with
``REQUESTS_CA_BUNDLE``; a missing bundle is refused before any request; the IAM password
login honours the bundle too.
"""

from __future__ import annotations

import json
import time

import pytest

from harness import DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_USER

from support.fixtures import emulator_fixtures

INFO = "hwcloud.ims.ims_image_info"
IMAGE = "hwcloud.ims.ims_image"
CLEANUP = "hwcloud.ims.ims_image_cleanup"
SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt"
# Without these a run trusts requests' default CAs (many machines set them to the system bundle).
NO_REQUESTS_BUNDLE = {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""}
# Refused runs must fail at once: no retries (5 by default, with backoff) for a TLS failure.
FAST = 30.0


# One HTTPS emulator for this module, reset for each test.
tls_emulator, temu = emulator_fixtures("tls_emulator", "temu", scope="module", tls=True)


def without_bundle(emu):
    env = emu.env()
    del env["HW_CA_BUNDLE"]
    return env


def assert_refused(ran, emu, path="/v2/images"):
    assert ran.rc != 0, ran
    msg = ran.result()["msg"]
    assert msg.startswith("TLS certificate verification failed for %s (" % emu.base_url), msg
    assert path in msg and "set ca_bundle (HW_CA_BUNDLE)" in msg and "validate_certs: false" in msg, msg
    assert "Traceback" not in ran.output and "urllib3" not in msg and "HTTPSConnectionPool" not in msg, ran
    assert emu.stats()["total"] == 0  # the handshake failed: no request reached the API


def timed(call):
    start = time.monotonic()
    ran = call()
    return ran, time.monotonic() - start


def test_refused_by_default_at_once(temu, ansible):
    ran, seconds = timed(lambda: ansible.adhoc(INFO, "imagetype=private", without_bundle(temu),
                                               extra_env=NO_REQUESTS_BUNDLE))
    assert_refused(ran, temu)
    assert seconds < FAST, seconds


def test_refused_with_the_system_cas(temu, ansible):
    ran = ansible.adhoc(INFO, "imagetype=private", without_bundle(temu), extra_env={"REQUESTS_CA_BUNDLE": SYSTEM_CA})
    assert_refused(ran, temu)


def test_accepted_with_validate_certs_false(temu, ansible):
    temu.seed(name="tls-check", owner=temu.default_account["project_id"])
    ran = ansible.adhoc(INFO, "name=tls-check validate_certs=false", without_bundle(temu), extra_env=NO_REQUESTS_BUNDLE)
    assert ran.rc == 0, ran
    assert [image["name"] for image in ran.result()["images"]] == ["tls-check"]


def test_validate_certs_false_ignores_the_bundle(temu, ansible):
    ran = ansible.adhoc(INFO, "imagetype=private validate_certs=false ca_bundle=/nonexistent/ca.pem",
                        without_bundle(temu), extra_env=NO_REQUESTS_BUNDLE)
    assert ran.rc == 0, ran


def test_accepted_with_the_ca_bundle_option(temu, ansible):
    temu.seed(name="tls-check", owner=temu.default_account["project_id"])
    # The option wins over REQUESTS_CA_BUNDLE (requests would let the variable win over its session).
    ran = ansible.adhoc(INFO, "name=tls-check ca_bundle=%s" % temu.ca_bundle, without_bundle(temu),
                        extra_env={"REQUESTS_CA_BUNDLE": SYSTEM_CA})
    assert ran.rc == 0, ran
    assert [image["name"] for image in ran.result()["images"]] == ["tls-check"]


def test_accepted_with_hw_ca_bundle(temu, ansible):
    temu.seed(name="tls-check", owner=temu.default_account["project_id"])
    env = temu.env()
    assert env["HW_CA_BUNDLE"] == temu.ca_bundle
    ran = ansible.adhoc(INFO, "name=tls-check", env, extra_env={"REQUESTS_CA_BUNDLE": SYSTEM_CA})
    assert ran.rc == 0, ran
    assert [image["name"] for image in ran.result()["images"]] == ["tls-check"]


def test_accepted_with_requests_ca_bundle(temu, ansible):
    ran = ansible.adhoc(INFO, "imagetype=private", without_bundle(temu),
                        extra_env={"REQUESTS_CA_BUNDLE": temu.ca_bundle, "CURL_CA_BUNDLE": ""})
    assert ran.rc == 0, ran


def test_a_bundle_without_the_ca_is_named(temu, ansible):
    ran = ansible.adhoc(INFO, "imagetype=private ca_bundle=%s" % SYSTEM_CA, without_bundle(temu))
    assert ran.rc != 0, ran
    msg = ran.result()["msg"]
    assert msg.startswith("TLS certificate verification failed for %s" % temu.base_url), msg
    assert "the CA bundle %s (ca_bundle, HW_CA_BUNDLE) does not hold the CA" % SYSTEM_CA in msg, msg
    assert temu.stats()["total"] == 0


@pytest.mark.parametrize("how", ["option", "environment"])
def test_missing_bundle_file_is_refused_before_any_request(temu, ansible, tmp_path, how):
    missing = tmp_path / "no-such-ca.pem"
    env = without_bundle(temu)
    if how == "option":
        args = "imagetype=private ca_bundle=%s" % missing
    else:
        args, env["HW_CA_BUNDLE"] = "imagetype=private", str(missing)
    ran = ansible.adhoc(INFO, args, env)
    assert ran.rc != 0, ran
    msg = ran.result()["msg"]
    assert "ca_bundle (or HW_CA_BUNDLE) must be a PEM file of CA certificates" in msg and str(missing) in msg, msg
    assert "Traceback" not in ran.output
    assert temu.stats()["total"] == 0


def test_a_file_that_is_not_pem_is_named(temu, ansible, tmp_path):
    not_pem = tmp_path / "ca.txt"
    not_pem.write_text("not a certificate\n")
    ran = ansible.adhoc(INFO, "imagetype=private ca_bundle=%s" % not_pem, without_bundle(temu))
    assert ran.rc != 0, ran
    msg = ran.result()["msg"]
    assert "the CA bundle %s could not be loaded" % not_pem in msg and "must be a PEM file" in msg, msg
    assert "Traceback" not in ran.output
    assert temu.stats()["total"] == 0


def _password_env(emu, bundle):
    env = {"HW_IMS_ENDPOINT": emu.base_url, "HW_IAM_ENDPOINT": emu.base_url, "HW_REGION_NAME": "cn-north-4",
           "HW_PROJECT_ID": emu.default_account["project_id"], "HW_USER_NAME": DEFAULT_USER,
           "HW_USER_PASSWORD": DEFAULT_PASSWORD, "HW_DOMAIN_NAME": DEFAULT_DOMAIN}
    if bundle:
        env["HW_CA_BUNDLE"] = emu.ca_bundle
    return env


def test_iam_password_login_honours_the_bundle(temu, ansible):
    ran = ansible.adhoc(INFO, "imagetype=private", _password_env(temu, bundle=True), extra_env=NO_REQUESTS_BUNDLE)
    assert ran.rc == 0, ran
    assert temu.stats()["by_route"].get("POST /v3/auth/tokens") == 1
    assert DEFAULT_PASSWORD not in ran.output


def test_iam_password_login_refused_without_the_bundle(temu, ansible):
    ran = ansible.adhoc(INFO, "imagetype=private", _password_env(temu, bundle=False), extra_env=NO_REQUESTS_BUNDLE)
    assert_refused(ran, temu, path="POST /v3/auth/tokens")
    assert DEFAULT_PASSWORD not in ran.output


def test_image_write_over_tls(temu, ansible):
    args = json.dumps({"name": "tls-write", "disk_format": "qcow2", "tags": ["via=tls"]})
    refused = ansible.adhoc(IMAGE, args, without_bundle(temu), extra_env=NO_REQUESTS_BUNDLE)
    assert_refused(refused, temu)
    created = ansible.adhoc(IMAGE, args, temu.env())
    assert created.rc == 0, created
    assert created.result()["changed"] is True
    assert [image["name"] for image in temu.images() if image["name"] == "tls-write"] == ["tls-write"]


def test_cleanup_module_over_tls(temu, ansible):
    project = temu.default_account["project_id"]
    temu.seed(name="tls-killed-{i}", owner=project, status="killed", age_days=2, count=2)
    refused = ansible.adhoc(CLEANUP, json.dumps({"dry_run": False}), without_bundle(temu), extra_env=NO_REQUESTS_BUNDLE)
    assert_refused(refused, temu)
    ran = ansible.adhoc(CLEANUP, json.dumps({"dry_run": False}), temu.env())
    assert ran.rc == 0, ran
    assert not [image for image in temu.images() if image["name"].startswith("tls-killed-")]
