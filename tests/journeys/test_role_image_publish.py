# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role hwcloud.ims.image_publish through the collection playbook, against the emulator's regions.

An image baked from a seeded server in the default region (cn-north-4), copied to cn-east-3 and
cn-south-1, shared with a project per region and an account, and the family's older versions
retired beyond image_publish_keep_newest in every region; its re-run writes nothing; check mode and
the dry run write nothing and show the plan; a region that fails is named while the others are
done, and the run again resumes it; a run killed after the bake is finished by the next without a
second bake; retirement spares the image just published, a protected one, one shared with an
accepted member, and stops at image_publish_max_deletions. The request counts are the emulator's.
"""

from __future__ import annotations

import json
import re
import subprocess
import time

from support.runner import ROOT, custom_stats, debug_messages, kill_session

PLAYBOOK = str(ROOT / "playbooks" / "image_publish.yml")
BAKE, EAST, SOUTH = "cn-north-4", "cn-east-3", "cn-south-1"
VERSION = "20260301"
NAME = "web-" + VERSION
DOMAIN = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0"
PROJECTS = {BAKE: ["b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"], EAST: ["e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3"]}
AGENCY = "ims_admin_agency"
CREATES = "POST /v2/cloudimages/action"
COPIES = "POST /v1/cloudimages/{image_id}/cross_region_copy"


# -- helpers ------------------------------------------------------------------------------


def publish_env(emu):
    """The default region's credentials and project, with one endpoint for every region (``{region}``)."""
    return dict(emu.env(), HW_IMS_ENDPOINT=emu.endpoint_template(), ANSIBLE_SHOW_CUSTOM_STATS="1")


def writes(emu):
    return {route: count for route, count in emu.stats()["by_route"].items()
            if count and route.split(" ", 1)[0] in ("POST", "PUT", "PATCH", "DELETE") and route != "POST /v3/auth/tokens"}


def named(emu, region, name):
    return [image for image in emu.region(region).images() if image["name"] == name]


def names(emu, region, prefix="web-"):
    return sorted(image["name"] for image in emu.region(region).images() if image["name"].startswith(prefix))


def summary(ran):
    """The lines of the task that shows the plan and what was done."""
    return debug_messages(ran.stdout, "hwcloud.ims.image_publish : Show the plan and what was done, per region")[0]


def server(emu):
    emu.configure_jobs(1)
    return emu.seed_resources(servers=[{"name": "web-builder"}])["servers"][0]


def publish_vars(source, tmp_path, **more):
    variables = {
        "image_publish_family": "web",
        "image_publish_version": VERSION,
        "image_publish_source": {"instance_id": source},
        "image_publish_tags": {"team": "platform"},
        "image_publish_regions": [{"region": EAST, "agency_name": AGENCY}, {"region": SOUTH, "agency_name": AGENCY}],
        "image_publish_share_projects": PROJECTS,
        "image_publish_share_domains": [DOMAIN],
        "image_publish_keep_newest": 2,
        "image_publish_report_file": str(tmp_path / "report" / "publish.json"),
    }
    variables.update(more)
    return variables


def seed_family(emu):
    """Older versions of the family (and of another family, web-base) in the bake region and cn-east-3: their ids."""
    north = emu.seed(images=[{"name": "web-20250101", "age_days": 60}, {"name": "web-20250201", "age_days": 30},
                             {"name": "web-20250301", "age_days": 10},
                             {"name": "web-base-20240101", "age_days": 400}, {"name": "web-base-20240201", "age_days": 300},
                             {"name": "web-base-20240301", "age_days": 200}])
    east = emu.region(EAST).seed(images=[{"name": "web-20250101", "age_days": 60}])
    return {"north": north, "east": east}


# -- 1, 2: a first run publishes everywhere, a re-run changes nothing -----------------------


