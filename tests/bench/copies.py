# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Row 7 of the benchmark: one image copied to 5 regions in one play (issue 15), against one emulator
whose every request waits 30 ms and whose copy jobs run JOB_SECONDS (20 s; 9 s with BENCH_QUICK).

- the single copy: ``ansible localhost -m hwcloud.ims.ims_image_copy`` with ``wait: true`` (the
  default) and the play's tags, to one region: the baseline; beside it, the play of the next item
  with that one region (the pattern's own cost for one copy);
- the 5-region play, tests/bench/playbooks/copy_regions.yml (every copy started with ``wait: false``,
  then each job waited for with ims_job_info in the source region, then a second pass for the tags),
  on a name no region has yet: its wall time against the single copy's (at most 1.5x), the copy
  requests (5), one copy in each region, active with its tags, and the 5 jobs at once (every job
  began before the first ended: the emulator's ``begin_time`` and ``end_time``); where the time went,
  from the play's tasks and loop items (callbacks/bench_tasks.py) and the jobs' times;
- the unchanged re-run of the same play: the requests by method (no write) and its wall time.

Each command runs once: a run takes minutes of jobs, and their duration, not the machine, sets most of it.
"""

from __future__ import annotations

import json

from harness import Emulator

from benchlib import (HERE, JOB_SECONDS, LATENCY, WORK, Failed, adhoc_result, base_env, check_recap, job_span, log, phases,
                      seconds, timed)

from support.runner import ANSIBLE, ANSIBLE_PLAYBOOK, play_recap

SECTION = "7 copies to 5 regions, %d s jobs" % JOB_SECONDS
SOURCE = "bench-copy-src"
REGIONS = ("cn-north-1", "cn-east-3", "cn-south-1", "ap-southeast-1", "ap-southeast-3")  # the emulator's others
SINGLE_REGION = "cn-east-3"
AGENCY = "ims_admin_agency"
TAGS = ["team=bench"]
TARGET = 1.5
PLAYBOOK = HERE / "playbooks" / "copy_regions.yml"
COPY_ROUTE = "POST /v1/cloudimages/{image_id}/cross_region_copy"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
TASKS = ("Start the copies, without waiting", "Wait for each copy job, in the source region where the jobs run",
         "Finish the copies - their tags, in each destination")


def copies_of(emu, name, regions):
    return {region: [image for image in emu.region(region).images() if image["name"] == name] for region in regions}


def copy_posts(stats):
    return stats["by_route"].get(COPY_ROUTE, 0)


def run_play(emu, env, task_log, name, regions):
    """The play on ``regions``: (seconds, recap counts, the emulator's stats, the callback's events)."""
    if task_log.exists():
        task_log.unlink()
    emu.reset_stats()
    args = [ANSIBLE_PLAYBOOK, str(PLAYBOOK), "-e", json.dumps({"source": SOURCE, "copy_name": name,
                                                               "regions": list(regions)})]
    elapsed, completed = timed(args, env, timeout=JOB_SECONDS * 10 + 300)
    check_recap(completed.stdout, 1)
    return elapsed, play_recap(completed.stdout)["localhost"], emu.stats(), json.loads(task_log.read_text(encoding="utf-8"))


def check_copies(emu, name, regions):
    found = copies_of(emu, name, regions)
    bad = {region: [(image["status"], image.get("tags")) for image in images] for region, images in found.items()
           if len(images) != 1 or images[0]["status"] != "active" or sorted(images[0].get("tags") or []) != TAGS}
    if bad:
        raise Failed("expected one active copy %s with tags %s in each region, got %r" % (name, TAGS, bad))
    return {region: len(images) for region, images in found.items()}


def bench_copies(table, results):  # pylint: disable=too-many-locals,too-many-statements
    task_log = WORK / "copy-tasks.json"
    with Emulator.start() as emu:
        emu.configure_jobs(JOB_SECONDS)  # the source region's jobs: the copies' jobs are its own
        emu.set_faults({"latency": LATENCY})  # every request of every region
        emu.seed(count=1, name=SOURCE)
        env = base_env(dict(emu.env(), HW_IMS_ENDPOINT=emu.endpoint_template()), extra={
            "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callbacks"), "ANSIBLE_CALLBACKS_ENABLED": "bench_tasks",
            "BENCH_TASK_LOG": str(task_log)})

        # The single copy, waited for by the module, with the tags the play gives.
        emu.reset_stats()
        single_args = [ANSIBLE, "localhost", "-m", "hwcloud.ims.ims_image_copy", "-a", json.dumps({
            "image": SOURCE, "name": "bench-single", "target_region": SINGLE_REGION, "agency_name": AGENCY,
            "tags": {"team": "bench"}})]
        single_s, completed = timed(single_args, env, timeout=JOB_SECONDS * 5 + 300)
        status, result = adhoc_result(completed.stdout)
        if status != "CHANGED" or (result.get("image") or {}).get("status") != "active":
            raise Failed("the single copy did not end active: %s %r" % (status, result))
        single_stats = emu.stats()
        check_copies(emu, "bench-single", [SINGLE_REGION])
        log("single copy: %.2f s, %d copy request" % (single_s, copy_posts(single_stats)))

        # The play with that one region: the pattern's own cost for one copy.
        one_s, _recap, one_stats, one_events = run_play(emu, env, task_log, "bench-one", [SINGLE_REGION])
        check_copies(emu, "bench-one", [SINGLE_REGION])
        one_phases, _start, _end = phases(one_events, TASKS)
        log("the play, one region: %.2f s" % one_s)

        # The 5-region play on a name no region has.
        before = {job["job_id"] for job in emu.jobs()}
        five_s, recap, stats, events = run_play(emu, env, task_log, "bench-copy", REGIONS)
        per_region = check_copies(emu, "bench-copy", REGIONS)
        posts = copy_posts(stats)
        jobs = [job for job in emu.jobs() if job["job_id"] not in before]
        if len(jobs) != len(REGIONS) or any(job["status"] != "SUCCESS" for job in jobs):
            raise Failed("expected %d finished copy jobs, got %r" % (len(REGIONS), jobs))
        begins, ends, at_once = job_span(jobs)
        five_phases, play_start, play_end = phases(events, TASKS)
        starts = [event["at"] for event in events if event["event"] == "item" and event["task"] == TASKS[0]]
        # Each start's return after its copy request (its job's begin): the wait for the job to name the copy.
        returned = [end - begin for end, begin in zip(starts, begins)]
        per_start = (starts[-1] - play_start) / len(starts)
        log("5 regions: %.2f s, %d copy requests, jobs began %.1f..%.1f s and ended %.1f..%.1f s into the play" % (
            five_s, posts, begins[0] - play_start, begins[-1] - play_start, ends[0] - play_start, ends[-1] - play_start))

        # The unchanged re-run of the same play.
        rerun_s, rerun_recap, rerun_stats, rerun_events = run_play(emu, env, task_log, "bench-copy", REGIONS)
        check_copies(emu, "bench-copy", REGIONS)
        rerun_phases, _start, _end = phases(rerun_events, TASKS)
        rerun_writes = {method: count for method, count in rerun_stats["by_method"].items() if method in WRITES and count}
    ratio = five_s / single_s
    explained = {"single": single_s, "start": five_phases[TASKS[0]], "waits": five_phases[TASKS[1]],
                 "finish": five_phases[TASKS[2]], "spread": begins[-1] - begins[0], "job": JOB_SECONDS,
                 "first_begin": begins[0] - play_start, "last_end": ends[-1] - play_start,
                 "after_last_job": play_end - ends[-1], "limit": TARGET * single_s,
                 "floor": begins[-1] - play_start + JOB_SECONDS, "per_start": per_start,
                 "returned": sum(returned) / len(returned), "init": JOB_SECONDS / 10.0}
    table.add(SECTION, "single copy (ad hoc, wait: true, tags) / the play with that one region", "%s / %s" % (
        seconds(single_s), seconds(one_s)))
    table.add(SECTION, "5-region play / single copy", "%s / %s = %.2fx" % (seconds(five_s), seconds(single_s), ratio),
              "<= %.1fx" % TARGET, ratio <= TARGET, note="copies", note_values=explained)
    table.add(SECTION, "  tasks: start 5 (wait: false) / wait for 5 jobs / tags pass", "%s / %s / %s" % tuple(
        seconds(five_phases[task]) for task in TASKS), "(one region: %s / %s / %s)" % tuple(
        seconds(one_phases[task]) for task in TASKS))
    table.add(SECTION, "  a start: per item / from its copy request to its return", "%s / %s" % (
        seconds(per_start), seconds(explained["returned"])), "(the job's INIT phase: %s)" % seconds(JOB_SECONDS / 10.0))
    table.add(SECTION, "  jobs began / ended, into the play", "%s..%s / %s..%s" % (
        seconds(begins[0] - play_start), seconds(begins[-1] - play_start), seconds(ends[0] - play_start),
        seconds(ends[-1] - play_start)), "play ended at %s" % seconds(play_end - play_start))
    table.add(SECTION, "all 5 jobs began before the first ended", "yes, last began %s before the first ended" % seconds(
        min(ends[0], begins[0] + JOB_SECONDS) - begins[-1]) if at_once else "no", "at once", at_once,
        note="copies_at_once", note_values=explained)
    table.add(SECTION, "copy requests / copies per region", "%d / %s" % (posts, " ".join("%s:%d" % item for item in per_region.items())),
              "5 / one in each", posts == len(REGIONS))
    table.add(SECTION, "5-region play: requests by method", json.dumps(stats["by_method"], sort_keys=True))
    no_write = not rerun_writes and rerun_recap.get("changed") == 0
    table.add(SECTION, "re-run: requests by method", json.dumps(rerun_stats["by_method"], sort_keys=True),
              "no POST/PUT/PATCH/DELETE", no_write)
    table.add(SECTION, "re-run wall time", seconds(rerun_s), "(tasks %s / %s / %s)" % tuple(
        seconds(rerun_phases[task]) for task in TASKS))
    results["copies"] = {
        "job_seconds": JOB_SECONDS, "latency_s": LATENCY, "regions": list(REGIONS), "single_s": single_s,
        "single_by_method": single_stats["by_method"], "one_region_play_s": one_s, "one_region_phases": one_phases,
        "one_region_by_method": one_stats["by_method"], "five_s": five_s, "ratio": ratio, "five_phases": five_phases,
        "copy_posts": posts, "copies_per_region": per_region, "five_by_method": stats["by_method"], "five_by_route": stats["by_route"],
        "five_recap": recap, "jobs": jobs, "at_once": at_once,
        "start_items_s": [at - play_start for at in starts], "start_returned_s": returned, "explained": explained,
        "rerun_s": rerun_s, "rerun_phases": rerun_phases, "rerun_by_method": rerun_stats["by_method"],
        "rerun_recap": rerun_recap, "events": events}
    log("copies: 5 regions %.2f s = %.2fx the single copy's %.2f s; re-run %.2f s %s" % (
        five_s, ratio, single_s, rerun_s, rerun_stats["by_method"]))
