# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image making images through IMS's native API: the request of every source, the job waited on,
the image adopted on a re-run, never a second create, the source compared on an existing image, check and diff mode,
and ``delete_backup``.

Every request is scripted (tests/unit/utils/scripted_http.py): what the module sends is asserted to the byte of
its JSON body, and a request the script does not have fails the test.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, ims_error
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import actions, get, lookup, patch, writes
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    CONNECTION,
    PROJECT_ID,
    Call,
    dropped,
    read_timeout,
    run_module,
)

SERVER = "b4c6f7a8-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
VOLUME = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
BACKUP = "3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9"
VAULT = "5a4f3e2d-1c0b-4a9f-8e7d-6c5b4a3f2e1d"
JOB_ID = "ff8080828f2a5e8a018f3c1e7d2b0042"
SHOW_JOB = "/v1/%s/jobs/%s" % (PROJECT_ID, JOB_ID)
NATIVE_TYPE = "application/json;charset=UTF-8"
FROM_SERVER = {"name": "web", "instance_id": SERVER}


def run(args, **kwargs):
    return run_module(ims_image, dict(CONNECTION, **args), **kwargs)


def made(status="active", **fields):
    """The image the job makes, as GET /v2/images/{id} shows it (made from SERVER unless fields say otherwise)."""
    fields.setdefault("__data_origin", "instance,%s" % SERVER)
    return image(IMAGE_ID, name=fields.pop("name", "web"), status=status, **fields)


def post(path="/v2/cloudimages/action", body=None, **kwargs):
    kwargs.setdefault("answer", {"job_id": JOB_ID})
    return Call("POST", path, json=body if body is not None else {"name": "web", "instance_id": SERVER},
                headers={"Content-Type": NATIVE_TYPE}, **kwargs)


def job(status="SUCCESS", image_id=IMAGE_ID, **fields):
    entities = {"image_id": image_id} if image_id else {}
    entities.update(fields.pop("entities", {}))
    answer = {"status": status, "job_id": JOB_ID, "job_type": "createImageByInstance", "entities": entities,
              "begin_time": "2024-11-06T06:19:43.195Z", "end_time": "", "error_code": None, "fail_reason": None}
    answer.update(fields)
    return answer


def show_job(answer, **kwargs):
    return Call("GET", SHOW_JOB, answer=answer, **kwargs)


def posts(http):
    return [request for request in http.requests if request.method == "POST"]


# -- every source, as sent ----------------------------------------------------------------------

SOURCES = [
    pytest.param({"instance_id": SERVER, "min_ram": 1024}, "/v2/cloudimages/action",
                 {"name": "web", "instance_id": SERVER, "min_ram": 1024}, id="server-system"),
    pytest.param({"instance_id": SERVER, "image_type": "whole", "vault_id": VAULT}, "/v1/cloudimages/wholeimages/action",
                 {"name": "web", "instance_id": SERVER, "vault_id": VAULT}, id="server-whole"),
    pytest.param({"backup_id": BACKUP, "description": "nightly"}, "/v1/cloudimages/wholeimages/action",
                 {"name": "web", "backup_id": BACKUP, "description": "nightly", "whole_image_type": "CBR"}, id="backup"),
    pytest.param({"volume_id": VOLUME, "os_version": "CentOS 7.9 64bit", "server_type": "ECS"}, "/v2/cloudimages/action",
                 {"name": "web", "volume_id": VOLUME, "os_version": "CentOS 7.9 64bit", "type": "ECS"}, id="volume-system"),
    pytest.param({"volume_id": VOLUME, "image_type": "data", "tags": ["team=db"], "enterprise_project_id": "0"},
                 "/v2/cloudimages/action",
                 {"data_images": [{"name": "web", "volume_id": VOLUME, "image_tags": [{"key": "team", "value": "db"}]}],
                  "enterprise_project_id": "0"}, id="volume-data"),
    pytest.param({"image_url": "bkt:web.qcow2", "min_disk": 40, "os_version": "Ubuntu 22.04 server 64bit",
                  "architecture": "x86", "hw_firmware_type": "bios", "is_config": True, "max_ram": 0},
                 "/v2/cloudimages/action",
                 {"name": "web", "image_url": "bkt:web.qcow2", "min_disk": 40, "os_version": "Ubuntu 22.04 server 64bit",
                  "architecture": "x86", "hw_firmware_type": "bios", "is_config": True, "max_ram": 0}, id="obs-system"),
    pytest.param({"image_url": "bkt:data.vhd", "image_type": "data", "min_disk": 100, "os_type": "Linux",
                  "cmk_id": "kms-1"}, "/v1/cloudimages/dataimages/action",
                 {"name": "web", "image_url": "bkt:data.vhd", "min_disk": 100, "os_type": "Linux", "cmk_id": "kms-1"},
                 id="obs-data"),
    pytest.param({"image_url": "bkt:boot.iso", "image_type": "iso", "min_disk": 40, "os_version": "CentOS 7.9 64bit"},
                 "/v2/cloudimages/action",
                 {"name": "web", "image_url": "bkt:boot.iso", "min_disk": 40, "os_version": "CentOS 7.9 64bit",
                  "type": "IsoImage"}, id="obs-iso"),
    pytest.param({"image_url": "bkt:big.raw", "quick_import": True, "min_disk": 40, "os_version": "CentOS 7.9 64bit",
                  "license_type": "byol", "server_type": "BMS"}, "/v2/cloudimages/quickimport/action",
                 {"name": "web", "image_url": "bkt:big.raw", "min_disk": 40, "os_version": "CentOS 7.9 64bit",
                  "license_type": "byol", "type": "BMS"}, id="obs-quick-system"),
    pytest.param({"image_url": "bkt:big.zvhd2", "quick_import": True, "image_type": "data", "min_disk": 500},
                 "/v2/cloudimages/quickimport/action",
                 {"name": "web", "image_url": "bkt:big.zvhd2", "min_disk": 500, "type": "DataImage"},
                 id="obs-quick-data"),
]


