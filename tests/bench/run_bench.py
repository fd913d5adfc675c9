# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The performance benchmark of hwcloud.ims (``make bench``), against local IMS emulators.

Runs real ``ansible`` / ``ansible-playbook`` commands as a user would and prints one table
row per figure of docs/performance.md, with its target and PASS/MISS; writes everything (each sample,
the machine, the load) to build/bench/results.json. docs/performance.md explains the rows.

Run it with ``make bench``, which puts tests/ (the support package), tests/emulator
(harness) and build/collections (the collection) on PYTHONPATH.

Environment: BENCH_QUICK=1 for a smaller run (smaller sizes, fewer repetitions: a check of
the benchmark itself, not figures to quote); BENCH_REPEAT (default 3) repetitions of each
timing, BENCH_LOOP_REPEAT (default 1) of the 200-task loop; BENCH_OUTPUT the JSON file;
BENCH_ONLY a comma-separated choice among the rows listing, unchanged, cleanup, forks, peer
(peer.py: beside openstack.cloud on a real Glance), native (native.py: an image made from a
server as a job), copies (copies.py: one image copied to 5 regions in one play), lookup (lookup.py: the image
lookup with most_recent among 5,000 images) and publish (publish.py: the role image_publish to 4 regions against
one bake plus one copy); default: all of them.
Compared commands run interleaved in the same run (A B A B ...), and each figure is the
median of its repetitions, so a drift of the machine's load affects both sides alike.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import time

from harness import Emulator

from benchlib import (HERE, LATENCY, QUICK, REPEAT, ROOT, WORK, Failed, Table, adhoc_result, base_env, check_recap, kib,
                      loadavg, log, median, seconds, timed)

from copies import bench_copies
from lookup import bench_lookup
from native import bench_native
from peer import bench_peer
from publish import bench_publish

from support.runner import ANSIBLE, ANSIBLE_PLAYBOOK

LOOP_REPEAT = int(os.environ.get("BENCH_LOOP_REPEAT", "1"))
LIST_SIZES = (100, 1000, 3000) if QUICK else (500, 5000, 20000)
TARGET_SIZE = LIST_SIZES[1]  # the size the wall-time target applies to (5,000)
PAGE_SIZE = 1000  # ims_image_info's default page_size
STALE_COUNT = 20 if QUICK else 200
TARGETS = 4 if QUICK else 20
PER_TARGET = 10  # candidates per target of row 4
ROWS = ("listing", "unchanged", "cleanup", "forks", "peer", "native", "copies", "lookup", "publish")
ONLY = [row for row in os.environ.get("BENCH_ONLY", "").split(",") if row]
OUTPUT = pathlib.Path(os.environ.get("BENCH_OUTPUT") or ROOT / "build" / "bench" / "results.json")


