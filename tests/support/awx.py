# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What AWX does to run a job, without AWX: for tests that run playbooks as AWX runs them.

Each step is AWX's (awx/main/tasks/jobs.py ``BaseTask.run``, awx/main/models/credential.py
``CredentialType.inject_credential``, awx/main/models/inventory.py ``Inventory.get_script_data``,
awx/main/models/jobs.py's job slicing and awx/main/tasks/callback.py's artifacts), and nothing
else:

- **The private data dir** of a job: ``project/`` (the project's files), ``inventory/hosts`` (an
  executable script that prints the inventory's script data, sliced), ``env/extravars`` (the
  ``awx_*`` meta variables, then the job's extra vars), ``env/cmdline`` (``build_args``, then the
  credentials' ``-e @file``) and ``env/envvars`` (the environment, then the credentials' ``env``).
- **Credentials**, :func:`inject_credential`: only inputs with a value enter the template
  namespace (booleans default to false); every ``file`` injector is rendered and written to a
  file of ``env/`` (mode 0600, even when empty) that ``tower.filename.LABEL`` names; ``env``
  injectors render in an ``ImmutableSandboxedEnvironment`` (undefined names render empty);
  ``extra_vars`` injectors render recursively into a file of ``env/`` (mode 0400) passed as
  ``-e @file``. Paths are the execution node's (AWX: ``/runner/...``, the execution
  environment's mount of the private data dir).
- **The inventory**: enabled hosts ordered by name; slice N of M keeps ``hosts[N-1::M]``; a
  group lists only the slice's hosts, every group stays (with its variables) as a child of
  ``all``; host variables in ``_meta`` with ``remote_tower_enabled``.
- **The run**: ``ansible-runner transmit | ansible-runner worker | ansible-runner process``,
  the receptor pipeline without receptor: the worker (the execution node) unpacks the private
  data dir into a directory of its own and runs ``ansible-playbook`` there, and ``process``
  writes the events back into the job's ``artifacts/<id>/``.
- **Artifacts**: the ``artifact_data`` of the event that carries it (``playbook_on_stats``:
  ``set_stats`` with ``per_host: false``), as AWX keeps it as the job's artifacts.

