# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client of this collection: auth, endpoints, retries, errors, paging.

Private to this collection: the API may change without notice. Modules never talk
HTTP themselves; they call :class:`ImsClient`.
"""

from __future__ import annotations

import email.utils
import json
import re
import ssl
import time

from urllib.parse import parse_qsl, quote, urlsplit

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import sanity test
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from . import _clock
from ._signer import AkSkSigner, canonical_query_string
from ._version import COLLECTION_VERSION

# Methods that may be sent again when the first attempt's fate is unknown
# (a 5xx, a read time-out, a connection dropped after the request went out).
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))
PATCH_CONTENT_TYPE = "application/openstack-images-v2.1-json-patch"
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0
RETRY_AFTER_CAP = 60.0
# IMS answers "not found" with HTTP 400 and one of these codes; Glance with 404.
NOT_FOUND_CODES = frozenset(("IMG.0027", "IMG.0144"))
TOKEN_EXPIRED_CODES = frozenset(("APIGW.0307", "APIG.0307"))
_EU_REGION = re.compile(r"^eu-west-1\d\d$")


class ImsError(Exception):
    """Any failure of this client; ``str()`` is a message fit for a user."""


class ImsConfigError(ImsError):
    """The connection options do not make sense together."""


class ImsConnectionError(ImsError):
    """The API could not be reached, or stopped answering, after every retry."""


class ImsApiError(ImsError):
    """The API answered with an error status."""

    def __init__(self, method, path, status, code=None, message=None, request_id=None):
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.message = message or ""
        self.request_id = request_id
        super().__init__(self._format())

    def _format(self):
        text = "%s %s failed: HTTP %s" % (self.method, self.path, self.status)
        if self.code:
            text += " %s" % self.code
        if self.message:
            text += ": %s" % self.message
        text += " (request id: %s)" % (self.request_id or "none")
        return text

    @property
    def not_found(self):
        return self.status == 404 or self.code in NOT_FOUND_CODES

    @property
    def token_expired(self):
        return self.status == 401 and self.code in TOKEN_EXPIRED_CODES


def regional_endpoint(service, region):
    """The public endpoint of ``service`` (``ims``, ``iam``) in ``region``."""
    domain = "myhuaweicloud.eu" if _EU_REGION.match(region) else "myhuaweicloud.com"
    return "https://%s.%s.%s" % (service, region, domain)


def backoff_delay(attempt, retry_after=None, rng=None):
    """Seconds to wait before retry number ``attempt`` (1-based).

    A ``Retry-After`` from the server wins (capped); otherwise capped exponential
    backoff with full jitter.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), RETRY_AFTER_CAP)
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
    return ceiling * (rng or _clock.random)()


