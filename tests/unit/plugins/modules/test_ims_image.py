# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image in process, against scripted HTTP: present, absent, upload, check and diff mode.

The writes whose outcome may be unknown are in test_ims_image_unknown_outcome.py; refusals,
option checks and answers of the wrong shape in test_ims_image_refusals.py.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import (
    IMAGE_ID,
    MEMBER_A,
    MEMBER_B,
    MEMBER_C,
    image,
    member,
    members,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import (
    actions,
    create,
    get,
    get_missing,
    lookup,
    patch,
    upload,
    write_file,
)
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    CONNECTION,
    PROJECT_ID,
    Call,
    run_module,
)


def run(args, **kwargs):
    return run_module(ims_image, dict(CONNECTION, **args), **kwargs)


# -- create --------------------------------------------------------------------------------


def test_create_sends_one_post_with_its_own_id_and_every_field(http):
    fields = {"name": "web", "container_format": "bare", "visibility": "private", "disk_format": "qcow2",
              "min_disk": 40, "min_ram": 1024, "__os_version": "Ubuntu 22.04 server 64bit",
              "__description": "first version", "tags": ["team=web", "env=dev"], "build": "1", "secure": "true"}
    http.expect(lookup("web"), create(fields))
    result = run({"name": "web", "disk_format": "qcow2", "min_disk": 40, "min_ram": 1024,
                  "os_version": "Ubuntu 22.04 server 64bit", "description": "first version",
                  "tags": ["team=web", "env=dev", "team=web"], "properties": {"build": 1, "secure": True}}, diff=True)
    assert result["failed"] is False and result["changed"] is True
    assert result["operations"] == [{"action": "create", "fields": fields}]
    assert result["image"]["id"] == http.values["id"] and result["image"]["status"] == "queued"
    assert result["diff"]["before"] == {"state": "absent"}
    assert result["diff"]["after"] == {
        "state": "present", "id": http.values["id"], "status": "queued", "name": "web", "disk_format": "qcow2",
        "min_disk": 40, "min_ram": 1024, "os_version": "Ubuntu 22.04 server 64bit", "description": "first version",
        "tags": ["env=dev", "team=web"], "properties": {"build": "1", "secure": "true"}}


def test_create_check_mode_predicts_the_create_and_sends_nothing(http):
    http.expect(lookup("web"))
    result = run({"name": "web", "disk_format": "qcow2", "min_ram": 512, "tags": ["a=1"]}, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["image"] is None
    assert result["operations"] == [{"action": "create", "fields": {
        "name": "web", "container_format": "bare", "visibility": "private", "disk_format": "qcow2", "min_ram": 512,
        "tags": ["a=1"]}}]
    assert result["diff"] == {"before": {"state": "absent"}, "after": {
        "state": "present", "id": None, "status": "queued", "name": "web", "disk_format": "qcow2", "min_ram": 512,
        "tags": ["a=1"]}}


def test_two_runs_create_two_different_ids(http):
    fields = {"name": "web", "container_format": "bare", "visibility": "private", "disk_format": "zvhd2"}
    http.expect(lookup("web"), create(fields))
    first = run({"name": "web", "disk_format": "zvhd2"})["image"]["id"]
    http.expect(lookup("web"), create(fields))
    second = run({"name": "web", "disk_format": "zvhd2"})["image"]["id"]
    assert first != second


def test_create_with_a_file_uploads_it_and_waits_for_active(http, clock, tmp_path):
    path, data, md5 = write_file(tmp_path)
    fields = {"name": "web", "container_format": "bare", "visibility": "private", "disk_format": "qcow2"}
    http.expect(
        lookup("web"), create(fields), upload(data),
        Call("GET", "/v2/images/{id}", answer=lambda request, values: image(values["id"], status="saving")),
        Call("GET", "/v2/images/{id}", answer=lambda request, values: image(values["id"], checksum=md5, size=len(data),
                                                                            disk_format="qcow2")))
    result = run({"name": "web", "disk_format": "qcow2", "filename": path}, diff=True)
    assert result["changed"] is True
    assert result["operations"][1:] == [{"action": "upload", "filename": path, "size": len(data), "checksum": md5}]
    assert actions(result) == ["create", "upload"]
    assert result["image"]["status"] == "active" and result["image"]["checksum"] == md5
    assert result["diff"]["after"]["checksum"] == md5
    steps = http.timeline()
    saving, active = [index for index, step in enumerate(steps) if step == "GET /v2/images/{id} 200"]
    assert "sleep" in steps[saving:active], steps  # a wait between two polls, never a busy loop
    assert all(seconds > 0 for seconds in clock.sleeps)


def test_wait_false_returns_after_the_upload_without_polling(http, clock, tmp_path):
    path, data, _md5 = write_file(tmp_path)
    http.expect(
        lookup("web"), create({"name": "web", "container_format": "bare", "visibility": "private"}), upload(data),
        Call("GET", "/v2/images/{id}", answer=lambda request, values: image(values["id"], status="saving")))
    result = run({"name": "web", "filename": path, "wait": False})
    assert result["image"]["status"] == "saving"
    assert clock.sleeps == []


def test_waiting_for_active_times_out_after_wait_timeout(http, clock, tmp_path):
    path, data, _md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), upload(data, IMAGE_ID),
                Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image(status="saving"), repeat=True))
    result = run({"name": "web", "filename": path, "wait_timeout": 30})
    assert result["failed"] is True
    assert "timed out after 30 s waiting for image %s to become active (it is saving)" % IMAGE_ID in result["msg"]
    assert result["changed"] is True and actions(result) == ["upload"]
    assert len(http.made("GET", "/v2/images/%s" % IMAGE_ID)) >= 2
    assert 0 < sum(clock.sleeps) <= 30


