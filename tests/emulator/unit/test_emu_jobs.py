"""Jobs in process: the phases over the emulator's clock, both job APIs' shapes, the control
calls, the job_fail fault, --job-seconds, and deleting what jobs make (README "Jobs")."""

from __future__ import annotations

import argparse
import re
import sys
import threading

import pytest

from imsemu.cli import non_negative_seconds, parse_args
from imsemu.control.faults import FaultPlan
from imsemu.ims.jobs import INIT_FRACTION, format_job_time
from native_helpers import (BACKUP, DATA_VOLUME, DATA_VOLUME_2, OTHER_PROJECT, SERVER, VAULT, control, refused,
                            seed_world, started)

JOB_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
TOP_FIELDS = {"status", "job_id", "job_type", "begin_time", "end_time", "error_code", "fail_reason", "entities"}
FILE = {"name": "from-file", "image_url": "imgs:linux.qcow2", "min_disk": 40}


@pytest.fixture
def world(app):
    seed_world(app)
    control(app, "POST", "/_emulator/jobs/config", {"job_seconds": 100})
    return app


@pytest.fixture
def jobs(call, world):
    """jobs(job_id) -> (ShowJob body, ShowJobProgress body), both 200."""
    project = world.accounts[0].project_id

    def read(job_id):
        one, two = call("GET", "/v1/%s/jobs/%s" % (project, job_id)), call("GET", "/v1/cloudimages/job/" + job_id)
        assert one.status == two.status == 200, (one.body, two.body)
        return one.json(), two.json()
    return read


def listed(call):
    return {i["name"]: i["status"] for i in call("GET", "/v2/images").json()["images"]}


def test_the_phases_over_the_clock(world, call, jobs):
    job_id = started(call("POST", "/v2/cloudimages/action", {"name": "web", "instance_id": SERVER}))
    show, progress = jobs(job_id)
    assert show["status"] == progress["status"] == "INIT"
    assert set(show) == set(progress) == TOP_FIELDS
    assert (show["job_id"], show["job_type"], show["end_time"], show["error_code"], show["fail_reason"]) == \
        (job_id, "imsCreateImageByInstance", "", None, None)
    assert JOB_TIME.match(show["begin_time"])
    assert "image_id" not in show["entities"] and show["entities"]["image_name"] == "web"
    assert show["entities"]["process_percent"] == 0.0
    assert listed(call) == {}  # INIT: no image yet
    world.clock.offset = 100 * INIT_FRACTION + 1  # 11 s in: RUNNING
    show, progress = jobs(job_id)
    assert show["status"] == progress["status"] == "RUNNING"
    image_id = show["entities"]["image_id"]
    assert progress["entities"]["image_id"] == image_id
    first = show["entities"]["process_percent"]
    assert 0 < first < 100 and show["entities"]["current_task"] == "creating_image"
    assert listed(call) == {"web": "saving"}
    assert call("GET", "/v2/images/" + image_id).json()["status"] == "saving"
    world.clock.offset = 60
    assert first < jobs(job_id)[0]["entities"]["process_percent"] < 100  # rising
    world.clock.offset = 100
    show, progress = jobs(job_id)
    assert show["status"] == "SUCCESS" and show["entities"]["process_percent"] == 100.0
    assert JOB_TIME.match(show["end_time"]) and show["end_time"] > show["begin_time"]
    assert listed(call) == {"web": "active"}
    world.clock.offset = 0  # the clock going back undoes nothing
    assert jobs(job_id)[0]["status"] == "SUCCESS"


def test_job_seconds_zero_ends_a_job_at_the_next_request(world, call, jobs):
    control(world, "POST", "/_emulator/jobs/config", {"job_seconds": 0})
    job_id = started(call("POST", "/v2/cloudimages/action", FILE))
    assert jobs(job_id)[0]["status"] == "SUCCESS"


def test_the_duration_is_taken_when_a_job_starts(world, call, jobs):
    job_id = started(call("POST", "/v2/cloudimages/action", FILE))
    assert control(world, "POST", "/_emulator/jobs/config", {"job_seconds": 1}) == (200, {"job_seconds": 1.0})
    world.clock.offset = 20
    assert jobs(job_id)[0]["status"] == "RUNNING"  # still 100 s long
    later = started(call("POST", "/v2/cloudimages/action", dict(FILE, name="later")))
    world.clock.offset = 22
    assert jobs(later)[0]["status"] == "SUCCESS"  # 1 s long


