"""The native list ``GET /v2/cloudimages`` (NativeListing): every filter, enterprise projects,
paging through marker, sorting, the native shape of an image beside the Glance one (in process)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from imsemu.ims.catalogue import public_catalogue
from imsemu.ims.images import mark_active, new_image, new_member
from imsemu.ims.listing import ImageListing
from imsemu.ims.native_listing import NativeListing, native_view
from listing_helpers import ids, refusal, run_query, uid

ME = "a" * 32
OTHER = "b" * 32
EP = "5d8f3a1e-6b2c-4e7d-9f10-2a3b4c5d6e7f"  # an enterprise project of ME
EP2 = "6e9a4b2f-7c3d-4f8e-8a21-3b4c5d6e7f80"
N_PUBLIC = len(public_catalogue())


def make(n, owner=ME, **fields):
    properties = fields.pop("properties", {})
    return new_image(image_id=uid(n), owner=owner, name=fields.pop("name", "img-%d" % n),
                     created_at=fields.pop("created_at", "2024-01-%02dT00:00:00Z" % n), properties=properties,
                     **fields)


@pytest.fixture
def images(store):
    """Eight own images (one unregistered), one of OTHER shared with ME per membership status,
    one of OTHER not shared, the public catalogue."""
    own = [
        make(1, tags=["team=web", "env=prod"], protected=True, min_ram=1024, disk_format="qcow2",
             properties={"virtual_env_type": "DataImage", "enterprise_project_id": EP, "__support_kvm": "true"}),
        make(2, tags=["team=web"], min_disk=40, status="killed",
             properties={"enterprise_project_id": EP2, "__support_xen_gpu_type": "V100"}),
        make(3, tags=["team=db"], min_ram=2048, name="same", os_version="Windows Server 2019 Datacenter 64bit English",
             properties={"__whole_image": "true", "__support_arm": "true"}),
        make(4, name="same", disk_format="raw", os_version="CentOS 6.10 32bit",
             properties={"architecture": "arm", "enterprise_project_id": "0"}),
        make(5, name="same-prefix", updated_at="2024-03-01T00:00:00Z", os_version="x",
             properties={"virtual_env_type": "Ironic"}),
        make(6, properties={"virtual_env_type": "IsoImage", "__whole_image": False}),
        make(7, status="saving"),
        make(8, properties={"__isregistered": "false"}),
    ]
    mark_active(own[0], 300, "c1", "2024-01-01T00:00:00Z")
    mark_active(own[2], 100, "c3", "2024-01-03T00:00:00Z")
    shared = [make(n, owner=OTHER) for n in (11, 12, 13)]
    members = [(img["id"], new_member(img["id"], ME, status, "2024-01-01T00:00:00Z"))
               for img, status in zip(shared, ("accepted", "pending", "rejected"))]
    store.add(own + shared + [make(14, owner=OTHER)] + public_catalogue(), members)
    return store


def run(store, query, project=ME):
    return run_query(NativeListing, store, query, project)


def own_ids(body):
    return [i for i in ids(body) if i != "public"]


def refused(store, query):
    return refusal(NativeListing, store, query, ME)


def test_default_list_what_a_caller_sees(images):
    body = run(images, "")
    assert set(body) == {"images"}  # no page_info, no Glance links
    # own (not the unregistered one), the accepted share, the public and market images; newest first
    assert own_ids(body) == [11, 7, 6, 5, 4, 3, 2, 1]
    assert ids(body).count("public") == N_PUBLIC
    assert [i["visibility"] for i in body["images"] if i["id"] == uid(11)] == ["shared"]


def test_the_default_page_is_500(store):
    store.add([make(n, created_at="2024-01-01T00:00:00Z") for n in range(1, 502)])
    assert len(run(store, "")["images"]) == 500
    assert len(run(store, "limit=501")["images"]) == 501
    assert len(ImageListing([]).run(store, ME)["images"]) == 25  # the Glance list keeps its own


@pytest.mark.parametrize("query, expected", [
    # the extension filters
    ("__imagetype=private", [7, 6, 5, 4, 3, 2, 1]),
    ("__imagetype=shared", [11]),
    ("__isregistered=true&owner=" + ME, [7, 6, 5, 4, 3, 2, 1]),
    ("__isregistered=false", []),  # a caller never lists an unregistered image
    ("__os_bit=32", [4]),
    ("__os_type=Windows", [3, "public"]),
    ("__os_type=Other&owner=" + ME, [5]),
    ("__platform=CentOS", [4, "public", "public"]),
    ("__support_kvm=true&__imagetype=private", [1]),
    ("__support_xen_gpu_type=V100", [2]),
    # the Glance-style filters
    ("container_format=bare&owner=" + ME, [7, 6, 5, 4, 3, 2, 1]),
    ("disk_format=qcow2", [1]),
    ("id=" + uid(3), [3]),
    ("id=" + uid(8), []),
    ("name=same", [4, 3]),  # exact: not same-prefix
    ("owner=" + OTHER, [11]),
    ("protected=true&__imagetype=private", [1]),
    ("protected=false&owner=" + ME, [7, 6, 5, 4, 3, 2]),
    ("status=killed", [2]),
    ("status=saving", [7]),
    ("status=queued&owner=" + ME, [6, 5, 4]),
    ("visibility=private", [7, 6, 5, 4, 3, 2, 1]),
    ("visibility=shared", [11]),
    ("visibility=shared&member_status=pending", [12]),
    ("visibility=shared&member_status=rejected", [13]),
    ("member_status=accepted&visibility=shared&__imagetype=shared", [11]),  # the canned query of accepted shares
    ("virtual_env_type=DataImage", [1]),
    ("virtual_env_type=Ironic", [5]),
    ("virtual_env_type=IsoImage", [6]),
    ("virtual_env_type=FusionCompute&__imagetype=private", [7, 4, 3, 2]),
    ("min_disk=40&owner=" + ME, [2]),
    ("min_ram=2048&owner=" + ME, [3]),
    ("architecture=arm", [4, 3]),  # the property, or __support_arm
    ("architecture=x86&owner=" + ME, [7, 6, 5, 2, 1]),
    ("tag=team=web", [2, 1]),
    ("tag=team=web&tag=env=prod", [1]),  # every tag must match
    ("tag=team", []),  # a key alone is not a tag
    ("created_at=gt:2024-01-05T00:00:00Z&owner=" + ME, [7, 6]),
    ("created_at=lte:2024-01-02 00:00:00&owner=" + ME, [2, 1]),
    ("created_at=neq:2024-01-04T00:00:00Z&owner=" + ME, [7, 6, 5, 3, 2, 1]),
    ("updated_at=gte:2024-03-01T00:00:00Z", [5]),
    ("__whole_image=true", [3]),
    ("__whole_image=false&owner=" + ME, [7, 6, 5, 4, 2, 1]),  # no __whole_image: not a full-server image
    ("__os_version=x", [5]),  # another property: an exact match
    ("__imagetype=gold&visibility=public&protected=true", ["public"] * (N_PUBLIC - 1)),  # the canned public query
    ("__imagetype=market", ["public"]),
])
def test_filters(images, query, expected):
    assert ids(run(images, query)) == expected


@pytest.mark.parametrize("query, expected", [
    ("enterprise_project_id=" + EP, [1]),
    ("enterprise_project_id=" + EP2, [2]),
    ("enterprise_project_id=0", [11, 7, 6, 5, 4, 3]),  # the default: no enterprise project given, or "0"
    ("enterprise_project_id=" + "7" * 8 + "-0000-4000-8000-000000000000", []),
    ("enterprise_project_id=all_granted_eps", [11, 7, 6, 5, 4, 3, 2, 1] + ["public"] * N_PUBLIC),
    ("", [11, 7, 6, 5, 4, 3, 2, 1] + ["public"] * N_PUBLIC),  # none given: every enterprise project
])
def test_enterprise_projects(images, query, expected):
    assert ids(run(images, query)) == expected


def test_enterprise_project_of_each_image(images):
    seen = {i["id"]: i.get("enterprise_project_id") for i in run(images, "")["images"]}
    assert (seen[uid(1)], seen[uid(2)], seen[uid(4)], seen[uid(7)]) == (EP, EP2, "0", "0")
    assert {seen[i["id"]] for i in public_catalogue()} == {None}  # public images are in none


@pytest.mark.parametrize("query", [
    "__imagetype=public", "__isregistered=yes", "__os_bit=16", "__os_type=linux", "__whole_image=1",
    "architecture=x86_64", "status=gone", "virtual_env_type=KVM", "visibility=all", "protected=yes",
    "member_status=maybe", "min_disk=big", "min_ram=1.5", "created_at=after:2024-01-01T00:00:00Z",
    "updated_at=gt:yesterday", "enterprise_project_id=default", "enterprise_project_id=",
    "sort_key=owner", "sort_dir=up", "limit=-1", "limit=ten", "limit=1&limit=2", "marker=" + uid(99),
    "flavor_id=s6.large.2",
])
def test_bad_values_are_refused(images, query):
    assert refused(images, query)


def page_through(store, query, limit):
    """Every page, following the last id as the marker (TF's way), until an empty page."""
    pages, marker = [], None
    while True:
        pairs = parse_qsl(query) + [("limit", str(limit))] + ([("marker", marker)] if marker else [])
        page = ids(run(store, pairs))
        pages.append(page)
        if not page:
            return pages
        marker = uid(page[-1])


def test_paging_through_marker_with_an_exactly_full_last_page(images):
    # pages of one, of two, one page of all, each ending on an empty page
    assert page_through(images, "owner=%s&status=queued" % ME, 1) == [[6], [5], [4], []]
    assert page_through(images, "__imagetype=private", 2) == [[7, 6], [5, 4], [3, 2], [1], []]
    assert page_through(images, "__imagetype=private&sort_dir=asc", 7) == [[1, 2, 3, 4, 5, 6, 7], []]
    # the last page exactly full: the next one is empty
    assert page_through(images, "protected=false&owner=" + ME, 3) == [[7, 6, 5], [4, 3, 2], []]


def test_a_marker_must_be_in_the_filtered_list(images):
    assert ids(run(images, "__imagetype=private&marker=" + uid(3))) == [2, 1]
    assert "marker" in refused(images, "__imagetype=private&marker=" + uid(11))  # shared, filtered out
    assert "marker" in refused(images, "marker=" + uid(8))  # unregistered: not in the list
    assert "marker" in refused(images, "marker=" + uid(14))  # not visible


@pytest.mark.parametrize("query, expected", [
    ("sort_key=name&sort_dir=asc&owner=" + ME, [1, 2, 6, 7, 3, 4, 5]),  # img-1 … img-7, then same, same, same-prefix
    ("sort_key=name&sort_dir=desc&owner=" + ME, [5, 4, 3, 7, 6, 2, 1]),  # ties by id, in the same direction
    ("sort_key=id&sort_dir=asc&owner=" + ME, [1, 2, 3, 4, 5, 6, 7]),
    ("sort_key=size&sort_dir=desc&owner=" + ME, [1, 3, 7, 6, 5, 4, 2]),  # no size sorts last
    ("sort_key=status&sort_dir=asc&owner=" + ME, [1, 3, 2, 4, 5, 6, 7]),
    ("sort_key=disk_format&sort_dir=asc&owner=" + ME, [1, 4, 2, 3, 5, 6, 7]),
    ("sort_key=created_at&sort_dir=asc&owner=" + ME, [1, 2, 3, 4, 5, 6, 7]),
    ("owner=" + ME, [7, 6, 5, 4, 3, 2, 1]),  # the default: newest first
])
def test_sorting(images, query, expected):
    assert ids(run(images, query)) == expected


def test_the_native_shape_beside_the_glance_one(store):
    image = make(1, properties={"description": "built by CI", "max_ram": 8192, "__data_origin": "instance,x"})
    mark_active(image, 4096, "c", "2024-01-02T00:00:00Z")
    store.add([image])
    glance = ImageListing([]).run(store, ME)["images"][0]
    native = run(store, "")["images"][0]
    assert glance is image  # the Glance list gives the image as stored
    assert "description" not in native and native["__description"] == "built by CI"
    assert (native["max_ram"], native["__image_size"], glance["max_ram"]) == ("8192", "4096", 8192)
    assert native["enterprise_project_id"] == "0" and "enterprise_project_id" not in glance
    assert native["active_at"] == "2024-01-02T00:00:00Z" and native["__data_origin"] == "instance,x"
    assert (native["size"], native["min_disk"], native["min_ram"], native["protected"]) == (4096, 0, 0, False)
    assert native["self"] == "/v2/images/" + uid(1) and native["file"] == glance["file"]
    changed = {k for k in set(native) | set(glance) if native.get(k) != glance.get(k)}
    assert changed == {"description", "__description", "max_ram", "enterprise_project_id"}
    # an image that says __description keeps it
    assert native_view(dict(image, __description="mine"))["__description"] == "mine"


def test_every_image_field_the_sdk_reads_has_its_type(images):
    """ImageInfo's types (the SDK's model): strings, min_disk/min_ram/size integers, protected a boolean."""
    integers, booleans = {"min_disk", "min_ram", "size", "virtual_size"}, {"protected", "__system_support_market"}
    for image in run(images, "")["images"]:
        for name, value in image.items():
            if value is None or name == "tags":
                continue
            expected = int if name in integers else bool if name in booleans else str
            if name == "__whole_image" and isinstance(value, bool):  # as an image stores it
                continue
            assert isinstance(value, expected), (image["id"], name, value)


def test_through_the_app_the_envelope_and_the_error(app, call):
    app.control.seeder.seed({"count": 3, "name": "n-{i}"})
    answer = call("GET", "/v2/cloudimages?" + urlencode({"name": "n-1", "limit": "5"}))
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"images"} and [i["name"] for i in body["images"]] == ["n-1"]
    answer = call("GET", "/v2/cloudimages?__os_type=Solaris")
    assert answer.status == 400
    assert answer.json() == {"error": {"code": "IMG.0001", "message": "__os_type must be one of Linux, Windows, Other"}}
    assert call("GET", "/v2/cloudimages", auth=False).status == 401
