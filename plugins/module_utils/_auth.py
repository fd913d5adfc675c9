# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How requests are authenticated: AK/SK signatures, a fixed token, or an IAM token got with a password.

Private to this collection: the API may change without notice. docs/dev/ims-api.md, section
"Auth and signing".
"""

from __future__ import annotations

from ._connection import credential_kind, iam_endpoint
from ._signer import AkSkSigner


class AkSkAuth:
    """Signs every request with the access key and secret key (``SDK-HMAC-SHA256``).

    Without ``project_id``, the project is the one IAM names ``project_name`` (by default
    ``region``: ``GET {iam_url}/v3/projects?name=REGION``, signed, as the official SDK learns
    it), learned before the first IMS call and sent as ``X-Project-Id`` from then on.
    """

    signs_requests = True
    uses_password = False

    def __init__(self, signer, iam_url=None, project_name=None):
        self.signer = signer
        self.iam_endpoint = iam_url
        self.project_name = project_name
        self.learns_project = not signer.project_id  # learned from IAM before the first IMS call

    @property
    def project_id(self):
        return self.signer.project_id

    @project_id.setter
    def project_id(self, value):
        self.signer.project_id = value

    def headers(self, fetch_token, method, url, headers, body):
        return self.signer.sign(method, url, headers, body)

    def refresh(self, fetch_token):
        return False


class TokenAuth:
    """Sends a fixed token in ``X-Auth-Token``; never renewed.

    ``iam_endpoint``: where the token's project is asked for when ``project_id`` is not given
    (None: nowhere to ask). ``project_id`` is then set once it is learned, and sent from then on.
    """

    signs_requests = False
    uses_password = False  # True: the token comes from IAM with a password, and its answer names the project
    learns_project = False  # True: the project is learned before the first IMS call (AkSkAuth without a project)

    def __init__(self, token, project_id=None, iam_url=None):
        self.token = token
        self.project_id = project_id
        self.iam_endpoint = iam_url

    def headers(self, fetch_token, method, url, headers, body):
        result = dict(headers)
        result["X-Auth-Token"] = self.token
        if self.project_id:
            result["X-Project-Id"] = self.project_id
        return result

    def refresh(self, fetch_token):
        return False


class PasswordAuth(TokenAuth):
    """Gets an IAM token with a password on first use, and again whenever it expired."""

    uses_password = True

    def __init__(self, iam_url, user_name, password, domain_name, project_id, project_name):
        super().__init__(None, project_id, iam_url)
        self.scope_id = project_id  # the token's scope: the project given, else the one of project_name
        self.user_name = user_name
        self.password = password
        self.domain_name = domain_name
        self.project_name = project_name

    def headers(self, fetch_token, method, url, headers, body):
        if self.token is None:
            self.token = fetch_token(self)
        return super().headers(fetch_token, method, url, headers, body)

    def refresh(self, fetch_token):
        self.token = fetch_token(self)
        return True

    def token_request_body(self):
        scope = {"id": self.scope_id} if self.scope_id else {"name": self.project_name}
        return {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": self.user_name, "password": self.password,
                "domain": {"name": self.domain_name}}}},
            "scope": {"project": scope},
        }}


def select_auth(options):
    """(auth, secrets): the authentication the (checked) connection options choose, and the secrets it holds.

    Without ``project_id``, the project is the one named ``project_name`` (not a module option:
    set by a module that works in another project, such as a copy's destination), by default
    ``region``, the name of each region's default project.
    """
    kind = credential_kind(options)
    project_id = options.get("project_id")
    project_name = options.get("project_name") or options.get("region")
    if kind == "aksk":
        token = options.get("security_token")
        signer = AkSkSigner(options["access_key"], options["secret_key"], project_id, token)
        iam_url = None if project_id else iam_endpoint(options)
        return AkSkAuth(signer, iam_url, project_name), [options["secret_key"], token]
    if kind == "token":
        iam_url = iam_endpoint(options) if options.get("iam_endpoint") or options.get("region") else None
        return TokenAuth(options["auth_token"], project_id, iam_url), [options["auth_token"]]
    auth = PasswordAuth(iam_endpoint(options), options["user_name"], options["password"], options["domain_name"],
                        project_id, project_name)
    return auth, [options["password"]]
