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


# -- filters that cannot match: refused before any request, or warned of ------------------------------


def refused(extra=None, **options):
    with pytest.raises(FilterError) as err:
        build_list_query(options, extra, [])
    return str(err.value)


def warned(extra=None, **options):
    warnings = []
    pairs, _flags = build_list_query(options, extra, warnings)
    return pairs, warnings


@pytest.mark.parametrize("option, given, right", [
    ("platform", "ubuntu", "Ubuntu"), ("platform", "UBUNTU", "Ubuntu"), ("platform", "centos", "CentOS"),
    ("platform", "oracle linux", "Oracle Linux"), ("platform", "Oracle-Linux", "Oracle Linux"),
    ("platform", "opensuse", "OpenSUSE"), ("platform", "Red Hat", "RedHat"), ("platform", "euleros", "EulerOS"),
    ("os_type", "linux", "Linux"), ("os_type", "WINDOWS", "Windows"), ("os_type", "other", "Other"),
])
def test_a_platform_or_os_type_in_the_wrong_case_is_refused_with_the_right_spelling(option, given, right):
    assert refused(**{option: given}) == "%s is case-sensitive and IMS spells this value %s; got %r" % (option, right, given)


def test_the_same_spelling_rule_in_free_form_filters():
    assert refused({"__platform": "ubuntu"}) == "filters.__platform is case-sensitive and IMS spells this value Ubuntu; got 'ubuntu'"
    assert refused({"__os_type": "linux"}).startswith("filters.__os_type is case-sensitive and IMS spells this value Linux")


@pytest.mark.parametrize("platform", ["Ubuntu", "CentOS", "Oracle Linux", "EulerOS", "Windows", "Other"])
def test_documented_platforms_pass_without_a_warning(platform):
    assert warned(platform=platform) == ([("__platform", platform)], [])


def test_an_unknown_platform_is_sent_with_a_warning():
    pairs, warnings = warned(platform="Rocky Linux")
    assert pairs == [("__platform", "Rocky Linux")]
    assert len(warnings) == 1
    assert warnings[0].startswith("platform 'Rocky Linux' is none of the values IMS documents (CentOS, CoreOS, ")
    assert "it is sent as it is" in warnings[0]


@pytest.mark.parametrize("option, value, parameter", [
    ("name", "Ubuntu*", "name"), ("name", "web-?", "name"), ("owner", "*", "owner"), ("platform", "Ubun*", "__platform"),
    ("container_format", "b?re", "container_format"), ("support_kvm_gpu_type", "V*", "__support_kvm_gpu_type"),
    ("support_xen_gpu_type", "M?0", "__support_xen_gpu_type"),
])
def test_a_wildcard_in_an_exact_match_option_is_refused(option, value, parameter):
    message = refused(**{option: value})
    assert message.startswith("%s %r holds a wildcard, but IMS matches %s exactly, not as a pattern" % (option, value, option))
    assert "filter the images client-side instead, e.g. images | selectattr('%s', 'match', " % parameter in message


def test_the_wildcard_message_shows_a_client_side_pattern():
    assert refused(name="Ubuntu*").endswith("selectattr('name', 'match', 'Ubuntu.*')")
    assert refused(name="web-?").endswith("selectattr('name', 'match', 'web-.$')")


def test_a_wildcard_in_a_free_form_filter_is_refused():
    message = refused({"__os_version": "Ubuntu 22*"})
    assert message.startswith("filters.__os_version 'Ubuntu 22*' holds a wildcard, but IMS matches filters.__os_version exactly")
    assert "selectattr('__os_version', 'match', 'Ubuntu 22.*')" in message


def test_a_tag_list_is_one_tag_pair_each_sorted_and_once():
    pairs, warnings = warned(tag=["team=web", "env=prod", "team=web"], name="x")
    assert pairs == [("name", "x"), ("tag", "env=prod"), ("tag", "team=web")]
    assert warnings == []
    assert query(tag="team=web")[0] == [("tag", "team=web")]
    assert query(tag=[])[0] == []


@pytest.mark.parametrize("tag, words", [
    ("a=1,b=2", "tag 'a=1,b=2' holds a comma, but a tag is matched whole and no tag holds a comma: to ask for several tags "
                "at once, give tag a list (images with all of them), e.g. [a=1, b=2]"),
    (["team=web", "a=1, b=2"], "tag 'a=1, b=2' holds a comma"),
    ("team=*", "tag 'team=*' holds a wildcard"),
    ([""], "tag must not be empty"),
    ({"team": "web"}, "tag must be a tag (key=value) or a list of tags; got {'team': 'web'}"),
    ([["a=1"]], "tag must be a tag (key=value) or a list of tags"),
])
def test_tag_filters_that_cannot_match_are_refused(tag, words):
    assert words in refused(tag=tag)


def test_a_tag_without_equals_is_sent_with_a_warning():
    pairs, warnings = warned(tag=["team", "env=prod"])
    assert pairs == [("tag", "env=prod"), ("tag", "team")]
    assert len(warnings) == 1 and warnings[0].startswith("tag 'team' has no '='")


def test_free_form_tag_follows_the_tag_rules():
    assert "filters.tag 'a=1,b=2' holds a comma" in refused({"tag": "a=1,b=2"})


@pytest.mark.parametrize("imagetype, visibility", [
    ("private", "public"), ("private", "shared"), ("gold", "private"), ("gold", "shared"), ("market", "private"),
    ("market", "shared"), ("shared", "public"), ("shared", "private"),
])
def test_contradictory_imagetype_and_visibility_are_refused_naming_both(imagetype, visibility):
    message = refused(imagetype=imagetype, visibility=visibility)
    assert message.startswith("imagetype %s and visibility %s cannot match together" % (imagetype, visibility))
    assert "leave one of them out" in message


@pytest.mark.parametrize("imagetype, visibility", [
    ("private", "private"), ("gold", "public"), ("market", "public"), ("shared", "shared"), ("gold", None), (None, "public"),
])
def test_matching_imagetype_and_visibility_pass(imagetype, visibility):
    assert warned(imagetype=imagetype, visibility=visibility)[1] == []


def test_the_pair_rule_sees_free_form_filters_too():
    assert refused({"visibility": "private"}, imagetype="gold").startswith(
        "imagetype gold and filters.visibility private cannot match together: gold images have visibility public")
    assert refused({"__imagetype": "shared", "visibility": "public"}).startswith(
        "filters.__imagetype shared and filters.visibility public cannot match together")
