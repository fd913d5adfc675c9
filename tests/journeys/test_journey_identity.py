# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A token whose project the collection must learn, against the emulator (IMS's side of tests/glance's identity).

A ready token and no project id: each run asks IAM once (``GET /v3/auth/tokens``), finds the
project's own images by ``owner``, and so a re-run is unchanged with no duplicate. When IAM
cannot say, the task fails before any image request, naming project_id.
"""

from __future__ import annotations

import json
import socket
import urllib.request

from harness import DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_PROJECT_ID, DEFAULT_REGION, DEFAULT_USER

MODULE = "hwcloud.ims.ims_image"
VALIDATE = "GET /v3/auth/tokens"


def issue_token(emu):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": DEFAULT_USER, "password": DEFAULT_PASSWORD, "domain": {"name": DEFAULT_DOMAIN}}}},
        "scope": {"project": {"id": DEFAULT_PROJECT_ID}}}}
    request = urllib.request.Request(emu.base_url + "/v3/auth/tokens?nocatalog=true", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.headers["X-Subject-Token"]


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return "http://127.0.0.1:%d" % sock.getsockname()[1]


def own(emu, name):
    return [image for image in emu.images() if image["name"] == name and image["owner"] == DEFAULT_PROJECT_ID]


def test_a_token_without_project_id_is_asked_of_iam_once_a_run_and_never_duplicates(emu, ansible):
    token = issue_token(emu)
    env = {"HW_IMS_ENDPOINT": emu.base_url, "HW_IAM_ENDPOINT": emu.base_url, "HW_REGION_NAME": DEFAULT_REGION,
           "HW_AUTH_TOKEN": token}
    for expected_change in (True, False, False):
        emu.reset_stats()
        ran = ansible.adhoc(MODULE, "name=token-learned disk_format=qcow2 min_disk=2", env, options=("-vvv",))
        assert ran.rc == 0, ran
        assert ran.result()["changed"] is expected_change, ran
        stats = emu.stats()
        assert stats["by_route"].get(VALIDATE) == 1, stats["by_route"]
        listings = [entry["query"] for entry in stats["log"] if entry["route"] == "GET /v2/images"]
        assert listings and all("owner=%s" % DEFAULT_PROJECT_ID in query for query in listings), listings
        assert len(own(emu, "token-learned")) == 1
        assert token not in ran.output
    ran = ansible.adhoc(MODULE, "name=token-learned state=absent", env)
    assert ran.rc == 0 and ran.result()["changed"] is True, ran
    assert own(emu, "token-learned") == []


def test_a_project_iam_cannot_name_fails_before_any_image_request(emu, ansible):
    token = issue_token(emu)
    env = {"HW_IMS_ENDPOINT": emu.base_url, "HW_IAM_ENDPOINT": closed_port_url(), "HW_REGION_NAME": DEFAULT_REGION,
           "HW_AUTH_TOKEN": token}
    emu.reset_stats()
    ran = ansible.adhoc(MODULE, "name=never-made disk_format=qcow2", env)
    assert ran.rc != 0, ran
    result = ran.result()
    assert result["failed"] is True and result["changed"] is False
    assert "project_id (HW_PROJECT_ID)" in result["msg"] and "no image is missed and created twice" in result["msg"]
    assert "Traceback" not in ran.output and token not in ran.output
    assert not [entry for entry in emu.stats()["log"] if entry["route"].split(" ", 1)[1].startswith("/v2/")]
    assert own(emu, "never-made") == []
