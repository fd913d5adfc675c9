"""IAM's own error shape: ``{"error":{"code":401,"title":"Unauthorized","message":...}}``.

docs/dev/ims-api.md, "auth and signing" and "errors".
"""

from __future__ import annotations

from ..core.exceptions import ErrorAnswer


class IamErrorAnswer(ErrorAnswer):
    """IAM's own shape: ``{"error":{"code":401,"title":"Unauthorized","message":...}}``"""

    TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}

    def __init__(self, status, message):
        super().__init__(status, status, message)

    def body(self, request_id):
        return {"error": {"code": self.status, "title": self.TITLES.get(self.status, "Error"),
                          "message": self.message}}
