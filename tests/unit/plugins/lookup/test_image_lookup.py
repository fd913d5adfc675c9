# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The hwcloud.ims.image lookup in process, against scripted HTTP: each selection rule, its requests, its errors."""

from __future__ import annotations

import os

from unittest import mock

import pytest

try:  # ansible-core 2.19+: importing the controller's code marks the whole process as the controller
    from ansible.module_utils import _internal as module_utils_internal
except ImportError:  # ansible-core 2.18
    module_utils_internal = None
WAS_CONTROLLER = getattr(module_utils_internal, "is_controller", None)

from ansible.errors import AnsibleLookupError  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.hwcloud.ims.plugins.lookup.image import LookupModule  # pylint: disable=wrong-import-position
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, image_not_found, ims_error, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, PROJECT_ID, SECRET_KEY, Call

if module_utils_internal is not None:
    # ... which sends the warnings of the modules run in process after this file to the controller's display
    # instead of their results: the modules' tests expect a module's process, this file sets the controller per test.
    module_utils_internal.is_controller = WAS_CONTROLLER


@pytest.fixture(autouse=True)
def on_the_controller(monkeypatch):
    if module_utils_internal is not None:
        monkeypatch.setattr(module_utils_internal, "is_controller", True)


NEWEST = {("sort_key", "created_at"), ("sort_dir", "desc")}