def test_waiting_looks_at_once_then_after_1_2_4_8_and_every_10_seconds(http, clock, tmp_path):
    """The documented polling policy (docs/errors-and-retries.md)."""
    path, data, md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), upload(data, IMAGE_ID),
                *[get(image(status="saving")) for _look in range(7)], get(image(checksum=md5)))
    assert run({"name": "web", "filename": path})["image"]["status"] == "active"
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_waiting_gives_up_before_a_look_past_wait_timeout(http, clock, tmp_path):
    path, data, _md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), upload(data, IMAGE_ID),
                *[get(image(status="saving")) for _look in range(6)])  # at 0, 1, 3, 7, 15 and 25 s; 35 s is too late
    result = run({"name": "web", "filename": path, "wait_timeout": 30})
    assert result["failed"] is True and "timed out after 30 s" in result["msg"]
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0]


def test_an_image_that_disappears_while_waiting_fails_at_once(http, clock, tmp_path):
    path, data, _md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), upload(data, IMAGE_ID), get(image(status="saving")),
                get_missing())
    result = run({"name": "web", "filename": path})
    assert result["failed"] is True
    assert "turned deleted while waiting for it to become active" in result["msg"]
    assert clock.sleeps == [1.0]


def test_an_image_that_turns_killed_while_waiting_fails_at_once(http, clock, tmp_path):
    path, data, _md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), upload(data, IMAGE_ID),
                get(image(status="saving")), get(image(status="killed")))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is True
    assert "turned killed while waiting for it to become active" in result["msg"]


def test_a_saving_image_is_waited_for(http):
    http.expect(lookup("web", image(status="saving")), get(image(status="active")))
    result = run({"name": "web"})
    assert result["changed"] is False
    assert result["image"]["status"] == "active"


def test_a_saving_image_is_not_waited_for_in_check_mode(http):
    http.expect(lookup("web", image(status="saving")))
    result = run({"name": "web"}, check_mode=True)
    assert result["changed"] is False and result["image"]["status"] == "saving"


# -- create only when the task says what the image is -------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check-mode"])
def test_a_name_that_matches_no_image_fails_before_any_write_without_disk_format_or_filename(http, check_mode):
    """The typo of issue 12: ``name: mistakez`` on a task meant to update an image creates nothing."""
    http.expect(lookup("mistakez"))
    result = run({"name": "mistakez", "min_ram": 2048, "tags": ["team=web"]}, check_mode=check_mode, diff=True)
    assert result["failed"] is True and result["changed"] is False
    assert result["operations"] == [] and result["image"] is None and "diff" not in result
    assert result["msg"] == (
        "no image named 'mistakez' exists in project %s (among its own private images), and the task does not say "
        "what a new image would be, so none is created; to create it, set disk_format (an empty image to upload into "
        "later, e.g. disk_format: qcow2), filename (the file to upload) or the source IMS makes it from (instance_id, "
        "backup_id, volume_id or image_url); to change an existing image, check name "
        "(or give its id) and project_id" % PROJECT_ID)
    assert len(http.requests) == 1