def test_the_control_surface_lists_and_finishes_jobs(world, call, jobs):
    first = started(call("POST", "/v2/cloudimages/action", FILE))
    second = started(call("POST", "/v2/cloudimages/action", dict(FILE, name="second")))
    status, body = control(world, "GET", "/_emulator/jobs")
    assert status == 200 and body["job_seconds"] == 100.0
    assert {(j["job_id"], j["status"], j["project_id"]) for j in body["jobs"]} == \
        {(first, "INIT", world.accounts[0].project_id), (second, "INIT", world.accounts[0].project_id)}
    assert control(world, "POST", "/_emulator/jobs/finish", {"job_id": first}) == (200, {"finished": [first]})
    assert jobs(first)[0]["status"] == "SUCCESS" and jobs(second)[0]["status"] == "INIT"
    assert control(world, "POST", "/_emulator/jobs/finish", {}) == (200, {"finished": [second]})
    assert listed(call) == {"from-file": "active", "second": "active"}
    assert control(world, "POST", "/_emulator/jobs/finish", {}) == (200, {"finished": []})


@pytest.mark.parametrize("path, body", [
    ("/_emulator/jobs/config", {}), ("/_emulator/jobs/config", {"job_seconds": -1}),
    ("/_emulator/jobs/config", {"job_seconds": "5"}), ("/_emulator/jobs/config", {"job_seconds": 5, "x": 1}),
    ("/_emulator/jobs/finish", {"job_id": "no-such-job"}), ("/_emulator/jobs/finish", {"job_id": 3}),
    ("/_emulator/jobs/finish", {"all": True}),
])
def test_bad_job_control_calls(world, path, body):
    assert control(world, "POST", path, body)[0] == 400
    assert world.jobs.job_seconds == 100.0