# Why a target can be missed, printed under the table for each MISS.
NOTES = {
    "listing": "the module makes the same requests as the floor (row above) and spends {gap:.2f} s more: "
               "{exit:.2f} s in ansible-core's exit_json() of the result (remove_values(), which walks and copies "
               "the whole result to scrub no_log values, takes {remove:.2f} s alone; then the module JSON "
               "encoder), and about {fixed:.2f} s of fixed start of any module (AnsiballZ, ansible.module_utils "
               "imports: the gap at {small} images less its exit_json()). Both are ansible-core's; the "
               "collection's own work (signing, paging, parsing) is within the floor's. Meeting 1.5x "
               "({limit:.2f} s) would take ansible-core's exit path and start out of the module (or fewer images "
               "returned: filters, max_results).",
    "forks": "one target with 1 fork takes {per_target:.2f} s, of which {waiting:.2f} s waiting for its requests "
             "(30 ms each): the rest is CPU (Ansible's tasks and the module's start), which 10 forks can only spread "
             "over the free cores; other load on the machine leaves fewer of them.",
    "unchanged": "the ims_image run takes {gap:.2f} s more than ping for its one request: the module's own start "
                 "(mostly importing requests and the collection's module_utils) on top of Ansible's fixed cost of any "
                 "ad-hoc run, which ping pays too; a loaded machine stretches that start.",
    "loop": "the loop pays Ansible's per-task cost (a module process and its start) once per image, the role once; "
            "with few images (BENCH_QUICK) the role's own fixed cost ({role:.2f} s) is not yet amortised.",
    "peer": "of hwcloud.ims's {hwcloud:.2f} s, {ping:.2f} s are `ansible -m ping` (Ansible's fixed cost of any ad-hoc "
            "run, which both pay). A module that does nothing but send the same one request and return the images "
            "(tests/bench/modules/list_floor.py) takes {floor:.2f} s, {floor_ratio:.2f}x openstack.cloud's {peer:.2f} s: "
            "Glance's answer ({answer:.2f} s) and taking 500 images to the controller and printing them cost that "
            "much with any module. hwcloud.ims is {over_floor:.2f} s above that floor (importing requests and the "
            "collection's module utilities).",
    "copies": "the 5 copies ran at once (every job began before the first ended), but the play runs its three "
              "loops of 5 module runs one after the other: starting the copies took {start:.2f} s (each `wait: false` "
              "returns once its job names the copy, {returned:.2f} s after its copy request on average: the job's INIT "
              "phase, {init:.2f} s, seen by the module's looks at 0, 1, 3, 7 s), waiting {waits:.2f} s "
              "(the last job ended {last_end:.2f} s into the play), the tags pass {finish:.2f} s; the single copy is "
              "one module run, {single:.2f} s. Even a play that ended as the last job did would take {floor:.2f} s.",
    "copies_at_once": "each `wait: false` start returns only once its job names the copy (after the job's INIT "
                      "phase), {per_start:.2f} s an item, so the 5 starts spread over {spread:.2f} s, more than a "
                      "job's {job} s.",
    "publish": "the role's steps: bake and check {bake:.2f} s, the 4 copy starts {start:.2f} s "
               "(the last copy job began {spread:.2f} s after the first), the copy waits {wait:.2f} s, the tags pass "
               "{tags:.2f} s, sharing {sharing:.2f} s ({share_jobs} member jobs), retiring in 5 regions {retire:.2f} s; "
               "1.5x the baseline is {limit:.2f} s.",
    None: "see docs/performance.md.",
}


def machine():
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            names = re.findall(r"^model name\s*:\s*(.*)$", handle.read(), re.M)
        cpu = names[0] if names else cpu
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        memory = None
    version = subprocess.run([ANSIBLE, "--version"], capture_output=True, text=True, check=False).stdout
    core = re.search(r"core ([0-9][^\]]*)\]", version)
    import requests  # pylint: disable=import-outside-toplevel
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_bytes": memory, "system": platform.platform(),
        "python": platform.python_version(), "ansible_core": core.group(1) if core else version.split("\n")[0],
        "requests": requests.__version__,
    }


