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

from ._tags import WILDCARDS, tag_filter_problem, tag_filter_warning

# option name -> (IMS query parameter, kind). Kinds: str, int, bool (sent as
# true/false), time (OP:TIME), flag (an IMS "__support_*" property that is "true"
# or absent: true filters on the server, false drops flagged images on the client),
# tags (one tag or a list of them, sent as one "tag" pair each: images with all of them).
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
    "tag": ("tag", "tags"),
    "updated_at": ("updated_at", "time"),
    "visibility": ("visibility", "str"),
}

# Query parameters the modules own through dedicated options.
PAGING_PARAMETERS = {"limit": "page_size", "marker": "marker", "sort_key": "sort_key", "sort_dir": "sort_dir"}

# The values the IMS list API documents for __platform and __os_type (seed 003, table 1),
# both case-sensitive. IMS has added platforms since, so an unknown platform is only warned of.
PLATFORMS = ("CentOS", "CoreOS", "Debian", "EulerOS", "Fedora", "OpenSUSE", "Oracle Linux", "Other", "RedHat",
             "SUSE", "Ubuntu", "Windows")
OS_TYPES = ("Linux", "Other", "Windows")
# Options whose value IMS matches exactly (a wildcard matches only itself); the options with
# choices are checked by their choices.
EXACT_MATCH = ("container_format", "name", "owner", "platform", "support_kvm_gpu_type", "support_xen_gpu_type")
# The visibility each image type has (docs/dev/ims-api.md, "Listing and paging"): a listing that
# asks for another pair can only come back empty.
VISIBILITY_OF_TYPE = {"gold": "public", "market": "public", "private": "private", "shared": "shared"}

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


def _spelling_key(text):
    return re.sub(r"[\s_-]+", "", text).lower()


def _check_spelling(option, value, known, warnings):
    """Refuse a known value spelled in another case (or with other spaces); warn of an unknown one."""
    if value in known:
        return
    right = next((item for item in known if _spelling_key(item) == _spelling_key(value)), None)
    if right is not None:
        raise FilterError("%s is case-sensitive and IMS spells this value %s; got %r" % (option, right, value))
    if warnings is not None:
        warnings.append("%s %r is none of the values IMS documents (%s); it is sent as it is, since IMS may know "
                        "more, but an empty listing may mean it is misspelled" % (option, value, ", ".join(known)))


def _check_exact(label, value, attribute):
    """Refuse a wildcard in a filter that IMS matches exactly."""
    if any(char in value for char in WILDCARDS):
        pattern = value.replace("*", ".*").replace("?", ".")
        if not value.endswith("*"):
            pattern += "$"
        raise FilterError("%s %r holds a wildcard, but IMS matches %s exactly, not as a pattern (it would only find "
                          "%r itself); leave %s out and filter the images client-side instead, e.g. "
                          "images | selectattr('%s', 'match', '%s')"
                          % (label, value, label, value, label, attribute, pattern))


def _tag_pairs(option, value, warnings):
    """The ``tag`` pairs of one tag or a list of tags (images with all of them)."""
    if isinstance(value, str):
        tags = [value]
    elif isinstance(value, (list, tuple)) and all(isinstance(tag, str) for tag in value):
        tags = list(dict.fromkeys(value))
    else:
        raise FilterError("%s must be a tag (key=value) or a list of tags; got %r" % (option, value))
    for tag in tags:
        problem = tag_filter_problem(option, tag, takes_a_list=option == "tag")
        if problem:
            raise FilterError(problem)
        warning = tag_filter_warning(option, tag)
        if warning and warnings is not None:
            warnings.append(warning)
    return [("tag", tag) for tag in tags]


def check_value(option, value, warnings=None, label=None):
    """Refuse (FilterError) or warn of a value of ``option`` that cannot match what was meant.

    ``label`` is how the message names it (``filters.__platform`` for a free-form filter).
    """
    label = label or option
    if not isinstance(value, str):
        return
    if option == "platform":
        _check_spelling(label, value, PLATFORMS, warnings)
    elif option == "os_type":
        _check_spelling(label, value, OS_TYPES, warnings)
    if option in EXACT_MATCH or label != option:
        _check_exact(label, value, LIST_FILTERS[option][0] if option in LIST_FILTERS else option)


def _check_type_and_visibility(pairs, names):
    imagetype = dict(pairs).get("__imagetype")
    visibility = dict(pairs).get("visibility")
    wanted = VISIBILITY_OF_TYPE.get(imagetype)
    if wanted and visibility and visibility != wanted:
        types = sorted(kind for kind, seen in VISIBILITY_OF_TYPE.items() if seen == visibility)
        raise FilterError("%s %s and %s %s cannot match together: %s images have visibility %s (visibility %s is "
                          "for %s images); leave one of them out" % (
                              names.get("__imagetype", "imagetype"), imagetype, names.get("visibility", "visibility"),
                              visibility, imagetype, wanted, visibility, " and ".join(types) or "no"))


def _scalar(option, value):
    if isinstance(value, bool):
        return format_bool(value)
    if isinstance(value, (int, float, str)):
        return str(value)
    raise FilterError("%s must map each IMS parameter to a string, number or boolean; got %r" % (option, value))


def build_list_query(options, extra=None, warnings=None):
    """Return (query pairs, client-side flag filters) for the typed ``options``.

    ``options`` maps option names of :data:`LIST_FILTERS` to values (None = unset);
    ``extra`` is the free-form ``filters`` dict of raw IMS parameter names. The
    pairs are sorted by parameter name (then value). The second value lists the IMS
    flags that must NOT be ``"true"`` on a kept image (flags given as ``false``).
    A filter that cannot match is refused (:class:`FilterError`, naming the option);
    one that can but likely does not mean what was meant is described in ``warnings``
    (a list to append to), and sent.
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
        elif kind == "tags":
            pairs.extend(_tag_pairs(option, value, warnings))
        else:
            check_value(option, value, warnings)
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
        elif option and LIST_FILTERS[option][1] == "tags":
            _tag_pairs("filters.%s" % key, value, warnings)
        elif isinstance(extra[key], str):
            check_value(option or key, value, warnings, label="filters.%s" % key)
        owned.setdefault(key, "filters.%s" % key)
        pairs.append((key, value))
    _check_type_and_visibility(pairs, owned)
    pairs.sort()
    return pairs, excluded_flags


def keep_unflagged(excluded_flags):
    """A predicate that keeps images none of whose ``excluded_flags`` is ``"true"``."""
    if not excluded_flags:
        return None

    def keep(image):
        return not any(str(image.get(flag, "")).lower() == "true" for flag in excluded_flags)
    return keep