@pytest.mark.parametrize("task, path, body", SOURCES)
def test_each_source_sends_its_request_once_after_one_lookup_then_waits_for_the_job(http, clock, task, path, body):
    # the image as IMS records what the body gave (so that nothing is left to patch after the job)
    recorded = {"min_disk": task.get("min_disk", 0), "min_ram": task.get("min_ram", 0), "__data_origin": "x,y"}
    recorded.update({"__os_version": task["os_version"]} if "os_version" in task else {})
    recorded.update({"__description": task["description"]} if "description" in task else {})
    recorded.update({"tags": task["tags"]} if "tags" in task else {})
    answer = made(**recorded)
    http.expect(lookup("web"), post(path, body), show_job(job("RUNNING", image_id=None)),
                show_job(job("SUCCESS")), get(answer))
    result = run(dict(task, name="web"))
    assert result["failed"] is False, result
    assert result["changed"] is True and actions(result) == ["create"]
    assert result["operations"][0]["path"] == path and result["operations"][0]["body"] == body
    assert result["job"]["id"] == JOB_ID and result["job"]["status"] == "SUCCESS"
    assert result["image"] == answer
    assert len(posts(http)) == 1 and clock.sleeps == [1.0]
    assert http.timeline()[:2] == ["GET /v2/images 200", "POST %s 200" % path]  # one lookup: the module's


def test_a_data_image_from_a_volume_is_read_where_its_job_names_it(http, clock):
    task = {"name": "web", "volume_id": VOLUME, "image_type": "data"}
    answer = made(**{"__data_origin": "volume,%s" % VOLUME, "virtual_env_type": "DataImage"})
    sub = {"sub_jobs_result": [{"status": "SUCCESS", "entities": {"image_id": IMAGE_ID}}]}
    http.expect(lookup("web"), post(body={"data_images": [{"name": "web", "volume_id": VOLUME}]}),
                show_job(job("SUCCESS", image_id=None, entities=sub)), get(answer))
    result = run(task)
    assert result["image"]["id"] == IMAGE_ID and result["job"]["image_ids"] == [IMAGE_ID]


# -- bad input: every problem at once, before any request ------------------------------------------------


