# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The floor of the listing benchmark: a bare ``requests`` loop over the same pages.

    python floor_list.py PAGE_SIZE NAME=VALUE...

Reads HW_IMS_ENDPOINT, HW_ACCESS_KEY, HW_SECRET_KEY and HW_PROJECT_ID; lists
``GET /v2/images`` with the given filters, ``sort_key=created_at``, ``sort_dir=desc`` and
``limit=PAGE_SIZE`` (what hwcloud.ims.ims_image_info sends), signing every request with the
collection's own AK/SK signer (standard library only; imported from the collection, which
``make bench`` puts on PYTHONPATH), follows the
``next`` links, JSON-decodes each page and counts the images; prints
``{"images": N, "requests": N}``. It keeps no image once its page is counted: the least
work any client can do for the same listing. It runs in a Python process of its own, so
its interpreter start and ``import requests`` are counted, like the module's.
"""

import json
import os
import sys

from urllib.parse import parse_qsl, urlsplit

import requests

from ansible_collections.hwcloud.ims.plugins.module_utils import _signer as signer_module


def list_images(page_size, filters, keep=None):
    """(images counted, requests made); each image is passed to ``keep`` (a list) if given."""
    endpoint = os.environ["HW_IMS_ENDPOINT"].rstrip("/")
    signer = signer_module.AkSkSigner(os.environ["HW_ACCESS_KEY"], os.environ["HW_SECRET_KEY"],
                                      os.environ["HW_PROJECT_ID"])
    session = requests.Session()
    path = "/v2/images"
    pairs = filters + [("sort_key", "created_at"), ("sort_dir", "desc"), ("limit", page_size)]
    count = requests_made = 0
    while True:
        url = endpoint + path + "?" + signer_module.canonical_query_string(pairs)
        response = session.get(url, headers=signer.sign("GET", url, {"Accept": "application/json"}, b""), timeout=60)
        requests_made += 1
        response.raise_for_status()
        page = response.json()
        images = page.get("images") or []
        count += len(images)
        if keep is not None:
            keep.extend(images)
        next_link = page.get("next")
        if not images or not next_link:
            break
        parts = urlsplit(next_link)
        path, pairs = parts.path, parse_qsl(parts.query, keep_blank_values=True)
    return count, requests_made


def main():
    count, requests_made = list_images(sys.argv[1], [tuple(arg.split("=", 1)) for arg in sys.argv[2:]])
    print(json.dumps({"images": count, "requests": requests_made}))


if __name__ == "__main__":
    main()
