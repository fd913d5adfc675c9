# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tags and listing filters through ansible and ansible-playbook against the emulator (issue 12).

Tags given as a comma string are stored stripped and found by a later tag filter; a
dictionary of tags works; a tag list filters on all of them; bad tags and filters that
cannot match are refused before any request; a likely mistake is warned of.
"""

from __future__ import annotations

import json

import pytest

INFO = "hwcloud.ims.ims_image_info"
IMAGE = "hwcloud.ims.ims_image"


def test_tags_in_every_form_are_stored_stripped_and_found_by_tag_filters(emu, ansible):
    ran = ansible.run_playbook("tags_and_filters.yml", emu.env())
    assert ran.rc == 0, ran
    assert "failed=0" in ran.stdout
    stored = {image["name"]: sorted(image["tags"]) for image in emu.images() if image["name"].endswith("-tags")}
    assert stored == {"web-tags": ["env=prod", "team=web"], "db-tags": ["env=dev", "team=web"]}
    # The list went to the server as two tag= parameters, signed as the official SDK signs them.
    queries = [entry["query"] for entry in emu.stats()["log"] if entry["path"] == "/v2/images"]
    assert any("tag=env%3Dprod&tag=team%3Dweb" in query for query in queries), queries


REFUSED = [
    (IMAGE, {"name": "x", "disk_format": "qcow2", "tags": [" env=prod"]}, "tags must each be",
     "the list has ' env=prod' (surrounding whitespace)"),
    (IMAGE, {"name": "x", "disk_format": "qcow2", "tags": "team=web,,env=prod"}, "tags must each be", "has '' (an empty tag)"),
    (IMAGE, {"name": "x", "disk_format": "qcow2", "tags": {"": "web"}}, "tags must each be", "'=web' (an empty key)"),
    (INFO, "platform=ubuntu", "platform is case-sensitive", "IMS spells this value Ubuntu"),
    (INFO, "name=Ubuntu*", "name 'Ubuntu*' holds a wildcard", "selectattr('name', 'match', 'Ubuntu.*')"),
    (INFO, "tag=a=1,b=2", "tag 'a=1,b=2' holds a comma", "give tag a list"),
    (INFO, "imagetype=private visibility=public", "imagetype private and visibility public cannot match together",
     "leave one of them out"),
]


@pytest.mark.parametrize("module, args, start, words", REFUSED, ids=[
    "tags-leading-space", "tags-empty-part", "tags-empty-key", "platform-case", "name-wildcard", "tag-comma",
    "imagetype-visibility"])
def test_bad_tags_and_filters_that_cannot_match_are_refused_before_any_request(emu, ansible, module, args, start, words):
    ran = ansible.adhoc(module, args if isinstance(args, str) else json.dumps(args), emu.env())
    assert ran.rc != 0, ran
    result = ran.result()
    assert start in result["msg"] and words in result["msg"], result["msg"]
    assert "Traceback" not in ran.output
    assert emu.stats()["total"] == 0  # refused before any request


def test_a_tag_without_equals_is_sent_and_ansible_prints_the_warning(emu, ansible):
    emu.seed(images=[{"name": "bare", "tags": ["team"]}, {"name": "pair", "tags": ["team=web"]}])
    ran = ansible.adhoc(INFO, "tag=team", emu.env())
    assert ran.rc == 0, ran
    assert [image["name"] for image in ran.result()["images"]] == ["bare"]
    assert "[WARNING]: tag 'team' has no '='" in ran.output, ran
