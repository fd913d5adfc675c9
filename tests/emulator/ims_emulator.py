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


@dataclass(frozen=True)
class Account:
    access_key: str
    secret_key: str = field(repr=False)
    project_id: str


@dataclass(frozen=True)
class User:
    name: str
    password: str = field(repr=False)
    domain: str
    projects: tuple  # the first is the user's own project (used when scoping by name)


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


class Authenticator:
    """AK/SK signatures and tokens -> the caller's project, or a gateway error."""

    def __init__(self, accounts: list, store: ImageStore, clock: Clock):
        self.accounts = {account.access_key: account for account in accounts}
        self.store = store
        self.clock = clock

    def authenticate(self, ctx: RequestContext) -> str:
        authorization = ctx.headers.get("Authorization")
        if authorization:
            return self._aksk(ctx, authorization)
        token = ctx.headers.get("X-Auth-Token")
        if token:
            return self._token(token)
        raise GatewayErrorAnswer(401, "APIGW.0301", "Incorrect IAM authentication information: no credentials.")

    @staticmethod
    def _denied(reason: str) -> GatewayErrorAnswer:
        return GatewayErrorAnswer(401, "APIGW.0301", "Incorrect IAM authentication information: %s." % reason)

    def _aksk(self, ctx: RequestContext, authorization: str) -> str:
        try:
            access_key, signed, signature = SignatureVerifier.parse_authorization(authorization)
        except ValueError as exc:
            raise self._denied(str(exc)) from None
        account = self.accounts.get(access_key)
        if account is None:
            raise self._denied("unknown access key")
        if "x-sdk-date" not in signed:
            raise self._denied("X-Sdk-Date is not signed")
        sdk_date = ctx.headers.get("X-Sdk-Date", "").strip()
        try:
            signed_at = datetime.datetime.strptime(sdk_date, SDK_DATE_FORMAT).replace(
                tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            raise self._denied("X-Sdk-Date is missing or malformed") from None
        if abs(self.clock.now() - signed_at) > MAX_DATE_SKEW:
            raise self._denied("the request time differs from the server time by more than 15 minutes")
        if ctx.headers.get("X-Security-Token") is not None and "x-security-token" not in signed:
            raise self._denied("X-Security-Token is not signed")
        for name in signed:
            if ctx.headers.get(name) is None:
                raise self._denied("a signed header is missing")
        if ctx.reader.length is not None and ctx.reader.length > MAX_SIGNED_BODY:
            raise GatewayErrorAnswer(413, "APIGW.0201", "Request entity too large.")
        if ctx.headers.get("X-Sdk-Content-Sha256", "").strip() == UNSIGNED_PAYLOAD:
            payload_hash = UNSIGNED_PAYLOAD
        else:
            payload_hash = hashlib.sha256(ctx.read_body(MAX_SIGNED_BODY)).hexdigest()

        def header_value(name):
            # http.server decodes header bytes as latin-1; signers hash them as UTF-8.
            return ctx.headers.get(name, "").encode("latin-1", "replace").decode("utf-8", "replace")

        canonical = SignatureVerifier.canonical_request(
            ctx.method, ctx.raw_path, ctx.raw_query, header_value, signed, payload_hash)
        expected = SignatureVerifier.signature(
            account.secret_key, SignatureVerifier.string_to_sign(sdk_date, canonical))
        if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
            raise self._denied("the signature does not match")
        ctx.signed = True
        project = ctx.headers.get("X-Project-Id", "").strip()
        if project != account.project_id:
            raise GatewayErrorAnswer(403, "APIGW.0302",
                               "The IAM user is not authorized to access the API: X-Project-Id is "
                               "missing or is not the project of the access key.")
        return project

    def _token(self, token: str) -> str:
        with self.store.lock:
            record = self.store.tokens.get(token)
        if record is None:
            raise self._denied("unknown token")
        if self.clock.now() >= record["expires_at"]:
            raise GatewayErrorAnswer(401, "APIGW.0307", "The token has expired.")
        return record["project_id"]


# ----------------------------------------------------------------------------------------
# The image API


class ImsApi:
    """One method per operation of the image API and of IAM; each returns a Response."""

    def __init__(self, app: "Emulator"):
        self.app = app
        self.store = app.store
        self.clock = app.clock

    def _now(self) -> str:
        return format_time(self.clock.now())

    # -- helpers -----------------------------------------------------------------------
    def _visible(self, ctx):
        image, relation = self.store.visible(ctx.params["id"], ctx.project)
        if image is None:
            raise image_not_found(ctx.params["id"])
        return image, relation

    def _owned(self, ctx) -> dict:
        image, relation = self._visible(ctx)
        if relation != OWNER:
            raise ImsErrorAnswer(400, "IMG.0047", "Only the owner of the image can do this.")
        return image

    # -- IAM ---------------------------------------------------------------------------
    def issue_token(self, ctx):
        def malformed(message):
            return IamErrorAnswer(400, message)

        body = ctx.json_body(malformed)
        try:
            identity = body["auth"]["identity"]
            methods = identity["methods"]
            user = identity["password"]["user"]
            name, password = user["name"], user["password"]
            domain = user["domain"]
            domain_name = domain.get("name")
        except (KeyError, TypeError, AttributeError):
            raise malformed("Expected auth.identity.password.user with name, password and domain.") from None
        if not isinstance(methods, list) or "password" not in methods:
            raise malformed("Only the password method is supported.")
        if not all(isinstance(v, str) for v in (name, password, domain_name)):
            raise malformed("User name, password and domain name must be strings.")
        found = self.app.find_user(name, password, domain_name)
        if found is None:
            raise IamErrorAnswer(401, "The username or password is wrong, or the user does not exist.")
        scope = body["auth"].get("scope")
        project_id, project_name = found.projects[0], DEFAULT_REGION
        if scope is not None:
            project = scope.get("project") if isinstance(scope, dict) else None
            if not isinstance(project, dict):
                raise malformed("Only project scopes are supported.")
            if project.get("id") is not None:
                if project["id"] not in found.projects:
                    raise IamErrorAnswer(401, "The user has no access to the project.")
                project_id = project["id"]
            elif isinstance(project.get("name"), str) and project["name"]:
                project_name = project["name"]
            else:
                raise malformed("The project scope needs an id or a name.")
        now = self.clock.now()
        expires = now + self.app.token_ttl
        token = "MII" + secrets.token_urlsafe(96)
        domain_id = hashlib.md5(("domain:" + found.domain).encode()).hexdigest()
        user_id = hashlib.md5(("user:%s:%s" % (found.domain, found.name)).encode()).hexdigest()
        self.store.add_token(token, {"project_id": project_id, "project_name": project_name,
                                     "user": found.name, "issued_at": now, "expires_at": expires})
        domain_obj = {"id": domain_id, "name": found.domain}
        answer = {"token": {
            "expires_at": format_iam_time(expires),
            "issued_at": format_iam_time(now),
            "methods": ["password"],
            "project": {"id": project_id, "name": project_name, "domain": domain_obj},
            "user": {"id": user_id, "name": found.name, "domain": domain_obj,
                     "password_expires_at": ""},
            "roles": [{"id": "0", "name": "op_gated_ims"}, {"id": "1", "name": "te_admin"}],
        }}
        return Response.json(201, answer, [("X-Subject-Token", token)])

    # -- images ------------------------------------------------------------------------
    def list_images(self, ctx):
        listing = ImageListing(ctx.query_pairs())
        body = listing.run(self.store, ctx.project)
        images = body.pop("images")
        return Response.json_text(200, json_with_images(body, map(self.store.encoded, images)))

    def show_image(self, ctx):
        image, _relation = self._visible(ctx)
        return Response.json_text(200, self.store.encoded(image))

    def create_image(self, ctx):
        body = ctx.json_body()
        if not isinstance(body, dict):
            raise bad_request("the body must be a JSON object")
        fields = {}
        for name in ("name", "container_format", "disk_format", "min_disk", "min_ram", "protected", "tags"):
            if name in body:
                fields[name] = validate_standard(name, body[name])
        if body.get("visibility", "private") != "private":
            raise bad_request("visibility must be private")
        image_id = body.get("id")
        if image_id is not None and not (isinstance(image_id, str) and UUID_RE.match(image_id)):
            raise bad_request("id must be a UUID")
        properties = {}
        for name, value in body.items():
            if name in STANDARD_CREATE_FIELDS:
                continue
            if name in READ_ONLY:
                raise bad_request("attribute %s is read-only" % name)
            if not name or len(name) > 255:
                raise bad_request("invalid property name")
            properties[name] = validate_standard(name, value)
        name = fields.pop("name", "")
        os_version = properties.pop("__os_version", None)
        image = new_image(image_id=image_id or str(uuid.uuid4()), owner=ctx.project, name=name,
                          created_at=self._now(), os_version=os_version, properties=properties, **fields)
        self.store.create(image, self.app.quota)
        return Response.json(201, image)

    def update_image(self, ctx):
        if ctx.content_type() not in PATCH_CONTENT_TYPES:
            raise ImsErrorAnswer(415, "IMG.0415", "Unsupported media type: use %s." % PATCH_CONTENT_TYPES[0],
                           [("Accept-Patch", ", ".join(PATCH_CONTENT_TYPES))])
        self._owned(ctx)
        operations = ctx.json_body()
        if not isinstance(operations, list):
            raise bad_request("the body must be a JSON list of operations")
        with self.store.lock:
            image = self._owned(ctx)
            changed = dict(image)
            for operation in operations:
                self._apply(changed, operation)
            for name in QUEUED_ONLY:
                if changed.get(name) != image.get(name) and image.get("status") != "queued":
                    raise ImsErrorAnswer(403, "IMG.0403", "Attribute %s can only change while the image is queued." % name)
            if changed.get("__os_version") != image.get("__os_version") and \
                    isinstance(changed.get("__os_version"), str):
                os_type, platform, bit = os_fields(changed["__os_version"])
                changed.update(__os_type=os_type, __platform=platform, __os_bit=bit)
            changed["updated_at"] = self._now()
            self.store.replace(changed)
        return Response.json(200, changed)

    @staticmethod
    def _apply(image: dict, operation) -> None:
        """Apply one JSON-patch operation to ``image`` (a private copy)."""
        if not isinstance(operation, dict):
            raise bad_request("each operation must be an object")
        op, path = operation.get("op"), operation.get("path")
        if op not in ("add", "replace", "remove"):
            raise bad_request("op must be add, replace or remove")
        if not isinstance(path, str) or not path.startswith("/") or "/" in path[1:]:
            raise bad_request("path must be /attribute")
        name = path[1:].replace("~1", "/").replace("~0", "~")
        if not name:
            raise bad_request("path must be /attribute")
        if name in READ_ONLY:
            raise ImsErrorAnswer(403, "IMG.0403", "Attribute %s is read-only." % name)
        if op == "remove":
            if name in BASE_ATTRIBUTES:
                raise ImsErrorAnswer(403, "IMG.0403", "Attribute %s cannot be removed." % name)
            if name not in image:
                raise ImsErrorAnswer(409, "IMG.0409", "Property %s does not exist." % name)
            del image[name]
            return
        if "value" not in operation:
            raise bad_request("%s needs a value" % op)
        # IMS: add on an existing attribute replaces it; replace of a missing one adds it.
        image[name] = validate_standard(name, operation["value"])

    def delete_image(self, ctx):
        with self.store.lock:
            image = self.store.get(ctx.params["id"])
            relation = self.store.relation(image, ctx.project) if image else None
            if relation is None:
                raise ImsErrorAnswer(400, "IMG.0027", "Image %s could not be found." % ctx.params["id"])
            if image.get("__imagetype") in PUBLIC_TYPES:
                raise ImsErrorAnswer(400, "IMG.0094", "Public and market images cannot be deleted.")
            if relation != OWNER:
                raise ImsErrorAnswer(400, "IMG.0047", "Only the owner of the image can delete it.")
            if image.get("protected"):
                raise ImsErrorAnswer(400, "IMG.0028", "The image is protected and cannot be deleted.")
            self.store.delete(image["id"])
        return Response.empty(204)

    # -- image files -------------------------------------------------------------------
    def upload_file(self, ctx):
        image_id = ctx.params["id"]
        self._owned(ctx)
        if ctx.content_type() != "application/octet-stream":
            raise ImsErrorAnswer(415, "IMG.0415", "Unsupported media type: use application/octet-stream.")
        if not ctx.reader.chunked and ctx.headers.get("Content-Length") is None:
            raise bad_request("an upload needs a Content-Length or a chunked body")
        with self.store.lock:
            image = self._owned(ctx)
            if image["status"] != "queued":
                raise ImsErrorAnswer(409, "IMG.0409", "Image status is %s, not queued." % image["status"])
            self.store.update(image_id, status="saving", updated_at=self._now())
        part = self.store.file_path(image_id) + ".part"
        try:
            size, checksum = self._receive(ctx, part)
        except GatewayErrorAnswer:  # the gateway's size cap: the image never saw the upload
            self.store.update(image_id, status="queued")
            os.unlink(part)
            raise
        except BaseException:
            self._kill(image_id, part)
            raise
        if size is None:
            self._kill(image_id, part)
            raise bad_request("the upload ended before its announced length")
        outcome = ctx.run_hooks(UPLOAD_RECEIVED)  # e.g. an upload_fail fault
        if outcome is not None:
            self._kill(image_id, part)
            return outcome
        with self.store.lock:
            image = self.store.get(image_id)
            if image is None:
                os.unlink(part)
                raise image_not_found(image_id)
            os.replace(part, self.store.file_path(image_id))
            image = dict(image)
            now = self._now()
            mark_active(image, size, checksum, now)
            image["updated_at"] = now
            self.store.replace(image)
        return Response.empty(204)

    @staticmethod
    def _receive(ctx, path):
        """Write the body to ``path`` chunk by chunk: (size, md5) or (None, None) if cut short."""
        md5 = hashlib.md5()
        size = 0
        with open(path, "wb") as handle:
            if ctx.body is not None:
                chunks = iter((ctx.body,))
            else:
                chunks = iter(lambda: ctx.reader.read(CHUNK), b"")
            for chunk in chunks:
                size += len(chunk)
                if ctx.signed and size > MAX_SIGNED_BODY:  # a chunked body has no length to check first
                    raise GatewayErrorAnswer(413, "APIGW.0201", "Request entity too large.")
                handle.write(chunk)
                md5.update(chunk)
        if ctx.body is None and ctx.reader.truncated:
            return None, None
        return size, md5.hexdigest()

    def _kill(self, image_id, part):
        self.store.update(image_id, status="killed", updated_at=self._now())
        try:
            os.unlink(part)
        except FileNotFoundError:
            pass

    def download_file(self, ctx):
        image, _relation = self._visible(ctx)
        path = self.store.file_path(image["id"])
        if image["status"] != "active" or not os.path.exists(path):
            return Response.empty(204)
        headers = [("Content-Type", "application/octet-stream")]
        if image.get("checksum"):
            headers.append(("Content-MD5", image["checksum"]))
        return Response(200, headers=headers, file_path=path)

    # -- tags --------------------------------------------------------------------------
    def add_tag(self, ctx):
        tag = ctx.params["tag"]
        with self.store.lock:
            image = self._owned(ctx)
            problem = tag_error(tag)
            if problem:
                raise ImsErrorAnswer(400, "IMG.0115", "Invalid tag: %s." % problem)
            if tag not in image["tags"]:
                self.store.update(image["id"], tags=image["tags"] + [tag], updated_at=self._now())
        return Response.empty(204)

    def remove_tag(self, ctx):
        tag = ctx.params["tag"]
        with self.store.lock:
            image = self._owned(ctx)
            if tag not in image["tags"]:
                raise ImsErrorAnswer(404, "IMG.0404", "Tag %s not found on image %s." % (tag, image["id"]))
            self.store.update(image["id"], tags=[t for t in image["tags"] if t != tag],
                              updated_at=self._now())
        return Response.empty(204)

    # -- members -----------------------------------------------------------------------
    def _member_of(self, image_id, member_id):
        member = self.store.members.get(image_id, {}).get(member_id)
        if member is None:
            raise ImsErrorAnswer(404, "IMG.0404", "Project %s is not a member of image %s." % (member_id, image_id))
        return member

    def list_members(self, ctx):
        with self.store.lock:
            image, relation = self._visible(ctx)
            members = list(self.store.members.get(image["id"], {}).values())
            if relation != OWNER:
                members = [m for m in members if m["member_id"] == ctx.project]
        return Response.json(200, {"members": members, "schema": "/v2/schemas/members"})

    def show_member(self, ctx):
        member_id = ctx.params["member"]
        with self.store.lock:
            image, relation = self._visible(ctx)
            if relation != OWNER and member_id != ctx.project:
                raise ImsErrorAnswer(404, "IMG.0404", "Project %s is not a member of image %s."
                               % (member_id, image["id"]))
            member = self._member_of(image["id"], member_id)
        return Response.json(200, member)

    def add_member(self, ctx):
        body = ctx.json_body()
        member_id = body.get("member") if isinstance(body, dict) else None
        if not isinstance(member_id, str) or not member_id.strip():
            raise bad_request('the body must be {"member": PROJECT_ID}')
        with self.store.lock:
            image = self._owned(ctx)
            if image.get("__imagetype") in PUBLIC_TYPES:
                raise bad_request("public and market images cannot be shared")
            if member_id == ctx.project:
                raise bad_request("the owner cannot be a member of its image")
            if member_id in self.store.members.get(image["id"], {}):
                raise ImsErrorAnswer(409, "IMG.0409", "Project %s is already a member." % member_id)
            member = new_member(image["id"], member_id, "pending", self._now())
            self.store.set_member(image["id"], member)
        return Response.json(200, member)

    def update_member(self, ctx):
        member_id = ctx.params["member"]
        body = ctx.json_body()
        status = body.get("status") if isinstance(body, dict) else None
        if status not in MEMBER_STATUSES:
            raise bad_request("status must be one of %s" % ", ".join(MEMBER_STATUSES))
        with self.store.lock:
            image, relation = self._visible(ctx)
            if member_id != ctx.project:
                if relation == OWNER:
                    raise ImsErrorAnswer(403, "IMG.0403", "Only the member can change its membership status.")
                raise ImsErrorAnswer(404, "IMG.0404", "Project %s is not a member of image %s."
                               % (member_id, image["id"]))
            member = dict(self._member_of(image["id"], member_id), status=status, updated_at=self._now())
            self.store.set_member(image["id"], member)
        return Response.json(200, member)

    def remove_member(self, ctx):
        member_id = ctx.params["member"]
        with self.store.lock:
            image = self._owned(ctx)
            self._member_of(image["id"], member_id)
            self.store.remove_member(image["id"], member_id)
        return Response.empty(204)


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


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    name: str
    handler: str
    authenticated: bool = True


ROUTES = [
    ("POST", r"/v3/auth/tokens", "POST /v3/auth/tokens", "issue_token", False),
    ("GET", r"/v2/images", "GET /v2/images", "list_images", True),
    ("POST", r"/v2/images", "POST /v2/images", "create_image", True),
    ("GET", r"/v2/images/(?P<id>[^/]+)", "GET /v2/images/{id}", "show_image", True),
    ("PATCH", r"/v2/images/(?P<id>[^/]+)", "PATCH /v2/images/{id}", "update_image", True),
    ("DELETE", r"/v2/images/(?P<id>[^/]+)", "DELETE /v2/images/{id}", "delete_image", True),
    ("PUT", r"/v2/images/(?P<id>[^/]+)/file", "PUT /v2/images/{id}/file", "upload_file", True),
    ("GET", r"/v2/images/(?P<id>[^/]+)/file", "GET /v2/images/{id}/file", "download_file", True),
    ("PUT", r"/v2/images/(?P<id>[^/]+)/tags/(?P<tag>[^/]*)", "PUT /v2/images/{id}/tags/{tag}",
     "add_tag", True),
    ("DELETE", r"/v2/images/(?P<id>[^/]+)/tags/(?P<tag>[^/]*)", "DELETE /v2/images/{id}/tags/{tag}",
     "remove_tag", True),
    ("GET", r"/v2/images/(?P<id>[^/]+)/members", "GET /v2/images/{id}/members", "list_members", True),
    ("POST", r"/v2/images/(?P<id>[^/]+)/members", "POST /v2/images/{id}/members", "add_member", True),
    ("GET", r"/v2/images/(?P<id>[^/]+)/members/(?P<member>[^/]+)", "GET /v2/images/{id}/members/{pid}",
     "show_member", True),
    ("PUT", r"/v2/images/(?P<id>[^/]+)/members/(?P<member>[^/]+)", "PUT /v2/images/{id}/members/{pid}",
     "update_member", True),
    ("DELETE", r"/v2/images/(?P<id>[^/]+)/members/(?P<member>[^/]+)",
     "DELETE /v2/images/{id}/members/{pid}", "remove_member", True),
]


class Emulator:
    """The whole emulator: configuration, state, and how one API request is processed."""

    def __init__(self, accounts=None, users=None, state_file=None, token_ttl=DEFAULT_TOKEN_TTL,
                 quota=DEFAULT_QUOTA, public_images=True, verbose=False, capture=None):
        self.accounts = list(accounts or [Account(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID)])
        if users:
            self.users = list(users)
        else:  # the default user reaches every account's project (its own: the first)
            projects = tuple(dict.fromkeys(a.project_id for a in self.accounts))
            self.users = [User(DEFAULT_USER, DEFAULT_PASSWORD, DEFAULT_DOMAIN, projects)]
        self.token_ttl = token_ttl
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
        self.auth = Authenticator(self.accounts, self.store, self.clock)
        self.api = ImsApi(self)
        self.control = ControlSurface(self)
        self.routes = [Route(m, re.compile(p), n, h, a) for m, p, n, h, a in ROUTES]

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
                not (ctx.route is not None and ctx.route.handler == "upload_file"):
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

    def find_user(self, name, password, domain) -> User | None:
        for user in self.users:
            if user.name == name and user.domain == domain and \
                    hmac.compare_digest(user.password.encode(), password.encode()):
                return user
        return None

    def route(self, method: str, raw_path: str):
        """(route, params) for a request, or (None, {})."""
        for route in self.routes:
            if route.method == method:
                match = route.pattern.fullmatch(raw_path)
                if match:
                    return route, {k: unquote(v) for k, v in match.groupdict().items()}
        return None, {}

    def process(self, ctx: RequestContext):
        """Answer one API request: a Response, or DROP."""
        plan_latency = self.faults.latency
        if plan_latency:
            time.sleep(plan_latency)
        fault = self.faults.pick(ctx.method, ctx.raw_path)
        is_upload = ctx.route is not None and ctx.route.handler == "upload_file"
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
            response = getattr(self.api, ctx.route.handler)(ctx)
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
        route, params = app.route(self.command, raw_path)
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
