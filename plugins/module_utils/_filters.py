# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn the typed list filters of the modules into IMS query parameters.

Private to this collection: the API may change without notice. Pure functions,
unit-tested; the only place where a filter is encoded.
"""

from __future__ import annotations

import datetime
import re

# option name -> (IMS query parameter, kind). Kinds: str, int, bool (sent as
# true/false), time (OP:TIME), flag (an IMS "__support_*" property that is "true"
# or absent: true filters on the server, false drops flagged images on the client).
LIST_FILTERS = {
    "container_format": ("container_format", "str"),
    "created_at": ("created_at", "time"),
    "disk_format": ("disk_format", "str"),
    "imagetype": ("__imagetype", "str"),
    "isregistered": ("__isregistered", "bool"),
    "member_status": ("member_status", "str"),
    "min_disk": ("min_disk", "int"),
    "min_ram": ("min_ram", "int"),
    "name": ("name", "str"),
    "os_bit": ("__os_bit", "str"),
    "os_type": ("__os_type", "str"),
    "owner": ("owner", "str"),
    "platform": ("__platform", "str"),
    "protected": ("protected", "bool"),
    "status": ("status", "str"),
    "support_diskintensive": ("__support_diskintensive", "flag"),
    "support_highperformance": ("__support_highperformance", "flag"),
    "support_kvm": ("__support_kvm", "flag"),
    "support_kvm_gpu_type": ("__support_kvm_gpu_type", "str"),
    "support_kvm_infiniband": ("__support_kvm_infiniband", "flag"),
    "support_largememory": ("__support_largememory", "flag"),
    "support_xen": ("__support_xen", "flag"),
    "support_xen_gpu_type": ("__support_xen_gpu_type", "str"),
    "support_xen_hana": ("__support_xen_hana", "flag"),
    "tag": ("tag", "str"),
    "updated_at": ("updated_at", "time"),
    "visibility": ("visibility", "str"),
}

# Query parameters the modules own through dedicated options.
PAGING_PARAMETERS = {"limit": "page_size", "marker": "marker", "sort_key": "sort_key", "sort_dir": "sort_dir"}

TIME_OPERATORS = ("gt", "gte", "lt", "lte", "eq", "neq")
_TIME_FILTER = re.compile(r"^(?P<op>[a-z]+):(?P<time>.+)$")
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S")


class FilterError(ValueError):
    """A filter value that IMS would not accept; the message names the option."""


def format_bool(value):
    return "true" if value else "false"


def validate_time_filter(option, value):
    """Check ``OP:TIME`` and return it unchanged; raise :class:`FilterError` otherwise."""
    accepted = ("%s must be OP:TIME with OP one of %s and TIME as YYYY-MM-DDThh:mm:ssZ or "
                "'YYYY-MM-DD hh:mm:ss' (UTC), e.g. lt:2018-10-28T10:00:00Z" % (option, ", ".join(TIME_OPERATORS)))
    match = _TIME_FILTER.match(value or "")
    if not match:
        raise FilterError("%s; got %r" % (accepted, value))
    if match.group("op") not in TIME_OPERATORS:
        raise FilterError("%s; got the operator %r" % (accepted, match.group("op")))
    text = match.group("time")
    for fmt in _TIME_FORMATS:
        try:
            datetime.datetime.strptime(text, fmt)
            return value
        except ValueError:
            continue
    raise FilterError("%s; got the time %r" % (accepted, text))


def _scalar(option, value):
    if isinstance(value, bool):
        return format_bool(value)
    if isinstance(value, (int, float, str)):
        return str(value)
    raise FilterError("%s must map each IMS parameter to a string, number or boolean; got %r" % (option, value))


def build_list_query(options, extra=None):
    """Return (query pairs, client-side flag filters) for the typed ``options``.

    ``options`` maps option names of :data:`LIST_FILTERS` to values (None = unset);
    ``extra`` is the free-form ``filters`` dict of raw IMS parameter names. The
    pairs are sorted by parameter name. The second value lists the IMS flags that
    must NOT be ``"true"`` on a kept image (flags given as ``false``).
    """
    pairs = []
    excluded_flags = []
    owned = {}
    for option in sorted(options):
        value = options[option]
        if value is None:
            continue
        parameter, kind = LIST_FILTERS[option]
        owned[parameter] = option
        if kind == "bool":
            pairs.append((parameter, format_bool(value)))
        elif kind == "flag":
            if value:
                pairs.append((parameter, "true"))
            else:
                excluded_flags.append(parameter)
        elif kind == "time":
            pairs.append((parameter, validate_time_filter(option, value)))
        elif kind == "int":
            pairs.append((parameter, str(int(value))))
        else:
            pairs.append((parameter, value))
    if options.get("member_status") is not None and options.get("visibility") != "shared":
        raise FilterError("member_status only works with visibility=shared; set visibility: shared as well")
    for key in sorted(extra or {}):
        if not isinstance(key, str) or not key:
            raise FilterError("filters keys must be IMS query parameter names; got %r" % (key,))
        if key in PAGING_PARAMETERS:
            raise FilterError("filters must not set %s; use the %s option instead" % (key, PAGING_PARAMETERS[key]))
        if key in owned:
            raise FilterError("filters sets %s, which the %s option already sets; use one of them" % (key, owned[key]))
        if key in LIST_FILTERS and LIST_FILTERS[key][0] != key:
            raise FilterError("filters key %s is not an IMS parameter: use the %s option, or the IMS name %s"
                              % (key, key, LIST_FILTERS[key][0]))
        option = next((name for name, (parameter, _kind) in LIST_FILTERS.items() if parameter == key), None)
        value = _scalar("filters", extra[key])
        if option and LIST_FILTERS[option][1] == "time":
            validate_time_filter("filters.%s" % key, value)
        pairs.append((key, value))
    pairs.sort()
    return pairs, excluded_flags


def keep_unflagged(excluded_flags):
    """A predicate that keeps images none of whose ``excluded_flags`` is ``"true"``."""
    if not excluded_flags:
        return None

    def keep(image):
        return not any(str(image.get(flag, "")).lower() == "true" for flag in excluded_flags)
    return keep
