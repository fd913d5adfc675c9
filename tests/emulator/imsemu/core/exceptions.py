"""Error answers: exceptions that carry the HTTP answer they stand for.

``ErrorAnswer`` is the base; each service gives the body its shape (docs/dev/ims-api.md,
"errors"): the API gateway's here, IMS's in ``ims/exceptions.py``, IAM's in
``iam/exceptions.py``. (The collection's client has an exception base ``ImsError``: these are
the emulator's answers, not the client's exceptions, hence the other name.)
"""

from __future__ import annotations

from .responses import Response


class ErrorAnswer(Exception):
    """An error answer. Subclasses give the body its shape."""

    def __init__(self, status: int, code, message: str, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = list(headers or [])

    def body(self, request_id: str) -> dict:
        raise NotImplementedError

    def response(self, request_id: str) -> Response:
        return Response.json(self.status, self.body(request_id), self.headers)


class GatewayErrorAnswer(ErrorAnswer):
    """``{"error_code":"APIGW.xxxx","error_msg":...,"request_id":...}``"""

    def body(self, request_id):
        return {"error_code": self.code, "error_msg": self.message, "request_id": request_id}


def api_not_found() -> GatewayErrorAnswer:
    return GatewayErrorAnswer(404, "APIGW.0101", "The API does not exist or has not been published.")


def entity_too_large() -> GatewayErrorAnswer:
    return GatewayErrorAnswer(413, "APIGW.0201", "Request entity too large.")


def internal_error() -> GatewayErrorAnswer:
    return GatewayErrorAnswer(500, "APIGW.0201", "Internal error of the emulator.")


def gateway_fault_error(status: int) -> GatewayErrorAnswer:
    """The gateway-shaped error of an injected fault."""
    if status == 429:
        return GatewayErrorAnswer(429, "APIGW.0308", "The throttling threshold has been reached.")
    if status == 401:
        return GatewayErrorAnswer(401, "APIGW.0301", "Incorrect IAM authentication information.")
    if status == 403:
        return GatewayErrorAnswer(403, "APIGW.0302", "The IAM user is not authorized to access the API.")
    if status == 404:
        return GatewayErrorAnswer(404, "APIGW.0101", "The API does not exist or has not been published.")
    return GatewayErrorAnswer(status, "APIGW.0201", "Backend unavailable (injected fault).")
