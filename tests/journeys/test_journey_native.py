# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image making images through IMS's native API, and ims_job_info, against the emulator.

The emulator's native create actions and jobs (tests/emulator/README.md, "The native create API" and
"Jobs"): each source through ansible-playbook, a re-run that only reads, check mode, a failed job, a
job still running at wait_timeout and the re-run that completes it, an unknown outcome of the create,
and delete_backup. The request counts are the emulator's.
"""

from __future__ import annotations

import json

MODULE = "hwcloud.ims.ims_image"
BUCKET = "native-bkt"
NATIVE_POSTS = ("POST /v2/cloudimages/action", "POST /v1/cloudimages/wholeimages/action",
                "POST /v1/cloudimages/dataimages/action", "POST /v2/cloudimages/quickimport/action")


def native_posts(stats):
    return sum(count for route, count in stats["by_route"].items() if route in NATIVE_POSTS)


def writes(stats):
    return {route: count for route, count in stats["by_route"].items()
            if count and route.split(" ", 1)[0] in ("POST", "PUT", "PATCH", "DELETE") and route != "POST /v3/auth/tokens"}


def own_images(emu, name=None):
    project = emu.default_account["project_id"]
    return [image for image in emu.images() if image["owner"] == project and (name is None or image["name"] == name)]


def seed(emu):
    """A server (with its system volume), a data volume on it, a vault, a backup and four OBS files: their ids."""
    server = emu.seed_resources(servers=[{"name": "web-01", "os_version": "Ubuntu 22.04 server 64bit"}])["servers"][0]
    system_volume = [volume for volume in emu.resources()["volumes"] if volume.get("server_id") == server][0]["id"]
    made = emu.seed_resources(volumes=[{"server_id": server, "kind": "data"}], vaults=[{"name": "vault-1"}],
                              obs_objects=[{"bucket": BUCKET, "key": key} for key in
                                           ("web.qcow2", "data.vhd", "boot.iso", "big.raw", "big.zvhd2")])
    backup = emu.seed_resources(backups=[{"vault_id": made["vaults"][0], "resource_id": server}])["backups"][0]
    return {"server_id": server, "system_volume_id": system_volume, "data_volume_id": made["volumes"][0],
            "vault_id": made["vaults"][0], "backup_id": backup, "bucket": BUCKET}


def fast_jobs(emu, seconds=1):
    emu.configure_jobs(seconds)


def test_each_source_makes_its_image_and_a_rerun_only_reads(emu, ansible):
    fast_jobs(emu)
    ids = seed(emu)
    ran = ansible.run_playbook("native_sources.yml", emu.env(), extra_vars=dict(ids, expect_changed=True))
    assert ran.rc == 0 and "failed=0" in ran.stdout, ran
    stats = emu.stats()
    assert native_posts(stats) == 10, stats["by_route"]  # one create per image, never a second
    assert "PATCH /v2/images/{id}" not in stats["by_route"], stats["by_route"]  # IMS recorded what the task gives
    assert len(own_images(emu)) == 10
    emu.reset_stats()
    again = ansible.run_playbook("native_sources.yml", emu.env(), extra_vars=dict(ids, expect_changed=False))
    assert again.rc == 0 and "failed=0" in again.stdout, again
    stats = emu.stats()
    assert stats["by_method"] == {"GET": 10}, stats["by_route"]  # one lookup per task, nothing else
    assert len(own_images(emu)) == 10


def test_check_mode_predicts_the_create_and_sends_nothing(emu, ansible):
    ids = seed(emu)
    args = {"name": "native-check", "instance_id": ids["server_id"], "description": "baked"}
    ran = ansible.adhoc(MODULE, json.dumps(args), emu.env(), options=("--check", "--diff"))
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["changed"] is True and result["image"] is None and result["job"] is None, result
    body = {"name": "native-check", "instance_id": ids["server_id"], "description": "baked"}
    assert result["operations"] == [{"action": "create", "source": "instance_id", "image_type": "system",
                                     "path": "/v2/cloudimages/action", "body": body}]
    assert emu.stats()["by_method"] == {"GET": 1} and own_images(emu) == []


def test_a_failed_job_fails_the_task_with_its_code_reason_and_job(emu, ansible):
    fast_jobs(emu)
    ids = seed(emu)
    emu.set_faults({"rules": [{"method": "POST", "path": "/v2/cloudimages/action", "times": 1,
                               "job_fail": {"error_code": "IMG.0061", "fail_reason": "disk gone"}}]})
    ran = ansible.adhoc(MODULE, json.dumps({"name": "native-fail", "instance_id": ids["server_id"]}), emu.env())
    assert ran.rc != 0 and "Traceback" not in ran.output, ran
    result = ran.result()
    job = result["job"]
    assert "IMG.0061" in result["msg"] and "disk gone" in result["msg"] and job["id"] in result["msg"], result
    assert result["error_code"] == "IMG.0061" and job["status"] == "FAIL"
    assert native_posts(emu.stats()) == 1


def test_a_job_still_running_at_wait_timeout_fails_then_a_rerun_completes_it_without_a_create(emu, ansible):
    fast_jobs(emu, 8)  # INIT for 0.8 s, then RUNNING (the image listed saving) until 8 s
    ids = seed(emu)
    args = {"name": "native-slow", "instance_id": ids["server_id"]}
    ran = ansible.adhoc(MODULE, json.dumps(dict(args, wait_timeout=4)), emu.env())
    assert ran.rc != 0, ran
    result = ran.result()
    assert "after wait_timeout (4 s)" in result["msg"] and result["job"]["id"] in result["msg"], result
    assert "'native-slow'" in result["msg"] and result["job"]["status"] == "RUNNING"
    again = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    assert again.rc == 0, again
    result = again.result()
    assert result["changed"] is False and result["image"]["status"] == "active", result
    assert native_posts(emu.stats()) == 1 and len(own_images(emu, "native-slow")) == 1


def test_an_unknown_outcome_of_the_create_is_looked_up_and_never_sent_again(emu, ansible):
    fast_jobs(emu)  # INIT 0.1 s: shorter than the client's shortest wait before it looks again
    ids = seed(emu)
    emu.set_faults({"rules": [{"method": "POST", "path": "/v2/cloudimages/action", "times": 1, "status": 503,
                               "after": True}]})
    ran = ansible.adhoc(MODULE, json.dumps({"name": "native-lost", "instance_id": ids["server_id"]}), emu.env())
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["changed"] is True and result["image"]["status"] == "active", result
    assert native_posts(emu.stats()) == 1 and len(own_images(emu, "native-lost")) == 1


def test_delete_backup_deletes_a_full_server_image_and_its_backup(emu, ansible):
    fast_jobs(emu)
    ids = seed(emu)
    args = {"name": "native-whole", "backup_id": ids["backup_id"]}
    assert ansible.adhoc(MODULE, json.dumps(args), emu.env()).rc == 0
    refused = ansible.adhoc(MODULE, json.dumps({"name": "native-whole", "state": "absent", "delete_backup": "maybe"}),
                            emu.env())
    assert refused.rc != 0 and "delete_backup" in refused.result()["msg"]
    ran = ansible.adhoc(MODULE, json.dumps({"name": "native-whole", "state": "absent", "delete_backup": True}), emu.env())
    assert ran.rc == 0, ran
    assert ran.result()["operations"][0]["delete_backup"] is True
    assert own_images(emu, "native-whole") == []
    assert ids["backup_id"] not in [backup["id"] for backup in emu.resources()["backups"]]
