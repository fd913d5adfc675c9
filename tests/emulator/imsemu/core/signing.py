"""AK/SK (SDK-HMAC-SHA256) signatures as the API gateway verifies them.

docs/dev/ims-api.md, "auth and signing" (and Huawei Cloud's public API signing guide,
support.huaweicloud.com/devg-apisign/).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from urllib.parse import parse_qsl, quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_DATE_SKEW = 15 * 60
MAX_SIGNED_BODY = 12 * 1024 * 1024  # AK/SK-signed bodies (the gateway's cap)

# tests/unit/fixtures/signing-vectors.json: the official SDK's signatures, copied.
_TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SIGNING_VECTORS = os.path.join(_TESTS, "unit", "fixtures", "signing-vectors.json")


class SignatureVerifier:
    """Recomputes an SDK-HMAC-SHA256 signature from a request as received.

    Pure functions only: the authenticator hands in the raw path, the raw query string, a
    header lookup and the payload hash; ``check_signing_vectors()`` hands in the vectors.
    """

    @staticmethod
    def encode(text: str) -> str:
        """Percent-encode everything but ``A-Z a-z 0-9 - _ . ~`` (upper-case hex)."""
        return quote(text, safe="-_.~")

    @classmethod
    def canonical_uri(cls, raw_path: str) -> str:
        uri = "/".join(cls.encode(segment) for segment in unquote(raw_path).split("/"))
        return uri if uri.endswith("/") else uri + "/"

    @classmethod
    def canonical_query(cls, raw_query: str) -> str:
        # Sorted as received, then encoded, as the official SDK signs: a repeated name keeps the
        # order of its raw values (``env-x=1`` before ``env=prod``), not of their encodings.
        pairs = sorted(parse_qsl(raw_query, keep_blank_values=True))
        return "&".join("%s=%s" % (cls.encode(name), cls.encode(value)) for name, value in pairs)

    @staticmethod
    def parse_authorization(value: str):
        """``SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`` -> (ak, [names], sig)."""
        scheme, _space, rest = value.strip().partition(" ")
        if scheme != ALGORITHM:
            raise ValueError("unsupported authorization scheme")
        fields = {}
        for item in rest.split(","):
            name, sep, val = item.strip().partition("=")
            if sep:
                fields[name.strip()] = val.strip()
        try:
            access, signed, signature = fields["Access"], fields["SignedHeaders"], fields["Signature"]
        except KeyError:
            raise ValueError("incomplete authorization header") from None
        names = [n.strip().lower() for n in signed.split(";") if n.strip()]
        if not access or not names or not signature:
            raise ValueError("incomplete authorization header")
        return access, names, signature

    @classmethod
    def canonical_request(cls, method, raw_path, raw_query, header_value, signed_headers,
                          payload_hash) -> str:
        """``header_value(name)`` returns the received value of a (lower-case) header."""
        headers = "".join("%s:%s\n" % (name, header_value(name).strip()) for name in signed_headers)
        return "\n".join((method.upper(), cls.canonical_uri(raw_path), cls.canonical_query(raw_query),
                          headers, ";".join(signed_headers), payload_hash))

    @staticmethod
    def string_to_sign(sdk_date: str, canonical_request: str) -> str:
        digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
        return "%s\n%s\n%s" % (ALGORITHM, sdk_date, digest)

    @staticmethod
    def signature(secret_key: str, string_to_sign: str) -> str:
        return hmac.new(secret_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def check_signing_vectors(path: str | None = None) -> list:
    """Replay signing-vectors.json through ``SignatureVerifier``; return the failures (empty = OK).

    ``path`` defaults to the copy of the official SDK's vectors in ``tests/unit/fixtures``.
    """
    with open(path or SIGNING_VECTORS, encoding="utf-8") as handle:
        data = json.load(handle)
    secret_key = data["common"]["secret_key"]
    failures = []
    for vector in data["vectors"]:
        target = vector["url"].split("://", 1)[-1]
        target = target[target.find("/"):] if "/" in target else "/"
        raw_path, _mark, raw_query = target.partition("?")
        headers = {k.lower(): v for k, v in vector["headers"].items()}
        _access, signed, expected = SignatureVerifier.parse_authorization(vector["authorization"])
        if headers.get("x-sdk-content-sha256") == UNSIGNED_PAYLOAD:
            payload_hash = UNSIGNED_PAYLOAD
        else:
            payload_hash = hashlib.sha256(vector["body"].encode("utf-8")).hexdigest()
        canonical = SignatureVerifier.canonical_request(
            vector["method"], raw_path, raw_query, lambda n: headers.get(n, ""), signed, payload_hash)
        got = SignatureVerifier.signature(
            secret_key, SignatureVerifier.string_to_sign(headers["x-sdk-date"], canonical))
        if not hmac.compare_digest(got, expected):
            failures.append("%s: signature %s, expected %s" % (vector["name"], got, expected))
        if "canonical_uri" in vector and SignatureVerifier.canonical_uri(raw_path) != vector["canonical_uri"]:
            failures.append("%s: canonical URI differs" % vector["name"])
        if "canonical_query" in vector and \
                SignatureVerifier.canonical_query(raw_query) != vector["canonical_query"]:
            failures.append("%s: canonical query differs" % vector["name"])
    return failures
