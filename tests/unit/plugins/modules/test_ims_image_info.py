# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_info in process, against scripted HTTP: filters as query pairs, and paging."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_info
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, image_not_found, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, Call, run_module

SORT = {("sort_key", "created_at"), ("sort_dir", "desc")}


def run(args, **kwargs):
    return run_module(ims_image_info, dict(CONNECTION, **args), **kwargs)


def images(count, start=0, **fields):
    return [image("00000000-0000-4000-8000-%012d" % index, name="img-%04d" % index, **fields)
            for index in range(start, start + count)]


def page(pairs, answer):
    return Call("GET", "/v2/images", query=set(pairs), answer=answer)


def next_link(marker, limit, *pairs):
    """A ``next`` link as IMS writes it: the query of the listing in its own order, which the client re-encodes."""
    pairs = [("marker", marker), ("limit", str(limit))] + list(pairs) + [("sort_dir", "desc"), ("sort_key", "created_at")]
    query = "&".join("%s=%s" % pair for pair in pairs)
    return "/v2/images?" + query


def ids(result):
    return [item["id"] for item in result["images"]]


# -- one image by id -----------------------------------------------------------------------------


def test_an_id_alone_is_read_directly(http):
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image()))
    result = run({"id": IMAGE_ID})
    assert result["changed"] is False and ids(result) == [IMAGE_ID]


def test_an_id_that_does_not_exist_gives_no_image(http):
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, status=404, answer=image_not_found(IMAGE_ID)))
    result = run({"id": IMAGE_ID})
    assert result["failed"] is False and result["images"] == []


def test_an_id_with_other_filters_is_one_more_filter(http):
    http.expect(page(SORT | {("id", IMAGE_ID), ("status", "active"), ("limit", "1000")}, listing([image()])))
    assert ids(run({"id": IMAGE_ID, "status": "active"})) == [IMAGE_ID]


# -- filters ---------------------------------------------------------------------------------------


def test_every_typed_filter_is_a_query_pair(http):
    http.expect(page(SORT | {
        ("name", "web"), ("status", "active"), ("__imagetype", "shared"), ("visibility", "shared"),
        ("member_status", "accepted"), ("protected", "false"), ("owner", "p1"), ("__isregistered", "true"),
        ("container_format", "bare"), ("disk_format", "qcow2"), ("min_ram", "1024"), ("min_disk", "40"),
        ("__os_bit", "64"), ("__os_type", "Linux"), ("__platform", "Ubuntu"), ("tag", "team=web"),
        ("created_at", "lt:2018-10-28T10:00:00Z"), ("updated_at", "gte:2018-10-28 10:00:00"),
        ("__support_kvm", "true"), ("__support_kvm_gpu_type", "V100"), ("__support_xen_gpu_type", "M60"),
        ("limit", "1000")}, listing([])))
    result = run({"name": "web", "status": "active", "imagetype": "shared", "visibility": "shared",
                  "member_status": "accepted", "protected": False, "owner": "p1", "isregistered": True,
                  "container_format": "bare", "disk_format": "qcow2", "min_ram": 1024, "min_disk": 40, "os_bit": "64",
                  "os_type": "Linux", "platform": "Ubuntu", "tag": "team=web", "created_at": "lt:2018-10-28T10:00:00Z",
                  "updated_at": "gte:2018-10-28 10:00:00", "support_kvm": True, "support_kvm_gpu_type": "V100",
                  "support_xen_gpu_type": "M60"})
    assert result["failed"] is False and result["images"] == []


def test_free_form_filters_are_sent_by_their_api_names(http):
    http.expect(page(SORT | {("__os_version", "Ubuntu 22.04 server 64bit"), ("virtual_env_type", "FusionCompute"),
                             ("__lazyloading", "true"), ("min_ram", "0"), ("limit", "1000")}, listing([])))
    run({"filters": {"__os_version": "Ubuntu 22.04 server 64bit", "virtual_env_type": "FusionCompute",
                     "__lazyloading": True, "min_ram": 0}})


def test_sorting_and_marker(http):
    http.expect(page({("sort_key", "name"), ("sort_dir", "asc"), ("marker", IMAGE_ID), ("limit", "1000")},
                     listing([])))
    run({"sort_key": "name", "sort_dir": "asc", "marker": IMAGE_ID})


def test_a_false_support_flag_is_applied_to_the_images_read(http):
    flagged = images(2, __support_xen="true")
    plain = images(2, start=2)
    http.expect(page(SORT | {("limit", "1000")}, listing([flagged[0], plain[0], flagged[1], plain[1]])))
    assert ids(run({"support_xen": False})) == [plain[0]["id"], plain[1]["id"]]