def test_a_filename_alone_creates_the_image_with_the_disk_format_ims_gives(http, tmp_path):
    """A create with ``filename`` and no ``disk_format`` sends none: IMS gives zvhd2 (documented)."""
    path, data, md5 = write_file(tmp_path)
    http.expect(lookup("web"), create({"name": "web", "container_format": "bare", "visibility": "private"}),
                upload(data),
                Call("GET", "/v2/images/{id}", answer=lambda request, values: image(values["id"], checksum=md5,
                                                                                    size=len(data))))
    result = run({"name": "web", "filename": path})
    assert result["failed"] is False and actions(result) == ["create", "upload"]


# -- unchanged -----------------------------------------------------------------------------


def test_an_identical_rerun_reads_once_and_writes_nothing(http, tmp_path):
    path, data, md5 = write_file(tmp_path)
    live = image(disk_format="qcow2", min_disk=40, min_ram=1024, protected=False, tags=["a=1", "b=2"],
                 checksum=md5, size=len(data), build="7", secure="true", __os_version="Ubuntu 22.04 server 64bit",
                 __description="the same")
    http.expect(lookup("web", live))
    result = run({"name": "web", "disk_format": "qcow2", "min_disk": 40, "min_ram": 1024, "protected": False,
                  "os_version": "Ubuntu 22.04 server 64bit", "description": "the same", "tags": ["b=2", "a=1"],
                  "properties": {"build": 7, "secure": True}, "filename": path}, diff=True)
    assert result["changed"] is False
    assert result["operations"] == []
    assert result["image"] == live
    assert result["diff"]["before"] == result["diff"]["after"]
    assert len(http.requests) == 1


def test_unchanged_in_check_mode_too(http):
    http.expect(lookup("web", image(min_ram=1024)))
    result = run({"name": "web", "min_ram": 1024}, check_mode=True)
    assert result["changed"] is False and result["operations"] == []


# -- update ----------------------------------------------------------------------------------


def test_update_sends_one_minimal_patch(http):
    live = image(min_ram=1024, __os_version="Ubuntu 22.04 server 64bit")
    operations = [{"op": "replace", "path": "/__os_version", "value": "CentOS 7.9 64bit"},
                  {"op": "add", "path": "/build", "value": "2"},
                  {"op": "replace", "path": "/min_ram", "value": 2048}]
    updated = dict(live, min_ram=2048, __os_version="CentOS 7.9 64bit", build="2")
    http.expect(lookup("web", live), patch(operations, updated))
    result = run({"name": "web", "min_ram": 2048, "os_version": "CentOS 7.9 64bit", "properties": {"build": 2},
                  "min_disk": 0}, diff=True)
    assert result["changed"] is True
    assert result["operations"] == [{"action": "update", "patch": operations}]
    assert result["image"] == updated
    assert result["diff"]["before"]["min_ram"] == 1024 and result["diff"]["after"]["min_ram"] == 2048
    assert result["diff"]["before"]["properties"] == {} and result["diff"]["after"]["properties"] == {"build": "2"}


def test_update_in_check_mode_predicts_the_patch_and_the_image(http):
    live = image(min_ram=1024)
    http.expect(lookup("web", live))
    checked = run({"name": "web", "min_ram": 2048}, check_mode=True, diff=True)
    http.expect(lookup("web", live), patch([{"op": "replace", "path": "/min_ram", "value": 2048}],
                                           dict(live, min_ram=2048)))
    real = run({"name": "web", "min_ram": 2048}, diff=True)
    assert checked["changed"] is real["changed"] is True
    assert checked["operations"] == real["operations"]
    assert checked["diff"] == real["diff"]
    assert checked["image"] == real["image"]


def test_rename_by_id(http):
    live = image(name="web")
    operations = [{"op": "replace", "path": "/name", "value": "web-final"}]
    http.expect(get(live), patch(operations, dict(live, name="web-final")))
    result = run({"id": IMAGE_ID, "name": "web-final"}, diff=True)
    assert result["operations"] == [{"action": "update", "patch": operations}]
    assert result["image"]["name"] == "web-final"
    assert (result["diff"]["before"]["name"], result["diff"]["after"]["name"]) == ("web", "web-final")


