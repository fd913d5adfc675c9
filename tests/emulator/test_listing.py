"""Listing: every filter of the list call (docs/dev/ims-api.md, "listing and paging"), sorting and
paging (README "Listing").

One dedicated emulator (``--no-public-images``, accounts A and B) with a data set built once;
every test here only reads.  Each filter is checked exactly: the filtered listing must be
the caller's unfiltered listing narrowed by the filter's meaning, and named images must be
in or out, so that a filter the emulator ignores (or applies too widely) fails.
"""

import datetime
import urllib.parse

import pytest

from emulator_client import A, B, USER_A, USER_B, PUBLIC_OWNER, Client, start_emulator

SUPPORT_FLAGS = {
    "__support_kvm": "true",
    "__support_xen": "true",
    "__support_largememory": "true",
    "__support_diskintensive": "true",
    "__support_highperformance": "true",
    "__support_xen_gpu_type": "M60_vGPU",
    "__support_kvm_gpu_type": "V100_vGPU",
    "__support_xen_hana": "true",
    "__support_kvm_infiniband": "true",
}

# name -> seed spec (owner A unless given)
SEEDED = {
    "alpha": dict(status="active", tags=["env=prod", "team=a"], protected=False),
    "alpha-2": dict(status="active", tags=["env=prod"], protected=False),
    "xalpha": dict(status="active", tags=["team=a"], protected=False),
    "my image": dict(status="queued", protected=True),
    "killed-1": dict(status="killed", protected=False),
    "saving-1": dict(status="saving", protected=False),
    "unreg": dict(status="active", protected=False, properties={"__isregistered": "false"}),
    "os-debian-32": dict(status="active", protected=False,
                         properties={"__os_bit": "32", "__platform": "Debian", "__os_type": "Linux"}),
    "os-windows-64": dict(status="active", protected=False,
                          properties={"__os_bit": "64", "__platform": "Windows", "__os_type": "Windows"}),
    "custom": dict(status="active", protected=False,
                   properties={"__description": "hello world", "hw_firmware_type": "uefi",
                               "__lazyloading": "true"}),
    "ubuntu14": dict(status="active", protected=False,
                     properties={"__os_version": "Ubuntu 14.04 server 64bit"}),
    "gold-1": dict(status="active", protected=True, imagetype="gold", owner=PUBLIC_OWNER),
    "market-1": dict(status="active", protected=False, imagetype="market", owner=PUBLIC_OWNER),
    "b-private": dict(status="active", protected=False, owner=B["project_id"]),
    "b-shared-accepted": dict(status="active", protected=False, owner=B["project_id"],
                              members=[{"member": A["project_id"], "status": "accepted"}]),
    "b-shared-pending": dict(status="active", protected=False, owner=B["project_id"],
                             members=[{"member": A["project_id"], "status": "pending"}]),
    "b-shared-rejected": dict(status="active", protected=False, owner=B["project_id"],
                              members=[{"member": A["project_id"], "status": "rejected"}]),
    "a-shared-to-b": dict(status="active", protected=False,
                          members=[{"member": B["project_id"], "status": "accepted"}]),
    "ts-2020": dict(status="active", protected=False, tags=["ts"], created_at="2020-01-01T00:00:00Z"),
    "ts-2021": dict(status="active", protected=False, tags=["ts"], created_at="2021-06-15T12:30:00Z"),
    "ts-2022": dict(status="active", protected=False, tags=["ts"], created_at="2022-12-31T23:59:59Z"),
    "upd-2020": dict(status="active", protected=False, tags=["upd"]),
    "upd-2021": dict(status="active", protected=False, tags=["upd"]),
    "upd-2022": dict(status="active", protected=False, tags=["upd"]),
}
for _flag, _value in SUPPORT_FLAGS.items():
    SEEDED["flag" + _flag] = dict(status="active", protected=False, properties={_flag: _value})

CREATED = {  # made through the API (disk_format, min_ram, min_disk)
    "fmt-qcow2": dict(disk_format="qcow2", min_ram=2048, min_disk=40),
    "fmt-raw": dict(disk_format="raw", min_ram=0, min_disk=1),
    "fmt-iso": dict(disk_format="iso", min_ram=512, min_disk=40),
    "fmt-vhd": dict(disk_format="vhd", min_ram=2048, min_disk=100),
}
PAGESET = 30

