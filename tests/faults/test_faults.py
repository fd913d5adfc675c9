# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lifecycle playbook, the cleanup role, an image IMS makes from a server, an image copied to two regions
and exported, and images shared from both sides (share_scenario.py), against an emulator that injects random faults.

Per seed (fault_plans.make_plan): random 500/503 on reads and writes, writes that took effect but
whose answer is lost, 429 bursts with and without Retry-After, latency, dropped connections, and
for some seeds IAM password authentication whose token expires mid-run. Every run must end in the
intended state - no duplicate image (nor two copies of the name in a region, nor two exported
objects, nor a member batch taken twice), no lost update, nothing wrongly deleted - or, when retries were exhausted, fail with a
message that names the call (never a traceback, never a secret), leave a consistent state, and
converge when run again without faults.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time

import pytest

from fault_plans import COPY_REGIONS, SHORT_SEEDS, SHORT_TOKEN_TTL, emulator_plan, injected_by_kind, make_plan, scenario_of
from harness import DEFAULT_PASSWORD, DEFAULT_SECRET_KEY
from share_scenario import SECRETS as SHARE_SECRETS
from share_scenario import SHARE_IMAGES, SHARE_JOB_SECONDS, SHARE_WAIT_TIMEOUT, check_share, consumer_env, seed_share

from support import populations

RETRIES = 4
TIMEOUT = 5
NAME = "fault-app"
VICTIM = "fault-victim"
NATIVE_NAME = "fault-native"
# The native scenario's jobs take this long (INIT, when IMS does not list the image yet, its first 10 %).
NATIVE_JOB_SECONDS = 3
# The copy scenario's source image (its copies take its name), the bucket it is exported to, its jobs' length.
COPY_NAME = "fault-copy"
COPY_BUCKET = "fault-bucket"
COPY_JOB_SECONDS = 0.5
MEMBERS = ["0a1b2c3d4e5f60718293a4b5c6d7e8f9", "1a2b3c4d5e6f70819203a4b5c6d7e8f9"]
# A failure message names the call and how it failed (module_utils/_client.py), or the killed upload.
CLEAR_FAILURE = re.compile(
    r"fatal: \[localhost\]: FAILED! => .*\"msg\": \"[^\"]*("
    r"(GET|POST|PUT|PATCH|DELETE) /\S+ failed: HTTP \d{3}"
    r"|(GET|POST|PUT|PATCH|DELETE) https?://\S+ \w[\w ]* after \d+ attempt"
    r"|turned killed: the upload failed)")
# A native run may also fail on IMS's refusal of a create (the source busy: IMG.0010 while the job of a
# create whose answer was lost is still in INIT), or naming the job or the image to run again for.
NATIVE_FAILURE = re.compile(CLEAR_FAILURE.pattern[:-1] + r"|IMG\.\d{4}|IMS job \S+|run (the task|it) again)")
# A copy run fails in a loop too, where the item's failure says it (``failed: [localhost] (item=cn-east-3) => ...``).
COPY_FAILURE = re.compile(r"(?:fatal: \[localhost\]: FAILED!|failed: \[localhost\] \(item=[^)]*\))"
                          + NATIVE_FAILURE.pattern[len(r"fatal: \[localhost\]: FAILED!"):])
CLEANUP_FAILURE = re.compile(r"(GET|POST|PUT|PATCH|DELETE) (https?://\S+)?/\S+ (failed: HTTP \d{3}|\w[\w ]* after \d+ attempt)")


class TokenExpirer:
    """Expires every token of the emulator every ``period`` seconds while a run goes on."""

    def __init__(self, emu, period=4.0):
        self.emu = emu
        self.period = period
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.count = 0

    def _loop(self):
        while not self.stopped.wait(self.period):
            self.emu.expire_tokens()
            self.count += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join()


def hw_env(emu, auth):
    env = emu.env()
    if auth != "aksk":
        from harness import DEFAULT_DOMAIN, DEFAULT_USER  # pylint: disable=import-outside-toplevel
        del env["HW_ACCESS_KEY"], env["HW_SECRET_KEY"]
        env.update(HW_USER_NAME=DEFAULT_USER, HW_USER_PASSWORD=DEFAULT_PASSWORD, HW_DOMAIN_NAME=DEFAULT_DOMAIN)
    return env


