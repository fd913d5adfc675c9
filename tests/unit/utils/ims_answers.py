# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Answers of IMS as the scripted HTTP of the unit tests gives them: images, listings, members, errors.

Shaped like the answers of the real API (and of tests/emulator): every field of an image,
the ``__`` properties as strings, ``checksum`` and ``size`` null until a file is uploaded.
"""

from __future__ import annotations

import copy
import json
import os

OTHER_PROJECT = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
MEMBER_A = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
MEMBER_B = "b1b2c3d4e5f60718293a4b5c6d7e8f90"
MEMBER_C = "c1b2c3d4e5f60718293a4b5c6d7e8f90"
IMAGE_ID = "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86"
CREATED_AT = "2024-06-01T10:00:00Z"
with open(os.path.join(os.path.dirname(__file__), "..", "fixtures", "image.json"), encoding="utf-8") as _handle:
    _IMAGE = json.load(_handle)


def image(image_id=IMAGE_ID, name="web", status="active", **fields):
    """An image of this project as IMS returns it; ``fields`` override or add (properties too)."""
    result = {key: copy.deepcopy(value) for key, value in _IMAGE.items() if key != "_comment"}
    result.update(id=image_id, name=name, status=status, created_at=CREATED_AT, updated_at=CREATED_AT,
                  self="/v2/images/%s" % image_id, file="/v2/images/%s/file" % image_id)
    if status == "active" and "checksum" not in fields:
        fields = dict(fields, checksum="9e107d9d372bb6826bd81d3542a419d6", size=2048)
    if fields.get("size") is not None:
        fields.setdefault("__image_size", str(fields["size"]))
    result.update(fields)
    return result


def listing(images, next_link=None):
    """A page of ``GET /v2/images``."""
    page = {"images": list(images), "schema": "/v2/schemas/images", "first": "/v2/images"}
    if next_link is not None:
        page["next"] = next_link
    return page


def members(image_id, *member_ids, status="accepted"):
    """The answer of ``GET /v2/images/{id}/members``."""
    return {"members": [member(image_id, member_id, status) for member_id in member_ids],
            "schema": "/v2/schemas/members"}


def member(image_id, member_id, status="pending"):
    """One member, as ``POST /v2/images/{id}/members`` answers."""
    return {"member_id": member_id, "image_id": image_id, "status": status, "created_at": CREATED_AT,
            "updated_at": CREATED_AT, "schema": "/v2/schemas/member"}


def ims_error(code, message):
    """An IMS error body."""
    return {"error": {"code": code, "message": message}}


def gateway_error(code, message, request_id=None):
    """An API gateway error body."""
    body = {"error_code": code, "error_msg": message}
    if request_id:
        body["request_id"] = request_id
    return body


def image_not_found(image_id):
    return ims_error("IMG.0144", "Image %s could not be found." % image_id)
