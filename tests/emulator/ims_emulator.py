"""A local emulator of Huawei Cloud IMS (the Glance v2 compatible image API) and IAM tokens.

README.md beside this file is its documentation and its specification. The emulator uses
the Python standard library only, so that it runs anywhere the collection is tested.

Layout of this file, top to bottom:

* errors and responses: ``ErrorAnswer`` (IMS, gateway and IAM shapes), ``Response``;
* ``SignatureVerifier``: the AK/SK (SDK-HMAC-SHA256) verification, and
  ``check_signing_vectors()`` that replays the official SDK's signatures through it;
* ``ImageStore``: images, members, tokens, image files and persistence;
* ``ImageListing``: the filters, sorting and paging of ``GET /v2/images``;
* ``FaultPlan`` and ``Stats``: what the control surface sets and reads;
* ``ImsApi``: one method per API operation; ``ControlSurface``: ``/_emulator/...``;
* ``Emulator``: the whole application (authentication, faults, routing);
* ``RequestHandler`` / ``EmulatorHTTPServer``: the HTTP plumbing; ``main()``.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import functools
import hashlib
import hmac
import json
import operator
import os
import random
import re
import secrets
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the imsemu package beside this file

# pylint: disable=wrong-import-position
from imsemu.core.body import CHUNK, BodyEndedEarly, BodyReader  # noqa: E402
from imsemu.core.clock import TIME_FORMAT, Clock, format_iam_time, format_time, parse_time  # noqa: E402,F401
from imsemu.core.exceptions import ErrorAnswer, GatewayErrorAnswer, gateway_fault_error  # noqa: E402
from imsemu.core.request import ECHO_BODY_LIMIT, MAX_JSON_BODY, UPLOAD_RECEIVED, RequestContext  # noqa: E402,F401
from imsemu.core.responses import DROP, JSON_ENCODER, Response, json_with_images  # noqa: E402
from imsemu.core.signing import (  # noqa: E402,F401
    ALGORITHM, MAX_DATE_SKEW, MAX_SIGNED_BODY, SDK_DATE_FORMAT, UNSIGNED_PAYLOAD, SignatureVerifier,
    check_signing_vectors)
from imsemu.defaults import (  # noqa: E402,F401
    DEFAULT_ACCESS_KEY, DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_PROJECT_ID, DEFAULT_QUOTA, DEFAULT_REGION,
    DEFAULT_SECRET_KEY, DEFAULT_TOKEN_TTL, DEFAULT_USER, PUBLIC_OWNER)
from imsemu.iam.exceptions import IamErrorAnswer  # noqa: E402
from imsemu.ims.exceptions import ImsErrorAnswer, bad_request, image_not_found  # noqa: E402
from imsemu.core.util import UUID_RE, is_int, random_uuids  # noqa: E402
from imsemu.ims.catalogue import public_catalogue  # noqa: E402
from imsemu.ims.exceptions import conflict  # noqa: E402
from imsemu.ims.images import (  # noqa: E402
    BASE_ATTRIBUTES, IMAGE_STATUSES, MEMBER_STATUSES, PATCH_CONTENT_TYPES, PUBLIC_TYPES, QUEUED_ONLY, READ_ONLY,
    STANDARD_CREATE_FIELDS, mark_active, new_image, new_member, os_fields, tag_error, validate_standard)
from imsemu.ims.listing import ImageListing  # noqa: E402
from imsemu.core.routing import Router  # noqa: E402
from imsemu.iam.auth import Authenticator  # noqa: E402
from imsemu.iam.models import Account, IamBackend, User  # noqa: E402
from imsemu.iam.responses import IamResponses  # noqa: E402
from imsemu.iam.urls import URL_PATHS as IAM_URL_PATHS  # noqa: E402
from imsemu.ims.responses import ImsResponses  # noqa: E402
from imsemu.ims.urls import URL_PATHS as IMS_URL_PATHS  # noqa: E402
from imsemu.ims.models import OWNER, ImageStore  # noqa: E402

# ----------------------------------------------------------------------------------------
# Constants

TLS_HANDSHAKE_TIMEOUT = 10  # seconds a client has to complete the TLS handshake

MAX_CONTROL_BODY = 256 * 1024 * 1024  # seeding many images at once
DRAIN_LIMIT = 256 * 1024 * 1024  # unread body we still read (and drop) before answering
LOG_SIZE = 10000

SECRET_HEADERS = frozenset({"x-auth-token", "x-security-token", "x-subject-token", "cookie"})
REDACTED = "<redacted>"

# ----------------------------------------------------------------------------------------
# Errors and responses


# ----------------------------------------------------------------------------------------
# Accounts


def parse_account(text: str) -> Account:
    """``AK:SK:PROJECT_ID`` (the SK may contain ``:``)."""
    access_key, sep, rest = text.partition(":")
    secret_key, sep2, project_id = rest.rpartition(":")
    if not (sep and sep2 and access_key and secret_key and project_id):
        raise argparse.ArgumentTypeError("expected AK:SK:PROJECT_ID")
    return Account(access_key, secret_key, project_id)


def parse_user(text: str) -> User:
    """``NAME:PASSWORD:DOMAIN:PROJECT_ID`` (the password may contain ``:``)."""
    name, sep, rest = text.partition(":")
    parts = rest.rsplit(":", 2)
    if not sep or len(parts) != 3 or not name or not all(parts):
        raise argparse.ArgumentTypeError("expected NAME:PASSWORD:DOMAIN:PROJECT_ID")
    password, domain, project_id = parts
    return User(name, password, domain, (project_id,))


# ----------------------------------------------------------------------------------------
# AK/SK signatures


# ----------------------------------------------------------------------------------------
# Images


# ----------------------------------------------------------------------------------------
# Faults and statistics


@dataclass
class Fault:
    status: int | None = None
    retry_after: float | None = None
    latency: float = 0.0
    drop: bool = False
    after: bool = False
    upload_fail: bool = False
    echo: bool = False  # the error message echoes the whole request, secrets included

    FIELDS = ("status", "retry_after", "latency", "drop", "after", "upload_fail", "echo")

    @classmethod
    def parse(cls, spec) -> "Fault":
        if is_int(spec):
            spec = {"status": spec}
        if not isinstance(spec, dict):
            raise ValueError("a fault is an HTTP status or an object")
        fault = cls()
        status = spec.get("status")
        if status is not None and not (is_int(status) and 100 <= status <= 599):
            raise ValueError("status must be an HTTP status code")
        fault.status = status
        for name in ("retry_after", "latency"):
            value = spec.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or value < 0):
                raise ValueError("%s must be a non-negative number" % name)
        fault.retry_after = spec.get("retry_after")
        fault.latency = float(spec.get("latency") or 0)
        for name in ("drop", "after", "upload_fail", "echo"):
            value = spec.get(name, False)
            if not isinstance(value, bool):
                raise ValueError("%s must be true or false" % name)
            setattr(fault, name, value)
        return fault

    @property
    def answers(self) -> bool:
        """Whether this fault replaces the answer (an error or a dropped connection)."""
        return self.drop or self.status is not None


class FaultRule:
    def __init__(self, spec: dict):
        if not isinstance(spec, dict):
            raise ValueError("a rule is an object")
        self.spec = spec
        self.method = spec.get("method")
        if self.method is not None and not isinstance(self.method, str):
            raise ValueError("method must be a string")
        path = spec.get("path")
        if path is not None and not isinstance(path, str):
            raise ValueError("path must be a string")
        try:
            self.path = re.compile(path) if path is not None else None
        except re.error as exc:
            raise ValueError("path is not a regular expression: %s" % exc) from None
        self.rate = spec.get("rate", 1)
        if isinstance(self.rate, bool) or not isinstance(self.rate, (int, float)) or not 0 <= self.rate <= 1:
            raise ValueError("rate must be a number from 0 to 1")
        self.times = spec.get("times")
        if self.times is not None and not (is_int(self.times) and self.times >= 0):
            raise ValueError("times must be a non-negative integer")
        sequence = spec.get("sequence")
        if sequence is not None and not isinstance(sequence, list):
            raise ValueError("sequence must be a list")
        self.sequence = None if sequence is None else \
            [None if entry is None else Fault.parse(entry) for entry in sequence]
        self.fault = Fault.parse({k: v for k, v in spec.items() if k in Fault.FIELDS})
        self.position = 0
        self.injected = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or self.path.fullmatch(path) is not None

    def fire(self, rng: random.Random) -> Fault | None:
        """The fault for one matching request, or None if the rule does not fire."""
        if self.times is not None and self.injected >= self.times:
            return None
        if self.sequence is not None:
            if self.position >= len(self.sequence):
                return None
            fault = self.sequence[self.position]
            self.position += 1
        elif self.rate >= 1 or rng.random() < self.rate:
            fault = self.fault
        else:
            fault = None
        if fault is not None:
            self.injected += 1
        return fault


class FaultPlan:
    """The fault plan of the control surface (README "Faults")."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.seed = None
            self.latency = 0.0
            self.rules = []
            self.rng = random.Random()

    def set(self, plan) -> None:
        if not isinstance(plan, dict):
            raise ValueError("the plan is an object")
        latency = plan.get("latency", 0) or 0
        if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
            raise ValueError("latency must be a non-negative number")
        rules = plan.get("rules", [])
        if not isinstance(rules, list):
            raise ValueError("rules must be a list")
        parsed = [FaultRule(rule) for rule in rules]
        with self.lock:
            self.seed = plan.get("seed")
            self.latency = float(latency)
            self.rules = parsed
            self.rng = random.Random(self.seed)

    def pick(self, method: str, path: str) -> Fault | None:
        """The fault of the first matching rule that fires."""
        with self.lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    fault = rule.fire(self.rng)
                    if fault is not None:
                        return fault
        return None

    def describe(self) -> dict:
        with self.lock:
            rules = [dict(rule.spec, injected=rule.injected) for rule in self.rules]
            return {"seed": self.seed, "latency": self.latency, "rules": rules}


