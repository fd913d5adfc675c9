# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role hwcloud.ims.image_cleanup and the collection playbook against the emulator.

A mixed population - public, market, shared, another project's, protected, excluded by tag, too
young, killed, stuck, old active images of several name families - is planned, cleaned and cleaned
again; the tests compare the plan (from the role's JSON report) with the exact expected set and the
emulator's images before and after, and look at what the emulator was asked (server-side filters,
a read of every candidate right before its deletion, one DELETE per image).
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil

from harness import Emulator

from support.populations import EXPECTED_CANDIDATES, EXPECTED_SPARED, STALE, read_report, seed_mixed
from support.runner import custom_stats

ROOT = pathlib.Path(__file__).resolve().parents[2]

PLAYBOOK = "cleanup_role.yml"


# -- helpers ------------------------------------------------------------------------------


def by_id(images):
    return {image["id"]: image for image in images}


def reasons(entries):
    return {entry["name"]: entry["reason"] for entry in entries}


def module_task_status(ran):
    """How the task that runs ims_image_cleanup ended for each host: ok, changed, ..."""
    block = ran.stdout.split("TASK [hwcloud.ims.image_cleanup : Plan the cleanup", 1)[1].split("TASK [", 1)[0]
    return dict((host, status) for status, host in re.findall(r"^(\w+): \[([^\]]+)\]", block, re.M))


def list_queries(stats):
    return [entry["query"] for entry in stats["log"] if entry["method"] == "GET" and entry["path"] == "/v2/images"]


def deletes(stats):
    return [entry for entry in stats["log"] if entry["method"] == "DELETE"]


def assert_rechecked_before_delete(stats):
    """Every DELETE of an image comes right after a GET of that same image (the re-check), then of its members
    (image_cleanup_spare_shared, true by default)."""
    log = stats["log"]
    for index, entry in enumerate(log):
        if entry["method"] == "DELETE":
            image, members = log[index - 2], log[index - 1]
            assert [(image["method"], image["path"]), (members["method"], members["path"])] == [
                ("GET", entry["path"]), ("GET", entry["path"] + "/members")], log[index - 3:index + 1]


def run_role(ansible, emu, variables, options=(), env=None):
    extra_env = {"ANSIBLE_SHOW_CUSTOM_STATS": "true"}
    extra_env.update(env or {})
    return ansible.run_playbook(PLAYBOOK, emu.env(), extra_vars=variables, options=options, extra_env=extra_env)


def assert_passed(ran):
    assert ran.rc == 0, ran
    assert "Traceback" not in ran.output, ran
    assert all(counts["failed"] == 0 for counts in ran.recap().values()), ran


# -- the mixed population: plan, clean, clean again -----------------------------------------


