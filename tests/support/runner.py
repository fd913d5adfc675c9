# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``ansible`` and ``ansible-playbook`` run as a user runs them, against an emulator."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys

# The collection's HW_* environment variables: a run sees only those it is given.
HW_VARIABLES = ("HW_REGION_NAME", "HW_PROJECT_ID", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN",
                "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_DOMAIN_NAME", "HW_IMS_ENDPOINT",
                "HW_IAM_ENDPOINT", "HW_CA_BUNDLE")

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The collection path of the work tree (the build/collections symlink of `make collection-path`).
COLLECTIONS = ROOT / "build" / "collections"
BIN = pathlib.Path(sys.executable).parent
ANSIBLE = shutil.which("ansible", path=str(BIN)) or "ansible"
ANSIBLE_PLAYBOOK = shutil.which("ansible-playbook", path=str(BIN)) or "ansible-playbook"


def without_hw_variables(environ=None) -> dict:
    """A copy of ``environ`` (default: this process's environment) without the HW_* variables."""
    return {k: v for k, v in (os.environ if environ is None else environ).items() if k not in HW_VARIABLES}


def custom_stats(ran):
    """The ``RUN:`` custom stats that ANSIBLE_SHOW_CUSTOM_STATS prints after the recap of ``ran`` (a :class:`Ran`)."""
    match = re.search(r"^\s*RUN: (\{.*\})\s*$", ran.stdout, re.M)
    assert match, ran
    return json.loads(match.group(1))


def debug_messages(stdout, task):
    """The ``msg`` of every run of the ``ansible.builtin.debug`` task ``task`` (as its ``TASK [...]`` header names it), in order."""
    found = []
    for block in stdout.split("TASK [%s]" % task)[1:]:
        block = block.split("TASK [", 1)[0]
        found.append(json.loads(block[block.index("{"):block.rindex("}") + 1])["msg"])
    return found


def play_recap(stdout):
    """{host: {ok: N, changed: N, ...}} from the PLAY RECAP of an ansible-playbook run's output."""
    return {host: {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts)}
            for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", stdout, re.M)}


class Ran:
    """What one ansible command did."""

    def __init__(self, args, completed):
        self.args = args
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    @property
    def output(self):
        return self.stdout + self.stderr

    def result(self):
        """The module result of a one-host ad-hoc run, from ``localhost | STATUS => {...}``."""
        match = re.search(r"^localhost \| (SUCCESS|CHANGED|FAILED!) => (\{.*)", self.stdout, re.M | re.S)
        assert match, self
        result = json.loads(match.group(2))
        result.setdefault("failed", match.group(1) == "FAILED!")
        return result

    def recap(self):
        """The PLAY RECAP (:func:`play_recap`); a run without one fails the test."""
        hosts = play_recap(self.stdout)
        assert hosts, self
        return hosts

    def __repr__(self):
        return "Ran(rc=%s, args=%r)\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.args, self.stdout, self.stderr)


class AnsibleRunner:
    """Runs ``ansible`` and ``ansible-playbook`` with a controlled environment.

    ``playbook_dir``: where :meth:`run_playbook` finds a playbook given by a relative name.
    """

    def __init__(self, tmp_path, playbook_dir=None):
        self.tmp_path = pathlib.Path(tmp_path)
        self.playbook_dir = pathlib.Path(playbook_dir) if playbook_dir else pathlib.Path.cwd()
        self.ansible = ANSIBLE
        self.playbook = ANSIBLE_PLAYBOOK

    def environment(self, hw_env, extra=None):
        env = without_hw_variables()
        env.update(hw_env)
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))
        env.setdefault("ANSIBLE_LOCAL_TEMP", str(self.tmp_path / "ansible-local"))
        env.setdefault("ANSIBLE_REMOTE_TMP", str(self.tmp_path / "ansible-remote"))
        env.setdefault("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
        env["ANSIBLE_NOCOLOR"] = "1"
        env["ANSIBLE_FORCE_COLOR"] = "0"
        env["ANSIBLE_RETRY_FILES_ENABLED"] = "0"
        env.update(extra or {})
        return env

    def _run(self, args, env, timeout):
        completed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        return Ran(args, completed)

    def _adhoc_args(self, module, module_args, options):
        return [self.ansible, "localhost", "-m", module, "-a", module_args] + list(options)

    def adhoc(self, module, module_args, hw_env, extra_env=None, options=(), timeout=120):
        """``ansible localhost -m MODULE -a ARGS`` with the default output; ``.result()`` parses it."""
        return self._run(self._adhoc_args(module, module_args, options), self.environment(hw_env, extra_env), timeout)

    def start_adhoc(self, module, module_args, hw_env, extra_env=None, options=()):
        """:meth:`adhoc` started, not waited for: a ``Popen`` in a session of its own, so that
        :func:`kill_session` stops ``ansible`` and the module process it runs at once, as a killed job is."""
        return subprocess.Popen(self._adhoc_args(module, module_args, options), env=self.environment(hw_env, extra_env),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def run_playbook(self, playbook, hw_env, extra_vars=None, options=(), extra_env=None, timeout=600):
        """``ansible-playbook PLAYBOOK`` (relative to ``playbook_dir``), EXTRA_VARS given as a JSON file."""
        args = [self.playbook, str(self.playbook_dir / playbook)]
        if extra_vars is not None:
            vars_file = self.tmp_path / ("vars-%s.json" % pathlib.Path(playbook).name)
            vars_file.write_text(json.dumps(extra_vars))
            args += ["-e", "@%s" % vars_file]
        args += list(options)
        return self._run(args, self.environment(hw_env, extra_env), timeout)


def kill_session(process):
    """SIGKILL every process of ``process``'s session (see :meth:`AnsibleRunner.start_adhoc`), and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)