@pytest.mark.parametrize("task, problems", [
    ({"volume_id": VOLUME, "vault_id": VAULT},
     ["vault_id ('%s') does not apply to a system image from volume_id; leave it out" % VAULT,
      "os_version is required for a system image from volume_id"]),
    ({"image_url": "bkt:web.qcow2"}, ["min_disk is required for a system image from image_url"]),
    ({"instance_id": SERVER, "disk_format": "qcow2"},
     ["disk_format does not apply to an image made by IMS from instance_id: IMS sets it; leave disk_format out"]),
    ({"instance_id": SERVER, "image_type": "data"}, ["image_type must be one of system, whole for an image from instance_id"]),
    ({"image_url": "bucket-only", "min_disk": 4000}, ["image_url must be bucket:object"]),
    ({"architecture": "arm"}, ["architecture applies only to an image made by IMS from instance_id, backup_id, "
                               "volume_id or image_url; give one of them, or leave architecture out"]),
    ({"instance_id": SERVER, "min_disk": 40, "max_ram": -1},
     ["min_disk (40) does not apply to a system image from instance_id", "max_ram must be 0 or more"]),
    ({"image_url": "bkt:a.qcow2", "min_disk": 2000, "image_type": "iso"},
     ["min_disk must be from 1 to 1024 (GB) for an iso image from image_url; got 2000",
      "os_version is required for an iso image from image_url"]),
])
def test_bad_options_fail_before_any_request_with_every_problem_named(http, task, problems):
    result = run(dict(task, name="web"))
    assert result["failed"] is True and result["changed"] is False, result
    for problem in problems:
        assert problem in result["msg"], (problem, result["msg"])
    assert "Traceback" not in result["msg"] and http.requests == []


def test_a_source_with_filename_is_refused_as_mutually_exclusive(http):
    result = run({"name": "web", "instance_id": SERVER, "filename": "/srv/web.qcow2"})
    assert result["failed"] is True
    assert "mutually exclusive: instance_id|backup_id|volume_id|image_url|filename" in result["msg"]
    assert http.requests == []


def test_two_sources_are_refused_as_mutually_exclusive(http):
    result = run({"name": "web", "instance_id": SERVER, "volume_id": VOLUME})
    assert result["failed"] is True and "mutually exclusive" in result["msg"] and http.requests == []


# -- a re-run adopts the image still being made ----------------------------------------------------------


def test_a_rerun_that_finds_the_image_still_saving_waits_for_it_without_a_create(http, clock):
    http.expect(lookup("web", made("saving")), get(made("saving")), get(made("saving")), get(made("active")))
    result = run(FROM_SERVER)
    assert result["failed"] is False, result
    assert result["changed"] is False and result["operations"] == [] and result["job"] is None
    assert result["image"]["status"] == "active"
    assert writes(http) == []


def test_an_unchanged_rerun_reads_once_and_writes_nothing(http):
    http.expect(lookup("web", made(__description="baked")))
    result = run(dict(FROM_SERVER, description="baked", min_ram=0), diff=True)
    assert result["changed"] is False and result["operations"] == [], result
    assert len(http.requests) == 1
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["diff"]["after"]["instance_id"] == SERVER and result["diff"]["after"]["image_type"] == "system"


def test_a_matching_image_gets_its_other_fields_through_the_update_path(http):
    before = made(__description="old")
    operations = [{"op": "replace", "path": "/__description", "value": "new"},
                  {"op": "replace", "path": "/protected", "value": True}]
    http.expect(lookup("web", before), patch(operations, made(__description="new", protected=True)))
    result = run(dict(FROM_SERVER, description="new", protected=True))
    assert result["changed"] is True and actions(result) == ["update"], result
    assert posts(http) == []


# -- never a second create ------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [{"status": 503}, {"raises": dropped}, {"raises": read_timeout}],
                         ids=["503", "dropped", "read-timeout"])
def test_a_create_of_unknown_outcome_that_landed_is_found_and_never_sent_again(http, clock, failure):
    http.expect(lookup("web"), post(**failure), lookup("web", made("saving")), get(made("active")))
    result = run(FROM_SERVER)
    assert result["failed"] is False, result
    assert result["changed"] is True and actions(result) == ["create"]
    assert result["image"]["status"] == "active" and result["job"] is None
    assert len(posts(http)) == 1


def test_a_create_of_unknown_outcome_proven_absent_is_sent_exactly_once_more(http, clock):
    http.expect(lookup("web"), post(raises=dropped), lookup("web"), post(),
                show_job(job("SUCCESS")), get(made()))
    result = run(FROM_SERVER)
    assert result["failed"] is False, result
    assert len(posts(http)) == 2 and actions(result) == ["create"]
    assert http.timeline()[1:4] == ["POST /v2/cloudimages/action ConnectionError", "sleep", "GET /v2/images 200"]