def test_dry_run_real_run_and_rerun_on_a_mixed_population(emu, ansible, tmp_path):
    ids = seed_mixed(emu)
    project = emu.default_account["project_id"]
    expected_ids = {ids[name] for name in EXPECTED_CANDIDATES}
    before = by_id(emu.images())
    emu.reset_stats()

    # 1. The dry run (the default) plans exactly the expected set and deletes nothing.
    plan_file = tmp_path / "plan.json"
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_report_file=str(plan_file)))
    assert_passed(ran)
    stats = emu.stats()
    assert deletes(stats) == []
    assert set(stats["by_method"]) == {"GET"}, stats["by_route"]
    assert by_id(emu.images()) == before
    report = read_report(plan_file)
    assert report["status"] == "planned"
    assert report["dry_run"] is True
    assert report["project_id"] == project
    assert report["target"] == "cn-north-4/%s" % project
    assert {entry["id"] for entry in report["candidates"]} == expected_ids
    assert reasons(report["candidates"]) == EXPECTED_CANDIDATES
    assert reasons(report["spared"]) == EXPECTED_SPARED
    assert {entry["id"] for entry in report["spared"]} == {ids[name] for name in EXPECTED_SPARED}
    assert report["deleted"] == [] and report["failed"] == []
    assert report["summary"] == {"candidates": 9, "deleted": 0, "spared": 14, "failed": 0}
    # Only this project's private images were asked for, by the server's filters.
    queries = list_queries(stats)
    assert queries
    for query in queries:
        assert "owner=%s" % project in query, query
        # owner alone: Glance reads __imagetype as a property filter that matches nothing (docs/dev/ims-api.md)
        assert "__imagetype" not in query, query
        assert "status=" in query, query
    # The plan, readable: each candidate and each spared image with its reason.
    assert "DRY RUN, nothing deleted: 9 candidates, 0 deleted, 14 spared, 0 failed" in ran.stdout
    assert "DELETE   killed-old (%s) killed for more than 6 h" % ids["killed-old"] in ran.stdout
    assert "DELETE   web-0001 (%s) active for more than 90 days" % ids["web-0001"] in ran.stdout
    assert "SPARED   web-0006 (%s) among the newest 2 of family 'web'" % ids["web-0006"] in ran.stdout
    assert "SPARED   excluded-killed (%s) carries the exclusion tag cleanup=keep" % ids["excluded-killed"] in ran.stdout
    assert module_task_status(ran) == {"localhost": "ok"}
    # The figures, published with set_stats for AWX.
    figures = custom_stats(ran)
    assert figures["image_cleanup_candidates"] == 9
    assert figures["image_cleanup_deleted"] == 0
    target = figures["image_cleanup_targets"]["cn-north-4/%s" % project]
    assert target["status"] == "planned" and target["candidates"] == 9 and target["spared"] == 14

    # 2. The real run deletes exactly that set, and nothing else changes.
    emu.reset_stats()
    report_file = tmp_path / "cleanup.json"
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_dry_run=False, image_cleanup_report_file=str(report_file)))
    assert_passed(ran)
    after = by_id(emu.images())
    assert set(before) - set(after) == expected_ids
    assert after == {image_id: image for image_id, image in before.items() if image_id not in expected_ids}
    stats = emu.stats()
    assert sorted(entry["path"] for entry in deletes(stats)) == sorted("/v2/images/%s" % i for i in expected_ids)
    assert_rechecked_before_delete(stats)
    report = read_report(report_file)
    assert report["status"] == "cleaned" and report["dry_run"] is False
    assert {entry["id"] for entry in report["deleted"]} == expected_ids
    assert report["failed"] == []
    assert report["summary"] == {"candidates": 9, "deleted": 9, "spared": 14, "failed": 0}
    assert "DELETED  queued-old (%s) queued for more than 24 h" % ids["queued-old"] in ran.stdout
    assert "CLEANED: 9 candidates, 9 deleted, 14 spared, 0 failed" in ran.stdout
    assert module_task_status(ran) == {"localhost": "changed"}
    assert custom_stats(ran)["image_cleanup_deleted"] == 9

    # 3. A second run deletes nothing.
    emu.reset_stats()
    rerun_file = tmp_path / "rerun.json"
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_dry_run=False, image_cleanup_report_file=str(rerun_file)))
    assert_passed(ran)
    assert deletes(emu.stats()) == []
    assert by_id(emu.images()) == after
    report = read_report(rerun_file)
    assert report["candidates"] == [] and report["deleted"] == []
    assert reasons(report["spared"]) == EXPECTED_SPARED
    assert module_task_status(ran) == {"localhost": "ok"}


def test_without_stale_selection_only_failed_and_stuck_uploads_go(emu, ansible, tmp_path):
    ids = seed_mixed(emu)
    before = by_id(emu.images())
    report_file = tmp_path / "report.json"
    ran = run_role(ansible, emu, {"image_cleanup_dry_run": False, "image_cleanup_report_file": str(report_file)})
    assert_passed(ran)
    expected = {ids[name] for name in ("killed-old", "queued-old", "saving-old")}
    assert set(before) - set(by_id(emu.images())) == expected
    report = read_report(report_file)
    assert {entry["id"] for entry in report["deleted"]} == expected
    # Active images are not even listed.
    assert not any("status=active" in query for query in list_queries(emu.stats()))


def test_check_mode_deletes_nothing(emu, ansible):
    ids = seed_mixed(emu)
    before = by_id(emu.images())
    emu.reset_stats()
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_dry_run=False), options=["--check"])
    assert_passed(ran)
    assert deletes(emu.stats()) == []
    assert by_id(emu.images()) == before
    assert "DRY RUN, nothing deleted: 9 candidates" in ran.stdout
    assert "DELETE   saving-old (%s) saving for more than 24 h" % ids["saving-old"] in ran.stdout


def test_stale_selection_narrowed_by_name_pattern_or_tag(emu, ansible, tmp_path):
    ids = seed_mixed(emu)
    uploads = {name: EXPECTED_CANDIDATES[name] for name in ("killed-old", "queued-old", "saving-old")}
    web = {name: reason for name, reason in EXPECTED_CANDIDATES.items() if name.startswith("web-")}

    by_name = tmp_path / "by-name.json"
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_stale_name_pattern="^web-",
                                      image_cleanup_report_file=str(by_name)))
    assert_passed(ran)
    report = read_report(by_name)
    assert reasons(report["candidates"]) == dict(uploads, **web)
    spared = reasons(report["spared"])
    assert spared["db-01"] == "name does not match image_cleanup_stale_name_pattern"
    assert spared["api-2024.01.05"] == "name does not match image_cleanup_stale_name_pattern"

    emu.reset_stats()
    by_tag = tmp_path / "by-tag.json"
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_stale_tag="team=web", image_cleanup_report_file=str(by_tag)))
    assert_passed(ran)
    report = read_report(by_tag)
    assert reasons(report["candidates"]) == dict(uploads, **web)
    assert ids["db-01"] not in {entry["id"] for entry in report["spared"] + report["candidates"]}
    # The tag is filtered by the server, on the listing of active images.
    active = [query for query in list_queries(emu.stats()) if "status=active" in query]
    assert active and all("tag=team%3Dweb" in query for query in active), active
    assert deletes(emu.stats()) == []


