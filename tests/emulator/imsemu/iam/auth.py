"""Authentication as the API gateway does it: AK/SK signatures and IAM tokens -> the project.

docs/dev/ims-api.md, "auth and signing". Every refusal has the gateway's shape.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from ..core.exceptions import GatewayErrorAnswer, entity_too_large
from ..core.signing import MAX_DATE_SKEW, MAX_SIGNED_BODY, SDK_DATE_FORMAT, UNSIGNED_PAYLOAD, SignatureVerifier


class Authenticator:
    """AK/SK signatures and tokens -> the caller's project, or a gateway error."""

    def __init__(self, iam, clock):
        self.iam = iam
        self.clock = clock

    def authenticate(self, ctx) -> str:
        """The caller's project; AK/SK wins when both credentials are sent."""
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

    def _aksk(self, ctx, authorization: str) -> str:
        try:
            access_key, signed, signature = SignatureVerifier.parse_authorization(authorization)
        except ValueError as exc:
            raise self._denied(str(exc)) from None
        account = self.iam.by_access_key.get(access_key)
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
            raise entity_too_large()
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
        record = self.iam.token(token)
        if record is None:
            raise self._denied("unknown token")
        if self.clock.now() >= record["expires_at"]:
            raise GatewayErrorAnswer(401, "APIGW.0307", "The token has expired.")
        return record["project_id"]
