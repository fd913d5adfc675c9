# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A member's whole flow across regions, as ims_image_info's EXAMPLES show it, run through ansible-playbook.

The tasks are taken from the module's EXAMPLES as written (only their region lists become two of the
emulator's regions), and run with the member's access key, no project id and the ``{region}`` endpoint:
each task learns the member's project of its region from IAM. The owner shared one image in each
region, pending; the member lists them per region, accepts them with one batch request per region,
and then lists them accepted. A re-run writes nothing.
"""

from __future__ import annotations

import ast
import json

import harness
import yaml

from support.fixtures import emulator_fixtures
from support.guides import ROOT

REGIONS = [harness.DEFAULT_REGION, "cn-east-3"]
FLOW = ("In each region, the images shared with this account and not answered yet",
        "Accept them, one batch request per region that has any",
        "In each region, what this account can launch from now on")
OWNER = harness.DEFAULT_ACCOUNT
MEMBER = {"access_key": "EMULATORAKMEMBER0003", "secret_key": "emulator-sk-member-project-0003",
          "project_id": "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"}

member_emulator, member_emu = emulator_fixtures("member_emulator", "member_emu", scope="module",
                                                accounts=[OWNER, MEMBER])


def example_tasks():
    """The member's flow from ims_image_info's EXAMPLES, its loops over this test's regions."""
    module = ast.parse((ROOT / "plugins" / "modules" / "ims_image_info.py").read_text(encoding="utf-8"))
    examples = next(node.value.value for node in module.body
                    if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["EXAMPLES"])
    tasks = {task["name"]: task for task in yaml.safe_load(examples)}
    flow = [tasks[name] for name in FLOW]
    for task in flow:
        if isinstance(task.get("loop"), list):
            task["loop"] = REGIONS
    return flow


def member_env(emu):
    env = emu.env()
    env.pop("HW_PROJECT_ID")
    env.pop("HW_REGION_NAME")
    env.update(HW_ACCESS_KEY=MEMBER["access_key"], HW_SECRET_KEY=MEMBER["secret_key"],
               HW_IMS_ENDPOINT=emu.endpoint_template())
    return env


def writes(emu):
    return [(entry["method"], entry["path"]) for entry in emu.stats()["log"] if entry["method"] != "GET"]


def test_the_members_flow_across_regions_as_the_examples_show_it(member_emu, ansible, tmp_path):
    member_emu.configure_jobs(1)
    shared = {}
    for region in REGIONS:
        view = member_emu.region(region)
        project = member_emu.project_id(region, MEMBER["access_key"])
        shared[region] = view.seed(images=[{"name": "golden-%s" % region, "status": "active",
                                            "members": [{"member": project, "status": "pending"}]}])[0]
    report = tmp_path / "accepted.json"
    play = [{"name": "A member's flow across regions", "hosts": "localhost", "gather_facts": False,
             "tasks": example_tasks() + [{"name": "Keep what each region lists", "ansible.builtin.copy": {
                 "content": "{{ accepted.results | items2dict(key_name='item', value_name='images') | to_json }}",
                 "dest": str(report), "mode": "0600"}}]}]
    playbook = tmp_path / "member_regions.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    for run in ("first", "again"):
        member_emu.reset_stats()
        ran = ansible.run_playbook(str(playbook), member_env(member_emu))
        assert ran.rc == 0, ran
        listed = json.loads(report.read_text())
        assert {region: [image["id"] for image in images] for region, images in listed.items()} == \
            {region: [shared[region]] for region in REGIONS}, (run, listed)
        expected = [("PUT", "/%s/v1/cloudimages/members" % region) for region in REGIONS] if run == "first" else []
        assert writes(member_emu) == expected, (run, writes(member_emu))
    for region in REGIONS:
        project = member_emu.project_id(region, MEMBER["access_key"])
        members = member_emu.region(region).members()
        assert [(m["member_id"], m["status"]) for m in members.get(shared[region], [])] == [(project, "accepted")], \
            (region, members)