def pick_emulator(emulators, plan):
    emu = emulators["short" if plan["auth"] == "password-ttl" else "normal"]
    emu.reset()
    return emu


def run_under_faults(emu, plan, run):
    """Run ``run()`` with the plan's faults (and token expiry); return (ran, injected, requests)."""
    emu.reset_stats()
    emu.set_faults(emulator_plan(plan))
    if plan["auth"] == "password-expire":
        with TokenExpirer(emu) as expirer:
            ran = run()
        injected = injected_by_kind(plan, emu.faults())
        if expirer.count:
            injected["token-expired"] = expirer.count
    else:
        ran = run()
        injected = injected_by_kind(plan, emu.faults())
    if plan["auth"] == "password-ttl":
        injected["token-ttl-%ds" % SHORT_TOKEN_TTL] = 1
    requests = emu.stats()["total"]
    emu.clear_faults()
    return ran, injected, requests


def assert_clean_failure(ran, pattern):
    assert ran.rc != 0, ran
    assert "Traceback" not in ran.output, ran
    assert "MODULE FAILURE" not in ran.output, ran
    assert pattern.search(ran.stdout), "not a clean failure: %s" % ran.stdout[-4000:]


def assert_no_secret(ran):
    """Neither a secret key (the owner's, the share scenario's consumers') nor the password in what a run showed."""
    for secret in (DEFAULT_SECRET_KEY, DEFAULT_PASSWORD) + SHARE_SECRETS:
        assert secret not in ran.output, "a secret in the output: %s" % ran


def clean_failure(pattern):
    """``failure_of`` for :func:`judge`: the run failed cleanly, its output matching ``pattern``; what it said."""
    def failure_of(ran):
        assert_clean_failure(ran, pattern)
        return pattern.search(ran.stdout).group(1)[:200]
    return failure_of


def judge(seed, scenario, plan, emu, run, check, failure_of):
    """Run one case under its plan's faults and judge it; its report entry.

    Neither run shows a secret. Either ``run()`` passed and ``check(finished=True)`` holds, or
    ``check(finished=False)`` holds, it failed cleanly (``failure_of(ran)`` asserts so and says how),
    and the same run without faults converges (``check(finished=True)``).
    """
    started = time.monotonic()
    ran, injected, requests = run_under_faults(emu, plan, run)
    entry = {"seed": seed, "scenario": scenario, "auth": plan["auth"], "exhaust": plan["exhaust"],
             "injected": injected, "requests": requests}
    assert_no_secret(ran)
    if ran.rc == 0:
        assert "Traceback" not in ran.output, ran
        check(finished=True)
        entry["outcome"] = "passed"
    else:
        # The state first: a duplicate that also made the run fail is named as the duplicate.
        check(finished=False)
        entry["failure"] = failure_of(ran)
        entry["outcome"] = "failed-cleanly"
        # Without faults, the same run finishes the job.
        again = run()
        assert again.rc == 0, again
        assert_no_secret(again)
        check(finished=True)
        entry["converged"] = True
    entry["seconds"] = round(time.monotonic() - started, 1)
    return entry


def own_state(emu):
    """{id: image} of every stored image, and {image id: [member ids]}."""
    # pylint: disable-next=protected-access
    stored = emu._call("GET", "/_emulator/images")
    members = {image_id: sorted(m["member_id"] for m in entries) for image_id, entries in stored["members"].items()}
    return {image["id"]: image for image in stored["images"]}, members


# -- the lifecycle ------------------------------------------------------------------------------


