"""The command line of ``tests/emulator/ims_emulator.py`` (README "Start it").

``main()`` parses the arguments, builds an ``EmulatorApp``, serves it until SIGTERM or
SIGINT, and prints the base URL as the one line of stdout once it accepts connections.
"""

from __future__ import annotations

import argparse
import math
import signal
import ssl
import sys
import threading

from .app import EmulatorApp
from .core.server import EmulatorHTTPServer, tls_server_context
from .defaults import DEFAULT_QUOTA, DEFAULT_TOKEN_TTL
from .iam.models import Account, User
from .ims.jobs import DEFAULT_JOB_SECONDS
from .regions import DEFAULT_REGIONS, REGION_LIKE


def parse_account(text: str) -> Account:
    """``AK:SK:PROJECT_ID[,REGION=PROJECT_ID...]`` (the SK may contain ``:``): the default region's
    project, then the projects of other regions that are not to be derived."""
    access_key, sep, rest = text.partition(":")
    secret_key, sep2, projects = rest.rpartition(":")
    project_id, *others = projects.split(",")
    pairs = tuple(tuple(item.split("=", 1)) for item in others)
    if not (sep and sep2 and access_key and secret_key and project_id) or \
            not all(len(pair) == 2 and all(pair) for pair in pairs):
        raise argparse.ArgumentTypeError("expected AK:SK:PROJECT_ID[,REGION=PROJECT_ID...]")
    return Account(access_key, secret_key, project_id, pairs)


def parse_regions(text: str) -> tuple:
    """``--regions cn-north-4,cn-east-3``: the region names, the default first."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names or not all(REGION_LIKE.fullmatch(name) for name in names):
        raise argparse.ArgumentTypeError("expected region names like cn-north-4,cn-east-3")
    return names


def parse_user(text: str) -> User:
    """``NAME:PASSWORD:DOMAIN:PROJECT_ID`` (the password may contain ``:``)."""
    name, sep, rest = text.partition(":")
    parts = rest.rsplit(":", 2)
    if not sep or len(parts) != 3 or not name or not all(parts):
        raise argparse.ArgumentTypeError("expected NAME:PASSWORD:DOMAIN:PROJECT_ID")
    password, domain, project_id = parts
    return User(name, password, domain, (project_id,))


def non_negative_seconds(text: str) -> float:
    """``--job-seconds``: a number of seconds, 0 or more (0: jobs end at the first request that sees them)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of seconds") from None
    if math.isnan(value) or value < 0 or math.isinf(value):
        raise argparse.ArgumentTypeError("expected a finite number of seconds, 0 or more")
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Local emulator of Huawei Cloud IMS (see README.md).")
    parser.add_argument("--port", type=int, required=True, help="port to listen on (0: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--account", action="append", type=parse_account,
                        metavar="AK:SK:PROJECT_ID[,REGION=PROJECT_ID...]",
                        help="an AK/SK account (repeatable; replaces the default account)")
    parser.add_argument("--regions", type=parse_regions, default=DEFAULT_REGIONS, metavar="R1,R2,...",
                        help="the regions, the default first (default %s)" % ",".join(DEFAULT_REGIONS))
    parser.add_argument("--user", action="append", type=parse_user,
                        metavar="NAME:PASSWORD:DOMAIN:PROJECT_ID",
                        help="an IAM user (repeatable; replaces the default user)")
    parser.add_argument("--state", metavar="FILE", help="persist the state to FILE (image files in FILE.d/)")
    parser.add_argument("--token-ttl", type=int, default=DEFAULT_TOKEN_TTL, metavar="SECONDS",
                        help="token lifetime (default 86400)")
    parser.add_argument("--quota", type=int, default=DEFAULT_QUOTA, metavar="N",
                        help="private images per project (default %d)" % DEFAULT_QUOTA)
    parser.add_argument("--job-seconds", type=non_negative_seconds, default=DEFAULT_JOB_SECONDS, metavar="N",
                        help="how long a native create job takes, INIT included (default %g)" % DEFAULT_JOB_SECONDS)
    parser.add_argument("--no-public-images", action="store_true", help="start without the public catalogue")
    parser.add_argument("--verbose", action="store_true", help="log one line per request to stderr")
    parser.add_argument("--capture", metavar="FILE",
                        help="append every API request, unredacted, to FILE as JSON lines (tests only)")
    parser.add_argument("--tls-cert", metavar="FILE",
                        help="serve HTTPS with this PEM certificate (chain); needs --tls-key")
    parser.add_argument("--tls-key", metavar="FILE", help="the PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        app = EmulatorApp(accounts=args.account, users=args.user, state_file=args.state,
                          token_ttl=args.token_ttl, quota=args.quota,
                          public_images=not args.no_public_images, verbose=args.verbose, capture=args.capture,
                          job_seconds=args.job_seconds, regions=args.regions)
    except (OSError, ValueError) as exc:
        sys.stderr.write("ims_emulator: cannot start: %s\n" % exc)
        return 2
    tls_context = None
    if args.tls_cert:
        try:
            tls_context = tls_server_context(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            sys.stderr.write("ims_emulator: cannot start: cannot load --tls-cert/--tls-key: %s\n" % exc)
            app.close()
            return 2
    try:
        server = EmulatorHTTPServer((args.host, args.port), app, tls_context)
    except OSError as exc:
        sys.stderr.write("ims_emulator: cannot listen on %s:%s: %s\n" % (args.host, args.port, exc))
        app.close()
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    sys.stdout.write(server.base_url + "\n")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        app.close()
    return 0
