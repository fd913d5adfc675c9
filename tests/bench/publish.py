# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Row 9 of the benchmark: the role image_publish publishing to 4 regions (issue 16), against one emulator
whose every request waits 30 ms and whose every job (the bake's, the copies') runs JOB_SECONDS (20 s; 9 s
with BENCH_QUICK), as row 7.

- the baseline, one bake plus one copy: tests/bench/playbooks/bake_copy.yml, an ``ims_image`` task baking
  from a server (waited for) then an ``ims_image_copy`` task to one region (waited for), with the role's tags;
- the role, through the collection playbook (playbooks/image_publish.yml): the image baked from a server in the
  bake region (cn-north-4) and copied to 4 target regions (``image_publish_regions``: the stricter reading of
  "publishing to 4 regions", the image ends in 5), shared with one project in each of the 5 regions, and the
  family's older versions retired beyond ``image_publish_keep_newest: 2`` (one seeded too many in each region);
  its wall time against the baseline's (at most 1.5x), the bake requests (1), the copy requests (4), one active
  copy with its tags, its member and its old version gone in each region, and the 4 copy jobs at once (every
  copy job began before the first ended: the emulator's ``begin_time`` and ``end_time``); where the time went,
  from the role's tasks (callbacks/bench_tasks.py) and the jobs' times.

Each command runs once: a run takes minutes of jobs, and their duration, not the machine, sets most of it.
"""

from __future__ import annotations

import json

from harness import Emulator

from benchlib import (HERE, JOB_SECONDS, LATENCY, ROOT, WORK, Failed, base_env, check_recap, job_span, job_time, log,
                      phases, seconds, timed)

from support.runner import ANSIBLE_PLAYBOOK, play_recap

SECTION = "9 publish to 4 regions, %d s jobs" % JOB_SECONDS
BAKE = "cn-north-4"  # the emulator's default region: the server's, the bake's and the jobs'
TARGETS = ("cn-north-1", "cn-east-3", "cn-south-1", "ap-southeast-1")
BASE_REGION = "cn-east-3"
BASE_NAME = "baseline-image"  # not of the family
AGENCY = "ims_admin_agency"
FAMILY, VERSION = "bench", "20260301"
NAME = "%s-%s" % (FAMILY, VERSION)
OLD_VERSIONS = ({"name": FAMILY + "-20250101", "age_days": 60}, {"name": FAMILY + "-20250201", "age_days": 30})
RETIRED = FAMILY + "-20250101"  # keep_newest 2: the new image and 20250201 stay
TAGS = {"team": "bench"}
ALL_TAGS = sorted(["team=bench", "family=" + FAMILY, "version=" + VERSION])
TARGET = 1.5
PLAYBOOK = ROOT / "playbooks" / "image_publish.yml"
BASELINE = HERE / "playbooks" / "bake_copy.yml"
CREATE_ROUTE = "POST /v2/cloudimages/action"
COPY_ROUTE = "POST /v1/cloudimages/{image_id}/cross_region_copy"
SHARE_JOB = "imsAddImageMembersJob"
# The role's tasks that begin its steps, each with its key and what the table calls it.
STEPS = (("Bake the image from its source (a re-run finds it by name and bakes nothing)", "bake", "bake and check"),
         ("Start the copies, without waiting", "start", "start 4 copies"),
         ("Wait for each copy job, in the bake region where the jobs run", "wait", "wait for their jobs"),
         ("Finish the copies - their tags, in each region", "tags", "tags pass"),
         ("Share the image with the region's projects", "share", "share x5 (member API)"),
         ("Share the image with the accounts, in every region", "share_accounts", "accounts (none here)"),
         ("Wait for each share job, in its region", "share_wait", "share jobs (none here)"),
         ("Retire the family's older versions in every region", "retire", "retire x5"),
         ("Collect every region's outcome", "report", "report"))
TASKS = tuple(task for task, _key, _label in STEPS)


def project(region):
    """The one project the image is shared with in ``region``: 32 hex digits, made up."""
    return ("%x" % (sum(map(ord, region)) % 16)) * 32


def posts(stats, route):
    return stats["by_route"].get(route, 0)


def run(emu, env, task_log, args):
    """``args`` timed: (seconds, recap counts, the emulator's stats, the callback's events)."""
    if task_log.exists():
        task_log.unlink()
    emu.reset_stats()
    elapsed, completed = timed(args, env, timeout=JOB_SECONDS * 12 + 300)
    check_recap(completed.stdout, 1)
    return elapsed, play_recap(completed.stdout)["localhost"], emu.stats(), json.loads(task_log.read_text(encoding="utf-8"))


def check_published(emu, regions):
    """One active image NAME with every tag in each region, shared with its project, the old version retired."""
    bad = {}
    for region in regions:
        view = emu.region(region)
        made = [image for image in view.images() if image["name"] == NAME]
        names = sorted(image["name"] for image in view.images() if image["name"].startswith(FAMILY + "-"))
        members = [member["member_id"] for member in view.members().get(made[0]["id"], [])] if len(made) == 1 else []
        if len(made) != 1 or made[0]["status"] != "active" or sorted(made[0].get("tags") or []) != ALL_TAGS \
                or members != [project(region)] or RETIRED in names:
            bad[region] = {"images": [(image["status"], image.get("tags")) for image in made], "members": members,
                           "family": names}
    if bad:
        raise Failed("expected in each region one active %s with tags %s, its project and %s retired: %r" % (
            NAME, ALL_TAGS, RETIRED, bad))


def publish_vars(server_id):
    regions = (BAKE,) + TARGETS
    return {"image_publish_family": FAMILY, "image_publish_version": VERSION,
            "image_publish_source": {"instance_id": server_id}, "image_publish_tags": TAGS,
            "image_publish_regions": [{"region": region, "agency_name": AGENCY} for region in TARGETS],
            "image_publish_share_projects": {region: [project(region)] for region in regions},
            "image_publish_keep_newest": 2, "image_publish_wait_timeout": 600}


def bench_publish(table, results):  # pylint: disable=too-many-locals
    task_log = WORK / "publish-tasks.json"
    with Emulator.start() as emu:
        for region in (BAKE,) + TARGETS:  # every job of every region: the bake's, the copies' (the bake region's), the shares'
            emu.region(region).configure_jobs(JOB_SECONDS)
        emu.set_faults({"latency": LATENCY})  # every request of every region
        server_id = emu.seed_resources(servers=[{"name": "bench-builder"}])["servers"][0]
        for region in (BAKE,) + TARGETS:
            emu.region(region).seed(images=[dict(image) for image in OLD_VERSIONS])
        env = base_env(dict(emu.env(), HW_IMS_ENDPOINT=emu.endpoint_template()), extra={
            "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callbacks"), "ANSIBLE_CALLBACKS_ENABLED": "bench_tasks",
            "BENCH_TASK_LOG": str(task_log)})

        # The baseline: one bake and one copy, each waited for by its module.
        base_args = [ANSIBLE_PLAYBOOK, str(BASELINE), "-e", json.dumps({
            "server_id": server_id, "image_name": BASE_NAME, "target_region": BASE_REGION,
            "image_tags": dict(TAGS, family=FAMILY, version=VERSION)})]
        base_s, _recap, base_stats, base_events = run(emu, env, task_log, base_args)
        base_tasks = phases(base_events, ("Bake the image from the server", "Copy it to the other region"))[0]
        for region in (BAKE, BASE_REGION):
            if [image["status"] for image in emu.region(region).images() if image["name"] == BASE_NAME] != ["active"]:
                raise Failed("the baseline left no active bench-base in %s" % region)
        log("one bake plus one copy: %.2f s" % base_s)

        # The role, on a version no region has.
        before = {job["job_id"] for job in emu.jobs()}
        args = [ANSIBLE_PLAYBOOK, str(PLAYBOOK), "-e", json.dumps(publish_vars(server_id))]
        role_s, recap, stats, events = run(emu, env, task_log, args)
        check_published(emu, (BAKE,) + TARGETS)
        jobs = sorted((job for job in emu.jobs() if job["job_id"] not in before and job["job_type"] != SHARE_JOB),
                      key=lambda job: job_time(job["begin_time"]))
        share_jobs = [job for region in (BAKE,) + TARGETS for job in emu.region(region).jobs()
                      if job["job_type"] == SHARE_JOB]
        if len(jobs) != 1 + len(TARGETS) or any(job["status"] != "SUCCESS" for job in jobs):
            raise Failed("expected a bake job and %d copy jobs, all finished, got %r" % (len(TARGETS), jobs))
    bakes, copies = posts(stats, CREATE_ROUTE), posts(stats, COPY_ROUTE)
    role_phases, play_start, play_end = phases(events, TASKS)
    bake_end = job_time(jobs[0]["end_time"])
    begins, ends, at_once = job_span(jobs[1:])
    ratio = role_s / base_s
    figures = {key: role_phases[task] for task, key, _label in STEPS}
    figures["before"] = play_start - min(event["at"] for event in events if event["event"] == "task")
    sharing = figures["share"] + figures["share_accounts"] + figures["share_wait"]
    explained = dict(figures, base=base_s, limit=TARGET * base_s, first_copy=begins[0] - bake_end,
                     spread=begins[-1] - begins[0], sharing=sharing, rest=role_s - sharing,
                     rest_ratio=(role_s - sharing) / base_s, share_jobs=len(share_jobs))
    table.add(SECTION, "one bake + one copy (2 tasks, wait: true): bake / copy", "%s (%s / %s)" % (
        seconds(base_s), seconds(base_tasks["Bake the image from the server"]),
        seconds(base_tasks["Copy it to the other region"])))
    table.add(SECTION, "role, 4 targets (5 regions) / one bake + one copy", "%s / %s = %.2fx" % (
        seconds(role_s), seconds(base_s), ratio), "<= %.1fx" % TARGET, ratio <= TARGET, note="publish",
        note_values=explained)
    for part in (STEPS[:4], STEPS[4:]):
        table.add(SECTION, "  tasks: " + " / ".join(label for _task, _key, label in part),
                  " / ".join(seconds(figures[key]) for _task, key, _label in part),
                  "(before the bake %s)" % seconds(figures["before"]) if part[0] is STEPS[0] else "")
    table.add(SECTION, "  the role less its sharing / one bake + one copy", "%s / %s = %.2fx" % (
        seconds(role_s - sharing), seconds(base_s), explained["rest_ratio"]),
        "(%d share jobs: the projects are added through the image's member API)" % len(share_jobs))
    table.add(SECTION, "  bake job ended / copy jobs began / ended, into the play", "%s / %s..%s / %s..%s" % (
        seconds(bake_end - play_start), seconds(begins[0] - play_start), seconds(begins[-1] - play_start),
        seconds(ends[0] - play_start), seconds(ends[-1] - play_start)), "play ended at %s" % seconds(play_end - play_start))
    table.add(SECTION, "all 4 copy jobs began before the first ended", "yes, last began %s before the first ended" % seconds(
        min(ends[0], begins[0] + JOB_SECONDS) - begins[-1]) if at_once else "no", "at once", at_once)
    table.add(SECTION, "bake requests / copy requests", "%d / %d" % (bakes, copies), "1 / 4",
              bakes == 1 and copies == len(TARGETS))
    table.add(SECTION, "role: requests by method", json.dumps(stats["by_method"], sort_keys=True),
              "(baseline %s)" % json.dumps(base_stats["by_method"], sort_keys=True))
    results["publish"] = {
        "job_seconds": JOB_SECONDS, "latency_s": LATENCY, "bake_region": BAKE, "targets": list(TARGETS),
        "base_region": BASE_REGION, "base_s": base_s, "base_tasks": base_tasks, "base_by_method": base_stats["by_method"],
        "base_by_route": base_stats["by_route"], "role_s": role_s, "ratio": ratio, "phases": figures,
        "bake_posts": bakes, "copy_posts": copies, "by_method": stats["by_method"], "by_route": stats["by_route"],
        "recap": recap, "jobs": jobs, "share_jobs": share_jobs, "at_once": at_once, "explained": explained, "events": events}
    log("publish: role %.2f s = %.2fx one bake plus one copy (%.2f s); %d bake, %d copy requests" % (
        role_s, ratio, base_s, bakes, copies))
