"""The emulator as a process: the stdout URL line, signals, --state, run_with_emulator.py."""

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest
import requests

from emulator_client import (A, B, USER_A, USER_B, HERE, Client, start_emulator,
                             pythonpath_for_children)
import harness
import run_with_emulator

EMULATOR = os.path.join(HERE, "ims_emulator.py")
RUNNER = os.path.join(HERE, "run_with_emulator.py")
URL_LINE = re.compile(r"^http://127\.0\.0\.1:(\d+)$")


def _readline(proc, timeout=20):
    deadline = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < deadline:
        ready, _writable, _failed = select.select([proc.stdout], [], [], 0.2)
        if ready:
            ch = os.read(proc.stdout.fileno(), 1)
            if not ch:
                break
            buf += ch
            if ch == b"\n":
                return buf.decode()
        elif proc.poll() is not None:
            break
    raise AssertionError("no URL line on stdout (got %r, rc=%r)" % (buf, proc.poll()))


def _spawn(tmp_path, *args):
    err = open(tmp_path / "stderr.txt", "wb")
    proc = subprocess.Popen([sys.executable, EMULATOR, "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
    err.close()
    return proc


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stdout_url_line_and_signal_stop(tmp_path, sig):
    proc = _spawn(tmp_path)
    try:
        line = _readline(proc)
        assert line.endswith("\n")
        m = URL_LINE.match(line.rstrip("\n"))
        assert m, line
        port = int(m.group(1))
        assert port > 0
        # it accepts connections once the line is printed
        r = requests.get(line.strip() + "/_emulator/stats", timeout=10)
        assert r.status_code == 200
        c = Client(type("E", (), {"base_url": line.strip()})())
        assert c.get("/v2/images").status_code == 200
        c.session.close()
        proc.send_signal(sig)
        rc = proc.wait(timeout=15)
        rest = proc.stdout.read()
        assert rest == b"", "more than one line on stdout: %r" % rest
        assert rc == 0, rc
        stderr = (tmp_path / "stderr.txt").read_text(errors="replace")
        assert "Traceback" not in stderr, stderr
        with pytest.raises(requests.ConnectionError):
            requests.get(line.strip() + "/_emulator/stats", timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_explicit_port_and_host(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    err = open(tmp_path / "stderr.txt", "wb")
    proc = subprocess.Popen([sys.executable, EMULATOR, "--port", str(port), "--host", "127.0.0.1"],
                            stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
    err.close()
    try:
        assert _readline(proc).strip() == "http://127.0.0.1:%d" % port
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        proc.stdout.close()


def test_harness_start_stop():
    emu = start_emulator()
    url = emu.base_url
    assert URL_LINE.match(url.rstrip("/")), url
    env = emu.env()
    assert isinstance(env, dict) and env
    emu.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url.rstrip("/") + "/_emulator/stats", timeout=5)


# --------------------------------------------------------------------------------------
# --state

def test_state_persists_across_restart(tmp_path):
    state = tmp_path / "state.json"
    emu = start_emulator(accounts=[A, B], users=[USER_A, USER_B], state=str(state))
    c = Client(emu)
    cb = Client(emu, account=B)
    data = os.urandom(50000)
    try:
        gold_before = sorted(i["id"] for i in c.list_all({"__imagetype": "gold"}))
        img = c.create(name="persisted", tags=["keep=me"], __description="d")
        assert c.upload(img["id"], data).status_code == 204
        queued = c.create(name="still-queued")
        assert c.post("/v2/images/%s/members" % img["id"], json={"member": B["project_id"]}).status_code == 200
        assert cb.put("/v2/images/%s/members/%s" % (img["id"], B["project_id"]),
                      json={"status": "accepted"}).status_code == 200
        deleted = c.create(name="deleted")
        assert c.delete("/v2/images/%s" % deleted["id"]).status_code == 204
        tok = c.token()
        shown = c.show(img["id"]).json()
    finally:
        c.session.close()
        cb.session.close()
        emu.stop()
    assert state.exists()
    json.loads(state.read_text())
    assert (tmp_path / "state.json.d").is_dir()

    emu = start_emulator(accounts=[A, B], users=[USER_A, USER_B], state=str(state))
    c = Client(emu)
    cb = Client(emu, account=B)
    try:
        again = c.show(img["id"])
        assert again.status_code == 200
        assert again.json() == shown
        d = c.get("/v2/images/%s/file" % img["id"], auth="token", token=tok)  # the token persisted too
        assert d.status_code == 200 and d.content == data
        assert c.show(queued["id"]).json()["status"] == "queued"
        assert c.show(deleted["id"]).status_code == 404
        assert cb.show(img["id"]).json()["__imagetype"] == "shared"
        assert sorted(i["id"] for i in c.list_all({"__imagetype": "gold"})) == gold_before
        # and it keeps writing: a change in the second run is seen by a third
        assert c.upload(queued["id"], b"second run").status_code == 204
    finally:
        c.session.close()
        cb.session.close()
        emu.stop()

    emu = start_emulator(accounts=[A, B], users=[USER_A, USER_B], state=str(state))
    c = Client(emu)
    try:
        assert c.show(queued["id"]).json()["status"] == "active"
        assert c.get("/v2/images/%s/file" % queued["id"]).content == b"second run"
    finally:
        c.session.close()
        emu.stop()


def test_without_state_nothing_persists(tmp_path):
    emu = start_emulator()
    c = Client(emu, users={A["project_id"]: USER_A})
    try:
        img = c.create(name="ephemeral")
    finally:
        c.session.close()
        emu.stop()
    emu = start_emulator()
    c = Client(emu, users={A["project_id"]: USER_A})
    try:
        assert c.show(img["id"]).status_code == 404
    finally:
        c.session.close()
        emu.stop()


# --------------------------------------------------------------------------------------
# run_with_emulator.py

CHILD = textwrap.dedent('''
    import json, os, sys, urllib.request
    from ansible_collections.hwcloud.ims.plugins.module_utils._signer import AkSkSigner, canonical_query_string
    names = ["HW_IMS_ENDPOINT", "HW_IAM_ENDPOINT", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_PROJECT_ID",
             "HW_REGION_NAME"]
    env = {n: os.environ.get(n) for n in names}
    print("ENV=" + json.dumps(env))
    signer = AkSkSigner(env["HW_ACCESS_KEY"], env["HW_SECRET_KEY"], env["HW_PROJECT_ID"])
    base = env["HW_IMS_ENDPOINT"].rstrip("/")

    def call(method, path, query=(), body=None):
        url = base + path + ("?" + canonical_query_string(query) if query else "")
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        req = urllib.request.Request(url, data=data or None, method=method,
                                     headers=signer.sign(method, url, headers=headers, body=data))
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")

    if len(sys.argv) > 2 and sys.argv[2] == "create":
        status, img = call("POST", "/v2/images", body={"name": "made-by-child"})
        print("CREATED=%d" % status)
    status, body = call("GET", "/v2/images", [("limit", "1000")])
    print("IMAGES=" + json.dumps(body["images"]))
    iam = env["HW_IAM_ENDPOINT"].rstrip("/") + "/v3/auth/tokens"
    req = urllib.request.Request(iam, method="POST", headers={"Content-Type": "application/json"},
                                 data=json.dumps({"auth": {"identity": {"methods": ["password"], "password": {
                                     "user": {"name": "emulator-user", "password": "emulator-password",
                                              "domain": {"name": "emulator-domain"}}}},
                                     "scope": {"project": {"name": env["HW_REGION_NAME"]}}}}).encode())
    with urllib.request.urlopen(req) as r:
        print("IAM=%d" % r.status)
    sys.exit(int(sys.argv[1]))
''')


def _run(*runner_args, exit_code=0, child_args=()):
    env = dict(os.environ)
    env["PYTHONPATH"] = pythonpath_for_children()
    for k in list(env):
        if k.startswith("HW_"):
            del env[k]
    p = subprocess.run([sys.executable, RUNNER, *runner_args, "--",
                        sys.executable, "-c", CHILD, str(exit_code), *child_args],
                       capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL, check=False)
    out = {}
    for line in p.stdout.splitlines():
        for key in ("ENV", "IMAGES", "IAM", "CREATED"):
            if line.startswith(key + "="):
                v = line[len(key) + 1:]
                out[key] = json.loads(v)
    return p, out


def test_runner_env_and_exit_status():
    p, out = _run(exit_code=3)
    assert p.returncode == 3, (p.returncode, p.stdout, p.stderr)
    env = out["ENV"]
    assert env["HW_ACCESS_KEY"] == harness.DEFAULT_ACCESS_KEY
    assert env["HW_SECRET_KEY"] == harness.DEFAULT_SECRET_KEY
    assert env["HW_PROJECT_ID"] == harness.DEFAULT_PROJECT_ID
    assert env["HW_REGION_NAME"] == "cn-north-4"
    assert URL_LINE.match(env["HW_IMS_ENDPOINT"].rstrip("/")), env
    assert env["HW_IAM_ENDPOINT"].startswith("http://127.0.0.1:"), env
    assert out["IAM"] == 201
    types = {i["__imagetype"] for i in out["IMAGES"]}
    assert "gold" in types  # the public catalogue
    assert [i for i in out["IMAGES"] if i["owner"] == harness.DEFAULT_PROJECT_ID] == []
    # the emulator is gone afterwards
    with pytest.raises(requests.ConnectionError):
        requests.get(env["HW_IMS_ENDPOINT"].rstrip("/") + "/_emulator/stats", timeout=5)


def test_runner_seed_demo():
    p, out = _run("--seed-demo")
    assert p.returncode == 0, (p.stdout, p.stderr)
    own = [i for i in out["IMAGES"] if i["owner"] == harness.DEFAULT_PROJECT_ID]
    statuses = {i["status"] for i in own}
    assert {"active", "killed", "queued"} <= statuses, statuses
    assert any(i["tags"] for i in own)
    assert all(i["__imagetype"] == "private" for i in own)
    # demo/demo.yml's pipeline: earlier versions of its family, one protected (retirement spares it).
    golden = {i["name"]: i for i in own if i["name"].startswith("demo-golden-")}
    assert sorted(golden) == sorted(image["name"] for image in run_with_emulator.DEMO_GOLDEN_IMAGES), sorted(golden)
    assert golden["demo-golden-20260222"]["protected"] is True


def test_seed_demo_seeds_the_pipeline_once_with_short_jobs():
    with harness.Emulator.start(extra_args=("--job-seconds", run_with_emulator.DEMO_JOB_SECONDS)) as emulator:
        run_with_emulator.seed_demo(emulator)
        run_with_emulator.seed_demo(emulator)  # as a second run with the same --state: nothing twice
        servers = emulator.resources()["servers"]
        assert [(s["id"], s["name"]) for s in servers] == [(run_with_emulator.DEMO_SERVER["id"], "demo-golden-builder")]
        names = [i["name"] for i in emulator.images() if i["owner"] == harness.DEFAULT_PROJECT_ID]
        assert len(names) == len(set(names)) == len(run_with_emulator.DEMO_IMAGES + run_with_emulator.DEMO_GOLDEN_IMAGES)
        members = emulator.members()
        shared = [i for i in emulator.images() if i["name"] == "demo-golden-20260223"][0]
        assert [(m["member_id"], m["status"]) for m in members[shared["id"]]] == [
            (run_with_emulator.DEMO_CONSUMER_PROJECT, "accepted")]
        assert emulator.jobs() == [] and emulator._call("GET", "/_emulator/jobs")["job_seconds"] == 1


def test_runner_port(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p, out = _run("--port", str(port))
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert out["ENV"]["HW_IMS_ENDPOINT"].rstrip("/") == "http://127.0.0.1:%d" % port


def test_runner_state(tmp_path):
    state = str(tmp_path / "runner-state.json")
    p, out = _run("--state", state, child_args=["create"])
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert out["CREATED"] == 201
    p, out = _run("--state", state)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert [i["name"] for i in out["IMAGES"] if i["owner"] == harness.DEFAULT_PROJECT_ID] == ["made-by-child"]


TWO_ACCOUNTS_CHILD = textwrap.dedent('''
    import json, os, urllib.request
    from ansible_collections.hwcloud.ims.plugins.module_utils._signer import AkSkSigner
    print("ENV=" + json.dumps({k: v for k, v in os.environ.items() if k.startswith("HW_")}))
    base = os.environ["HW_IMS_ENDPOINT"].rstrip("/")

    def call(number, method, path, body=None):
        suffix = "_%d" % number
        signer = AkSkSigner(os.environ["HW_ACCESS_KEY" + suffix], os.environ["HW_SECRET_KEY" + suffix],
                            os.environ["HW_PROJECT_ID" + suffix])
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        req = urllib.request.Request(base + path, data=data or None, method=method,
                                     headers=signer.sign(method, base + path, headers=headers, body=data))
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"null")

    made = call(2, "POST", "/v2/images", {"name": "made-by-account-2"})
    print("OWNER=" + json.dumps(made["owner"]))
    print("SEEN_BY_1=" + json.dumps([i["name"] for i in call(1, "GET", "/v2/images")["images"] if i["owner"] == made["owner"]]))
''')


def test_runner_accounts_are_exported_numbered_the_first_as_default():
    env = dict(os.environ)
    env["PYTHONPATH"] = pythonpath_for_children()
    for k in list(env):
        if k.startswith("HW_"):
            del env[k]
    accounts = ["%(access_key)s:%(secret_key)s:%(project_id)s" % account for account in (A, B)]
    p = subprocess.run([sys.executable, RUNNER, "--account", accounts[0], "--account", accounts[1], "--",
                        sys.executable, "-c", TWO_ACCOUNTS_CHILD],
                       capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL, check=False)
    assert p.returncode == 0, (p.stdout, p.stderr)
    out = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
    seen = json.loads(out["ENV"])
    assert (seen["HW_ACCESS_KEY"], seen["HW_SECRET_KEY"], seen["HW_PROJECT_ID"]) == (
        A["access_key"], A["secret_key"], A["project_id"])
    for number, account in ((1, A), (2, B)):
        assert (seen["HW_ACCESS_KEY_%d" % number], seen["HW_SECRET_KEY_%d" % number],
                seen["HW_PROJECT_ID_%d" % number]) == (account["access_key"], account["secret_key"], account["project_id"])
    assert "HW_ACCESS_KEY_3" not in seen
    assert json.loads(out["OWNER"]) == B["project_id"]  # account 2 signs as its own project
    assert json.loads(out["SEEN_BY_1"]) == []  # and the default project does not see its image


@pytest.mark.parametrize("value", ["AK:SK", "AK::PID", ":SK:PID", "AK:SK:"])
def test_runner_refuses_a_bad_account(value):
    p = subprocess.run([sys.executable, RUNNER, "--account", value, "--", sys.executable, "-c", "pass"],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "--account: expected AK:SK:PROJECT_ID (three parts separated by colons)" in p.stderr


def test_runner_failing_command():
    env = dict(os.environ)
    p = subprocess.run([sys.executable, RUNNER, "--", sys.executable, "-c", "import sys; sys.exit(7)"],
                       capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL, check=False)
    assert p.returncode == 7, (p.stdout, p.stderr)