INVISIBLE_TO_A = {"b-private", "b-shared-pending", "b-shared-rejected"}


@pytest.fixture(scope="module")
def world():
    emu = start_emulator(accounts=[A, B], users=[USER_A, USER_B], extra_args=["--no-public-images"])
    c = Client(emu)
    try:
        initial = c.list_all()
        ids = {}
        for name, spec in SEEDED.items():
            got = emu.seed(name=name, **spec)
            assert len(got) == 1, got
            ids[name] = got[0]
        for name, fields in CREATED.items():
            ids[name] = c.create(name=name, **fields)["id"]
        page_ids = emu.seed(count=PAGESET, name="page-{i:02d}", tags=["pageset"], status="active")
        assert len(page_ids) == PAGESET
        # updated_at: patch each upd-* image with the emulator's clock in that year
        for year in (2020, 2021, 2022):
            target = datetime.datetime(year, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
            c.set_clock((target - datetime.datetime.now(datetime.timezone.utc)).total_seconds())
            r = c.patch_ops(ids["upd-%d" % year],
                            [{"op": "add", "path": "/__description", "value": "touched %d" % year}])
            assert r.status_code == 200, r.text
        c.set_clock(0)
        visible = c.list_all()
        yield {"emu": emu, "c": c, "ids": ids, "names": {v: k for k, v in ids.items()},
               "page_ids": page_ids, "initial": initial, "visible": visible}
    finally:
        c.session.close()
        emu.stop()


def names_of(world, images):
    out = []
    for img in images:
        out.append(world["names"].get(img["id"], img["name"]))
    return out


def check_filter(world, params, pred, include=(), exclude=(), client=None):
    """The filtered listing == the caller's visible images for which pred holds."""
    c = client or world["c"]
    got = c.list_all(params)
    got_ids = [i["id"] for i in got]
    assert len(got_ids) == len(set(got_ids)), "duplicates in %s" % params
    visible = world["visible"] if client is None else c.list_all()
    expected = {i["id"] for i in visible if pred(i)}
    got_names = set(names_of(world, got))
    for n in include:
        assert n in got_names, (params, n, sorted(got_names))
    for n in exclude:
        assert n not in got_names, (params, n, sorted(got_names))
    assert set(got_ids) == expected, (params, sorted(got_names),
                                      sorted(names_of(world, [i for i in visible if i["id"] in expected])))
    return got


# --------------------------------------------------------------------------------------
# What A sees.

def test_no_public_images_flag_starts_empty(world):
    assert world["initial"] == []


def test_visible_set(world):
    seen = set(names_of(world, world["visible"]))
    expected = (set(SEEDED) - INVISIBLE_TO_A) | set(CREATED) | {"page-%02d" % i for i in range(PAGESET)}
    assert seen == expected


def test_owner_sees_own_shared_image_as_private(world):
    img = next(i for i in world["visible"] if i["id"] == world["ids"]["a-shared-to-b"])
    assert img["visibility"] == "private"
    assert img["__imagetype"] == "private"


def test_member_sees_shared_image_as_shared(world):
    img = next(i for i in world["visible"] if i["id"] == world["ids"]["b-shared-accepted"])
    assert img["visibility"] == "shared"
    assert img["__imagetype"] == "shared"
    assert img["owner"] == B["project_id"]


def test_b_sees_its_images_and_a_shared(world):
    cb = Client(world["emu"], account=B)
    try:
        seen = {i["id"]: i for i in cb.list_all()}
        ids = world["ids"]
        for n in ("b-private", "b-shared-accepted", "b-shared-pending", "b-shared-rejected",
                  "a-shared-to-b", "gold-1", "market-1"):
            assert ids[n] in seen, n
        assert ids["alpha"] not in seen
        assert seen[ids["a-shared-to-b"]]["visibility"] == "shared"
        assert seen[ids["a-shared-to-b"]]["__imagetype"] == "shared"
        assert seen[ids["b-shared-pending"]]["visibility"] == "private"  # owner's view
    finally:
        cb.session.close()


# --------------------------------------------------------------------------------------
# Filters of table 1.

@pytest.mark.parametrize("value", ["true", "false"])
def test_filter_isregistered(world, value):
    include, exclude = (["alpha"], ["unreg"]) if value == "true" else (["unreg"], ["alpha"])
    check_filter(world, {"__isregistered": value}, lambda i: i.get("__isregistered") == value,
                 include, exclude)


@pytest.mark.parametrize("value,include,exclude", [
    ("gold", ["gold-1"], ["market-1", "alpha"]),
    ("market", ["market-1"], ["gold-1", "alpha"]),
    ("private", ["alpha", "a-shared-to-b"], ["gold-1", "b-shared-accepted"]),
    ("shared", ["b-shared-accepted"], ["a-shared-to-b", "alpha", "b-shared-pending"]),
])
def test_filter_imagetype(world, value, include, exclude):
    check_filter(world, {"__imagetype": value}, lambda i: i.get("__imagetype") == value, include, exclude)


def test_filter_imagetype_exact_sets(world):
    assert set(names_of(world, world["c"].list_all({"__imagetype": "gold"}))) == {"gold-1"}
    assert set(names_of(world, world["c"].list_all({"__imagetype": "market"}))) == {"market-1"}
    assert set(names_of(world, world["c"].list_all({"__imagetype": "shared"}))) == {"b-shared-accepted"}


@pytest.mark.parametrize("value", ["true", "false"])
def test_filter_protected(world, value):
    flag = value == "true"
    include, exclude = (["my image", "gold-1"], ["alpha"]) if flag else (["alpha"], ["my image", "gold-1"])
    check_filter(world, {"protected": value}, lambda i: i["protected"] is flag, include, exclude)


def test_filter_protected_invalid(world):
    r = world["c"].get("/v2/images", params={"protected": "maybe"})
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("value,include,exclude", [
    ("public", ["gold-1", "market-1"], ["alpha"]),
    ("private", ["alpha", "a-shared-to-b"], ["gold-1", "b-shared-accepted"]),
    ("shared", ["b-shared-accepted"], ["a-shared-to-b", "b-shared-pending", "b-shared-rejected"]),
])
def test_filter_visibility(world, value, include, exclude):
    check_filter(world, {"visibility": value}, lambda i: i["visibility"] == value, include, exclude)


def test_public_images_query_of_the_seed(world):
    got = world["c"].list_all([("__imagetype", "gold"), ("visibility", "public"), ("protected", "true")])
    assert names_of(world, got) == ["gold-1"]


@pytest.mark.parametrize("owner,include,exclude", [
    (A["project_id"], ["alpha", "a-shared-to-b", "fmt-raw"], ["gold-1", "b-shared-accepted"]),
    (B["project_id"], ["b-shared-accepted"], ["b-private", "b-shared-pending", "alpha"]),
    (PUBLIC_OWNER, ["gold-1", "market-1"], ["alpha"]),
])
def test_filter_owner(world, owner, include, exclude):
    check_filter(world, {"owner": owner}, lambda i: i["owner"] == owner, include, exclude)


def test_filter_owner_b_exact(world):
    assert names_of(world, world["c"].list_all({"owner": B["project_id"]})) == ["b-shared-accepted"]


def test_filter_id(world):
    ids = world["ids"]
    assert names_of(world, world["c"].list_all({"id": ids["alpha"]})) == ["alpha"]
    assert world["c"].list_all({"id": ids["b-private"]}) == []
    assert world["c"].list_all({"id": "00000000-0000-0000-0000-000000000000"}) == []


@pytest.mark.parametrize("status,include", [
    ("active", "alpha"), ("queued", "my image"), ("killed", "killed-1"), ("saving", "saving-1")])
def test_filter_status(world, status, include):
    others = [n for n in ("alpha", "my image", "killed-1", "saving-1") if n != include]
    check_filter(world, {"status": status}, lambda i: i["status"] == status, [include], others)


def test_filter_name_is_exact(world):
    assert names_of(world, world["c"].list_all({"name": "alpha"})) == ["alpha"]
    assert names_of(world, world["c"].list_all({"name": "my image"})) == ["my image"]
    assert world["c"].list_all({"name": "alph"}) == []
    assert world["c"].list_all({"name": "ALPHA"}) == []


def test_filter_container_format(world):
    check_filter(world, {"container_format": "bare"}, lambda i: i.get("container_format") == "bare",
                 ["alpha", "fmt-qcow2"])
    assert world["c"].list_all({"container_format": "ovf"}) == []


@pytest.mark.parametrize("fmt", ["qcow2", "raw", "iso", "vhd"])
def test_filter_disk_format(world, fmt):
    others = ["fmt-" + f for f in ("qcow2", "raw", "iso", "vhd") if f != fmt]
    check_filter(world, {"disk_format": fmt}, lambda i: i.get("disk_format") == fmt, ["fmt-" + fmt], others)


@pytest.mark.parametrize("value,include,exclude", [
    (2048, ["fmt-qcow2", "fmt-vhd"], ["fmt-raw", "fmt-iso"]),
    (512, ["fmt-iso"], ["fmt-qcow2", "fmt-raw"]),
])
def test_filter_min_ram(world, value, include, exclude):
    check_filter(world, {"min_ram": value}, lambda i: i["min_ram"] == value, include, exclude)


@pytest.mark.parametrize("value,include,exclude", [
    (40, ["fmt-qcow2", "fmt-iso"], ["fmt-raw", "fmt-vhd"]),
    (100, ["fmt-vhd"], ["fmt-qcow2", "fmt-raw"]),
    (1, ["fmt-raw"], ["fmt-qcow2"]),
])
def test_filter_min_disk(world, value, include, exclude):
    check_filter(world, {"min_disk": value}, lambda i: i["min_disk"] == value, include, exclude)


@pytest.mark.parametrize("name", ["min_ram", "min_disk"])
def test_filter_min_not_integer(world, name):
    r = world["c"].get("/v2/images", params={name: "lots"})
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("key,value,include,exclude", [
    ("__os_bit", "32", ["os-debian-32"], ["os-windows-64"]),
    ("__os_bit", "64", ["os-windows-64"], ["os-debian-32"]),
    ("__platform", "Debian", ["os-debian-32"], ["os-windows-64"]),
    ("__platform", "Windows", ["os-windows-64"], ["os-debian-32"]),
    ("__os_type", "Windows", ["os-windows-64"], ["os-debian-32"]),
    ("__os_type", "Linux", ["os-debian-32"], ["os-windows-64"]),
])
def test_filter_os_fields(world, key, value, include, exclude):
    check_filter(world, {key: value}, lambda i: i.get(key) == value, include, exclude)


def test_filter_tag(world):
    check_filter(world, {"tag": "env=prod"}, lambda i: "env=prod" in i["tags"],
                 ["alpha", "alpha-2"], ["xalpha"])
    assert set(names_of(world, world["c"].list_all({"tag": "env=prod"}))) == {"alpha", "alpha-2"}


def test_filter_tag_repeated_all_must_match(world):
    got = world["c"].list_all([("tag", "env=prod"), ("tag", "team=a")])
    assert names_of(world, got) == ["alpha"]
    assert world["c"].list_all([("tag", "env=prod"), ("tag", "nope=1")]) == []


def test_filter_tag_is_not_substring(world):
    assert world["c"].list_all({"tag": "env"}) == []
    assert world["c"].list_all({"tag": "env=pro"}) == []


@pytest.mark.parametrize("status", ["accepted", "pending", "rejected"])
def test_filter_member_status(world, status):
    got = world["c"].list_all([("visibility", "shared"), ("member_status", status)])
    assert names_of(world, got) == ["b-shared-" + status]
    assert got[0]["visibility"] == "shared"
    assert got[0]["__imagetype"] == "shared"


@pytest.mark.parametrize("status", ["accepted", "pending", "rejected"])
def test_filter_member_status_seed_query(world, status):
    """The shared-image queries of the API's examples (docs/dev/ims-api.md), with __imagetype=shared too."""
    got = world["c"].list_all([("member_status", status), ("visibility", "shared"),
                               ("__imagetype", "shared")])
    assert names_of(world, got) == ["b-shared-" + status]


def test_member_status_for_owner_shares_nothing(world):
    """B is the owner of the b-shared-* images: as a member it has only a-shared-to-b."""
    cb = Client(world["emu"], account=B)
    try:
        assert [i["id"] for i in cb.list_all([("visibility", "shared"), ("member_status", "accepted")])] == \
            [world["ids"]["a-shared-to-b"]]
        assert cb.list_all([("visibility", "shared"), ("member_status", "pending")]) == []
    finally:
        cb.session.close()


@pytest.mark.parametrize("flag", sorted(SUPPORT_FLAGS))
def test_filter_support_flags(world, flag):
    value = SUPPORT_FLAGS[flag]
    got = check_filter(world, {flag: value}, lambda i: i.get(flag) == value, ["flag" + flag],
                       ["flag" + f for f in SUPPORT_FLAGS if f != flag])
    assert names_of(world, got) == ["flag" + flag]


@pytest.mark.parametrize("key,value,include", [
    ("__description", "hello world", "custom"),
    ("hw_firmware_type", "uefi", "custom"),
    ("__lazyloading", "true", "custom"),
    ("__os_version", "Ubuntu 14.04 server 64bit", "ubuntu14"),
])
def test_filter_unknown_property_exact(world, key, value, include):
    got = check_filter(world, {key: value}, lambda i: i.get(key) == value, [include], ["alpha"])
    assert names_of(world, got) == [include]
    assert world["c"].list_all({key: value[:-1]}) == []


def test_filter_virtual_env_type(world):
    check_filter(world, {"virtual_env_type": "FusionCompute"},
                 lambda i: i.get("virtual_env_type") == "FusionCompute", ["alpha", "fmt-raw"])
    assert world["c"].list_all({"virtual_env_type": "DataImage"}) == []


def test_filter_unknown_property_absent(world):
    assert world["c"].list_all({"__no_such_property": "x"}) == []


# --------------------------------------------------------------------------------------
# created_at / updated_at

def _ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


OPS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
}
OP_EXPECT = {  # which of the three pivot images (before, at, after) match
    "gt": (False, False, True),
    "gte": (False, True, True),
    "lt": (True, False, False),
    "lte": (True, True, False),
    "eq": (False, True, False),
    "neq": (True, False, True),
}


