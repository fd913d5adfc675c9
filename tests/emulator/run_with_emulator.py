"""Run a command against a fresh IMS emulator.

    python3 tests/emulator/run_with_emulator.py [--state FILE] [--seed-demo] [--port N] [--tls]
                                                [--account AK:SK:PROJECT_ID]... -- COMMAND...

Starts the emulator, exports HW_IMS_ENDPOINT, HW_IAM_ENDPOINT, HW_ACCESS_KEY,
HW_SECRET_KEY, HW_PROJECT_ID and HW_REGION_NAME for its default account, runs COMMAND,
stops the emulator and exits with COMMAND's status (128 + N when a signal N ended it).
Each --account (repeatable) is an AK/SK account of the emulator, in place of its built-in
one; the first is the default account above. Every account N (1, 2, ... in the order given;
1 is the default one) is also exported as HW_ACCESS_KEY_N, HW_SECRET_KEY_N and
HW_PROJECT_ID_N, so COMMAND reaches the other projects (docs/sharing.md).
SIGINT and SIGTERM are passed on to COMMAND. With --tls the emulator serves HTTPS with a
certificate signed by a throwaway CA, and HW_CA_BUNDLE names that CA's PEM file (made with the
cryptography package, or the openssl command). Otherwise standard library only.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

# Run by path: Python puts this file's folder (and so harness.py) first on sys.path.
from harness import Emulator, EmulatorError

# A few private images of the default project, as a small team would have them.
DEMO_IMAGES = [
    {"name": "demo-web-base", "status": "active", "age_days": 2, "tags": ["team=web", "env=prod"],
     "properties": {"__os_version": "Ubuntu 22.04 server 64bit", "disk_format": "qcow2", "min_disk": 40,
                    "__description": "Web front end, nginx and the app runtime"}},
    {"name": "demo-db-base", "status": "active", "age_days": 9, "tags": ["team=db", "env=prod"],
     "properties": {"__os_version": "CentOS 7.9 64bit", "disk_format": "zvhd2", "min_disk": 100,
                    "min_ram": 4096, "__description": "PostgreSQL 15 server"}},
    {"name": "demo-web-candidate", "status": "active", "age_days": 0.25, "tags": ["team=web", "env=staging"],
     "properties": {"__os_version": "Ubuntu 22.04 server 64bit", "disk_format": "qcow2", "min_disk": 40}},
    {"name": "demo-web-broken-build", "status": "killed", "age_days": 21, "tags": ["team=web", "env=dev"],
     "properties": {"__os_version": "Ubuntu 20.04 server 64bit", "disk_format": "qcow2", "min_disk": 40}},
    {"name": "demo-db-upload-pending", "status": "queued", "age_days": 1, "tags": ["team=db", "env=dev"],
     "properties": {"__os_version": "CentOS 7.9 64bit", "disk_format": "vhd", "min_disk": 100}},
]

# What demo/demo.yml's golden-image pipeline (the role hwcloud.ims.image_publish) needs: the
# prepared server it bakes demo-golden-VERSION from, in the default region (cn-north-4); the
# project that launches the images there, which accepted an earlier version; and four earlier
# versions of the family, a few days old (younger than the demo cleanup's 7 days): with the
# newest 2 kept, one is retired, one is spared as protected and one as shared with an accepted
# member. The copies to other regions use the agency every account of the emulator has
# (ims_admin_agency), into the account's project of each region.
DEMO_SERVER = {"id": "5e7a0c2d-1b3f-4d6e-8a9b-0c1d2e3f4a5b", "name": "demo-golden-builder",
               "os_version": "Ubuntu 22.04 server 64bit"}
DEMO_CONSUMER_PROJECT = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"
_GOLDEN = {"__os_version": "Ubuntu 22.04 server 64bit", "disk_format": "zvhd2", "min_disk": 40}
DEMO_GOLDEN_IMAGES = [
    {"name": "demo-golden-20260222", "age_days": 6, "protected": True,
     "tags": ["family=demo-golden", "version=20260222"], "properties": dict(_GOLDEN)},
    {"name": "demo-golden-20260223", "age_days": 5, "members": [{"member": DEMO_CONSUMER_PROJECT, "status": "accepted"}],
     "tags": ["family=demo-golden", "version=20260223"], "properties": dict(_GOLDEN)},
    {"name": "demo-golden-20260224", "age_days": 4,
     "tags": ["family=demo-golden", "version=20260224"], "properties": dict(_GOLDEN)},
    {"name": "demo-golden-20260226", "age_days": 2,
     "tags": ["family=demo-golden", "version=20260226"], "properties": dict(_GOLDEN)},
]
# The emulator's jobs (the bake, the copies) take this long under --seed-demo (its default: 10 s).
DEMO_JOB_SECONDS = 1


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Run COMMAND against a fresh IMS emulator (see tests/emulator/README.md).",
        usage="%(prog)s [--state FILE] [--seed-demo] [--port N] [--tls] [--account AK:SK:PROJECT_ID]... -- COMMAND...")
    parser.add_argument("--state", metavar="FILE", help="the emulator's --state file")
    parser.add_argument("--seed-demo", action="store_true",
                        help="add a few demo images and the demo pipeline's server to the default project first, "
                             "and make the emulator's jobs short (%d s)" % DEMO_JOB_SECONDS)
    parser.add_argument("--port", type=int, default=0, help="port of the emulator (default: a free one)")
    parser.add_argument("--account", action="append", type=parse_account, metavar="AK:SK:PROJECT_ID",
                        help="an AK/SK account (repeatable; the first is the default, exported as HW_*; "
                             "account N is also exported as HW_ACCESS_KEY_N, HW_SECRET_KEY_N, HW_PROJECT_ID_N)")
    parser.add_argument("--tls", action="store_true",
                        help="serve HTTPS with a throwaway CA; HW_CA_BUNDLE names the CA's PEM file")
    if "--" in argv:
        split = argv.index("--")
        options, command = argv[:split], argv[split + 1:]
    else:
        options, command = argv, []
    args = parser.parse_args(options)
    if not command:
        parser.error("give the command to run after --")
    args.command = command
    return args


def parse_account(text: str) -> str:
    """``AK:SK:PROJECT_ID`` as given (the SK may contain ``:``), once checked."""
    access_key, sep, rest = text.partition(":")
    secret_key, sep2, project_id = rest.rpartition(":")
    if not (sep and sep2 and access_key and secret_key and project_id):
        raise argparse.ArgumentTypeError("expected AK:SK:PROJECT_ID (three parts separated by colons)")
    return text


def accounts_env(accounts) -> dict:
    """HW_ACCESS_KEY_N, HW_SECRET_KEY_N and HW_PROJECT_ID_N of every account, N from 1 (the default)."""
    env = {}
    for number, account in enumerate(accounts, 1):
        env["HW_ACCESS_KEY_%d" % number] = account["access_key"]
        env["HW_SECRET_KEY_%d" % number] = account["secret_key"]
        env["HW_PROJECT_ID_%d" % number] = account["project_id"]
    return env


def seed_demo(emulator: Emulator) -> None:
    """Seed the demo images and the pipeline's server, unless a previous run (same --state) already did."""
    project = emulator.default_account["project_id"]
    names = {image["name"] for image in emulator.images() if image["owner"] == project}
    missing = [dict(image, owner=project) for image in DEMO_IMAGES + DEMO_GOLDEN_IMAGES if image["name"] not in names]
    if missing:
        emulator.seed(images=missing)
    if DEMO_SERVER["id"] not in [server["id"] for server in emulator.resources().get("servers", [])]:
        emulator.seed_resources(servers=[DEMO_SERVER])


