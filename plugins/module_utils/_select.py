# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Image selection: the filters of ims_image_info, ``name_regex``, ``most_recent``, and the requests they take.

Private to this collection: the API may change without notice. Used by ``ims_image_info`` and
the ``hwcloud.ims.image`` lookup, so both select alike (Terraform's ``huaweicloud_images_image``
semantics: ``name_regex`` is ``re.search`` on the name, ``most_recent`` the newest by ``created_at``).

The requests: filters the server applies with ``most_recent`` are one request sorted newest first
with ``limit=1``; without it, one with ``limit=2`` (a second image means "several match"). A
client-side filter (``name_regex``, a ``support_*: false``) pages newest first and stops as soon as
the answer is decided (:meth:`ImsClient.iter_images` is lazy: no page is read past the last one used).
"""

from __future__ import annotations

import re

from ._errors import ImsError
from ._filters import LIST_FILTERS, FilterError, build_list_query, keep_unflagged
from ._image import DISK_FORMATS

# The shortcut of ``owner``: the project of the credentials (given, else learned from IAM once).
OWNER_SELF = "self"
# How many names an error about several matches shows (it reads no further than the second match).
SHOWN = 2
NEWEST_FIRST = [("sort_key", "created_at"), ("sort_dir", "desc")]
# The selection options of ims_image_info and the lookup, as an argument spec: every filter of
# LIST_FILTERS, the free-form filters, name_regex and most_recent.
SELECTION_SPEC = {
    "name": {"type": "str"},
    "status": {"type": "str", "choices": ["queued", "saving", "active", "killed", "deleted"]},
    "imagetype": {"type": "str", "choices": ["gold", "private", "shared", "market"]},
    "visibility": {"type": "str", "choices": ["public", "private", "shared"]},
    "member_status": {"type": "str", "choices": ["accepted", "rejected", "pending"]},
    "protected": {"type": "bool"},
    "owner": {"type": "str"},
    "isregistered": {"type": "bool"},
    "container_format": {"type": "str"},
    "disk_format": {"type": "str", "choices": list(DISK_FORMATS)},
    "min_ram": {"type": "int"},
    "min_disk": {"type": "int"},
    "os_bit": {"type": "str", "choices": ["32", "64"]},
    "os_type": {"type": "str", "choices": ["Linux", "Windows", "Other"]},
    "platform": {"type": "str"},
    "tag": {"type": "raw"},
    "created_at": {"type": "str"},
    "updated_at": {"type": "str"},
    "support_kvm": {"type": "bool"},
    "support_xen": {"type": "bool"},
    "support_largememory": {"type": "bool"},
    "support_diskintensive": {"type": "bool"},
    "support_highperformance": {"type": "bool"},
    "support_xen_hana": {"type": "bool"},
    "support_kvm_infiniband": {"type": "bool"},
    "support_xen_gpu_type": {"type": "str"},
    "support_kvm_gpu_type": {"type": "str"},
    "filters": {"type": "dict", "default": {}},
    "name_regex": {"type": "str"},
    "most_recent": {"type": "bool", "default": False},
}


class SelectionError(ImsError):
    """No image matches the selection, or several do where one was wanted."""


def compile_name_regex(value):
    """``value`` compiled, or :class:`FilterError` naming ``name_regex``."""
    if value is None:
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        raise FilterError("name_regex must be a Python regular expression (re.search on the name); %r is not: %s"
                          % (value, exc)) from None


def selection_problems(params, warnings):
    """(problems, query pairs, excluded flags, regex) of the selection options in ``params``.

    ``params`` holds every key of :data:`LIST_FILTERS`, ``filters``, and optionally ``id``,
    ``marker``, ``name_regex`` (the keys absent count as unset). ``warnings``: a list to append to.
    """
    problems = []
    for option in ("min_ram", "min_disk"):
        if params.get(option) is not None and params[option] < 0:
            problems.append("%s must be 0 or more; got %d" % (option, params[option]))
    for option in ("name", "id", "owner", "marker", "platform", "container_format", "name_regex"):
        if params.get(option) == "":
            problems.append("%s must not be empty; leave it out to match any %s" % (option, option.replace("_regex", "")))
    if params.get("name") and params.get("name_regex"):
        problems.append("name and name_regex cannot be used together: name matches exactly, name_regex as a pattern; "
                        "give one of them")
    regex = query = excluded = None
    try:
        regex = compile_name_regex(params.get("name_regex") or None)
    except FilterError as exc:
        problems.append(str(exc))
    try:
        query, excluded = build_list_query({option: params.get(option) for option in LIST_FILTERS},
                                           params.get("filters"), warnings)
    except FilterError as exc:
        problems.append(str(exc))
    return problems, query, excluded, regex


def client_side(excluded_flags, regex):
    """The predicate of the filters IMS cannot apply (None: none)."""
    flags = keep_unflagged(excluded_flags)
    if regex is None:
        return flags

    def keep(image):
        return bool(regex.search(str(image.get("name") or ""))) and (flags is None or flags(image))
    return keep


def matches(image, excluded_flags=(), regex=None):
    """Whether ``image`` passes the client-side filters."""
    keep = client_side(excluded_flags, regex)
    return keep is None or keep(image)


def resolve_owner(client, query):
    """``query`` with ``owner=self`` replaced by the project of the credentials."""
    if ("owner", OWNER_SELF) not in query:
        return list(query)
    project = client.project_id
    return [("owner", project) if pair == ("owner", OWNER_SELF) else pair for pair in query]


def describe(query, excluded_flags=(), regex=None, image_id=None):
    """The selection in words, for a message: ``name=web, status=active, name_regex '^web-'``."""
    parts = ["%s=%s" % pair for pair in query]
    if image_id:
        parts.insert(0, "id=%s" % image_id)
    parts += ["%s not true" % flag for flag in excluded_flags or ()]
    if regex is not None:
        parts.append("name_regex %r" % regex.pattern)
    return ", ".join(parts) or "no filter (every image the project can see)"


def pick(client, query, excluded_flags=(), regex=None, most_recent=False, image_id=None, page_size=1000):
    """The one image the selection names: the newest with ``most_recent``, else the only one.

    Raises :class:`SelectionError` when nothing matches, or when several do without ``most_recent``.
    ``query`` comes from :func:`selection_problems`; ``owner=self`` is resolved here.
    """
    what = describe(query, excluded_flags, regex, image_id)
    keep = client_side(excluded_flags, regex)
    if image_id and not query:
        found = [image for image in [client.get_image(image_id)] if image and matches(image, excluded_flags, regex)]
    else:
        params = resolve_owner(client, query) + ([("id", image_id)] if image_id else []) + NEWEST_FIRST
        wanted = 1 if most_recent else 2
        found = list(client.iter_images(params, page_size=wanted if keep is None else page_size,
                                        max_results=wanted, keep=keep))
    if not found:
        raise SelectionError("no image matches the selection: %s" % what)
    if len(found) > 1 and not most_recent:
        shown = ", ".join("%s (%s, created %s)" % (image.get("name"), image.get("id"), image.get("created_at"))
                          for image in found[:SHOWN])
        raise SelectionError("several images match the selection %s, at least %s; set most_recent: true for the "
                             "newest, or narrow the selection (name, name_regex, tag, owner...)" % (what, shown))
    return found[0]


def listing(client, query, excluded_flags=(), regex=None, most_recent=False, params=(), page_size=1000,
            max_results=None):
    """Every image of the selection (ims_image_info): at most the newest one with ``most_recent``.

    ``params``: the paging and sorting pairs (``sort_key``, ``sort_dir``, ``marker``, ``id``);
    ``most_recent`` sorts newest first itself.
    """
    keep = client_side(excluded_flags, regex)
    pairs = resolve_owner(client, query) + list(params)
    if most_recent:
        pairs = [pair for pair in pairs if pair[0] not in ("sort_key", "sort_dir")] + NEWEST_FIRST
        max_results = 1
        page_size = 1 if keep is None else page_size
    return list(client.iter_images(pairs, page_size=page_size, max_results=max_results, keep=keep))