def test_timestamps_have_the_documented_form(world):
    for img in world["visible"]:
        _ts(img["created_at"])
        _ts(img["updated_at"])
    by = dict(zip(names_of(world, world["visible"]), world["visible"]))
    assert by["ts-2021"]["created_at"] == "2021-06-15T12:30:00Z"
    for year in (2020, 2021, 2022):
        assert by["upd-%d" % year]["updated_at"].startswith("%d-03-01T12:0" % year)


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("fmt", ["iso", "space"])
def test_filter_time(world, field, op, fmt):
    prefix = "ts" if field == "created_at" else "upd"
    by = dict(zip(names_of(world, world["visible"]), world["visible"]))
    trio = [by["%s-%d" % (prefix, y)] for y in (2020, 2021, 2022)]
    pivot = _ts(trio[1][field])
    text = pivot.strftime("%Y-%m-%dT%H:%M:%SZ" if fmt == "iso" else "%Y-%m-%d %H:%M:%S")
    include = [n for n, yes in zip(("%s-2020" % prefix, "%s-2021" % prefix, "%s-2022" % prefix),
                                   OP_EXPECT[op]) if yes]
    exclude = [n for n, yes in zip(("%s-2020" % prefix, "%s-2021" % prefix, "%s-2022" % prefix),
                                   OP_EXPECT[op]) if not yes]
    check_filter(world, {field: "%s:%s" % (op, text)}, lambda i: OPS[op](_ts(i[field]), pivot),
                 include, exclude)


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
@pytest.mark.parametrize("value", [
    "2021-06-15T12:30:00Z",             # no operator
    "gt2021-06-15T12:30:00Z",           # no colon after the operator
    "after:2021-06-15T12:30:00Z",       # unknown operator
    "gt:2021-06-15",                    # date only
    "gt:2021/06/15 12:30:00",           # other separators
    "gt:15-06-2021 12:30:00",
    "gt:2021-06-15T12:30:00",           # ISO without Z
    "gt:yesterday",
    "gt:",
])
def test_filter_time_malformed(world, field, value):
    r = world["c"].get("/v2/images", params={field: value})
    assert r.status_code == 400, (value, r.status_code, r.text[:300])


