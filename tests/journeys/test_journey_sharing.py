# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sharing between two projects through ansible-playbook, against one emulator with two accounts.

The owner is the emulator's first account (the HW_* variables); the member the second
(HW_ACCESS_KEY_2, HW_SECRET_KEY_2, HW_PROJECT_ID_2, as run_with_emulator.py --account
exports them). Also the recipe of docs/sharing.md, run as a reader runs it.
"""

from __future__ import annotations

import harness

from support.fixtures import emulator_fixtures
from support.guides import ROOT, check_markers, parse_guide, reader_environment, run_guide

RECIPE = ROOT / "docs" / "sharing.md"
OWNER = harness.DEFAULT_ACCOUNT
MEMBER = {"access_key": "EMULATORAKMEMBER0002", "secret_key": "emulator-sk-member-project-0002",
          "project_id": "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"}

sharing_emulator, sharing_emu = emulator_fixtures("sharing_emulator", "sharing_emu", scope="module",
                                                  accounts=[OWNER, MEMBER])


def member_env():
    """The member's account as run_with_emulator.py --account exports the second account."""
    return {"HW_ACCESS_KEY_2": MEMBER["access_key"], "HW_SECRET_KEY_2": MEMBER["secret_key"],
            "HW_PROJECT_ID_2": MEMBER["project_id"]}


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


# -- the recipe of docs/sharing.md (markers and how they run: tests/support/guides.py) ---------------

def test_every_code_block_of_the_recipe_is_marked():
    check_markers(parse_guide(RECIPE), required=("file", "run", "output"))


def test_the_recipe_runs_as_written(tmp_path):
    env = reader_environment(tmp_path)
    env["EMU"] = str(ROOT / "tests" / "emulator")  # the recipe's reader knows where the emulator is
    run_guide(parse_guide(RECIPE), tmp_path, env=env, timeout=600)


def test_many_images_through_the_batch_api_both_sides(sharing_emu, ansible):
    """One POST shares two images; the member accepts both with one PUT (its re-run sends none); the owner's
    re-run is unchanged; one DELETE stops sharing the first. Each batch is an IMS job, waited for."""
    sharing_emu.configure_jobs(1)
    ids = sharing_emu.seed(images=[{"name": "batch-web", "status": "active"}, {"name": "batch-db", "status": "active"}])
    sharing_emu.reset_stats()
    ran = ansible.run_playbook("sharing_batch.yml", sharing_emu.env(), extra_vars={"image_names": ["batch-web", "batch-db"]},
                               extra_env=member_env())
    assert ran.rc == 0, ran
    assert "failed=0" in ran.stdout
    assert writes(sharing_emu) == [("POST", "/v1/cloudimages/members"), ("PUT", "/v1/cloudimages/members"),
                                   ("DELETE", "/v1/cloudimages/members")]
    members = sharing_emu.members()
    assert [member["member_id"] for member in members.get(ids[0], [])] == []
    assert [(member["member_id"], member["status"]) for member in members[ids[1]]] == [(MEMBER["project_id"], "accepted")]
