# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the integration tests: an emulator, and ansible run as a user runs it."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "emulator"))

from harness import Emulator  # noqa: E402  pylint: disable=wrong-import-position

HW_VARIABLES = ("HW_REGION_NAME", "HW_PROJECT_ID", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN",
                "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_DOMAIN_NAME", "HW_IMS_ENDPOINT",
                "HW_IAM_ENDPOINT", "HW_CA_BUNDLE")


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

    def __repr__(self):
        return "Ran(rc=%s, args=%r)\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.args, self.stdout, self.stderr)


class AnsibleRunner:
    """Runs ``ansible`` and ``ansible-playbook`` with a controlled environment."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        bindir = pathlib.Path(sys.executable).parent
        self.ansible = shutil.which("ansible", path=str(bindir)) or "ansible"
        self.playbook = shutil.which("ansible-playbook", path=str(bindir)) or "ansible-playbook"

    def environment(self, hw_env, extra=None):
        env = {k: v for k, v in os.environ.items() if k not in HW_VARIABLES}
        env.update(hw_env)
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

    def adhoc(self, module, module_args, hw_env, extra_env=None, options=(), timeout=120):
        """``ansible localhost -m MODULE -a ARGS`` with the default output; ``.result()`` parses it."""
        args = [self.ansible, "localhost", "-m", module, "-a", module_args] + list(options)
        return self._run(args, self.environment(hw_env, extra_env), timeout)

    def run_playbook(self, playbook, hw_env, extra_vars=None, options=(), extra_env=None, timeout=600):
        args = [self.playbook, str(HERE / "playbooks" / playbook)]
        if extra_vars is not None:
            vars_file = self.tmp_path / ("vars-%s.json" % playbook.replace("/", "_"))
            vars_file.write_text(json.dumps(extra_vars))
            args += ["-e", "@%s" % vars_file]
        args += list(options)
        return self._run(args, self.environment(hw_env, extra_env), timeout)


@pytest.fixture(scope="session")
def emulator():
    """One emulator for the whole session; tests reset it when they need a clean slate."""
    emu = Emulator.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emu(emulator):
    """The session emulator, reset: only the public catalogue, no faults, zero counts."""
    emulator.reset()
    return emulator


@pytest.fixture
def ansible(tmp_path):
    return AnsibleRunner(tmp_path)