def check_lifecycle(emu, before, victim_id, digest, finished):
    """The images after a lifecycle run: consistent always, the intended end state when ``finished``."""
    images, members = own_state(emu)
    named = [image for image in images.values() if image.get("name") == NAME]
    assert len(named) <= 1, "duplicate images named %s: %s" % (NAME, named)
    # Nothing but the victim (and only it) may go; nothing else may change.
    bystanders = {image_id: image for image_id, image in before.items() if image_id != victim_id}
    assert {image_id: images.get(image_id) for image_id in bystanders} == bystanders
    others = set(images) - set(before) - {image["id"] for image in named}
    assert not others, "unexpected images: %s" % [images[i] for i in others]
    if not finished:
        return
    assert victim_id not in images
    assert len(named) == 1, "no image named %s" % NAME
    image = named[0]
    assert image["status"] == "active"
    assert image["checksum"] == digest
    assert image["disk_format"] == "qcow2" and image["min_disk"] == 40
    assert image["min_ram"] == 2048
    assert image.get("__description") == "second version"
    assert image.get("build") == "2"
    assert sorted(image["tags"]) == ["env=prod", "team=web"]
    assert members.get(image["id"]) == sorted(MEMBERS)


def run_lifecycle(seed, emulators, ansible, tmp_path, record):
    plan = make_plan(seed, RETRIES, "lifecycle")
    emu = pick_emulator(emulators, plan)
    payload = ("fault suite seed %d\n" % seed).encode() * 2048
    image_file = tmp_path / "image.qcow2"
    image_file.write_bytes(payload)
    digest = hashlib.md5(payload).hexdigest()  # nosec - the checksum IMS computes
    victim_id = emu.seed(name=VICTIM, status="active", age_days=3)[0]
    emu.seed(images=[{"name": "fault-bystander-{i}", "count": 3, "status": "killed", "age_days": 3},
                     {"name": NAME + "-not", "status": "active"}])
    before, _members = own_state(emu)
    variables = {"fault_name": NAME, "fault_victim": VICTIM, "fault_file": str(image_file), "fault_members": MEMBERS,
                 "fault_retries": RETRIES, "fault_timeout": TIMEOUT}
    env = hw_env(emu, plan["auth"])

    def run():
        return ansible.run_playbook("lifecycle.yml", env, extra_vars=variables, timeout=300)

    def check(finished):
        check_lifecycle(emu, before, victim_id, digest, finished=finished)
    record(judge(seed, "lifecycle", plan, emu, run, check, clean_failure(CLEAR_FAILURE)))


# -- the cleanup ----------------------------------------------------------------------------------


def check_cleanup(emu, before, expected_ids, finished):
    images, _members = own_state(emu)
    gone = set(before) - set(images)
    assert gone <= expected_ids, "wrongly deleted: %s" % [before[i]["name"] for i in gone - expected_ids]
    assert set(images) <= set(before), "new images appeared"
    assert images == {image_id: image for image_id, image in before.items() if image_id not in gone}
    if finished:
        assert gone == expected_ids, "not deleted: %s" % [before[i]["name"] for i in expected_ids - gone]


def run_cleanup(seed, emulators, ansible, tmp_path, record):
    plan = make_plan(seed, RETRIES, "cleanup")
    emu = pick_emulator(emulators, plan)
    ids = populations.seed_mixed(emu)
    expected_ids = {ids[name] for name in populations.EXPECTED_CANDIDATES}
    before, _members = own_state(emu)
    report_file = tmp_path / "cleanup.json"
    variables = dict(populations.STALE, image_cleanup_dry_run=False, image_cleanup_retries=RETRIES,
                     image_cleanup_timeout=TIMEOUT, image_cleanup_report_file=str(report_file))
    env = hw_env(emu, plan["auth"])

    def run():
        return ansible.run_playbook("cleanup.yml", env, extra_vars=variables, timeout=300)

    def check(finished):
        check_cleanup(emu, before, expected_ids, finished=finished)

    def failure_of(ran):
        assert "Traceback" not in ran.output, ran
        assert "MODULE FAILURE" not in ran.output, ran
        report = populations.read_report(report_file)
        assert report["status"] in ("failed", "error"), report
        assert CLEANUP_FAILURE.search(report["msg"]), report["msg"]
        return CLEANUP_FAILURE.search(report["msg"]).group(0)[:200]
    record(judge(seed, "cleanup", plan, emu, run, check, failure_of))


# -- an image IMS makes from a server ---------------------------------------------------------------


def native_jobs(emu):
    """The emulator's jobs that made (or make) an image of NATIVE_NAME."""
    return [job for job in emu.jobs() if (job.get("entities") or {}).get("image_name") == NATIVE_NAME]


