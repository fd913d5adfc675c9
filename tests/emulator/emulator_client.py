"""What the emulator's tests share: its accounts and users, a signing client, answer checks.

The tests talk to a real emulator process over HTTP (``requests``). Requests are signed
with the collection's own AK/SK signer (``plugins/module_utils/_signer.py``), importable
through pytest.ini's ``pythonpath`` (build/collections, made by ``make venv``). The official
signing vectors come from ``tests/unit/fixtures/signing-vectors.json``. The fixtures that
use these helpers are in conftest.py beside this file.
"""

import datetime
import json as _json
import os
import urllib.parse

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
VECTORS_FILE = os.path.join(REPO_ROOT, "tests", "unit", "fixtures", "signing-vectors.json")

from harness import Emulator
import harness

from ansible_collections.hwcloud.ims.plugins.module_utils._signer import (
    AkSkSigner,
    canonical_query_string,
)


def pythonpath_for_children():
    """PYTHONPATH value that lets a child python import the collection."""
    from ansible_collections.hwcloud import ims
    # .../ansible_collections/hwcloud/ims -> the folder holding ansible_collections
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(list(ims.__path__)[0]))))
    return os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)


def _strval(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


# --------------------------------------------------------------------------------------
# Accounts and users of the shared two-account emulator.

A = {"access_key": harness.DEFAULT_ACCESS_KEY, "secret_key": harness.DEFAULT_SECRET_KEY,
     "project_id": harness.DEFAULT_PROJECT_ID}
B = {"access_key": "EMULATORAKBBBBBBBB02", "secret_key": "emulator-sk-account-b-0002",
     "project_id": "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"}
# Requests signed by the official huaweicloudsdkcore signer (the repository's copy of them).
with open(VECTORS_FILE, encoding="utf-8") as _vectors:
    VECTORS = _json.load(_vectors)
VC = VECTORS["common"]
V = {"access_key": VC["access_key"], "secret_key": VC["secret_key"], "project_id": VC["project_id"]}

USER_A = {"name": harness.DEFAULT_USER, "password": harness.DEFAULT_PASSWORD,
          "domain": harness.DEFAULT_DOMAIN, "project_id": A["project_id"]}
USER_B = {"name": "user-b", "password": "password-b", "domain": "domain-b",
          "project_id": B["project_id"]}

PUBLIC_OWNER = harness.PUBLIC_OWNER


def start_emulator(accounts=None, users=None, state=None, extra_args=()):
    return Emulator.start(accounts=list(accounts) if accounts else None,
                          users=list(users) if users else None,
                          state=state, extra_args=tuple(extra_args))


def password_body(user, project_id=None, project_name=None, password=None, domain=None, name=None):
    scope = {"id": project_id} if project_name is None else {"name": project_name}
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": name if name is not None else user["name"],
        "password": password if password is not None else user["password"],
        "domain": {"name": domain if domain is not None else user["domain"]}}}},
        "scope": {"project": scope}}}


# --------------------------------------------------------------------------------------
# The HTTP client the tests use.