def parse_retry_after(value, now=None):
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def parse_error_body(body):
    """(code, message, request id) from an IMS, gateway or IAM error body."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        text = (body or "").strip()
        return None, text[:300] or None, None
    if "error_code" in data or "error_msg" in data:  # API gateway
        return data.get("error_code"), data.get("error_msg"), data.get("request_id")
    error = data.get("error")
    if isinstance(error, dict):  # IMS ({code: IMG.x}) and IAM ({code: 401, title}: the code is the status)
        code = error.get("code")
        message = error.get("message") or error.get("title")
        return (code if isinstance(code, str) and code else None), message, None
    if "message" in data:  # Glance-style
        return data.get("code"), data.get("message"), None
    return None, None, None


def next_page_query(next_link, page_limit=None):
    """The (path, pairs) of a relative ``next`` link, with ``limit`` replaced if given.

    The link's parameter order is arbitrary; the caller re-encodes the pairs
    canonically, so the request is signed exactly as it is sent.
    """
    parts = urlsplit(next_link)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if page_limit is not None:
        pairs = [(k, v) for k, v in pairs if k != "limit"] + [("limit", str(page_limit))]
    return parts.path, pairs


class _AkSkAuth:
    def __init__(self, signer):
        self.signer = signer

    def headers(self, client, method, url, headers, body):
        return self.signer.sign(method, url, headers, body)

    def refresh(self, client):
        return False


class _TokenAuth:
    def __init__(self, token, project_id=None):
        self.token = token
        self.project_id = project_id

    def headers(self, client, method, url, headers, body):
        result = dict(headers)
        result["X-Auth-Token"] = self.token
        if self.project_id:
            result["X-Project-Id"] = self.project_id
        return result

    def refresh(self, client):
        return False


class _PasswordAuth(_TokenAuth):
    """Gets an IAM token with a password on first use, and once more if it expires."""

    def __init__(self, iam_endpoint, user_name, password, domain_name, project_id, region):
        super().__init__(None, project_id)
        self.iam_endpoint = iam_endpoint
        self.user_name = user_name
        self.password = password
        self.domain_name = domain_name
        self.region = region

    def headers(self, client, method, url, headers, body):
        if self.token is None:
            self.token = client.fetch_token(self)
        return super().headers(client, method, url, headers, body)

    def refresh(self, client):
        self.token = client.fetch_token(self)
        return True

    def token_request_body(self):
        scope = {"id": self.project_id} if self.project_id else {"name": self.region}
        return {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": self.user_name, "password": self.password,
                "domain": {"name": self.domain_name}}}},
            "scope": {"project": scope},
        }}


class ImsClient:
    """One session to IMS for one module run."""

    def __init__(self, ims_endpoint, auth, timeout=30, retries=5, validate_certs=True,
                 sleep=None, rng=None, user_agent=None, ca_bundle=None):
        if not HAS_REQUESTS:
            raise ImsConfigError("the Python library 'requests' is required on the host that runs this module")
        self.endpoint = ims_endpoint.rstrip("/")
        self._auth = auth
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep or (lambda seconds: _clock.sleep(seconds))
        self._rng = rng or (lambda: _clock.random())
        self._secrets = []
        self.session = requests.Session()
        # False, a CA bundle, or True (the system CAs, or REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE).
        # Given to every request: requests lets REQUESTS_CA_BUNDLE override the session's own verify.
        self.verify = (ca_bundle or True) if validate_certs else False
        self.session.verify = self.verify
        self.session.headers["User-Agent"] = user_agent or "hwcloud.ims/%s python-requests/%s" % (
            COLLECTION_VERSION, requests.__version__)
        self.session.headers["Accept"] = "application/json"

    # -- construction --------------------------------------------------------------

    @classmethod
    def from_options(cls, options, **kwargs):
        """Build a client from the connection options of the ``connection`` doc fragment."""
        region = options.get("region")
        project_id = options.get("project_id")
        ims_endpoint = options.get("ims_endpoint")
        iam_endpoint = options.get("iam_endpoint")
        if not ims_endpoint:
            if not region:
                raise ImsConfigError(
                    "region is required (or ims_endpoint): set the region option or HW_REGION_NAME, e.g. cn-north-4")
            ims_endpoint = regional_endpoint("ims", region)
        access_key, secret_key = options.get("access_key"), options.get("secret_key")
        secrets = []
        if access_key or secret_key:
            if not (access_key and secret_key):
                raise ImsConfigError(
                    "access_key and secret_key go together: set both (HW_ACCESS_KEY, HW_SECRET_KEY) or neither")
            if not project_id:
                raise ImsConfigError("project_id is required with access_key/secret_key (HW_PROJECT_ID)")
            token = options.get("security_token")
            auth = _AkSkAuth(AkSkSigner(access_key, secret_key, project_id, token))
            secrets += [secret_key, token]
        elif options.get("auth_token"):
            auth = _TokenAuth(options["auth_token"], project_id)
            secrets.append(options["auth_token"])
        elif options.get("user_name") or options.get("password"):
            missing = [name for name in ("user_name", "password", "domain_name") if not options.get(name)]
            if missing:
                raise ImsConfigError(
                    "IAM password authentication needs user_name, password and domain_name; missing: %s"
                    % ", ".join(missing))
            if not project_id and not region:
                raise ImsConfigError("IAM password authentication needs project_id or region to scope the token")
            if not iam_endpoint:
                if not region:
                    raise ImsConfigError("iam_endpoint (HW_IAM_ENDPOINT) or region is required for IAM password authentication")
                iam_endpoint = regional_endpoint("iam", region)
            auth = _PasswordAuth(iam_endpoint.rstrip("/"), options["user_name"], options["password"],
                                 options["domain_name"], project_id, region)
            secrets.append(options["password"])
        else:
            raise ImsConfigError(
                "no credentials: set access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY), "
                "or auth_token (HW_AUTH_TOKEN), or user_name, password and domain_name "
                "(HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)")
        client = cls(ims_endpoint, auth, timeout=options.get("timeout", 30), retries=options.get("retries", 5),
                     validate_certs=options.get("validate_certs", True), ca_bundle=options.get("ca_bundle") or None, **kwargs)
        client._secrets.extend(s for s in secrets if s)
        return client

    def close(self):
        self.session.close()

    def redact(self, text):
        """``text`` with every secret this client knows replaced by ``********``.

        Also the forms a server that echoes the request shows: JSON-escaped (a password
        in the IAM request body) and URL-encoded.
        """
        for secret in self._secrets:
            if not secret:
                continue
            for form in sorted(_secret_forms(secret), key=len, reverse=True):
                if form in text:
                    text = text.replace(form, "********")
        return text

    # -- IAM -------------------------------------------------------------------------

    def fetch_token(self, auth):
        url = auth.iam_endpoint + "/v3/auth/tokens"
        body = json.dumps(auth.token_request_body()).encode("utf-8")
        # Asking for a token changes nothing: safe to repeat like a read.
        response = self._send("POST", url, "/v3/auth/tokens", {"Content-Type": "application/json"}, body,
                              authenticate=False, idempotent=True, expected=(201,))
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise ImsApiError("POST", "/v3/auth/tokens", response.status_code,
                              message="IAM answered without an X-Subject-Token header",
                              request_id=response.headers.get("X-Request-Id"))
        self._secrets.append(token)
        return token

    # -- requests --------------------------------------------------------------------

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
        return self._send(method.upper(), self.url(path, params), path, headers, body,
                          authenticate=True, idempotent=idempotent, expected=expected)

    def request_json(self, method, path, **kwargs):
        response = self.request(method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ImsApiError(method, path, response.status_code, message="the answer is not JSON",
                              request_id=response.headers.get("X-Request-Id"))

    def _send(self, method, url, path, headers, body, authenticate, idempotent, expected):
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            if hasattr(body, "seek"):  # a file being uploaded: send it from its start again
                body.seek(0)
            send_headers = self._auth.headers(self, method, url, headers, body) if authenticate else headers
            retry_after = None
            try:
                response = self.session.request(method, url, headers=send_headers, data=body, timeout=self.timeout,
                                                verify=self.verify)
            except requests.exceptions.RequestException as exc:
                tls_problem = _tls_problem(exc, _origin(url), self.verify)
                if tls_problem:  # a configuration problem, not a transient one: never retried
                    raise ImsConnectionError(self.redact("%s on %s %s: %s" % (tls_problem[0], method, path, tls_problem[1])))
                if attempt <= self.retries and (idempotent or _never_sent(exc)):
                    self._sleep(backoff_delay(attempt, rng=self._rng))
                    refreshed = False  # the token may expire again while we wait: renew it again
                    continue
                raise ImsConnectionError(self.redact("%s %s%s: %s after %d attempt(s): %s" % (
                    method, _origin(url), path, _describe(exc), attempt, _root_cause(exc))))
            if response.status_code in expected:
                return response
            error = self._error(method, path, response)
            if error.token_expired and not refreshed and authenticate and self._auth.refresh(self):
                refreshed = True
                continue
            if response.status_code in RETRY_STATUSES and attempt <= self.retries and (
                    idempotent or response.status_code == 429):
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                self._sleep(backoff_delay(attempt, retry_after, rng=self._rng))
                refreshed = False  # the token may expire again while we wait: renew it again
                continue
            raise error

    def _error(self, method, path, response):
        # Redacted before parsing too: a message cut at 300 characters could keep part of a secret.
        code, message, body_request_id = parse_error_body(self.redact(response.text))
        request_id = response.headers.get("X-Request-Id") or body_request_id
        return ImsApiError(method, path, response.status_code, code,
                           self.redact(message) if message else None, request_id)

    # -- images ----------------------------------------------------------------------

    def get_image(self, image_id):
        """The image, or None when it does not exist (or is not visible)."""
        try:
            return self.request_json("GET", "/v2/images/%s" % _quote_id(image_id))
        except ImsApiError as exc:
            if exc.not_found:
                return None
            raise

    def create_image(self, body):
        """``POST /v2/images``; never repeated by the client when its outcome is unknown."""
        return self.request_json("POST", "/v2/images", json_body=body, expected=(201,))

    def update_image(self, image_id, patch):
        """Apply a JSON patch in one ``PATCH``; returns the whole image."""
        return self.request_json("PATCH", "/v2/images/%s" % _quote_id(image_id),
                                 data=json.dumps(patch).encode("utf-8"),
                                 headers={"Content-Type": PATCH_CONTENT_TYPE})

    def delete_image(self, image_id):
        """``DELETE`` the image; False when it was already gone."""
        try:
            self.request("DELETE", "/v2/images/%s" % _quote_id(image_id), expected=(204,))
        except ImsApiError as exc:
            if exc.not_found:
                return False
            raise
        return True

    def upload_file(self, image_id, handle):
        """Stream an open file into a queued image (``PUT .../file``).

        Repeated only on 429 or when the connection could not be made: a half-sent
        upload leaves the image killed, and IMS refuses a second upload anyway.
        """
        self.request("PUT", "/v2/images/%s/file" % _quote_id(image_id), data=handle,
                     headers={"Content-Type": "application/octet-stream"}, expected=(204,), idempotent=False)

    def list_members(self, image_id):
        data = self.request_json("GET", "/v2/images/%s/members" % _quote_id(image_id)) or {}
        return data.get("members") or []

    def add_member(self, image_id, member):
        return self.request_json("POST", "/v2/images/%s/members" % _quote_id(image_id),
                                 json_body={"member": member}, idempotent=False)

    def remove_member(self, image_id, member):
        """False when ``member`` was not a member any more."""
        try:
            self.request("DELETE", "/v2/images/%s/members/%s" % (_quote_id(image_id), _quote_id(member)),
                         expected=(204,))
        except ImsApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    @property
    def signs_requests(self):
        """True with AK/SK, whose signed uploads the gateway caps at 12 MB."""
        return isinstance(self._auth, _AkSkAuth)

    def iter_images(self, params, page_size=1000, max_results=None, keep=None):
        """Yield images from ``GET /v2/images`` with ``params``, following ``next``.

        Stops on a missing ``next``, an empty page, or after ``max_results`` kept
        images; ``keep`` is an optional client-side predicate.
        """
        def wanted(count):
            if max_results is None or keep is not None:
                return page_size
            return max(1, min(page_size, max_results - count))

        count = 0
        path = "/v2/images"
        pairs = list(params) + [("limit", str(wanted(0)))]
        seen_markers = set()
        while True:
            page = self.request_json("GET", path, params=pairs) or {}
            images = page.get("images") or []
            for image in images:
                if keep is not None and not keep(image):
                    continue
                yield image
                count += 1
                if max_results is not None and count >= max_results:
                    return
            next_link = page.get("next")
            if not images or not next_link:
                return
            path, pairs = next_page_query(next_link, wanted(count))
            marker = dict(pairs).get("marker")
            if marker in seen_markers:
                raise ImsApiError("GET", path, 200, message="the API repeated the page marker %s" % marker)
            seen_markers.add(marker)


def _quote_id(value):
    return quote(str(value), safe="")


def _secret_forms(secret):
    """``secret`` as is, JSON-escaped (also twice, ASCII-only or not) and URL-encoded."""
    escaped = json.dumps(secret)[1:-1]
    return {secret, escaped, json.dumps(secret, ensure_ascii=False)[1:-1], json.dumps(escaped)[1:-1],
            quote(secret, safe=""), quote(secret, safe="").replace("%20", "+")}


def _never_sent(exc):
    """True when the request certainly did not reach the server (safe to resend anything)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = repr(exc)
        return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text
    return False