def test_filter_combined(world):
    got = world["c"].list_all([("tag", "ts"), ("created_at", "gte:2021-01-01T00:00:00Z")])
    assert set(names_of(world, got)) == {"ts-2021", "ts-2022"}
    got = world["c"].list_all([("tag", "pageset"), ("status", "active"), ("name", "page-07")])
    assert names_of(world, got) == ["page-07"]


# --------------------------------------------------------------------------------------
# Sorting

SORT_KEYS = ["name", "container_format", "disk_format", "status", "id", "size", "created_at"]


def _sorted_variants(images, key, direction):
    """Acceptable orders: by key in the direction, ties by id (ascending or descending)."""
    def k(i):
        return (i[key], i["id"])
    asc = sorted(images, key=k)
    if direction == "asc":
        return [[i["id"] for i in asc]]
    desc_id_desc = list(reversed(asc))
    desc_id_asc = sorted(sorted(images, key=lambda i: i["id"]), key=lambda i: i[key], reverse=True)
    return [[i["id"] for i in desc_id_desc], [i["id"] for i in desc_id_asc]]


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sort(world, key, direction):
    params = [("sort_key", key), ("sort_dir", direction)]
    if key == "size":
        params.append(("status", "active"))  # sizes of queued images are null
    got = world["c"].list_all(params)
    assert len(got) > 10
    variants = _sorted_variants(got, key, direction)
    assert [i["id"] for i in got] in variants, [(i[key], i["id"]) for i in got]
    # the same images as unsorted
    base = world["c"].list_all([("status", "active")] if key == "size" else None)
    assert {i["id"] for i in got} == {i["id"] for i in base}


