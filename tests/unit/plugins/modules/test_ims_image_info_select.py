# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_info's name_regex and most_recent in process, against scripted HTTP."""

from __future__ import annotations

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_info
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, Call, run_module

SORT = {("sort_key", "created_at"), ("sort_dir", "desc")}


def run(args):
    return run_module(ims_image_info, dict(CONNECTION, **args))


def page(pairs, answer):
    return Call("GET", "/v2/images", query=SORT | set(pairs), answer=answer)


def images(count, start=0, prefix="img"):
    return [image("00000000-0000-4000-8000-%012d" % index, name="%s-%04d" % (prefix, index))
            for index in range(start, start + count)]


def nxt(marker, limit):
    return "/v2/images?marker=%s&limit=%d&sort_dir=desc&sort_key=created_at" % (marker, limit)


def names(result):
    return [item["name"] for item in result["images"]]


def test_most_recent_with_server_side_filters_is_one_request_of_limit_1(http):
    http.expect(page({("__platform", "Ubuntu"), ("limit", "1")}, listing(images(1), "/v2/images?marker=x&limit=1")))
    result = run({"platform": "Ubuntu", "most_recent": True})
    assert result["failed"] is False and names(result) == ["img-0000"]


def test_most_recent_with_nothing_matching_is_an_empty_list(http):
    http.expect(page({("name", "nope"), ("limit", "1")}, listing([])))
    assert run({"name": "nope", "most_recent": True})["images"] == []


def test_name_regex_filters_every_page_client_side(http):
    first, second = images(2, prefix="web") + images(1, start=2, prefix="db"), images(2, start=3, prefix="prod-web")
    http.expect(page({("limit", "3")}, listing(first, nxt(first[-1]["id"], 3))),
                page({("marker", first[-1]["id"]), ("limit", "3")}, listing(second)))
    assert names(run({"name_regex": "web", "page_size": 3})) == ["web-0000", "web-0001", "prod-web-0003", "prod-web-0004"]


def test_name_regex_with_most_recent_stops_at_the_first_match(http):
    first = images(2, prefix="db")
    second = images(2, start=2, prefix="web")
    http.expect(page({("limit", "2")}, listing(first, nxt(first[-1]["id"], 2))),
                page({("marker", first[-1]["id"]), ("limit", "2")},
                     listing(second, nxt(second[-1]["id"], 2))))
    assert names(run({"name_regex": "^web-", "most_recent": True, "page_size": 2})) == ["web-0002"]


def test_an_id_alone_is_still_read_directly_and_the_regex_applies(http):
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image(name="web")))
    assert run({"id": IMAGE_ID, "name_regex": "^db"})["images"] == []


def test_a_bad_regex_is_refused_before_any_request(http):
    result = run({"name_regex": "web-("})
    assert result["failed"] and "name_regex must be a Python regular expression" in result["msg"]
    assert not http.made()


def test_name_regex_with_name_and_most_recent_with_another_sort_are_refused(http):
    assert "cannot be used together" in run({"name_regex": "^web", "name": "web"})["msg"]
    assert "most_recent picks the newest" in run({"most_recent": True, "sort_key": "name"})["msg"]
    assert not http.made()