@pytest.mark.parametrize("args, words", [
    ({"member_status": "accepted"}, "member_status only works with visibility=shared"),
    ({"filters": {"limit": 5}}, "filters must not set limit; use the page_size option instead"),
    ({"filters": {"marker": "x"}}, "filters must not set marker"),
    ({"name": "web", "filters": {"name": "web"}}, "filters sets name, which the name option already sets"),
    ({"filters": {"imagetype": "gold"}}, "filters key imagetype is not an IMS parameter"),
    ({"created_at": "before:2018"}, "created_at must be OP:TIME"),
    ({"filters": {"created_at": "lt:yesterday"}}, "filters.created_at must be OP:TIME"),
    ({"filters": {"a": [1]}}, "filters must map each IMS parameter to a string, number or boolean"),
    ({"page_size": 0}, "page_size must be from 1 to 10000"),
    ({"max_results": 0}, "max_results must be 1 or more"),
    ({"min_ram": -1}, "min_ram must be 0 or more"),
    ({"name": ""}, "name must not be empty"),
])
def test_bad_filters_fail_before_any_request(http, args, words):
    result = run(args)
    assert result["failed"] is True
    assert words in result["msg"]
    assert http.requests == []


# The values as ``ansible -a 'key=value ...'`` gives them (strings), each with the message the user gets (or its parts);
# the journey tests/journeys/test_journey_ims_image_info.py ran them all through ``ansible`` (it keeps one).
CLI_BAD_VALUES = [
    ({"status": "broken"}, "value of status must be one of: queued, saving, active, killed, deleted, got: broken"),
    ({"imagetype": "public"}, "value of imagetype must be one of: gold, private, shared, market, got: public"),
    ({"sort_dir": "up"}, "value of sort_dir must be one of: asc, desc, got: up"),
    ({"disk_format": "vmdk"}, "value of disk_format must be one of: vhd, zvhd, zvhd2, raw, qcow2, iso, got: vmdk"),
    # ansible-core 2.19 writes the type as str, 2.18 as <class 'str'>.
    ({"protected": "maybe"}, ("argument 'protected' is of type ", "str", " and we were unable to convert to bool")),
    ({"min_disk": "big"}, ("argument 'min_disk' is of type ", "str", " and we were unable to convert to int")),
    ({"min_ram": "-1"}, "min_ram must be 0 or more; got -1"),
    ({"page_size": "0"}, "page_size must be from 1 to 10000; got 0"),
    ({"max_results": "0"}, "max_results must be 1 or more; got 0"),
    ({"created_at": "yesterday"}, "created_at must be OP:TIME with OP one of gt, gte, lt, lte, eq, neq"),
    ({"updated_at": "after:2024-01-01T00:00:00Z"}, "got the operator 'after'"),
    ({"created_at": "gt:2024-02-30 00:00:00"}, "got the time '2024-02-30 00:00:00'"),
    ({"member_status": "pending"}, "member_status only works with visibility=shared"),
    ({"name": ""}, "name must not be empty"),
    ({"no_such_option": "1"}, "Unsupported parameters for (hwcloud.ims.ims_image_info) module: no_such_option"),
    ({"region": "Not_A_Region", "ims_endpoint": ""}, "region must be a Huawei Cloud region name such as cn-north-4"),
    ({"ims_endpoint": "ftp://x"}, "ims_endpoint must be an http:// or https:// URL"),
    ({"timeout": "0"}, "timeout must be a number of seconds greater than 0; got 0"),
    ({"retries": "-1"}, "retries must be an integer from 0 to 20; got -1"),
    ({"filters": {"limit": 5}}, "filters must not set limit; use the page_size option"),
    ({"filters": {"tag": ["a=b"]}}, "filters must map each IMS parameter to a string, number or boolean"),
]


@pytest.mark.parametrize("args, message", CLI_BAD_VALUES, ids=[sorted(case[0])[-1] for case in CLI_BAD_VALUES])
def test_bad_values_as_the_cli_gives_them_get_a_clear_message(http, args, message):
    # _ansible_module_name: the module's name as the controller sends it (the argument checks' messages use it).
    result = run(dict(args, _ansible_module_name="hwcloud.ims.ims_image_info"))
    assert result["failed"] is True
    for part in (message,) if isinstance(message, str) else message:
        assert part in result["msg"], result["msg"]
    assert "exception" not in result
    assert http.requests == []


@pytest.mark.parametrize("drop, message", [
    (("access_key", "secret_key"), "no credentials: set access_key and secret_key"),
    (("secret_key",), "access_key and secret_key go together"),
    (("project_id",), "project_id is required with access_key/secret_key when region is not set (HW_PROJECT_ID)"),
    (("ims_endpoint", "region"), "region is required (or ims_endpoint)"),
], ids=["no-keys", "no-secret-key", "no-project-id", "no-endpoint-no-region"])
def test_missing_connection_options_get_a_clear_message(http, drop, message):
    """No HW_* variable reaches the module (run_module), so a dropped option is as unset as a missing variable."""
    result = run_module(ims_image_info, {key: value for key, value in CONNECTION.items() if key not in drop})
    assert result["failed"] is True
    assert message in result["msg"], result["msg"]
    assert "exception" not in result
    assert http.requests == []


# -- paging ------------------------------------------------------------------------------------------


