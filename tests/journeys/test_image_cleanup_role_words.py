# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role hwcloud.ims.image_cleanup as a user meets it (issue 12): a report that can be written
before anything is deleted, messages that name the role's variables, a dry run that changes
nothing, and a plan ordered by name with timestamp ties broken by name.

Every run is ``ansible-playbook`` against the emulator (tests/journeys/playbooks/cleanup_role.yml,
or the collection playbook over an inventory), as in test_image_cleanup.py.
"""

from __future__ import annotations

import json
import re
import stat

from support.populations import STALE, read_report, seed_mixed

PLAYBOOK = "cleanup_role.yml"
# A module option named bare, not as the role's variable (image_cleanup_max_deletions is fine).
BARE_OPTION = re.compile(r"(?<![\w.'\"=/$-])(max_deletions|stale_name_pattern|retries|family_pattern|keep_newest)\b")


def run_role(ansible, emu, variables, options=()):
    return ansible.run_playbook(PLAYBOOK, emu.env(), extra_vars=variables, options=options)


def deletes(emu):
    return [entry for entry in emu.stats()["log"] if entry["method"] == "DELETE"]


def own_images(emu):
    return sorted(image["id"] for image in emu.images() if image["owner"] == emu.default_account["project_id"])


def failure_message(ran):
    """The msg of the task that failed the run (the role's message: the last failure shown)."""
    found = re.findall(r'^fatal: \[[^\]]+\]: FAILED! => .*?"msg": "((?:[^"\\]|\\.)*)"', ran.stdout, re.M)
    assert found, ran
    return json.loads('"%s"' % found[-1])


def killed(*names):
    return [{"name": name, "status": "killed", "age_days": 2} for name in names]


# -- the report file: checked and prepared before anything is deleted ------------------------


def test_the_report_folder_is_created_and_the_report_written(emu, ansible, tmp_path):
    emu.seed(images=killed("build-1", "build-2"))
    folder = tmp_path / "var" / "log" / "ims-cleanup"  # like the docs' /var/log/ims-cleanup/web.json
    report_file = folder / "web.json"
    ran = run_role(ansible, emu, {"image_cleanup_dry_run": False, "image_cleanup_report_file": str(report_file)})
    assert ran.rc == 0, ran
    assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) == 0o700
    # The role says so.
    assert "Created the folder %s (mode 0700) for image_cleanup_report_file" % folder in ran.stdout, ran
    report = read_report(report_file)
    assert report["status"] == "cleaned" and report["summary"]["deleted"] == 2
    assert own_images(emu) == []
    # An existing folder is left as it is (its mode is not changed), and a second run writes over the report.
    folder.chmod(0o755)
    ran = run_role(ansible, emu, {"image_cleanup_dry_run": False, "image_cleanup_report_file": str(report_file)})
    assert ran.rc == 0, ran
    assert "Created the folder" not in ran.stdout
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert read_report(report_file)["summary"]["candidates"] == 0


def test_a_report_file_that_cannot_be_written_fails_before_any_deletion(emu, ansible, tmp_path):
    emu.seed(images=killed("build-1", "build-2"))
    before = own_images(emu)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    cases = {
        # Its folder cannot be created: a part of its path is a file.
        str(blocker / "reports" / "web.json"): "its folder %s does not exist and cannot be created" % (blocker / "reports"),
        # It is a folder.
        str(tmp_path): "it is a folder; give the path of a file in it",
        # Its folder exists, but no file can be written there (even by root).
        "/proc/hwcloud-ims-cleanup-report.json": "is not writable",
    }
    for path, reason in cases.items():
        emu.reset_stats()
        ran = run_role(ansible, emu, {"image_cleanup_dry_run": False, "image_cleanup_report_file": path})
        assert ran.rc != 0, ran
        assert ran.recap()["localhost"]["failed"] == 1, ran
        msg = failure_message(ran)
        assert msg.startswith("image_cleanup_report_file: the report cannot be written to %s: " % path), msg
        assert reason in msg, msg
        assert "Nothing was deleted" in msg, msg
        # Nothing deleted, and the module never ran.
        assert deletes(emu) == [] and own_images(emu) == before
        assert "Plan the cleanup" not in ran.stdout, ran
        assert "Traceback" not in ran.output, ran


def test_a_report_file_given_as_a_list_is_refused_up_front(emu, ansible, tmp_path):
    emu.seed(images=killed("build-1"))
    before = own_images(emu)
    emu.reset_stats()
    ran = run_role(ansible, emu, {"image_cleanup_dry_run": False,
                                  "image_cleanup_report_file": [str(tmp_path / "a.json"), str(tmp_path / "b.json")]})
    assert ran.rc != 0, ran
    msg = failure_message(ran)
    assert msg.startswith("image_cleanup_report_file must be the path of a file on the controller"), msg
    assert "got a list" in msg, msg
    assert "endswith" not in ran.output and "_AnsibleTaggedList" not in ran.output, ran
    assert "Plan the cleanup" not in ran.stdout, ran
    assert deletes(emu) == [] and own_images(emu) == before
    assert not (tmp_path / "a.json").exists() and not (tmp_path / "b.json").exists()


# -- a dry run changes nothing, on every host --------------------------------------------------