class Stats:
    """Counts and a log of every API request (the control surface is not counted)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.by_method = collections.Counter()
        self.by_route = collections.Counter()
        self.log = collections.deque(maxlen=LOG_SIZE)

    def record(self, entry: dict) -> None:
        with self.lock:
            self.total += 1
            self.by_method[entry["method"]] += 1
            self.by_route[entry["route"]] += 1
            self.log.append(entry)

    def snapshot(self) -> dict:
        with self.lock:
            return {"total": self.total, "by_method": dict(self.by_method),
                    "by_route": dict(self.by_route), "log": list(self.log)}

    def clear(self) -> None:
        with self.lock:
            self.reset()


def auth_kind(headers) -> str:
    """How a request authenticates, for the log: aksk, token or none."""
    if headers.get("Authorization", "").strip().startswith(ALGORITHM):
        return "aksk"
    return "token" if headers.get("X-Auth-Token") else "none"


def redact_headers(headers) -> dict:
    """Request headers for the log: secrets replaced, the signature hidden."""
    out = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "authorization":
            try:
                access, signed, _signature = SignatureVerifier.parse_authorization(value)
                value = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
                    ALGORITHM, access, ";".join(signed), REDACTED)
            except ValueError:
                value = REDACTED
        elif lowered in SECRET_HEADERS:
            value = REDACTED
        out[name] = value
    return out


# ----------------------------------------------------------------------------------------
# Requests


# ----------------------------------------------------------------------------------------
# Authentication


# ----------------------------------------------------------------------------------------
# The control surface


SEED_KEYS = frozenset({"count", "owner", "name", "status", "age_days", "age_seconds", "created_at",
                       "updated_at", "tags", "protected", "imagetype", "members", "properties", "id"})


class ControlSurface:
    """``/_emulator/...``: plain JSON, no authentication, never counted or faulted."""

    def __init__(self, app: "Emulator"):
        self.app = app

    def handle(self, method: str, path: str, body: bytes) -> Response:
        routes = {
            ("GET", "/_emulator/stats"): self.app.stats.snapshot,
            ("POST", "/_emulator/stats/reset"): self._reset_stats,
            ("POST", "/_emulator/faults"): lambda: self._set_faults(self._json(body)),
            ("DELETE", "/_emulator/faults"): self._clear_faults,
            ("GET", "/_emulator/faults"): self.app.faults.describe,
            ("POST", "/_emulator/seed"): lambda: {"ids": self.seed(self._json(body))},
            ("GET", "/_emulator/images"): self._images,
            ("POST", "/_emulator/reset"): self._reset,
            ("POST", "/_emulator/clock"): lambda: self._clock(self._json(body)),
            ("POST", "/_emulator/tokens/expire"): self._expire_tokens,
        }
        action = routes.get((method, path.rstrip("/")))
        if action is None:
            return Response.json(404, {"error": "no control call %s %s" % (method, path)})
        try:
            return Response.json(200, action())
        except ValueError as exc:
            return Response.json(400, {"error": str(exc)})

    @staticmethod
    def _json(body: bytes):
        if not body.strip():
            return {}
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ValueError("the body is not valid JSON") from None

    def _reset_stats(self):
        self.app.stats.clear()
        return {}

    def _set_faults(self, plan):
        self.app.faults.set(plan)
        return self.app.faults.describe()

    def _clear_faults(self):
        self.app.faults.clear()
        return self.app.faults.describe()

    def _images(self):
        store = self.app.store
        with store.lock:
            return {"images": list(store.images.values()),
                    "members": {iid: list(m.values()) for iid, m in store.members.items() if m}}

    def _reset(self):
        self.app.reset()
        return {}

    def _clock(self, body):
        offset = body.get("offset_seconds") if isinstance(body, dict) else None
        if isinstance(offset, bool) or not isinstance(offset, (int, float)):
            raise ValueError('expected {"offset_seconds": NUMBER}')
        self.app.clock.offset = float(offset)
        return {"offset_seconds": self.app.clock.offset, "now": format_time(self.app.clock.now())}

    def _expire_tokens(self):
        return {"expired": self.app.store.expire_tokens(self.app.clock.now())}

    # -- seeding -----------------------------------------------------------------------
    def seed(self, payload) -> list:
        if not isinstance(payload, dict):
            raise ValueError("the seed is an object")
        if "images" in payload:
            if set(payload) != {"images"} or not isinstance(payload["images"], list):
                raise ValueError('expected {"images": [...]} alone')
            specs = payload["images"]
        else:
            specs = [payload]
        plans = [self._seed_plan(spec) for spec in specs]  # validate everything first
        images, members = [], []
        for plan in plans:
            self._build(plan, images, members)
        self.app.store.add(images, members)
        return [image["id"] for image in images]

    def _seed_plan(self, spec) -> dict:
        if not isinstance(spec, dict):
            raise ValueError("each seed entry is an object")
        unknown = set(spec) - SEED_KEYS
        if unknown:
            raise ValueError("unknown seed keys: %s" % ", ".join(sorted(unknown)))
        count = spec.get("count", 1)
        if not is_int(count) or count < 0:
            raise ValueError("count must be a non-negative integer")
        imagetype = spec.get("imagetype", "private")
        if imagetype not in ("private",) + PUBLIC_TYPES:
            raise ValueError("imagetype must be private, gold or market")
        default_owner = PUBLIC_OWNER if imagetype in PUBLIC_TYPES else self.app.accounts[0].project_id
        owner = spec.get("owner", default_owner)
        status = spec.get("status", "active")
        if status not in IMAGE_STATUSES:
            raise ValueError("status must be one of %s" % ", ".join(IMAGE_STATUSES))
        name = spec.get("name", "seed-{i:05d}")
        if not isinstance(name, str) or not isinstance(owner, str) or not owner:
            raise ValueError("name and owner must be strings")
        try:
            name.format(i=0)
        except (IndexError, KeyError, ValueError, AttributeError) as exc:
            raise ValueError("name is not a valid format string: %s" % exc) from None
        protected = spec.get("protected", imagetype in PUBLIC_TYPES)
        if not isinstance(protected, bool):
            raise ValueError("protected must be true or false")
        tags = spec.get("tags", [])
        if not isinstance(tags, list) or any(tag_error(t) for t in tags):
            raise ValueError("tags must be a list of valid tags")
        properties = spec.get("properties", {})
        if not isinstance(properties, dict):
            raise ValueError("properties must be an object")
        image_id = spec.get("id")
        if image_id is not None:
            if not (isinstance(image_id, str) and UUID_RE.match(image_id)) or count != 1:
                raise ValueError("id must be a UUID, with count 1")
        now = self.app.clock.now()
        created_at = spec.get("created_at")
        if created_at is not None:
            created_at = parse_time(created_at) if isinstance(created_at, str) else None
            if created_at is None:
                raise ValueError("created_at must be yyyy-MM-ddThh:mm:ssZ")
        else:
            age = spec.get("age_seconds", 0)
            days = spec.get("age_days", 0)
            for value in (age, days):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError("age_days and age_seconds must be numbers")
            created_at = format_time(now - age - days * 86400)
        updated_at = spec.get("updated_at")
        if updated_at is not None:
            updated_at = parse_time(updated_at) if isinstance(updated_at, str) else None
            if updated_at is None:
                raise ValueError("updated_at must be yyyy-MM-ddThh:mm:ssZ")
        seeded_members = []
        for member in spec.get("members", []):
            if not isinstance(member, dict) or not isinstance(member.get("member"), str):
                raise ValueError('members are objects {"member": PROJECT_ID, "status": ...}')
            member_status = member.get("status", "pending")
            if member_status not in MEMBER_STATUSES:
                raise ValueError("member status must be one of %s" % ", ".join(MEMBER_STATUSES))
            seeded_members.append((member["member"], member_status))
        return {"count": count, "owner": owner, "name": name, "status": status, "imagetype": imagetype,
                "protected": protected, "tags": tags, "properties": properties, "id": image_id,
                "created_at": created_at, "updated_at": updated_at or created_at,
                "members": seeded_members}

    @staticmethod
    def _build(plan: dict, images: list, members: list) -> None:
        """Append the plan's images and (image id, member) pairs; a template keeps it fast."""
        properties = dict(plan["properties"])
        os_version = properties.pop("__os_version", None)
        created_at = plan["created_at"]
        template = new_image(image_id="", owner=plan["owner"], name="", created_at=created_at,
                             updated_at=plan["updated_at"], status=plan["status"],
                             imagetype=plan["imagetype"], protected=plan["protected"],
                             os_version=os_version)
        active = plan["status"] == "active"
        if active:
            mark_active(template, 0, "", created_at)
        ids = [plan["id"]] if plan["id"] else random_uuids(plan["count"])
        for i, image_id in enumerate(ids):
            image = template.copy()
            image["id"] = image_id
            image["self"] = "/v2/images/" + image_id
            image["file"] = "/v2/images/%s/file" % image_id
            image["name"] = plan["name"].format(i=i)
            image["tags"] = list(plan["tags"])
            if active:  # a plausible size (1 GiB and up) and a checksum
                size = 1073741824 + (i % 1024) * 1048576
                image["size"] = size
                image["__image_size"] = str(size)
                image["checksum"] = hashlib.md5(image_id.encode()).hexdigest()
            if properties:
                image.update(properties)
            images.append(image)
            for member_id, status in plan["members"]:
                members.append((image_id, new_member(image_id, member_id, status, created_at)))


