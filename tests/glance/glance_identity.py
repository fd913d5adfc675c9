# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The paste filter that stands in for Keystone in the loopback Glance of tests/glance.

Glance 33 without Keystone builds an admin context with no project, and its RBAC defaults
then refuse even ``POST /v2/images``. This filter sits where ``authtoken`` would (before
``context``) and adds the headers keystonemiddleware adds for a valid token:
``X-Identity-Status: Confirmed``, ``X-Project-Id``, ``X-User-Id`` and ``X-Roles``.

The project of a request:

- with ``GLANCE_LOOPBACK_IAM`` set (a Keystone-compatible IAM, such as the IMS emulator's)
  and an ``X-Auth-Token``: the project of that token, validated there with
  ``GET /v3/auth/tokens`` as keystonemiddleware validates it (a client's own
  ``X-Project-Id`` is then ignored, as behind Keystone); a token IAM refuses is a 401;
- otherwise the client's ``X-Project-Id`` (what the collection sends with AK/SK and with
  a token whose project it knows), or ``GLANCE_LOOPBACK_PROJECT``.

It runs inside Glance's venv, so it uses the standard library only.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

DEFAULT_PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
ROLES = "member,reader"


def _token_project(iam_url, token):
    """The project id of ``token`` according to IAM, or None when IAM refuses it."""
    request = urllib.request.Request(iam_url.rstrip("/") + "/v3/auth/tokens?nocatalog=true",
                                     headers={"X-Auth-Token": token, "X-Subject-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # nosec: loopback test IAM
            body = json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError:
        return None
    return ((body.get("token") or {}).get("project") or {}).get("id")


def _unauthorized(start_response):
    body = json.dumps({"error": {"code": 401, "title": "Unauthorized",
                                 "message": "The request you have made requires authentication."}}).encode()
    start_response("401 Unauthorized", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class Identity:
    """WSGI middleware: the identity headers of keystonemiddleware, without Keystone."""

    def __init__(self, app):
        self.app = app
        self.iam_url = os.environ.get("GLANCE_LOOPBACK_IAM", "")
        self.default_project = os.environ.get("GLANCE_LOOPBACK_PROJECT", DEFAULT_PROJECT)

    def __call__(self, environ, start_response):
        token = environ.get("HTTP_X_AUTH_TOKEN")
        if self.iam_url and token:
            project = _token_project(self.iam_url, token)
            if not project:
                return _unauthorized(start_response)
            environ["HTTP_X_PROJECT_ID"] = project
        environ.setdefault("HTTP_X_PROJECT_ID", self.default_project)
        environ["HTTP_X_IDENTITY_STATUS"] = "Confirmed"
        environ.setdefault("HTTP_X_USER_ID", "loopback-user")
        environ["HTTP_X_ROLES"] = ROLES
        return self.app(environ, start_response)


def factory(_global_conf, **_local_conf):
    """paste.filter_factory of ``[filter:identity]`` (it takes no settings)."""
    return Identity
