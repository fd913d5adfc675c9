"""ImageStore: add, update, delete, members, tags, quota, persistence (in process)."""

from __future__ import annotations

import json
import os

import pytest

from imsemu.core.clock import Clock
from imsemu.ims.catalogue import public_catalogue
from imsemu.ims.exceptions import ImsErrorAnswer
from imsemu.ims.images import apply_operation, new_image, new_member, tag_error, validate_standard
from imsemu.ims.models import OWNER, PUBLIC, ImageStore
from imsemu.state import STATE_FORMAT, StateFile

P1 = "1" * 32
P2 = "2" * 32
T0 = "2024-01-01T00:00:00Z"


def image(n, owner=P1, **fields):
    return new_image(image_id="00000000-0000-4000-8000-%012d" % n, owner=owner, name="img-%d" % n,
                     created_at=T0, **fields)


def test_add_get_and_relations(store):
    own, other = image(1), image(2, owner=P2)
    gold = public_catalogue()[0]
    store.add([own, other, gold])
    assert store.get(own["id"]) is own
    assert store.relation(own, P1) == OWNER
    assert store.relation(gold, P1) == PUBLIC
    assert store.relation(other, P1) is None
    assert store.visible(other["id"], P1) == (None, None)
    assert store.visible("no-such-id", P1) == (None, None)
    seen, relation = store.visible(own["id"], P1)
    assert (seen, relation) == (own, OWNER)
    assert store.private_count(P1) == 1 and store.private_count(P2) == 1
    assert store.private_count(gold["owner"]) == 0  # public images are no one's private ones


def test_update_stores_a_new_dict_and_re_encodes(store):
    img = image(1)
    store.add([img])
    before = store.encoded(img)
    assert store.encoded(img) is before  # encoded once
    updated = store.update(img["id"], name="renamed", updated_at="2024-02-02T00:00:00Z")
    assert updated is store.get(img["id"]) and updated is not img
    assert img["name"] == "img-1"  # the dict a reader holds never changes
    assert json.loads(store.encoded(updated))["name"] == "renamed"
    assert store.update("no-such-id", name="x") is None


def test_replace_with_another_owner_moves_the_owner_index(store):
    img = image(1)
    store.add([img])
    store.replace(dict(img, owner=P2))
    assert store.private_count(P1) == 0 and store.private_count(P2) == 1


def test_delete_removes_image_members_and_files(store):
    img = image(1)
    store.add([img], [(img["id"], new_member(img["id"], P2, "accepted", T0))])
    for path in (store.file_path(img["id"]), store.file_path(img["id"]) + ".part"):
        with open(path, "wb") as handle:
            handle.write(b"data")
    store.delete(img["id"])
    assert store.get(img["id"]) is None
    assert img["id"] not in store.members
    assert store.visible(img["id"], P2) == (None, None)
    assert store.listing(P2, "accepted", "created_at", True) == ([], {})  # the member index forgot it
    assert os.listdir(store.files_dir) == []
    store.delete(img["id"])  # deleting again changes nothing


def test_members_and_what_a_member_sees(store):
    img = image(1)
    store.add([img])
    store.set_member(img["id"], new_member(img["id"], P2, "pending", T0))
    seen, relation = store.visible(img["id"], P2)
    assert relation == "pending"  # a member of any status sees it by id...
    assert seen["__imagetype"] == "shared" and seen["visibility"] == "shared"
    assert store.get(img["id"])["__imagetype"] == "private"  # ...the stored image is unchanged
    listed, _positions = store.listing(P2, "accepted", "created_at", True)
    assert listed == []  # ...but lists it only with its membership status
    listed, _positions = store.listing(P2, "pending", "created_at", True)
    assert [i["id"] for i in listed] == [img["id"]] and listed[0]["visibility"] == "shared"
    store.set_member(img["id"], dict(store.members[img["id"]][P2], status="accepted"))
    assert [i["id"] for i in store.listing(P2, "accepted", "created_at", True)[0]] == [img["id"]]
    store.remove_member(img["id"], P2)
    assert store.visible(img["id"], P2) == (None, None)
    assert store.members[img["id"]] == {}


def test_public_images_are_listed_for_everyone_and_never_shared_views(store):
    gold = public_catalogue()[0]
    store.add([gold])
    listed, positions = store.listing(P2, "accepted", "name", False)
    assert listed == [gold] and positions == {gold["id"]: 0}


