# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The calls the modules make, as scripted-HTTP :class:`Call` builders, and a local image file."""

from __future__ import annotations

import hashlib
import uuid

from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, image_not_found, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import ANY, PROJECT_ID, Call

PATCH_TYPE = "application/openstack-images-v2.1-json-patch"


def _answers(overrides, default):
    """``overrides`` with ``answer`` set to ``default`` unless the call fails or sets its own."""
    failing = "raises" in overrides or overrides.get("status", 200) >= 300
    if "answer" not in overrides and not failing:
        overrides["answer"] = default
    return overrides


def lookup(name, *images, project=PROJECT_ID):
    """The lookup of ims_image by name among the project's own images: ``owner`` (which IMS and Glance both
    honour), always; never ``__imagetype``, which upstream Glance reads as a property filter that matches nothing."""
    query = {("owner", project), ("name", name), ("limit", "1000")}
    return Call("GET", "/v2/images", query=query, answer=listing(images))


def get(answer, image_id=IMAGE_ID, **overrides):
    return Call("GET", "/v2/images/%s" % image_id, **_answers(overrides, answer))


def get_missing(image_id=IMAGE_ID):
    return Call("GET", "/v2/images/%s" % image_id, status=404, answer=image_not_found(image_id))


def new_id(request):
    """The id the module chose for a new image: a uuid4 in its canonical form."""
    value = request.json.get("id")
    assert isinstance(value, str) and str(uuid.UUID(value)) == value and uuid.UUID(value).version == 4, (
        "not a uuid4: %r" % (value,))
    return value


def create(fields, **overrides):
    """The create: ``fields`` and the module's own uuid4 as ``id``, captured as ``{id}`` for later calls."""
    def created(request, values):
        return image(values["id"], status="queued", **fields)
    kwargs = {"json": dict(fields, id=ANY), "headers": {"Content-Type": "application/json"},
              "capture": {"id": new_id}, "status": 201}
    kwargs.update(overrides)
    return Call("POST", "/v2/images", **_answers(kwargs, created))


def patch(operations, answer=None, image_id=IMAGE_ID, **overrides):
    overrides = _answers(overrides, answer)
    return Call("PATCH", "/v2/images/%s" % image_id, json=operations, headers={"Content-Type": PATCH_TYPE},
                **overrides)


def upload(data, image_id="{id}", **overrides):
    kwargs = {"body": data, "status": 204, "headers": {"Content-Type": "application/octet-stream"}}
    kwargs.update(overrides)
    return Call("PUT", "/v2/images/%s/file" % image_id, **kwargs)


def write_file(tmp_path, size=3000, name="disk.img"):
    """A local file of ``size`` bytes: (path, content, md5)."""
    data = (hashlib.sha256(name.encode()).digest() * (size // 32 + 1))[:size]
    path = tmp_path / name
    path.write_bytes(data)
    return str(path), data, hashlib.md5(data, usedforsecurity=False).hexdigest()


def actions(result):
    """The ``action`` of each of an ims_image result's ``operations``, in order."""
    return [operation["action"] for operation in result["operations"]]


def writes(http):
    """The requests of ``http`` (a ScriptedHttp) that were not reads."""
    return [request for request in http.requests if request.method != "GET"]
