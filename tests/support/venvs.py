# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The test venvs of tools that are never the collection's dependencies (Glance, openstacksdk, the
official Huawei Cloud SDK): each built from its pinned requirements file on first use.

``ensure_venv(venv, requirements)`` makes ``venv`` with ``python -m venv`` unless it exists,
``pip install -r requirements`` into it, and touches ``venv/.installed.stamp`` - the stamp the
Makefile's ``venv_recipe`` writes too, so ``make <tool>-venv`` and a plain ``pytest`` agree on
when a venv is current: its stamp is newer than its requirements file. Concurrent pytest-xdist
workers build it once: the first holds a lock file beside the venv while the others wait.
"""

from __future__ import annotations

import fcntl
import os
import pathlib
import subprocess
import sys

STAMP_NAME = ".installed.stamp"
# Variables of the calling venv that would leak into the new one's pip and Python.
_OWN_ENV = ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH")


class VenvError(RuntimeError):
    """A test venv could not be built: the step that failed and what it printed."""


def is_current(venv, requirements) -> bool:
    venv, requirements = pathlib.Path(venv), pathlib.Path(requirements)
    stamp = venv / STAMP_NAME
    return (venv / "bin" / "python").exists() and stamp.exists() and \
        stamp.stat().st_mtime >= requirements.stat().st_mtime


def ensure_venv(venv, requirements, python=None, log=sys.stderr, timeout=900) -> pathlib.Path:
    """``venv``, made and brought up to ``requirements`` first when it is missing or older than them."""
    venv = pathlib.Path(venv)
    if is_current(venv, requirements):
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(str(venv) + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it
        if is_current(venv, requirements):
            return venv
        env = {key: value for key, value in os.environ.items() if key not in _OWN_ENV}
        steps = []
        if not (venv / "bin" / "python").exists():
            steps.append([python or sys.executable, "-m", "venv", str(venv)])
        steps.append([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                      "-r", str(requirements)])
        for step in steps:
            print(">>> %s" % " ".join(step), file=log, flush=True)
            done = subprocess.run(step, env=env, capture_output=True, text=True, timeout=timeout, check=False)
            if done.returncode != 0:
                raise VenvError("building %s failed at `%s` (exit %d):\n%s%s" % (
                    venv, " ".join(step), done.returncode, done.stdout[-2000:], done.stderr[-4000:]))
        (venv / STAMP_NAME).touch()
    return venv