def test_tags_through_update_and_the_tag_rules(store):
    img = image(1, tags=["a"])
    store.add([img])
    store.update(img["id"], tags=img["tags"] + ["b"])
    assert store.get(img["id"])["tags"] == ["a", "b"]
    assert validate_standard("tags", ["x", "y", "x"]) == ["x", "y"]  # duplicates are dropped
    assert tag_error("ok") is None
    assert tag_error("") == "a tag must not be empty"
    assert tag_error("a/b") == "a tag must not contain '/'"
    assert tag_error("x" * 256) == "a tag has at most 255 characters"
    assert tag_error(3) == "a tag must be a string"
    with pytest.raises(ImsErrorAnswer) as info:
        validate_standard("tags", ["fine", ""])
    assert (info.value.status, info.value.code) == (400, "IMG.0001")


def test_patch_operations_follow_the_attribute_rules():
    img = image(1)
    apply_operation(img, {"op": "add", "path": "/name", "value": "new"})  # add replaces
    apply_operation(img, {"op": "replace", "path": "/team", "value": "web"})  # replace adds
    assert (img["name"], img["team"]) == ("new", "web")
    apply_operation(img, {"op": "remove", "path": "/team"})
    assert "team" not in img
    for operation, status in (({"op": "replace", "path": "/status", "value": "active"}, 403),
                              ({"op": "remove", "path": "/name"}, 403),
                              ({"op": "remove", "path": "/absent"}, 409),
                              ({"op": "move", "path": "/name"}, 400),
                              ({"op": "add", "path": "/a/b", "value": "x"}, 400),
                              ({"op": "add", "path": "/name"}, 400),
                              ({"op": "add", "path": "/min_disk", "value": 2000}, 400)):
        with pytest.raises(ImsErrorAnswer) as info:
            apply_operation(img, operation)
        assert info.value.status == status, operation


def test_quota_and_taken_ids(store):
    store.add([public_catalogue()[0], image(9, owner=P2)])  # neither counts towards P1's quota
    store.quotas.set(2, project=P1)
    store.create(image(1))
    store.create(image(2))
    with pytest.raises(ImsErrorAnswer) as info:
        store.create(image(3))
    assert (info.value.status, info.value.code) == (400, "IMG.0015")
    assert "quota (2)" in info.value.message
    assert store.get(image(3)["id"]) is None
    store.quotas.set(10, project=P1)
    with pytest.raises(ImsErrorAnswer) as info:
        store.create(image(1))
    assert (info.value.status, info.value.code) == (409, "IMG.0409")
    store.create(image(3))  # the project's new quota applies at once


def test_persistence_round_trip(store, tmp_path):
    state = StateFile(str(tmp_path / "state.json"))
    store.persist = lambda: state.write({"tok": {"project_id": P1, "expires_at": 123.0}}, {"cn-north-4": store})
    img, shared = image(1, tags=["t"]), image(2)
    store.add([img, shared, public_catalogue()[0]],
              [(shared["id"], new_member(shared["id"], P2, "accepted", T0))])
    with open(state.path, encoding="utf-8") as handle:
        saved = json.load(handle)
    assert saved["format"] == STATE_FORMAT
    assert len(saved["regions"]["cn-north-4"]["images"]) == 3

    read = state.read("cn-north-4")
    assert read["tokens"] == {"tok": {"project_id": P1, "expires_at": 123.0}}
    again = ImageStore(Clock(), store.files_dir)
    again.restore(read["regions"]["cn-north-4"])
    assert again.images == store.images
    assert again.members == store.members
    # the indexes are rebuilt, not only the dicts
    assert again.relation(again.get(shared["id"]), P2) == "accepted"
    assert again.private_count(P1) == 2
    assert shared["id"] in [i["id"] for i in again.listing(P2, "accepted", "created_at", True)[0]]
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".ims-state-")]  # no temporary left


def test_load_without_a_state_file(tmp_path):
    assert StateFile(None).read("cn-north-4") is None
    assert StateFile(str(tmp_path / "absent.json")).read("cn-north-4") is None


def test_reset(store):
    store.add([image(1)])
    with open(store.file_path(image(1)["id"]), "wb") as handle:
        handle.write(b"x")
    catalogue = public_catalogue()
    store.reset(catalogue)
    assert list(store.images.values()) == catalogue
    assert store.members == {}
    assert os.listdir(store.files_dir) == []


def test_a_change_invalidates_the_cached_listing(store):
    store.add([image(1)])
    first = store.listing(P1, "accepted", "created_at", True)
    assert store.listing(P1, "accepted", "created_at", True) is first  # cached
    store.add([image(2)])
    assert len(store.listing(P1, "accepted", "created_at", True)[0]) == 2