def test_data_image_sub_jobs_in_both_apis(world, call, jobs):
    job_id = started(call("POST", "/v2/cloudimages/action", {"data_images": [
        {"name": "data-a", "volume_id": DATA_VOLUME}, {"name": "data-b", "volume_id": DATA_VOLUME_2}]}))
    show, progress = jobs(job_id)
    assert show["status"] == "INIT" and len(show["entities"]["sub_jobs_list"]) == 2
    assert progress["entities"]["subJobId"] == show["entities"]["sub_jobs_list"][0]
    assert "subJobId" not in show["entities"]
    control(world, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    show, progress = jobs(job_id)
    assert show["status"] == "SUCCESS" and "image_id" not in show["entities"]
    results = show["entities"]["sub_jobs_result"]
    assert [set(r) for r in results] == [TOP_FIELDS, TOP_FIELDS]
    assert [(r["status"], r["job_type"], r["entities"]["image_name"]) for r in results] == \
        [("SUCCESS", "imsVolumeCreateImageJob", "data-a"), ("SUCCESS", "imsVolumeCreateImageJob", "data-b")]
    assert [r["job_id"] for r in results] == show["entities"]["sub_jobs_list"]
    assert progress["entities"]["sub_jobs_result"] == results
    for result in results:  # the image ids are in sub_jobs_result (ims-native-api.md 1.3)
        assert call("GET", "/v2/images/" + result["entities"]["image_id"]).json()["status"] == "active"
        assert jobs(result["job_id"])[0]["entities"]["image_id"] == result["entities"]["image_id"]


def test_a_job_of_another_project_is_not_found(world, call):
    job_id = started(call("POST", "/v2/cloudimages/action", FILE))
    project = world.accounts[0].project_id
    refused(call("GET", "/v1/%s/jobs/%s" % (OTHER_PROJECT, job_id)), "IMG.0404", 404)
    refused(call("GET", "/v1/%s/jobs/nothing" % project), "IMG.0404", 404)
    refused(call("GET", "/v1/cloudimages/job/nothing"), "IMG.0404", 404)
    world.jobs.jobs[job_id].project = OTHER_PROJECT  # as if another project had started it
    refused(call("GET", "/v1/%s/jobs/%s" % (project, job_id)), "IMG.0404", 404)
    refused(call("GET", "/v1/cloudimages/job/" + job_id), "IMG.0404", 404)


# -- the job_fail fault --------------------------------------------------------------------
def test_a_fault_fails_the_job_with_its_code_and_reason(world, call, jobs):
    control(world, "POST", "/_emulator/faults", {"rules": [{"method": "POST", "path": "/v2/cloudimages/action",
                                                            "times": 1, "job_fail": {
                                                                "error_code": "IMG.0061", "fail_reason": "disk gone"}}]})
    job_id = started(call("POST", "/v2/cloudimages/action", {"name": "doomed", "instance_id": SERVER}))
    world.clock.offset = 50
    show, _progress = jobs(job_id)
    assert show["status"] == "RUNNING" and listed(call) == {"doomed": "saving"}
    world.clock.offset = 100
    show, progress = jobs(job_id)
    assert (show["status"], show["error_code"], show["fail_reason"]) == ("FAIL", "IMG.0061", "disk gone")
    assert (progress["status"], progress["error_code"]) == ("FAIL", "IMG.0061")
    assert (show["entities"]["error_code"], show["entities"]["error"]) == ("IMG.0061", "disk gone")
    assert JOB_TIME.match(show["end_time"]) and listed(call) == {"doomed": "killed"}
    assert control(world, "GET", "/_emulator/faults")[1]["rules"][0]["injected"] == 1
    second = started(call("POST", "/v2/cloudimages/action", dict(FILE, name="fine")))  # times: 1
    control(world, "POST", "/_emulator/jobs/finish", {})
    assert jobs(second)[0]["status"] == "SUCCESS"


def test_a_fault_in_init_fails_before_any_image(world, call, jobs):
    control(world, "POST", "/_emulator/faults", {"rules": [{"job_fail": {"phase": "INIT"}}]})
    job_id = started(call("POST", "/v2/cloudimages/action", FILE))
    control(world, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    show, _progress = jobs(job_id)
    assert (show["status"], show["error_code"]) == ("FAIL", "IMG.0014") and show["fail_reason"]
    assert "image_id" not in show["entities"] and listed(call) == {}


def test_a_failed_whole_image_gives_its_backup_back(world, call, jobs):
    control(world, "POST", "/_emulator/faults", {"rules": [{"job_fail": True}]})
    from_backup = started(call("POST", "/v1/cloudimages/wholeimages/action", {"name": "w1", "backup_id": BACKUP}))
    from_server = started(call("POST", "/v1/cloudimages/wholeimages/action", {"name": "w2", "instance_id": SERVER,
                                                                              "vault_id": VAULT}))
    assert len(world.resources.backups) == 3  # the server's backup, made at once
    control(world, "POST", "/_emulator/jobs/finish", {})
    assert jobs(from_backup)[0]["status"] == jobs(from_server)[0]["status"] == "FAIL"
    assert world.resources.backups[BACKUP]["image_id"] is None  # usable again
    assert len(world.resources.backups) == 2  # the server's backup is gone with its job


def test_a_data_image_job_fails_with_its_sub_jobs(world, call, jobs):
    control(world, "POST", "/_emulator/faults", {"rules": [{"job_fail": {"error_code": "IMG.0120",
                                                                         "fail_reason": "volume lost"}}]})
    job_id = started(call("POST", "/v2/cloudimages/action", {"data_images": [{"name": "d", "volume_id": DATA_VOLUME}]}))
    control(world, "POST", "/_emulator/jobs/finish", {})
    show, _progress = jobs(job_id)
    assert (show["status"], show["error_code"], show["fail_reason"]) == ("FAIL", "IMG.0120", "volume lost")
    assert show["entities"]["sub_jobs_result"][0]["status"] == "FAIL"


@pytest.mark.parametrize("job_fail", ["yes", {"error_code": ""}, {"phase": "SUCCESS"}, {"code": "IMG.0001"}])
def test_a_bad_job_fail_fault(job_fail):
    with pytest.raises(ValueError):
        FaultPlan().set({"rules": [{"job_fail": job_fail}]})


# -- deleting what jobs make ---------------------------------------------------------------
def test_an_image_being_created_cannot_be_deleted(world, call, jobs):
    job_id = started(call("POST", "/v2/cloudimages/action", FILE))
    world.clock.offset = 50
    image_id = jobs(job_id)[0]["entities"]["image_id"]
    refused(call("DELETE", "/v2/images/" + image_id), "IMG.0090")
    world.clock.offset = 100
    assert call("DELETE", "/v2/images/" + image_id).status == 204
    assert listed(call) == {}


def test_a_whole_image_delete_keeps_or_deletes_its_backup(world, call, jobs):
    control(world, "POST", "/_emulator/jobs/config", {"job_seconds": 0})
    kept = jobs(started(call("POST", "/v1/cloudimages/wholeimages/action", {"name": "kept", "backup_id": BACKUP})))
    kept_id = kept[0]["entities"]["image_id"]
    assert call("DELETE", "/v2/images/" + kept_id, {"delete_backup": False}).status == 204
    assert world.resources.backups[BACKUP]["image_id"] is None  # kept, and free for a new image
    again = jobs(started(call("POST", "/v1/cloudimages/wholeimages/action", {"name": "gone", "backup_id": BACKUP})))
    refused(call("DELETE", "/v2/images/" + again[0]["entities"]["image_id"], {"delete_backup": "yes"}), "IMG.0001")
    assert call("DELETE", "/v2/images/" + again[0]["entities"]["image_id"], {"delete_backup": True}).status == 204
    assert BACKUP not in world.resources.backups
    assert world.store.get(again[0]["entities"]["image_id"]) is None


def test_delete_backup_leaves_other_images_backups_alone(world, call):
    image_id = world.control.seeder.seed({"properties": {"__backup_id": BACKUP}})[0]  # not a whole image
    assert call("DELETE", "/v2/images/" + image_id, {"delete_backup": True}).status == 204
    assert BACKUP in world.resources.backups


def test_reset_forgets_jobs_resources_and_quotas(world, call):
    started(call("POST", "/v2/cloudimages/action", FILE))
    control(world, "POST", "/_emulator/quota", {"project_id": OTHER_PROJECT, "quota": 1})
    assert control(world, "POST", "/_emulator/reset") == (200, {})
    assert world.jobs.jobs == {} and world.store.quotas.describe()["projects"] == {}
    assert control(world, "GET", "/_emulator/resources")[1] == {
        "servers": [], "volumes": [], "vaults": [], "backups": [], "obs_objects": []}


# -- the command line ----------------------------------------------------------------------
def test_job_seconds_on_the_command_line(capsys):
    assert parse_args(["--port", "0"]).job_seconds == 10.0
    assert parse_args(["--port", "0", "--job-seconds", "2.5"]).job_seconds == 2.5
    assert parse_args(["--port", "0", "--job-seconds", "0"]).job_seconds == 0.0
    for bad in ("-1", "soon", "nan", "inf"):
        with pytest.raises(SystemExit):
            parse_args(["--port", "0", "--job-seconds", bad])
        assert "--job-seconds" in capsys.readouterr().err
    with pytest.raises(argparse.ArgumentTypeError):
        non_negative_seconds("-0.5")


def test_job_times_have_milliseconds():
    assert format_job_time(1730873983.195) == "2024-11-06T06:19:43.195Z"


def test_creates_and_the_jobs_moving_on_at_once_never_deadlock(world, call):
    """A Glance create holds the store's lock and asks the jobs what they will store (the quota);
    the jobs move on holding their board's lock and then the store's. Each side in a thread,
    many times: both must finish (the board's count is read without its lock)."""
    started(call("POST", "/v2/cloudimages/action", {"name": "web", "instance_id": SERVER}))
    errors = []

    def creates():
        try:
            for number in range(300):
                world.store.create({"id": "lock-%d" % number, "name": "lock", "owner": world.accounts[0].project_id,
                                    "status": "queued", "visibility": "private", "tags": [],
                                    "__imagetype": "private"})
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)

    def moves():
        for _number in range(3000):
            world.jobs.advance()
    threads = [threading.Thread(target=creates, daemon=True), threading.Thread(target=moves, daemon=True)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, so that the two sides interleave
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    finally:
        sys.setswitchinterval(interval)
    assert not any(thread.is_alive() for thread in threads), "deadlocked"
    assert not errors, errors