def check_native(emu, before, finished):
    """The images and jobs after a native run: never two of the name, nothing else touched; gone when ``finished``."""
    images, _members = own_state(emu)
    named = [image for image in images.values() if image.get("name") == NATIVE_NAME]
    assert len(named) <= 1, "duplicate images named %s: %s" % (NATIVE_NAME, named)
    jobs = native_jobs(emu)
    assert len(jobs) <= 1, "two creates of %s landed: %s" % (NATIVE_NAME, jobs)
    assert {image_id: images.get(image_id) for image_id in before} == before
    others = set(images) - set(before) - {image["id"] for image in named}
    assert not others, "unexpected images: %s" % [images[i] for i in others]
    if finished:
        assert not named, "image %s not deleted: %s" % (NATIVE_NAME, named)
        assert [job["status"] for job in jobs] == ["SUCCESS"], jobs


def run_native(seed, emulators, ansible, tmp_path, record):  # pylint: disable=unused-argument
    plan = make_plan(seed, RETRIES, "native")
    emu = pick_emulator(emulators, plan)
    emu.configure_jobs(NATIVE_JOB_SECONDS)
    server = emu.seed_resources(servers=[{"name": "fault-web-01"}])["servers"][0]
    emu.seed(images=[{"name": NATIVE_NAME + "-not", "status": "active"}])
    before, _members = own_state(emu)
    variables = {"fault_name": NATIVE_NAME, "fault_server": server, "fault_retries": RETRIES,
                 "fault_timeout": TIMEOUT}
    env = hw_env(emu, plan["auth"])

    def run():
        return ansible.run_playbook("native.yml", env, extra_vars=variables, timeout=300)

    def check(finished):
        check_native(emu, before, finished=finished)
    record(judge(seed, "native", plan, emu, run, check, clean_failure(NATIVE_FAILURE)))


# -- an image copied to two regions and exported ------------------------------------------------------


def exported_objects(emu):
    """The objects of the copy scenario's bucket under exports/ (the seeded one is not)."""
    return [o for o in emu.resources()["obs_objects"] if o["bucket"] == COPY_BUCKET and o["key"].startswith("exports/")]


def settle_jobs(emu, timeout=COPY_JOB_SECONDS * 10):
    """Wait (at most ``timeout`` seconds) until none of the emulator's jobs runs."""
    deadline = time.monotonic() + timeout
    while any(job["status"] in ("INIT", "RUNNING") for job in emu.jobs()) and time.monotonic() < deadline:
        time.sleep(0.2)


def check_copy(emu, before, source_id, finished):
    """The regions' images and the bucket after a copy run: never two copies of the name in a destination, never
    two exported objects, the source region untouched; a copy in each destination and one object when ``finished``."""
    images, _members = own_state(emu)
    assert images == before, "the source region changed: %s" % {i: images.get(i) for i in set(images) ^ set(before)}
    for region in COPY_REGIONS:
        made = [image for image in emu.region(region).images() if image.get("name") == COPY_NAME]
        assert len(made) <= 1, "duplicate copies named %s in %s: %s" % (COPY_NAME, region, made)
        if finished:
            assert len(made) == 1, "no copy of %s in %s" % (COPY_NAME, region)
            assert made[0]["status"] == "active" and made[0].get("__originalimagename") == source_id, made[0]
            assert sorted(made[0]["tags"]) == ["copied=yes", "family=web"], made[0]
    if finished:
        # An export of unknown outcome that IMS then refused as under way (IMG.0148) passes without its job id, so
        # without waiting for it: its object comes when its job ends.
        settle_jobs(emu)
    objects = exported_objects(emu)
    assert len(objects) <= 1, "two exported objects: %s" % objects
    if finished:
        assert [(o["key"], o["format"]) for o in objects] == [("exports/%s.qcow2" % COPY_NAME, "qcow2")], objects


