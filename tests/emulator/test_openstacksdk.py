# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""openstacksdk's image proxy, unmodified, drives the emulator (issue 13, deliverable 4).

openstacksdk is never a dependency of the collection: it lives in .venvs/openstacksdk, pinned
in tests/requirements/openstacksdk.txt, which this module builds itself when the venv is
missing or older than that file (``python -m venv`` and ``pip install -r``, under a lock, so
that concurrent workers build it once). The SDK runs in a child process
(openstacksdk_image_proxy.py beside this file) and prints what each call returned; the test
checks that, and the emulator's state through its control surface.

Two ways in, as Open Telekom Cloud users configure openstacksdk against the same technology:
Keystone's password flow (keystoneauth discovers ``/v3``, POSTs ``/v3/auth/tokens`` and reads
the image endpoint from the token's catalog), over HTTP and over HTTPS, and a ready token with
the image endpoint given (``admin_token`` with ``image_endpoint_override``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pytest
import requests

from emulator_client import A, B, REPO_ROOT, USER_A, USER_B, password_body
from support import venvs
from support.fixtures import emulator_fixtures

REQUIREMENTS = os.path.join(REPO_ROOT, "tests", "requirements", "openstacksdk.txt")
SDK_VENV = os.path.join(REPO_ROOT, ".venvs", "openstacksdk")
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openstacksdk_image_proxy.py")
PATCH_TYPE = "application/openstack-images-v2.1-json-patch"

# An HTTPS emulator of the same accounts, for this module (the catalog then says https).
sdk_tls_emulator, sdk_temu = emulator_fixtures("sdk_tls_emulator", "sdk_temu", scope="module", tls=True,
                                               accounts=[A, B], users=[USER_A, USER_B])


def ensure_sdk_venv() -> str:
    """The Python of .venvs/openstacksdk, (re)built first when it is missing or out of date."""
    try:
        return str(venvs.ensure_venv(SDK_VENV, REQUIREMENTS) / "bin" / "python")
    except venvs.VenvError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def sdk_python():
    return ensure_sdk_venv()


def run_sdk(sdk_python, config: dict) -> dict:
    """Run the driver with ``config``; its JSON, or the test fails with what went wrong."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") and not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = os.devnull  # no clouds.yaml of the machine's user
    done = subprocess.run([sdk_python, DRIVER], input=json.dumps(config), env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    try:
        out = json.loads(done.stdout)
    except ValueError:
        pytest.fail("the openstacksdk driver printed no JSON (status %d):\n%s\n%s"
                    % (done.returncode, done.stdout, done.stderr[-4000:]))
    assert done.returncode == 0 and "error" not in out, "openstacksdk failed at %s: %s: %s\n%s" % (
        out.get("step"), out.get("error"), out.get("message"), done.stderr[-4000:])
    return out


def keystone_password(emu, user) -> dict:
    """Connection arguments of Keystone's password flow against the emulator's IAM."""
    return {"auth_type": "password", "region_name": "cn-north-4",
            "auth": {"auth_url": emu.base_url + "/v3", "username": user["name"], "password": user["password"],
                     "user_domain_name": user["domain"], "project_id": user["project_id"]}}


@pytest.fixture
def image_file(tmp_path):
    path = tmp_path / "disk.qcow2"
    data = os.urandom(200 * 1024 + 7)
    path.write_bytes(data)
    return str(path), hashlib.md5(data).hexdigest(), len(data)


def _routes(emu) -> dict:
    return emu.stats()["by_route"]


def test_the_password_flow_drives_list_create_upload_update_tags_members_and_delete(emu, sdk_python, image_file):
    path, md5, size = image_file
    config = {"owner": keystone_password(emu, USER_A), "member": keystone_password(emu, USER_B),
              "member_project": B["project_id"], "file": path, "name": "sdk-image", "delete": False}
    out = run_sdk(sdk_python, config)

    assert out["listed_before"] == []
    created, shown = out["created"], out["shown"]
    image_id = created["id"]
    assert shown["status"] == "active" and shown["checksum"] == md5 and shown["size"] == size
    assert shown["properties"]["__image_size"] == str(size)
    assert shown["properties"]["__os_version"] == "Ubuntu 22.04 server 64bit"
    assert shown["properties"]["__platform"] == "Ubuntu"
    assert shown["properties"]["owner_specified.openstack.object"] == "images/sdk-image"
    assert shown["owner"] == A["project_id"] and shown["visibility"] == "private"
    assert out["listed"] == [image_id] and out["listed_by_status"] == [image_id]
    assert out["downloaded_md5"] == md5

    updated = out["updated"]
    assert updated["name"] == "sdk-image-renamed" and updated["min_ram"] == 1024
    assert updated["os_distro"] == "ubuntu" and updated["properties"]["__description"] == "by openstacksdk"
    assert updated["checksum"] == md5  # nothing else changed
    assert out["tags"] == ["team=sdk"]

    assert out["member_added"] == {"member_id": B["project_id"], "image_id": image_id, "status": "pending"}
    assert out["members"] == [out["member_added"]] and out["member_shown"] == out["member_added"]
    assert out["member_updated"]["status"] == "accepted"
    assert out["member_sees"]["visibility"] == "shared" and out["member_sees"]["checksum"] == md5
    assert out["member_sees"]["properties"]["__imagetype"] == "shared"
    assert out["member_lists"] == [image_id]
    assert out["members_after"] == []

    # the emulator's own view (the control surface)
    stored = {i["id"]: i for i in emu.images()}[image_id]
    assert stored["name"] == "sdk-image-renamed" and stored["checksum"] == md5 and stored["size"] == size
    assert stored["__description"] == "by openstacksdk" and stored["os_distro"] == "ubuntu"
    assert stored["tags"] == ["team=sdk"] and stored["owner"] == A["project_id"]
    routes = _routes(emu)
    assert routes["GET /v3"] >= 2 and routes["POST /v3/auth/tokens"] == 2  # one token per connection
    assert routes["GET /"] >= 1  # the image proxy's version discovery
    log = emu.stats()["log"]
    patches = [e for e in log if e["route"] == "PATCH /v2/images/{id}"]
    assert patches and all(e["status"] == 200 and PATCH_TYPE in e["headers"].get("Content-Type", "") for e in patches)
    assert {e["auth"] for e in log if e["route"].startswith(("GET /v2/images", "POST /v2", "PUT /v2"))} == {"token"}
    assert all(e["status"] < 500 for e in log)

    deleted = run_sdk(sdk_python, {"owner": keystone_password(emu, USER_A), "delete_id": image_id})
    assert deleted == {"found_after_delete": False, "listed_after": []}
    assert image_id not in {i["id"] for i in emu.images()}
    assert emu.stderr() == ""


def test_a_token_with_the_image_endpoint_given_skips_keystone(emu, sdk_python, image_file):
    """admin_token (a ready token; no Keystone call) with image_endpoint_override: the image
    proxy discovers the image API's version at the override and works as with the catalog."""
    path, md5, size = image_file
    answer = requests.post(emu.base_url + "/v3/auth/tokens", json=password_body(USER_A, project_id=A["project_id"]),
                           timeout=30)
    assert answer.status_code == 201, answer.text
    emu.reset_stats()
    owner = {"auth_type": "admin_token", "image_endpoint_override": emu.base_url,
             "auth": {"endpoint": emu.base_url, "token": answer.headers["X-Subject-Token"]}}
    out = run_sdk(sdk_python, {"owner": owner, "member": None, "file": path, "name": "sdk-token-image"})
    assert out["shown"]["checksum"] == md5 and out["shown"]["size"] == size
    assert out["updated"]["name"] == "sdk-token-image-renamed" and out["tags"] == ["team=sdk"]
    assert out["found_after_delete"] is False
    routes = _routes(emu)
    assert "POST /v3/auth/tokens" not in routes and "GET /v3" not in routes
    assert routes["POST /v2/images"] == 1 and routes["DELETE /v2/images/{id}"] == 1
    assert [i for i in emu.images() if i["name"].startswith("sdk-token-image")] == []


def test_the_password_flow_over_https_finds_the_https_image_endpoint_in_the_catalog(sdk_temu, sdk_python, image_file):
    path, md5, _size = image_file
    owner = dict(keystone_password(sdk_temu, USER_A), cacert=sdk_temu.ca_bundle)
    assert sdk_temu.base_url.startswith("https://")
    out = run_sdk(sdk_python, {"owner": owner, "member": None, "file": path, "name": "sdk-tls-image"})
    assert out["shown"]["checksum"] == md5 and out["downloaded_md5"] == md5
    assert out["found_after_delete"] is False
    routes = _routes(sdk_temu)
    assert routes["GET /v3"] >= 1 and routes["POST /v3/auth/tokens"] == 1 and routes["PUT /v2/images/{id}/file"] == 1