def test_a_first_run_publishes_everywhere_and_a_rerun_changes_nothing(emu, ansible, tmp_path):
    source = server(emu)
    seeded = seed_family(emu)
    variables = publish_vars(source, tmp_path)
    started = time.monotonic()
    ran = ansible.run_playbook(PLAYBOOK, publish_env(emu), extra_vars=variables)
    assert ran.rc == 0, ran
    first_run = time.monotonic() - started
    routes = writes(emu)
    assert routes[CREATES] == 1 and routes[COPIES] == 2, routes
    # Projects through the image's member API (no IMS job), the account through one batch job per region.
    assert routes["POST /v2/images/{id}/members"] == 2 and routes["POST /v1/cloudimages/members"] == 3, routes
    images = {}
    for region in (BAKE, EAST, SOUTH):
        made = named(emu, region, NAME)
        assert len(made) == 1 and made[0]["status"] == "active", (region, made)
        assert made[0]["owner"] == emu.project_id(region)
        assert {"family=web", "version=%s" % VERSION, "team=platform"} <= set(made[0]["tags"]), made[0]["tags"]
        images[region] = made[0]["id"]
    # Retirement, newest 2 per region: the two oldest versions in the bake region; web-base is another family.
    assert names(emu, BAKE) == ["web-20250301", NAME, "web-base-20240101", "web-base-20240201", "web-base-20240301"]
    assert names(emu, EAST) == ["web-20250101", NAME] and names(emu, SOUTH) == [NAME]
    assert seeded["east"][0] in [image["id"] for image in emu.region(EAST).images()]
    for region in (BAKE, EAST, SOUTH):
        members = emu.region(region).members().get(images[region], [])
        assert sorted(member["member_id"] for member in members) == sorted(PROJECTS.get(region, []) + [DOMAIN]), (region, members)
    stats = custom_stats(ran)
    assert stats["image_publish_image_name"] == NAME and stats["image_publish_image_ids"] == images, stats
    assert (stats["image_publish_copied"], stats["image_publish_shared"], stats["image_publish_retired"],
            stats["image_publish_failed"]) == (2, 3, 2, 0), stats
    assert stats["image_publish_by_region"][BAKE]["publish"] == "baked"
    assert stats["image_publish_by_region"][EAST]["publish"] == "copied"
    report = json.loads((tmp_path / "report" / "publish.json").read_text())
    assert report["status"] == "published" and sorted(report["regions"]) == sorted([BAKE, EAST, SOUTH])
    assert sorted(entry["name"] for entry in report["regions"][BAKE]["retired"]) == ["web-20250101", "web-20250201"]
    lines = summary(ran)
    assert "%s: BAKED %s (%s)" % (BAKE, NAME, images[BAKE]) in lines, lines
    assert "%s: COPIED %s (%s)" % (EAST, NAME, images[EAST]) in lines, lines

    emu.reset_stats()
    again = ansible.run_playbook(PLAYBOOK, publish_env(emu), extra_vars=variables)
    assert again.rc == 0 and again.recap()["localhost"]["changed"] == 0, again
    assert writes(emu) == {}, writes(emu)
    stats = custom_stats(again)
    assert (stats["image_publish_copied"], stats["image_publish_shared"], stats["image_publish_retired"]) == (0, 0, 0), stats
    assert {figures["publish"] for figures in stats["image_publish_by_region"].values()} == {"found"}, stats
    assert first_run < 120, first_run


# -- 6: check mode and the dry run write nothing and show the plan -------------------------


