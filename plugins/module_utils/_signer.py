# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud AK/SK request signing (SDK-HMAC-SHA256).

Private to this collection: the API may change without notice.

The algorithm is the one of the official SDK signer: canonical request, string to
sign, HMAC-SHA256 keyed directly with the secret key. Every function here is pure
(the clock is passed in), so the signer is tested byte for byte against requests
signed by the official SDK.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from urllib.parse import quote, unquote, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# Only unreserved characters stay as they are; everything else is %XX (upper case).
_SAFE = "-_.~"


def encode_component(value):
    """Percent-encode one path segment, query name or query value."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return quote(str(value), safe=_SAFE)


def canonical_uri(path):
    """Decode the path, encode each segment, and always end with ``/``."""
    segments = unquote(path or "/").split("/")
    uri = "/".join(encode_component(segment) for segment in segments)
    if not uri.startswith("/"):
        uri = "/" + uri
    if not uri.endswith("/"):
        uri += "/"
    return uri


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def canonical_query_string(pairs):
    """Encode (name, value) pairs sorted by name then value: the query to send and to sign.

    As the official SDK does, the pairs are sorted as they are, then encoded: a name given
    more than once (``tag=env-x=1&tag=env=prod``) keeps the order of its raw values, which
    is not the order of their encoded forms (``-`` sorts before ``=``, but ``%3D`` before ``-``).
    """
    ordered = sorted((_text(name), _text(value)) for name, value in pairs)
    return "&".join("%s=%s" % (encode_component(name), encode_component(value)) for name, value in ordered)


def format_sdk_date(now=None):
    """The ``X-Sdk-Date`` value for ``now`` (an aware datetime; the current time when None)."""
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    return now.astimezone(datetime.timezone.utc).strftime(_DATE_FORMAT)


def _is_json(content_type):
    return (content_type or "").strip().lower().startswith("application/json")


def string_to_sign(method, url, headers, body):
    """Return (string to sign, signed header names) for a request whose headers are final.

    ``headers`` must already hold every header to sign (``X-Sdk-Date``, ``Host``, ...);
    ``url`` must carry its query in canonical form (see :func:`canonical_query_string`).
    """
    parts = urlsplit(url)
    lowered = {}
    for name, value in headers.items():
        key = name.lower()
        if "_" in key:
            continue
        lowered[key] = str(value).strip()
    signed = sorted(lowered)
    canonical_headers = "".join("%s:%s\n" % (name, lowered[name]) for name in signed)
    if lowered.get("x-sdk-content-sha256") == UNSIGNED_PAYLOAD:
        payload_hash = UNSIGNED_PAYLOAD
    else:
        if body is None:
            body = b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        payload_hash = hashlib.sha256(body).hexdigest()
    query_pairs = []
    if parts.query:
        for item in parts.query.split("&"):
            name, _sep, value = item.partition("=")
            query_pairs.append((unquote(name), unquote(value)))
    canonical_request = "\n".join([
        method.upper(),
        canonical_uri(parts.path),
        canonical_query_string(query_pairs),
        canonical_headers,
        ";".join(signed),
        payload_hash,
    ])
    request_hash = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    sdk_date = lowered.get("x-sdk-date", "")
    return "%s\n%s\n%s" % (ALGORITHM, sdk_date, request_hash), signed


class AkSkSigner:
    """Signs requests with an access key / secret key pair for one project."""

    def __init__(self, access_key, secret_key, project_id, security_token=None):
        self.access_key = access_key
        self._secret_key = secret_key
        self.project_id = project_id
        self._security_token = security_token

    def __repr__(self):
        # Never show the secret key or the token, whatever prints this object.
        return "AkSkSigner(access_key=%r, project_id=%r)" % (self.access_key, self.project_id)

    def sign(self, method, url, headers=None, body=b"", now=None):
        """Return a new header dict holding ``headers`` and every header the gateway needs.

        ``body`` is the exact bytes sent; for a streamed body (a file object) pass
        ``None`` together with a non-JSON ``Content-Type``: such payloads are never hashed.
        """
        result = dict(headers or {})
        result["X-Sdk-Date"] = format_sdk_date(now)
        result["Host"] = urlsplit(url).netloc
        if self.project_id:
            result["X-Project-Id"] = self.project_id
        if self._security_token:
            result["X-Security-Token"] = self._security_token
        content_type = next((v for k, v in result.items() if k.lower() == "content-type"), "")
        if content_type and not _is_json(content_type):
            result["X-Sdk-Content-Sha256"] = UNSIGNED_PAYLOAD
        to_sign, signed = string_to_sign(method, url, result, body)
        signature = hmac.new(self._secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        result["Authorization"] = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
            ALGORITHM, self.access_key, ";".join(signed), signature)
        return result
