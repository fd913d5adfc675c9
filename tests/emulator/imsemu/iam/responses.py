"""IAM's API actions: ``POST /v3/auth/tokens`` (the password method, project scopes).

docs/dev/ims-api.md, "auth and signing" (and the public IAM page "Obtaining a User Token",
support.huaweicloud.com/api-iam/).
"""

from __future__ import annotations

from ..core.clock import format_iam_time
from ..core.responses import Response
from ..defaults import DEFAULT_REGION
from .exceptions import IamErrorAnswer
from .models import domain_id, user_id


def malformed(message: str) -> IamErrorAnswer:
    return IamErrorAnswer(400, message)


class IamResponses:
    """One method per IAM action; each takes the request context and returns a Response."""

    def __init__(self, iam):
        self.iam = iam

    def issue_token(self, ctx):
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
        found = self.iam.find_user(name, password, domain_name)
        if found is None:
            raise IamErrorAnswer(401, "The username or password is wrong, or the user does not exist.")
        project_id, project_name = self._scope(body["auth"].get("scope"), found)
        token, now, expires = self.iam.issue_token(found, project_id, project_name)
        domain_obj = {"id": domain_id(found), "name": found.domain}
        answer = {"token": {
            "expires_at": format_iam_time(expires),
            "issued_at": format_iam_time(now),
            "methods": ["password"],
            "project": {"id": project_id, "name": project_name, "domain": domain_obj},
            "user": {"id": user_id(found), "name": found.name, "domain": domain_obj,
                     "password_expires_at": ""},
            "roles": [{"id": "0", "name": "op_gated_ims"}, {"id": "1", "name": "te_admin"}],
        }}
        return Response.json(201, answer, [("X-Subject-Token", token)])

    @staticmethod
    def _scope(scope, user) -> tuple:
        """(project id, project name) of a token request's scope (none: the user's project)."""
        project_id, project_name = user.projects[0], DEFAULT_REGION
        if scope is None:
            return project_id, project_name
        project = scope.get("project") if isinstance(scope, dict) else None
        if not isinstance(project, dict):
            raise malformed("Only project scopes are supported.")
        if project.get("id") is not None:
            if project["id"] not in user.projects:
                raise IamErrorAnswer(401, "The user has no access to the project.")
            return project["id"], project_name
        if isinstance(project.get("name"), str) and project["name"]:
            return project_id, project["name"]
        raise malformed("The project scope needs an id or a name.")
