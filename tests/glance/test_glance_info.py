# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_info against a real Glance: the standard filters, paging and sort.

Each test seeds its own project through Glance's API, runs the module ad hoc as a user
does, and checks the result against what Glance holds and the requests Glance served
(its access log).
"""

from __future__ import annotations

import urllib.parse

MODULE = "hwcloud.ims.ims_image_info"


def seed(api, count, prefix="img", **fields):
    """``count`` images named prefix-0 ... in creation order, each active with a few bytes."""
    return [api.create("%s-%d" % (prefix, i), data=b"x" * (i + 1), **fields) for i in range(count)]


def list_queries(glance, mark):
    """The query strings of the listings Glance served since ``mark``, decoded to dicts."""
    return [dict(urllib.parse.parse_qsl(query)) for method, path, query, _status in glance.requests(mark)
            if method == "GET" and path == "/v2/images"]


def test_paging_through_an_exactly_full_last_page(glance, api, ansible, hw_env, project):
    images = seed(api, 6)
    mark = len(glance.requests())
    ran = ansible.adhoc(MODULE, "owner=%s page_size=3 sort_key=name sort_dir=asc" % project, hw_env)
    assert ran.rc == 0, ran
    result = ran.result()
    assert [image["name"] for image in result["images"]] == ["img-%d" % i for i in range(6)]
    assert {image["id"] for image in result["images"]} == {image["id"] for image in images}
    queries = list_queries(glance, mark)
    # Two full pages, then the page that the `next` of a full page leads to: empty, no `next`.
    assert len(queries) == 3, queries
    assert all(query["limit"] == "3" and query["owner"] == project for query in queries)
    assert "marker" not in queries[0]
    assert queries[1]["marker"] == result["images"][2]["id"]
    assert queries[2]["marker"] == result["images"][5]["id"]