def run(command, env) -> int:
    """Run the command, passing SIGINT and SIGTERM on; its exit status."""
    child = subprocess.Popen(command, env=env)

    def forward(signum, _frame):
        # A Ctrl-C typed in the terminal already reaches the command (same foreground
        # process group): pass SIGINT on only when it was sent to this process alone.
        if signum == signal.SIGINT and _in_terminal_foreground():
            return
        if child.poll() is None:
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                status = child.wait()
                break
            except InterruptedError:
                continue
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - status if status < 0 else status


def _in_terminal_foreground() -> bool:
    try:
        return os.isatty(0) and os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        emulator = Emulator.start(accounts=args.account, state=args.state, port=args.port, tls=args.tls,
                                  extra_args=("--job-seconds", DEMO_JOB_SECONDS) if args.seed_demo else ())
    except EmulatorError as exc:
        sys.stderr.write("run_with_emulator: %s\n" % exc)
        return 1
    try:
        if args.seed_demo:
            seed_demo(emulator)
        env = dict(os.environ)
        env.update(emulator.env())
        env.update(accounts_env(emulator.accounts))
        try:
            status = run(args.command, env)
        except OSError as exc:
            sys.stderr.write("run_with_emulator: cannot run %s: %s\n" % (args.command[0], exc))
            status = 127
        errors = emulator.stderr()
        if errors.strip():
            sys.stderr.write("run_with_emulator: the emulator reported:\n%s" % errors)
    finally:
        emulator.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
