# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every part of the benchmark (run_bench.py, peer.py) shares: the settings of the run,
the environment of an ansible command, timing a command, reading its result, the emulator's job
times and a play's phases (rows 7 and 9), the table."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

from support.runner import play_recap, without_hw_variables

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORK = ROOT / "build" / "bench"

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
REPEAT = int(os.environ.get("BENCH_REPEAT", "2" if QUICK else "3"))
LATENCY = 0.03  # seconds the emulator adds to every request in rows 4, 7 and 9
# The emulator's job duration in rows 7 and 9 (copies, bakes). BENCH_QUICK: 9 s jobs, whose INIT phase (0.9 s)
# ends before the module's second look at the job (1 s after the first), so each `wait: false` copy start takes
# about 2 s and the starts fit within one job, as they do with 20 s.
JOB_SECONDS = 9 if QUICK else 20


def log(message):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), flush=True)


def loadavg():
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def base_env(hw_env, interpreter=None, extra=None):
    """The environment of an ansible command: the caller's, the emulator's HW_*, plain output."""
    env = without_hw_variables()
    env.update(hw_env)
    collections = ROOT / "build" / "collections"
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(collections))
    env.setdefault("ANSIBLE_LOCAL_TEMP", str(WORK / "tmp" / "ansible-local"))
    env.setdefault("ANSIBLE_REMOTE_TMP", str(WORK / "tmp" / "ansible-remote"))
    env["ANSIBLE_PYTHON_INTERPRETER"] = str(interpreter or sys.executable)
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["ANSIBLE_RETRY_FILES_ENABLED"] = "0"
    env["ANSIBLE_LOCALHOST_WARNING"] = "false"
    env["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "false"
    env.update(extra or {})
    return env


class Failed(RuntimeError):
    """A benchmarked command did not do what it should."""


def timed(args, env, timeout=900, check_rc=True):
    """Run ``args``; return (seconds, CompletedProcess). Output is captured, not shown."""
    started = time.perf_counter()
    completed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    elapsed = time.perf_counter() - started
    if check_rc and completed.returncode != 0:
        raise Failed("%s exited with %s\n--- stdout (end)\n%s\n--- stderr (end)\n%s" % (
            " ".join(map(str, args)), completed.returncode, completed.stdout[-3000:], completed.stderr[-3000:]))
    return elapsed, completed


def adhoc_result(stdout):
    match = re.search(r"^localhost \| (SUCCESS|CHANGED|FAILED!) => (\{.*)", stdout, re.M | re.S)
    if not match:
        raise Failed("no result in the ad-hoc output:\n%s" % stdout[-2000:])
    return match.group(1), json.loads(match.group(2))


def check_recap(stdout, hosts):
    counts = play_recap(stdout)
    bad = {host: c for host, c in counts.items() if c.get("failed") or c.get("unreachable")}
    if len(counts) != hosts or bad:
        raise Failed("expected %d hosts without failures, got %r" % (hosts, counts))


def job_time(text):
    """An emulator job's ``begin_time`` or ``end_time`` as Unix time."""
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def job_span(jobs):
    """The sorted begins and ends of emulator jobs (Unix time), and whether they ran at once: every job began
    before the first ended. A job's end_time is when a request saw it end (the emulator moves jobs on requests),
    so its scheduled end, begin + JOB_SECONDS, is the stricter of the two."""
    begins = sorted(job_time(job["begin_time"]) for job in jobs)
    ends = sorted(job_time(job["end_time"]) for job in jobs)
    return begins, ends, begins[-1] < min(ends[0], begins[0] + JOB_SECONDS)


def phases(events, tasks):
    """From a play's events (callbacks/bench_tasks.py): seconds from the start of each of ``tasks`` (names, a
    role's without its ``ROLE : `` prefix; the first task of that name) to the start of the next and, for the
    last, to the end: ({task: s}, the first task's start, the end)."""
    starts = {}
    for event in events:
        if event["event"] == "task":
            starts.setdefault(event["task"].rsplit(" : ", 1)[-1], event["at"])
    end = next(event["at"] for event in events if event["event"] == "end")
    marks = [starts[task] for task in tasks] + [end]
    return {task: marks[i + 1] - marks[i] for i, task in enumerate(tasks)}, starts[tasks[0]], end


def median(values):
    return statistics.median(values)


class Table:
    """The rows printed at the end (and saved): what, value, target, PASS/MISS."""

    def __init__(self):
        self.rows = []

    def add(self, section, what, value, target="", passed=None, **data):  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self.rows.append({"section": section, "what": what, "value": value, "target": target,
                          "result": "" if passed is None else ("PASS" if passed else "MISS"), "data": data})

    def render(self):
        keys = ("section", "what", "value", "target", "result")
        header = ("#", "measurement", "value", "target", "result")
        widths = [max([len(title)] + [len(str(row[key])) for row in self.rows]) for key, title in zip(keys, header)]
        lines = []
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        previous = None
        for row in self.rows:
            cells = [row["section"] if row["section"] != previous else "", row["what"], row["value"],
                     row["target"], row["result"]]
            previous = row["section"]
            lines.append("  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip())
        return "\n".join(lines)


def seconds(value):
    return "%.2f s" % value


def kib(value):
    return "%.1f MiB" % (value / 1024.0)
