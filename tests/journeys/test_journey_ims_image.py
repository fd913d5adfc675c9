# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image run through ansible and ansible-playbook against the emulator.

The playbooks under playbooks/ assert on the module's results (changed, operations, diff, image,
messages); the tests here prepare the emulator's state and assert on what the emulator saw: how
many requests of each kind, and the images it holds afterwards.
"""

from __future__ import annotations

import hashlib
import json
import time

from harness import DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_USER

MODULE = "hwcloud.ims.ims_image"
OTHER = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
MEMBER_A = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
MEMBER_B = "b1b2c3d4e5f60718293a4b5c6d7e8f90"
MEMBER_C = "c1b2c3d4e5f60718293a4b5c6d7e8f90"
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
IAM_ROUTE = "POST /v3/auth/tokens"


# -- helpers ------------------------------------------------------------------------------


def write_routes(stats):
    """The routes of every write request the emulator received (the IAM token call is not one)."""
    return {route: count for route, count in stats["by_route"].items()
            if count and route.split(" ", 1)[0] in WRITE_METHODS and route != IAM_ROUTE}


def routes_in_order(stats):
    return [entry["route"] for entry in stats["log"]]


def own_images(emu, name=None):
    project = emu.default_account["project_id"]
    return [image for image in emu.images()
            if image["owner"] == project and (name is None or image["name"] == name)]


def snapshot(emu):
    return sorted(emu.images(), key=lambda image: image["id"])


def write_file(path, size, seed):
    """A file of ``size`` bytes whose content depends on ``seed``; returns (path, md5, size)."""
    block = hashlib.sha256(seed.encode()).digest() * 32  # 1 KiB
    data = (block * (size // len(block) + 1))[:size]
    path.write_bytes(data)
    return str(path), hashlib.md5(data).hexdigest(), size


def zero_file(path, size):
    """A sparse file of ``size`` zero bytes, written at once; returns (path, md5, size)."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    md5 = hashlib.md5()
    chunk = bytes(1024 * 1024)
    for _index in range(size // len(chunk)):
        md5.update(chunk)
    md5.update(bytes(size % len(chunk)))
    return str(path), md5.hexdigest(), size


def assert_playbook_passed(ran):
    assert ran.rc == 0, ran
    assert "failed=0" in ran.stdout, ran
    assert "Traceback" not in ran.output, ran


# -- the lifecycle ------------------------------------------------------------------------


def test_lifecycle_through_a_playbook(emu, ansible, tmp_path):
    first, first_md5, first_size = write_file(tmp_path / "disk-1.img", 6 * 1024 + 7, "first")
    second, _md5, _size = write_file(tmp_path / "disk-2.img", 4 * 1024, "second")
    before = [image for image in snapshot(emu) if image["owner"] != emu.default_account["project_id"]]
    ran = ansible.run_playbook("image_lifecycle.yml", emu.env(), extra_vars={
        "lc_name": "lifecycle-1", "lc_renamed": "lifecycle-1-renamed", "project_id": emu.default_account["project_id"],
        "first_file": first, "first_md5": first_md5, "first_size": first_size, "second_file": second,
        "member_a": MEMBER_A, "member_b": MEMBER_B, "member_c": MEMBER_C})
    assert_playbook_passed(ran)
    routes = emu.stats()["by_route"]
    # One image created, never a second POST; check-mode tasks and refusals sent nothing.
    assert routes.get("POST /v2/images") == 1, routes
    assert routes.get("PUT /v2/images/{id}/file") == 1, routes  # the re-run skipped the upload
    assert routes.get("DELETE /v2/images/{id}") == 1, routes  # not while protected, not when gone
    assert routes.get("POST /v2/images/{id}/members") == 3, routes  # a, b, then c
    assert routes.get("DELETE /v2/images/{id}/members/{pid}") == 2, routes  # a and b
    assert "PUT /v2/images/{id}/members/{pid}" not in routes
    assert own_images(emu) == []
    assert [image for image in snapshot(emu) if image["owner"] != emu.default_account["project_id"]] == before


def test_identical_rerun_reads_once_and_writes_nothing(emu, ansible, tmp_path):
    disk, md5, size = write_file(tmp_path / "disk.img", 3000, "rerun")
    args = json.dumps({"name": "rerun-1", "disk_format": "qcow2", "min_disk": 40, "min_ram": 1024, "protected": False,
                       "os_version": "Ubuntu 22.04 server 64bit", "description": "the same", "tags": ["b=2", "a=1"],
                       "properties": {"build": 7, "secure": True}, "filename": disk})
    created = ansible.adhoc(MODULE, args, emu.env())
    assert created.rc == 0, created
    result = created.result()
    assert result["changed"] is True
    assert [op["action"] for op in result["operations"]] == ["create", "upload"]
    assert result["image"]["status"] == "active" and result["image"]["checksum"] == md5
    assert result["image"]["size"] == size

    emu.reset_stats()
    again = ansible.adhoc(MODULE, args, emu.env())
    assert again.rc == 0, again
    result = again.result()
    assert result["changed"] is False
    assert result["operations"] == []
    assert result["image"]["id"] == own_images(emu, "rerun-1")[0]["id"]
    stats = emu.stats()
    assert stats["total"] == 1, routes_in_order(stats)  # one lookup by name, nothing else
    assert stats["by_method"] == {"GET": 1}
    assert len(own_images(emu, "rerun-1")) == 1


# -- check mode ---------------------------------------------------------------------------


def test_check_mode_predicts_everything_and_writes_nothing(emu, ansible, tmp_path):
    small, small_md5, small_size = write_file(tmp_path / "small.img", 5000, "check")
    active_id, _queued_id, killed_id = emu.seed(images=[
        {"name": "cm-active", "tags": ["a=1"], "members": [{"member": MEMBER_A, "status": "accepted"}],
         "properties": {"min_disk": 40, "__os_version": "Ubuntu 22.04 server 64bit", "__description": "d1",
                        "build": "1"}},
        {"name": "cm-queued", "status": "queued"},
        {"name": "cm-killed", "status": "killed"},
    ])
    before = snapshot(emu)
    emu.reset_stats()
    ran = ansible.run_playbook("image_check_mode.yml", emu.env(), extra_vars={
        "active_id": active_id, "killed_id": killed_id, "small_file": small, "small_md5": small_md5,
        "small_size": small_size, "member_a": MEMBER_A, "member_b": MEMBER_B})
    assert_playbook_passed(ran)
    stats = emu.stats()
    assert write_routes(stats) == {}, routes_in_order(stats)
    assert stats["total"] > 0  # it did read
    assert snapshot(emu) == before


# -- refusals and no-ops ------------------------------------------------------------------


def test_refusals_and_no_ops_write_nothing(emu, ansible, tmp_path):
    small, _md5, _size = write_file(tmp_path / "small.img", 2048, "refusal")
    big, _md5, _size = zero_file(tmp_path / "big.img", 13 * 1024 * 1024)
    project = emu.default_account["project_id"]
    ids = emu.seed(images=[
        {"name": "ref-active"},
        {"name": "ref-ovf", "properties": {"container_format": "ovf"}},
        {"name": "ref-protected", "protected": True},
        {"name": "ref-killed", "status": "killed"},
        {"name": "ref-saving", "status": "saving"},
        {"name": "ref-dup", "age_days": 3},
        {"name": "ref-dup", "age_days": 1},
        {"name": "ref-shared", "owner": OTHER, "members": [{"member": project, "status": "accepted"}]},
    ])
    gold_id = next(image["id"] for image in emu.images() if image["__imagetype"] == "gold")
    before = snapshot(emu)
    emu.reset_stats()
    ran = ansible.run_playbook("image_refusals.yml", emu.env(), extra_vars={
        "small_file": small, "big_file": big, "gold_id": gold_id, "shared_id": ids[7], "dup_ids": ids[5:7]})
    assert_playbook_passed(ran)
    stats = emu.stats()
    assert write_routes(stats) == {}, routes_in_order(stats)
    assert snapshot(emu) == before
    assert own_images(emu, "ref-big") == []  # the 12 MB refusal came before the create


# -- duplicates ---------------------------------------------------------------------------


def test_duplicates_under_each_on_duplicate(emu, ansible):
    project = emu.default_account["project_id"]
    old_id, new_id, shared_id = emu.seed(images=[
        {"name": "dup", "age_days": 10},
        {"name": "dup", "age_days": 1},
        {"name": "dup", "owner": OTHER, "age_days": 5, "members": [{"member": project, "status": "accepted"}]},
    ])
    created = {image["id"]: image["created_at"] for image in emu.images()}
    ran = ansible.run_playbook("image_duplicates.yml", emu.env(), extra_vars={
        "old_id": old_id, "new_id": new_id, "shared_id": shared_id, "project_id": project,
        "old_created": created[old_id], "new_created": created[new_id]})
    assert_playbook_passed(ran)
    images = {image["id"]: image for image in emu.images()}
    assert old_id not in images  # deleted under on_duplicate oldest
    assert images[new_id]["min_ram"] == 512
    assert images[shared_id]["min_ram"] == 0 and images[shared_id]["name"] == "dup"  # never touched
    patched = [entry["path"] for entry in emu.stats()["log"] if entry["method"] == "PATCH"]
    assert patched.count("/v2/images/" + new_id) == 1, patched  # newest, then nothing more to do
    assert patched.count("/v2/images/" + old_id) == 1, patched  # oldest
    assert "/v2/images/" + shared_id not in patched
    deleted = [entry["path"] for entry in emu.stats()["log"] if entry["method"] == "DELETE"]
    assert deleted == ["/v2/images/" + old_id]
    public = [image for image in emu.images() if image["name"] == "CentOS 7.9 64bit"]
    assert sorted(image["__imagetype"] for image in public) == ["gold", "private"]


# -- killed images ------------------------------------------------------------------------


def test_killed_images_and_a_failed_upload(emu, ansible, tmp_path):
    small, small_md5, _size = write_file(tmp_path / "small.img", 4096, "killed")
    killed_id = emu.seed(name="k-killed", status="killed")[0]
    emu.set_faults({"rules": [{"method": "PUT", "path": "/v2/images/[^/]+/file", "times": 1, "upload_fail": True}]})
    ran = ansible.run_playbook("image_failures.yml", emu.env(), extra_vars={
        "killed_id": killed_id, "small_file": small, "small_md5": small_md5})
    assert_playbook_passed(ran)
    assert emu.faults()["rules"][0]["injected"] == 1
    images = {image["id"]: image for image in own_images(emu)}
    assert killed_id not in images
    replaced = [image for image in images.values() if image["name"] == "k-killed"]
    assert [image["status"] for image in replaced] == ["queued"]
    uploaded = [image for image in images.values() if image["name"] == "k-upload"]
    assert [(image["status"], image["checksum"]) for image in uploaded] == [("active", small_md5)]
    routes = emu.stats()["by_route"]
    assert routes.get("POST /v2/images") == 3  # k-killed again, k-upload, k-upload again
    assert routes.get("DELETE /v2/images/{id}") == 2  # the two killed images, each once


# -- no duplicates after a create whose outcome is unknown ---------------------------------


def test_a_create_whose_answer_was_lost_is_looked_up_and_never_sent_again(emu, ansible):
    """The emulator creates the image, then drops the connection: the module looks the image up by the id it
    chose and finds it; one POST, one image. Every other unknown outcome of a create (500, 502, 503, 504, a read
    time-out, a drop before or after, a 409), each landed and not landed, is in process in
    tests/unit/plugins/modules/test_ims_image_unknown_outcome.py (test_a_create_that_landed_is_found_and_never_sent_again,
    test_a_create_that_did_not_land_is_sent_again_after_a_wait_and_a_read)."""
    fault, posts = {"drop": True, "after": True}, 1
    emu.set_faults({"rules": [dict(fault, method="POST", path="/v2/images", times=1)]})
    ran = ansible.adhoc(MODULE, json.dumps({"name": "fault-1", "disk_format": "qcow2", "min_ram": 512, "tags": ["a=1"]}), emu.env())
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["changed"] is True
    assert result["image"]["name"] == "fault-1"
    images = own_images(emu, "fault-1")
    assert len(images) == 1, images  # never a duplicate
    assert images[0]["id"] == result["image"]["id"]
    assert images[0]["min_ram"] == 512 and images[0]["tags"] == ["a=1"]
    routes = routes_in_order(emu.stats())
    assert routes.count("POST /v2/images") == posts, routes
    first_post = routes.index("POST /v2/images")
    later = routes[first_post + 1:]
    # A lookup of the id the module chose, after the failed create.
    assert "GET /v2/images/{id}" in later, routes


def test_a_create_that_timed_out_never_leaves_a_duplicate(emu, ansible):
    """The emulator answers the first create after 3 s, and only then creates the image; the module
    gives up after 1 s. Whatever the module does then, once the first create has landed there must be
    one image named timeout-1, not two."""
    latency = 3
    emu.set_faults({"rules": [{"method": "POST", "path": "/v2/images", "times": 1, "latency": latency}]})
    ran = ansible.adhoc(MODULE, json.dumps({"name": "timeout-1", "disk_format": "qcow2", "min_ram": 512, "timeout": 1}), emu.env())
    assert "Traceback" not in ran.output, ran
    assert emu.faults()["rules"][0]["injected"] == 1
    # The delayed create arrived before the module ended: let it land before counting images
    # (a wait for the emulator, not a timing assertion).
    time.sleep(latency + 0.5)
    images = own_images(emu, "timeout-1")
    assert len(images) == 1, (images, routes_in_order(emu.stats()), ran)
    assert ran.rc == 0, ran
    assert [image["id"] for image in images] == [ran.result()["image"]["id"]]


def test_a_refused_write_fails_unchanged(emu, ansible):
    """A write the server refuses (403) changed nothing: the task fails with changed false and
    no operation, and the message names the call and the error code. Here a create; a refused update
    and delete: test_ims_image.py::test_a_refused_write_fails_unchanged, a refused create, update, member
    add and upload (400 and 403): test_ims_image_unknown_outcome.py::test_a_refused_*_fails_at_once."""
    method, path, task = "POST", "/v2/images", {"name": "refused-2", "disk_format": "qcow2"}
    emu.seed(name="refused-1", properties={"min_ram": 1024})
    emu.set_faults({"rules": [{"method": method, "path": path, "status": 403}]})
    ran = ansible.adhoc(MODULE, json.dumps(task), emu.env())
    assert ran.rc != 0, ran
    assert "Traceback" not in ran.output, ran
    result = ran.result()
    assert result["failed"] is True
    assert result["changed"] is False, result
    assert result["operations"] == [], result
    assert "403" in result["msg"], result
    assert emu.faults()["rules"][0]["injected"] == 1
    assert [image["min_ram"] for image in own_images(emu, "refused-1")] == [1024]
    assert own_images(emu, "refused-2") == []


def test_a_typo_in_name_creates_nothing_and_says_how_to_create(emu, ansible):
    """Issue 12: ``name: mistakez`` on a task meant to update ``web`` fails before any write, in check mode
    too, naming the name and the project and how to create an image; no image appears. Each branch in
    process: test_ims_image.py::test_a_name_that_matches_no_image_fails_before_any_write_without_disk_format_or_filename."""
    emu.seed(name="web", properties={"min_ram": 1024})
    project = emu.default_account["project_id"]
    for options in ((), ("--check",)):
        emu.reset_stats()
        ran = ansible.adhoc(MODULE, json.dumps({"name": "mistakez", "min_ram": 2048}), emu.env(), options=options)
        assert ran.rc != 0, ran
        assert "Traceback" not in ran.output, ran
        result = ran.result()
        assert result["changed"] is False and result["operations"] == [] and result["image"] is None, result
        assert result["msg"].startswith("no image named 'mistakez' exists in project %s" % project), result["msg"]
        assert "set disk_format" in result["msg"] and "filename (the file to upload)" in result["msg"], result["msg"]
        assert write_routes(emu.stats()) == {}, options
    assert own_images(emu, "mistakez") == []
    assert [image["min_ram"] for image in own_images(emu, "web")] == [1024]


def test_a_write_with_an_unknown_outcome_is_checked_then_completed(emu, ansible, tmp_path):
    """A write whose answer is lost (or a 5xx) is read back: done means success, not done means
    sent again, never twice in effect; the task ends in the intended state. Here the upload of a task
    that also updates and adds a member, its connection dropped before the emulator took the file; the
    update, the member add and the upload each done-then-500, done-then-dropped and dropped-before, in
    process: test_ims_image_unknown_outcome.py::test_a_task_with_an_update_a_member_and_an_upload_completes_whichever_write_was_unknown
    (and each write alone, every unknown outcome: the update, member add and upload tests there)."""
    fault, route, method, path = {"drop": True}, "PUT /v2/images/{id}/file", "PUT", "/v2/images/[^/]+/file"
    small, small_md5, _size = write_file(tmp_path / "landed.img", 4096, "landed")
    image_id = emu.seed(name="landed-1", status="queued", properties={"min_ram": 1024})[0]
    emu.set_faults({"rules": [dict(fault, method=method, path=path, times=1)]})
    task = {"name": "landed-1", "min_ram": 2048, "members": [MEMBER_A], "filename": small}
    ran = ansible.adhoc(MODULE, json.dumps(task), emu.env())
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["changed"] is True
    assert emu.faults()["rules"][0]["injected"] == 1
    [image] = own_images(emu, "landed-1")
    assert (image["id"], image["min_ram"], image["status"], image["checksum"]) == (image_id, 2048, "active", small_md5)
    routes = emu.stats()["by_route"]
    assert routes.get(route) == 2, routes  # dropped before it landed: read back, then sent once more
    again = ansible.adhoc(MODULE, json.dumps(task), emu.env()).result()
    assert again["changed"] is False, again  # the intended state: nothing left to do


# -- uploads ------------------------------------------------------------------------------


def test_large_upload_with_a_token(emu, ansible, tmp_path):
    big, big_md5, big_size = zero_file(tmp_path / "big.img", 13 * 1024 * 1024)
    env = {"HW_IMS_ENDPOINT": emu.base_url, "HW_IAM_ENDPOINT": emu.base_url, "HW_REGION_NAME": "cn-north-4",
           "HW_USER_NAME": DEFAULT_USER, "HW_USER_PASSWORD": DEFAULT_PASSWORD, "HW_DOMAIN_NAME": DEFAULT_DOMAIN}
    ran = ansible.adhoc(MODULE, "name=big-1 filename=%s" % big, env)
    assert ran.rc == 0, ran
    result = ran.result()
    assert result["changed"] is True
    assert result["image"]["status"] == "active"
    assert result["image"]["checksum"] == big_md5 and result["image"]["size"] == big_size
    upload = [op for op in result["operations"] if op["action"] == "upload"]
    assert upload == [{"action": "upload", "filename": big, "size": big_size, "checksum": big_md5}]
    stored = own_images(emu, "big-1")
    assert [(image["checksum"], image["size"]) for image in stored] == [(big_md5, big_size)]
    puts = [entry for entry in emu.stats()["log"] if entry["route"] == "PUT /v2/images/{id}/file"]
    assert [(entry["status"], entry["auth"]) for entry in puts] == [(204, "token")]
    assert DEFAULT_PASSWORD not in ran.output


# -- bad option values --------------------------------------------------------------------


def test_a_bad_option_value_gets_a_clear_message(emu, ansible):
    """One bad value through ``ansible``: refused before any request, naming the option and the key. Every bad
    value of every option, in process: test_ims_image.py::test_bad_options_fail_before_any_request (with this one)."""
    args, words = {"name": "x", "properties": {"status": "active"}}, ["properties", "status"]
    ran = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    assert ran.rc != 0, ran
    result = ran.result()
    assert result["failed"] is True
    for word in words:
        assert word in result["msg"], result["msg"]
    assert "Traceback" not in ran.output
    assert "exception" not in result
    assert emu.stats()["total"] == 0  # refused before any request
