# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A real OpenStack Glance on loopback, for the journeys of tests/glance and the peer bench.

The pinned Glance (tests/requirements/glance.txt) in its own venv, ``.venvs/glance``, made
or brought up to date by :func:`ensure_venv` (a stamp newer than the requirements file says
it is current). :meth:`Glance.start` writes a configuration into a fresh temporary folder
(sqlite, the file store, no Keystone: the paste filter of glance_identity.py supplies the
identity), runs ``glance-manage db_sync``, and serves ``glance.wsgi.api:application`` with
gunicorn: one process, one thread, because sqlite refuses concurrent writers.
:meth:`Glance.stop` stops it and removes the folder, and an ``atexit`` hook stops whatever
is still running, so nothing is left behind whatever the outcome.

Standard library only (it runs under the test venv, and as a script)::

    python tests/glance/glance_server.py        # serve until Ctrl-C, print the URL

What it is and how to move the pin: docs/dev/glance.md.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime
import os
import pathlib
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

try:
    from support import venvs
except ImportError:  # run by path (the CLI below, a child process): tests/ is this folder's parent
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
    from support import venvs  # pylint: disable=ungrouped-imports

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REQUIREMENTS = ROOT / "tests" / "requirements" / "glance.txt"
VENV = pathlib.Path(os.environ.get("GLANCE_VENV", ROOT / ".venvs" / "glance"))
# Every disk format IMS takes (zvhd, zvhd2) beside Glance's own.
DISK_FORMATS = "ami,ari,aki,vhd,vhdx,vmdk,raw,qcow2,vdi,iso,ploop,zvhd,zvhd2"
START_TIMEOUT = 90.0
# gunicorn's access log, one request a line: what the journeys count (method, path, query, status).
ACCESS_LOG = "access.log"
ACCESS_FORMAT = "%(r)s %(s)s"

_RUNNING = set()


def _stop_all():
    for server in list(_RUNNING):
        server.stop()


atexit.register(_stop_all)


def _die_with_parent():
    """In the child before gunicorn starts (Linux): SIGTERM it when the process that started it
    dies, however it dies (a SIGKILLed pytest, a SIGTERMed CLI), where atexit never runs. Elsewhere
    a no-op: stop() and atexit are then all there is."""
    try:
        import ctypes  # pylint: disable=import-outside-toplevel
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def ensure_venv(venv=VENV, requirements=REQUIREMENTS, python=None, log=sys.stderr) -> pathlib.Path:
    """``venv`` with the pinned Glance installed (made or updated when its stamp is older than ``requirements``)."""
    return venvs.ensure_venv(venv, requirements, python=python or os.environ.get("GLANCE_PYTHON"), log=log)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def glance_conf(folder: pathlib.Path) -> str:
    """glance-api.conf: sqlite, the file store, Glance's image formats plus IMS's, the loopback flavor."""
    return "\n".join([
        "[DEFAULT]",
        "enabled_backends = fs:file",
        "[database]",
        "connection = sqlite:///%s" % (folder / "glance.sqlite"),
        "[glance_store]",
        "default_backend = fs",
        "[fs]",
        "filesystem_store_datadir = %s" % (folder / "images"),
        "[os_glance_tasks_store]",
        "filesystem_store_datadir = %s" % (folder / "tasks"),
        "[os_glance_staging_store]",
        "filesystem_store_datadir = %s" % (folder / "staging"),
        "[paste_deploy]",
        "flavor = loopback",
        "[image_format]",
        "disk_formats = %s" % DISK_FORMATS,
        # Glance 33 checks an upload against disk_format; IMS does not.
        "require_image_format_match = false",
        "",
    ])


def paste_ini(stock: str) -> str:
    """Glance's own glance-api-paste.ini plus the ``loopback`` flavor: the stock pipeline with
    the identity filter of glance_identity.py where Keystone's ``authtoken`` would be."""
    return "\n".join([
        stock.rstrip("\n"),
        "",
        "[composite:glance-api-loopback]",
        "paste.composite_factory = glance.api:root_app_factory",
        "/: api-loopback",
        "/healthcheck: healthcheck",
        "",
        "[composite:api-loopback]",
        "paste.composite_factory = glance.api:pipeline_factory",
        "loopback = cors http_proxy_to_wsgi versionnegotiation osprofiler identity context rootapp",
        "",
        "[filter:identity]",
        "paste.filter_factory = glance_identity:factory",
        "",
    ])


class GlanceError(RuntimeError):
    """Glance did not start; the message carries the end of its log."""


