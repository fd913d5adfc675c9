"""The emulator checked against README.md over real HTTP.

This file: the image API (create, show, update, delete, file, tags, members, isolation).
The rest of the suite, beside it:
  test_auth.py     AK/SK signatures (official vectors included), tokens, IAM
  test_listing.py  every list filter (docs/dev/ims-api.md, "listing and paging"), sorting, paging
  test_control.py  the /_emulator/ control surface: stats, faults, clock, reset, seed, X-Request-Id
  test_process.py  the stdout URL line, signals, --state, run_with_emulator.py
  conftest.py      fixtures: the shared emulator, a signing HTTP client
"""

import hashlib
import json
import re
import socket
import time
import urllib.parse
import uuid

import pytest
import requests

from emulator_client import A, B, PUBLIC_OWNER, Client, ims_error, start_emulator, USER_A

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PATCH_CT = {"Content-Type": "application/openstack-images-v2.1-json-patch"}

# Fields of IMS's create response (docs/dev/ims-api.md, "images"), with their types.
SEED_FIELDS = {
    "schema": str, "min_disk": int, "created_at": str, "__image_source_type": str,
    "container_format": str, "__image_size": str, "file": str, "updated_at": str, "protected": bool,
    "id": str, "__isregistered": str, "min_ram": int, "owner": str, "__os_type": str,
    "__imagetype": str, "visibility": str, "virtual_env_type": str, "tags": list, "__platform": str,
    "__os_bit": str, "__os_version": str, "name": str, "self": str, "disk_format": str, "status": str,
}


def _public(client, imagetype):
    imgs = client.list_all({"__imagetype": imagetype})
    assert imgs, "no %s image in the catalogue" % imagetype
    return imgs[0]


def _share(client, client_b, image_id, status="accepted"):
    r = client.post("/v2/images/%s/members" % image_id, json={"member": B["project_id"]})
    assert r.status_code == 200, r.text
    if status != "pending":
        r = client_b.put("/v2/images/%s/members/%s" % (image_id, B["project_id"]), json={"status": status})
        assert r.status_code == 200, r.text


# --------------------------------------------------------------------------------------
# Create

def test_create_returns_seed_shape(client):
    r = client.post("/v2/images", json={"name": "c1", "container_format": "bare", "disk_format": "vhd",
                                        "min_disk": 40, "min_ram": 1024, "tags": ["a=1", "b=2"]})
    assert r.status_code == 201, r.text
    img = r.json()
    for field, typ in SEED_FIELDS.items():
        assert field in img, field
        assert isinstance(img[field], typ), (field, img[field])
    for k, v in img.items():
        if k.startswith("__"):
            assert isinstance(v, str), (k, v)
    assert img["status"] == "queued"
    assert img["name"] == "c1"
    assert img["min_disk"] == 40 and img["min_ram"] == 1024
    assert sorted(img["tags"]) == ["a=1", "b=2"]
    assert img["protected"] is False
    assert img["visibility"] == "private"
    assert img["__imagetype"] == "private"
    assert img["__image_size"] == "0"
    assert img["__isregistered"] == "true"
    assert img["__image_source_type"] == "uds"
    assert img["virtual_env_type"] == "FusionCompute"
    for k in ("checksum", "size", "virtual_size"):
        assert k in img and img[k] is None, k
    assert img["owner"] == A["project_id"]
    uuid.UUID(img["id"])
    assert img["self"] == "/v2/images/%s" % img["id"]
    assert img["file"] == "/v2/images/%s/file" % img["id"]
    assert img["schema"] == "/v2/schemas/image"
    assert TS.match(img["created_at"]) and TS.match(img["updated_at"])
    assert r.headers.get("X-Request-Id")
    # show returns the same image
    shown = client.show(img["id"])
    assert shown.status_code == 200
    assert shown.json() == img


def test_create_minimal_defaults(client):
    r = client.post("/v2/images", json={"name": "bare-min"})
    assert r.status_code == 201, r.text
    img = r.json()
    assert isinstance(img["min_disk"], int) and isinstance(img["min_ram"], int)
    assert img["protected"] is False
    assert img["tags"] == []
    assert all(isinstance(v, str) for k, v in img.items() if k.startswith("__"))