def test_check_mode_and_the_dry_run_write_nothing_and_show_the_plan(emu, ansible, tmp_path):
    source = server(emu)
    seed_family(emu)
    before = sorted(image["id"] for image in emu.images())
    for options, variables in ((("--check",), publish_vars(source, tmp_path)),
                               ((), publish_vars(source, tmp_path, image_publish_dry_run=True))):
        emu.reset_stats()
        ran = ansible.run_playbook(PLAYBOOK, publish_env(emu), extra_vars=variables, options=options)
        assert ran.rc == 0, ran
        assert writes(emu) == {}, (options, writes(emu))
        assert sorted(image["id"] for image in emu.images()) == before
        lines = summary(ran)
        assert lines[0] == "%s: DRY RUN, nothing written (3 regions)" % NAME, lines
        assert "%s: WOULD BAKE %s from instance_id %s" % (BAKE, NAME, source) in lines, lines
        assert "%s: WOULD COPY %s from %s (copy %s to %s)" % (EAST, NAME, BAKE, NAME, EAST) in lines, lines
        assert "%s: share WOULD SHARE projects %s, domains %s" % (EAST, PROJECTS[EAST][0], DOMAIN) in lines, lines
        # The plan counts the image to come among the newest 2: one older version kept.
        retire = [line for line in lines if line.startswith("%s:   RETIRE" % BAKE)]
        assert [line.split()[2] for line in retire] == ["web-20250101", "web-20250201"], lines
        assert not [line for line in lines if line.startswith("%s:   RETIRE" % EAST)], lines
        if not options:
            assert ran.recap()["localhost"]["changed"] == 0, ran
    assert not (tmp_path / "report").exists() or json.loads((tmp_path / "report" / "publish.json").read_text())["dry_run"]


# -- 4: one region failing, the others done; the run again resumes it ----------------------


def test_a_failing_region_is_named_the_others_are_done_and_the_run_again_resumes_it(emu, ansible, tmp_path):
    source = server(emu)
    regions = [{"region": EAST, "agency_name": "no_such_agency"}, {"region": SOUTH, "agency_name": AGENCY}]
    ran = ansible.run_playbook(PLAYBOOK, publish_env(emu), extra_vars=publish_vars(source, tmp_path, image_publish_regions=regions))
    assert ran.rc != 0, ran
    message = re.search(r'"msg": "(the publication of [^"]*)"', ran.stdout).group(1)
    assert "failed in 1 region (%s)" % EAST in message and "no_such_agency" in message, message
    assert "The other regions (%s, %s) are done" % (BAKE, SOUTH) in message, message
    assert named(emu, EAST, NAME) == [] and len(named(emu, SOUTH, NAME)) == 1 and len(named(emu, BAKE, NAME)) == 1
    stats = custom_stats(ran)
    assert stats["image_publish_failed"] == 1 and stats["image_publish_by_region"][EAST]["failed"] is True, stats
    assert stats["image_publish_by_region"][SOUTH]["share"] == "shared", stats
    report = json.loads((tmp_path / "report" / "publish.json").read_text())
    assert report["status"] == "failed" and report["regions"][EAST]["publish"] == "failed", report

    emu.reset_stats()
    ran = ansible.run_playbook(PLAYBOOK, publish_env(emu), extra_vars=publish_vars(source, tmp_path))
    assert ran.rc == 0, ran
    routes = writes(emu)
    assert CREATES not in routes and routes[COPIES] == 1, routes  # only cn-east-3's copy
    assert all(len(named(emu, region, NAME)) == 1 for region in (BAKE, EAST, SOUTH))


# -- 3: a run killed after the bake, then run again ----------------------------------------


