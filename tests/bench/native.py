# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Row 6 of the benchmark: an image IMS makes from a server, as a job, waited on by ims_image.

- the wait: ``ansible localhost -m hwcloud.ims.ims_image -a "name=... instance_id=..."``
  against an emulator whose jobs run JOB_SECONDS (60 s; 12 s with BENCH_QUICK): how many
  times the module reads the job (at most 12), and how long after the job's end (the
  emulator's ``end_time``) the command returns (at most 10 s);
- the duplicate window: how long after the job began IMS first listed its image (the job's INIT
  phase, the first 10% of an emulator job), watched from a thread through the control surface: a run
  killed inside it and run again finds nothing by name (the guide "Creating images from servers,
  volumes, backups and OBS files" says what narrows it);
- the re-run: the same command again, once the image is active: one read, no write, and
  its wall time against ``ansible localhost -m ping`` (at most 1.3x), interleaved.
"""

from __future__ import annotations

import datetime
import threading

from harness import Emulator

from benchlib import QUICK, REPEAT, Failed, adhoc_result, base_env, log, median, seconds, timed

from support.runner import ANSIBLE

JOB_SECONDS = 12 if QUICK else 60
SECTION = "6 native create, %d s job" % JOB_SECONDS
JOB_ROUTES = ("GET /v1/{project_id}/jobs/{job_id}", "GET /v1/cloudimages/job/{job_id}")
MAX_JOB_READS = 12
MAX_LATE_S = 10.0
UNCHANGED_TARGET = 1.3
# Rounds of the re-run against ping: three commands of about 1.5 s each, so a median of 7
# (5 with BENCH_QUICK) keeps one slow sample on a shared machine from deciding the row.
RERUN_ROUNDS = 2 * REPEAT + 1


def job_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


def first_listed(emu, name, stop, seen):
    """Until ``stop`` is set, look at the emulator's images every 50 ms; ``seen["at"]``: when ``name`` was first listed."""
    while not stop.is_set():
        if any(image["name"] == name for image in emu.images()):
            seen["at"] = datetime.datetime.now(datetime.timezone.utc)
            return
        stop.wait(0.05)


def bench_native(table, results):
    with Emulator.start() as emu:
        emu.configure_jobs(JOB_SECONDS)
        server_id = emu.seed_resources(servers=[{"name": "bench-web"}])["servers"][0]
        env = base_env(emu.env())
        create = [ANSIBLE, "localhost", "-m", "hwcloud.ims.ims_image", "-a",
                  "name=bench-native instance_id=%s" % server_id]
        emu.reset_stats()
        stop, seen = threading.Event(), {}
        watcher = threading.Thread(target=first_listed, args=(emu, "bench-native", stop, seen), daemon=True)
        watcher.start()
        try:
            elapsed, completed = timed(create, env, timeout=JOB_SECONDS * 3 + 120)
        finally:
            stop.set()
            watcher.join()
        returned = datetime.datetime.now(datetime.timezone.utc)
        status, result = adhoc_result(completed.stdout)
        if status != "CHANGED" or result.get("image", {}).get("status") != "active":
            raise Failed("the create did not end with an active image: %s %r" % (status, result))
        jobs = emu.jobs()
        if len(jobs) != 1 or jobs[0]["status"] != "SUCCESS":
            raise Failed("expected one finished job, got %r" % jobs)
        late = (returned - job_time(jobs[0]["end_time"])).total_seconds()
        if "at" not in seen:
            raise Failed("the image was never seen in the listing while the job ran")
        window = (seen["at"] - job_time(jobs[0]["begin_time"])).total_seconds()
        routes = emu.stats()["by_route"]
        reads = sum(routes.get(route, 0) for route in JOB_ROUTES)
        posts = sum(count for route, count in routes.items() if route.startswith("POST "))
        table.add(SECTION, "job reads while waiting", str(reads), "<= %d" % MAX_JOB_READS, reads <= MAX_JOB_READS)
        table.add(SECTION, "return after the job's end", seconds(late), "<= %.0f s" % MAX_LATE_S, late <= MAX_LATE_S)
        table.add(SECTION, "duplicate window: job begun -> image listed", seconds(window),
                  "~%s (INIT: 10%% of the job)" % seconds(JOB_SECONDS / 10.0), window <= JOB_SECONDS / 10.0 + 1.0)
        table.add(SECTION, "whole command / creates sent", "%s / %d" % (seconds(elapsed), posts), "1 create",
                  posts == 1)

        ping = [ANSIBLE, "localhost", "-m", "ansible.builtin.ping"]
        info = [ANSIBLE, "localhost", "-m", "hwcloud.ims.ims_image_info", "-a", "name=bench-native"]
        commands = {"rerun": create, "info": info, "ping": ping}
        samples = {kind: [] for kind in commands}
        by_method = []
        for rep in range(RERUN_ROUNDS + 1):
            order = list(commands)[rep % 3:] + list(commands)[:rep % 3]
            for kind in order:
                emu.reset_stats()
                took, completed = timed(commands[kind], env)
                if kind == "rerun":
                    status, result = adhoc_result(completed.stdout)
                    if status != "SUCCESS" or result.get("changed"):
                        raise Failed("the re-run changed something: %s %r" % (status, result))
                    by_method.append(emu.stats()["by_method"])
                if rep:  # the first round warms all three up
                    samples[kind].append(took)
    rerun_s, ping_s, info_s = median(samples["rerun"]), median(samples["ping"]), median(samples["info"])
    one_read = all(methods == {"GET": 1} for methods in by_method)
    ratio = rerun_s / ping_s
    table.add(SECTION, "re-run: requests by method", " ".join(sorted({str(m) for m in by_method})),
              "{'GET': 1}, no writes", one_read)
    value = "%s / %s = %.2fx" % (seconds(rerun_s), seconds(ping_s), ratio)
    table.add(SECTION, "re-run wall time / `ansible -m ping`", value, "<= %.1fx" % UNCHANGED_TARGET,
              ratio <= UNCHANGED_TARGET, note="unchanged", note_values={"gap": rerun_s - ping_s})
    table.add(SECTION, "of which any module of the collection: ims_image_info, one read / ping",
              "%s / %s = %.2fx" % (seconds(info_s), seconds(ping_s), info_s / ping_s))
    results["native"] = {"job_seconds": JOB_SECONDS, "job_reads": reads, "window_s": window, "late_s": late, "create_s": elapsed,
                         "creates": posts, "rerun_s": rerun_s, "ping_s": ping_s, "info_s": info_s, "ratio": ratio, "samples": samples,
                         "rerun_by_method": by_method}
    log("native create: %d job reads, returned %.1f s after the job's end; re-run %.2f s, ping %.2f s" % (
        reads, late, rerun_s, ping_s))
