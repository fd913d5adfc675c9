# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image in process, against scripted HTTP: the forms of tags, and bad tags refused before any request."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.modules import ims_image
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import image
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_calls import lookup, patch
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, run_module


def run(args, **kwargs):
    return run_module(ims_image, dict(CONNECTION, **args), **kwargs)


@pytest.mark.parametrize("tags", [
    pytest.param("team=web, env=prod", id="comma-string-with-a-space"),
    pytest.param(" team=web ,env=prod ", id="comma-string-spaces-around"),
    pytest.param({"team": "web", "env": "prod"}, id="dictionary"),
    pytest.param(["team=web", "env=prod"], id="list"),
])
def test_tags_in_every_form_are_stored_as_key_value_without_spaces(http, tags):
    live = image(tags=["old=1"])
    wanted = ["team=web", "env=prod"]
    http.expect(lookup("web", live), patch([{"op": "replace", "path": "/tags", "value": wanted}], dict(live, tags=wanted)))
    result = run({"name": "web", "tags": tags}, diff=True)
    assert result["failed"] is False and result["changed"] is True
    assert result["image"]["tags"] == wanted
    assert result["diff"]["after"]["tags"] == ["env=prod", "team=web"]


def test_the_same_tags_as_a_dictionary_are_no_change(http):
    http.expect(lookup("web", image(tags=["env=prod", "team=web"])))
    result = run({"name": "web", "tags": {"team": "web", "env": "prod"}})
    assert result["failed"] is False and result["changed"] is False


def test_a_dictionary_without_purge_adds_its_tags(http):
    live = image(tags=["old=1"])
    wanted = ["old=1", "build=42", "keep=true"]
    http.expect(lookup("web", live), patch([{"op": "replace", "path": "/tags", "value": wanted}], dict(live, tags=wanted)))
    result = run({"name": "web", "tags": {"build": 42, "keep": True}, "purge_tags": False})
    assert result["changed"] is True and result["image"]["tags"] == wanted


@pytest.mark.parametrize("tags, bad", [
    pytest.param([" env=prod"], "the list has ' env=prod' (surrounding whitespace)", id="list-item-leading-space"),
    pytest.param(["team=web", ""], "the list has '' (an empty tag)", id="empty-tag"),
    pytest.param(["=web"], "the list has '=web' (an empty key)", id="empty-key"),
    pytest.param("team=web,,env=prod", "the comma-separated string 'team=web,,env=prod' has '' (an empty tag)",
                 id="empty-part"),
    pytest.param("=web, env=prod", "has '=web' (an empty key)", id="comma-string-empty-key"),
    pytest.param({"team": None}, "tags as a dictionary must map each key to a string or a number; 'team' maps to None",
                 id="dictionary-without-value"),
    pytest.param(["a=1,b=2"], "'a=1,b=2' (a comma; give each tag as its own list item)", id="comma-in-a-list-item"),
    pytest.param([["team=web"]], "tags must be a list of strings", id="nested-list"),
])
def test_bad_tags_are_refused_before_any_request(http, tags, bad):
    result = run({"name": "web", "tags": tags})
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("tags ")
    assert bad in result["msg"]
    assert http.requests == []
