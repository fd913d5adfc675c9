"""``GET /v2/images``: the filters, sorting and paging of one listing query.

docs/dev/ims-api.md, "listing and paging" (and the public page of the native OpenStack
image list, support.huaweicloud.com/api-ims/). README "Listing" is the specification.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from ..core.clock import parse_time
from ..core.util import is_int
from .exceptions import bad_request
from .images import MEMBER_STATUSES

TIME_OPERATORS = {
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b, "eq": lambda a, b: a == b, "neq": lambda a, b: a != b,
}
SORT_KEYS = ("name", "container_format", "disk_format", "status", "id", "size", "created_at")


def property_matches(value, wanted: str) -> bool:
    """Exact match of a property against a query value (booleans as true/false)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return wanted == ("true" if value else "false")
    if isinstance(value, (list, dict)):
        return False
    return str(value) == wanted


class ImageListing:
    """One ``GET /v2/images`` query: filters, sorting and paging (README "Listing")."""

    CONTROL = ("marker", "limit", "sort_key", "sort_dir", "member_status")
    DEFAULT_LIMIT = 25

    def __init__(self, pairs: list):
        self.pairs = pairs  # as received, in order
        single = {}
        for name, value in pairs:
            if name in self.CONTROL:
                if name in single:
                    raise bad_request("%s is given more than once" % name)
                single[name] = value
        self.marker = single.get("marker")
        self.limit = self._limit(single.get("limit"))
        self.sort_key = single.get("sort_key", "created_at")
        if self.sort_key not in SORT_KEYS:
            raise bad_request("sort_key must be one of %s" % ", ".join(SORT_KEYS))
        sort_dir = single.get("sort_dir", "desc")
        if sort_dir not in ("asc", "desc"):
            raise bad_request("sort_dir must be asc or desc")
        self.descending = sort_dir == "desc"
        self.member_status = single.get("member_status", "accepted")
        if self.member_status not in MEMBER_STATUSES:
            raise bad_request("member_status must be one of %s" % ", ".join(MEMBER_STATUSES))
        self.filters = [self._filter(name, value) for name, value in pairs if name not in self.CONTROL]

    def _limit(self, text):
        if text is None:
            return self.DEFAULT_LIMIT
        if not re.fullmatch(r"[0-9]+", text):
            raise bad_request("limit must be a non-negative integer")
        return int(text)

    @staticmethod
    def _filter(name: str, value: str):
        """A predicate on the image as the caller sees it."""
        if name == "tag":
            return lambda image: value in image.get("tags", ())
        if name in ("created_at", "updated_at"):
            op, sep, text = value.partition(":")
            when = parse_time(text) if sep else None
            if op not in TIME_OPERATORS or when is None:
                raise bad_request("%s must be OP:TIME with OP in gt gte lt lte eq neq and TIME as "
                                  "yyyy-MM-ddThh:mm:ssZ or yyyy-MM-dd hh:mm:ss" % name)
            compare = TIME_OPERATORS[op]
            return lambda image: isinstance(image.get(name), str) and compare(image[name], when)
        if name == "protected":
            if value not in ("true", "false"):
                raise bad_request("protected must be true or false")
            flag = value == "true"
            return lambda image: image.get("protected") is flag
        if name in ("min_ram", "min_disk"):
            if not re.fullmatch(r"-?[0-9]+", value):
                raise bad_request("%s must be an integer" % name)
            number = int(value)
            return lambda image: is_int(image.get(name)) and image[name] == number
        if name == "visibility" and value not in ("public", "private", "shared"):
            raise bad_request("visibility must be public, private or shared")
        if name == "__imagetype" and value not in ("gold", "private", "shared", "market"):
            raise bad_request("__imagetype must be gold, private, shared or market")
        return lambda image: property_matches(image.get(name), value)

    def matches(self, image: dict) -> bool:
        return all(predicate(image) for predicate in self.filters)

    def page(self, store, project: str) -> list:
        """The images of ``project``'s listing in ``store`` on this query's page, as stored."""
        images, positions = store.listing(project, self.member_status, self.sort_key, self.descending)
        start = 0
        if self.marker is not None:
            position = positions.get(self.marker)
            if position is None or not self.matches(images[position]):
                raise bad_request("marker %s is not an image of this listing" % self.marker)
            start = position + 1
        if self.filters:  # scan from the marker on, only until the page is full
            page = []
            for index in range(start, len(images)):
                if len(page) >= self.limit:
                    break
                if self.matches(images[index]):
                    page.append(images[index])
        else:
            page = images[start:start + self.limit]
        return page

    def run(self, store, project: str) -> dict:
        """The page of ``project``'s listing in ``store``: {"images", "first", "next"?, "schema"}."""
        page = self.page(store, project)
        query = [(name, value) for name, value in self.pairs if name != "marker"]
        body = {"images": page, "first": self._link(query), "schema": "/v2/schemas/images"}
        if self.limit and len(page) == self.limit:
            # As in the API's example: the marker goes in the middle of the other parameters.
            middle = min(1, len(query))
            body["next"] = self._link(query[:middle] + [("marker", page[-1]["id"])] + query[middle:])
        return body

    @staticmethod
    def _link(pairs) -> str:
        return "/v2/images?" + urlencode(pairs) if pairs else "/v2/images"