@pytest.mark.parametrize("os_version,os_type,platform,bit", [
    ("Ubuntu 14.04 server 64bit", "Linux", "Ubuntu", "64"),   # the create example of docs/dev/ims-api.md
    ("CentOS 7.3 64bit", "Linux", "CentOS", "64"),            # its list example
])
def test_create_derives_os_fields(client, os_version, os_type, platform, bit):
    img = client.create(name="os", __os_version=os_version)
    assert img["__os_version"] == os_version
    assert img["__os_type"] == os_type
    assert img["__platform"] == platform
    assert img["__os_bit"] == bit


def test_create_with_id(client):
    wanted = str(uuid.uuid4())
    img = client.create(id=wanted)
    assert img["id"] == wanted
    assert client.show(wanted).status_code == 200


def test_create_properties_are_kept(client):
    img = client.create(__description="my description", hw_firmware_type="uefi", __lazyloading="true")
    assert img["__description"] == "my description"
    assert img["hw_firmware_type"] == "uefi"
    shown = client.show(img["id"]).json()
    assert shown["__description"] == "my description"


@pytest.mark.parametrize("fmt", ["vhd", "zvhd", "zvhd2", "raw", "qcow2", "iso"])
def test_create_disk_formats(client, fmt):
    assert client.create(disk_format=fmt)["disk_format"] == fmt


@pytest.mark.parametrize("min_disk", [0, 1024])
def test_create_min_disk_bounds_ok(client, min_disk):
    assert client.create(min_disk=min_disk)["min_disk"] == min_disk


def test_create_tag_of_255_chars(client):
    assert client.create(tags=["t" * 255])["tags"] == ["t" * 255]


@pytest.mark.parametrize("fields", [
    {"disk_format": "vmdk"},
    {"disk_format": ""},
    {"container_format": "ovf"},
    {"visibility": "public"},
    {"visibility": "shared"},
    {"min_disk": -1},
    {"min_disk": 1025},
    {"min_disk": "40"},
    {"min_ram": -1},
    {"min_ram": "1024"},
    {"protected": "yes"},
    {"tags": "env=prod"},
    {"tags": [""]},
    {"tags": ["t" * 256]},
    {"tags": [5]},
    {"__description": 5},
    {"__os_version": True},
    {"__isregistered": None},
    {"__support_kvm": ["true"]},
    {"custom_property": 7},
    {"id": "not-a-uuid"},
], ids=lambda f: json.dumps(f)[:40])
def test_create_bad_field(client, fields):
    body = {"name": "bad", "container_format": "bare", "disk_format": "qcow2"}
    body.update(fields)
    r = client.post("/v2/images", json=body)
    ims_error(r, 400, "IMG.0001")
    assert client.list_all({"name": "bad"}) == []


