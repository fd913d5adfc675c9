# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Glance's image API as one project, without the collection: the journeys seed and check with it.

Standard library only; every call raises ``urllib.error.HTTPError`` on an error status, so a
test that seeds wrongly fails where it seeds.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request


class GlanceApi:
    """``/v2/images`` of ``url`` as ``project`` (sent as X-Project-Id, which the identity filter takes)."""

    def __init__(self, url, project):
        self.url = url.rstrip("/")
        self.project = project

    def call(self, method, path, body=None, content_type="application/json"):
        """(status, decoded JSON or None) of one request."""
        data = None
        headers = {"X-Project-Id": self.project, "Accept": "application/json"}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as answer:
            raw = answer.read()
            return answer.status, (json.loads(raw) if raw else None)

    def create(self, name, data=None, **fields):
        """An image named ``name`` with ``fields`` (and ``data`` uploaded, which makes it active)."""
        fields.setdefault("disk_format", "qcow2")
        fields.setdefault("container_format", "bare")
        _status, image = self.call("POST", "/v2/images", dict(fields, name=name))
        if data is not None:
            self.call("PUT", "/v2/images/%s/file" % image["id"], data, "application/octet-stream")
            image = self.get(image["id"])
        return image

    def get(self, image_id):
        """The image, or None when Glance answers 404."""
        try:
            return self.call("GET", "/v2/images/%s" % image_id)[1]
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def images(self, **query):
        """Every image this project owns (``owner`` filter, all pages), with further ``query`` filters."""
        query = dict(query, owner=self.project, limit=query.get("limit", 1000))
        found = []
        path = "/v2/images?" + urllib.parse.urlencode(query)
        while path:
            _status, page = self.call("GET", path)
            found.extend(page["images"])
            path = page.get("next")
        return found

    def by_name(self, name):
        """This project's images named ``name``."""
        return self.images(name=name)

    def members(self, image_id):
        return self.call("GET", "/v2/images/%s/members" % image_id)[1]["members"]

    def add_member(self, image_id, member):
        return self.call("POST", "/v2/images/%s/members" % image_id, {"member": member})[1]

    def patch(self, image_id, operations):
        return self.call("PATCH", "/v2/images/%s" % image_id, operations,
                         "application/openstack-images-v2.1-json-patch")[1]

    def delete(self, image_id):
        self.call("DELETE", "/v2/images/%s" % image_id)

    def attempt(self, method, path, body=None, content_type="application/json"):
        """(status, decoded JSON body or None) of one request, an error status included (no raise)."""
        try:
            return self.call(method, path, body, content_type)
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, (json.loads(raw) if raw else None)
            except ValueError:
                return exc.code, raw.decode("utf-8", "replace")

    def data(self, image_id):
        """The bytes of the image's file (``GET /v2/images/{id}/file``)."""
        request = urllib.request.Request("%s/v2/images/%s/file" % (self.url, image_id), method="GET",
                                         headers={"X-Project-Id": self.project})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.read()


# -- what Glance served, for the journeys' counts -----------------------------------------


def mark(glance):
    """The mark of now, for ``glance.requests(since)``, :func:`served` and :func:`written`."""
    return len(glance.requests())


def served(glance, since):
    """What ``glance`` served since the mark ``since``: "METHOD path status" a request, in order."""
    return ["%s %s %s" % (method, path, status) for method, path, _query, status in glance.requests(since)]


def written(glance, since):
    """The writes (``Glance.writes``) among what ``glance`` served since the mark ``since``."""
    return glance.writes(since)