def test_sort_ties_broken_by_id_asc(world):
    """container_format is 'bare' everywhere: ascending order is exactly by id."""
    got = world["c"].list_all([("sort_key", "container_format"), ("sort_dir", "asc")])
    assert {i["container_format"] for i in got} == {"bare"}
    assert [i["id"] for i in got] == sorted(i["id"] for i in got)


def test_default_sort_is_created_at_desc(world):
    got = world["c"].list_all()
    assert [i["id"] for i in got] in _sorted_variants(got, "created_at", "desc")
    assert got[-1]["name"] == "ts-2020"
    only_dir = world["c"].list_all([("sort_dir", "asc")])
    assert [i["id"] for i in only_dir] in _sorted_variants(got, "created_at", "asc")
    only_key = world["c"].list_all([("sort_key", "name")])
    assert [i["id"] for i in only_key] in _sorted_variants(got, "name", "desc")


@pytest.mark.parametrize("params", [{"sort_key": "colour"}, {"sort_dir": "up"}])
def test_sort_invalid(world, params):
    r = world["c"].get("/v2/images", params=params)
    assert r.status_code == 400, r.text


# --------------------------------------------------------------------------------------
# Paging

def _page(world, params):
    body = world["c"].list(params)
    assert body["schema"] == "/v2/schemas/images"
    return body


