# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Regions, as a user reaches them: one endpoint setting for every region, the project learned from IAM.

``HW_IMS_ENDPOINT`` holds ``{region}`` (the emulator serves each region under its path) and no
``HW_PROJECT_ID`` is set: each task in a region asks IAM once for the project named like it
(``GET /v3/projects?name=REGION``) and works there, in that project, and nowhere else. What IAM
cannot name, and a placeholder or ``cloud`` that cannot be used, fail before any IMS request.
"""

from __future__ import annotations

from harness import DEFAULT_REGION

EAST, SOUTH = "cn-east-3", "cn-south-1"


def template_env(emu, region=None):
    """AK/SK, the endpoint of every region, IAM, and no project id (nor a region unless given)."""
    env = emu.env()
    env.pop("HW_PROJECT_ID")
    env.pop("HW_REGION_NAME")
    env["HW_IMS_ENDPOINT"] = emu.endpoint_template()
    if region:
        env["HW_REGION_NAME"] = region
    return env


def ims_requests(emu):
    """The requests of the log that went to IMS (any region), not IAM nor the control surface."""
    return [entry for entry in emu.stats()["log"] if not entry["route"].split(" ", 1)[1].startswith("/v3")]


def named(emu, region, name):
    return [image for image in emu.region(region).images() if image["name"] == name]


def test_an_ad_hoc_listing_in_a_second_region_learns_its_project_and_sees_only_that_region(emu, ansible):
    east = emu.region(EAST)
    east.seed(count=1, name="east-web")
    emu.seed(count=1, name="north-web")
    emu.reset_stats()
    ran = ansible.adhoc("hwcloud.ims.ims_image_info", "name=east-web", template_env(emu, EAST))
    assert ran.rc == 0, ran
    images = ran.result()["images"]
    assert [(image["name"], image["owner"]) for image in images] == [("east-web", emu.project_id(EAST))]
    routes = emu.stats()["by_route"]
    assert routes.get("GET /v3/projects") == 1, routes
    assert [entry["path"] for entry in ims_requests(emu)] == ["/%s/v2/images" % EAST]
    ran = ansible.adhoc("hwcloud.ims.ims_image_info", "name=north-web region=%s" % EAST, template_env(emu))
    assert ran.rc == 0 and ran.result()["images"] == [], ran


def test_a_loop_over_regions_makes_one_image_in_each_regions_project_and_a_rerun_changes_nothing(emu, ansible):
    regions = [DEFAULT_REGION, EAST, SOUTH]
    for run, changed in (("first", True), ("again", False)):
        emu.reset_stats()
        ran = ansible.run_playbook("regions.yml", template_env(emu), extra_vars={"regions": regions})
        assert ran.rc == 0, ran
        recap = ran.recap()["localhost"]
        assert recap["failed"] == 0 and (recap["changed"] > 0) is changed, (run, recap)
        # One project lookup per task and region; no write on the re-run.
        routes = emu.stats()["by_route"]
        assert routes.get("GET /v3/projects") == 2 * len(regions), (run, routes)
        if not changed:
            assert not [entry for entry in ims_requests(emu) if entry["method"] != "GET"], run
    for region in regions:
        images = named(emu, region, "regional-base")
        assert len(images) == 1, (region, images)
        assert images[0]["owner"] == emu.project_id(region)
    assert named(emu, "cn-north-1", "regional-base") == []


def test_a_region_iam_has_no_project_for_fails_before_any_ims_request(emu, ansible):
    emu.reset_stats()
    ran = ansible.adhoc("hwcloud.ims.ims_image", "name=nowhere disk_format=qcow2", template_env(emu, "la-south-2"))
    assert ran.rc != 0, ran
    result = ran.result()
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("the project of these credentials is not known: set project_id (HW_PROJECT_ID)")
    assert "IAM was asked for the project named la-south-2" in result["msg"], result["msg"]
    assert "Traceback" not in ran.output and emu.default_account["secret_key"] not in ran.output
    assert ims_requests(emu) == []


def test_a_placeholder_without_a_region_and_a_bad_cloud_are_refused_before_any_request(emu, ansible):
    emu.reset_stats()
    ran = ansible.adhoc("hwcloud.ims.ims_image_info", "name=x", template_env(emu))
    assert ran.rc != 0, ran
    assert "ims_endpoint has the {region} placeholder: set region (HW_REGION_NAME) to fill it in" in ran.result()["msg"]
    env = template_env(emu, EAST)
    env["HW_CLOUD"] = "https://myhuaweicloud.com"
    ran = ansible.adhoc("hwcloud.ims.ims_image_info", "name=x", env)
    assert ran.rc != 0, ran
    assert "cloud must be the domain of the endpoints, such as myhuaweicloud.com" in ran.result()["msg"]
    assert "Traceback" not in ran.output
    assert emu.stats()["log"] == []
