# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pure functions of the batch share (plugins/module_utils/_share.py): the plan, the grouping, the bodies, the views."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils import _share

P1, P2, P3 = "a" * 32, "b" * 32, "c" * 32
DOMAIN = "d" * 32
ORG = "organizations:orgPath::o-1/r-2"


def member(key, kind="project", status="accepted"):
    entry = {"member_id": key if kind != "organization" else "org-id", "member_type": kind, "status": status}
    if kind == "organization":
        entry["urn"] = key
    return entry


def params(**kwargs):
    base = {"images": ["web"], "projects": [], "domains": [], "organizations": [], "purge_members": False,
            "state": "present", "wait_timeout": 600}
    base.update(kwargs)
    return base


def test_wanted_members_keeps_the_order_given_each_once_by_kind():
    assert _share.wanted_members(params(projects=[P2, P1, P2], domains=[DOMAIN], organizations=[ORG])) == [
        ("project", P2), ("project", P1), ("domain", DOMAIN), ("organization", ORG)]


def test_an_organisation_is_known_by_its_urn_and_a_member_without_type_is_a_project():
    assert _share.member_key(member(ORG, "organization")) == ("organization", ORG)
    assert _share.member_key({"member_id": P1}) == ("project", P1)


@pytest.mark.parametrize("state, purge, add, remove", [
    ("present", False, [("project", P2)], []),
    ("present", True, [("project", P2)], [("project", P3), ("domain", DOMAIN)]),
    ("absent", False, [], [("project", P1)]),
])
def test_plan(state, purge, add, remove):
    current = [member(P1), member(P3), member(DOMAIN, "domain")]
    assert _share.plan(current, [("project", P1), ("project", P2)], state, purge) == (add, remove)


def test_purge_with_nothing_listed_removes_every_member():
    current = [member(P1), member(ORG, "organization")]
    assert _share.plan(current, [], "present", True) == ([], [("project", P1), ("organization", ORG)])


def test_images_needing_the_same_members_share_a_batch_whatever_the_order_of_the_keys():
    changes = [("i1", [("project", P1), ("project", P2)]), ("i2", []), ("i3", [("project", P2), ("project", P1)]),
               ("i4", [("project", P1)])]
    assert _share.group(changes) == [(["i1", "i3"], [("project", P1), ("project", P2)]), (["i4"], [("project", P1)])]


def test_the_body_always_has_projects_and_the_other_kinds_only_when_given():
    assert _share.batch_body(["i1"], [("domain", DOMAIN)]) == {"images": ["i1"], "projects": [], "domains": [DOMAIN]}
    assert _share.batch_body(["i1", "i2"], [("project", P1), ("organization", ORG)]) == {
        "images": ["i1", "i2"], "projects": [P1], "organizations": [ORG]}


def test_predicted_removes_then_adds_pending_members():
    current = [member(P1), member(P3)]
    after = _share.predicted(current, [("project", P2), ("organization", ORG)], [("project", P3)])
    assert [_share.member_view(entry) for entry in after] == [
        {"member_id": P1, "member_type": "project", "status": "accepted", "urn": None},
        {"member_id": P2, "member_type": "project", "status": "pending", "urn": None},
        {"member_id": None, "member_type": "organization", "status": "pending", "urn": ORG}]


def test_shows_needs_every_addition_and_no_removal():
    members = [member(P1), member(P2)]
    assert _share.shows(members, [("project", P1)], [("project", P3)])
    assert not _share.shows(members, [("project", P3)], [])
    assert not _share.shows(members, [], [("project", P2)])


def test_members_diff_by_kind():
    assert _share.members_diff([member(P2), member(P1), member(DOMAIN, "domain")]) == {
        "projects": [P1, P2], "domains": [DOMAIN], "organizations": []}


@pytest.mark.parametrize("fields, words", [
    ({"visibility": "public"}, "IMG.0089"),
    ({"__imagetype": "gold"}, "IMG.0089"),
    ({"__system__cmkid": "key"}, "IMG.0098"),
    ({"__whole_image": "true"}, "IMG.0135"),
    ({"__whole_image": True}, "IMG.0135"),
    ({"owner": P3}, "belongs to project"),
])
def test_image_refusal(fields, words):
    image = dict({"id": "i1", "name": "web", "owner": P1, "visibility": "private"}, **fields)
    assert words in _share.image_refusal(image, P1)


def test_a_private_image_of_the_project_is_not_refused():
    assert _share.image_refusal({"id": "i1", "owner": P1, "visibility": "private", "__whole_image": "false"}, P1) is None


@pytest.mark.parametrize("kwargs, words", [
    ({"projects": ["A" * 32]}, "projects must each be a project id"),
    ({"projects": [P1], "domains": ["d"]}, "domains must each be an account"),
    ({"organizations": ["organizations:a b"]}, "organizations must each be an organisation URN"),
    ({"organizations": ["organizations:" + "x" * 1020]}, "organizations must each be an organisation URN"),
    ({}, "give the members to share with"),
    ({"state": "absent"}, "state absent needs the members to remove"),
    ({"projects": [P1], "state": "absent", "purge_members": True}, "purge_members applies only to state present"),
])
def test_share_problems(kwargs, words):
    assert any(words in problem for problem in _share.share_problems(params(**kwargs)))


def test_no_problem_for_a_good_task_and_the_own_project_is_one():
    assert _share.share_problems(params(projects=[P1], organizations=[ORG], domains=[DOMAIN])) == []
    assert _share.share_problems(params(purge_members=True)) == []
    assert any("IMG.0076" in problem for problem in _share.share_problems(params(projects=[P1]), own_project=P1))


def test_pick_own():
    with pytest.raises(ValueError, match="no image named 'web'"):
        _share.pick_own([], "web")
    with pytest.raises(ValueError, match="2 of this project's images"):
        _share.pick_own([{"id": "1"}, {"id": "2"}], "web")
    assert _share.pick_own([{"id": "1"}], "web") == {"id": "1"}
