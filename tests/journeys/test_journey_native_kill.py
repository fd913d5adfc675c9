# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A native create's run killed with SIGKILL (ansible and its module process), then run again, against the emulator.

No IMS create takes an idempotency key, and IMS lists a new image only once its job has left its first
phase (INIT: the first 10% of an emulator job). What these journeys show, as the guide "Creating images
from servers, volumes, backups and OBS files" tells it:

- killed while the job runs (the image listed ``saving``): the re-run finds the image and waits on it;
- killed while the job is in INIT, from a server: the re-run's create is refused by IMS (IMG.0010, the
  server is busy), the module watches the listing, and takes the image once listed: one image;
- ``wait: false`` returns only once the job has named its image, so a re-run right after finds it;
- the window left: an OBS import killed in INIT and run again within INIT makes a second image (IMS has
  no rule that refuses it).
"""

from __future__ import annotations

import json
import time

from ansible_collections.hwcloud.ims.tests.support.runner import kill_session

MODULE = "hwcloud.ims.ims_image"
BUCKET = "kill-bkt"


def own_images(emu, name):
    project = emu.default_account["project_id"]
    return [image for image in emu.images() if image["owner"] == project and image["name"] == name]


def jobs_of(emu, name):
    return [job for job in emu.jobs() if (job.get("entities") or {}).get("image_name") == name]


def accepted_creates(emu, name):
    """The creates IMS accepted for ``name``: one job each."""
    return len(jobs_of(emu, name))


def seed_server(emu):
    return emu.seed_resources(servers=[{"name": "kill-01", "os_version": "Ubuntu 22.04 server 64bit"}])["servers"][0]


def seed_file(emu):
    emu.seed_resources(obs_objects=[{"bucket": BUCKET, "key": "web.qcow2"}])
    return "%s:web.qcow2" % BUCKET


def until(check, timeout=30.0, step=0.05):
    """Poll ``check()`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("still not so after %s s" % timeout)


def killed_in_init(emu, ansible, args, name):
    """Start the task, SIGKILL it as soon as IMS has its job (still INIT, no image listed); the job."""
    process = ansible.start_adhoc(MODULE, json.dumps(args), emu.env())
    try:
        job = until(lambda: jobs_of(emu, name))[0]
    finally:
        kill_session(process)
    assert job["status"] == "INIT" and own_images(emu, name) == [], job  # the window: IMS lists nothing yet
    return job


def test_a_run_killed_mid_wait_then_run_again_waits_on_the_same_image(emu, ansible):
    emu.configure_jobs(8)
    args = {"name": "kill-wait", "instance_id": seed_server(emu)}
    process = ansible.start_adhoc(MODULE, json.dumps(args), emu.env())
    try:
        until(lambda: [image for image in own_images(emu, "kill-wait") if image["status"] == "saving"])
    finally:
        kill_session(process)
    again = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    assert again.rc == 0, again
    result = again.result()
    assert result["changed"] is False and result["image"]["status"] == "active", result
    assert len(own_images(emu, "kill-wait")) == 1 and accepted_creates(emu, "kill-wait") == 1


def test_a_server_image_run_killed_in_init_then_run_again_at_once_makes_one_image(emu, ansible):
    emu.configure_jobs(80)  # INIT: the first 8 s, so that the re-run reaches IMS within it even on a loaded machine
    args = {"name": "kill-init", "instance_id": seed_server(emu)}
    killed_in_init(emu, ansible, args, "kill-init")
    emu.reset_stats()
    again = ansible.adhoc(MODULE, json.dumps(dict(args, wait=False)), emu.env())
    assert again.rc == 0, again
    result = again.result()
    # the re-run's create was refused (IMG.0010: the server is busy with the killed run's job), then the image
    # was taken once IMS listed it
    assert result["changed"] is False and result["image"]["status"] == "saving", result
    assert emu.stats()["by_route"].get("POST /v2/cloudimages/action") == 1
    assert len(own_images(emu, "kill-init")) == 1 and accepted_creates(emu, "kill-init") == 1


def test_wait_false_returns_once_the_image_is_listed_so_a_rerun_at_once_finds_it(emu, ansible):
    emu.configure_jobs(20)
    args = {"name": "nowait", "image_url": seed_file(emu), "min_disk": 40, "os_version": "Ubuntu 22.04 server 64bit",
            "wait": False}
    first = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    assert first.rc == 0, first
    result = first.result()
    assert result["changed"] is True and result["job"]["status"] == "RUNNING", result
    assert result["image"]["status"] == "saving" and not result.get("warnings"), result
    again = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    assert again.rc == 0 and again.result()["changed"] is False, again
    assert len(own_images(emu, "nowait")) == 1 and accepted_creates(emu, "nowait") == 1


def test_the_window_left_an_obs_import_killed_in_init_and_run_again_within_it_makes_a_second_image(emu, ansible):
    # What the guide documents as the one case left: IMS refuses nothing, and lists nothing yet.
    emu.configure_jobs(60)  # INIT: the first 6 s
    args = {"name": "kill-obs", "image_url": seed_file(emu), "min_disk": 40, "os_version": "Ubuntu 22.04 server 64bit"}
    killed_in_init(emu, ansible, args, "kill-obs")
    again = ansible.adhoc(MODULE, json.dumps(dict(args, wait=False)), emu.env())
    assert again.rc == 0 and again.result()["changed"] is True, again
    assert accepted_creates(emu, "kill-obs") == 2
    # once both are listed, a third run refuses to choose between them and creates nothing
    emu.finish_jobs()
    third = ansible.adhoc(MODULE, json.dumps(args), emu.env())
    assert third.rc != 0 and "found 2 images named 'kill-obs'" in third.output, third
    assert accepted_creates(emu, "kill-obs") == 2