def lookup(*terms, env=None, **kwargs):
    """The lookup's run with ``kwargs`` (the connection of every test unless given), no HW_* but ``env``."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("HW_")}
    environment.update(env or {})
    options = dict(CONNECTION) if env is None else {}
    options.update(kwargs)
    with mock.patch.dict(os.environ, environment, clear=True):
        return LookupModule().run(list(terms), variables={}, **options)


def failure(*terms, **kwargs):
    with pytest.raises(AnsibleLookupError) as caught:
        lookup(*terms, **kwargs)
    return str(caught.value)


def page(pairs, answer):
    return Call("GET", "/v2/images", query=NEWEST | set(pairs), answer=answer)


def images(count, start=0, prefix="img", **fields):
    return [image("00000000-0000-4000-8000-%012d" % index, name="%s-%04d" % (prefix, index), **fields)
            for index in range(start, start + count)]


def next_link(marker, limit, *pairs):
    query = "&".join("%s=%s" % pair for pair in [("marker", marker), ("limit", str(limit))] + list(pairs)
                     + [("sort_dir", "desc"), ("sort_key", "created_at")])
    return "/v2/images?" + query


UBUNTU = {("__platform", "Ubuntu"), ("visibility", "public"), ("__imagetype", "gold")}
UBUNTU_OPTIONS = {"platform": "Ubuntu", "visibility": "public", "imagetype": "gold"}


# -- server-side filters: one request ------------------------------------------------------------


def test_most_recent_with_server_side_filters_is_one_request_of_limit_1(http):
    newest = image("11111111-0000-4000-8000-000000000001", name="Ubuntu 24.04")
    http.expect(page(UBUNTU | {("limit", "1")}, listing([newest], next_link(newest["id"], 1))))
    assert lookup(most_recent=True, **UBUNTU_OPTIONS) == [newest["id"]]
    assert len(http.made()) == 1


def test_without_most_recent_one_request_of_limit_2_tells_one_match(http):
    http.expect(page({("name", "web"), ("limit", "2")}, listing([image()])))
    assert lookup(name="web") == [IMAGE_ID]


def test_without_most_recent_two_matches_are_an_error_naming_them(http):
    two = images(2, prefix="web")
    http.expect(page({("__platform", "Ubuntu"), ("limit", "2")}, listing(two, next_link(two[-1]["id"], 2))))
    message = failure(platform="Ubuntu")
    assert "several images match the selection __platform=Ubuntu" in message
    assert "web-0000" in message and two[1]["id"] in message and "most_recent: true" in message


def test_nothing_matching_is_an_error_naming_the_selection(http):
    http.expect(page(UBUNTU | {("limit", "1")}, listing([])))
    message = failure(most_recent=True, **UBUNTU_OPTIONS)
    assert "no image matches the selection: __imagetype=gold, __platform=Ubuntu, visibility=public" in message


def test_each_term_is_an_exact_name_and_gives_its_own_id(http):
    web, db = image("aaaaaaaa-0000-4000-8000-000000000001", name="web"), image(IMAGE_ID, name="db")
    http.expect(page({("name", "web"), ("owner", PROJECT_ID), ("limit", "2")}, listing([web])),
                page({("name", "db"), ("owner", PROJECT_ID), ("limit", "2")}, listing([db])))
    assert lookup("web", "db", owner="self") == [web["id"], db["id"]]


def test_owner_self_learns_the_project_from_iam_when_not_given(http):
    http.expect(Call("GET", "https://iam.cn-north-4.myhuaweicloud.com/v3/projects", query={("name", "cn-north-4")},
                     answer={"projects": [{"id": PROJECT_ID, "name": "cn-north-4"}]}),
                page({("owner", PROJECT_ID), ("limit", "1")}, listing([image()])))
    options = dict(CONNECTION, region="cn-north-4", project_id="")
    assert lookup(owner="self", most_recent=True, **{k: v for k, v in options.items() if k != "owner"}) == [IMAGE_ID]


def test_output_record_gives_the_whole_image(http):
    http.expect(page({("tag", "team=web"), ("limit", "1")}, listing([image(tags=["team=web"])])))
    record, = lookup(tag="team=web", most_recent=True, output="record")
    assert record["id"] == IMAGE_ID and record["tags"] == ["team=web"] and "__imagetype" in record


def test_an_id_alone_is_read_directly(http):
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, answer=image()))
    assert lookup(id=IMAGE_ID) == [IMAGE_ID]


def test_an_id_that_does_not_exist_is_no_match(http):
    http.expect(Call("GET", "/v2/images/%s" % IMAGE_ID, status=404, answer=image_not_found(IMAGE_ID)))
    assert "no image matches the selection: id=%s" % IMAGE_ID in failure(id=IMAGE_ID)


# -- client-side filters: paging that stops early ------------------------------------------------


def test_name_regex_with_most_recent_stops_at_the_first_match(http):
    first, second = images(3, prefix="other"), images(3, start=3, prefix="web")
    http.expect(page({("limit", "3")}, listing(first, next_link(first[-1]["id"], 3))),
                page({("marker", first[-1]["id"]), ("limit", "3")}, listing(second, next_link(second[-1]["id"], 3))))
    assert lookup(name_regex="^web-", most_recent=True, page_size=3) == [second[0]["id"]]
    assert len(http.made()) == 2  # the third page is never read


def test_name_regex_matches_anywhere_unless_anchored(http):
    names = [image("00000000-0000-4000-8000-00000000000%d" % i, name=name)
             for i, name in enumerate(["prod-web-2", "web-1"])]
    http.expect(page({("limit", "1000")}, listing(names)),
                page({("limit", "1000")}, listing(names)))
    assert lookup(name_regex="web", most_recent=True) == [names[0]["id"]]
    assert lookup(name_regex="^web", most_recent=True) == [names[1]["id"]]


def test_name_regex_without_most_recent_stops_at_the_second_match(http):
    mixed = images(2, prefix="web") + images(2, start=2, prefix="db")
    http.expect(page({("limit", "4")}, listing(mixed, next_link(mixed[-1]["id"], 4))))
    message = failure(name_regex="^web", page_size=4)
    assert "several images match" in message and "name_regex '^web'" in message
    assert len(http.made()) == 1


def test_name_regex_without_most_recent_reads_to_the_end_for_one_match(http):
    first, second = images(2, prefix="db"), images(1, start=2, prefix="web")
    http.expect(page({("limit", "2")}, listing(first, next_link(first[-1]["id"], 2))),
                page({("marker", first[-1]["id"]), ("limit", "2")}, listing(second)))
    assert lookup(name_regex="^web", page_size=2) == [second[0]["id"]]


def test_a_support_flag_false_is_applied_on_the_controller(http):
    kvm = images(1, prefix="kvm", __support_kvm="true") + images(1, start=1, prefix="plain")
    http.expect(page({("limit", "1000")}, listing(kvm)))
    assert lookup(support_kvm=False, most_recent=True) == [kvm[1]["id"]]


def test_no_regex_match_names_the_pattern(http):
    http.expect(page({("limit", "1000")}, listing(images(2))))
    assert "no image matches the selection: name_regex '^nope'" in failure(name_regex="^nope", most_recent=True)


# -- the connection, as the modules resolve it ---------------------------------------------------


def test_the_connection_comes_from_the_hw_variables_and_empty_ones_are_unset(http):
    http.expect(page({("limit", "1")}, listing([image()])))
    env = {"HW_IMS_ENDPOINT": CONNECTION["ims_endpoint"], "HW_PROJECT_ID": PROJECT_ID, "HW_REGION_NAME": "",
           "HW_ACCESS_KEY": CONNECTION["access_key"], "HW_SECRET_KEY": SECRET_KEY, "HW_AUTH_TOKEN": ""}
    assert lookup(env=env, most_recent=True) == [IMAGE_ID]


# -- bad input: refused before any request, naming the option ------------------------------------


@pytest.mark.parametrize("kwargs, words", [
    ({"colour": "blue"}, ["colour", "Supported parameters include", "name_regex"]),
    ({"min_ram": "lots"}, ["min_ram", "int"]),
    ({"status": "up"}, ["status", "queued, saving, active, killed, deleted", "got: up"]),
    ({"output": "ids"}, ["output", "id, record"]),
    ({"most_recent": "maybe"}, ["most_recent", "bool"]),
    ({"name_regex": "web-("}, ["name_regex must be a Python regular expression", "'web-('"]),
    ({"name_regex": "^web", "name": "web"}, ["name and name_regex cannot be used together"]),
    ({"name": "web-*"}, ["name 'web-*' holds a wildcard"]),
    ({"imagetype": "gold", "visibility": "private"}, ["cannot match together"]),
    ({"page_size": 0}, ["page_size must be from 1 to 10000"]),
    ({"name": ["a"]}, ["name must be a string; got a list"]),
    ({"region": "Mars"}, ["region must be a Huawei Cloud region name"]),
])
def test_bad_input_is_refused_before_any_request(http, kwargs, words):
    message = failure(**kwargs)
    assert message.startswith("hwcloud.ims.image: ")
    for word in words:
        assert word in message, (word, message)
    assert not http.made()


def test_terms_with_name_or_a_bad_term_are_refused(http):
    assert "terms are image names" in failure("web", name="db")
    assert "each term must be an image name" in failure("")
    assert "holds a wildcard" in failure("web-?")
    assert not http.made()


def test_missing_credentials_name_the_variables(http):
    message = failure(env={}, ims_endpoint=CONNECTION["ims_endpoint"])
    assert "no credentials" in message and "HW_ACCESS_KEY" in message
    assert not http.made()


# -- never a secret ------------------------------------------------------------------------------


def test_no_secret_in_a_validation_message(http):
    message = failure(timeout=SECRET_KEY)
    assert "timeout" in message and SECRET_KEY not in message
    assert not http.made()


def test_no_secret_in_an_error_the_server_echoes(http):
    http.expect(Call("GET", "/v2/images", query=NEWEST | {("limit", "1")}, status=403,
                     answer=ims_error("IMG.0001", "denied for key %s" % SECRET_KEY)))
    message = failure(most_recent=True)
    assert "denied for key" in message and SECRET_KEY not in message