class Client:
    """Signs (or token-authenticates) requests to one emulator.

    ``get/post/patch/put/delete(path, params=None, json=None, data=None, headers=None,
    auth="aksk"|"token"|None, account=None)`` return the ``requests.Response``.
    ``params`` is a dict (list values repeat the name) or a list of pairs; the URL's
    query is built with ``canonical_query_string``.
    """

    def __init__(self, emu, account=None, users=None):
        self.emu = emu
        self.base = emu.base_url.rstrip("/")
        self.account = account or A
        self.users = users or {A["project_id"]: USER_A, B["project_id"]: USER_B}
        self.session = requests.Session()
        self.clock_offset = 0.0
        self._tokens = {}

    # -- helpers -------------------------------------------------------------------
    def now(self):
        return (datetime.datetime.now(datetime.timezone.utc)
                + datetime.timedelta(seconds=self.clock_offset)).replace(microsecond=0)

    def set_clock(self, offset_seconds):
        self.emu.clock(offset_seconds)
        self.clock_offset = offset_seconds

    @staticmethod
    def pairs(params):
        if params is None:
            return []
        if isinstance(params, dict):
            out = []
            for k, v in params.items():
                if isinstance(v, (list, tuple)):
                    out.extend((k, _strval(x)) for x in v)
                else:
                    out.append((k, _strval(v)))
            return out
        return [(k, _strval(v)) for k, v in params]

    def url(self, path, params=None):
        url = self.base + path
        q = canonical_query_string(self.pairs(params))
        return url + ("?" + q if q else "")

    def token(self, account=None, fresh=False):
        acc = account or self.account
        pid = acc["project_id"]
        if fresh or pid not in self._tokens:
            user = self.users[pid]
            r = self.session.post(self.base + "/v3/auth/tokens", json=password_body(user, project_id=pid))
            assert r.status_code == 201, r.text
            self._tokens[pid] = r.headers["X-Subject-Token"]
        return self._tokens[pid]

    def forget_tokens(self):
        self._tokens.clear()

    def request(self, method, path, params=None, json=None, data=None, headers=None, auth="aksk",
                account=None, token=None, security_token=None, now=None, timeout=60, url=None,
                **kw):
        acc = account or self.account
        hdrs = dict(headers or {})
        if json is not None:
            body = _json.dumps(json).encode()
            if not any(k.lower() == "content-type" for k in hdrs):
                hdrs["Content-Type"] = "application/json"
        elif data is not None:
            body = data.encode() if isinstance(data, str) else data
        else:
            body = b""
        url = url or self.url(path, params)
        if auth == "aksk":
            signer = AkSkSigner(acc["access_key"], acc["secret_key"], acc["project_id"],
                                security_token=security_token)
            hdrs = signer.sign(method, url, headers=hdrs, body=body, now=now or self.now())
        elif auth == "token":
            hdrs["X-Auth-Token"] = token or self.token(acc)
        return self.session.request(method, url, data=body if body else None, headers=hdrs,
                                    timeout=timeout, allow_redirects=False, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, ops=None, **kw):
        if ops is not None:
            kw["data"] = _json.dumps(ops)
            kw.setdefault("headers", {}).setdefault(
                "Content-Type", "application/openstack-images-v2.1-json-patch")
        return self.request("PATCH", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # -- image conveniences -------------------------------------------------------
    def create(self, expect=201, **fields):
        body = {"name": "img", "container_format": "bare", "disk_format": "qcow2"}
        body.update(fields)
        account = body.pop("account", None)
        r = self.post("/v2/images", json=body, account=account)
        assert r.status_code == expect, (r.status_code, r.text)
        return r.json()

    def show(self, image_id, **kw):
        return self.get("/v2/images/%s" % image_id, **kw)

    def list(self, params=None, **kw):
        r = self.get("/v2/images", params=params, **kw)
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()

    def list_all(self, params=None, **kw):
        """Every image of a listing, following ``next`` (limit 1000 unless given)."""
        p = self.pairs(params)
        if not any(k == "limit" for k, _value in p):
            p.append(("limit", "1000"))
        out = []
        for _attempt in range(1000):
            body = self.list(p, **kw)
            out.extend(body["images"])
            nxt = body.get("next")
            if not nxt or not body["images"]:
                return out
            p = urllib.parse.parse_qsl(urllib.parse.urlsplit(nxt).query, keep_blank_values=True)
        raise AssertionError("listing does not end")

    def upload(self, image_id, data, auth="token", **kw):
        return self.put("/v2/images/%s/file" % image_id, data=data, auth=auth,
                        headers={"Content-Type": "application/octet-stream"}, **kw)

    def patch_ops(self, image_id, ops, **kw):
        return self.patch("/v2/images/%s" % image_id, ops=ops, **kw)


def ims_error(r, status, code):
    """Assert an IMS-shaped error response."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body.get("error"), dict), body
    assert body["error"].get("code") == code, body
    assert isinstance(body["error"].get("message"), str), body


def gateway_error(r, status, code):
    """Assert a gateway-shaped error response, with its request id."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert body.get("error_code") == code, body
    assert isinstance(body.get("error_msg"), str), body
    assert r.headers.get("X-Request-Id"), dict(r.headers)
    assert body.get("request_id") == r.headers["X-Request-Id"], (body, dict(r.headers))


def public_image(client, imagetype):
    """The first catalogue image of ``imagetype`` (gold, market) the client sees."""
    imgs = client.list_all({"__imagetype": imagetype})
    assert imgs, "no %s image in the catalogue" % imagetype
    return imgs[0]


def share_image(client, client_b, image_id, status="accepted"):
    """Share ``client``'s image with account B, and let B set the member ``status``."""
    r = client.post("/v2/images/%s/members" % image_id, json={"member": B["project_id"]})
    assert r.status_code == 200, r.text
    if status != "pending":
        r = client_b.put("/v2/images/%s/members/%s" % (image_id, B["project_id"]), json={"status": status})
        assert r.status_code == 200, r.text
