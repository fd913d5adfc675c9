# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_copy against the emulator's regions and copy jobs, through ansible-playbook and ansible.

One image copied to three regions with a loop (every job started before any wait), each copy in
its region's project with the source's id in ``__originalimagename``; the re-run reads only; a
copy within the region with another key; a copy of unknown outcome never sent again; what IMS
refuses, refused with no write. The request counts are the emulator's.
"""

from __future__ import annotations

import json

MODULE = "hwcloud.ims.ims_image_copy"
REGIONS = ["cn-east-3", "cn-south-1", "ap-southeast-1"]
COPY_POSTS = ("POST /v1/cloudimages/{image_id}/copy", "POST /v1/cloudimages/{image_id}/cross_region_copy")


def copy_env(emu):
    """The default region's credentials and project, with one endpoint for every region (``{region}``)."""
    return dict(emu.env(), HW_IMS_ENDPOINT=emu.endpoint_template())


def writes(emu):
    return {route: count for route, count in emu.stats()["by_route"].items()
            if count and route.split(" ", 1)[0] in ("POST", "PUT", "PATCH", "DELETE")}


def copy_posts(emu):
    routes = emu.stats()["by_route"]
    return sum(count for route, count in routes.items() if route.split(" ", 1)[0] == "POST" and "copy" in route)


def source_image(emu, name="web-2024-06", properties=None):
    """A private active image of the default region's project (its id), and copy jobs of 1 s."""
    emu.configure_jobs(1)
    return emu.seed(count=1, name=name, properties=properties or {})[0]


def copies(emu, region, name):
    return [image for image in emu.region(region).images() if image["name"] == name]


def test_a_loop_copies_to_three_regions_at_once_and_a_rerun_only_reads(emu, ansible):
    source = source_image(emu)
    ran = ansible.run_playbook("image_copy.yml", copy_env(emu), extra_vars={"source": "web-2024-06", "regions": REGIONS})
    assert ran.rc == 0, ran
    assert copy_posts(emu) == 3, emu.stats()["by_route"]
    for region in REGIONS:
        made = copies(emu, region, "web-2024-06")
        assert len(made) == 1, (region, made)
        image = made[0]
        assert image["owner"] == emu.project_id(region) and image["status"] == "active"
        assert image["__originalimagename"] == source
        assert sorted(image["tags"]) == ["copied=yes", "family=web"], image["tags"]
    emu.reset_stats()
    ran = ansible.run_playbook("image_copy.yml", copy_env(emu), extra_vars={"source": "web-2024-06", "regions": REGIONS})
    assert ran.rc == 0 and ran.recap()["localhost"]["changed"] == 0, ran
    assert writes(emu) == {}, writes(emu)
    assert all(len(copies(emu, region, "web-2024-06")) == 1 for region in REGIONS)


def test_a_copy_within_the_region_takes_another_key(emu, ansible):
    source = source_image(emu, name="db-base")
    args = {"image": "db-base", "name": "db-base-kms", "cmk_id": "3b2f6f0e-2f4b-4a6f-9a3c-6c1d2e3f4a5b"}
    ran = ansible.adhoc(MODULE, json.dumps(args), copy_env(emu))
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["changed"] is True and result["image"]["status"] == "active", result
    made = copies(emu, "cn-north-4", "db-base-kms")
    assert len(made) == 1 and made[0]["__originalimagename"] == source
    assert made[0]["__system__cmkid"] == args["cmk_id"], made[0]
    ran = ansible.adhoc(MODULE, json.dumps(args), copy_env(emu))
    assert ran.rc == 0 and ran.result()["changed"] is False, ran


def test_a_copy_of_unknown_outcome_is_looked_for_in_the_destination_and_never_sent_again(emu, ansible):
    source_image(emu, name="lost-copy")
    emu.set_faults({"rules": [{"method": "POST", "path": "/v1/cloudimages/%s/cross_region_copy" % emu.images()[-1]["id"],
                               "times": 1, "status": 503, "after": True}]})
    args = {"image": "lost-copy", "name": "lost-copy", "target_region": "cn-east-3", "agency_name": "ims_admin_agency"}
    ran = ansible.adhoc(MODULE, json.dumps(args), copy_env(emu))
    assert copy_posts(emu) == 1, emu.stats()["by_route"]
    assert len(copies(emu, "cn-east-3", "lost-copy")) == 1
    assert "Traceback" not in ran.output
    ran = ansible.adhoc(MODULE, json.dumps(args), copy_env(emu))
    assert ran.rc == 0, ran
    assert copy_posts(emu) == 1 and len(copies(emu, "cn-east-3", "lost-copy")) == 1


def test_an_encrypted_image_is_refused_across_regions_with_no_write(emu, ansible):
    source_image(emu, name="secret-base", properties={"__system__cmkid": "3b2f6f0e-2f4b-4a6f-9a3c-6c1d2e3f4a5b",
                                                      "__system_encrypted": "1"})
    emu.reset_stats()
    args = {"image": "secret-base", "name": "secret-base", "target_region": "cn-east-3", "agency_name": "ims_admin_agency"}
    ran = ansible.adhoc(MODULE, json.dumps(args), copy_env(emu))
    assert ran.rc != 0, ran
    assert "encrypted" in ran.result()["msg"], ran.result()["msg"]
    assert writes(emu) == {} and copies(emu, "cn-east-3", "secret-base") == []
