"""IAM's API actions: the Keystone v3 version document (``GET /v3``), issuing a token
(``POST /v3/auth/tokens``: the password method, project scopes) and validating one
(``GET /v3/auth/tokens``), and the caller's projects (``GET /v3/projects``, ``GET /v3/auth/projects``).

docs/dev/ims-api.md, "auth and signing" (and the public IAM pages "Querying Keystone API
Version Information", "Obtaining a User Token" and "Verifying a Token",
support.huaweicloud.com/api-iam/). A token's body carries the service catalog unless the
query says ``nocatalog=true``, as IAM's does; the emulator's catalog has the image service
(and IAM itself) at the emulator's own address, so a Keystone client (keystoneauth,
openstacksdk) finds the image endpoint there.
"""

from __future__ import annotations

import hashlib

from ..core.clock import format_iam_time
from ..core.responses import Response
from ..core.util import host_origin, origin_of
from .exceptions import IamErrorAnswer
from .models import domain_id, user_id

ROLES = ({"id": "0", "name": "op_gated_ims"}, {"id": "1", "name": "te_admin"})
# The Keystone v3 version IAM reports (GET /v3), and when it was last updated.
IDENTITY_VERSION = ("v3.6", "2016-04-04T00:00:00Z")


def malformed(message: str) -> IamErrorAnswer:
    return IamErrorAnswer(400, message)


def service_catalog(origin: str, region: str) -> list:
    """The catalog of a token: the image service (IMS) and IAM, both at ``origin``, in ``region``."""
    def service(kind, name, url):
        def endpoint_id(interface):
            return hashlib.md5(("%s:%s:%s" % (kind, region, interface)).encode()).hexdigest()
        return {"type": kind, "name": name, "id": hashlib.md5(("service:" + kind).encode()).hexdigest(),
                "endpoints": [{"id": endpoint_id(interface), "interface": interface, "region": region,
                               "region_id": region, "url": url} for interface in ("public", "internal")]}
    return [service("image", "glance", origin), service("identity", "iam", origin + "/v3")]


def wants_catalog(ctx) -> bool:
    """False when the query says ``nocatalog=true`` (IAM's switch; any case), else True."""
    return not any(name == "nocatalog" and value.strip().lower() == "true" for name, value in ctx.query_pairs())


