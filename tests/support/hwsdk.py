# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official Huawei Cloud SDK for IMS (huaweicloudsdkims) as a test oracle against the emulator.

The SDK is a client nobody here wrote: what it sends is what Huawei's own tools send, so a call
of it that works against the emulator unmodified is evidence the emulator speaks IMS, and one
that fails shows where it does not. It is never a dependency of the collection: it lives in
``.venvs/huaweicloudsdk`` (``HWSDK_VENV`` to change it), pinned in
tests/requirements/huaweicloudsdk.txt, built on first use by :func:`sdk_python`.

Use::

    from support.hwsdk import run_sdk

    def test_list(emu):
        out = run_sdk(emu, '''
            request = models.ListImagesRequest(imagetype="private", limit=2)
            out["images"] = [image.id for image in client.list_images(request).images]
        ''')
        assert len(out["images"]) == 2

The script (dedented) runs in a child process with the SDK's Python (tests/support/hwsdk_driver.py):
``client`` is an ``ImsClient`` signed with AK/SK (``BasicCredentials(ak, sk, project_id)``, so
``X-Project-Id`` on every request) against the emulator's endpoint, ``models`` is
``huaweicloudsdkims.v2.model``, ``as_dict(x)`` turns an SDK answer into plain JSON, and whatever
the script puts into the dict ``out`` comes back. An SDK exception ends the script: with
``expect_error=True`` :func:`run_sdk` returns ``{"error": {"status_code", "error_code", "error_msg",
"request_id"}}``; otherwise the test fails with it. ``account`` is a dict of ``access_key``,
``secret_key`` and ``project_id`` (default: the emulator's first account).

``endpoint`` (default: the emulator's base URL) is the IMS endpoint, e.g. ``emu.base_url +
"/cn-east-3"`` for a region of the emulator. With ``learn_project=True`` the credentials are
``BasicCredentials(ak, sk)`` without a project, IAM's endpoint the emulator, and the client is
built ``with_region(Region(region, endpoint))``: the SDK then asks IAM for the region's project
(``GET /v3/projects?name=REGION``, signed, without ``X-Project-Id``) before its first call.
``extra_env`` adds to the SDK process's environment (e.g. ``HTTP_PROXY``).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import textwrap

from support import venvs

ROOT = pathlib.Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "tests" / "requirements" / "huaweicloudsdk.txt"
VENV = pathlib.Path(os.environ.get("HWSDK_VENV") or ROOT / ".venvs" / "huaweicloudsdk")
DRIVER = pathlib.Path(__file__).resolve().parent / "hwsdk_driver.py"


class SdkFailed(AssertionError):
    """The SDK script did not run to its end (an SDK error not expected, or a crash)."""


def sdk_python() -> str:
    """The Python of the SDK's venv, built or brought up to its requirements first."""
    return str(venvs.ensure_venv(VENV, REQUIREMENTS) / "bin" / "python")


def run_sdk(emu, script, account=None, expect_error=False, region="cn-north-4", timeout=120, endpoint=None,
            learn_project=False, extra_env=None) -> dict:
    """Run ``script`` with the SDK against ``emu``; the dict ``out`` it filled (see the module docstring)."""
    account = account or emu.accounts[0]
    config = {"endpoint": endpoint or emu.base_url, "access_key": account["access_key"],
              "secret_key": account["secret_key"], "project_id": None if learn_project else account["project_id"],
              "region": region, "ca_bundle": emu.ca_bundle, "script": textwrap.dedent(script),
              "iam_endpoint": emu.base_url if learn_project else None}
    # Nothing of the caller's Python environment: the SDK's venv has its own packages.
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
           and not key.startswith("HUAWEICLOUD_")}
    env.update(extra_env or {})
    done = subprocess.run([sdk_python(), str(DRIVER)], input=json.dumps(config), env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise SdkFailed("the SDK driver printed no JSON (exit %d):\n%s\n%s" % (
            done.returncode, done.stdout[-2000:], done.stderr[-4000:])) from None
    if "crash" in answer:
        raise SdkFailed("the SDK script failed: %s\n%s" % (answer["crash"], done.stderr[-4000:]))
    if "error" in answer and not expect_error:
        raise SdkFailed("the SDK answered an error: %r\n%s" % (answer["error"], done.stderr[-4000:]))
    if expect_error and "error" not in answer:
        raise SdkFailed("the SDK call succeeded where an error was expected: %r" % (answer.get("out"),))
    return answer if expect_error else answer["out"]
