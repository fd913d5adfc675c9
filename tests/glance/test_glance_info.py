# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_info against a real Glance: the standard filters, paging and sort.

Each test seeds its own project through Glance's API, runs the module ad hoc as a user
does, and checks the result against what Glance holds and the requests Glance served
(its access log).
"""

from __future__ import annotations

import datetime
import json
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


def names(result):
    return sorted(image["name"] for image in result["images"])


def test_standard_filters_are_glance_filters(glance, api, ansible, hw_env, project):
    """Each standard filter goes to Glance as its own query parameter and selects what Glance selects."""
    api.create("web-1", data=b"web", disk_format="raw", tags=["team=web", "env=prod"], min_disk=20, min_ram=2048)
    api.create("web-2", data=b"web2", disk_format="qcow2", tags=["team=web"], protected=True)
    api.create("db-1", disk_format="qcow2", container_format="ovf", visibility="private", tags=["team=db"])
    cases = [
        ({"name": "web-1"}, ["web-1"]),
        ({"status": "queued"}, ["db-1"]),
        ({"status": "active"}, ["web-1", "web-2"]),
        ({"disk_format": "raw"}, ["web-1"]),
        ({"container_format": "ovf"}, ["db-1"]),
        ({"protected": True}, ["web-2"]),
        ({"protected": False}, ["db-1", "web-1"]),
        ({"visibility": "private"}, ["db-1"]),
        ({"tag": "team=web"}, ["web-1", "web-2"]),
        ({"tag": ["team=web", "env=prod"]}, ["web-1"]),
    ]
    for args, expected in cases:
        mark = len(glance.requests())
        ran = ansible.adhoc(MODULE, json.dumps(dict(args, owner=project)), hw_env)
        assert ran.rc == 0, ran
        assert names(ran.result()) == expected, (args, ran.result()["images"])
        queries = list_queries(glance, mark)
        assert len(queries) == 1, (args, queries)
        assert not any(key.startswith("__") for key in queries[0]), (args, queries)


def test_sort_keys_and_directions(glance, api, ansible, hw_env, project):
    """sort_key/sort_dir reach Glance and order its answer, across pages."""
    for name, size in (("b", 300), ("c", 100), ("a", 200)):
        api.create(name, data=b"z" * size)
    order = {
        "sort_key=name sort_dir=asc": ["a", "b", "c"],
        "sort_key=name sort_dir=desc": ["c", "b", "a"],
        "sort_key=size sort_dir=asc": ["c", "a", "b"],
        "sort_key=created_at sort_dir=asc": ["b", "c", "a"],
        "": ["a", "c", "b"],  # IMS's and Glance's default: created_at, newest first
    }
    for args, expected in order.items():
        ran = ansible.adhoc(MODULE, "owner=%s page_size=2 %s" % (project, args), hw_env)
        assert ran.rc == 0, ran
        assert [image["name"] for image in ran.result()["images"]] == expected, args


def test_created_at_filter_and_max_results(glance, api, ansible, hw_env, project):
    """created_at as OP:TIME is Glance's own filter; max_results stops paging early."""
    images = [api.create("t-%d" % i) for i in range(4)]
    # Glance keeps microseconds and shows seconds: one second after the newest shown is after them all.
    newest = max(datetime.datetime.strptime(image["created_at"], "%Y-%m-%dT%H:%M:%SZ") for image in images)
    after = (newest + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ran = ansible.adhoc(MODULE, "owner=%s created_at=gt:2000-01-01T00:00:00Z" % project, hw_env)
    assert ran.rc == 0, ran
    assert len(ran.result()["images"]) == 4
    ran = ansible.adhoc(MODULE, "owner=%s created_at=gt:%s" % (project, after), hw_env)
    assert ran.rc == 0, ran
    assert ran.result()["images"] == []
    mark = len(glance.requests())
    ran = ansible.adhoc(MODULE, "owner=%s page_size=1 max_results=2" % project, hw_env)
    assert ran.rc == 0, ran
    assert len(ran.result()["images"]) == 2
    assert len(list_queries(glance, mark)) == 2


def test_ims_only_filters_match_nothing_on_glance(glance, api, ansible, hw_env, project):
    """A difference asserted: IMS's own filters reach Glance as they are, where they are property filters.

    On IMS ``imagetype=private`` selects the project's private images (tests/emulator/test_listing.py);
    Glance has no ``__imagetype`` and answers with no image, without an error. ``owner`` works on both.
    """
    api.create("own-1", data=b"1", visibility="private")
    for args in ({"imagetype": "private"}, {"platform": "Ubuntu"}, {"os_type": "Linux"}):
        mark = len(glance.requests())
        ran = ansible.adhoc(MODULE, json.dumps(args), hw_env)
        assert ran.rc == 0, ran
        assert ran.result()["images"] == [], (args, ran.result())
        queries = list_queries(glance, mark)
        assert len(queries) == 1 and any(key.startswith("__") for key in queries[0]), queries
    ran = ansible.adhoc(MODULE, json.dumps({"owner": project}), hw_env)
    assert names(ran.result()) == ["own-1"]
