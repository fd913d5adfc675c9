"""ImageListing: every filter kind, sorting, limit/marker paging and the links (in process)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from imsemu.ims.catalogue import public_catalogue
from imsemu.ims.images import mark_active, new_image, new_member
from imsemu.ims.listing import SORT_KEYS, ImageListing
from listing_helpers import ids, refusal, run_query, uid

ME = "a" * 32
OTHER = "b" * 32


def make(n, owner=ME, created="2024-01-0%dT00:00:00Z", **fields):
    img = new_image(image_id=uid(n), owner=owner, name=fields.pop("name", "img-%d" % n),
                    created_at=created % n if "%" in created else created, **fields)
    return img


@pytest.fixture
def images(store):
    """Five own images, one of OTHER shared with ME per membership status, the catalogue."""
    own = [
        make(1, tags=["team=web", "env=prod"], protected=True, min_ram=1024, disk_format="qcow2",
             properties={"virtual_env_type": "DataImage"}),
        make(2, tags=["team=web"], min_disk=40, status="killed"),
        make(3, tags=["team=db"], min_ram=2048, name="same"),
        make(4, name="same", disk_format="raw"),
        make(5, updated_at="2024-03-01T00:00:00Z", properties={"__os_version": "x"}),
    ]
    mark_active(own[0], 300, "c1", "2024-01-01T00:00:00Z")
    mark_active(own[2], 100, "c3", "2024-01-03T00:00:00Z")
    shared = [make(6, owner=OTHER), make(7, owner=OTHER), make(8, owner=OTHER)]
    members = [(img["id"], new_member(img["id"], ME, status, "2024-01-01T00:00:00Z"))
               for img, status in zip(shared, ("accepted", "pending", "rejected"))]
    store.add(own + shared + public_catalogue(), members)
    return store


def run(store, query, project=ME):
    return run_query(ImageListing, store, query, project)


def refused(store, query):
    return refusal(ImageListing, store, query, ME)


def test_default_listing_what_a_caller_sees(images):
    body = run(images, "")
    # own, public and market, and the shared image with an accepted membership; newest first
    assert ids(body)[:6] == [6, 5, 4, 3, 2, 1]
    assert ids(body).count("public") == len(public_catalogue())
    assert 7 not in ids(body) and 8 not in ids(body)
    assert body["first"] == "/v2/images" and body["schema"] == "/v2/schemas/images"
    assert "next" not in body
    assert [i["visibility"] for i in body["images"] if i["id"] == uid(6)] == ["shared"]


@pytest.mark.parametrize("query, expected", [
    ("tag=team=web", [2, 1]),
    ("tag=team=web&tag=env=prod", [1]),  # repeatable: every tag must match
    ("name=same", [4, 3]),
    ("name=same&name=other", []),  # a repeated filter must match every time
    ("protected=true&__imagetype=private", [1]),
    ("protected=false&__imagetype=private", [5, 4, 3, 2]),
    ("min_ram=2048&owner=" + ME, [3]),
    ("min_disk=40&owner=" + ME, [2]),
    ("min_ram=-1", []),
    ("status=killed", [2]),
    ("disk_format=raw", [4]),
    ("virtual_env_type=DataImage", [1]),  # any other property: an exact match
    ("__os_version=x", [5]),
    ("no_such_property=x", []),  # a property the image lacks never matches
    ("visibility=private", [5, 4, 3, 2, 1]),
    ("visibility=shared", [6]),
    ("visibility=shared&member_status=pending", [7]),
    ("visibility=shared&member_status=rejected", [8]),
    ("__imagetype=shared", [6]),
    ("created_at=gt:2024-01-03T00:00:00Z&owner=" + ME, [5, 4]),
    ("created_at=gte:2024-01-03T00:00:00Z&owner=" + ME, [5, 4, 3]),
    ("created_at=lt:2024-01-02T00:00:00Z&owner=" + ME, [1]),
    ("created_at=lte:2024-01-02 00:00:00&owner=" + ME, [2, 1]),  # the other time form
    ("created_at=eq:2024-01-04T00:00:00Z", [4]),
    ("created_at=neq:2024-01-04T00:00:00Z&owner=" + ME, [5, 3, 2, 1]),
    ("updated_at=gt:2024-02-01T00:00:00Z", [5]),
])
def test_filters(images, query, expected):
    assert ids(run(images, query)) == expected


@pytest.mark.parametrize("status, expected", [("accepted", [6]), ("pending", [7]), ("rejected", [8])])
def test_the_shares_of_a_status_need_no_imagetype(images, status, expected):
    """The client lists a member's shares with visibility=shared and member_status alone (upstream Glance reads
    __imagetype as a property filter): the emulator gives the same images with or without __imagetype=shared."""
    query = "visibility=shared&member_status=%s" % status
    assert ids(run(images, query)) == ids(run(images, query + "&__imagetype=shared")) == expected


def test_public_and_market_filters(images):
    assert set(ids(run(images, "__imagetype=gold"))) == {"public"}
    assert len(run(images, "__imagetype=market")["images"]) == 1
    assert len(run(images, "visibility=public")["images"]) == len(public_catalogue())


@pytest.mark.parametrize("query", [
    "protected=yes", "min_ram=abc", "min_disk=1.5", "created_at=2024-01-01T00:00:00Z",
    "created_at=after:2024-01-01T00:00:00Z", "updated_at=gt:yesterday", "visibility=everyone",
    "__imagetype=community", "member_status=maybe", "sort_key=owner", "sort_dir=up",
    "limit=-1", "limit=ten", "limit=1&limit=2", "sort_key=id&sort_key=name",
])
def test_bad_queries_are_refused(images, query):
    refused(images, query)


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_every_sort_key_and_direction(images, key, direction):
    body = run(images, "owner=%s&sort_key=%s&sort_dir=%s" % (ME, key, direction))
    got = [img["id"] for img in body["images"]]

    def sort_value(img):
        value = img.get(key)
        if key == "size":
            value = value if isinstance(value, int) else -1
        return (value, img["id"])
    expected = [img["id"] for img in sorted(body["images"], key=sort_value, reverse=direction == "desc")]
    assert got == expected and len(got) == 5


def test_sort_ties_are_broken_by_id_in_the_same_direction(images):
    assert ids(run(images, "name=same&sort_key=name&sort_dir=asc")) == [3, 4]
    assert ids(run(images, "name=same&sort_key=name&sort_dir=desc")) == [4, 3]


def test_paging_follows_next_to_the_end(images):
    query = [("owner", ME), ("limit", "2"), ("sort_key", "id"), ("sort_dir", "asc")]
    pages = []
    while True:
        body = run(images, query)
        pages.append(ids(body))
        if "next" not in body:
            break
        query = parse_qsl(urlsplit(body["next"]).query)
    assert pages == [[1, 2], [3, 4], [5]]


def test_next_keeps_every_repeated_tag_and_each_page_has_all_of_them(store):
    """tag given twice: the next link repeats both, so the second page is filtered on both too."""
    both = ["team=web", "env=prod"]
    store.add([make(1, tags=both), make(2, tags=["team=web"]), make(3, tags=both + ["x=1"]), make(4, tags=["env=prod"]),
               make(5, tags=both)])
    query = [("tag", "team=web"), ("limit", "2"), ("tag", "env=prod"), ("sort_key", "id"), ("sort_dir", "asc")]
    body = run(store, query)
    assert ids(body) == [1, 3]
    following = parse_qsl(urlsplit(body["next"]).query)
    assert [value for name, value in following if name == "tag"] == ["team=web", "env=prod"]
    assert ids(run(store, following)) == [5]


def test_an_exactly_full_last_page_still_has_next(images):
    query = [("owner", ME), ("limit", "5")]
    body = run(images, query)
    assert ids(body) == [5, 4, 3, 2, 1] and "next" in body
    after = run(images, parse_qsl(urlsplit(body["next"]).query))
    assert after["images"] == [] and "next" not in after


def test_an_exactly_full_last_page_without_filters(store):
    store.add([make(n) for n in range(1, 5)])
    body = run(store, "limit=2")
    assert ids(body) == [4, 3]
    body = run(store, parse_qsl(urlsplit(body["next"]).query))
    assert ids(body) == [2, 1] and body["next"] == "/v2/images?limit=2&marker=%s" % uid(1)
    last = run(store, parse_qsl(urlsplit(body["next"]).query))
    assert last["images"] == [] and "next" not in last


def test_the_links(images):
    body = run(images, [("owner", ME), ("limit", "2"), ("name", "my image")])
    assert body["first"] == "/v2/images?owner=%s&limit=2&name=my+image" % ME
    # marker goes after the first parameter, values form-encoded
    assert body["images"] == []  # no image has that name: no next
    assert "next" not in body
    body = run(images, [("owner", ME), ("limit", "2"), ("sort_key", "id")])
    assert body["next"] == "/v2/images?owner=%s&marker=%s&limit=2&sort_key=id" % (ME, uid(4))
    body = run(images, [("created_at", "gt:2024-01-01T00:00:00Z"), ("limit", "1")])
    assert body["next"] == "/v2/images?created_at=gt%%3A2024-01-01T00%%3A00%%3A00Z&marker=%s&limit=1" % uid(6)
    follow = run(images, parse_qsl(urlsplit(body["next"]).query))
    assert follow["first"] == body["first"]  # first is the query without marker


def test_limit_zero_and_the_default_limit(store):
    store.add([make(n, created="2024-01-01T00:00:00Z") for n in range(1, 31)])
    body = run(store, "limit=0")
    assert body["images"] == [] and "next" not in body
    body = run(store, "")
    assert len(body["images"]) == 25 and "next" in body


def test_a_bad_marker_is_refused(images):
    assert "marker nope" in refused(images, "marker=nope")
    # an existing image that is not in this (filtered) listing
    assert uid(2) in refused(images, "status=active&marker=%s" % uid(2))
    # an image the caller cannot list at all
    refused(images, "marker=%s" % uid(7))


def test_paging_with_a_filter_resumes_after_the_marker(images):
    first = run(images, "__imagetype=private&sort_key=id&sort_dir=asc&limit=2")
    assert ids(first) == [1, 2]
    second = run(images, parse_qsl(urlsplit(first["next"]).query))
    assert ids(second) == [3, 4]
