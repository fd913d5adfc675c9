# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sharing seen from both sides: memberships as the modules return them, and which shared image a name means.

Private to this collection: the API may change without notice. Pure functions, unit-tested;
the calls are in :mod:`_client` (docs/dev/ims-api.md, "Members").
"""

from __future__ import annotations

import re

# The order in which the member's listings are read and returned.
MEMBER_STATUSES = ("pending", "accepted", "rejected")
MEMBER_FIELDS = ("image_id", "member_id", "status", "created_at", "updated_at")
_IMAGE_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def looks_like_id(value):
    """True when ``value`` has the form of an image id (a UUID), so it is looked up as an id, not a name."""
    return bool(_IMAGE_ID.match(value or ""))


def member_view(entry, image_id=None, member_id=None):
    """A membership as the modules return it: ``image_id``, ``member_id``, ``status``, ``created_at``, ``updated_at``.

    ``entry`` is a member as IMS answers (None or a partial answer is completed with
    ``image_id`` and ``member_id``, and None for what is unknown).
    """
    entry = entry or {}
    view = {field: entry.get(field) for field in MEMBER_FIELDS}
    if view["image_id"] is None:
        view["image_id"] = image_id
    if view["member_id"] is None:
        view["member_id"] = member_id
    return view


def predicted_member(image_id, member_id, status="pending"):
    """The membership a write would leave (check mode): what is known, None for the times."""
    return member_view({"status": status}, image_id, member_id)


def unique_statuses(statuses):
    """``statuses`` in the order given, each once."""
    return list(dict.fromkeys(statuses))


def pick_shared(found, name):
    """The one image named ``name`` among ``found`` (images shared with the project); ValueError otherwise.

    ``found`` is a list of images, each with its ``member_status``. The message names the option
    ``image`` and, when several match, their ids and statuses.
    """
    if not found:
        return None
    if len(found) > 1:
        listed = ", ".join("%s (%s, owner %s)" % (image["id"], image.get("member_status"), image.get("owner"))
                           for image in found)
        raise ValueError("image: %d images named %r are shared with this project: %s; give the id of one as image"
                         % (len(found), name, listed))
    return found[0]


def status_diff(image_id, member_id, status):
    """One side of the diff of ims_image_member."""
    return {"image_id": image_id, "member_id": member_id, "status": status}