# -- the job: failed, timed out, not waited for ------------------------------------------------------------


def test_a_failed_job_fails_the_task_with_ims_code_reason_and_job_id(http, clock):
    failed = job("FAIL", image_id=None, error_code="IMG.0010", fail_reason="The server is not stopped.")
    http.expect(lookup("web"), post(), show_job(failed))
    result = run(FROM_SERVER)
    assert result["failed"] is True and result["changed"] is True
    assert JOB_ID in result["msg"] and "IMG.0010" in result["msg"] and "The server is not stopped." in result["msg"]
    assert result["error_code"] == "IMG.0010" and result["fail_reason"] == "The server is not stopped."
    assert result["job"]["id"] == JOB_ID and result["job"]["status"] == "FAIL"


def test_a_job_still_running_at_wait_timeout_names_job_and_image_and_a_rerun_completes_without_a_create(http, clock):
    http.expect(lookup("web"), post(), show_job(job("RUNNING", process_percent=40), repeat=True),
                get(made("saving")))
    result = run(dict(FROM_SERVER, wait_timeout=60))
    assert result["failed"] is True, result
    assert JOB_ID in result["msg"] and IMAGE_ID in result["msg"] and "'web'" in result["msg"]
    assert "after wait_timeout (60 s)" in result["msg"] and "run the task again" in result["msg"]
    assert result["job"]["status"] == "RUNNING" and result["image"]["status"] == "saving"
    assert sum(clock.sleeps) <= 60
    # the re-run: the image is found saving, waited on, and no create is sent
    http.expect(lookup("web", made("saving")), get(made("saving")), get(made("active")))
    again = run(FROM_SERVER)
    assert again["failed"] is False and again["changed"] is False and again["image"]["status"] == "active", again
    assert len(posts(http)) == 1


def test_a_native_job_is_waited_for_1200_seconds_when_wait_timeout_is_not_set(http, clock):
    http.expect(lookup("web"), post(), show_job(job("RUNNING"), repeat=True), get(made("saving")))
    result = run(FROM_SERVER)
    assert "after wait_timeout (1200 s)" in result["msg"], result
    assert 1190 <= sum(clock.sleeps) <= 1200


def test_with_wait_false_the_job_is_read_once_and_returned_with_the_image_if_named(http, clock):
    http.expect(lookup("web"), post(), show_job(job("RUNNING")), get(made("saving")))
    result = run(dict(FROM_SERVER, wait=False))
    assert result["failed"] is False and result["changed"] is True, result
    assert result["job"]["id"] == JOB_ID and result["job"]["status"] == "RUNNING"
    assert result["image"]["status"] == "saving" and clock.sleeps == []


def test_with_wait_false_a_job_in_init_is_read_until_it_names_its_image(http, clock):
    http.expect(lookup("web"), post(), show_job(job("INIT", image_id=None)), show_job(job("INIT", image_id=None)),
                show_job(job("RUNNING")), get(made("saving")))
    result = run(dict(FROM_SERVER, wait=False))
    assert result["failed"] is False and result["job"]["status"] == "RUNNING", result
    assert result["image"]["status"] == "saving" and clock.sleeps == [1.0, 1.0]
    assert not result.get("warnings")


def test_with_wait_false_a_job_still_in_init_after_60_s_returns_no_image_and_warns_of_what_waits(http, clock):
    http.expect(lookup("web"), post(), show_job(job("INIT", image_id=None), repeat=True))
    result = run(dict(FROM_SERVER, wait=False, protected=True))
    assert result["failed"] is False and result["image"] is None and result["job"]["status"] == "INIT", result
    assert 50 <= sum(clock.sleeps) <= 60
    assert any("protected not applied yet" in warning for warning in result.get("warnings", []))
    assert any("has not named its image yet (INIT after 60 s)" in warning and "ims_job_info" in warning
               for warning in result.get("warnings", []))
    assert len(writes(http)) == 1


def test_with_wait_false_the_job_is_read_for_at_most_wait_timeout(http, clock):
    http.expect(lookup("web"), post(), show_job(job("INIT", image_id=None), repeat=True))
    result = run(dict(FROM_SERVER, wait=False, wait_timeout=5))
    assert result["failed"] is False and result["job"]["status"] == "INIT", result
    assert sum(clock.sleeps) <= 5


