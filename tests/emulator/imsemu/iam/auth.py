"""Authentication as the API gateway does it: AK/SK signatures and IAM tokens -> the project.

docs/dev/ims-api.md, "auth and signing". Every refusal has the gateway's shape. A request
is served by one region (``ctx.region_name``; the default region when unset): its project must
be a project of that region.
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
        """The caller's project in the request's region; AK/SK wins when both credentials are sent."""
        region = getattr(ctx, "region_name", None) or self.iam.default_region
        authorization = ctx.headers.get("Authorization")
        if authorization:
            return self._aksk(ctx, authorization, region)
        token = ctx.headers.get("X-Auth-Token")
        if token:
            return self._token(token, region)
        raise GatewayErrorAnswer(401, "APIGW.0301", "Incorrect IAM authentication information: no credentials.")

    def caller(self, ctx):
        """For IAM's own calls: ``("aksk", account)`` or ``("token", record)``; None without valid credentials."""
        authorization = ctx.headers.get("Authorization")
        if authorization:
            try:
                return "aksk", self.verify_signature(ctx, authorization)
            except GatewayErrorAnswer:
                return None
        record = self.iam.live_token(ctx.headers.get("X-Auth-Token", "").strip())
        return ("token", record) if record is not None else None

    @staticmethod
    def _denied(reason: str) -> GatewayErrorAnswer:
        return GatewayErrorAnswer(401, "APIGW.0301", "Incorrect IAM authentication information: %s." % reason)

    def _aksk(self, ctx, authorization: str, region: str) -> str:
        account = self.verify_signature(ctx, authorization)
        project = ctx.headers.get("X-Project-Id", "").strip()
        if project == account.project_id and region == self.iam.default_region:
            return project
        found = self.iam.projects.get(project)
        if found is None or found.home != account.project_id:
            raise GatewayErrorAnswer(403, "APIGW.0302",
                                     "The IAM user is not authorized to access the API: X-Project-Id is "
                                     "missing or is not a project of the access key.")
        if found.region != region:
            raise self._denied("the project %s is in region %s, not in region %s" % (project, found.region, region))
        return project

    def verify_signature(self, ctx, authorization: str):
        """The account whose secret key signed the request as sent (its path with any region prefix)."""
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
        return account

    def _token(self, token: str, region: str) -> str:
        record = self.iam.token(token)
        if record is None:
            raise self._denied("unknown token")
        if self.clock.now() >= record["expires_at"]:
            raise GatewayErrorAnswer(401, "APIGW.0307", "The token has expired.")
        project = self.iam.projects.get(record["project_id"])
        if project is not None and project.region != region:
            raise self._denied("the token's project %s is in region %s, not in region %s" % (
                record["project_id"], project.region, region))
        return record["project_id"]