# -- safety: max_deletions, a failed deletion --------------------------------------------------


def test_max_deletions_aborts_before_the_first_deletion(emu, ansible, tmp_path):
    ids = seed_mixed(emu)
    before = by_id(emu.images())
    emu.reset_stats()
    report_file = tmp_path / "report.json"
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_dry_run=False, image_cleanup_max_deletions=5,
                                      image_cleanup_report_file=str(report_file)))
    assert ran.rc != 0, ran
    assert ran.recap()["localhost"]["failed"] == 1, ran
    assert "max_deletions" in ran.stdout
    assert deletes(emu.stats()) == []
    assert by_id(emu.images()) == before
    # The plan is still shown and reported, and says why nothing went.
    assert "ABORTED, nothing deleted: 9 candidates, 0 deleted" in ran.stdout
    assert "KEPT     killed-old (%s)" % ids["killed-old"] in ran.stdout
    report = read_report(report_file)
    assert report["status"] == "aborted"
    assert "max_deletions" in report["msg"]
    assert len(report["candidates"]) == 9 and report["deleted"] == [] and report["failed"] == []
    assert custom_stats(ran)["image_cleanup_targets"]["cn-north-4/%s" % emu.default_account["project_id"]][
        "status"] == "aborted"


def test_one_failed_deletion_does_not_stop_the_others(emu, ansible, tmp_path):
    names = ["build-%d" % number for number in range(4)]
    ids = dict(zip(names, emu.seed(images=[{"name": name, "status": "killed", "age_days": 2} for name in names])))
    failing = ids["build-2"]
    emu.set_faults({"rules": [{"method": "DELETE", "path": "/v2/images/%s" % failing, "status": 500}]})
    report_file = tmp_path / "report.json"
    ran = run_role(ansible, emu, {"image_cleanup_dry_run": False, "image_cleanup_retries": 1,
                                  "image_cleanup_report_file": str(report_file)})
    assert ran.rc != 0, ran
    assert ran.recap()["localhost"]["failed"] == 1, ran
    remaining = {image["id"] for image in emu.images() if image["owner"] == emu.default_account["project_id"]}
    assert remaining == {failing}
    # The run ends failed, naming the image whose deletion failed.
    fail_task = ran.stdout.split("TASK [hwcloud.ims.image_cleanup : Fail when the cleanup failed]", 1)[1]
    assert failing in fail_task, ran
    assert "HTTP 500" in fail_task, ran
    assert "FAILED   build-2 (%s) killed for more than 6 h" % failing in ran.stdout
    assert "CLEANUP FAILED: 4 candidates, 3 deleted, 0 spared, 1 failed" in ran.stdout
    report = read_report(report_file)
    assert report["status"] == "failed"
    assert [entry["id"] for entry in report["failed"]] == [failing]
    assert {entry["id"] for entry in report["deleted"]} == {ids[name] for name in names} - {failing}
    assert report["summary"] == {"candidates": 4, "deleted": 3, "spared": 0, "failed": 1}
    assert failing in report["msg"]
    assert custom_stats(ran)["image_cleanup_failed"] == 1


def test_a_run_that_cannot_plan_fails_with_the_module_message(emu, ansible, tmp_path):
    seed_mixed(emu)
    before = by_id(emu.images())
    report_file = tmp_path / "report.json"
    secret = "not-the-secret-key-of-the-account-0001"
    ran = run_role(ansible, emu, {"image_cleanup_dry_run": False, "image_cleanup_secret_key": secret,
                                  "image_cleanup_retries": 0, "image_cleanup_report_file": str(report_file)})
    assert ran.rc != 0, ran
    assert ran.recap()["localhost"]["failed"] == 1, ran
    assert "APIGW.0301" in ran.stdout
    assert secret not in ran.output
    assert by_id(emu.images()) == before
    report = read_report(report_file)
    assert report["status"] == "error" and "APIGW.0301" in report["msg"]
    assert custom_stats(ran)["image_cleanup_targets"]["cn-north-4/%s" % emu.default_account["project_id"]][
        "status"] == "error"


# -- speed: a few module runs whatever the size ------------------------------------------------


