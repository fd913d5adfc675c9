# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cleanup selection policy: who is deleted, who is spared, and why."""

from __future__ import annotations

import datetime
import re

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._cleanup import (
    DEFAULT_FAMILY_PATTERN,
    Policy,
    family_of,
    parse_time,
    plan,
    recheck,
)

NOW = datetime.datetime(2026, 6, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
PROJECT = "p" * 32


def image(name, status="active", hours=0, days=0, **fields):
    created = NOW - datetime.timedelta(hours=hours, days=days)
    base = {"id": "id-" + name, "name": name, "status": status, "owner": PROJECT, "__imagetype": "private",
            "protected": False, "tags": [], "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ")}
    base.update(fields)
    return base


def reasons(entries):
    return {entry["name"]: entry["reason"] for entry in entries}


@pytest.mark.parametrize("name, family", [
    ("web-2024-06-01", "web"), ("web-0001", "web"), ("build_42", "build"), ("db.7", "db"),
    ("centos-7-base", "centos-7-base"), ("plain", "plain"), ("app-v2", "app-v"), ("x-1.2.3", "x"),
])
def test_default_families(name, family):
    assert family_of(name, re.compile(DEFAULT_FAMILY_PATTERN)) == family


def test_custom_family_pattern_with_a_plain_group():
    assert family_of("team-a--build-9", re.compile(r"^(team-\w+)--")) == "team-a"
    assert family_of("nomatch", re.compile(r"^(team-\w+)--")) == "nomatch"


def test_killed_and_stuck_images_by_age():
    images = [image("k-old", "killed", hours=7), image("k-young", "killed", hours=5),
              image("q-old", "queued", hours=25), image("q-young", "queued", hours=23),
              image("s-old", "saving", hours=30), image("a", "active", days=900)]
    candidates, spared = plan(images, NOW, Policy(PROJECT))
    assert reasons(candidates) == {"k-old": "killed for more than 6 h", "q-old": "queued for more than 24 h",
                                   "s-old": "saving for more than 24 h"}
    assert reasons(spared) == {"k-young": "younger than 6 h", "q-young": "younger than 24 h"}


def test_never_touched_whatever_their_age():
    images = [image("prot", "killed", days=9, protected=True),
              image("tagged", "killed", days=9, tags=["x=1", "cleanup=keep"]),
              image("gold", "killed", days=9, __imagetype="gold"),
              image("shared", "killed", days=9, __imagetype="shared"),
              image("other", "killed", days=9, owner="o" * 32)]
    candidates, spared = plan(images, NOW, Policy(PROJECT))
    assert candidates == []
    assert reasons(spared) == {"prot": "protected", "tagged": "carries the exclusion tag cleanup=keep",
                               "gold": "not a private image of this project",
                               "shared": "not a private image of this project",
                               "other": "not a private image of this project"}


def test_an_own_glance_image_without_imagetype_is_a_candidate_and_a_public_one_never():
    """Upstream Glance's images carry no __imagetype: owner and visibility say whether one is the project's own."""
    def glance(name, **fields):
        result = image(name, "killed", days=9, **fields)
        del result["__imagetype"]
        return result
    images = [glance("own-private", visibility="private"), glance("own-shared", visibility="shared"),
              glance("own-public", visibility="public"), glance("own-community", visibility="community"),
              glance("other", visibility="shared", owner="o" * 32)]
    candidates, spared = plan(images, NOW, Policy(PROJECT))
    assert sorted(c["name"] for c in candidates) == ["own-private", "own-shared"]
    assert reasons(spared) == {name: "not a private image of this project"
                               for name in ("own-public", "own-community", "other")}


def test_exclusion_can_be_turned_off():
    candidates, _spared = plan([image("t", "killed", days=9, tags=["cleanup=keep"])], NOW,
                               Policy(PROJECT, exclude_tag=""))
    assert [c["name"] for c in candidates] == ["t"]


def test_stale_keeps_the_newest_of_each_family_young_ones_counting():
    images = [image("web-1", days=400), image("web-2", days=300), image("web-3", days=200), image("web-4", days=1),
              image("db-1", days=500), image("db-2", days=100)]
    candidates, spared = plan(images, NOW, Policy(PROJECT, stale_min_age_days=90, keep_newest=2))
    assert reasons(candidates) == {
        "web-1": "active for more than 90 days and not among the newest 2 of family 'web'",
        "web-2": "active for more than 90 days and not among the newest 2 of family 'web'"}
    assert reasons(spared) == {"web-3": "among the newest 2 of family 'web'", "web-4": "younger than 90 days",
                               "db-1": "among the newest 2 of family 'db'", "db-2": "among the newest 2 of family 'db'"}