# ----------------------------------------------------------------------------------------
# The application


class Emulator:
    """The whole emulator: configuration, state, and how one API request is processed."""

    def __init__(self, accounts=None, users=None, state_file=None, token_ttl=DEFAULT_TOKEN_TTL,
                 quota=DEFAULT_QUOTA, public_images=True, verbose=False, capture=None):
        self.quota = quota
        self.public_images = public_images
        self.verbose = verbose
        self.capture = capture  # --capture FILE: every API request, unredacted (tests only)
        self._capture_lock = threading.Lock()
        self.clock = Clock()
        if state_file:
            files_dir = state_file + ".d"
            os.makedirs(files_dir, exist_ok=True)
            self._temp_dir = None
        else:
            files_dir = self._temp_dir = tempfile.mkdtemp(prefix="ims-emulator-")
        self.store = ImageStore(self.clock, files_dir, state_file)
        if not self.store.load():
            self.store.reset(public_catalogue() if public_images else [])
        self.faults = FaultPlan()
        self.stats = Stats()
        self.iam = IamBackend(self.store, self.clock, accounts, users, token_ttl)
        self.accounts = self.iam.accounts
        self.auth = Authenticator(self.iam, self.clock)
        self.router = Router()
        self.router.bind(IAM_URL_PATHS, IamResponses(self.iam))
        self.router.bind(IMS_URL_PATHS, ImsResponses(self.store, self.clock, quota))
        self.control = ControlSurface(self)

    def close(self) -> None:
        if self._temp_dir:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def reset(self) -> None:
        self.store.reset(public_catalogue() if self.public_images else [])
        self.faults.clear()
        self.stats.clear()
        self.clock.offset = 0.0

    def record_capture(self, ctx, outcome) -> None:
        """Append one JSON line to the --capture file: the request as sent, and the answer's headers."""
        if ctx is not None and ctx.body is None and ctx.reader is not None and \
                not (ctx.route is not None and ctx.route.streams_body):
            ctx.body_for_echo()  # the rest of the body is drained before the answer, as always
        entry = {
            "method": ctx.method if ctx else None, "path": ctx.raw_path if ctx else None,
            "query": ctx.raw_query if ctx else None,
            "headers": [[name, value] for name, value in ctx.headers.items()] if ctx else [],
            "body": ctx.body.decode("utf-8", "replace") if ctx is not None and ctx.body is not None else None,
            "status": 0 if outcome is DROP else outcome.status,
            "response_headers": [] if outcome is DROP else [list(pair) for pair in outcome.headers],
        }
        with self._capture_lock, open(self.capture, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")

    def process(self, ctx: RequestContext):
        """Answer one API request: a Response, or DROP."""
        plan_latency = self.faults.latency
        if plan_latency:
            time.sleep(plan_latency)
        fault = self.faults.pick(ctx.method, ctx.raw_path)
        is_upload = ctx.route is not None and ctx.route.streams_body
        if fault is not None:
            if fault.latency:
                time.sleep(fault.latency)
            if fault.upload_fail and is_upload:
                ctx.add_hook(UPLOAD_RECEIVED, functools.partial(self._upload_fault, fault))
                fault = None
            elif not fault.after and fault.answers:
                return self._fault_answer(fault, ctx)
        try:
            if ctx.route is None:
                raise GatewayErrorAnswer(404, "APIGW.0101", "The API does not exist or has not been published.")
            if ctx.route.authenticated:
                ctx.project = self.auth.authenticate(ctx)
            response = ctx.route.handler(ctx)
        except ErrorAnswer as exc:
            response = exc.response(ctx.request_id)
        except Exception:  # a bug of the emulator: say so, never crash
            traceback.print_exc(file=sys.stderr)
            response = GatewayErrorAnswer(500, "APIGW.0201", "Internal error of the emulator.").response(
                ctx.request_id)
        if fault is not None and fault.after and fault.answers:
            return self._fault_answer(fault, ctx)
        return response

    @staticmethod
    def _upload_fault(fault: Fault, ctx: RequestContext, _outcome):
        """The upload itself fails: the image is killed, the fault answers."""
        if fault.drop:
            return DROP
        return gateway_fault_error(fault.status or 500).response(ctx.request_id)

    @staticmethod
    def _fault_answer(fault: Fault, ctx: RequestContext):
        if fault.drop:
            return DROP
        error = gateway_fault_error(fault.status)
        if fault.echo:
            error.message = "%s Request: %s" % (error.message, ctx.echo())
        if fault.retry_after is not None:
            value = fault.retry_after
            error.headers.append(("Retry-After", str(int(value)) if float(value).is_integer() else str(value)))
        return error.response(ctx.request_id)


# ----------------------------------------------------------------------------------------
# HTTP plumbing


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ims-emulator/1.0"
    sys_version = ""
    timeout = 120  # seconds of silence before a kept-alive connection is closed

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            # The TLS handshake happens here, in the connection's own thread (not in
            # accept()), so a client that never finishes it cannot stall the server.
            self.request.settimeout(TLS_HANDSHAKE_TIMEOUT)
            self.request.do_handshake()
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def app(self) -> Emulator:
        return self.server.app

    # Every method goes through one dispatcher.
    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self):
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute-form request target
            rest = target.split("://", 1)[1]
            target = rest[rest.find("/"):] if "/" in rest else "/"
        raw_path, _mark, raw_query = target.partition("?")
        if raw_path == "/_emulator" or raw_path.startswith("/_emulator/"):
            self._control(raw_path)
        else:
            self._api(raw_path, raw_query)

    def _control(self, raw_path):
        request_id = uuid.uuid4().hex
        try:
            reader = BodyReader(self.rfile, self.headers)
            body = reader.read_all(MAX_CONTROL_BODY)
            response = self.app.control.handle(self.command, raw_path, body)
        except ErrorAnswer as exc:
            response = Response.json(exc.status, {"error": exc.message})
            self.close_connection = True
        except BodyEndedEarly as exc:
            response = Response.json(400, {"error": str(exc)})
            self.close_connection = True
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = Response.json(500, {"error": "internal error of the emulator"})
        self._send(response, request_id, None)
        self._log_line(raw_path, response.status)

    def _api(self, raw_path, raw_query):
        app = self.app
        request_id = uuid.uuid4().hex
        route, params = app.router.resolve(self.command, raw_path)
        reader = ctx = None
        try:
            reader = BodyReader(self.rfile, self.headers)
        except ErrorAnswer as exc:
            self.close_connection = True
            outcome = exc.response(request_id)
        else:
            ctx = RequestContext(self.command, raw_path, raw_query, self.headers, request_id, reader,
                                 route, params, bad_request)
            outcome = app.process(ctx)
        if app.capture and ctx is not None:
            app.record_capture(ctx, outcome)
        status = 0 if outcome is DROP else outcome.status
        app.stats.record({
            "method": self.command, "path": raw_path, "query": raw_query, "status": status,
            "headers": redact_headers(self.headers), "auth": auth_kind(self.headers),
            "route": route.name if route else "%s (unknown)" % self.command,
            "request_id": request_id,
        })
        if outcome is DROP:
            self._drop()
        else:
            self._send(outcome, request_id, reader)
        self._log_line(raw_path, status)

    def _send(self, response: Response, request_id: str, reader: BodyReader | None):
        # Read what is left of the request body first, so the client sees the answer.
        if reader is not None and not reader.complete:
            if reader.truncated or not reader.drain(DRAIN_LIMIT):
                self.close_connection = True
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("X-Request-Id", request_id)
            if response.file_path is not None:
                handle = open(response.file_path, "rb")
                length = os.fstat(handle.fileno()).st_size
            else:
                handle = None
                length = len(response.body)
            if response.status != 204 and response.status >= 200:
                self.send_header("Content-Length", str(length))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                return
            if handle is not None:
                with handle:
                    shutil.copyfileobj(handle, self.wfile, CHUNK)
            elif response.body:
                self.wfile.write(response.body)
        except (ConnectionError, BrokenPipeError, socket.timeout):
            self.close_connection = True

    def _drop(self):
        """Close the connection without answering."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send_error(self, code, message=None, explain=None):
        """Errors of http.server itself (malformed request line, headers...): gateway JSON."""
        request_id = uuid.uuid4().hex
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # an unparseable request line: answer in HTTP/1.1
            self.request_version = "HTTP/1.1"
        body = json.dumps({"error_code": "APIGW.0201", "error_msg": message or "Bad request",
                           "request_id": request_id}).encode()
        try:
            self.send_response(code, message)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("X-Request-Id", request_id)
            self.send_header("Connection", "close")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass

    def log_request(self, code="-", size="-"):
        pass  # one line per request comes from _log_line (with --verbose)

    def log_message(self, format, *args):  # noqa: A002 - the signature of http.server
        if self.app.verbose:
            sys.stderr.write("%s\n" % (format % args))

    def _log_line(self, raw_path, status):
        if self.app.verbose:
            sys.stderr.write("%s %s %s\n" % (self.command, raw_path, status))
            sys.stderr.flush()


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app: Emulator, tls_context: ssl.SSLContext | None = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RequestHandler)
        self.app = app
        self.scheme = "http"
        if tls_context is not None:
            self.socket = tls_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
            self.scheme = "https"

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout, ssl.SSLError)):
            return  # the client went away, or refused the certificate during the handshake
        super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        if ":" in host:
            host = "[%s]" % host
        return "%s://%s:%d" % (self.scheme, host, port)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Local emulator of Huawei Cloud IMS (see README.md).")
    parser.add_argument("--port", type=int, required=True, help="port to listen on (0: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--account", action="append", type=parse_account, metavar="AK:SK:PROJECT_ID",
                        help="an AK/SK account (repeatable; replaces the default account)")
    parser.add_argument("--user", action="append", type=parse_user,
                        metavar="NAME:PASSWORD:DOMAIN:PROJECT_ID",
                        help="an IAM user (repeatable; replaces the default user)")
    parser.add_argument("--state", metavar="FILE", help="persist the state to FILE (image files in FILE.d/)")
    parser.add_argument("--token-ttl", type=int, default=DEFAULT_TOKEN_TTL, metavar="SECONDS",
                        help="token lifetime (default 86400)")
    parser.add_argument("--quota", type=int, default=DEFAULT_QUOTA, metavar="N",
                        help="private images per project (default %d)" % DEFAULT_QUOTA)
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


def tls_server_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """The server side TLS context of --tls-cert/--tls-key (TLS 1.2 or later)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        app = Emulator(accounts=args.account, users=args.user, state_file=args.state,
                       token_ttl=args.token_ttl, quota=args.quota,
                       public_images=not args.no_public_images, verbose=args.verbose, capture=args.capture)
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


if __name__ == "__main__":
    sys.exit(main())