def test_a_dry_run_and_check_mode_report_changed_false_on_every_host(emu, ansible, tmp_path):
    seed_mixed(emu)
    before = own_images(emu)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"all": {"hosts": {"target-a": {}, "target-b": {}}, "vars": {
        # A folder that does not exist yet: creating it is output, not a change.
        "image_cleanup_report_file": str(tmp_path / "reports" / "{{ inventory_hostname }}.json")}}}))
    env = ansible.environment(emu.env())
    for options in ([], ["--check"]):
        ran = ansible._run([ansible.playbook, "hwcloud.ims.image_cleanup", "-i", str(inventory),  # pylint: disable=protected-access
                            "-e", json.dumps(STALE)] + options, env, 300)
        assert ran.rc == 0, ran
        hosts = ran.recap()
        assert set(hosts) == {"target-a", "target-b"}, ran
        assert all(counts["changed"] == 0 and counts["failed"] == 0 for counts in hosts.values()), (options, hosts)
        assert "DRY RUN, nothing deleted: 9 candidates" in ran.stdout
    assert own_images(emu) == before
    assert read_report(tmp_path / "reports" / "target-b.json")["status"] == "planned"


# -- the role's messages name the role's variables ------------------------------------------------


def test_an_aborted_run_names_image_cleanup_max_deletions_and_the_roles_plan(emu, ansible, tmp_path):
    seed_mixed(emu)
    report_file = tmp_path / "report.json"
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_dry_run=False, image_cleanup_max_deletions=5,
                                      image_cleanup_report_file=str(report_file)))
    assert ran.rc != 0, ran
    msg = failure_message(ran)
    assert msg == ('the cleanup would delete 9 images, more than image_cleanup_max_deletions (5); nothing was deleted. '
                   'Check the plan (the task "Show the plan and what was done", and the report %s), then raise '
                   'image_cleanup_max_deletions or narrow the selection' % report_file), msg
    assert read_report(report_file)["msg"] == msg
    assert "in candidates" not in ran.stdout
    assert not BARE_OPTION.search(ran.stdout), BARE_OPTION.search(ran.stdout)


def test_module_messages_and_reasons_name_the_roles_variables(emu, ansible, tmp_path):
    seed_mixed(emu)
    # A value only the module refuses: its message, in the role's words.
    ran = run_role(ansible, emu, {"image_cleanup_retries": 99, "image_cleanup_family_pattern": "("})
    assert ran.rc != 0, ran
    msg = failure_message(ran)
    assert "image_cleanup_retries must be an integer from 0 to 20; got 99" in msg, msg
    assert "image_cleanup_family_pattern must be a Python regular expression; '(' is not" in msg, msg
    assert "ERROR, no plan: " in ran.stdout and not BARE_OPTION.search(ran.stdout), ran
    # A reason that names an option, in the plan and in the report.
    report_file = tmp_path / "report.json"
    ran = run_role(ansible, emu, dict(STALE, image_cleanup_stale_name_pattern="^web-",
                                      image_cleanup_report_file=str(report_file)))
    assert ran.rc == 0, ran
    assert re.search(r"^\s*\"SPARED   db-01 \([^)]+\) name does not match image_cleanup_stale_name_pattern\"", ran.stdout, re.M), ran
    spared = {entry["name"]: entry["reason"] for entry in read_report(report_file)["spared"]}
    assert spared["db-01"] == "name does not match image_cleanup_stale_name_pattern"
    # Names and quoted families are never rewritten.
    assert spared["web-0006"] == "among the newest 2 of family 'web'"
    assert not BARE_OPTION.search(ran.stdout), BARE_OPTION.search(ran.stdout)


# -- the plan is ordered by name; a timestamp tie is broken by name, then id ---------------------


def test_the_plan_is_ordered_by_name_and_a_timestamp_tie_is_kept_by_name(emu, ansible, tmp_path):
    project = emu.default_account["project_id"]
    same_second = "2025-01-01T00:00:00Z"
    # Created in the same second; the ids sort the other way round from the names.
    tied = {"web-0001": "ffffffff-0000-4000-8000-000000000001", "web-0002": "eeeeeeee-0000-4000-8000-000000000002",
            "web-0003": "00000000-0000-4000-8000-000000000003"}
    emu.seed(images=[{"name": name, "id": image_id, "owner": project, "created_at": same_second}
                     for name, image_id in tied.items()]
             + [{"name": name, "owner": project, "status": "killed", "age_days": age}
                for name, age in (("killed-c", 9), ("killed-a", 2), ("killed-b", 5))])
    report_file = tmp_path / "report.json"
    ran = run_role(ansible, emu, {"image_cleanup_stale_enabled": True, "image_cleanup_stale_min_age_days": 30,
                                  "image_cleanup_keep_newest": 2, "image_cleanup_report_file": str(report_file)})
    assert ran.rc == 0, ran
    report = read_report(report_file)
    # The later names are the newer: web-0002 and web-0003 are kept, whatever their ids.
    assert [entry["name"] for entry in report["candidates"]] == ["killed-a", "killed-b", "killed-c", "web-0001"]
    assert [entry["name"] for entry in report["spared"]] == ["web-0002", "web-0003"]
    lines = re.findall(r'^\s*"(DELETE|SPARED)   (\S+) ', ran.stdout, re.M)
    assert lines == [("DELETE", "killed-a"), ("DELETE", "killed-b"), ("DELETE", "killed-c"), ("DELETE", "web-0001"),
                     ("SPARED", "web-0002"), ("SPARED", "web-0003")], ran