class IamResponses:
    """One method per IAM action; each takes the request context and returns a Response."""

    def __init__(self, iam, auth):
        self.iam = iam
        self.auth = auth  # IAM's own calls that need the caller (the projects) verify it themselves
        # scheme://host:port of the emulator, for the catalog of a request without Host
        self.default_origin = "http://localhost"

    def show_version(self, ctx):
        """``GET /v3``: the Keystone v3 version document (what keystoneauth discovers first)."""
        version, updated = IDENTITY_VERSION
        origin = origin_of(ctx, self.default_origin)
        return Response.json(200, {"version": {
            "id": version, "status": "stable", "updated": updated,
            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
            "links": [{"rel": "self", "href": origin + "/v3/"}],
        }})

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
        token, _now, _expires = self.iam.issue_token(found, project_id, project_name)
        return Response.json(201, self._token_body(ctx, found, self.iam.token(token)), [("X-Subject-Token", token)])

    def validate_token(self, ctx):
        """``GET /v3/auth/tokens``: the body of ``X-Subject-Token`` as POST gave it, if both tokens live.

        ``X-Auth-Token`` (the caller) missing, unknown or expired: 401; ``X-Subject-Token``
        missing, unknown or expired: 404 (Keystone's and IAM's answers).
        """
        if self.iam.live_token(ctx.headers.get("X-Auth-Token", "").strip()) is None:
            raise IamErrorAnswer(401, "The request you have made requires authentication.")
        subject = ctx.headers.get("X-Subject-Token", "").strip()
        record = self.iam.live_token(subject)
        user = self.iam.user_of(record) if record is not None else None
        if user is None:
            raise IamErrorAnswer(404, "Could not find token: the token is unknown or has expired.")
        return Response.json(200, self._token_body(ctx, user, record), [("X-Subject-Token", subject)])

    def _token_body(self, ctx, user, record) -> dict:
        """``{"token": {...}}`` of a token record, with the catalog unless ``nocatalog=true``."""
        domain_obj = {"id": domain_id(user), "name": user.domain}
        token = {
            "expires_at": format_iam_time(record["expires_at"]),
            "issued_at": format_iam_time(record["issued_at"]),
            "methods": list(record.get("methods", ["password"])),
            "project": {"id": record["project_id"], "name": record["project_name"], "domain": domain_obj},
            "user": {"id": user_id(user), "name": user.name, "domain": domain_obj, "password_expires_at": ""},
            "roles": [dict(role) for role in ROLES],
        }
        if wants_catalog(ctx):
            origin = host_origin(ctx, self.default_origin)
            project = self.iam.projects.get(record["project_id"])
            if project is not None and project.region != self.iam.default_region:
                origin += "/" + project.region  # the region's image endpoint (its path prefix)
            token["catalog"] = service_catalog(origin, record["project_name"])
        return {"token": token}

    # -- projects (Keystone's projects API as IAM answers it) ----------------------------
    def list_projects(self, ctx):
        """``GET /v3/projects[?name=REGION]``: the caller's projects (what the SDK asks for a project id)."""
        homes = self._caller_homes(ctx)
        name = None
        for key, value in ctx.query_pairs():
            if key == "name":
                name = value
        projects = [p for p in self.iam.projects_of(homes) if name is None or p.region == name]
        origin = origin_of(ctx, self.default_origin)
        target = origin + "/v3/projects" + ("?" + ctx.raw_query if ctx.raw_query else "")
        return Response.json(200, {"projects": [self._project(origin, p) for p in projects],
                                   "links": {"self": target, "previous": None, "next": None}})

    def list_auth_projects(self, ctx):
        """``GET /v3/auth/projects``: every project the caller (a token or AK/SK) can reach."""
        origin = origin_of(ctx, self.default_origin)
        projects = self.iam.projects_of(self._caller_homes(ctx))
        return Response.json(200, {"projects": [self._project(origin, p) for p in projects],
                                   "links": {"self": origin + "/v3/auth/projects", "previous": None, "next": None}})

    def _caller_homes(self, ctx) -> list:
        caller = self.auth.caller(ctx)
        if caller is None:
            raise IamErrorAnswer(401, "The request you have made requires authentication.")
        kind, who = caller
        if kind == "aksk":
            return [who.project_id]
        user = self.iam.user_of(who)
        homes = user.projects if user is not None else ()
        return list(dict.fromkeys(self.iam.home_of(p) or p for p in homes))

    def _project(self, origin, project) -> dict:
        domain = self.iam.domain_of(project.home)
        return {"id": project.id, "name": project.region, "domain_id": domain, "parent_id": domain,
                "enabled": True, "is_domain": False, "description": "",
                "links": {"self": origin + "/v3/projects/" + project.id}}

    def _scope(self, scope, user) -> tuple:
        """(project id, project name) of a token request's scope (none: the user's project).

        By id: any project of the user's accounts, in any region. By name: a region's name gives
        the user's project in that region; another name, the user's own project under that name.
        """
        project_id, project_name = user.projects[0], self.iam.default_region
        if scope is None:
            return project_id, project_name
        project = scope.get("project") if isinstance(scope, dict) else None
        if not isinstance(project, dict):
            raise malformed("Only project scopes are supported.")
        if project.get("id") is not None:
            found = self.iam.projects.get(project["id"])
            if project["id"] in user.projects:
                return project["id"], found.region if found is not None else project_name
            if found is None or found.home not in user.projects:
                raise IamErrorAnswer(401, "The user has no access to the project.")
            return found.id, found.region
        name = project.get("name")
        if isinstance(name, str) and name:
            found = self.iam.project_in(self.iam.home_of(project_id) or project_id, name)
            return (found.id if found is not None else project_id), name
        raise malformed("The project scope needs an id or a name.")
