# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sharing between two projects through ansible-playbook, against one emulator with two accounts.

The owner is the emulator's first account (the HW_* variables); the member the second
(HW_ACCESS_KEY_2, HW_SECRET_KEY_2, HW_PROJECT_ID_2, as run_with_emulator.py --account
exports them). Also the recipe of docs/sharing.md, run as a reader runs it.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

import harness

from support.fixtures import emulator_fixtures

ROOT = pathlib.Path(__file__).resolve().parents[2]
RECIPE = ROOT / "docs" / "sharing.md"
OWNER = {"access_key": harness.DEFAULT_ACCESS_KEY, "secret_key": harness.DEFAULT_SECRET_KEY,
         "project_id": harness.DEFAULT_PROJECT_ID}
MEMBER = {"access_key": "EMULATORAKMEMBER0002", "secret_key": "emulator-sk-member-project-0002",
          "project_id": "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"}

sharing_emulator, sharing_emu = emulator_fixtures("sharing_emulator", "sharing_emu", scope="module",
                                                  accounts=[OWNER, MEMBER])


def member_env(account=MEMBER, number=2):
    return {"HW_ACCESS_KEY_%d" % number: account["access_key"], "HW_SECRET_KEY_%d" % number: account["secret_key"],
            "HW_PROJECT_ID_%d" % number: account["project_id"]}


def writes(emu):
    return [(entry["method"], entry["path"]) for entry in emu.stats()["log"] if entry["method"] != "GET"]


def test_share_accept_rerun_owner_sees_reject(sharing_emu, ansible):
    image_id = sharing_emu.seed(images=[{"name": "golden-web", "status": "active"}])[0]
    ran = ansible.run_playbook("sharing.yml", sharing_emu.env(), extra_vars={"image_name": "golden-web"},
                               extra_env=member_env())
    assert ran.rc == 0, ran
    assert "failed=0" in ran.stdout
    member_path = "/v2/images/%s/members/%s" % (image_id, MEMBER["project_id"])
    # One share, one accept and one reject: the check-mode task, the re-run by name and the
    # owner's refused answer wrote nothing.
    assert writes(sharing_emu) == [("POST", "/v2/images/%s/members" % image_id), ("PUT", member_path),
                                   ("PUT", member_path)]
    stored = [image for image in sharing_emu.images() if image["id"] == image_id]
    assert stored and stored[0]["owner"] == OWNER["project_id"]


def test_an_unchanged_answer_is_two_reads(sharing_emu, ansible):
    image_id = sharing_emu.seed(images=[{"name": "golden-db", "members": [
        {"member": MEMBER["project_id"], "status": "accepted"}]}])[0]
    env = dict(sharing_emu.env(), HW_ACCESS_KEY=MEMBER["access_key"], HW_SECRET_KEY=MEMBER["secret_key"],
               HW_PROJECT_ID=MEMBER["project_id"])
    sharing_emu.reset_stats()
    ran = ansible.adhoc("hwcloud.ims.ims_image_member", "image=%s status=accepted" % image_id, env)
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["changed"] is False and result["membership"]["status"] == "accepted"
    assert [(entry["method"], entry["path"]) for entry in sharing_emu.stats()["log"]] == [
        ("GET", "/v2/images/%s" % image_id), ("GET", "/v2/images/%s/members/%s" % (image_id, MEMBER["project_id"]))]


def test_a_project_that_is_not_a_member_gets_a_clear_failure(sharing_emu, ansible):
    image_id = sharing_emu.seed(images=[{"name": "private-one"}])[0]  # the owner's, shared with nobody
    env = dict(sharing_emu.env(), HW_ACCESS_KEY=MEMBER["access_key"], HW_SECRET_KEY=MEMBER["secret_key"],
               HW_PROJECT_ID=MEMBER["project_id"])
    ran = ansible.adhoc("hwcloud.ims.ims_image_member", "image=%s status=accepted" % image_id, env)
    assert ran.rc != 0
    result = ran.result()
    expected = "image: no image with id %s is visible to project %s" % (image_id, MEMBER["project_id"])
    assert result["msg"].startswith(expected)
    assert writes(sharing_emu) == []


# -- the recipe of docs/sharing.md -------------------------------------------------------------------

MARKER = re.compile(r"^<!-- sample: (?P<kind>file|run|output|show)(?: (?P<arg>\S+))? -->$")


def recipe_samples():
    """(kind, arg, body) of each marked fenced block of the recipe."""
    lines = RECIPE.read_text(encoding="utf-8").splitlines()
    samples, marker, index = [], None, 0
    while index < len(lines):
        found = MARKER.match(lines[index].strip())
        if found:
            marker = (found.group("kind"), found.group("arg"))
        elif lines[index].startswith("```"):
            end = lines.index("```", index + 1)
            assert marker, "docs/sharing.md:%d: a code block without a <!-- sample: KIND --> marker" % (index + 1)
            samples.append((marker[0], marker[1], "\n".join(lines[index + 1:end]) + "\n"))
            marker, index = None, end
        elif lines[index].strip():
            marker = None
        index += 1
    return samples


def matches(expected, actual):
    """Each non-blank line of ``expected`` matches a line of ``actual`` (white space runs as one, ``…`` anything)."""
    seen = [" ".join(line.split()) for line in actual.splitlines()]
    for line in expected.splitlines():
        if line.strip():
            pattern = re.compile(".*".join(re.escape(part) for part in " ".join(line.split()).split("…")))
            if not any(pattern.fullmatch(candidate) for candidate in seen):
                return line
    return None


def test_the_recipe_runs_as_written(tmp_path, ansible):
    if not shutil.which("bash"):
        pytest.skip("the recipe's commands need bash")
    samples = recipe_samples()
    assert {kind for kind, _arg, _body in samples} >= {"file", "run", "output"}
    for kind, arg, body in samples:
        if kind == "file":
            (tmp_path / arg).write_text(body, encoding="utf-8")
    env = ansible.environment({}, {"EMU": str(ROOT / "tests" / "emulator"),
                                   "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]})
    last_output = None
    for kind, _arg, body in samples:
        if kind == "run":
            ran = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=tmp_path, env=env, capture_output=True,
                                 text=True, timeout=600, check=False)
            assert ran.returncode == 0, (body, ran.stdout, ran.stderr)
            last_output = ran.stdout + ran.stderr
        elif kind == "output":
            missing = matches(body, last_output)
            assert missing is None, "no line like %r in:\n%s" % (missing, last_output)