def rusage_entries(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_wrapper():
    """build/bench/python-rusage: rusage_python.py with the venv's Python in its first line."""
    wrapper = WORK / "python-rusage"
    text = (HERE / "rusage_python.py").read_text(encoding="utf-8")
    wrapper.write_text("#!%s -S\n%s" % (sys.executable, text), encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


# -- 1. ims_image_info listing against a requests loop --------------------------------------


def bench_listing(emu, wrapper, table, results):
    rusage_log = WORK / "rusage.jsonl"
    env_extra = {"BENCH_RUSAGE_LOG": str(rusage_log), "BENCH_REAL_PYTHON": sys.executable}
    module_env = base_env(emu.env(), interpreter=wrapper, extra=env_extra)
    floor_env = base_env(emu.env(), extra=env_extra)
    floor_args = [str(wrapper), str(HERE / "floor_list.py"), str(PAGE_SIZE), "__imagetype=private"]
    # The implicit localhost runs modules with the controller's own Python whatever
    # ANSIBLE_PYTHON_INTERPRETER says; an extra variable overrides that.
    module_args = [ANSIBLE, "localhost", "-m", "hwcloud.ims.ims_image_info", "-a", "imagetype=private",
                   "-e", "ansible_python_interpreter=%s" % wrapper]
    per_size = {}
    for size in LIST_SIZES:
        emu.reset()
        emu.seed(count=size, name="list-{i:05d}", age_days=10)
        expected_requests = size // PAGE_SIZE + 1  # a full last page still has `next`: one more, empty, page
        timed(floor_args, floor_env)  # warm-up: the emulator encodes each image on its first listing
        samples = {"module": [], "floor": []}
        for rep in range(REPEAT):
            order = ("module", "floor") if rep % 2 == 0 else ("floor", "module")
            for kind in order:
                if rusage_log.exists():
                    rusage_log.unlink()
                emu.reset_stats()
                total, completed = timed(module_args if kind == "module" else floor_args,
                                         module_env if kind == "module" else floor_env)
                stats = emu.stats()
                entries = rusage_entries(rusage_log)
                if len(entries) != 1:
                    raise Failed("expected one measured process, got %r" % entries)
                if kind == "module":
                    status, result = adhoc_result(completed.stdout)
                    found = len(result.get("images", []))
                    if status != "SUCCESS":
                        raise Failed("ims_image_info: %s %r" % (status, result.get("msg")))
                else:
                    found = json.loads(completed.stdout)["images"]
                if found != size:
                    raise Failed("%s listed %d images, not %d" % (kind, found, size))
                samples[kind].append({"command_s": total, "process_s": entries[0]["wall_s"],
                                      "maxrss_kib": entries[0]["maxrss_kib"], "requests": stats["total"],
                                      "by_route": stats["by_route"]})
        figures = {}
        for kind, runs in samples.items():
            figures[kind] = {
                "process_s": median([r["process_s"] for r in runs]),
                "command_s": median([r["command_s"] for r in runs]),
                "maxrss_kib": max(r["maxrss_kib"] for r in runs),
                "requests": sorted({r["requests"] for r in runs}),
            }
        # ansible-core's exit_json() alone on the same images: the part of the module's time
        # that grows with the result and that the collection cannot change (exit_cost.py).
        exit_args = [sys.executable, str(HERE / "exit_cost.py"), str(PAGE_SIZE), "__imagetype=private"]
        _elapsed, completed = timed(exit_args, floor_env)
        figures["exit_json"] = json.loads(completed.stdout)
        per_size[size] = {"expected_requests": expected_requests, "figures": figures, "samples": samples}
        log("listing %d: module %.2f s (ansible command %.2f s), floor %.2f s, requests %s/%s, %s/%s" % (
            size, figures["module"]["process_s"], figures["module"]["command_s"], figures["floor"]["process_s"],
            figures["module"]["requests"], figures["floor"]["requests"], kib(figures["module"]["maxrss_kib"]),
            kib(figures["floor"]["maxrss_kib"])))
    results["listing"] = per_size

    for size in LIST_SIZES:
        entry = per_size[size]
        module, floor = entry["figures"]["module"], entry["figures"]["floor"]
        section = "1 list %s" % format(size, ",")
        ratio = module["process_s"] / floor["process_s"]
        if size == TARGET_SIZE:
            first = per_size[LIST_SIZES[0]]["figures"]
            explained = {
                "gap": module["process_s"] - floor["process_s"], "exit": entry["figures"]["exit_json"]["exit_s"],
                "remove": entry["figures"]["exit_json"]["remove_values_s"], "small": format(LIST_SIZES[0], ","),
                "fixed": first["module"]["process_s"] - first["floor"]["process_s"] - first["exit_json"]["exit_s"],
                "limit": 1.5 * floor["process_s"]}
            results["listing_explained"] = explained
            table.add(section, "module process wall time / floor", "%s / %s = %.2fx" % (
                seconds(module["process_s"]), seconds(floor["process_s"]), ratio), "<= 1.5x", ratio <= 1.5,
                note="listing", note_values=explained)
        else:
            table.add(section, "module process wall time / floor", "%s / %s = %.2fx" % (
                seconds(module["process_s"]), seconds(floor["process_s"]), ratio), "(target at %s)" % format(
                    TARGET_SIZE, ","))
        exit_json = entry["figures"]["exit_json"]
        table.add(section, "  of which ansible-core exit_json() (measured alone)", "%s (remove_values alone %s)" % (
            seconds(exit_json["exit_s"]), seconds(exit_json["remove_values_s"])))
        table.add(section, "whole `ansible` command (controller included)", seconds(module["command_s"]))
        ok = module["requests"] == [entry["expected_requests"]]
        table.add(section, "requests: module / floor", "%s / %s" % (
            ",".join(map(str, module["requests"])), ",".join(map(str, floor["requests"]))),
            "= %d (pages of %d)" % (entry["expected_requests"], PAGE_SIZE), ok)
        table.add(section, "peak RSS: module / floor", "%s / %s" % (kib(module["maxrss_kib"]), kib(floor["maxrss_kib"])))
    # Memory no worse than linear: the memory each image adds between the two larger
    # sizes is at most 1.25 times what it adds between the two smaller ones.
    small, middle, large = LIST_SIZES
    rss = {size: per_size[size]["figures"]["module"]["maxrss_kib"] for size in LIST_SIZES}
    slope_low = (rss[middle] - rss[small]) / float(middle - small)
    slope_high = (rss[large] - rss[middle]) / float(large - middle)
    linear = slope_high <= 1.25 * max(slope_low, 0.001)
    table.add("1 memory", "module KiB per image: %s..%s / %s..%s" % (small, middle, middle, large),
              "%.2f / %.2f" % (slope_low, slope_high), "no worse than linear (<= 1.25x)", linear)
    results["listing_memory"] = {"kib_per_image_low": slope_low, "kib_per_image_high": slope_high, "linear": linear}


# -- 2. an unchanged ims_image run against ping -------------------------------------------


def bench_unchanged(emu, table, results):
    emu.reset()
    emu.seed(name="bench-unchanged", tags=["team=bench"], age_days=3)
    env = base_env(emu.env())
    image_args = [ANSIBLE, "localhost", "-m", "hwcloud.ims.ims_image", "-a",
                  "name=bench-unchanged tags=team=bench min_ram=0"]
    ping_args = [ANSIBLE, "localhost", "-m", "ansible.builtin.ping"]
    _elapsed, completed = timed(image_args, env)  # warm-up, and it must be unchanged already
    status, result = adhoc_result(completed.stdout)
    if status != "SUCCESS" or result.get("changed"):
        raise Failed("the ims_image run is not unchanged: %s %r" % (status, result))
    samples = {"ims_image": [], "ping": []}
    by_method = []
    for rep in range(REPEAT + 1):
        order = ("ims_image", "ping") if rep % 2 == 0 else ("ping", "ims_image")
        for kind in order:
            emu.reset_stats()
            total, completed = timed(image_args if kind == "ims_image" else ping_args, env)
            samples[kind].append(total)
            if kind == "ims_image":
                status, result = adhoc_result(completed.stdout)
                if status != "SUCCESS" or result.get("changed"):
                    raise Failed("the ims_image run changed something: %s %r" % (status, result))
                by_method.append(emu.stats()["by_method"])
    image_s, ping_s = median(samples["ims_image"]), median(samples["ping"])
    ratio = image_s / ping_s
    methods = {json.dumps(m, sort_keys=True) for m in by_method}
    one_read = all(m == {"GET": 1} for m in by_method)
    results["unchanged"] = {"ims_image_s": image_s, "ping_s": ping_s, "ratio": ratio, "samples": samples,
                            "by_method": by_method}
    table.add("2 unchanged ims_image", "requests by method", " ".join(sorted(methods)), "{\"GET\": 1}, no writes",
              one_read)
    table.add("2 unchanged ims_image", "wall time / `ansible -m ping`", "%s / %s = %.2fx" % (
        seconds(image_s), seconds(ping_s), ratio), "<= 1.3x", ratio <= 1.3, note="unchanged",
        note_values={"gap": image_s - ping_s})
    log("unchanged ims_image %.2f s, ping %.2f s, requests %s" % (image_s, ping_s, sorted(methods)))


# -- 3. the cleanup role against a loop of ims_image tasks ------------------------------------


def seed_stale(emu):
    return emu.seed(count=STALE_COUNT, name="stale-{i:04d}", age_days=400)


def bench_cleanup_vs_loop(emu, table, results):
    env = base_env(emu.env())
    role_vars = WORK / "role-vars.json"
    role_vars.write_text(json.dumps({
        "image_cleanup_dry_run": False, "image_cleanup_stale_enabled": True, "image_cleanup_stale_min_age_days": 90,
        "image_cleanup_keep_newest": 0, "image_cleanup_max_deletions": STALE_COUNT}), encoding="utf-8")
    role_args = [ANSIBLE_PLAYBOOK, "hwcloud.ims.image_cleanup", "-i", "localhost,", "-e", "@%s" % role_vars]
    loop_vars = WORK / "loop-vars.json"
    loop_args = [ANSIBLE_PLAYBOOK, str(HERE / "playbooks" / "delete_loop.yml"), "-e", "@%s" % loop_vars]
    # Interleaved: role, loop, role, role (with BENCH_LOOP_REPEAT 1 and BENCH_REPEAT 3).
    plan = []
    for rep in range(max(REPEAT, LOOP_REPEAT)):
        if rep < REPEAT:
            plan.append("role")
        if rep < LOOP_REPEAT:
            plan.append("loop")
    samples = {"role": [], "loop": []}
    requests_seen = {"role": [], "loop": []}
    for kind in plan:
        emu.reset()
        ids = seed_stale(emu)
        loop_vars.write_text(json.dumps({"bench_image_ids": ids}), encoding="utf-8")
        emu.reset_stats()
        total, completed = timed(role_args if kind == "role" else loop_args, env)
        check_recap(completed.stdout, 1)
        left = [image for image in emu.images() if image["name"].startswith("stale-")]
        if left:
            raise Failed("%s left %d of %d images" % (kind, len(left), STALE_COUNT))
        samples[kind].append(total)
        requests_seen[kind].append(emu.stats()["by_method"])
        log("cleanup of %d images by the %s: %.2f s, %s" % (STALE_COUNT, kind, total, requests_seen[kind][-1]))
    role_s, loop_s = median(samples["role"]), median(samples["loop"])
    speedup = loop_s / role_s
    results["cleanup_vs_loop"] = {"images": STALE_COUNT, "role_s": role_s, "loop_s": loop_s, "speedup": speedup,
                                  "samples": samples, "by_method": requests_seen}
    section = "3 cleanup %d images" % STALE_COUNT
    table.add(section, "role (1 project) / loop of ims_image tasks", "%s / %s" % (seconds(role_s), seconds(loop_s)))
    table.add(section, "role speed-up over the loop", "%.1fx" % speedup, ">= 10x", speedup >= 10, note="loop",
              note_values={"role": role_s})
    table.add(section, "requests: role / loop", "%s / %s" % (
        json.dumps(requests_seen["role"][0], sort_keys=True), json.dumps(requests_seen["loop"][0], sort_keys=True)))


# -- 4. the cleanup playbook over 20 targets, 10 forks against 1 ----------------------------


def bench_forks(table, results):
    accounts = [{"access_key": "BENCHAK%02d" % n, "secret_key": "bench-secret-%02d" % n,
                 "project_id": "%032x" % (0xbe0c0000 + n)} for n in range(TARGETS)]
    with Emulator.start(accounts=accounts) as emu:
        inventory = WORK / "targets.yml"
        hosts = {}
        for number, account in enumerate(accounts):
            hosts["target-%02d" % number] = {"image_cleanup_project_id": account["project_id"],
                                             "image_cleanup_access_key": account["access_key"],
                                             "image_cleanup_secret_key": account["secret_key"]}
        inventory.write_text(json.dumps({"all": {"hosts": hosts, "vars": {
            "image_cleanup_dry_run": False, "image_cleanup_max_deletions": PER_TARGET}}}), encoding="utf-8")
        env = base_env(emu.env())
        plan = []
        for rep in range(REPEAT):
            plan += [10, 1] if rep % 2 == 0 else [1, 10]
        samples = {1: [], 10: []}
        requests_per_run = []
        for forks in plan:
            emu.reset()
            for account in accounts:
                emu.seed(count=PER_TARGET, owner=account["project_id"], name="failed-{i:02d}", status="killed",
                         age_days=2)
                emu.seed(count=5, owner=account["project_id"], name="keep-{i:02d}", age_days=20)
            emu.set_faults({"latency": LATENCY})
            emu.reset_stats()
            total, completed = timed([ANSIBLE_PLAYBOOK, "hwcloud.ims.image_cleanup", "-i", str(inventory),
                                      "-f", str(forks)], env)
            check_recap(completed.stdout, TARGETS)
            emu.clear_faults()
            left = [image for image in emu.images() if image["name"].startswith("failed-")]
            if left:
                raise Failed("%d forks left %d failed images" % (forks, len(left)))
            samples[forks].append(total)
            requests_per_run.append(emu.stats()["total"])
            log("cleanup playbook, %d targets, %d forks: %.2f s, %d requests" % (
                TARGETS, forks, total, requests_per_run[-1]))
    one, ten = median(samples[1]), median(samples[10])
    speedup = one / ten
    results["forks"] = {"targets": TARGETS, "latency_s": LATENCY, "forks_1_s": one, "forks_10_s": ten,
                        "speedup": speedup, "samples": {str(k): v for k, v in samples.items()},
                        "requests_per_run": requests_per_run}
    section = "4 playbook %d targets" % TARGETS
    table.add(section, "10 forks / 1 fork (30 ms per request)", "%s / %s" % (seconds(ten), seconds(one)))
    # The CPU-bound share of a run (Ansible's per-task work, module start) can go at most
    # `cores` times faster; only the waiting goes up to 10 times faster. So 10 forks must
    # at least use every core: a speed-up of at least min(cores, 10).
    cores = min(os.cpu_count() or 1, 10)
    waiting = LATENCY * statistics.median(requests_per_run) / TARGETS
    table.add(section, "speed-up of 10 forks", "%.1fx" % speedup, ">= %dx (= cores, max 10)" % cores,
              speedup >= cores, note="forks", note_values={"per_target": one / TARGETS, "waiting": waiting})
    table.add(section, "1 fork: per target / of it waiting on requests", "%s / %s" % (
        seconds(one / TARGETS), seconds(waiting)))
    table.add(section, "requests per run", ",".join(map(str, sorted(set(requests_per_run)))))


# -- main ------------------------------------------------------------------------------------


def main():
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    for folder in ("ansible-local", "ansible-remote"):
        (WORK / "tmp" / folder).mkdir(parents=True, exist_ok=True)
    info = machine()
    results = {"started_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "quick": QUICK, "repeat": REPEAT, "loop_repeat": LOOP_REPEAT, "machine": info,
               "loadavg_start": loadavg()}
    log("machine: %s, %s cores, Python %s, ansible-core %s; load average %s%s" % (
        info["cpu"], info["cores"], info["python"], info["ansible_core"], results["loadavg_start"],
        " (BENCH_QUICK: a check of the benchmark, not figures to quote)" if QUICK else ""))
    unknown = sorted(set(ONLY) - set(ROWS))
    if unknown:
        raise Failed("BENCH_ONLY: unknown row %s; the rows are %s" % (", ".join(unknown), ", ".join(ROWS)))
    rows = [row for row in ROWS if not ONLY or row in ONLY]
    results["rows"] = rows
    wrapper = make_wrapper()
    table = Table()
    if set(rows) & {"listing", "unchanged", "cleanup"}:
        with Emulator.start() as emu:
            if "listing" in rows:
                bench_listing(emu, wrapper, table, results)
            if "unchanged" in rows:
                bench_unchanged(emu, table, results)
            if "cleanup" in rows:
                bench_cleanup_vs_loop(emu, table, results)
    if "forks" in rows:
        bench_forks(table, results)
    if "peer" in rows:
        bench_peer(table, results)
    if "native" in rows:
        bench_native(table, results)
    if "copies" in rows:
        bench_copies(table, results)
    if "lookup" in rows:
        bench_lookup(table, results)
    if "publish" in rows:
        bench_publish(table, results)
    results["loadavg_end"] = loadavg()
    results["duration_s"] = time.perf_counter() - started
    results["table"] = table.rows
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(table.render())
    print()
    print("Machine: %s, %s cores, Python %s, ansible-core %s, requests %s" % (
        info["cpu"], info["cores"], info["python"], info["ansible_core"], info["requests"]))
    print("Load average (1, 5, 15 min): %s at the start, %s at the end; %d repetitions (median), %.0f s in all" % (
        results["loadavg_start"], results["loadavg_end"], REPEAT, results["duration_s"]))
    print("Results (every sample) written to %s" % OUTPUT)
    missed = [row for row in table.rows if row["result"] == "MISS"]
    for row in missed:
        note = NOTES.get(row["data"].get("note"), NOTES[None]).format(**row["data"].get("note_values", {}))
        print("MISS %s, %s: %s" % (row["section"], row["what"], note))
    if missed:
        print("(docs/performance.md has the figures behind these notes.)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failed as exc:
        print("bench: FAILED: %s" % exc, file=sys.stderr)
        sys.exit(1)