def test_a_run_killed_after_the_bake_is_finished_by_the_next_without_a_second_bake(emu, ansible, tmp_path):
    source = server(emu)
    variables = publish_vars(source, tmp_path)
    vars_file = tmp_path / "killed-vars.json"
    vars_file.write_text(json.dumps(variables))
    process = subprocess.Popen([ansible.playbook, PLAYBOOK, "-e", "@%s" % vars_file], env=ansible.environment(publish_env(emu)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if [image for image in named(emu, BAKE, NAME) if image["status"] == "active"]:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the bake did not end")
    finally:
        kill_session(process)
    assert process.returncode != 0
    ran = ansible.run_playbook(PLAYBOOK, publish_env(emu), extra_vars=variables)
    assert ran.rc == 0, ran
    routes = emu.stats()["by_route"]
    assert routes[CREATES] == 1, routes  # one bake over both runs
    assert routes.get(COPIES, 0) == 2, routes  # each region's copy once, whichever run sent it
    assert all(len(named(emu, region, NAME)) == 1 for region in (BAKE, EAST, SOUTH))


# -- 5: retirement spares what it must -----------------------------------------------------


def test_retirement_spares_the_new_image_a_protected_one_an_accepted_share_and_stops_at_max_deletions(emu, ansible, tmp_path):
    source = server(emu)
    member = "f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5"
    north = emu.seed(images=[{"name": "web-20240101", "age_days": 90, "protected": True},
                             {"name": "web-20240201", "age_days": 80, "members": [{"member": member, "status": "accepted"}]},
                             {"name": "web-20240301", "age_days": 70, "members": [{"member": member, "status": "pending"}]},
                             {"name": "web-20240401", "age_days": 60, "tags": ["cleanup=keep"]},
                             {"name": "web-20240501", "age_days": 50}])
    emu.region(EAST).seed(images=[{"name": "web-2023%02d01" % month, "age_days": 400 - month} for month in range(1, 5)])
    variables = publish_vars(source, tmp_path, image_publish_keep_newest=1, image_publish_max_deletions=3,
                             image_publish_regions=[{"region": EAST, "agency_name": AGENCY}], image_publish_share_projects={})
    ran = ansible.run_playbook(PLAYBOOK, publish_env(emu), extra_vars=variables)
    assert ran.rc != 0, ran
    # The bake region: the new image kept (newest 1), the protected, the accepted share and the tagged one spared.
    assert names(emu, BAKE) == ["web-20240101", "web-20240201", "web-20240401", NAME], names(emu, BAKE)
    report = json.loads((tmp_path / "report" / "publish.json").read_text())
    spared = {entry["name"]: entry["reason"] for entry in report["regions"][BAKE]["spared"]}
    assert spared["web-20240101"] == "protected" and "accepted" in spared["web-20240201"], spared
    assert "cleanup=keep" in spared["web-20240401"] and spared[NAME].startswith("excluded by id"), spared
    # cn-east-3: 4 older versions beyond the newest 1 > image_publish_max_deletions (3): nothing retired there.
    assert len(names(emu, EAST)) == 5 and report["regions"][EAST]["retire"] == "failed", report["regions"][EAST]
    message = re.search(r'"msg": "(the publication of [^"]*)"', ran.stdout).group(1)
    assert "(%s)" % EAST in message and "image_publish_max_deletions (3)" in message, message
    assert north[1] in [image["id"] for image in emu.images()]

    ran = ansible.run_playbook(PLAYBOOK, publish_env(emu), extra_vars=dict(variables, image_publish_retire_shared=True,
                                                                           image_publish_max_deletions=5))
    assert ran.rc == 0, ran
    assert names(emu, BAKE) == ["web-20240101", "web-20240401", NAME] and names(emu, EAST) == [NAME]


# -- the bake region from image_publish_region alone (no HW_REGION_NAME, no HW_PROJECT_ID) -----


def test_the_role_region_alone_without_a_project_plans_the_bake_region_retirement_after_the_bake(emu, ansible, tmp_path):
    """As from an AWX credential without a default region or project (tests/journeys/test_awx_runner.py runs
    the publication itself so): the dry run cannot know the bake region's project before the image exists."""
    source = server(emu)
    seed_family(emu)
    env = {name: value for name, value in publish_env(emu).items() if name not in ("HW_REGION_NAME", "HW_PROJECT_ID")}
    variables = publish_vars(source, tmp_path, image_publish_region=BAKE, image_publish_dry_run=True)
    planned = ansible.run_playbook(PLAYBOOK, env, extra_vars=variables)
    assert planned.rc == 0 and writes(emu) == {}, planned
    lines = summary(planned)
    assert "%s: retire PLANNED AFTER THE BAKE (the family's versions beyond the newest 2 in the image's project)" % BAKE \
        in lines, lines
    assert "%s: WOULD BAKE %s from instance_id %s" % (BAKE, NAME, source) in lines, lines