def test_deleting_200_images_costs_what_deleting_20_does(emu, ansible):
    runs = {}
    for count in (20, 200):
        emu.reset()
        emu.seed(count=count, name="ci-build-{i:04d}", status="killed", age_days=3)
        ran = run_role(ansible, emu, {"image_cleanup_dry_run": False, "image_cleanup_max_deletions": 1000})
        assert_passed(ran)
        stats = emu.stats()
        assert [image for image in emu.images() if image["owner"] == emu.default_account["project_id"]] == []
        assert stats["by_route"].get("DELETE /v2/images/{id}") == count
        assert stats["by_route"].get("GET /v2/images/{id}") == count  # the re-check of each candidate
        runs[count] = (ran.recap()["localhost"], ran.stdout.count("\nTASK ["), len(list_queries(stats)))
    # The same tasks and module runs for 200 images as for 20, and a few list requests.
    assert runs[200][0] == runs[20][0], runs
    assert runs[200][1] == runs[20][1], runs
    assert runs[200][2] <= 10, runs


# -- many targets: the collection playbook over an inventory -----------------------------------


def test_collection_playbook_cleans_several_targets_at_once(ansible, tmp_path):
    accounts = [("CLEANUPAKPROJECTA001", "secret-a-0001", "aaaa0000aaaa0000aaaa0000aaaa0001"),
                ("CLEANUPAKPROJECTB002", "secret-b-0002", "bbbb0000bbbb0000bbbb0000bbbb0002")]
    with Emulator.start(accounts=accounts) as emu:
        seeded = {}
        for (_access_key, _secret_key, project) in accounts:
            seeded[project] = seed_mixed(emu, project=project)
        before = by_id(emu.images())
        hosts = {}
        for name, (access_key, secret_key, project) in zip(("target-a", "target-b"), accounts):
            hosts[name] = {"image_cleanup_project_id": project, "image_cleanup_access_key": access_key,
                           "image_cleanup_secret_key": secret_key,
                           "image_cleanup_report_file": str(tmp_path / ("report-%s.json" % name))}
        inventory = tmp_path / "inventory.yml"
        inventory.write_text(json.dumps({"all": {"hosts": hosts, "vars": {
            "image_cleanup_region": "cn-north-4", "image_cleanup_ims_endpoint": emu.base_url,
            "image_cleanup_iam_endpoint": emu.base_url}}}))
        env = ansible.environment({}, {"ANSIBLE_SHOW_CUSTOM_STATS": "true"})
        # The collection playbook, as a user (or AWX) runs it, with no HW_* variable set.
        ran = ansible._run([ansible.playbook, "hwcloud.ims.image_cleanup", "-i", str(inventory), "-f", "2",  # pylint: disable=protected-access
                            "-e", json.dumps(dict(STALE, image_cleanup_dry_run=False))], env, 300)
        assert_passed(ran)
        assert set(ran.recap()) == {"target-a", "target-b"}
        assert module_task_status(ran) == {"target-a": "changed", "target-b": "changed"}
        after = by_id(emu.images())
        expected = {ids[name] for ids in seeded.values() for name in EXPECTED_CANDIDATES}
        assert set(before) - set(after) == expected
        assert after == {image_id: image for image_id, image in before.items() if image_id not in expected}
        figures = custom_stats(ran)
        assert figures["image_cleanup_deleted"] == 18
        assert figures["image_cleanup_candidates"] == 18
        for (_access_key, _secret_key, project) in accounts:
            target = figures["image_cleanup_targets"]["cn-north-4/%s" % project]
            assert target["status"] == "cleaned" and target["deleted"] == 9 and target["failed"] == 0
        for name, (_access_key, _secret_key, project) in zip(("target-a", "target-b"), accounts):
            report = read_report(tmp_path / ("report-%s.json" % name))
            assert report["host"] == name and report["project_id"] == project
            assert {entry["id"] for entry in report["deleted"]} == {seeded[project][n] for n in EXPECTED_CANDIDATES}


def test_example_inventory_is_a_valid_inventory(ansible):
    example = ROOT / "docs" / "examples" / "cleanup-inventory.yml"
    command = shutil.which("ansible-inventory", path=str(pathlib.Path(ansible.playbook).parent)) or "ansible-inventory"
    ran = ansible._run([command, "-i", str(example), "--list"], ansible.environment({}), 60)  # pylint: disable=protected-access
    assert ran.rc == 0, ran
    inventory = json.loads(ran.stdout)
    hosts = inventory["_meta"]["hostvars"]
    assert len(hosts) >= 2
    for host_vars in hosts.values():
        assert host_vars["image_cleanup_region"]
        assert host_vars["image_cleanup_project_id"]
