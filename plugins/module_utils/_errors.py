# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The errors of the client, and what a failed request says about itself.

Private to this collection: the API may change without notice. Error bodies and codes:
docs/dev/ims-api.md, section "Errors".
"""

from __future__ import annotations

import html
import json
import re
import socket
import ssl

from collections import namedtuple
from urllib.parse import urlsplit

# IMS answers "not found" with HTTP 400 and one of these codes; Glance with 404.
NOT_FOUND_CODES = frozenset(("IMG.0027", "IMG.0144"))
TOKEN_EXPIRED_CODES = frozenset(("APIGW.0307", "APIG.0307"))
# Statuses after which a write may or may not have taken effect.
UNKNOWN_OUTCOME_STATUSES = frozenset((500, 502, 503, 504))
# Resolver answers that say the name does not exist (as opposed to EAI_AGAIN: it could not answer now).
NAME_UNKNOWN_ERRNOS = frozenset(code for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
                                if code is not None)
REGION_FORM = "a Huawei Cloud region name has the form cn-north-4 or ap-southeast-1"
# The response headers that carry the request id: IMS and the gateway's, then upstream Glance's (req-<uuid>).
REQUEST_ID_HEADERS = ("X-Request-Id", "X-Openstack-Request-Id")
MESSAGE_MAX = 300
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_STATUS_PREFIX = re.compile(r"^[0-9]{3}\s+")
_HTML_PART = re.compile(r"<(title|h1)[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_SKIPPED = re.compile(r"<(head|title|h1|script|style)[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


class ImsError(Exception):
    """Any failure of this client; ``str()`` is a message fit for a user."""


class ImsConfigError(ImsError):
    """The connection options do not make sense together."""


class ImsConnectionError(ImsError):
    """The API could not be reached, or stopped answering, after every retry.

    ``sent`` is False when the request certainly never reached the server.
    """

    def __init__(self, message, sent=True):
        super().__init__(message)
        self.sent = sent


class ImsProjectUnknown(ImsError):
    """The project of the credentials was not given and could not be learned from IAM."""


class ImsImageKilled(ImsError):
    """A write was taken but left the image ``killed`` (an upload that failed on the server): it changed the image."""


class ImsJobFailed(ImsError):
    """An IMS job ended ``FAIL``: ``job`` is its view (:func:`_jobs.job_view`), with IMS's ``error_code`` and ``fail_reason``."""

    def __init__(self, job):
        self.job = dict(job)
        self.job_id = job.get("id")
        self.error_code = job.get("error_code")
        self.fail_reason = job.get("fail_reason")
        text = "IMS job %s%s failed" % (self.job_id, " (%s)" % job["type"] if job.get("type") else "")
        text += ": %s" % (self.error_code or "no error code")
        text += ": %s" % (self.fail_reason or "IMS gave no reason")
        if job.get("image_id"):
            text += " (image %s)" % job["image_id"]
        super().__init__(text)


class ImsJobTimeout(ImsError):
    """An IMS job still pending at the caller's deadline: ``job`` is its last view (None: never read)."""

    def __init__(self, job_id, timeout, job=None):
        self.job = dict(job) if job is not None else {"id": job_id}
        self.job_id = job_id
        self.timeout = timeout
        status = self.job.get("status") or "not read yet"
        if self.job.get("progress") is not None:
            status += ", progress %s%%" % _percent(self.job["progress"])
        image = ("image %s is being made" % self.job["image_id"] if self.job.get("image_id")
                 else "IMS has not named its image yet")
        super().__init__(
            "IMS job %s%s is still %s after wait_timeout (%d s); %s. Nothing failed: run the task again "
            "(or raise wait_timeout) and it picks up where it left off, waiting for this job and its image, "
            "without creating another" % (job_id, " (%s)" % self.job["type"] if self.job.get("type") else "",
                                          status, timeout, image))