def test_an_id_that_does_not_exist_is_an_error(http):
    http.expect(get_missing())
    result = run({"id": IMAGE_ID, "min_ram": 1})
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"] == (
        "no image with id %s exists in project %s; images are created by name: leave id out, and give name with "
        "disk_format (an empty image to upload into later, e.g. disk_format: qcow2), filename (the file to upload) "
        "or the source IMS makes it from (instance_id, backup_id, volume_id or image_url)" % (IMAGE_ID, PROJECT_ID))


def test_disk_format_changes_while_queued(http):
    live = image(status="queued", disk_format="qcow2")
    operations = [{"op": "replace", "path": "/disk_format", "value": "raw"}]
    http.expect(lookup("web", live), patch(operations, dict(live, disk_format="raw")))
    assert run({"name": "web", "disk_format": "raw"})["operations"] == [{"action": "update", "patch": operations}]


def test_disk_format_of_an_active_image_cannot_change(http):
    http.expect(lookup("web", image(disk_format="qcow2")))
    result = run({"name": "web", "disk_format": "raw", "min_ram": 4096})
    assert result["failed"] is True and result["changed"] is False
    assert "disk_format cannot be changed on image %s once it is active" % IMAGE_ID in result["msg"]


@pytest.mark.parametrize("live_tags, tags, purge, wanted", [
    pytest.param(["a=1", "b=2"], ["b=2", "c=3"], True, ["b=2", "c=3"], id="purge"),
    pytest.param(["a=1", "b=2"], ["b=2", "c=3"], False, ["a=1", "b=2", "c=3"], id="no-purge"),
    pytest.param(["a=1"], [], True, [], id="remove-all"),
    pytest.param(["a=1"], [], False, None, id="none-without-purge"),
    pytest.param(["a=1", "b=2"], ["b=2", "a=1"], True, None, id="same-in-another-order"),
])
def test_tags_with_and_without_purge(http, live_tags, tags, purge, wanted):
    live = image(tags=live_tags)
    calls = [lookup("web", live)]
    if wanted is not None:
        calls.append(patch([{"op": "replace", "path": "/tags", "value": wanted}], dict(live, tags=wanted)))
    http.expect(*calls)
    result = run({"name": "web", "tags": tags, "purge_tags": purge}, diff=True)
    assert result["changed"] is (wanted is not None)
    if wanted is not None:
        assert result["diff"]["after"]["tags"] == sorted(wanted)
        assert result["diff"]["before"]["tags"] == sorted(live_tags)


def test_properties_are_strings_and_purge_removes_only_user_properties(http):
    live = image(build="1", team="web", __support_kvm="true", hw_firmware_type="bios")
    operations = [{"op": "replace", "path": "/hw_firmware_type", "value": "uefi"},
                  {"op": "add", "path": "/secure", "value": "true"},
                  {"op": "remove", "path": "/build"},
                  {"op": "remove", "path": "/team"}]
    after = dict(live, hw_firmware_type="uefi", secure="true")
    del after["build"], after["team"]
    http.expect(lookup("web", live), patch(operations, after))
    result = run({"name": "web", "properties": {"hw_firmware_type": "uefi", "secure": True, "__support_kvm": True},
                  "purge_properties": True}, diff=True)
    assert result["operations"] == [{"action": "update", "patch": operations}]
    assert result["diff"]["before"]["properties"] == {"__support_kvm": "true", "build": "1", "hw_firmware_type": "bios",
                                                      "team": "web"}
    assert result["diff"]["after"]["properties"] == {"__support_kvm": "true", "hw_firmware_type": "uefi",
                                                     "secure": "true"}


def test_properties_without_purge_leave_the_others(http):
    live = image(build="1", team="web")
    http.expect(lookup("web", live),
                patch([{"op": "replace", "path": "/build", "value": "2"}], dict(live, build="2")))
    result = run({"name": "web", "properties": {"build": 2}})
    assert result["image"]["team"] == "web"


def test_protect(http):
    live = image()
    http.expect(lookup("web", live),
                patch([{"op": "replace", "path": "/protected", "value": True}], dict(live, protected=True)))
    result = run({"name": "web", "protected": True})
    assert result["image"]["protected"] is True


# -- members ----------------------------------------------------------------------------------