def run_copy(seed, emulators, ansible, tmp_path, record):  # pylint: disable=unused-argument
    plan = make_plan(seed, RETRIES, "copy")
    emu = pick_emulator(emulators, plan)
    emu.configure_jobs(COPY_JOB_SECONDS)
    emu.seed_resources(obs_objects=[{"bucket": COPY_BUCKET, "key": ".keep"}])
    source_id = emu.seed(name=COPY_NAME, status="active")[0]
    before, _members = own_state(emu)
    variables = {"fault_source": COPY_NAME, "fault_regions": list(COPY_REGIONS), "fault_bucket": COPY_BUCKET,
                 "fault_retries": RETRIES, "fault_timeout": TIMEOUT}
    env = dict(hw_env(emu, plan["auth"]), HW_IMS_ENDPOINT=emu.endpoint_template())

    def run():
        return ansible.run_playbook("copy.yml", env, extra_vars=variables, timeout=300)

    def check(finished):
        check_copy(emu, before, source_id, finished=finished)
    record(judge(seed, "copy", plan, emu, run, check, clean_failure(COPY_FAILURE)))


# -- images shared from both sides (share_scenario.py) ----------------------------------------------


def run_share(seed, emulators, ansible, tmp_path, record):  # pylint: disable=unused-argument
    plan = make_plan(seed, RETRIES, "share")
    emu = pick_emulator(emulators, plan)
    emu.configure_jobs(SHARE_JOB_SECONDS)
    image_ids, bystander_id = seed_share(emu)
    before, _members = own_state(emu)
    bystander_members = emu.members().get(bystander_id)
    variables = {"fault_images": list(SHARE_IMAGES), "fault_image_ids": image_ids,
                 "fault_retries": RETRIES, "fault_timeout": TIMEOUT, "fault_wait_timeout": SHARE_WAIT_TIMEOUT}
    env = hw_env(emu, plan["auth"])

    def run():
        return ansible.run_playbook("share.yml", env, extra_vars=variables, extra_env=consumer_env(), timeout=300)

    def check(finished):
        images, _members = own_state(emu)
        assert images.keys() == before.keys(), "images came or went: %s" % sorted(set(images) ^ set(before))
        check_share(emu, image_ids, bystander_id, bystander_members, finished=finished)
    record(judge(seed, "share", plan, emu, run, check, clean_failure(NATIVE_FAILURE)))


RUNS = {"lifecycle": run_lifecycle, "cleanup": run_cleanup, "native": run_native, "copy": run_copy, "share": run_share}
SCENARIOS = list(RUNS)


def test_seed(seed, emulators, ansible, tmp_path, record):
    """One case per seed (fault_plans.scenario_of): the native scenario for a multiple of 3, else the copy
    scenario for a multiple of 5, else the share scenario for a multiple of 8, else the lifecycle playbook for an
    odd seed, the cleanup role for an even one."""
    RUNS[scenario_of(seed)](seed, emulators, ansible, tmp_path, record)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_plans_are_reproducible(scenario):
    assert make_plan(7, RETRIES, scenario) == make_plan(7, RETRIES, scenario)
    assert make_plan(7, RETRIES, scenario) != make_plan(8, RETRIES, scenario)


def exhausted(entry):
    """Whether the case's plan sent a burst longer than the retries, in full (one call got only faults)."""
    return any(kind.startswith("exhaust-") and count >= RETRIES + 1 for kind, count in entry["injected"].items())


AFTER_THE_WORK = ("native-create-5xx-after", "native-create-drop-after")
COPY_AFTER_THE_WORK = ("copy-5xx-after", "copy-drop-after")
SHARE_AFTER_THE_WORK = ("share-5xx-after", "share-drop-after")


