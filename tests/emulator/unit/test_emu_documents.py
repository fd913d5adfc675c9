"""The version documents and the schemas (README "Version documents and schemas"), through
EmulatorApp.serve() in process: shapes, the 300 status, links built from the request's Host,
and which of them need authentication."""

from __future__ import annotations

import pytest

from imsemu.ims.documents import IMAGE_PROPERTIES
from imsemu.ims.images import new_image, new_member

VERSION_IDS = [("v2.2", "CURRENT"), ("v2.1", "SUPPORTED"), ("v2.0", "SUPPORTED")]


@pytest.mark.parametrize("path", ["/", "/v2", "/v2/"])
def test_version_documents_answer_300_without_authentication(call, path):
    answer = call("GET", path, headers={"Host": "ims.example.test:8443"}, auth=False)
    assert answer.status == 300
    assert answer.headers["Content-Type"].startswith("application/json")
    versions = answer.json()["versions"]
    assert [(v["id"], v["status"]) for v in versions] == VERSION_IDS
    for version in versions:
        assert version["links"] == [{"href": "http://ims.example.test:8443/v2/", "rel": "self"}]


def test_version_links_follow_the_host_and_the_scheme(app, call):
    app.set_origin("https://127.0.0.1:4443")
    answer = call("GET", "/", headers={"Host": "[::1]:4443"}, auth=False)
    assert {link["href"] for v in answer.json()["versions"] for link in v["links"]} == {"https://[::1]:4443/v2/"}


def test_version_links_without_host_use_the_emulators_own_address(app, call):
    app.set_origin("http://127.0.0.1:38211")
    answer = call("GET", "/v2", auth=False)
    assert answer.json()["versions"][0]["links"][0]["href"] == "http://127.0.0.1:38211/v2/"


@pytest.mark.parametrize("name", ["image", "images", "member", "members"])
def test_schemas_need_authentication(call, name):
    answer = call("GET", "/v2/schemas/" + name, auth=False)
    assert answer.status == 401
    assert answer.json()["error_code"] == "APIGW.0301"


def test_image_schema_lists_the_fields_images_carry(call):
    answer = call("GET", "/v2/schemas/image")
    assert answer.status == 200
    schema = answer.json()
    assert schema["name"] == "image"
    assert schema["additionalProperties"] == {"type": "string"}
    assert [link["rel"] for link in schema["links"]] == ["self", "enclosure", "describedby"]
    image = new_image(image_id="0f0f0f0f-0000-4000-8000-000000000001", owner="b" * 32, name="x",
                      created_at="2024-01-02T03:04:05Z")
    assert set(image) | {"active_at"} == set(schema["properties"])
    assert schema["properties"]["disk_format"]["enum"] == ["vhd", "zvhd", "zvhd2", "raw", "qcow2", "iso"]
    assert schema["properties"]["size"]["type"] == ["integer", "null"]


def test_image_schema_types_match_a_served_image(call):
    created = call("POST", "/v2/images", json_body={"name": "typed", "tags": ["a"]}).json()
    types = {"string": str, "integer": int, "boolean": bool, "array": list, "null": type(None)}
    for name, value in created.items():
        kinds = IMAGE_PROPERTIES[name]["type"]
        kinds = kinds if isinstance(kinds, list) else [kinds]
        assert isinstance(value, tuple(types[k] for k in kinds)), name


def test_images_schema_wraps_the_image_schema(call):
    images = call("GET", "/v2/schemas/images").json()
    image = call("GET", "/v2/schemas/image").json()
    assert images["name"] == "images"
    assert images["properties"]["images"] == {"type": "array", "items": image}
    assert {"schema", "first", "next"} <= set(images["properties"])
    assert [link["rel"] for link in images["links"]] == ["first", "next", "describedby"]


def test_member_schemas_list_the_fields_members_carry(call):
    member = call("GET", "/v2/schemas/member").json()
    members = call("GET", "/v2/schemas/members").json()
    assert member["name"] == "member"
    assert set(member["properties"]) == set(new_member("i", "p", "pending", "t"))
    assert member["properties"]["status"]["enum"] == ["accepted", "rejected", "pending"]
    assert members["name"] == "members"
    assert members["properties"]["members"] == {"type": "array", "items": member}


def test_documents_are_counted_under_their_route_names(app, call):
    call("GET", "/", auth=False)
    call("GET", "/v2/", auth=False)
    call("GET", "/v2/schemas/members")
    by_route = app.control.stats.snapshot()["by_route"]
    assert by_route["GET /"] == 1 and by_route["GET /v2"] == 1 and by_route["GET /v2/schemas/members"] == 1