def test_members_added_and_removed_with_purge(http):
    live = image()
    http.expect(
        lookup("web", live),
        Call("GET", "/v2/images/%s/members" % IMAGE_ID, answer=members(IMAGE_ID, MEMBER_A, MEMBER_C)),
        Call("POST", "/v2/images/%s/members" % IMAGE_ID, json={"member": MEMBER_B}, answer=member(IMAGE_ID, MEMBER_B)),
        Call("DELETE", "/v2/images/%s/members/%s" % (IMAGE_ID, MEMBER_C), status=204))
    result = run({"name": "web", "members": [MEMBER_A, MEMBER_B]}, diff=True)
    assert result["changed"] is True
    assert result["operations"] == [{"action": "add_member", "member": MEMBER_B},
                                    {"action": "remove_member", "member": MEMBER_C}]
    assert result["diff"]["before"]["members"] == [MEMBER_A, MEMBER_C]
    assert result["diff"]["after"]["members"] == [MEMBER_A, MEMBER_B]


def test_members_without_purge_only_add(http):
    http.expect(
        lookup("web", image()),
        Call("GET", "/v2/images/%s/members" % IMAGE_ID, answer=members(IMAGE_ID, MEMBER_A, MEMBER_C)),
        Call("POST", "/v2/images/%s/members" % IMAGE_ID, json={"member": MEMBER_B}, answer=member(IMAGE_ID, MEMBER_B)))
    result = run({"name": "web", "members": [MEMBER_B], "purge_members": False}, diff=True)
    assert result["operations"] == [{"action": "add_member", "member": MEMBER_B}]
    assert result["diff"]["after"]["members"] == [MEMBER_A, MEMBER_B, MEMBER_C]


def test_members_already_there_cost_one_read(http):
    http.expect(lookup("web", image()),
                Call("GET", "/v2/images/%s/members" % IMAGE_ID, answer=members(IMAGE_ID, MEMBER_A)))
    result = run({"name": "web", "members": [MEMBER_A]})
    assert result["changed"] is False


def test_members_in_check_mode_are_only_read(http):
    http.expect(lookup("web", image()),
                Call("GET", "/v2/images/%s/members" % IMAGE_ID, answer=members(IMAGE_ID, MEMBER_A)))
    result = run({"name": "web", "members": [MEMBER_B]}, check_mode=True, diff=True)
    assert result["operations"] == [{"action": "add_member", "member": MEMBER_B},
                                    {"action": "remove_member", "member": MEMBER_A}]
    assert result["diff"]["after"]["members"] == [MEMBER_B]


def test_members_of_a_new_image_are_added_after_the_create(http):
    fields = {"name": "web", "container_format": "bare", "visibility": "private", "disk_format": "qcow2"}
    http.expect(lookup("web"), create(fields),
                Call("POST", "/v2/images/{id}/members", json={"member": MEMBER_A},
                     answer=lambda request, values: member(values["id"], MEMBER_A)))
    result = run({"name": "web", "disk_format": "qcow2", "members": [MEMBER_A]})
    assert actions(result) == ["create", "add_member"]


# -- killed images ----------------------------------------------------------------------------


def test_a_killed_image_is_an_error_without_replace_failed(http):
    http.expect(lookup("web", image(status="killed")))
    result = run({"name": "web", "min_ram": 1024, "members": [MEMBER_A]})
    assert result["failed"] is True and result["changed"] is False
    assert "is killed (an earlier upload failed); set replace_failed: true" in result["msg"]


def test_a_killed_image_is_deleted_and_created_again_with_replace_failed(http, tmp_path):
    path, data, md5 = write_file(tmp_path)
    fields = {"name": "web", "container_format": "bare", "visibility": "private", "min_ram": 1024}
    http.expect(lookup("web", image(status="killed")),
                Call("DELETE", "/v2/images/%s" % IMAGE_ID, status=204),
                create(fields), upload(data),
                Call("GET", "/v2/images/{id}", answer=lambda request, values: image(values["id"], checksum=md5,
                                                                                    size=len(data), min_ram=1024)))
    result = run({"name": "web", "min_ram": 1024, "filename": path, "replace_failed": True})
    assert result["changed"] is True
    assert result["operations"][0] == {"action": "delete", "id": IMAGE_ID, "reason": "killed"}
    assert actions(result) == ["delete", "create", "upload"]
    assert result["image"]["id"] == http.values["id"] != IMAGE_ID