def _percent(value):
    """A progress as IMS gives it (a float), written without a useless ``.0``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return ("%d" % number) if number == int(number) else ("%.1f" % number)


class ImsImageConflict(ImsError):
    """An image of the task's name exists but is not the one the task describes (another source, or failed)."""


class ImsApiError(ImsError):
    """The API answered with an error status (or, for :class:`ImsAnswerError`, a body it cannot use)."""

    def __init__(self, method, path, status, code=None, message=None, request_id=None, retry_after=None, hint=None,
                 reason=None):
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.reason = reason  # the status's words (Glance's title, "Forbidden"), shown when there is no code
        self.message = message or ""
        self.request_id = request_id
        self.retry_after = retry_after
        self.hint = hint  # what to check, e.g. the credentials used after a 401
        super().__init__(self._format())

    def _format(self):
        text = "%s %s failed: HTTP %s" % (self.method, self.path, self.status)
        if self.code or self.reason:
            text += " %s" % (self.code or self.reason)
        if self.message:
            text += ": %s" % self.message
        text += " (request id: %s)" % (self.request_id or "none")
        if self.hint:
            text += "; %s" % self.hint
        return text

    def with_hint(self, hint):
        """A copy of this error whose message ends with ``hint`` as well (what to do about it)."""
        hints = "; ".join(text for text in (self.hint, hint) if text)
        return type(self)(self.method, self.path, self.status, self.code, self.message, self.request_id,
                          self.retry_after, hints, self.reason)

    @property
    def refuses_members(self):
        """A member refused because the image is not shared: upstream Glance's 403 "Only shared images have members."
        (IMS with ``X-Api-Version`` 2.5 or later applies the same rule)."""
        text = self.message.lower()
        return self.status in (400, 403, 409) and "shared" in text and "member" in text

    def refuses_members_of(self, image):
        """A members call refused because ``image`` is not shared: :attr:`refuses_members`, or any 403 for an image
        whose visibility is not ``shared`` (upstream Glance refuses a member of a private image with a bare "Not
        allowed to create members", and even the listing of its members)."""
        visibility = (image or {}).get("visibility")
        return self.refuses_members or (self.status == 403 and visibility is not None and visibility != "shared")

    @property
    def refuses_protected(self):
        """A delete refused because the image is protected: IMS ``IMG.0028`` (400), upstream Glance 403."""
        return self.code == "IMG.0028" or (self.status in (400, 403) and "protected" in self.message.lower())

    @property
    def not_found(self):
        return self.status == 404 or self.code in NOT_FOUND_CODES

    @property
    def token_expired(self):
        return self.status == 401 and self.code in TOKEN_EXPIRED_CODES


class ImsAnswerError(ImsApiError):
    """The API answered with a success status but a body of the wrong shape."""

    def _format(self):
        text = "%s %s answered HTTP %s with a body this collection cannot use: %s (request id: %s)" % (
            self.method, self.path, self.status, self.message, self.request_id or "none")
        return text + ("; %s" % self.hint if self.hint else "")


def may_have_taken_effect(exc):
    """Whether a failed write may nevertheless have happened: a 5xx, or a connection lost after sending."""
    if isinstance(exc, ImsConnectionError):
        return exc.sent
    return isinstance(exc, ImsApiError) and not isinstance(exc, ImsAnswerError) \
        and exc.status in UNKNOWN_OUTCOME_STATUSES


# What an error body says (each None when it says nothing): ``reason`` is the status's words (Glance's title).
ErrorBody = namedtuple("ErrorBody", ("code", "message", "request_id", "reason"), defaults=(None, None, None, None))