def _tls_problem(exc, origin, verify):
    """A message for a TLS set-up problem of ``origin`` (``exc``), else None.

    A certificate that fails verification, a server that does not speak TLS and an unusable
    CA bundle fail the same way every time: they are reported at once, never retried.
    """
    if not isinstance(exc, requests.exceptions.SSLError):
        return None
    reason = exc
    while reason is not None and not isinstance(reason, ssl.SSLError):
        inner = getattr(reason, "reason", None)
        if not isinstance(inner, BaseException) and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        reason = inner if isinstance(inner, BaseException) and inner is not reason else None
    text = str(reason if reason is not None else exc)
    bundle = verify if isinstance(verify, str) else None
    if isinstance(reason, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
        detail = getattr(reason, "verify_message", None) or text
        if "mismatch" in detail or "match" in detail:
            advice = "the certificate is not for this host: use a host name or address it names in ims_endpoint and iam_endpoint"
        elif bundle:
            advice = "the CA bundle %s (ca_bundle, HW_CA_BUNDLE) does not hold the CA that signed the certificate" % bundle
        else:
            advice = "set ca_bundle (HW_CA_BUNDLE) to the PEM file of the CA that signed it, or validate_certs: false for a test endpoint"
        return "TLS certificate verification failed for %s (%s)" % (origin, detail), advice
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return ("TLS handshake failed with %s (%s)" % (origin, text),
                "the server does not speak TLS: use its http:// URL if it is a plain HTTP test server")
    if bundle and ("X509" in text or "PEM" in text or "NO_CERTIFICATE_OR_CRL_FOUND" in text):
        return ("the CA bundle %s could not be loaded (%s)" % (bundle, text),
                "ca_bundle (HW_CA_BUNDLE) must be a PEM file of CA certificates")
    return None


def _origin(url):
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme, parts.netloc)


def _root_cause(exc):
    """The innermost reason of a requests/urllib3 exception, without the pool's noise."""
    reason = exc
    while True:
        inner = getattr(reason, "reason", None)
        if not isinstance(inner, Exception):  # ssl.SSLError's reason is a string
            inner = None
        if inner is None and reason.args and isinstance(reason.args[0], Exception):
            inner = reason.args[0]
        if inner is None or inner is reason:
            break
        reason = inner
    text = str(reason)
    # "HTTPConnection(host='h', port=1): Failed to establish a new connection: [Errno 111] ..." -> the end
    return text.split("): ", 1)[-1] if text.startswith(("HTTPConnection(", "HTTPSConnection(")) else text


def _describe(exc):
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed"
    return "request failed"
