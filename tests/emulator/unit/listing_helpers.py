"""What the listing tests (test_emu_listing.py, test_emu_native_list.py) share: image ids by
number, a query run through a listing class, and the refusal of a bad query."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from imsemu.ims.exceptions import ImsErrorAnswer


def uid(n):
    """The id of test image ``n``."""
    return "00000000-0000-4000-8000-%012d" % n


def ids(body):
    """The numbers of the test images of a listing's page, in order; "public" for another image."""
    return [int(img["id"][-3:]) if img["id"].startswith("00000000") else "public" for img in body["images"]]


def run_query(listing_class, store, query, project):
    """The answer of ``listing_class`` to ``query`` (a query string or a list of pairs)."""
    pairs = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else query
    return listing_class(pairs).run(store, project)


def refusal(listing_class, store, query, project):
    """The message of the 400 IMG.0001 that ``listing_class`` answers to ``query``."""
    with pytest.raises(ImsErrorAnswer) as info:
        run_query(listing_class, store, query, project)
    assert (info.value.status, info.value.code) == (400, "IMG.0001")
    return info.value.message