def _query_of(link):
    assert link.startswith("/v2/images"), link
    parts = urllib.parse.urlsplit(link)
    assert not parts.scheme and not parts.netloc, link
    assert parts.path == "/v2/images", link
    return sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))


def test_default_limit_is_25(world):
    body = _page(world, {"tag": "pageset"})
    assert len(body["images"]) == 25
    assert "next" in body
    body = _page(world, None)
    assert len(body["images"]) == 25


def test_limit_and_marker_pages(world):
    full = world["c"].list_all([("tag", "pageset"), ("sort_key", "name"), ("sort_dir", "asc")])
    assert [i["name"] for i in full] == ["page-%02d" % i for i in range(PAGESET)]
    seen = []
    params = [("tag", "pageset"), ("sort_key", "name"), ("sort_dir", "asc"), ("limit", "7")]
    marker = None
    sizes = []
    for _attempt in range(10):
        p = params + ([("marker", marker)] if marker else [])
        body = _page(world, p)
        sizes.append(len(body["images"]))
        seen.extend(i["id"] for i in body["images"])
        if "next" not in body:
            break
        marker = body["images"][-1]["id"]
    assert sizes == [7, 7, 7, 7, 2]
    assert seen == [i["id"] for i in full]


def test_first_and_next_links(world):
    params = [("tag", "pageset"), ("sort_key", "name"), ("sort_dir", "asc"), ("limit", "7"),
              ("__isregistered", "true"), ("created_at", "gt:2000-01-01 00:00:00")]
    body = _page(world, params)
    assert _query_of(body["first"]) == sorted(params)
    last = body["images"][-1]["id"]
    assert _query_of(body["next"]) == sorted(params + [("marker", last)])
    # follow next as given (parsed and re-signed): the marker is replaced, not repeated
    nxt = _query_of(body["next"])
    body2 = _page(world, nxt)
    assert body2["images"][0]["name"] == "page-07"
    last2 = body2["images"][-1]["id"]
    assert _query_of(body2["next"]) == sorted(params + [("marker", last2)])