def test_stale_off_ignores_active_images_entirely():
    assert plan([image("web-1", days=999)], NOW, Policy(PROJECT)) == ([], [])
    assert Policy(PROJECT).statuses == ("killed", "queued", "saving")
    assert Policy(PROJECT, stale_min_age_days=3).statuses == ("killed", "queued", "saving", "active")


def test_stale_name_pattern_and_keep_zero():
    images = [image("web-1", days=400), image("tmp-1", days=400)]
    candidates, spared = plan(images, NOW, Policy(PROJECT, stale_min_age_days=90, keep_newest=0,
                                                  stale_name_pattern="^tmp-"))
    assert [c["name"] for c in candidates] == ["tmp-1"]
    assert reasons(spared) == {"web-1": "name does not match stale_name_pattern"}


def test_candidates_and_spared_are_ordered_by_name_then_id_and_carry_their_fields():
    images = [image("k1", "killed", days=2), image("k3", "killed", days=3), image("k2", "queued", days=9),
              image("k0", "killed", days=1, id="id-b"), image("k0", "killed", days=4, id="id-a"),
              image("y2", "killed", hours=1), image("y1", "killed", hours=2, protected=True)]
    candidates, spared = plan(images, NOW, Policy(PROJECT))
    assert [(c["name"], c["id"]) for c in candidates] == [("k0", "id-a"), ("k0", "id-b"), ("k1", "id-k1"),
                                                          ("k2", "id-k2"), ("k3", "id-k3")]
    assert [s["name"] for s in spared] == ["y1", "y2"]
    assert set(candidates[0]) == {"id", "name", "status", "created_at", "reason"}


def test_a_timestamp_tie_is_broken_by_name_then_id_the_later_one_counting_as_newer():
    # Same second: web-02 and web-03 are "newer" than web-01 by name; keep_newest 2 keeps them, whatever the ids.
    tied = [image("web-03", days=400, id="id-1"), image("web-01", days=400, id="id-3"),
            image("web-02", days=400, id="id-2")]
    candidates, spared = plan(tied, NOW, Policy(PROJECT, stale_min_age_days=90, keep_newest=2))
    assert [c["name"] for c in candidates] == ["web-01"]
    assert [s["name"] for s in spared] == ["web-02", "web-03"]
    # Same second and same name: the id decides (the greater id counts as newer).
    twins = [image("db-1", days=400, id="id-2"), image("db-1", days=400, id="id-1"), image("db-1", days=400, id="id-3")]
    candidates, spared = plan(twins, NOW, Policy(PROJECT, stale_min_age_days=90, keep_newest=1))
    assert [c["id"] for c in candidates] == ["id-1", "id-2"]
    assert [s["id"] for s in spared] == ["id-3"]
    # A real age difference still wins over the name.
    aged = [image("web-9", days=500), image("web-1", days=400)]
    candidates, spared = plan(aged, NOW, Policy(PROJECT, stale_min_age_days=90, keep_newest=1))
    assert [c["name"] for c in candidates] == ["web-9"] and [s["name"] for s in spared] == ["web-1"]


def test_unparsable_times_are_never_old_enough():
    candidates, spared = plan([image("k", "killed", days=9, created_at="yesterday")], NOW, Policy(PROJECT))
    assert candidates == [] and reasons(spared) == {"k": "younger than 6 h"}
    assert parse_time("2018-09-06T14:03:27Z") == datetime.datetime(2018, 9, 6, 14, 3, 27, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("live, reason", [
    (None, "changed since it was listed: already gone"),
    (image("k", "killed", days=9, protected=True), "changed since it was listed: protected"),
    (image("k", "killed", days=9, tags=["cleanup=keep"]),
     "changed since it was listed: carries the exclusion tag cleanup=keep"),
    (image("k", "killed", days=9, owner="o" * 32), "changed since it was listed: not a private image of this project"),
    (image("k", "active", days=9), "changed since it was listed: now active"),
    (image("k", "killed", days=9), None),
])
def test_recheck_right_before_deleting(live, reason):
    planned = {"id": "id-k", "name": "k", "status": "killed"}
    assert recheck(live, planned, Policy(PROJECT)) == reason