def test_create_body_not_json(client):
    r = client.post("/v2/images", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text


def test_create_quota():
    emu = start_emulator(extra_args=["--quota", "2"])
    c = Client(emu, users={A["project_id"]: USER_A})
    try:
        first = c.create(name="q1")
        c.create(name="q2")
        r = c.post("/v2/images", json={"name": "q3"})
        ims_error(r, 400, "IMG.0015")
        names = {i["name"] for i in c.list_all({"owner": A["project_id"]})}
        assert names == {"q1", "q2"}
        # deleting frees a slot
        assert c.delete("/v2/images/%s" % first["id"]).status_code == 204
        c.create(name="q3")
        ims_error(c.post("/v2/images", json={"name": "q4"}), 400, "IMG.0015")
        # seeding bypasses the quota, and seeded images count
        assert len(emu.seed(count=3, name="seeded-{i}")) == 3
        assert len(c.list_all({"owner": A["project_id"]})) == 5
        ims_error(c.post("/v2/images", json={"name": "q5"}), 400, "IMG.0015")
    finally:
        c.session.close()
        emu.stop()


# --------------------------------------------------------------------------------------
# Show

def test_show_unknown(client):
    r = client.show(str(uuid.uuid4()))
    ims_error(r, 404, "IMG.0144")


def test_show_public_and_market(client, client_b):
    for t in ("gold", "market"):
        img = _public(client, t)
        for c in (client, client_b):
            r = c.show(img["id"])
            assert r.status_code == 200, r.text
            assert r.json()["__imagetype"] == t


# --------------------------------------------------------------------------------------
# Update

def test_patch_wrong_content_type(client):
    img = client.create()
    for ct in ("application/json", "application/json-patch+json", "text/plain"):
        r = client.patch("/v2/images/%s" % img["id"],
                         data=json.dumps([{"op": "replace", "path": "/name", "value": "x"}]),
                         headers={"Content-Type": ct})
        assert r.status_code == 415, (ct, r.status_code, r.text)
        assert "application/openstack-images-v2.1-json-patch" in r.headers.get("Accept-Patch", ""), \
            dict(r.headers)
    assert client.show(img["id"]).json()["name"] == "img"


def test_patch_replace(client):
    img = client.create(name="before", min_disk=40)
    r = client.patch_ops(img["id"], [{"op": "replace", "path": "/name", "value": "after"},
                                     {"op": "replace", "path": "/min_disk", "value": 50},
                                     {"op": "replace", "path": "/protected", "value": True}])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["name"] == "after" and out["min_disk"] == 50 and out["protected"] is True
    assert out["id"] == img["id"]
    for field in SEED_FIELDS:
        assert field in out, field  # the full image
    assert out["updated_at"] >= img["updated_at"]
    assert client.show(img["id"]).json() == out


def test_patch_add_new_and_existing(client):
    img = client.create(name="n1")
    r = client.patch_ops(img["id"], [{"op": "add", "path": "/__description", "value": "desc"}])
    assert r.status_code == 200, r.text
    assert r.json()["__description"] == "desc"
    # add on an existing attribute acts as replace (IMS)
    r = client.patch_ops(img["id"], [{"op": "add", "path": "/name", "value": "n2"},
                                     {"op": "add", "path": "/__description", "value": "desc2"}])
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "n2"
    assert r.json()["__description"] == "desc2"


def test_patch_remove(client):
    img = client.create(__description="d", hw_firmware_type="bios")
    r = client.patch_ops(img["id"], [{"op": "remove", "path": "/__description"}])
    assert r.status_code == 200, r.text
    assert "__description" not in r.json()
    assert "__description" not in client.show(img["id"]).json()
    assert client.show(img["id"]).json()["hw_firmware_type"] == "bios"


@pytest.mark.parametrize("field, value", [("disk_format", "raw"), ("disk_format", "zvhd2")])
def test_patch_formats_only_while_queued(client, emu, field, value):
    queued = client.create(name="q", disk_format="qcow2")
    r = client.patch_ops(queued["id"], [{"op": "replace", "path": "/disk_format", "value": "raw"}])
    assert r.status_code == 200 and r.json()["disk_format"] == "raw", r.text
    active = emu.seed(name="a", status="active", properties={"disk_format": "qcow2"})[0]
    r = client.patch_ops(active, [{"op": "replace", "path": "/" + field, "value": value}])
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "IMG.0403"
    assert client.show(active).json()[field] == "qcow2"
    r = client.patch_ops(active, [{"op": "replace", "path": "/" + field,
                                   "value": client.show(active).json()[field]}])
    assert r.status_code == 200, r.text  # the same value is no change


def test_patch_remove_missing_property(client):
    img = client.create()
    r = client.patch_ops(img["id"], [{"op": "remove", "path": "/__no_such_thing"}])
    assert r.status_code == 409, r.text


def test_patch_is_atomic(client):
    """A refused operation leaves the image as it was (no partial update)."""
    img = client.create(name="atomic")
    r = client.patch_ops(img["id"], [{"op": "replace", "path": "/name", "value": "changed"},
                                     {"op": "remove", "path": "/__no_such_thing"}])
    assert r.status_code == 409, r.text
    assert client.show(img["id"]).json()["name"] == "atomic"


@pytest.mark.parametrize("op,path", [
    ("replace", "/id"), ("replace", "/status"), ("replace", "/owner"), ("replace", "/created_at"),
    ("replace", "/updated_at"), ("replace", "/size"), ("replace", "/checksum"), ("replace", "/file"),
    ("replace", "/self"), ("replace", "/schema"), ("add", "/status"),
    ("replace", "/visibility"), ("add", "/visibility"), ("replace", "/__imagetype"),
    ("remove", "/name"), ("remove", "/disk_format"), ("remove", "/id"),
])
def test_patch_read_only_or_base(client, op, path):
    img = client.create()
    o = {"op": op, "path": path}
    if op != "remove":
        o["value"] = {"/status": "active", "/visibility": "public", "/__imagetype": "gold"}.get(path, "x")
    r = client.patch_ops(img["id"], [o])
    assert r.status_code == 403, (op, path, r.status_code, r.text)
    shown = client.show(img["id"]).json()
    assert shown["status"] == "queued" and shown["id"] == img["id"] and shown["owner"] == A["project_id"]


def test_patch_tags(client):
    img = client.create(tags=["a"])
    r = client.patch_ops(img["id"], [{"op": "replace", "path": "/tags", "value": ["x=1", "y=2"]}])
    assert r.status_code == 200, r.text
    assert sorted(r.json()["tags"]) == ["x=1", "y=2"]


def test_patch_not_owner_shared(client, client_b):
    img = client.create(name="mine")
    _share(client, client_b, img["id"])
    r = client_b.patch_ops(img["id"], [{"op": "replace", "path": "/name", "value": "stolen"}])
    ims_error(r, 400, "IMG.0047")
    assert client.show(img["id"]).json()["name"] == "mine"


@pytest.mark.parametrize("imagetype", ["gold", "market"])
def test_patch_not_owner_public(client, imagetype):
    img = _public(client, imagetype)
    r = client.patch_ops(img["id"], [{"op": "replace", "path": "/name", "value": "stolen"}])
    ims_error(r, 400, "IMG.0047")
    assert client.show(img["id"]).json()["name"] == img["name"]


def test_patch_bad_body(client):
    img = client.create()
    r = client.patch("/v2/images/%s" % img["id"], data=b"{not json", headers=PATCH_CT)
    assert r.status_code == 400, r.text


# --------------------------------------------------------------------------------------
# Delete

def test_delete(client):
    img = client.create()
    r = client.delete("/v2/images/%s" % img["id"])
    assert r.status_code == 204, r.text
    assert r.content == b""
    ims_error(client.show(img["id"]), 404, "IMG.0144")
    assert client.list_all({"id": img["id"]}) == []
    ims_error(client.delete("/v2/images/%s" % img["id"]), 400, "IMG.0027")


def test_delete_protected(client):
    img = client.create(protected=True)
    ims_error(client.delete("/v2/images/%s" % img["id"]), 400, "IMG.0028")
    assert client.show(img["id"]).status_code == 200
    assert client.patch_ops(img["id"], [{"op": "replace", "path": "/protected", "value": False}]).status_code == 200
    assert client.delete("/v2/images/%s" % img["id"]).status_code == 204


@pytest.mark.parametrize("imagetype", ["gold", "market"])
def test_delete_public_or_market(client, imagetype):
    img = _public(client, imagetype)
    ims_error(client.delete("/v2/images/%s" % img["id"]), 400, "IMG.0094")
    assert client.show(img["id"]).status_code == 200


def test_delete_shared_with_me(client, client_b):
    img = client.create()
    _share(client, client_b, img["id"])
    ims_error(client_b.delete("/v2/images/%s" % img["id"]), 400, "IMG.0047")
    assert client.show(img["id"]).status_code == 200


def test_delete_unknown(client):
    ims_error(client.delete("/v2/images/%s" % uuid.uuid4()), 400, "IMG.0027")


def test_delete_other_projects_private(client, client_b):
    img = client.create()
    ims_error(client_b.delete("/v2/images/%s" % img["id"]), 400, "IMG.0027")
    assert client.show(img["id"]).status_code == 200


# --------------------------------------------------------------------------------------
# Upload / download

def test_upload_and_download(client):
    img = client.create()
    data = bytes(range(256)) * 4096 + b"tail"
    r = client.upload(img["id"], data)
    assert r.status_code == 204, r.text
    shown = client.show(img["id"]).json()
    assert shown["status"] == "active"
    assert shown["size"] == len(data) and isinstance(shown["size"], int)
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert shown["__image_size"] == str(len(data))
    assert TS.match(shown["active_at"])
    d = client.get("/v2/images/%s/file" % img["id"], auth="token")
    assert d.status_code == 200
    assert d.content == data
    d2 = client.get("/v2/images/%s/file" % img["id"])  # AK/SK too
    assert d2.status_code == 200 and d2.content == data


def test_upload_aksk(client):
    img = client.create()
    r = client.upload(img["id"], b"small image", auth="aksk")
    assert r.status_code == 204, r.text
    assert client.show(img["id"]).json()["size"] == len(b"small image")


def test_download_without_data(client):
    img = client.create()
    r = client.get("/v2/images/%s/file" % img["id"])
    assert r.status_code == 204, r.text


@pytest.mark.parametrize("status", ["active", "killed", "saving"])
def test_upload_not_queued(client, emu, status):
    (iid,) = emu.seed(status=status, name="st-" + status)
    r = client.upload(iid, b"data")
    assert r.status_code == 409, r.text
    assert client.show(iid).json()["status"] == status


def test_upload_twice(client):
    img = client.create()
    assert client.upload(img["id"], b"one").status_code == 204
    assert client.upload(img["id"], b"two").status_code == 409
    assert client.get("/v2/images/%s/file" % img["id"]).content == b"one"


@pytest.mark.parametrize("ct", ["application/json", "text/plain", "application/x-www-form-urlencoded"])
def test_upload_wrong_content_type(client, ct):
    img = client.create()
    r = client.put("/v2/images/%s/file" % img["id"], data=b'{"a": 1}', auth="token",
                   headers={"Content-Type": ct})
    assert r.status_code == 415, (ct, r.status_code, r.text)
    assert client.show(img["id"]).json()["status"] == "queued"


def test_upload_fail_fault(client, emu):
    img = client.create()
    emu.set_faults({"rules": [{"method": "PUT", "path": "/v2/images/[^/]+/file", "times": 1,
                               "upload_fail": True}]})
    try:
        client.upload(img["id"], b"x" * 10000)
    except requests.ConnectionError:
        pass
    assert client.show(img["id"]).json()["status"] == "killed"
    # a killed image takes no more uploads
    assert client.upload(img["id"], b"again").status_code == 409


def test_upload_truncated_connection_kills(client):
    img = client.create()
    tok = client.token()
    host, port = urllib.parse.urlsplit(client.base).netloc.split(":")
    s = socket.create_connection((host, int(port)), timeout=10)
    try:
        s.sendall(("PUT /v2/images/%s/file HTTP/1.1\r\nHost: %s:%s\r\nX-Auth-Token: %s\r\n"
                   "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
                   % (img["id"], host, port, tok)).encode() + b"x" * 1000)
    finally:
        s.close()
    status = None
    for _attempt in range(100):  # the emulator notices the end of the connection
        status = client.show(img["id"]).json()["status"]
        if status == "killed":
            break
        time.sleep(0.05)
    assert status == "killed"


def test_upload_status_saving_while_streaming(client):
    """queued -> saving while the body streams in -> active."""
    img = client.create()
    tok = client.token()
    host, port = urllib.parse.urlsplit(client.base).netloc.split(":")
    total = 300000
    s = socket.create_connection((host, int(port)), timeout=30)
    try:
        s.sendall(("PUT /v2/images/%s/file HTTP/1.1\r\nHost: %s:%s\r\nX-Auth-Token: %s\r\n"
                   "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n"
                   % (img["id"], host, port, tok, total)).encode() + b"a" * 1000)
        status = None
        for _attempt in range(200):
            status = client.show(img["id"]).json()["status"]
            if status != "queued":
                break
            time.sleep(0.02)
        assert status == "saving"
        s.sendall(b"a" * (total - 1000))
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 204"), reply[:200]
    finally:
        s.close()
    shown = client.show(img["id"]).json()
    assert shown["status"] == "active" and shown["size"] == total
    assert shown["checksum"] == hashlib.md5(b"a" * total).hexdigest()


def test_upload_to_others_image_refused(client, client_b):
    img = client.create()
    r = client_b.upload(img["id"], b"data")
    assert r.status_code in (400, 403, 404), r.text
    assert client.show(img["id"]).json()["status"] == "queued"


# --------------------------------------------------------------------------------------
# Tags

def test_tags_put_and_delete(client):
    img = client.create(tags=["first"])
    r = client.put("/v2/images/%s/tags/%s" % (img["id"], urllib.parse.quote("env=prod", safe="")))
    assert r.status_code == 204, r.text
    assert sorted(client.show(img["id"]).json()["tags"]) == ["env=prod", "first"]
    # adding it again changes nothing
    assert client.put("/v2/images/%s/tags/env%%3Dprod" % img["id"]).status_code == 204
    assert sorted(client.show(img["id"]).json()["tags"]) == ["env=prod", "first"]
    assert client.list_all({"tag": "env=prod"})[0]["id"] == img["id"]
    r = client.delete("/v2/images/%s/tags/first" % img["id"])
    assert r.status_code == 204, r.text
    assert client.show(img["id"]).json()["tags"] == ["env=prod"]
    r = client.delete("/v2/images/%s/tags/first" % img["id"])
    assert r.status_code == 404, r.text


def test_tag_with_unencoded_equals(client):
    img = client.create()
    assert client.put("/v2/images/%s/tags/k=v" % img["id"]).status_code == 204
    assert client.show(img["id"]).json()["tags"] == ["k=v"]


@pytest.mark.parametrize("tag", ["t" * 256, "a%2Fb"], ids=["too-long", "slash"])
def test_tag_invalid(client, tag):
    img = client.create()
    r = client.put("/v2/images/%s/tags/%s" % (img["id"], tag), auth="token")
    ims_error(r, 400, "IMG.0115")
    assert client.show(img["id"]).json()["tags"] == []


def test_tag_empty(client):
    img = client.create()
    r = client.put("/v2/images/%s/tags/" % img["id"], auth="token")
    ims_error(r, 400, "IMG.0115")


def test_tag_of_255_chars(client):
    img = client.create()
    assert client.put("/v2/images/%s/tags/%s" % (img["id"], "t" * 255)).status_code == 204


# --------------------------------------------------------------------------------------
# Members

def test_members_lifecycle(client, client_b):
    img = client.create(name="to-share")
    iid = img["id"]
    pid_b = B["project_id"]
    r = client.post("/v2/images/%s/members" % iid, json={"member": pid_b})
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["member_id"] == pid_b
    assert m["image_id"] == iid
    assert m["status"] == "pending"
    # duplicate
    assert client.post("/v2/images/%s/members" % iid, json={"member": pid_b}).status_code == 409
    # list and show
    r = client.get("/v2/images/%s/members" % iid)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["schema"] == "/v2/schemas/members"
    assert [x["member_id"] for x in body["members"]] == [pid_b]
    r = client.get("/v2/images/%s/members/%s" % (iid, pid_b))
    assert r.status_code == 200 and r.json()["status"] == "pending"
    # pending: B does not see it by default, only through member_status
    assert iid not in {i["id"] for i in client_b.list_all()}
    pend = client_b.list_all([("visibility", "shared"), ("member_status", "pending")])
    assert [i["id"] for i in pend] == [iid]
    assert pend[0]["__imagetype"] == "shared" and pend[0]["visibility"] == "shared"
    # accept
    r = client_b.put("/v2/images/%s/members/%s" % (iid, pid_b), json={"status": "accepted"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    seen = {i["id"]: i for i in client_b.list_all()}
    assert iid in seen
    assert seen[iid]["__imagetype"] == "shared" and seen[iid]["visibility"] == "shared"
    shown_b = client_b.show(iid).json()
    assert shown_b["__imagetype"] == "shared" and shown_b["visibility"] == "shared"
    shown_a = client.show(iid).json()
    assert shown_a["__imagetype"] == "private" and shown_a["visibility"] == "private"
    # reject
    r = client_b.put("/v2/images/%s/members/%s" % (iid, pid_b), json={"status": "rejected"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert iid not in {i["id"] for i in client_b.list_all()}
    rej = client_b.list_all([("visibility", "shared"), ("member_status", "rejected")])
    assert [i["id"] for i in rej] == [iid]
    # back to pending
    r = client_b.put("/v2/images/%s/members/%s" % (iid, pid_b), json={"status": "pending"})
    assert r.status_code == 200 and r.json()["status"] == "pending"
    # remove (by the owner)
    r = client.delete("/v2/images/%s/members/%s" % (iid, pid_b))
    assert r.status_code == 204, r.text
    assert client.get("/v2/images/%s/members" % iid).json()["members"] == []
    assert client.get("/v2/images/%s/members/%s" % (iid, pid_b)).status_code == 404
    assert client.delete("/v2/images/%s/members/%s" % (iid, pid_b)).status_code == 404
    assert client_b.list_all([("visibility", "shared"), ("member_status", "pending")]) == []
    ims_error(client_b.show(iid), 404, "IMG.0144")


def test_member_status_change_by_non_member(client, client_b):
    img = client.create()
    _share(client, client_b, img["id"], status="pending")
    # the owner cannot accept on B's behalf
    r = client.put("/v2/images/%s/members/%s" % (img["id"], B["project_id"]), json={"status": "accepted"})
    assert 400 <= r.status_code < 500, r.text
    assert client.get("/v2/images/%s/members/%s" % (img["id"], B["project_id"])).json()["status"] == "pending"


def test_member_bad_status(client, client_b):
    img = client.create()
    _share(client, client_b, img["id"], status="pending")
    r = client_b.put("/v2/images/%s/members/%s" % (img["id"], B["project_id"]), json={"status": "maybe"})
    assert r.status_code == 400, r.text


def test_member_unknown(client):
    img = client.create()
    other = "c" * 32
    assert client.get("/v2/images/%s/members/%s" % (img["id"], other)).status_code == 404
    assert client.delete("/v2/images/%s/members/%s" % (img["id"], other)).status_code == 404


# --------------------------------------------------------------------------------------
# Isolation between projects

def test_private_images_isolated(client, client_b):
    a_img = client.create(name="a-private")
    b_img = client_b.create(name="b-private")
    a_ids = {i["id"] for i in client.list_all()}
    b_ids = {i["id"] for i in client_b.list_all()}
    assert a_img["id"] in a_ids and b_img["id"] not in a_ids
    assert b_img["id"] in b_ids and a_img["id"] not in b_ids
    ims_error(client_b.show(a_img["id"]), 404, "IMG.0144")
    ims_error(client.show(b_img["id"]), 404, "IMG.0144")
    assert client_b.list_all({"id": a_img["id"]}) == []
    assert client_b.list_all({"owner": A["project_id"]}) == []
    assert client_b.get("/v2/images/%s/file" % a_img["id"]).status_code in (400, 403, 404)


def test_public_catalogue_visible_to_all(client, client_b):
    pa = client.list_all({"visibility": "public"})
    pb = client_b.list_all({"visibility": "public"})
    assert pa and {i["id"] for i in pa} == {i["id"] for i in pb}
    types = [i["__imagetype"] for i in pa]
    assert "gold" in types
    assert types.count("market") == 1
    for img in pa:
        assert img["owner"] == PUBLIC_OWNER
        assert img["visibility"] == "public"
        assert img["__imagetype"] in ("gold", "market")
        if img["__imagetype"] == "gold":
            assert img["protected"] is True
        for k, v in img.items():
            if k.startswith("__"):
                assert isinstance(v, str), (k, v)
    # the platform project is none of the accounts
    assert PUBLIC_OWNER not in (A["project_id"], B["project_id"])


def test_public_images_in_default_listing(client):
    ids = {i["id"] for i in client.list_all()}
    assert {i["id"] for i in client.list_all({"visibility": "public"})} <= ids


def test_shared_accepted_only_by_default(client, client_b):
    img = client.create(name="share-me")
    _share(client, client_b, img["id"], status="pending")
    assert img["id"] not in {i["id"] for i in client_b.list_all()}
    assert [i["id"] for i in client_b.list_all([("visibility", "shared"), ("member_status", "pending")])] \
        == [img["id"]]
    client_b.put("/v2/images/%s/members/%s" % (img["id"], B["project_id"]), json={"status": "accepted"})
    got = {i["id"]: i for i in client_b.list_all({"visibility": "shared"})}
    assert list(got) == [img["id"]]
    assert got[img["id"]]["__imagetype"] == "shared"
    assert [i["id"] for i in client_b.list_all({"__imagetype": "shared"})] == [img["id"]]
    # the owner still sees it as private, and not as shared
    assert client.list_all({"visibility": "shared"}) == []
    assert img["id"] in {i["id"] for i in client.list_all({"__imagetype": "private"})}
