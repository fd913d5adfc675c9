# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One HTTP session to an API: authentication, retries of what is safe to resend, error mapping.

Private to this collection: the API may change without notice. What is retried and how:
docs/errors-and-retries.md; the wire rules: docs/dev/ims-api.md, sections "Auth and signing"
and "Errors".
"""

from __future__ import annotations

import json

from urllib.parse import urlsplit

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import sanity test
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ._errors import (
    ImsAnswerError,
    ImsApiError,
    ImsConfigError,
    ImsConnectionError,
    ImsError,
    ImsProjectUnknown,
    describe,
    dns_problem,
    never_sent,
    origin,
    parse_error_body,
    request_id_of,
    root_cause,
    tls_problem,
)
from . import _shapes
from ._redact import Redactor
from ._retry import Pause, parse_retry_after
from ._signer import canonical_query_string
from ._version import COLLECTION_VERSION

# Methods that may be sent again when the first attempt's fate is unknown
# (a 5xx, a read time-out, a connection dropped after the request went out).
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))


class Transport:
    """Sends API calls with retries, renewing an expired token, and maps failures to :mod:`_errors`."""

    def __init__(self, endpoint, auth, timeout=30, retries=5, validate_certs=True, ca_bundle=None,
                 sleep=None, rng=None, user_agent=None, secrets=(), origins=None, credentials=None):
        if not HAS_REQUESTS:
            raise ImsConfigError("the Python library 'requests' is required on the host that runs this module")
        self.endpoint = endpoint.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.retries = retries
        # host -> (endpoint option, region it was derived from or None): the hints of a name that does not resolve.
        self.origins = dict(origins or {})
        # What a 401 says of the credentials used (their kind and source, never a secret).
        self.credentials = credentials
        self.pause = Pause(sleep, rng)
        self.redact = Redactor(secrets)
        self.session = requests.Session()
        # False, a CA bundle, or True (the system CAs, or REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE).
        # Given to every request: requests lets REQUESTS_CA_BUNDLE override the session's own verify.
        self.verify = (ca_bundle or True) if validate_certs else False
        self.session.verify = self.verify
        self.session.headers["User-Agent"] = user_agent or "hwcloud.ims/%s python-requests/%s" % (
            COLLECTION_VERSION, requests.__version__)
        self.session.headers["Accept"] = "application/json"
        # Why the project could not be learned (None: not tried yet, or learned): asked of IAM once per run.
        self.project_problem = None
        self.last_token_problem = None  # why the last token got with a password named no project

    def close(self):
        self.session.close()

    def url(self, path, params=None):
        url = self.endpoint + path
        if params:
            url += "?" + canonical_query_string(params)
        return url

    def request(self, method, path, params=None, json_body=None, data=None, headers=None,
                expected=(200,), idempotent=None):
        """Send one API call (with retries) and return the ``requests.Response``.

        ``params`` is a list of (name, value) pairs; ``json_body`` is serialised;
        ``data`` is sent as is. Raises :class:`ImsApiError` for an unexpected status.
        """
        headers = dict(headers or {})
        body = data
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        if self.auth.learns_project and not self.auth.project_id:
            self.project_id()  # AK/SK without a project: IMS is called with the region's (raises if unknown)
        return self.send(method.upper(), self.url(path, params), path, headers, body,
                         authenticate=True, idempotent=idempotent, expected=expected)

    def json_of(self, method, path, response):
        """The JSON of ``response`` (None for an empty body); an answer that is not JSON is an error."""
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ImsAnswerError(method, path, response.status_code, message="the answer is not JSON",
                                 request_id=request_id_of(response.headers))

    def fetch_token(self, auth):
        """A new IAM token for ``auth`` (a :class:`PasswordAuth`), remembered as a secret."""
        url = auth.iam_endpoint + "/v3/auth/tokens"
        body = json.dumps(auth.token_request_body()).encode("utf-8")
        # Asking for a token changes nothing: safe to repeat like a read.
        response = self.send("POST", url, "/v3/auth/tokens", {"Content-Type": "application/json"}, body,
                             authenticate=False, idempotent=True, expected=(201,))
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise ImsAnswerError("POST", "/v3/auth/tokens", response.status_code,
                                 message="IAM answered without an X-Subject-Token header",
                                 request_id=request_id_of(response.headers))
        self.redact.add(token)
        self.last_token_problem = self.learn_from_token(auth, response, "POST")
        return token

    @staticmethod
    def learn_from_token(auth, response, method):
        """Set ``auth.project_id`` from an IAM token body (``token.project.id``) when it was not given.

        Returns None when the project is known after it, else why not (for :meth:`project_id`).
        """
        if auth.project_id:
            return None
        try:
            project_id = _shapes.token_project(response.json())
        except (ValueError, _shapes.ShapeError) as exc:
            return "IAM's answer to %s /v3/auth/tokens is not a token body this collection can read (%s)" % (
                method, exc)
        if project_id is None:
            return "the token IAM answered %s /v3/auth/tokens with is not scoped to a project" % method
        auth.project_id = project_id
        return None

    def project_id(self):
        """The project of the credentials: the one given, else learned from IAM, asked at most once per run.

        A token got with a password says its project in the body of its answer (no extra call);
        a ready token is validated with ``GET {iam}/v3/auth/tokens`` (``X-Subject-Token``: the
        token itself). Raises :class:`ImsProjectUnknown` when it cannot be learned.
        """
        auth = self.auth
        if auth.project_id:
            return auth.project_id
        if self.project_problem is None:
            self.project_problem = self._learn_project()
            if auth.project_id:
                return auth.project_id
            self.project_problem = self.project_problem or "IAM named no project"
        raise ImsProjectUnknown(self.redact(
            "the project of these credentials is not known: set project_id (HW_PROJECT_ID) to the project's id; "
            "%s. Nothing that needs the project (finding the project's own or shared images, members) is done "
            "without it, so that no image is missed and created twice" % self.project_problem))

    def _learn_project(self):
        """Ask IAM for the project of the credentials; None when learned, else why not."""
        auth = self.auth
        iam = getattr(auth, "iam_endpoint", None)
        if iam is None:
            return "there is no IAM endpoint to ask for the token's project: set iam_endpoint (HW_IAM_ENDPOINT) or region"
        if auth.signs_requests:  # AK/SK: the project named like the region, as the official SDK learns it
            return self._learn_aksk_project(auth, iam)
        if auth.uses_password:  # the project is in the body of the token's answer
            where = "IAM was asked for a token scoped by the region name (POST %s/v3/auth/tokens)" % iam
            if auth.token is None:
                try:
                    auth.token = self.fetch_token(auth)
                except ImsError as exc:
                    return "%s: %s" % (where, exc)
            problem = self.last_token_problem
            return "%s: %s" % (where, problem) if problem else None
        where = "IAM was asked for the token's project (GET %s/v3/auth/tokens)" % iam
        headers = {"X-Auth-Token": auth.token, "X-Subject-Token": auth.token}
        try:
            response = self.send("GET", iam + "/v3/auth/tokens", "/v3/auth/tokens", headers, None,
                                 authenticate=False, idempotent=True, expected=(200,))
        except ImsError as exc:
            return "%s: %s" % (where, exc)
        problem = self.learn_from_token(auth, response, "GET")
        return "%s: %s" % (where, problem) if problem else None

    def _learn_aksk_project(self, auth, iam):
        """Ask IAM for the project named ``auth.project_name`` (``GET {iam}/v3/projects?name=NAME``, signed)."""
        name = auth.project_name
        query = canonical_query_string([("name", name)])
        where = "IAM was asked for the project named %s (GET %s/v3/projects?%s)" % (name, iam, query)
        url = iam + "/v3/projects?" + query
        try:
            response = self.send("GET", url, "/v3/projects", {}, None, authenticate=True, idempotent=True,
                                 expected=(200,))
            ids = _shapes.project_ids(response.json())
        except ImsError as exc:
            return "%s: %s" % (where, exc)
        except (ValueError, _shapes.ShapeError) as exc:
            return "%s: the answer is not a projects list this collection can read (%s)" % (where, exc)
        if len(ids) != 1:
            return "%s: %s" % (where, "it named none: the account has no project of that name" if not ids else
                               "it named %d (%s): set project_id to the one to use" % (len(ids), ", ".join(ids)))
        auth.project_id = ids[0]
        return None

    def send(self, method, url, path, headers, body, authenticate, idempotent, expected):
        """Send until an expected status, retrying only what cannot do harm (see the module docstring)."""
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            if hasattr(body, "seek"):  # a file being uploaded: send it from its start again
                body.seek(0)
            send_headers = self.auth.headers(self.fetch_token, method, url, headers, body) if authenticate else headers
            try:
                response = self.session.request(method, url, headers=send_headers, data=body, timeout=self.timeout,
                                                verify=self.verify)
            except requests.exceptions.RequestException as exc:
                problem = tls_problem(exc, url, self.verify, requests)
                if problem:  # a configuration problem, not a transient one: never retried
                    raise ImsConnectionError(self.redact("%s on %s %s: %s" % (problem[0], method, path, problem[1])),
                                             sent=False)
                dns = dns_problem(exc, url, self.origins)
                if dns and dns[2]:  # a misspelled region, not a transient failure: never retried
                    raise ImsConnectionError(self.redact("%s on %s %s: %s; not retried" % (dns[0], method, path, dns[1])),
                                             sent=False)
                unsent = never_sent(exc, requests)
                if attempt <= self.retries and (idempotent or unsent):
                    self.pause(attempt)
                    refreshed = False  # the token may expire again while we wait: renew it again
                    continue
                hint = "; %s" % dns[1] if dns and dns[1] else ""
                # The URL as sent, without its query: an endpoint's own path (a region's, behind a proxy) shows too.
                raise ImsConnectionError(self.redact("%s %s%s: %s after %d attempt(s): %s%s" % (
                    method, origin(url), urlsplit(url).path, describe(exc, requests), attempt, root_cause(exc), hint)),
                    sent=not unsent)
            if response.status_code in expected:
                return response
            error = self.error(method, path, response)
            if error.token_expired and not refreshed and authenticate and self.auth.refresh(self.fetch_token):
                refreshed = True
                continue
            if response.status_code in RETRY_STATUSES and attempt <= self.retries and (
                    idempotent or response.status_code == 429):
                self.pause(attempt, error.retry_after)
                refreshed = False  # the token may expire again while we wait: renew it again
                continue
            raise error

    def error(self, method, path, response):
        """The :class:`ImsApiError` of an answer with an unexpected status."""
        # Redacted before parsing too: a message cut at 300 characters could keep part of a secret.
        body = parse_error_body(self.redact(response.text))
        request_id = request_id_of(response.headers) or body.request_id
        hint = self.credentials if response.status_code == 401 else None
        return ImsApiError(method, path, response.status_code, body.code,
                           self.redact(body.message) if body.message else None, request_id,
                           retry_after=parse_retry_after(response.headers.get("Retry-After")), hint=hint,
                           reason=body.reason)
