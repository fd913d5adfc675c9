# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A Python interpreter that reports the wall time and peak memory of what it runs.

run_bench.py copies this file into build/bench/ as an executable whose first line is
``#!<the venv's python> -S`` and points ANSIBLE_PYTHON_INTERPRETER at it, so Ansible
starts every module as ``<this wrapper> AnsiballZ_<module>.py``. The wrapper forks; the
child execs the real Python (BENCH_REAL_PYTHON) with the same arguments, standard
streams and environment; the parent waits with wait4(), whose resource usage is that of
the child and of every descendant it waited for, and appends one JSON line to
BENCH_RUSAGE_LOG: the arguments, the wall time from fork to exit (so the start of the
real Python is included, the wrapper's own start is not) and ru_maxrss, the peak
resident set size in KiB (Linux). The floor script is run through the same wrapper, so
both are measured alike. Standard library only; Python 3.9+ (os.waitstatus_to_exitcode).
"""

import json
import os
import sys
import time


def main():
    real = os.environ.get("BENCH_REAL_PYTHON") or sys.executable
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: become the real interpreter
        try:
            os.execv(real, [real] + sys.argv[1:])
        finally:
            os._exit(127)  # pylint: disable=protected-access
    waited, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    log = os.environ.get("BENCH_RUSAGE_LOG")
    if log and waited == pid:
        entry = {"argv": sys.argv[1:], "wall_s": wall, "maxrss_kib": usage.ru_maxrss, "rc": code,
                 "user_s": usage.ru_utime, "sys_s": usage.ru_stime}
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
