# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""_export's pure functions: bucket_url's rules, the problems of the options, the request, what IMS does not export."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._export import (
    QUICK_ONLY_ABOVE,
    bucket_url_problem,
    export_problems,
    export_request,
    image_bytes,
    object_view,
    source_refusal,
)

ACTIVE = {"id": "i", "name": "web", "status": "active", "size": 2048}


@pytest.mark.parametrize("url", ["abc:x", "my.bucket-1:dir/file.qcow2", "a1b:x:y", "b" * 63 + ":o"])
def test_good_bucket_urls(url):
    assert bucket_url_problem(url) is None


@pytest.mark.parametrize("url, words", [
    (None, "bucket:object"), ("abc", "bucket:object"), ("ab:x", "OBS bucket name"), ("b" * 64 + ":x", "OBS bucket name"),
    ("Abc:x", "OBS bucket name"), ("-abc:x", "OBS bucket name"), ("abc-:x", "OBS bucket name"),
    ("a..b:x", "OBS bucket name"), ("a.-b:x", "OBS bucket name"), ("10.0.0.1:x", "OBS bucket name"),
    ("abc:", "non-empty"), ("abc: x", "without spaces"), ("abc:a\tb", "without spaces"), ("abc:/x", "start with /"),
])
def test_bad_bucket_urls(url, words):
    assert words in bucket_url_problem(url)


def test_the_problems_name_the_options_all_at_once():
    problems = export_problems({"image": " ", "bucket_url": "x", "quick": True, "file_format": "vhd",
                                "wait_timeout": 0})
    assert len(problems) == 4
    assert export_problems({"image": "web", "bucket_url": "abc:x", "quick": False, "file_format": None,
                            "wait_timeout": 10}) == ["file_format is required (one of qcow2, vhd, zvhd, vmdk) unless "
                                                     "quick is true"]


def test_the_request_and_the_object():
    params = {"bucket_url": "abc:d/e.vhd", "file_format": "vhd", "quick": False}
    assert export_request(params, "i/d") == ("/v1/cloudimages/i%2Fd/file", {"bucket_url": "abc:d/e.vhd",
                                                                            "file_format": "vhd"})
    quick = {"bucket_url": "abc:e", "file_format": None, "quick": True}
    assert export_request(quick, "i")[1] == {"bucket_url": "abc:e", "is_quick_export": True}
    assert object_view(quick) == {"bucket": "abc", "object": "e", "format": "zvhd2"}


def test_the_size_is_the_largest_field_that_tells():
    assert image_bytes({"size": None, "__image_size": "10"}) == 10
    assert image_bytes({"size": 5, "__image_size": "x"}) == 5 and image_bytes({}) is None


def test_an_exportable_image_and_the_128_gb_rule():
    assert source_refusal(ACTIVE, {"quick": False}) is None
    big = dict(ACTIVE, size=QUICK_ONLY_ABOVE + 1)
    assert "set quick: true" in source_refusal(big, {"quick": False})
    assert source_refusal(big, {"quick": True}) is None
    assert source_refusal(dict(ACTIVE, size=QUICK_ONLY_ABOVE), {"quick": False}) is None