def request_id_of(headers):
    """The request id of an answer: ``X-Request-Id`` (IMS, the gateway) or ``x-openstack-request-id`` (Glance)."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def clean_text(text):
    """``text`` (HTML or plain) as one line: tags dropped, entities unescaped, whitespace collapsed."""
    text = _TAG.sub(" ", text or "")
    return _SPACE.sub(" ", html.unescape(text)).strip()


def _short(text):
    return text[:MESSAGE_MAX] or None


def _status_words(text):
    """The words of a status line ("403 Forbidden" -> "Forbidden"), or None."""
    words = _STATUS_PREFIX.sub("", clean_text(text))
    return words or None


def _without_prefix(message, *prefixes):
    """``message`` without a leading repeat of the status (``403 Forbidden``, ``Forbidden``)."""
    for prefix in prefixes:
        if prefix and message.lower().startswith(prefix.lower()):
            message = message[len(prefix):].lstrip(" :.-")
    return message


def _html_error(body):
    """(reason, message) of an HTML error page such as webob's (Glance without ``Accept: application/json``)."""
    parts = {}
    for tag, text in _HTML_PART.findall(body):
        parts.setdefault(tag.lower(), clean_text(text))
    heading = parts.get("title") or parts.get("h1") or ""
    message = clean_text(_HTML_SKIPPED.sub(" ", body))
    reason = _status_words(heading)
    message = _without_prefix(message, heading, reason)
    return reason, message


def parse_error_body(body):
    """The :class:`ErrorBody` of an IMS, gateway, IAM or Glance error body (JSON, HTML or text).

    Glance (webob) answers ``{"message": "...<br /><br />...", "code": "403 Forbidden", "title":
    "Forbidden"}`` when asked for JSON and an HTML page otherwise: the markup is dropped and the
    status it repeats is given once, as ``reason``.
    """
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        text = (body or "").strip()
        if "<" in text and ">" in text:
            reason, message = _html_error(text)
            return ErrorBody(message=_short(message), reason=reason)
        return ErrorBody(message=_short(clean_text(text)) if text else None)
    if "error_code" in data or "error_msg" in data:  # API gateway
        return ErrorBody(_text(data.get("error_code")), _text(data.get("error_msg")), _text(data.get("request_id")))
    error = data.get("error")
    if isinstance(error, dict):  # IMS ({code: IMG.x}) and IAM ({code: 401, title}: the code is the status)
        code = error.get("code")
        message = error.get("message") or error.get("title")
        return ErrorBody((code if isinstance(code, str) and code else None), _text(message))
    if "message" in data:  # Glance (webob): the code ("403 Forbidden") and the title repeat the status
        title = data.get("title") if isinstance(data.get("title"), str) else None
        status = data.get("code") if isinstance(data.get("code"), str) else None
        reason = _status_words(title or "") or _status_words(status or "")
        message = _text(data.get("message"))
        if message is not None:
            message = _without_prefix(clean_text(message), status, reason)
        if not message and not reason:
            return ErrorBody(message=_short(clean_text(status or "")))
        return ErrorBody(message=_short(message or ""), reason=reason)
    return ErrorBody()


def _text(value):
    """``value`` as text for a message (an error body may hold any JSON type), or None."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)[:MESSAGE_MAX]


# -- what a requests exception says ------------------------------------------------------

def cause_chain(exc):
    """``exc`` and the reasons behind it, outermost first (urllib3 keeps them in ``reason`` or ``args[0]``)."""
    seen = []
    reason = exc
    while isinstance(reason, BaseException) and reason not in seen:
        seen.append(reason)
        inner = getattr(reason, "reason", None)
        if not isinstance(inner, BaseException) and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        reason = inner
    return seen


def root_cause(exc):
    """The innermost reason of a requests/urllib3 exception, without the pool's noise."""
    text = str(cause_chain(exc)[-1])
    # "HTTPConnection(host='h', port=1): Failed to establish a new connection: [Errno 111] ..." -> the end
    return text.split("): ", 1)[-1] if text.startswith(("HTTPConnection(", "HTTPSConnection(")) else text


def never_sent(exc, requests_module):
    """True when the request certainly did not reach the server (safe to resend anything)."""
    exceptions = requests_module.exceptions
    if isinstance(exc, exceptions.ConnectTimeout):
        return True
    if isinstance(exc, exceptions.ConnectionError):
        text = repr(exc)
        return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text
    return False


