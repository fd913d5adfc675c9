# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filter encoder: typed options to IMS query parameters."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._filters import (
    LIST_FILTERS,
    FilterError,
    build_list_query,
    keep_unflagged,
    validate_time_filter,
)


def query(extra=None, **options):
    return build_list_query(options, extra)


def test_every_filter_of_the_ims_list_api_has_an_option():
    parameters = {parameter for parameter, _kind in LIST_FILTERS.values()}
    seed_table_1 = {
        "__isregistered", "__imagetype", "protected", "visibility", "owner", "status", "name",
        "container_format", "disk_format", "min_ram", "min_disk", "__os_bit", "__platform", "__os_type", "tag",
        "member_status", "__support_kvm", "__support_xen", "__support_largememory", "__support_diskintensive",
        "__support_highperformance", "__support_xen_gpu_type", "__support_kvm_gpu_type", "__support_xen_hana",
        "__support_kvm_infiniband", "created_at", "updated_at",
    }
    # id, marker, limit, sort_key and sort_dir have dedicated options of the module.
    assert seed_table_1 == parameters


def test_unset_options_send_nothing():
    assert query(name=None, protected=None) == ([], [])


def test_readable_names_map_to_ims_parameters_sorted():
    pairs, flags = query(imagetype="private", os_type="Linux", name="web", min_disk=40)
    assert pairs == [("__imagetype", "private"), ("__os_type", "Linux"), ("min_disk", "40"), ("name", "web")]
    assert flags == []


@pytest.mark.parametrize("value, sent", [(True, "true"), (False, "false")])
def test_booleans_honour_false(value, sent):
    assert query(protected=value, isregistered=value)[0] == [("__isregistered", sent), ("protected", sent)]


def test_support_flags_true_on_server_false_on_client():
    pairs, flags = query(support_kvm=True, support_xen=False)
    assert pairs == [("__support_kvm", "true")]
    assert flags == ["__support_xen"]
    keep = keep_unflagged(flags)
    assert keep({"__support_xen": "true"}) is False
    assert keep({"__support_xen": "True"}) is False
    assert keep({}) is True
    assert keep({"__support_xen": "false"}) is True
    assert keep_unflagged([]) is None


@pytest.mark.parametrize("value", [
    "gt:2018-10-28T10:00:00Z", "gte:2018-10-28 10:00:00", "lt:2024-02-29T23:59:59Z", "lte:2018-10-28T10:00:00Z",
    "eq:2018-10-28T10:00:00Z", "neq:2018-10-28T10:00:00Z",
])
def test_time_filters_accepted(value):
    assert validate_time_filter("created_at", value) == value
    assert query(created_at=value)[0] == [("created_at", value)]


@pytest.mark.parametrize("value, fragment", [
    ("2018-10-28T10:00:00Z", "got '2018-10-28T10:00:00Z'"),
    ("before:2018-10-28T10:00:00Z", "got the operator 'before'"),
    ("gt:2018-13-28T10:00:00Z", "got the time '2018-13-28T10:00:00Z'"),
    ("gt:2018-10-28", "got the time '2018-10-28'"),
    ("gt:2018-10-28T10:00:00+08:00", "got the time"),
    ("", "got ''"),
])
def test_time_filters_refused_with_a_message_naming_the_option(value, fragment):
    with pytest.raises(FilterError) as err:
        query(updated_at=value)
    assert str(err.value).startswith("updated_at must be OP:TIME with OP one of gt, gte, lt, lte, eq, neq")
    assert fragment in str(err.value)


def test_member_status_needs_visibility_shared():
    with pytest.raises(FilterError, match="member_status only works with visibility=shared"):
        query(member_status="accepted")
    assert query(member_status="pending", visibility="shared")[0] == [
        ("member_status", "pending"), ("visibility", "shared")]


def test_free_form_filters_are_added_and_converted():
    pairs, _flags = query({"virtual_env_type": "DataImage", "__lazyloading": True, "min_ram": 0}, name="x")
    assert pairs == [("__lazyloading", "true"), ("min_ram", "0"), ("name", "x"), ("virtual_env_type", "DataImage")]


@pytest.mark.parametrize("extra, options, message", [
    ({"__imagetype": "gold"}, {"imagetype": "private"}, "filters sets __imagetype, which the imagetype option"),
    ({"limit": 5}, {}, "filters must not set limit; use the page_size option"),
    ({"marker": "x"}, {}, "filters must not set marker; use the marker option"),
    ({"imagetype": "gold"}, {}, "filters key imagetype is not an IMS parameter: use the imagetype option"),
    ({"x": [1]}, {}, "filters must map each IMS parameter to a string, number or boolean"),
    ({"x": {"a": 1}}, {}, "filters must map each IMS parameter"),
    ({"created_at": "yesterday"}, {}, "filters.created_at must be OP:TIME"),
])
def test_free_form_filters_refused(extra, options, message):
    with pytest.raises(FilterError) as err:
        build_list_query(options, extra)
    assert message in str(err.value)
