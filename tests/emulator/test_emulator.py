"""The emulator checked against README.md over real HTTP.

This file: the image API (create, show, update, delete); test_files_and_sharing.py: files, tags,
members and isolation.
The rest of the suite, beside it:
  test_auth.py     AK/SK signatures (official vectors included), tokens, IAM
  test_listing.py  every list filter (docs/dev/ims-api.md, "listing and paging"), sorting, paging
  test_control.py  the /_emulator/ control surface: stats, faults, clock, reset, seed, X-Request-Id
  test_process.py  the stdout URL line, signals, --state, run_with_emulator.py
  conftest.py      fixtures: the shared emulator, a signing HTTP client
"""

import json
import re
import uuid

import pytest

from emulator_client import A, Client, ims_error, public_image, share_image, start_emulator, USER_A

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
        img = public_image(client, t)
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
    share_image(client, client_b, img["id"])
    r = client_b.patch_ops(img["id"], [{"op": "replace", "path": "/name", "value": "stolen"}])
    ims_error(r, 400, "IMG.0047")
    assert client.show(img["id"]).json()["name"] == "mine"


@pytest.mark.parametrize("imagetype", ["gold", "market"])
def test_patch_not_ownerpublic_image(client, imagetype):
    img = public_image(client, imagetype)
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
    img = public_image(client, imagetype)
    ims_error(client.delete("/v2/images/%s" % img["id"]), 400, "IMG.0094")
    assert client.show(img["id"]).status_code == 200


def test_delete_shared_with_me(client, client_b):
    img = client.create()
    share_image(client, client_b, img["id"])
    ims_error(client_b.delete("/v2/images/%s" % img["id"]), 400, "IMG.0047")
    assert client.show(img["id"]).status_code == 200


def test_delete_unknown(client):
    ims_error(client.delete("/v2/images/%s" % uuid.uuid4()), 400, "IMG.0027")


def test_delete_other_projects_private(client, client_b):
    img = client.create()
    ims_error(client_b.delete("/v2/images/%s" % img["id"]), 400, "IMG.0027")
    assert client.show(img["id"]).status_code == 200


# --------------------------------------------------------------------------------------
# Version documents and schemas (README "Version documents and schemas")

@pytest.mark.parametrize("path", ["/", "/v2", "/v2/"])
def test_version_documents_over_http(client, path):
    resp = client.get(path, auth=None)
    assert resp.status_code == 300
    versions = resp.json()["versions"]
    assert [v["id"] for v in versions] == ["v2.2", "v2.1", "v2.0"]
    assert {link["href"] for v in versions for link in v["links"]} == {client.base + "/v2/"}


def test_schemas_over_http(client):
    assert client.get("/v2/schemas/image", auth=None).status_code == 401
    for name in ("image", "images", "member", "members"):
        resp = client.get("/v2/schemas/" + name)
        assert resp.status_code == 200 and resp.json()["name"] == name
    image = client.post("/v2/images", json={"name": "schema-check"}).json()
    assert set(image) <= set(client.get("/v2/schemas/image", auth="token").json()["properties"])
