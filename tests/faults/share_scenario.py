# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The share scenario of the fault suite: images shared from both sides (playbooks/share.yml).

The owner (the emulator's first account, or its IAM user) shares SHARE_IMAGES with the two consumer
projects in one batch (``POST /v1/cloudimages/members``) and keeps exactly those two (``purge_members``:
one batch ``DELETE`` of the stranger seeded on the second and the last image); the first consumer accepts every
image in one batch (``PUT /v1/cloudimages/members``) and the second accepts the first image alone (Glance's
member ``PUT``), each with its own account's credentials. Every batch is an IMS job, so a batch IMS took
is one job: a batch sent again after an unknown outcome it had in fact (the duplicate write the modules must
never make) is a second job of its kind.
"""

from __future__ import annotations

import time

from harness import DEFAULT_ACCOUNT, DEFAULT_PROJECT_ID

OWNER = DEFAULT_ACCOUNT
CONSUMERS = (
    {"access_key": "EMULATORAKFAULTC0001", "secret_key": "emulator-sk-fault-consumer-0001",
     "project_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"},
    {"access_key": "EMULATORAKFAULTC0002", "secret_key": "emulator-sk-fault-consumer-0002",
     "project_id": "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"},
)
# The accounts of the suite's emulators (conftest.emulators): the owner first, as the other scenarios have it.
ACCOUNTS = (OWNER,) + CONSUMERS
FIRST, SECOND = (consumer["project_id"] for consumer in CONSUMERS)
# A project that is none of the accounts: a member of the second and the last image before the run, removed by
# the run's purge_members.
STRANGER = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
SHARE_IMAGES = ("fault-share-web", "fault-share-db", "fault-share-cache")
# The batches' jobs take this long; a batch of unknown outcome is read back for at most SHARE_WAIT_TIMEOUT seconds
# (ims_image_share's and ims_image_member's wait_timeout) before the task fails.
SHARE_JOB_SECONDS = 0.5
SHARE_WAIT_TIMEOUT = 8
# The batches a run makes, each one job: (job type, the project that sends it) -> how many.
ADD_JOB, DELETE_JOB, UPDATE_JOB = "imsAddImageMembersJob", "imsDelImageMembersJob", "imsUpdateImageMembersJob"
BATCHES = {(ADD_JOB, DEFAULT_PROJECT_ID): 1, (DELETE_JOB, DEFAULT_PROJECT_ID): 1, (UPDATE_JOB, FIRST): 1}
# Each image's members at the end: {member: status}.
INTENDED = (
    {FIRST: "accepted", SECOND: "accepted"},
    {FIRST: "accepted", SECOND: "pending"},
    {FIRST: "accepted", SECOND: "pending"},
)
SECRETS = tuple(consumer["secret_key"] for consumer in CONSUMERS)


def consumer_env():
    """The consumers' credentials, as playbooks/share.yml reads them."""
    env = {}
    for number, consumer in enumerate(CONSUMERS, 1):
        env.update({"FAULT_CONSUMER_%d_%s" % (number, key.upper()): value for key, value in consumer.items()})
    return env


def seed_share(emu):
    """The owner's images (the second and the last shared with STRANGER, accepted), a bystander image of the
    owner shared with the first consumer; the ids of SHARE_IMAGES, and the bystander's."""
    stranger = [{"member": STRANGER, "status": "accepted"}]
    ids = emu.seed(images=[{"name": SHARE_IMAGES[0], "status": "active"},
                           {"name": SHARE_IMAGES[1], "status": "active", "members": stranger},
                           {"name": SHARE_IMAGES[2], "status": "active", "members": stranger},
                           {"name": "fault-share-bystander", "status": "active",
                            "members": [{"member": FIRST, "status": "pending"}]}])
    return ids[:3], ids[3]


def batch_jobs(emu):
    """{(job type, project): how many} of the emulator's member batch jobs, whatever their status."""
    counts = {}
    for job in emu.jobs():
        if job["job_type"] in (ADD_JOB, DELETE_JOB, UPDATE_JOB):
            key = (job["job_type"], job["project_id"])
            counts[key] = counts.get(key, 0) + 1
    return counts


def settle_batches(emu, timeout=SHARE_JOB_SECONDS * 10):
    """Wait (at most ``timeout`` seconds) until none of the emulator's jobs runs: a batch the run left under way
    (its answer lost, the task failed before its read showed it) applies when its job ends."""
    deadline = time.monotonic() + timeout
    while any(job["status"] in ("INIT", "RUNNING") for job in emu.jobs()) and time.monotonic() < deadline:
        time.sleep(0.2)


def check_share(emu, image_ids, bystander_id, bystander_members, finished):
    """Each image's members after a share run: never a member nobody asked for, never a status nobody set, never a
    batch IMS took twice, the owner's other image untouched; when ``finished``, exactly the intended members with the
    intended statuses, each batch taken once."""
    settle_batches(emu)
    members = emu.members()
    assert members.get(bystander_id) == bystander_members, "the bystander's members changed: %s" % members.get(bystander_id)
    jobs = batch_jobs(emu)
    for key, count in jobs.items():
        assert count <= BATCHES.get(key, 0), "a batch taken %d times (%s by %s): %s" % (count, key[0], key[1], jobs)
    for image_id, intended in zip(image_ids, INTENDED):
        listed = members.get(image_id, [])
        seen = {member["member_id"]: member["status"] for member in listed}
        assert len(seen) == len(listed), "a member twice on %s: %s" % (image_id, listed)
        unexpected = set(seen) - set(intended) - {STRANGER}
        assert not unexpected, "unexpected members of %s: %s" % (image_id, sorted(unexpected))
        for member, status in seen.items():
            assert status in ("pending", intended.get(member, "accepted")), "%s is %s on %s" % (member, status, image_id)
        if finished:
            assert seen == intended, "the members of %s: %s, not %s" % (image_id, seen, intended)
    if finished:
        assert jobs == BATCHES, "the batches taken: %s, not %s" % (jobs, BATCHES)
