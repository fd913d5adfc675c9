# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The loopback Glance itself: it stops and leaves nothing behind, whatever the outcome."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import glance_server
from glance_server import Glance, GlanceError

HERE = pathlib.Path(__file__).resolve().parent


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of this process counts as gone: it no longer serves.
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1].split(" ", 1)[0] != "Z"
    except OSError:
        return False


def test_a_failing_test_body_still_stops_and_removes_it():
    with pytest.raises(RuntimeError, match="the test failed"):
        with Glance.start() as server:
            pid, folder = server.process.pid, server.folder
            assert (folder / "glance.sqlite").exists() and alive(pid)
            raise RuntimeError("the test failed")
    assert not alive(pid)
    assert not folder.exists()


def starting_glance(then):
    """A Python script that starts a Glance, prints its pid and folder as JSON, then runs ``then``."""
    return textwrap.dedent("""
        import json, sys, time
        sys.path.insert(0, %r)
        from glance_server import Glance
        server = Glance.start()
        print(json.dumps({"pid": server.process.pid, "folder": str(server.folder)}), flush=True)
    """ % str(HERE)) + then + "\n"


def test_a_process_that_exits_without_stopping_it_leaves_nothing():
    script = starting_glance("sys.exit(3)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 3, done.stderr
    started = json.loads(done.stdout.strip().splitlines()[-1])
    assert not alive(started["pid"])
    assert not pathlib.Path(started["folder"]).exists()


def test_a_process_killed_outright_takes_its_glance_with_it():
    # SIGKILL runs no atexit and no finally: only the child's parent-death signal stops gunicorn.
    script = starting_glance("time.sleep(600)")
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as parent:
        started = json.loads(parent.stdout.readline())
        try:
            assert alive(started["pid"])
            parent.send_signal(signal.SIGKILL)
            parent.wait(timeout=30)
            deadline = time.monotonic() + 30
            while alive(started["pid"]) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not alive(started["pid"]), "gunicorn outlived the process that started it"
        finally:
            if alive(started["pid"]):
                os.kill(started["pid"], signal.SIGTERM)  # gunicorn's master stops its worker too
            # Nothing ran in the killed process to remove its folder (docs/dev/glance.md).
            shutil.rmtree(started["folder"], ignore_errors=True)


def test_a_glance_that_cannot_start_says_why_and_leaves_nothing(monkeypatch, tmp_path):
    folders = []
    real_mkdtemp = glance_server.tempfile.mkdtemp

    def recording_mkdtemp(**kwargs):
        folders.append(pathlib.Path(real_mkdtemp(**kwargs)))
        return str(folders[-1])

    monkeypatch.setattr(glance_server.tempfile, "mkdtemp", recording_mkdtemp)
    # A paste pipeline naming a filter that does not exist: Glance exits at start-up.
    monkeypatch.setattr(glance_server, "paste_ini",
                        lambda stock: stock + "\n[composite:glance-api-loopback]\nuse = egg:no-such-thing\n")
    with pytest.raises(GlanceError) as failed:
        Glance.start()
    assert "Glance exited" in str(failed.value) or "did not answer" in str(failed.value)
    assert "no-such-thing" in str(failed.value) or "Traceback" in str(failed.value), str(failed.value)
    assert folders and not folders[0].exists()
