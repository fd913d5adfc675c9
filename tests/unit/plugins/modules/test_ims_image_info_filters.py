# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_info in process, against scripted HTTP: filters that cannot match, and tag as a list.

Refusals fail before any request; warnings reach the result (``module.warn``, which ansible prints).
The same rules for ims_image_cleanup's stale_tag and exclude_tag are at the end.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image_cleanup, ims_image_info
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import image, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, PROJECT_ID, Call, run_module

SORT = {("sort_key", "created_at"), ("sort_dir", "desc")}


def run(args, **kwargs):
    return run_module(ims_image_info, dict(CONNECTION, **args), **kwargs)


def images(count, start=0, **fields):
    return [image("00000000-0000-4000-8000-%012d" % index, name="img-%04d" % index, **fields)
            for index in range(start, start + count)]


@pytest.mark.parametrize("args, words", [
    ({"platform": "ubuntu"}, "platform is case-sensitive and IMS spells this value Ubuntu; got 'ubuntu'"),
    ({"filters": {"__os_type": "linux"}}, "filters.__os_type is case-sensitive and IMS spells this value Linux"),
    ({"name": "Ubuntu*"}, "name 'Ubuntu*' holds a wildcard, but IMS matches name exactly, not as a pattern"),
    ({"owner": "b912*"}, "owner 'b912*' holds a wildcard"),
    ({"tag": "a=1,b=2"}, "tag 'a=1,b=2' holds a comma, but a tag is matched whole and no tag holds a comma: to ask for several "
                         "tags at once, give tag a list (images with all of them), e.g. [a=1, b=2]"),
    ({"tag": ["team=web", "env=*"]}, "tag 'env=*' holds a wildcard"),
    ({"tag": ""}, "tag must not be empty"),
    ({"tag": {"team": "web"}}, "tag must be a tag (key=value) or a list of tags"),
    ({"imagetype": "private", "visibility": "public"},
     "imagetype private and visibility public cannot match together: private images have visibility private"),
    ({"imagetype": "gold", "visibility": "shared"}, "imagetype gold and visibility shared cannot match together"),
    ({"imagetype": "shared", "visibility": "private"}, "imagetype shared and visibility private cannot match together"),
    ({"imagetype": "market", "visibility": "private"}, "imagetype market and visibility private cannot match together"),
])
def test_filters_that_cannot_match_are_refused_before_any_request(http, args, words):
    result = run(args)
    assert result["failed"] is True
    assert words in result["msg"], result["msg"]
    assert http.requests == []


def test_the_wrong_case_of_os_type_is_refused_by_its_choices(http):
    result = run({"os_type": "linux"})
    assert result["failed"] is True
    assert "value of os_type must be one of: Linux, Windows, Other, got: linux" in result["msg"]
    assert http.requests == []


def test_an_unknown_platform_is_sent_with_a_warning(http):
    http.expect(Call("GET", "/v2/images", query=SORT | {("__platform", "Rocky Linux"), ("limit", "1000")}, answer=listing([])))
    result = run({"platform": "Rocky Linux"})
    assert result["failed"] is False and result["images"] == []
    assert len(result["warnings"]) == 1
    assert result["warnings"][0].startswith("platform 'Rocky Linux' is none of the values IMS documents")


def test_a_tag_without_equals_is_sent_with_a_warning(http):
    http.expect(Call("GET", "/v2/images", query=SORT | {("tag", "team"), ("limit", "1000")}, answer=listing([])))
    result = run({"tag": "team"})
    assert result["failed"] is False
    assert result["warnings"] == [
        "tag 'team' has no '=': it matches only images tagged exactly 'team', not those tagged team=VALUE (IMS tags are "
        "key=value); to match any value of a key, select on the images' tags client-side"]


def test_good_filters_give_no_warning(http):
    pairs = {("__platform", "Ubuntu"), ("tag", "team=web"), ("__imagetype", "gold"), ("visibility", "public"), ("limit", "1000")}
    http.expect(Call("GET", "/v2/images", query=SORT | pairs, answer=listing([])))
    result = run({"platform": "Ubuntu", "tag": "team=web", "imagetype": "gold", "visibility": "public"})
    assert result["failed"] is False and "warnings" not in result


def test_a_tag_list_is_sent_as_repeated_tag_pairs(http):
    found = images(1, tags=["env=prod", "team=web"])
    http.expect(Call("GET", "/v2/images", query=[("limit", "1000"), ("sort_dir", "desc"), ("sort_key", "created_at"),
                                                 ("tag", "env-x=1"), ("tag", "env=prod"), ("tag", "team=web")],
                     answer=listing(found)))
    result = run({"tag": ["team=web", "env=prod", "env-x=1", "team=web"]})
    assert result["failed"] is False and result["images"] == found


def test_a_next_link_keeps_every_tag(http):
    """IMS repeats the query in next, in its own order: every tag goes out again, re-encoded in canonical order."""
    first, second = images(2, tags=["a=1", "b=2"]), images(1, start=2, tags=["a=1", "b=2"])
    link = "/v2/images?tag=b%%3D2&marker=%s&limit=2&tag=a%%3D1&sort_dir=desc&sort_key=created_at" % first[-1]["id"]
    http.expect(
        Call("GET", "/v2/images", query=[("limit", "2"), ("sort_dir", "desc"), ("sort_key", "created_at"), ("tag", "a=1"),
                                         ("tag", "b=2")], answer=listing(first, link)),
        Call("GET", "/v2/images", query=[("limit", "2"), ("marker", first[-1]["id"]), ("sort_dir", "desc"),
                                         ("sort_key", "created_at"), ("tag", "a=1"), ("tag", "b=2")], answer=listing(second)))
    result = run({"tag": ["a=1", "b=2"], "page_size": 2})
    assert [item["id"] for item in result["images"]] == [item["id"] for item in first + second]


def test_an_empty_tag_list_filters_nothing(http):
    http.expect(Call("GET", "/v2/images", query=SORT | {("limit", "1000")}, answer=listing([])))
    assert run({"tag": []})["failed"] is False


# -- the same tag rules in ims_image_cleanup -----------------------------------------------------------


def run_cleanup(args):
    return run_module(ims_image_cleanup, dict(CONNECTION, **args))


@pytest.mark.parametrize("args, words", [
    ({"stale_tag": "a=1,b=2", "stale_min_age_days": 30}, "stale_tag 'a=1,b=2' holds a comma, but a tag is matched whole and no tag "
                                                         "holds a comma: stale_tag takes one tag"),
    ({"stale_tag": "build=*", "stale_min_age_days": 30}, "stale_tag 'build=*' holds a wildcard"),
    ({"exclude_tag": "cleanup=keep,keep=1"}, "exclude_tag 'cleanup=keep,keep=1' holds a comma"),
])
def test_cleanup_tags_that_cannot_match_are_refused_before_any_request(http, args, words):
    result = run_cleanup(args)
    assert result["failed"] is True
    assert words in result["msg"], result["msg"]
    assert http.requests == []


def test_a_cleanup_exclude_tag_without_equals_is_warned_of(http):
    for status in ("killed", "queued", "saving"):
        http.expect(Call("GET", "/v2/images", query={("owner", PROJECT_ID), ("status", status),
                                                     ("limit", "1000")}, answer=listing([])))
    result = run_cleanup({"exclude_tag": "keep"})
    assert result["failed"] is False
    assert result["warnings"] == [
        "exclude_tag 'keep' has no '=': it matches only images tagged exactly 'keep', not those tagged keep=VALUE (IMS tags are "
        "key=value); to match any value of a key, select on the images' tags client-side"]
