# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Guides run as a reader runs them, so that they cannot rot.

Every fenced block of a runnable guide follows a marker comment (invisible once rendered):

``<!-- sample: file NAME -->``
    a file of the reader's project: written to NAME in an empty folder first;
``<!-- sample: run -->``
    shell commands: every run block is run, in the guide's order, in one bash
    (``set -euo pipefail``) in that folder, so variables exported by one are seen by the next;
``<!-- sample: server -->``
    one command that starts the standalone emulator: started in the background (the guide says
    "in a second terminal") once the blocks before it have run; the next block runs once it
    printed its URL; it is stopped at the end;
``<!-- sample: output -->``
    what the run block before it prints: each of its lines must match a line of that block's
    output (stdout and stderr), where runs of white space count as one space and ``…`` stands
    for anything;
``<!-- sample: show -->``
    an illustration, not run.

:func:`run_guide` runs one (its ``substitutions`` replace text of the blocks, e.g. a fixed port
by a free one) and fails the test with the output of the block that failed, or with every
output block that does not match.
"""

from __future__ import annotations

import os
import pathlib
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
KINDS = ("file", "run", "server", "output", "show")
MARKER = re.compile(r"^<!-- sample: (?P<kind>[a-z]+)(?: (?P<arg>\S+))? -->$")
FENCE = re.compile(r"^```(?P<lang>[\w+-]*)\s*$")


class Sample:
    def __init__(self, kind, arg, lang, body, line, guide):
        self.kind, self.arg, self.lang, self.body, self.line, self.guide = kind, arg, lang, body, line, guide

    def __repr__(self):
        arg = " " + self.arg if self.arg else ""
        return "<sample %s%s at %s:%d>" % (self.kind, arg, self.guide, self.line)


def parse_guide(path):
    """The fenced blocks of the guide at ``path``, each with its marker (kind None when it has none)."""
    path = pathlib.Path(path)
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    samples = []
    marker = None
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        found = MARKER.match(line.strip())
        fence = FENCE.match(line)
        if found:
            marker = (found.group("kind"), found.group("arg"))
        elif fence:
            end = index + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            assert end < len(lines), "unclosed code block at %s:%d" % (name, index + 1)
            kind, arg = marker or (None, None)
            samples.append(Sample(kind, arg, fence.group("lang"), "\n".join(lines[index + 1:end]) + "\n",
                                  index + 1, name))
            marker = None
            index = end
        elif line.strip():
            marker = None
        index += 1
    return samples


def check_markers(samples, required=("run", "output")):
    """Every block marked, file names unique, output after run, one command per server block."""
    unmarked = [sample for sample in samples if sample.kind not in KINDS]
    assert not unmarked, "code blocks without a <!-- sample: KIND --> marker (%s): %r" % ("|".join(KINDS), unmarked)
    files = [sample.arg for sample in samples if sample.kind == "file"]
    assert all(files) and len(set(files)) == len(files), files
    for previous, sample in zip(samples, samples[1:]):
        if sample.kind == "output":
            assert previous.kind == "run", "%r does not follow a run block" % sample
    for sample in samples:
        if sample.kind == "server":
            assert len(sample.body.strip().splitlines()) == 1, "%r: one command only" % sample
    assert {sample.kind for sample in samples} >= set(required)


def normalize(line):
    return " ".join(line.split())


def missing_lines(expected, actual):
    """The lines of ``expected`` that match no line of ``actual``."""
    actual_lines = [normalize(line) for line in actual.splitlines()]
    missing = []
    for line in expected.splitlines():
        if not line.strip():
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in normalize(line).split("…")))
        if not any(pattern.fullmatch(candidate) for candidate in actual_lines):
            missing.append(line)
    return missing


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def substitute(text, substitutions):
    for old, new in substitutions.items():
        text = text.replace(old, new)
    return text


def build_script(samples, workdir, substitutions):
    """The bash script of the run and server blocks; each block's output goes to out/N.txt."""
    parts = ["set -euo pipefail", "cd %s" % shlex.quote(str(workdir)), "mkdir -p out"]
    for number, sample in enumerate(samples):
        body = substitute(sample.body, substitutions)
        out = "out/%d.txt" % number
        if sample.kind == "run":
            parts.append("echo '>>> %r' >&2" % sample)
            parts.append("{\n%s} > %s 2>&1" % (body, out))
        elif sample.kind == "server":
            parts.append("echo '>>> %r (in the background)' >&2" % sample)
            parts.append("%s > %s 2>&1 &" % (body.strip(), out))
            parts.append("echo $! >> server.pids")
            parts.append("for _ in $(seq 150); do grep -q '^http' %s && break; sleep 0.1; done" % out)
            parts.append("grep -q '^http' %s" % out)
    parts.append("echo '>>> every sample ran' >&2")
    return "\n".join(parts) + "\n"


def stop_servers(workdir):
    pids = workdir / "server.pids"
    if not pids.exists():
        return
    for pid in pids.read_text().split():
        try:
            os.kill(int(pid), signal.SIGTERM)
        except ProcessLookupError:
            pass


def require_tools(*tools):
    """Skip the test unless the reader's shell has every one of ``tools`` (the guide's commands use them)."""
    for tool in tools:
        if not shutil.which(tool):
            pytest.skip("the guide's commands need %s" % tool)


def reader_environment(tmp_path):
    """A reader's shell: nothing of HW_* or EMU set beforehand; this venv's tools (ansible, python3
    with requests and pytest) first; the collection found as the Makefile sets it up."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("HW_") and name != "EMU"}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "collections"))
    env["ANSIBLE_LOCAL_TEMP"] = str(tmp_path / "ansible-local")
    env["ANSIBLE_REMOTE_TMP"] = str(tmp_path / "ansible-remote")
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["ANSIBLE_RETRY_FILES_ENABLED"] = "0"
    return env


def run_guide(samples, tmp_path, substitutions=None, env=None, timeout=900):
    """Run the guide's blocks in ``tmp_path/project``; fail the test unless every block ran and every
    output block matches. Returns the project folder."""
    substitutions = substitutions or {}
    workdir = tmp_path / "project"
    workdir.mkdir()
    for sample in samples:
        if sample.kind == "file":
            (workdir / sample.arg).write_text(substitute(sample.body, substitutions), encoding="utf-8")
    script = build_script(samples, workdir, substitutions)
    (tmp_path / "guide.sh").write_text(script, encoding="utf-8")
    process = subprocess.Popen(["bash", str(tmp_path / "guide.sh")], env=env or reader_environment(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        progress = process.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        progress = process.communicate()[0]
    finally:
        stop_servers(workdir)

    def output_of(number):
        path = workdir / "out" / ("%d.txt" % number)
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else "(no output)"

    if process.returncode != 0:
        ran = [number for number, sample in enumerate(samples)
               if sample.kind in ("run", "server") and (workdir / "out" / ("%d.txt" % number)).exists()]
        last = ran[-1] if ran else None
        pytest.fail("the guide's samples failed (exit status %s)\n--- progress\n%s\n--- output of %r\n%s"
                    % (process.returncode, progress, samples[last] if last is not None else None,
                       output_of(last) if last is not None else ""), pytrace=False)

    problems = []
    for number, sample in enumerate(samples):
        if sample.kind == "output":
            actual = output_of(number - 1)
            missing = missing_lines(sample.body, actual)
            if missing:
                problems.append("%r: no line like\n  %s\nin the output of %r:\n%s"
                                % (sample, "\n  ".join(missing), samples[number - 1], actual))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
    return workdir