def test_a_killed_image_found_by_id_is_replaced_under_its_name(http):
    http.expect(get(image(name="web", status="killed")),
                Call("DELETE", "/v2/images/%s" % IMAGE_ID, status=204),
                create({"name": "web", "container_format": "bare", "visibility": "private", "disk_format": "qcow2"}))
    result = run({"id": IMAGE_ID, "disk_format": "qcow2", "replace_failed": True})
    assert actions(result) == ["delete", "create"]


def test_replacing_a_killed_image_in_check_mode_sends_nothing(http):
    http.expect(lookup("web", image(status="killed")))
    result = run({"name": "web", "disk_format": "qcow2", "replace_failed": True}, check_mode=True)
    assert actions(result) == ["delete", "create"] and result["image"] is None


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check-mode"])
def test_replacing_a_killed_image_without_disk_format_or_filename_fails_before_the_delete(http, check_mode):
    http.expect(lookup("web", image(status="killed")))
    result = run({"name": "web", "min_ram": 1024, "replace_failed": True}, check_mode=check_mode)
    assert result["failed"] is True and result["changed"] is False and result["operations"] == []
    assert result["msg"].startswith("image %s ('web') is killed, and replace_failed would delete it and create a new "
                                    "image, but the task does not say what that image is; set disk_format" % IMAGE_ID)
    assert result["image"]["status"] == "killed"  # the image as it is: nothing was deleted


# -- absent -------------------------------------------------------------------------------------


def test_absent_deletes_the_image(http):
    http.expect(lookup("web", image()), Call("DELETE", "/v2/images/%s" % IMAGE_ID, status=204))
    result = run({"name": "web", "state": "absent"}, diff=True)
    assert result["changed"] is True
    assert result["operations"] == [{"action": "delete", "id": IMAGE_ID}]
    assert result["image"] is None
    assert result["diff"] == {"before": {"state": "present", "id": IMAGE_ID, "status": "active", "name": "web"},
                              "after": {"state": "absent"}}


def test_absent_by_id(http):
    http.expect(get(image()), Call("DELETE", "/v2/images/%s" % IMAGE_ID, status=204))
    assert run({"id": IMAGE_ID, "state": "absent"})["changed"] is True


def test_absent_when_already_gone_is_no_change(http):
    http.expect(get_missing())
    result = run({"id": IMAGE_ID, "state": "absent"}, diff=True)
    assert result["changed"] is False and result["operations"] == []
    assert result["diff"] == {"before": {"state": "absent"}, "after": {"state": "absent"}}


def test_absent_in_check_mode_sends_no_delete(http):
    http.expect(lookup("web", image()))
    result = run({"name": "web", "state": "absent"}, check_mode=True)
    assert result["changed"] is True and result["operations"] == [{"action": "delete", "id": IMAGE_ID}]


# -- upload -------------------------------------------------------------------------------------


def test_a_queued_image_gets_the_file(http, tmp_path):
    path, data, md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")), upload(data, IMAGE_ID), get(image(checksum=md5)))
    result = run({"name": "web", "filename": path}, diff=True)
    assert result["operations"] == [{"action": "upload", "filename": path, "size": len(data), "checksum": md5}]
    assert result["diff"]["before"]["checksum"] is None and result["diff"]["after"]["checksum"] == md5


def test_an_upload_in_check_mode_is_predicted_and_not_sent(http, tmp_path):
    path, data, md5 = write_file(tmp_path)
    http.expect(lookup("web", image(status="queued")))
    result = run({"name": "web", "filename": path}, check_mode=True, diff=True)
    assert result["operations"] == [{"action": "upload", "filename": path, "size": len(data), "checksum": md5}]
    assert result["diff"]["after"]["checksum"] == md5


def test_a_create_and_upload_in_check_mode_sends_nothing(http, tmp_path):
    path, _data, _md5 = write_file(tmp_path)
    http.expect(lookup("web"))
    result = run({"name": "web", "filename": path}, check_mode=True)
    assert actions(result) == ["create", "upload"] and result["image"] is None


def test_the_upload_is_streamed_from_the_file(http, tmp_path):
    path, data, md5 = write_file(tmp_path, size=200000)
    http.expect(lookup("web", image(status="queued")),
                Call("PUT", "/v2/images/%s/file" % IMAGE_ID, status=204, body=data,
                     check=lambda request: request.streamed),
                get(image(checksum=md5)))
    run({"name": "web", "filename": path})