def test_pages_are_followed_through_next_until_a_page_without_next(http):
    first, second, third = images(2), images(2, start=2), images(1, start=4)
    http.expect(
        page(SORT | {("__imagetype", "private"), ("limit", "2")},
             listing(first, next_link(first[-1]["id"], 2, ("__imagetype", "private")))),
        page(SORT | {("__imagetype", "private"), ("marker", first[-1]["id"]), ("limit", "2")},
             listing(second, next_link(second[-1]["id"], 2, ("__imagetype", "private")))),
        page(SORT | {("__imagetype", "private"), ("marker", second[-1]["id"]), ("limit", "2")}, listing(third)))
    result = run({"imagetype": "private", "page_size": 2})
    assert ids(result) == [item["id"] for item in first + second + third]


def test_an_exactly_full_last_page_costs_one_empty_page(http):
    first, second = images(3), images(3, start=3)
    http.expect(page(SORT | {("limit", "3")}, listing(first, next_link(first[-1]["id"], 3))),
                page(SORT | {("marker", first[-1]["id"]), ("limit", "3")}, listing(second, next_link(second[-1]["id"], 3))),
                page(SORT | {("marker", second[-1]["id"]), ("limit", "3")}, listing([], next_link("unused", 3))))
    assert len(run({"page_size": 3})["images"]) == 6


def test_max_results_asks_only_for_what_is_missing_and_stops(http):
    first, second = images(20), images(5, start=20)
    http.expect(page(SORT | {("limit", "20")}, listing(first, next_link(first[-1]["id"], 20))),
                page(SORT | {("marker", first[-1]["id"]), ("limit", "5")}, listing(second, next_link(second[-1]["id"], 5))))
    result = run({"page_size": 20, "max_results": 25})
    assert len(result["images"]) == 25  # and no third request, though the page had a next link


def test_max_results_smaller_than_a_page(http):
    http.expect(page(SORT | {("limit", "3")}, listing(images(3), next_link("x", 3))))
    assert len(run({"max_results": 3})["images"]) == 3


def test_max_results_with_a_client_side_filter_keeps_full_pages(http):
    first = images(2, __support_kvm="true") + images(1, start=2)
    second = images(3, start=3)
    http.expect(page(SORT | {("limit", "3")}, listing(first, next_link(first[-1]["id"], 3))),
                page(SORT | {("marker", first[-1]["id"]), ("limit", "3")}, listing(second, next_link("y", 3))))
    result = run({"support_kvm": False, "page_size": 3, "max_results": 3})
    assert ids(result) == [first[2]["id"], second[0]["id"], second[1]["id"]]


def test_an_empty_first_page_ends_the_listing(http):
    http.expect(page(SORT | {("limit", "1000")}, listing([], next_link("x", 1000))))
    assert run({})["images"] == []


def test_a_repeated_marker_is_an_error_not_an_endless_loop(http):
    first = images(2)
    link = next_link(first[-1]["id"], 2)
    http.expect(page(SORT | {("limit", "2")}, listing(first, link)),
                page(SORT | {("marker", first[-1]["id"]), ("limit", "2")}, listing(first, link)))
    result = run({"page_size": 2})
    assert result["failed"] is True
    assert "the API repeated the page marker %s" % first[-1]["id"] in result["msg"]


def test_a_server_error_on_a_page_is_retried_with_a_wait(http, clock):
    first = images(2)
    http.expect(page(SORT | {("limit", "2")}, listing(first, next_link(first[-1]["id"], 2))),
                Call("GET", "/v2/images", query=SORT | {("marker", first[-1]["id"]), ("limit", "2")}, status=503),
                page(SORT | {("marker", first[-1]["id"]), ("limit", "2")}, listing([])))
    assert len(run({"page_size": 2})["images"]) == 2
    assert len(clock.sleeps) == 1 and 0 < clock.sleeps[0] <= 0.5


def test_check_mode_lists_as_usual(http):
    http.expect(page(SORT | {("limit", "1000")}, listing(images(1))))
    result = run({}, check_mode=True)
    assert result["changed"] is False and len(result["images"]) == 1


def test_a_next_link_is_sent_re_encoded_in_canonical_order(http):
    """The client signs what it sends: the pairs of a next link go out sorted, with its own limit."""
    first = images(2)
    shuffled = "/v2/images?sort_key=created_at&marker=%s&limit=2&sort_dir=desc" % first[-1]["id"]
    http.expect(page(SORT | {("limit", "2")}, listing(first, shuffled)),
                Call("GET", "/v2/images", query=[("limit", "2"), ("marker", first[-1]["id"]), ("sort_dir", "desc"),
                                                 ("sort_key", "created_at")], answer=listing([])))
    assert len(run({"page_size": 2})["images"]) == 2


@pytest.mark.parametrize("answer", [{"images": "x"}, {"images": [image(), 3]}, {"images": [], "next": ["x"]}, "x"])
def test_a_page_of_the_wrong_shape_fails_cleanly(http, answer):
    http.expect(page(SORT | {("limit", "1000")}, answer))
    result = run({})
    assert result["failed"] is True
    assert result["msg"].startswith("GET /v2/images answered HTTP 200 with a body this collection cannot use: ")
    assert result["msg"].endswith("(request id: req-1)")
