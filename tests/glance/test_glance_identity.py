# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Identity that holds against a real Glance behind Keystone: the project learned, never a duplicate.

Here Glance validates every ``X-Auth-Token`` at a Keystone-compatible IAM (the emulator's, as
keystonemiddleware would at Keystone) and takes the token's project, whatever the client says.
The collection is given a token, or a password scoped by the region name, and no project id:
it must learn the project from IAM, find its own images by ``owner`` on every run, and so
never create a second image on a re-run.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from glance_api import GlanceApi
from glance_server import Glance
from harness import DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_PROJECT_ID, DEFAULT_REGION, DEFAULT_USER, Emulator

MODULE = "hwcloud.ims.ims_image"


@pytest.fixture(scope="module", name="iam")
def iam_fixture():
    """The emulator, as the Keystone of this Glance."""
    emulator = Emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="module", name="keystone_glance")
def keystone_glance_fixture(iam):
    """A Glance that takes each request's project from its token, validated at ``iam``."""
    with Glance.start(iam_url=iam.base_url) as server:
        yield server


def issue_token(iam):
    """A project-scoped token of the emulator's default user, from IAM's password method."""
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": DEFAULT_USER, "password": DEFAULT_PASSWORD, "domain": {"name": DEFAULT_DOMAIN}}}},
        "scope": {"project": {"id": DEFAULT_PROJECT_ID}}}}
    request = urllib.request.Request(iam.base_url + "/v3/auth/tokens", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.headers["X-Subject-Token"]


def token_env(iam, glance, token):
    return {"HW_IMS_ENDPOINT": glance.url, "HW_IAM_ENDPOINT": iam.base_url, "HW_REGION_NAME": DEFAULT_REGION,
            "HW_AUTH_TOKEN": token}


def password_env(iam, glance):
    return {"HW_IMS_ENDPOINT": glance.url, "HW_IAM_ENDPOINT": iam.base_url, "HW_REGION_NAME": DEFAULT_REGION,
            "HW_USER_NAME": DEFAULT_USER, "HW_USER_PASSWORD": DEFAULT_PASSWORD, "HW_DOMAIN_NAME": DEFAULT_DOMAIN}


def run_twice_then_delete(ansible, glance, env, name, secret):
    """Create ``name``, re-run unchanged, delete by name, re-run unchanged; one image at most, ever."""
    owner = GlanceApi(glance.url, DEFAULT_PROJECT_ID)
    for expected_change in (True, False):
        mark = len(glance.requests())
        ran = ansible.adhoc(MODULE, "name=%s disk_format=qcow2 min_disk=1" % name, env)
        assert ran.rc == 0, ran
        assert ran.result()["changed"] is expected_change, ran
        assert [image["owner"] for image in owner.by_name(name)] == [DEFAULT_PROJECT_ID]
        listings = [query for method, path, query, _s in glance.requests(mark) if method == "GET" and path == "/v2/images"]
        assert listings and all("owner=%s" % DEFAULT_PROJECT_ID in query for query in listings), listings
        if not expected_change:
            assert glance.writes(mark) == []
        assert secret not in ran.output
    for expected_change in (True, False):
        ran = ansible.adhoc(MODULE, "name=%s state=absent" % name, env)
        assert ran.rc == 0, ran
        assert ran.result()["changed"] is expected_change, ran
        assert owner.by_name(name) == []


def test_a_token_without_project_id_learns_its_project(iam, keystone_glance, ansible):
    token = issue_token(iam)
    run_twice_then_delete(ansible, keystone_glance, token_env(iam, keystone_glance, token), "learned-from-token", token)


def test_a_password_scoped_by_region_learns_its_project(iam, keystone_glance, ansible):
    run_twice_then_delete(ansible, keystone_glance, password_env(iam, keystone_glance), "learned-from-password",
                          DEFAULT_PASSWORD)
