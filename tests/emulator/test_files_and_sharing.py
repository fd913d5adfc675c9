"""The emulator checked against README.md over real HTTP: image files, tags, members, isolation.

The image API itself is in test_emulator.py, whose docstring maps the rest of the suite.
"""

import hashlib
import re
import socket
import time
import urllib.parse

import pytest
import requests

from emulator_client import A, B, PUBLIC_OWNER, ims_error, share_image

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


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
    share_image(client, client_b, img["id"], status="pending")
    # the owner cannot accept on B's behalf
    r = client.put("/v2/images/%s/members/%s" % (img["id"], B["project_id"]), json={"status": "accepted"})
    assert 400 <= r.status_code < 500, r.text
    assert client.get("/v2/images/%s/members/%s" % (img["id"], B["project_id"])).json()["status"] == "pending"


def test_member_bad_status(client, client_b):
    img = client.create()
    share_image(client, client_b, img["id"], status="pending")
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
    share_image(client, client_b, img["id"], status="pending")
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