def describe(exc, requests_module):
    """A few words for the kind of failure ``exc`` is."""
    exceptions = requests_module.exceptions
    if isinstance(exc, exceptions.SSLError):
        return "TLS error"
    if isinstance(exc, exceptions.Timeout):
        return "timed out"
    if isinstance(exc, exceptions.ConnectionError):
        return "connection failed"
    return "request failed"


def origin(url):
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme, parts.netloc)


def unresolved_name(exc):
    """The ``socket.gaierror`` behind ``exc`` when a host name did not resolve, else None.

    urllib3 raises its own error ``from`` the resolver's (``__cause__``; ``__context__`` in 1.26).
    """
    pending, seen = list(cause_chain(exc)), []
    while pending:
        item = pending.pop(0)
        if any(item is known for known in seen):
            continue
        seen.append(item)
        if isinstance(item, socket.gaierror):
            return item
        pending.extend(inner for inner in (getattr(item, "_reason", None), item.__cause__, item.__context__)
                       if isinstance(inner, BaseException))
    return None


def dns_problem(exc, url, origins):
    """(message, advice, at_once) for a host name of ``url`` that does not resolve, else None.

    ``origins`` is :func:`_connection.endpoint_origins`. A name derived from ``region`` that the
    resolver says does not exist is a misspelled region far more often than a passing failure:
    ``at_once`` (never retried). A name given in an endpoint option, or a resolver that could not
    answer (EAI_AGAIN), is retried as any connection that could not be made.
    """
    error = unresolved_name(exc)
    if error is None:
        return None
    host = (urlsplit(url).hostname or "").lower()
    message = "the host name %s does not resolve (%s)" % (host, error.strerror or error)
    option, region = origins.get(host, (None, None))
    if option is None:
        return message, None, False
    if region is None:
        return message, "check %s (HW_%s), the endpoint given" % (option, option.upper()), False
    advice = ("check region (HW_REGION_NAME): %r gives the host %s, and %s (or set %s to the endpoint's URL)"
              % (region, host, REGION_FORM, option))
    return message, advice, error.errno in NAME_UNKNOWN_ERRNOS


def tls_problem(exc, url, verify, requests_module):
    """(message, advice) for a TLS set-up problem of ``url``'s server, else None.

    A certificate that fails verification, a server that does not speak TLS and an unusable
    CA bundle fail the same way every time: they are reported at once, never retried.
    """
    if not isinstance(exc, requests_module.exceptions.SSLError):
        return None
    reason = next((cause for cause in cause_chain(exc) if isinstance(cause, ssl.SSLError)), None)
    text = str(reason if reason is not None else exc)
    bundle = verify if isinstance(verify, str) else None
    where = origin(url)
    if isinstance(reason, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
        detail = getattr(reason, "verify_message", None) or text
        if "mismatch" in detail or "match" in detail:
            advice = "the certificate is not for this host: use a host name or address it names in ims_endpoint and iam_endpoint"
        elif bundle:
            advice = "the CA bundle %s (ca_bundle, HW_CA_BUNDLE) does not hold the CA that signed the certificate" % bundle
        else:
            advice = "set ca_bundle (HW_CA_BUNDLE) to the PEM file of the CA that signed it, or validate_certs: false for a test endpoint"
        return "TLS certificate verification failed for %s (%s)" % (where, detail), advice
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return ("TLS handshake failed with %s (%s)" % (where, text),
                "the server does not speak TLS: use its http:// URL if it is a plain HTTP test server")
    if bundle and ("X509" in text or "PEM" in text or "NO_CERTIFICATE_OR_CRL_FOUND" in text):
        return ("the CA bundle %s could not be loaded (%s)" % (bundle, text),
                "ca_bundle (HW_CA_BUNDLE) must be a PEM file of CA certificates")
    return None