def test_the_short_seeds_plan_every_branch():
    """The plans of the short run mix the scenarios, with and without a burst longer than the retries, and
    fault a native create, a copy and a share batch after their work."""
    plans = {seed: make_plan(seed, RETRIES, scenario_of(seed)) for seed in SHORT_SEEDS}
    scenarios = {seed: scenario_of(seed) for seed in SHORT_SEEDS}
    assert set(scenarios.values()) == set(SCENARIOS), scenarios
    assert any(plan["exhaust"] for plan in plans.values()), "no short seed exhausts the retries: pick them again"
    for scenario in SCENARIOS:
        assert any(not plan["exhaust"] for seed, plan in plans.items() if scenarios[seed] == scenario), \
            "no %s short seed without exhaustion" % scenario
    assert any(rule["kind"] in AFTER_THE_WORK and rule["rate"] >= 0.9 for seed, plan in plans.items()
               if scenarios[seed] == "native" and not plan["exhaust"] for rule in plan["rules"]), \
        "no native short seed whose create is (almost surely) faulted after the work: pick them again"
    assert any(rule["kind"] in COPY_AFTER_THE_WORK and rule["rate"] >= 0.9 for seed, plan in plans.items()
               if scenarios[seed] == "copy" and not plan["exhaust"] for rule in plan["rules"]), \
        "no copy short seed whose copy is (almost surely) faulted after the work: pick them again"
    assert any(rule["kind"] in SHARE_AFTER_THE_WORK and rule["rate"] >= 0.9 for seed, plan in plans.items()
               if scenarios[seed] == "share" and not plan["exhaust"] for rule in plan["rules"]), \
        "no share short seed whose share batch is (almost surely) faulted after the work: pick them again"


def test_the_scenarios_of_the_seeds():
    """A multiple of 3 is native, another multiple of 5 a copy, another multiple of 8 a share; the others keep the
    scenario they had before."""
    expected = ["lifecycle", "cleanup", "native", "cleanup", "copy", "native", "lifecycle", "share", "native", "copy"]
    assert [scenario_of(seed) for seed in range(1, 11)] == expected
    assert [scenario_of(seed) for seed in (15, 30, 20, 25, 35, 40)] == ["native"] * 2 + ["copy"] * 4
    assert [scenario_of(seed) for seed in (8, 16, 32, 136, 24, 48, 40, 80)] == ["share"] * 4 + ["native"] * 2 + ["copy"] * 2
    assert [scenario_of(seed) for seed in (4, 12, 28, 36)] == ["cleanup", "native", "cleanup", "native"]


def test_the_cases_took_every_branch(run_seeds, records):
    """After the seeds (defined last, so pytest runs it after test_seed): what the cases did.

    Any run: a case whose burst exhausted the retries failed cleanly and converged when run again.
    The short run: its cases took every branch - a lifecycle and a cleanup that reached the intended
    state under faults, a native case whose create was faulted after the work and that reached the state
    or failed cleanly and converged (either, as IMS lists the image yet or not), a copy case whose copy was
    faulted after the work and that reached the state or converged, a share case whose owner's batch was faulted
    after the work and that reached the state or converged, and at least one case that exhausted
    the retries, failed cleanly and converged.
    """
    assert sorted(entry["seed"] for entry in records) == sorted(run_seeds), "not every seed's case ran and passed in this run"
    for entry in records:
        if exhausted(entry):
            assert entry["outcome"] == "failed-cleanly" and entry.get("converged"), entry
    if tuple(run_seeds) == SHORT_SEEDS:
        passed = {entry["scenario"] for entry in records if entry["outcome"] == "passed"}
        assert {"lifecycle", "cleanup"} <= passed, records
        assert any(entry["scenario"] == "native" and any(entry["injected"].get(kind) for kind in AFTER_THE_WORK)
                   and (entry["outcome"] == "passed" or entry.get("converged")) for entry in records), \
            "no native case of the short run had its create faulted after the work: pick fault_plans.SHORT_SEEDS again"
        assert any(entry["scenario"] == "copy" and any(entry["injected"].get(kind) for kind in COPY_AFTER_THE_WORK)
                   and (entry["outcome"] == "passed" or entry.get("converged")) for entry in records), \
            "no copy case of the short run had its copy faulted after the work: pick fault_plans.SHORT_SEEDS again"
        assert any(entry["scenario"] == "share" and any(entry["injected"].get(kind) for kind in SHARE_AFTER_THE_WORK)
                   and (entry["outcome"] == "passed" or entry.get("converged")) for entry in records), \
            "no share case of the short run had its batch faulted after the work: pick fault_plans.SHORT_SEEDS again"
        assert any(exhausted(entry) and entry["outcome"] == "failed-cleanly" and entry.get("converged") for entry in records), \
            "no case of the short run exhausted the retries, failed cleanly and converged: pick fault_plans.SHORT_SEEDS again"