def test_next_only_on_full_pages(world):
    body = _page(world, [("tag", "pageset"), ("limit", "31")])
    assert len(body["images"]) == PAGESET
    assert "next" not in body
    assert "first" in body
    body = _page(world, [("tag", "pageset"), ("limit", "1000")])
    assert "next" not in body


def test_exactly_full_last_page(world):
    params = [("tag", "pageset"), ("limit", "10"), ("sort_key", "name"), ("sort_dir", "asc")]
    pages = []
    body = _page(world, params)
    pages.append(body)
    while "next" in body and len(pages) < 10:
        body = _page(world, _query_of(body["next"]))
        pages.append(body)
    assert [len(p["images"]) for p in pages] == [10, 10, 10, 0]
    assert all("next" in p for p in pages[:3])
    assert "next" not in pages[3]


def test_limit_equal_to_total_has_next_then_empty(world):
    body = _page(world, [("tag", "pageset"), ("limit", str(PAGESET))])
    assert len(body["images"]) == PAGESET and "next" in body
    after = _page(world, _query_of(body["next"]))
    assert after["images"] == [] and "next" not in after


def test_limit_equal_to_whole_unfiltered_listing(world):
    """The same edge without filters: a last page of exactly ``limit`` images of everything."""
    total = len(world["visible"])
    body = _page(world, [("limit", str(total))])
    assert len(body["images"]) == total and "next" in body
    after = _page(world, _query_of(body["next"]))
    assert after["images"] == [] and "next" not in after
    half = _page(world, [("limit", str(total - 1))])
    last = _page(world, _query_of(half["next"]))
    assert len(last["images"]) == 1 and "next" not in last


def test_no_maximum_limit(world):
    body = _page(world, [("limit", "5000")])
    assert len(body["images"]) == len(world["visible"])
    assert "next" not in body


def test_marker_desc_default_order(world):
    full = world["c"].list_all([("tag", "pageset")])
    body = _page(world, [("tag", "pageset"), ("limit", "4"), ("marker", full[9]["id"])])
    assert [i["id"] for i in body["images"]] == [i["id"] for i in full[10:14]]


@pytest.mark.parametrize("marker_of", ["unknown", "invisible", "filtered-out"])
def test_bad_marker(world, marker_of):
    marker = {"unknown": "6f1c7a3e-0000-4000-8000-000000000000",
              "invisible": world["ids"]["b-private"],
              "filtered-out": world["ids"]["alpha"]}[marker_of]
    r = world["c"].get("/v2/images", params=[("tag", "pageset"), ("marker", marker)])
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("limit", ["-1", "-25", "abc", "1.5", "", "1e3"])
def test_bad_limit(world, limit):
    r = world["c"].get("/v2/images", params={"limit": limit})
    assert r.status_code == 400, (limit, r.status_code, r.text[:200])


def test_bad_filter_error_shape(world):
    r = world["c"].get("/v2/images", params={"limit": "-1"})
    assert r.status_code == 400
    assert r.headers.get("X-Request-Id")
    body = r.json()
    assert isinstance(body, dict) and body
