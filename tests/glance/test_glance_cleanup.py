# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_cleanup and the role image_cleanup against a real Glance.

One seeded population per test (its own project), aged by writing Glance's database
(glance.backdate): stuck uploads old and young, an image family older than the stale age,
a protected and an excluded image, a community image of the project, and another project's
image. The plan must pick exactly the stuck and stale images of this project, every DELETE
must follow a read of that image, and a re-run must change nothing.
"""

from __future__ import annotations

import json
import uuid

from glance_api import GlanceApi

from support.populations import read_report

MODULE = "hwcloud.ims.ims_image_cleanup"
EXPECTED_CANDIDATES = {"stuck-old", "app-1", "app-2"}
EXPECTED_SPARED = {
    "stuck-young": "younger than 24 h",
    "app-3": "among the newest 3 of family 'app'",
    "app-4": "among the newest 3 of family 'app'",
    "app-5": "among the newest 3 of family 'app'",
    "locked": "protected",
    "kept": "carries the exclusion tag cleanup=keep",
    "everyone": "not a private image of this project",
}
STALE = {"stuck_min_age_hours": 24, "stale_min_age_days": 90, "keep_newest": 3}


def seed_population(glance, api):
    """The population; returns ({name: id} of this project, the other project's image's own GlanceApi and id)."""
    made = {}

    def add(name, days=0, hours=0, data=b"bits", **fields):
        image = api.create(name, data=data, **fields)
        glance.backdate(image["id"], days=days, hours=hours)
        made[name] = image["id"]

    add("stuck-old", hours=30, data=None)
    add("stuck-young", hours=2, data=None)
    for number in range(1, 6):
        add("app-%d" % number, days=200 - number)
    add("locked", days=300, protected=True)
    add("kept", days=300, tags=["cleanup=keep"])
    add("everyone", days=300, visibility="community")
    theirs = GlanceApi(glance.url, uuid.uuid4().hex)
    other = theirs.create("app-0", data=b"theirs")
    glance.backdate(other["id"], days=400)
    return made, (theirs, other["id"])


def reasons(entries):
    return {entry["name"]: entry["reason"] for entry in entries}


def assert_rechecked_before_delete(requests):
    """Every DELETE of an image comes right after a GET of that same image, then of its members (spare_shared,
    true by default: Glance lists the members of its default, shared, images)."""
    for index, (method, path, _query, _status) in enumerate(requests):
        if method == "DELETE":
            assert [requests[index - 2][:2], requests[index - 1][:2]] == [("GET", path), ("GET", path + "/members")], \
                requests[index - 3:index + 1]


def test_module_plans_deletes_and_then_changes_nothing(glance, api, ansible, hw_env):
    made, other = seed_population(glance, api)
    mark = len(glance.requests())
    ran = ansible.adhoc(MODULE, json.dumps(dict(STALE, dry_run=True)), hw_env)
    assert ran.rc == 0, ran
    plan = ran.result()
    assert plan["outcome"] == "planned" and not plan["changed"]
    assert {entry["name"] for entry in plan["candidates"]} == EXPECTED_CANDIDATES
    assert reasons(plan["spared"]) == EXPECTED_SPARED
    assert glance.writes(mark) == []
    # Only server-side filtered listings of this project's own images.
    listings = [query for method, path, query, _status in glance.requests(mark) if path == "/v2/images"]
    assert listings and all("owner=%s" % api.project in query and "status=" in query for query in listings)
    assert not any("__" in query for query in listings)

    mark = len(glance.requests())
    ran = ansible.adhoc(MODULE, json.dumps(dict(STALE, dry_run=False)), hw_env)
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["outcome"] == "cleaned" and result["changed"]
    assert {entry["name"] for entry in result["deleted"]} == EXPECTED_CANDIDATES
    served = glance.requests(mark)
    assert sorted(path for method, path, _q, status in served if method == "DELETE" and status == 204) == sorted(
        "/v2/images/%s" % made[name] for name in EXPECTED_CANDIDATES)
    assert_rechecked_before_delete(served)
    left = {image["name"] for image in api.images()}
    assert left == set(made) - EXPECTED_CANDIDATES
    theirs, other_id = other
    assert theirs.get(other_id)["status"] == "active"  # another project's image, older than all: untouched
    mark = len(glance.requests())
    ran = ansible.adhoc(MODULE, json.dumps(dict(STALE, dry_run=False)), hw_env)
    assert ran.rc == 0, ran
    assert not ran.result()["changed"] and ran.result()["candidates"] == []
    assert glance.writes(mark) == []


def test_role_cleans_a_seeded_population_and_writes_its_report(glance, api, ansible, hw_env, tmp_path):
    made, (theirs, other_id) = seed_population(glance, api)
    report = tmp_path / "reports" / "cleanup.json"
    variables = {"image_cleanup_dry_run": False, "image_cleanup_stale_enabled": True,
                 "image_cleanup_stale_min_age_days": 90, "image_cleanup_report_file": str(report)}
    mark = len(glance.requests())
    ran = ansible.run_playbook("cleanup_role.yml", hw_env, extra_vars=variables)
    assert ran.rc == 0, ran
    assert "Traceback" not in ran.output
    assert ran.recap()["localhost"]["failed"] == 0
    written = read_report(report)
    assert written["status"] == "cleaned", written
    assert {entry["name"] for entry in written["deleted"]} == EXPECTED_CANDIDATES
    assert written["summary"]["deleted"] == "3" or written["summary"]["deleted"] == 3
    assert_rechecked_before_delete(glance.requests(mark))
    assert {image["name"] for image in api.images()} == set(made) - EXPECTED_CANDIDATES
    assert theirs.get(other_id) is not None

    mark = len(glance.requests())
    ran = ansible.run_playbook("cleanup_role.yml", hw_env, extra_vars=variables)
    assert ran.rc == 0, ran
    assert glance.writes(mark) == []
    assert read_report(report)["deleted"] == []