def test_after_the_job_what_the_create_does_not_take_is_patched(http, clock):
    http.expect(lookup("web"), post(), show_job(job("SUCCESS")), get(made()),
                patch([{"op": "replace", "path": "/protected", "value": True}], made(protected=True)))
    result = run(dict(FROM_SERVER, protected=True))
    assert actions(result) == ["create", "update"] and result["image"]["protected"] is True, result


# -- an existing image of another source ------------------------------------------------------------------


def test_an_image_made_from_another_source_fails_naming_both_and_writes_nothing(http):
    http.expect(lookup("web", made(__data_origin="volume,%s" % VOLUME)))
    result = run(dict(FROM_SERVER, description="x"))
    assert result["failed"] is True and result["changed"] is False
    assert VOLUME in result["msg"] and SERVER in result["msg"] and "cannot change" in result["msg"], result
    assert writes(http) == []


# -- check mode and diff mode --------------------------------------------------------------------------------


def test_check_mode_predicts_the_create_and_shows_the_request_in_the_diff(http):
    http.expect(lookup("web"))
    result = run(dict(FROM_SERVER, description="baked", protected=True), check_mode=True, diff=True)
    assert result["failed"] is False and result["changed"] is True, result
    assert actions(result) == ["create", "update"]
    body = {"name": "web", "instance_id": SERVER, "description": "baked"}
    assert result["operations"][0]["body"] == body
    after = result["diff"]["after"]
    assert after["request"] == {"method": "POST", "path": "/v2/cloudimages/action", "body": body}
    assert after["instance_id"] == SERVER and after["name"] == "web" and after["description"] == "baked"
    assert after["protected"] is True
    assert result["diff"]["before"] == {"state": "absent"}
    assert result["image"] is None and result["job"] is None
    assert len(http.requests) == 1


def test_check_mode_on_a_saving_image_neither_waits_nor_writes(http, clock):
    http.expect(lookup("web", made("saving")))
    result = run(FROM_SERVER, check_mode=True)
    assert result["changed"] is False and clock.sleeps == [] and len(http.requests) == 1, result


# -- delete_backup ----------------------------------------------------------------------------------------------


WHOLE = {"__whole_image": "true", "__backup_id": BACKUP, "__data_origin": None}


def test_delete_backup_sends_its_body_with_the_delete_of_a_whole_image(http):
    http.expect(lookup("web", made(**WHOLE)),
                Call("DELETE", "/v2/images/%s" % IMAGE_ID, json={"delete_backup": True}, status=204,
                     headers={"Content-Type": "application/json"}))
    result = run({"name": "web", "state": "absent", "delete_backup": True})
    assert result["failed"] is False and result["changed"] is True, result
    assert result["operations"] == [{"action": "delete", "id": IMAGE_ID, "delete_backup": True}]


def test_without_delete_backup_the_delete_has_no_body(http):
    http.expect(lookup("web", made(**WHOLE)), Call("DELETE", "/v2/images/%s" % IMAGE_ID, body=b"", status=204))
    result = run({"name": "web", "state": "absent"})
    assert result["changed"] is True and result["operations"] == [{"action": "delete", "id": IMAGE_ID}], result


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check-mode"])
def test_delete_backup_on_an_image_that_is_not_whole_is_refused_before_the_delete(http, check_mode):
    http.expect(lookup("web", made()))
    result = run({"name": "web", "state": "absent", "delete_backup": True}, check_mode=check_mode)
    assert result["failed"] is True and result["changed"] is False
    assert "delete_backup applies only to a full-server image" in result["msg"] and "system image" in result["msg"]
    assert writes(http) == []


def test_absent_with_a_source_never_deletes_an_image_made_from_another(http):
    http.expect(lookup("web", made(__data_origin="volume,%s" % VOLUME)))
    result = run(dict(FROM_SERVER, state="absent"))
    assert result["failed"] is True and "it is not deleted" in result["msg"] and writes(http) == [], result


def test_a_refused_create_is_not_a_change(http):
    http.expect(lookup("web"),
                post(status=400, answer=ims_error("IMG.0015", "The private image quota is reached.")))
    result = run(FROM_SERVER)
    assert result["failed"] is True and result["changed"] is False and result["operations"] == []
    assert result["error_code"] == "IMG.0015"