The worker's process environment stands in for the execution environment's: PATH to this
Python's tools (ansible-core, ansible-runner, requests), the collection installed (the work
tree's collection path), a HOME of its own, and none of the caller's HW_* variables.
"""

from __future__ import annotations

import itertools
import json
import os
import pathlib
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile

from jinja2 import sandbox

from support.runner import COLLECTIONS, without_hw_variables

BIN = pathlib.Path(sys.executable).parent
RUNNER = shutil.which("ansible-runner", path=str(BIN)) or "ansible-runner"
_IDS = itertools.count(1001)


# -- credentials --------------------------------------------------------------------------


def inject_credential(ctype, inputs, private_data_dir, node_dir=None):
    """``(env, args)``: what a credential of type ``ctype`` with ``inputs`` adds to a job.

    Files are written into ``private_data_dir``/env and named by their path in ``node_dir``
    (the execution node's copy of the private data dir; default: ``private_data_dir`` itself).
    """
    private_data_dir = pathlib.Path(private_data_dir)
    node_dir = pathlib.Path(node_dir or private_data_dir)
    env_dir = private_data_dir / "env"
    env_dir.mkdir(parents=True, exist_ok=True)

    def node_path(path):
        return str(node_dir / pathlib.Path(path).relative_to(private_data_dir))

    namespace = {name: value for name, value in inputs.items() if isinstance(value, bool) or len(value)}
    for field in ctype["inputs"].get("fields", []):
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    environment = sandbox.ImmutableSandboxedEnvironment()
    injectors = ctype.get("injectors", {})
    if injectors.get("file"):
        filenames = {}
        for label, template in injectors["file"].items():
            handle, path = tempfile.mkstemp(dir=env_dir)
            with os.fdopen(handle, "w") as written:
                written.write(environment.from_string(template).render(**namespace))
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
            filenames[label.partition(".")[2]] = node_path(path)
        namespace["tower"] = {"filename": filenames}
    env = {variable: environment.from_string(template).render(**namespace)
           for variable, template in injectors.get("env", {}).items()}

    def render(node):
        if isinstance(node, dict):
            return {render(key): render(value) for key, value in node.items()}
        if isinstance(node, list):
            return [render(item) for item in node]
        return environment.from_string(node).render(**namespace)

    args = []
    extra_vars = render(injectors.get("extra_vars", {}))
    if extra_vars:
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as written:
            written.write(json.dumps(extra_vars))
        os.chmod(path, stat.S_IRUSR)
        args += ["-e", "@%s" % node_path(path)]
    return env, args


# -- inventories and slices -----------------------------------------------------------------


class Inventory:
    """An AWX inventory: ``hosts`` {name: variables}, ``groups`` {name: {"hosts": [...],
    "children": [...], "vars": {...}}}, the inventory's own ``variables``; ``disabled`` hosts."""

    def __init__(self, name, hosts, groups=None, variables=None, disabled=()):
        self.name, self.hosts, self.groups = name, hosts, groups or {}
        self.variables, self.disabled = variables or {}, set(disabled)

    def enabled_hosts(self):
        return sorted(name for name in self.hosts if name not in self.disabled)

    def script_data(self, slice_number=1, slice_count=1):
        """``Inventory.get_script_data(hostvars=True, towervars=True, ...)``, without the host ids."""
        hosts = self.enabled_hosts()
        if slice_count > 1 and slice_number > 0:
            hosts = hosts[slice_number - 1::slice_count]
        data = {"all": {}}
        if self.variables:
            data["all"]["vars"] = self.variables
        grouped = set()
        for group_name, group in self.groups.items():
            info = {}
            members = [host for host in group.get("hosts", []) if host in hosts]
            grouped.update(members)
            if members:
                info["hosts"] = members
            if group.get("children"):
                info["children"] = list(group["children"])
            if group.get("vars"):
                info["vars"] = group["vars"]
            if info:
                data[group_name] = info
        data["all"]["hosts"] = [host for host in hosts if host not in grouped]
        if self.groups:
            data["all"]["children"] = list(self.groups)
        data["_meta"] = {"hostvars": {host: dict(self.hosts[host], remote_tower_enabled="true") for host in hosts}}
        return data


def slice_count(job_slice_count, inventory):
    """The job template's slices for ``inventory``: never more than its enabled hosts."""
    return max(1, min(job_slice_count, len(inventory.enabled_hosts())))


# -- jobs -------------------------------------------------------------------------------------


class Job:
    """One AWX job of a job template: its private data dir, started and waited for.

    ``project``: a folder with the playbook; ``credentials``: ``[(credential type, inputs)]``;
    ``extra_vars``: the job template's variables with the launch-time ones on top;
    ``job_type``: ``run`` or ``check``; ``slice_number``/``slice_count``: this job's slice.
    """

    def __init__(self, tmp_path, name, project, playbook, inventory, credentials=(), extra_vars=None,
                 job_type="run", forks=5, verbosity=0, slice_number=1, slice_count=1, launch_type="manual"):
        self.id = next(_IDS)
        self.name = name
        base = pathlib.Path(tmp_path) / ("job-%d" % self.id)
        self.private_data_dir = base / "control"
        self.node_dir = base / "node"
        self.home = base / "home"
        for folder in ("project", "inventory", "env"):
            (self.private_data_dir / folder).mkdir(parents=True)
        self.home.mkdir(parents=True)
        shutil.copytree(project, self.private_data_dir / "project", dirs_exist_ok=True)
        self.playbook = playbook
        self.slice_number, self.slice_count = slice_number, slice_count
        self.inventory = inventory.script_data(slice_number, slice_count)
        script = self.private_data_dir / "inventory" / "hosts"
        script.write_text("#! %s\n# -*- coding: utf-8 -*-\nprint(%r)\n" % (sys.executable, json.dumps(self.inventory)))
        os.chmod(script, stat.S_IRUSR | stat.S_IXUSR | stat.S_IWUSR)

        meta = {"awx_job_id": self.id, "awx_job_template_name": name, "awx_inventory_name": inventory.name,
                "awx_job_launch_type": launch_type, "tower_job_id": self.id, "tower_job_template_name": name}
        self._write("extravars", dict(meta, **(extra_vars or {})), stat.S_IRUSR)
        env = {"JOB_ID": str(self.id), "ANSIBLE_RETRY_FILES_ENABLED": "False",
               "AWX_PRIVATE_DATA_DIR": str(self.node_dir)}
        args = ["--check"] if job_type == "check" else []
        args += ["-u", "root", "--forks=%d" % forks]
        if verbosity:
            args.append("-" + "v" * min(5, verbosity))
        for ctype, inputs in credentials:
            injected_env, injected_args = inject_credential(ctype, inputs, self.private_data_dir, self.node_dir)
            env.update(injected_env)
            args += injected_args
        self.envvars = env
        self._write("envvars", env, stat.S_IRUSR | stat.S_IWUSR)
        (self.private_data_dir / "env" / "cmdline").write_text(" ".join(shlex.quote(arg) for arg in args))
        self._processes = []

    def _write(self, name, data, mode):
        path = self.private_data_dir / "env" / name
        path.write_text(json.dumps(data))
        os.chmod(path, mode)

    def environment(self):
        """The execution environment's process environment (see the module's docstring)."""
        env = without_hw_variables()
        for name in [name for name in env if name.startswith(("ANSIBLE_", "VIRTUAL_ENV", "PYTHON"))
                     or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")]:
            del env[name]
        env.update(PATH="%s:/usr/bin:/bin" % BIN, HOME=str(self.home), LANG="C.UTF-8",
                   ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS))
        return env

    def start(self):
        env = self.environment()
        transmit = subprocess.Popen([RUNNER, "transmit", str(self.private_data_dir), "-p", self.playbook,
                                     "--ident", str(self.id)], stdout=subprocess.PIPE, env=env)
        worker = subprocess.Popen([RUNNER, "worker", "--private-data-dir", str(self.node_dir)],
                                  stdin=transmit.stdout, stdout=subprocess.PIPE, env=env)
        transmit.stdout.close()
        log = open(self.private_data_dir / "process.log", "wb")  # pylint: disable=consider-using-with
        process = subprocess.Popen([RUNNER, "process", str(self.private_data_dir), "--ident", str(self.id)],
                                   stdin=worker.stdout, stdout=log, stderr=subprocess.STDOUT, env=env)
        worker.stdout.close()
        log.close()
        self._processes = [transmit, worker, process]
        return self

    def wait(self, timeout=600):
        for process in self._processes:
            process.wait(timeout=timeout)
        return JobResult(self)

    def run(self, timeout=600):
        return self.start().wait(timeout)


class JobResult:
    """What AWX keeps of a finished job: status, rc, events, stdout, artifacts."""

    def __init__(self, job):
        self.job = job
        artifacts = job.private_data_dir / "artifacts" / str(job.id)
        self.folder = artifacts
        self.status = (artifacts / "status").read_text().strip() if (artifacts / "status").exists() else "error"
        self.rc = int((artifacts / "rc").read_text()) if (artifacts / "rc").exists() else None
        self.stdout = (artifacts / "stdout").read_text() if (artifacts / "stdout").exists() else ""
        events = []
        for path in (artifacts / "job_events").glob("*.json") if (artifacts / "job_events").exists() else ():
            events.append(json.loads(path.read_text()))
        self.events = sorted(events, key=lambda event: event.get("counter", 0))
        self.artifacts = {}
        for event in self.events:
            if event.get("event_data", {}).get("artifact_data"):
                self.artifacts = event["event_data"]["artifact_data"]

    def stored(self):
        """Every text AWX stores of the job (its events and stdout), for secret checks."""
        return json.dumps(self.events) + self.stdout

    def stats(self):
        """The ``playbook_on_stats`` event's counts: {"ok": {host: N}, "changed": {...}, ...}."""
        for event in self.events:
            if event.get("event") == "playbook_on_stats":
                return event["event_data"]
        raise AssertionError("no playbook_on_stats event: %r" % self)

    def hosts(self):
        """The hosts the job ran on (its recap)."""
        stats = self.stats()
        return sorted(set(itertools.chain.from_iterable(
            stats.get(key, {}) for key in ("ok", "changed", "failures", "dark", "skipped", "rescued", "ignored"))))

    def __repr__(self):
        log = self.job.private_data_dir / "process.log"
        return "JobResult(%s #%d %s rc=%s)\n--- stdout\n%s\n--- process\n%s" % (
            self.job.name, self.job.id, self.status, self.rc, self.stdout[-6000:],
            log.read_text(errors="replace")[-3000:] if log.exists() else "")
