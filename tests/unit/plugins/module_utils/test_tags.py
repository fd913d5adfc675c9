# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tags: the forms ims_image's tags take, and the rules of a tag and of a tag filter."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._tags import (
    TagError,
    normalize_tags,
    tag_filter_problem,
    tag_filter_warning,
)


@pytest.mark.parametrize("value, tags", [
    (None, None),
    (["team=web", "env=prod"], ["team=web", "env=prod"]),
    ([], []),
    ({}, []),
    # A comma-separated string: each part stripped (ansible-core's list type kept " env=prod").
    ("team=web, env=prod", ["team=web", "env=prod"]),
    ("  team=web ,env=prod  ", ["team=web", "env=prod"]),
    ("team=web", ["team=web"]),
    # A dictionary, as amazon.aws takes tags: key=value, numbers and booleans as written by IMS.
    ({"team": "web", "env": "prod"}, ["team=web", "env=prod"]),
    ({"build": 42, "keep": True, "old": False}, ["build=42", "keep=true", "old=false"]),
    # Duplicates once, in order; a bare key (the IMS tag call takes one) and an empty value are tags.
    (["a=1", "b=2", "a=1"], ["a=1", "b=2"]),
    (["legacy", "team="], ["legacy", "team="]),
    (["x" * 255], ["x" * 255]),
])
def test_the_forms_tags_take(value, tags):
    assert normalize_tags(value) == tags


@pytest.mark.parametrize("value, where, bad", [
    ([" env=prod"], "the list", "' env=prod' (surrounding whitespace)"),
    (["env=prod "], "the list", "'env=prod ' (surrounding whitespace)"),
    (["ok=1", ""], "the list", "'' (an empty tag)"),
    (["=web"], "the list", "'=web' (an empty key)"),
    (["team = web"], "the list", "'team = web' (whitespace around '=')"),
    (["a/b"], "the list", "'a/b' (a '/')"),
    (["x" * 256], "the list", "(more than 255 characters)"),
    (["a=1,b=2"], "the list", "'a=1,b=2' (a comma; give each tag as its own list item)"),
    ("team=web,", "the comma-separated string 'team=web,'", "'' (an empty tag)"),
    ("a=1,,b=2", "the comma-separated string 'a=1,,b=2'", "'' (an empty tag)"),
    ("", "the comma-separated string ''", "'' (an empty tag)"),
    ("=web, env=prod", "the comma-separated string '=web, env=prod'", "'=web' (an empty key)"),
    ({"": "web"}, "the dictionary", "'=web' (an empty key)"),
    ({"team": " web"}, "the dictionary", "'team= web' (whitespace around '=')"),
])
def test_bad_tags_are_refused_naming_tags_and_the_value(value, where, bad):
    with pytest.raises(TagError) as err:
        normalize_tags(value)
    message = str(err.value)
    assert message.startswith("tags must each be 1 to 255 characters without '/', ',' or surrounding whitespace")
    assert "%s has " % where in message
    assert bad in message


def test_every_bad_tag_is_named_at_once():
    with pytest.raises(TagError) as err:
        normalize_tags([" a=1", "ok=1", "=b"])
    assert "the list has ' a=1' (surrounding whitespace), '=b' (an empty key)" in str(err.value)


@pytest.mark.parametrize("value, words", [
    ([["team=web"]], "tags must be a list of strings, a comma-separated string or a dictionary of key: value; got ['team=web']"),
    ([None], "tags must be a list of strings"),
    ([True], "tags must be a list of strings"),
    ({"team": None}, "tags as a dictionary must map each key to a string or a number; 'team' maps to None"),
    ({"team": ["web"]}, "tags as a dictionary must map each key to a string or a number; 'team' maps to ['web']"),
])
def test_wrong_types_are_refused(value, words):
    with pytest.raises(TagError) as err:
        normalize_tags(value)
    assert words in str(err.value)


@pytest.mark.parametrize("tag", ["team=web", "a=b=c", "team=", "k.v=1"])
def test_good_tag_filters(tag):
    assert tag_filter_problem("tag", tag) is None
    assert tag_filter_warning("tag", tag) is None


def test_a_tag_filter_without_equals_is_warned_of_not_refused():
    assert tag_filter_problem("tag", "team") is None
    warning = tag_filter_warning("tag", "team")
    assert warning.startswith("tag 'team' has no '=': it matches only images tagged exactly 'team', not those tagged team=VALUE")


@pytest.mark.parametrize("option, tag, takes_a_list, words", [
    ("tag", "a=1,b=2", True, "tag 'a=1,b=2' holds a comma, but a tag is matched whole and no tag holds a comma: "
                             "to ask for several tags at once, give tag a list (images with all of them), e.g. [a=1, b=2]"),
    ("stale_tag", "a=1, b=2", False, "stale_tag 'a=1, b=2' holds a comma, but a tag is matched whole and no tag holds a "
                                     "comma: stale_tag takes one tag"),
    ("tag", "team=*", True, "tag 'team=*' holds a wildcard, but a tag is matched exactly, not as a pattern"),
    ("exclude_tag", "keep?", False, "exclude_tag 'keep?' holds a wildcard"),
    ("tag", "", True, "tag must not be empty"),
])
def test_tag_filters_that_cannot_match_are_refused(option, tag, takes_a_list, words):
    assert words in tag_filter_problem(option, tag, takes_a_list)