class Glance:
    """One Glance on 127.0.0.1: ``url``, ``project_id`` (the filter's default), :meth:`stop`."""

    def __init__(self, folder, process, port, project_id):
        self.folder = folder
        self.process = process
        self.port = port
        self.url = "http://127.0.0.1:%d" % port
        self.project_id = project_id

    @classmethod
    def start(cls, venv=None, project_id=None, iam_url=None) -> "Glance":
        """Configure, migrate and serve a fresh Glance; wait until it answers.

        ``iam_url``: a Keystone-compatible IAM (the emulator's) that validates ``X-Auth-Token``
        (glance_identity.py); without it the client's ``X-Project-Id`` is the project.
        """
        import glance_identity  # the filter module of this folder: its default project

        venv = pathlib.Path(venv) if venv else ensure_venv()
        project_id = project_id or glance_identity.DEFAULT_PROJECT
        folder = pathlib.Path(tempfile.mkdtemp(prefix="hwcloud-ims-glance-"))
        try:
            for name in ("images", "tasks", "staging", "etc"):
                (folder / name).mkdir()
            conf = folder / "etc" / "glance-api.conf"
            conf.write_text(glance_conf(folder), encoding="utf-8")
            stock = (venv / "etc" / "glance" / "glance-api-paste.ini").read_text(encoding="utf-8")
            (folder / "etc" / "glance-api-paste.ini").write_text(paste_ini(stock), encoding="utf-8")
            log = folder / "glance.log"
            with open(log, "ab") as out:
                subprocess.run([str(venv / "bin" / "glance-manage"), "--config-file", str(conf), "db_sync"],
                               check=True, stdout=out, stderr=subprocess.STDOUT)
            env = dict(os.environ, OS_GLANCE_CONFIG_DIR=str(folder / "etc"), PYTHONPATH=str(HERE),
                       GLANCE_LOOPBACK_PROJECT=project_id, GLANCE_LOOPBACK_IAM=iam_url or "")
            env.pop("PYTHONHOME", None)
            port = free_port()
            with open(log, "ab") as out:
                process = subprocess.Popen(  # pylint: disable=consider-using-with
                    [str(venv / "bin" / "gunicorn"), "--workers", "1", "--threads", "1", "--timeout", "120",
                     "--bind", "127.0.0.1:%d" % port, "--access-logfile", str(folder / ACCESS_LOG),
                     "--access-logformat", ACCESS_FORMAT, "glance.wsgi.api:application"],
                    cwd=str(folder), env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=_die_with_parent)  # pylint: disable=subprocess-popen-preexec-fn
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        server = cls(folder, process, port, project_id)
        _RUNNING.add(server)
        try:
            server.wait_ready()
        except BaseException:
            server.stop()
            raise
        return server

    def requests(self, since=0) -> list:
        """Every request served so far (after the first ``since``), as ``(method, path, query, status)``.

        ``/healthcheck`` (the readiness probe) is left out. ``len(glance.requests())`` is the mark
        to pass as ``since`` to see only what a run sent.

        gunicorn writes a request's line just after its answer is sent, so the line of a request
        answered a moment ago may be missing yet. Its single worker serves one request at a
        time: once it has answered a ``/healthcheck`` asked here first, every earlier line is written.
        """
        with urllib.request.urlopen(self.url + "/healthcheck", timeout=30) as answer:
            answer.read()
        try:
            lines = (self.folder / ACCESS_LOG).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        served = []
        for line in lines:
            # "%(r)s %(s)s": the request line as received ("GET /v2/images?limit=2 HTTP/1.1"), the status.
            method, target, _version, status = (line.split(" ") + ["", "", "", ""])[:4]
            path, _mark, query = target.partition("?")
            if path != "/healthcheck":
                served.append((method, path, query, int(status) if status.isdigit() else 0))
        return served[since:]

    def writes(self, since=0) -> list:
        """The write requests (POST, PUT, PATCH, DELETE) among :meth:`requests`."""
        return [request for request in self.requests(since) if request[0] in ("POST", "PUT", "PATCH", "DELETE")]

    def backdate(self, image_id, days=0, hours=0):
        """Make ``image_id`` look created (and last updated) ``days``/``hours`` ago.

        Glance has no API for it, so this writes its sqlite database, as a test's seeding
        does; one statement, while the server waits for requests.
        """
        when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days, hours=hours)
        stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f")
        with contextlib.closing(sqlite3.connect(str(self.folder / "glance.sqlite"), timeout=30)) as database:
            with database:
                changed = database.execute("UPDATE images SET created_at = ?, updated_at = ? WHERE id = ?",
                                           (stamp, stamp, image_id)).rowcount
        if changed != 1:
            raise KeyError("no image %s in Glance's database" % image_id)

    def log_tail(self, lines=40) -> str:
        """The end of Glance's log (gunicorn's and Glance's own output)."""
        try:
            text = (self.folder / "glance.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout=START_TIMEOUT):
        """Wait until ``GET /healthcheck`` answers 200, or raise GlanceError with the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GlanceError("Glance exited with %s before answering:\n%s"
                                  % (self.process.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen(self.url + "/healthcheck", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise GlanceError("Glance did not answer within %.0f s:\n%s" % (timeout, self.log_tail()))

    def stop(self):
        """Stop the server (its whole process group) and remove its folder; idempotent."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
            except ProcessLookupError:
                pass
        _RUNNING.discard(self)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Serve the pinned OpenStack Glance on loopback until interrupted.")
    parser.add_argument("--project-id", help="the default project of requests without X-Project-Id")
    parser.add_argument("--iam", help="a Keystone-compatible IAM URL that validates X-Auth-Token")
    args = parser.parse_args(argv)
    with Glance.start(project_id=args.project_id, iam_url=args.iam) as server:
        print("Glance serving at %s (project %s); Ctrl-C stops it" % (server.url, server.project_id), flush=True)
        try:
            server.process.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
