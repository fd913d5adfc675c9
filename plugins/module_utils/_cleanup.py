# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which images a cleanup deletes, and why the others are spared: a pure, unit-tested policy.

Private to this collection: the API may change without notice.
"""

from __future__ import annotations

import datetime
import re

DEFAULT_FAMILY_PATTERN = r"^(?P<family>.+?)[-_.]?\d[^a-zA-Z]*$"
STUCK_STATUSES = ("queued", "saving")


def parse_time(text):
    """An IMS timestamp (``2018-09-06T14:03:27Z``) as an aware datetime, or None."""
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def family_of(name, pattern):
    """The name family of ``name``: the ``family`` group (or group 1) of ``pattern``, else the name."""
    match = pattern.search(name or "")
    if not match:
        return name
    if "family" in pattern.groupindex:
        return match.group("family") or name
    return (match.group(1) if pattern.groups else None) or name


# The visibilities of a project's own images that are not offered to everyone (upstream Glance).
OWN_VISIBILITIES = ("private", "shared")


def own_private(image, project_id):
    """Whether ``image`` is a private image of ``project_id``: one a cleanup may delete.

    IMS says so with ``__imagetype: private`` (public, shared and market images are other
    types). Upstream Glance has no ``__imagetype``: there it is an image the project owns whose
    visibility is private or shared (its default), never public or community.
    """
    if not project_id or image.get("owner") != project_id:
        return False
    if "__imagetype" in image:
        return image["__imagetype"] == "private"
    return image.get("visibility") in OWN_VISIBILITIES


class Policy:
    """The selection options of one cleanup (see ``hwcloud.ims.ims_image_cleanup``)."""

    def __init__(self, project_id, killed_min_age_hours=6, stuck_min_age_hours=24, stale_min_age_days=None,
                 keep_newest=3, family_pattern=None, stale_name_pattern=None, exclude_tag="cleanup=keep",
                 exclude_ids=()):
        self.project_id = project_id
        self.exclude_ids = frozenset(exclude_ids or ())
        self.killed_min_age_hours = killed_min_age_hours
        self.stuck_min_age_hours = stuck_min_age_hours
        self.stale_min_age_days = stale_min_age_days
        self.keep_newest = keep_newest
        self.family_pattern = re.compile(family_pattern or DEFAULT_FAMILY_PATTERN)
        self.stale_name_pattern = re.compile(stale_name_pattern) if stale_name_pattern else None
        self.exclude_tag = exclude_tag

    @property
    def statuses(self):
        """The statuses a cleanup lists (and the server filters on)."""
        return ("killed",) + STUCK_STATUSES + (("active",) if self.stale_min_age_days is not None else ())

    def untouchable(self, image):
        """Why ``image`` must never be deleted whatever its age (None: it may be)."""
        if not own_private(image, self.project_id):
            return "not a private image of this project"
        if image.get("protected"):
            return "protected"
        if image.get("id") in self.exclude_ids:
            return "excluded by id (exclude_ids)"
        if self.exclude_tag and self.exclude_tag in (image.get("tags") or []):
            return "carries the exclusion tag %s" % self.exclude_tag
        return None

    def threshold(self, status):
        """(minimum age, how to say it) for images in ``status``; None when never selected."""
        if status == "killed":
            return datetime.timedelta(hours=self.killed_min_age_hours), "%d h" % self.killed_min_age_hours
        if status in STUCK_STATUSES:
            return datetime.timedelta(hours=self.stuck_min_age_hours), "%d h" % self.stuck_min_age_hours
        if status == "active" and self.stale_min_age_days is not None:
            return datetime.timedelta(days=self.stale_min_age_days), "%d days" % self.stale_min_age_days
        return None


def _age_order(image):
    """Oldest first; images created in the same second by name, then id (the later one counts as newer)."""
    return (image.get("created_at") or "", image.get("name") or "", image.get("id") or "")


def plan_order(entry):
    """How plan lines (candidates, spared) are listed: by name, then id."""
    return (entry.get("name") or "", entry.get("id") or "")


def _entry(image, reason):
    return {"id": image.get("id"), "name": image.get("name"), "status": image.get("status"),
            "created_at": image.get("created_at"), "reason": reason}


def plan(images, now, policy):
    """Return (candidates, spared) for ``images``, each a list of entries with a reason, ordered by name, then id.

    Spared are the near-candidates: images of a selected status that a rule keeps.
    """
    candidates, spared = [], []
    newest = _newest_of_families([image for image in images if image.get("status") == "active"], policy)
    for image in images:
        status = image.get("status")
        threshold = policy.threshold(status)
        if threshold is None:
            continue
        min_age, said = threshold
        keep = policy.untouchable(image)
        created = parse_time(image.get("created_at"))
        if keep is None and (created is None or now - created < min_age):
            keep = "younger than %s" % said
        reason = "%s for more than %s" % (status, said)
        if keep is None and status == "active":
            family = family_of(image.get("name"), policy.family_pattern)
            if policy.stale_name_pattern and not policy.stale_name_pattern.search(image.get("name") or ""):
                keep = "name does not match stale_name_pattern"
            elif image.get("id") in newest:
                keep = "among the newest %d of family %r" % (policy.keep_newest, family)
            else:
                reason += " and not among the newest %d of family %r" % (policy.keep_newest, family)
        if keep is None:
            candidates.append(_entry(image, reason))
        else:
            spared.append(_entry(image, keep))
    return sorted(candidates, key=plan_order), sorted(spared, key=plan_order)


def _newest_of_families(active, policy):
    """Ids of the ``keep_newest`` newest active images of each name family (ties: see ``_age_order``)."""
    families = {}
    for image in active:
        families.setdefault(family_of(image.get("name"), policy.family_pattern), []).append(image)
    keep = set()
    for members in families.values():
        members.sort(key=_age_order, reverse=True)
        keep.update(image.get("id") for image in members[:policy.keep_newest])
    return keep


def shared_reason(members):
    """Why an image whose members are ``members`` must be spared (None: no member accepted it)."""
    accepted = sorted(member.get("member_id") or "?" for member in members if member.get("status") == "accepted")
    if not accepted:
        return None
    return "shared with %d accepted member%s (%s); spare_shared is true" % (
        len(accepted), "" if len(accepted) == 1 else "s", ", ".join(accepted))


def recheck(image, planned, policy):
    """Why a candidate must not be deleted after all, read again just before (None: delete it)."""
    if image is None:
        return "changed since it was listed: already gone"
    keep = policy.untouchable(image)
    if keep:
        return "changed since it was listed: %s" % keep
    if image.get("status") != planned.get("status"):
        return "changed since it was listed: now %s" % image.get("status")
    return None
