# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bad input, property-based: every option of every module and every role variable.

Each bad value must fail with a message that names the option and says what is
accepted, with no traceback and no write request. The bulk runs the modules
in-process (``patch_module_args``) against the session emulator over real HTTP; a
few cases go through ``ansible`` and ``ansible-playbook`` to prove the same end to end.
The strategies are derived from the modules' own argument specs and the role's
meta/argument_specs.yml, and every option must be classified below, so a new option
is not silently untested.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
import re
import shutil

import pytest
import yaml

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ansible.errors import AnsibleValueOmittedError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.testing import patch_module_args
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from ansible_collections.hwcloud.ims.plugins.module_utils._base import connection_argument_spec
from ansible_collections.hwcloud.ims.plugins.modules import (ims_image, ims_image_cleanup, ims_image_copy, ims_image_export,
                                                             ims_image_info, ims_image_member, ims_image_member_info, ims_image_share,
                                                             ims_job_info)

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROLE_DIR = ROOT / "roles" / "image_cleanup"
ROLE_SPEC = ROLE_DIR / "meta" / "argument_specs.yml"

MODULES = {
    "ims_image": (ims_image, ims_image.ImsImage),
    "ims_image_info": (ims_image_info, ims_image_info.ImsImageInfo),
    "ims_image_cleanup": (ims_image_cleanup, ims_image_cleanup.ImsImageCleanup),
    "ims_image_member": (ims_image_member, ims_image_member.ImsImageMember),
    "ims_image_member_info": (ims_image_member_info, ims_image_member_info.ImsImageMemberInfo),
    "ims_job_info": (ims_job_info, ims_job_info.ImsJobInfo),
    "ims_image_copy": (ims_image_copy, ims_image_copy.ImsImageCopy),
    "ims_image_export": (ims_image_export, ims_image_export.ImsImageExport),
    "ims_image_share": (ims_image_share, ims_image_share.ImsImageShare),
}
# Arguments that make each module valid, so that the bad value is the only problem.
BASE_ARGS = {"ims_image": {"name": "bad-input-probe"}, "ims_image_info": {}, "ims_image_cleanup": {},
             "ims_image_member": {"image": "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86", "status": "accepted"},
             "ims_image_member_info": {}, "ims_job_info": {"job_id": "ff8080828f2a5e8a018f3c1e7d2b0042"},
             "ims_image_copy": {"image": "bad-input-probe", "name": "bad-input-probe-copy"},
             "ims_image_export": {"image": "bad-input-probe", "bucket_url": "bad-input-probe:probe.qcow2",
                                  "file_format": "qcow2"},
             "ims_image_share": {"images": ["bad-input-probe"], "projects": ["a1b2c3d4e5f60718293a4b5c6d7e8f90"]}}

EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "20"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def module_spec(module):
    spec = connection_argument_spec()
    spec.update(MODULES[module][1].argument_spec)
    return spec


# -- strategies ---------------------------------------------------------------------------

TEXT = st.text(max_size=20)
NOT_TEXT = st.one_of(st.lists(TEXT, min_size=0, max_size=3), st.dictionaries(st.text(min_size=1, max_size=5), TEXT, max_size=2))
BOOLEANS = {"y", "yes", "on", "1", "true", "t", "n", "no", "off", "0", "false", "f"}
NOT_BOOL = st.one_of(TEXT.filter(lambda s: s.strip().lower() not in BOOLEANS), st.integers().filter(lambda i: i not in (0, 1)),
                     st.lists(st.booleans(), min_size=1, max_size=2))


def _not_int_text(text):
    try:
        int(text)
    except ValueError:
        try:
            return not float(text).is_integer()
        except (ValueError, OverflowError):
            return True
    return False


NOT_INT = st.one_of(TEXT.filter(_not_int_text), st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
                    st.lists(st.integers(), min_size=1, max_size=2), st.dictionaries(st.text(min_size=1, max_size=3), st.integers(), min_size=1, max_size=2))


def _not_float_text(text):
    try:
        float(text)
    except ValueError:
        return True
    return False


NOT_FLOAT = st.one_of(TEXT.filter(_not_float_text), st.lists(st.floats(), min_size=1, max_size=2))
NOT_DICT = st.one_of(st.integers(), st.lists(TEXT, min_size=1, max_size=2), TEXT.filter(lambda s: "=" not in s and not s.strip().startswith("{")))
NOT_LIST = st.dictionaries(st.text(min_size=1, max_size=5), TEXT, min_size=1, max_size=2)


def case(value, words, extra=None):
    """A strategy of (module arguments of the option, words of which the message must hold one)."""
    return value.map(lambda v: (v, words, extra or {}))


class Problems(tuple):
    """The messages a failure must consist of, every one of them and no other (``"; "``-separated)."""


def case_of(value, problems_of):
    """A strategy like :func:`case` whose expected messages depend on the value: ``problems_of(value)``."""
    return value.map(lambda v: (v, Problems(problems_of(v)), {}))


def type_cases(option, option_spec):
    """Wrong types, from the argument spec alone."""
    kind = option_spec.get("type", "str")
    if option_spec.get("choices") and kind == "list":
        choices = [str(c) for c in option_spec["choices"]]
        return [case(st.lists(TEXT.filter(lambda s: s not in choices), min_size=1, max_size=2),
                     ["must be one or more of: " + ", ".join(choices)]),
                case(NOT_LIST, ["unable to convert to list"])]
    if option_spec.get("choices"):
        choices = [str(c) for c in option_spec["choices"]]
        return [case(TEXT.filter(lambda s: s not in choices), ["must be one of: " + ", ".join(choices)]),
                case(NOT_TEXT, ["must be one of: " + ", ".join(choices), "must be a string"])]
    if kind in ("str", "path"):
        return [case(NOT_TEXT, ["must be a string"])]
    if kind == "int":
        return [case(NOT_INT, ["unable to convert to int"])]
    if kind == "float":
        return [case(NOT_FLOAT, ["unable to convert to float"])]
    if kind == "bool":
        return [case(NOT_BOOL, ["unable to convert to bool"])]
    if kind == "dict":
        return [case(NOT_DICT, ["unable to convert to dict"])]
    if kind == "list":
        return [case(NOT_LIST, ["unable to convert to list"]),
                case(st.lists(NOT_TEXT, min_size=1, max_size=2), ["must be a list of strings"])]
    if kind == "raw":
        return []  # any type may be meant: the option's RULES say which are refused
    raise AssertionError("no type strategy for %s of type %s" % (option, kind))


def below(low, words):
    return case(st.integers(max_value=low - 1), words)


def outside(low, high, words):
    return case(st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1)), words)


# Names: 1 to 128 characters of any kind (docs/dev/ims-api.md, "Images"); over-long ones in any script.
LONG_NAME = st.text(min_size=129, max_size=300)
TIME = st.sampled_from(["2024-01-31T10:00:00Z", "2024-01-31 10:00:00"])
BAD_TIMES = st.one_of(
    TEXT.filter(lambda s: ":" not in s),
    st.tuples(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6).filter(
        lambda s: s not in ("gt", "gte", "lt", "lte", "eq", "neq")), TIME).map(":".join),
    st.tuples(st.sampled_from(["gt", "gte", "lt", "lte", "eq", "neq"]), st.one_of(
        st.sampled_from(["2024-02-30T00:00:00Z", "2024-01-31T10:00:00", "2024-01-31T10:00:00+08:00", "31/01/2024",
                         "2024-13-01 00:00:00", "2024-01-31T25:00:00Z", "2024-01-31", "now", "１２３"]),
        st.text(min_size=1, max_size=12).filter(lambda s: not s[:1].isdigit()))).map(":".join),
)
TIME_WORDS = ["OP:TIME with OP one of gt, gte, lt, lte, eq, neq"]
BAD_REGEX = st.one_of(st.sampled_from(["(", "[a-", "*x", "(?P<f", "a{2,1}", "(?<=a+)b", "\\"]),
                      st.tuples(TEXT, st.sampled_from(["(", "[", "(?P<"])).map("".join))
REGEX_WORDS = ["must be a Python regular expression"]
NOT_PROJECT_ID = TEXT.filter(lambda s: not (len(s) == 32 and all(c in "0123456789abcdef" for c in s)))
# What ims_image says of each key that properties must not set (written out here, not taken from
# plugins/module_utils/_image.py, so that a wrong message there fails): keys an option manages name
# that option, keys IMS owns say so.
PROPERTY_PROBLEMS = {
    "name": "properties must not set name: use the name option",
    "min_disk": "properties must not set min_disk: use the min_disk option",
    "tags": "properties must not set tags: use the tags option",
    "__os_version": "properties must not set __os_version: use the os_version option",
    "__description": "properties must not set __description: use the description option",
    "status": "properties must not set status: IMS sets it",
    "owner": "properties must not set owner: IMS sets it",
    "__imagetype": "properties must not set __imagetype: IMS sets it",
    "": "properties keys must not be empty",
}

# Tags (plugins/module_utils/_tags.py): what may stand around and inside one tag, written out here.
TAG = st.text(alphabet="abcxyz019_-.:", min_size=1, max_size=8)
PADDED_TAG = st.tuples(st.sampled_from([" ", "\t", "  "]), TAG, st.booleans()).map(lambda t: t[0] + t[1] if t[2] else t[1] + t[0])
TAG_WORDS = ["tags must each be 1 to 255 characters without '/', ',' or surrounding whitespace"]
BAD_TAG = st.one_of(PADDED_TAG, TAG.map(lambda t: "=" + t), st.tuples(TAG, TAG).map(lambda t: "%s = %s" % t),
                    st.tuples(TAG, TAG).map(",".join), st.just(""))
# A comma-separated string with an empty part or an empty key.
BAD_TAG_STRING = st.one_of(st.lists(TAG, min_size=1, max_size=3).map(lambda tags: ", ".join(tags) + ","),
                           st.lists(TAG, min_size=2, max_size=3).map(",, ".join),
                           TAG.map(lambda t: "=%s, a=1" % t))
# Filters that cannot match: a wildcard in an exact-match value, a documented value in another case.
WILDCARD = st.tuples(TAG, st.sampled_from(["*", "?"]), st.text(alphabet="abc", max_size=3)).map("".join)
WILDCARD_WORDS = ["holds a wildcard"]
CASE_WORDS = ["is case-sensitive and IMS spells this value"]
PLATFORMS = ["Ubuntu", "CentOS", "EulerOS", "Windows", "Debian", "SUSE", "RedHat", "Oracle Linux", "Fedora", "CoreOS",
             "OpenSUSE", "Other"]
WRONG_CASE_PLATFORM = st.sampled_from(PLATFORMS).flatmap(
    lambda p: st.sampled_from([p.lower(), p.upper(), p.swapcase()]).filter(lambda v: v != p))
COMMA_TAG = st.lists(TAG, min_size=2, max_size=3).map(",".join)
TAG_FILTER_WORDS = ["holds a comma", "holds a wildcard", "must not be empty"]
# imagetype -> the visibilities none of its images has.
CONTRADICTIONS = {"private": ["public", "shared"], "gold": ["private", "shared"], "market": ["private", "shared"],
                  "shared": ["public", "private"]}

# The native sources of ims_image (plugins/module_utils/_native.py), and the arguments that make a native create
# valid but for the option under test. What each message says is written out here, not taken from _native.py.
SERVER = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
NOT_AN_ID = st.one_of(st.sampled_from(["", " ", "\t", "a b"]), st.tuples(TAG, TAG).map(" ".join))
ID_WORDS = ["must be an id (a non-empty string without spaces)"]
STRAY_WORDS = ["applies only to an image made by IMS from instance_id, backup_id, volume_id or image_url"]
FROM_SERVER = {"instance_id": SERVER}
QCOW2 = {"image_url": "bkt:disk.qcow2", "min_disk": 40}
QUICK_RAW = {"image_url": "bkt:disk.raw", "quick_import": True, "min_disk": 40, "os_version": "CentOS 7.9 64bit"}

# ims_image_copy: the options of one kind of copy, given to the other (plugins/module_utils/_copy.py), written out here.
CROSS_ONLY_WORDS = ["applies only to a copy to another region"]
IN_REGION_ONLY_WORDS = ["applies only to a copy within the region"]

# Value rules beyond the type, by module and option. Options that accept any value of
# their type are listed in FREE (so that every option is classified).
RULES = {
    "connection": {
        "region": [case(TEXT.filter(lambda s: s and not re.match(r"^[a-z]{2,}(-[a-z0-9]+)+$", s)),
                        ["such as cn-north-4"])],
        "ims_endpoint": [case(TEXT.filter(lambda s: s and not s.startswith(("http://", "https://"))), ["http:// or https:// URL"]),
                         case(st.sampled_from(["https://", "http://x/?a=1", "https://x/#f", "ftp://x"]), ["http:// or https:// URL"])],
        "iam_endpoint": [case(TEXT.filter(lambda s: s and not s.startswith(("http://", "https://"))), ["http:// or https:// URL"]),
                         case(st.sampled_from(["https://iam.{project}.example.com", "https://{REGION}.example.com"]),
                              ["may hold one placeholder, {region}"])],
        "cloud": [case(TEXT.filter(lambda s: s and not re.match(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", s)),
                       ["must be the domain of the endpoints, such as myhuaweicloud.com"])],
        "timeout": [case(st.floats(max_value=0), ["greater than 0"]), case(st.just(float("nan")), ["greater than 0"])],
        "retries": [outside(0, 20, ["from 0 to 20"])],
        "ca_bundle": [case(st.text(alphabet="abcxyz-é", min_size=1, max_size=10).map(lambda s: "/nonexistent/hwcloud-ims/" + s),
                           ["must be a PEM file"])],
    },
    "ims_image": {
        "id": [case(st.just(""), ["must not be empty"])],
        "name": [case(LONG_NAME, ["1 to 128 characters"]), case(st.just(""), ["1 to 128 characters"])],
        "min_disk": [outside(0, 1024, ["from 0 to 1024"])],
        "min_ram": [below(0, ["0 or more"])],
        "wait_timeout": [below(1, ["1 or more"])],
        "tags": [case(st.lists(st.one_of(st.just(""), st.text(min_size=256, max_size=300),
                                         st.tuples(TEXT, TEXT).map("/".join)), min_size=1, max_size=3),
                      ["1 to 255 characters without '/'"]),
                 case(st.lists(BAD_TAG, min_size=1, max_size=3), TAG_WORDS),
                 case(BAD_TAG_STRING, TAG_WORDS),
                 case(st.dictionaries(st.just(""), TAG, min_size=1), TAG_WORDS),
                 case(st.dictionaries(TAG, st.one_of(st.none(), st.lists(TAG, max_size=2)), min_size=1),
                      ["tags as a dictionary must map each key to a string or a number"]),
                 case(st.lists(NOT_TEXT, min_size=1, max_size=2), ["must be a list of strings"])],
        "description": [case(st.text(min_size=1025, max_size=1100), ["at most 1024 characters"])],
        "properties": [
            case_of(st.dictionaries(st.sampled_from(sorted(PROPERTY_PROBLEMS)), TEXT, min_size=1, max_size=3),
                    lambda properties: [PROPERTY_PROBLEMS[key] for key in properties]),
            case(st.dictionaries(st.just("hw_x"), st.one_of(st.none(), st.lists(TEXT, max_size=2), st.dictionaries(TEXT, TEXT, max_size=1)),
                                 min_size=1), ["strings, numbers or booleans"]),
        ],
        "members": [case(st.lists(NOT_PROJECT_ID, min_size=1, max_size=3), ["32 hexadecimal characters"])],
        "filename": [case(st.text(alphabet="abcxyz-é", min_size=1, max_size=10).map(lambda s: "/nonexistent/hwcloud-ims/" + s),
                          ["cannot be read"])],
        "instance_id": [case(NOT_AN_ID, ID_WORDS)],
        "backup_id": [case(NOT_AN_ID, ID_WORDS)],
        "volume_id": [case(NOT_AN_ID, ID_WORDS, {"os_version": "CentOS 7.9 64bit"})],
        "image_url": [case(TEXT.filter(lambda s: ":" not in s), ["image_url must be bucket:object"], {"min_disk": 40}),
                      case(st.sampled_from(["Bad_Bucket:disk.qcow2", "b:disk.qcow2"]), ["image_url's bucket must be 3 to 63"],
                           {"min_disk": 40}),
                      case(st.sampled_from(["bkt:my disk.qcow2"]), ["image_url's object may not hold spaces"], {"min_disk": 40})],
        "image_type": [case(st.sampled_from(["data", "iso"]), ["image_type must be one of system, whole for an image from instance_id"],
                            FROM_SERVER),
                       case(st.sampled_from(["system", "data", "iso", "whole"]), STRAY_WORDS)],
        "quick_import": [case(st.just(True), STRAY_WORDS),
                         case(st.just(True), ["quick_import applies only to image_url with image_type system or data"], FROM_SERVER)],
        "vault_id": [case(NOT_AN_ID, ID_WORDS, {"instance_id": SERVER, "image_type": "whole"}),
                     case(st.text(alphabet="abc019", min_size=1, max_size=8), ["does not apply to a system image from instance_id"],
                          FROM_SERVER)],
        "os_type": [case(st.sampled_from(["Linux", "Windows", "Other"]), STRAY_WORDS),
                    case(st.just("Other"), ["os_type must be one of Linux, Windows"], dict(QCOW2, image_type="data"))],
        "max_ram": [case(st.integers(max_value=-1), ["max_ram must be 0 or more"], FROM_SERVER),
                    case(st.integers(min_value=1, max_value=1023), ["must not be more than max_ram"], dict(FROM_SERVER, min_ram=1024))],
        "architecture": [case(st.sampled_from(["x86", "arm"]), STRAY_WORDS),
                         case(st.sampled_from(["x86", "arm"]), ["does not apply to a system image from instance_id"], FROM_SERVER)],
        "hw_firmware_type": [case(st.just("bios"), ["hw_firmware_type must be uefi with architecture arm"],
                                  dict(QCOW2, architecture="arm"))],
        "server_type": [case(st.sampled_from(["FusionCompute", "Ironic"]), ["server_type must be one of ECS, BMS"], QUICK_RAW),
                        case(st.sampled_from(["ECS", "BMS"]), STRAY_WORDS)],
        "is_config": [case(st.booleans(), STRAY_WORDS),
                      case(st.booleans(), ["does not apply to a system image from image_url with quick_import"], QUICK_RAW)],
        "cmk_id": [case(st.text(alphabet="abc019-", min_size=1, max_size=8), ["cannot encrypt image_url"], QCOW2),
                   case(NOT_AN_ID, ID_WORDS, dict(QCOW2, image_url="bkt:disk.vhd"))],
        "license_type": [case(st.sampled_from(["platform", "byol"]), ["does not apply to a system image from instance_id"],
                              FROM_SERVER)],
        "enterprise_project_id": [case(NOT_AN_ID, ID_WORDS, FROM_SERVER), case(st.just("0"), STRAY_WORDS)],
    },
    "ims_image_info": {
        "id": [case(st.just(""), ["must not be empty"])],
        "name": [case(st.just(""), ["must not be empty"]), case(WILDCARD, WILDCARD_WORDS)],
        "owner": [case(st.just(""), ["must not be empty"]), case(WILDCARD, WILDCARD_WORDS)],
        "tag": [case(st.just(""), ["must not be empty"]), case(COMMA_TAG, ["holds a comma"]), case(WILDCARD, WILDCARD_WORDS),
                case(st.lists(st.one_of(COMMA_TAG, WILDCARD, st.just("")), min_size=1, max_size=3), TAG_FILTER_WORDS),
                case(st.one_of(st.dictionaries(TAG, TAG, min_size=1, max_size=2), st.lists(NOT_TEXT, min_size=1, max_size=2)),
                     ["must be a tag (key=value) or a list of tags"])],
        "marker": [case(st.just(""), ["must not be empty"])],
        "name_regex": [case(st.just(""), ["must not be empty"]),
                       case(st.sampled_from(["(", "[a", "*x", "a{2,1}"]), ["must be a Python regular expression"]),
                       case(st.just("^web"), ["cannot be used together"], {"name": "web"})],
        "most_recent": [case(st.just(True), ["most_recent picks the newest"], {"sort_key": "name"})],
        "platform": [case(st.just(""), ["must not be empty"]), case(WILDCARD, WILDCARD_WORDS),
                     case(WRONG_CASE_PLATFORM, CASE_WORDS)],
        "container_format": [case(st.just(""), ["must not be empty"]), case(WILDCARD, WILDCARD_WORDS)],
        "support_xen_gpu_type": [case(WILDCARD, WILDCARD_WORDS)],
        "support_kvm_gpu_type": [case(WILDCARD, WILDCARD_WORDS)],
        "visibility": [case(st.sampled_from(bad), ["cannot match together"], {"imagetype": imagetype})
                       for imagetype, bad in sorted(CONTRADICTIONS.items())],
        "min_ram": [below(0, ["0 or more"])],
        "min_disk": [below(0, ["0 or more"])],
        "page_size": [outside(1, 10000, ["from 1 to 10000"])],
        "max_results": [below(1, ["1 or more"])],
        "created_at": [case(BAD_TIMES, TIME_WORDS)],
        "updated_at": [case(BAD_TIMES, TIME_WORDS)],
        "member_status": [case(st.sampled_from(["accepted", "rejected", "pending"]), ["only works with visibility=shared"],
                               {"visibility": "private"})],
        "filters": [
            case(st.dictionaries(st.sampled_from(["limit", "marker", "sort_key", "sort_dir"]), TEXT, min_size=1, max_size=1),
                 ["use the"]),
            case(st.dictionaries(st.sampled_from(["imagetype", "os_bit", "platform"]), st.just("x"), min_size=1, max_size=1),
                 ["is not an IMS parameter"]),
            case(st.dictionaries(st.just("x"), st.one_of(st.none(), st.lists(TEXT, max_size=2)), min_size=1),
                 ["string, number or boolean"]),
            case(st.dictionaries(st.sampled_from(["created_at", "updated_at"]), BAD_TIMES, min_size=1, max_size=1), TIME_WORDS),
            case(st.dictionaries(st.sampled_from(["__os_version", "virtual_env_type", "name"]), WILDCARD, min_size=1, max_size=1),
                 WILDCARD_WORDS),
            case(st.dictionaries(st.just("__platform"), WRONG_CASE_PLATFORM, min_size=1), CASE_WORDS),
            case(st.dictionaries(st.just("tag"), COMMA_TAG, min_size=1), ["holds a comma"]),
        ],
    },
    "ims_image_cleanup": {
        "killed_min_age_hours": [below(0, ["0 or more"])],
        "stuck_min_age_hours": [below(1, ["1 or more"])],
        "stale_min_age_days": [below(0, ["0 or more"])],
        "keep_newest": [below(0, ["0 or more"])],
        "max_deletions": [below(0, ["0 or more"])],
        "family_pattern": [case(BAD_REGEX, REGEX_WORDS)],
        "stale_name_pattern": [case(BAD_REGEX, REGEX_WORDS)],
        "stale_tag": [case(st.just(""), ["must not be empty"]), case(COMMA_TAG, ["stale_tag takes one tag"]),
                      case(WILDCARD, WILDCARD_WORDS)],
        "exclude_tag": [case(COMMA_TAG, ["exclude_tag takes one tag"]), case(WILDCARD, WILDCARD_WORDS)],
    },
    "ims_image_member": {
        "image": [case(st.sampled_from(["", " ", "\t"]), ["must not be empty"])],
        "images": [case(st.just([]), ["images must list at least one image"], {"image": None}),
                   case(st.lists(st.sampled_from(["", " "]), min_size=1, max_size=2), ["must not hold an empty"],
                        {"image": None}),
                   case(st.lists(TAG, min_size=1, max_size=2), ["image and images are mutually exclusive"])],
        "vault_id": [case(st.sampled_from(["", " ", "a b"]), ["vault_id must be the id of a CBR vault"]),
                     case(TAG, ["vault_id applies only to status accepted"], {"status": "rejected"})],
        "wait_timeout": [below(1, ["1 or more"])],
    },
    "ims_image_member_info": {
        "status": [case(st.just([]), ["must list at least one of pending, accepted, rejected"])],
    },
    "ims_job_info": {
        "job_id": [case(st.one_of(st.sampled_from(["", " ", "a/b"]), TAG.map(lambda t: " " + t)), ["must be a job id"])],
        "wait_timeout": [below(1, ["1 or more"])],
    },
    # A copy within the region is the base (the emulator's endpoint has no {region} placeholder): the options of a
    # copy to another region are refused there, and a copy to another region is refused for that endpoint.
    "ims_image_copy": {
        "image": [case(st.sampled_from(["", " ", "\t"]), ["must be the id or the name of the image to copy"])],
        "name": [case(LONG_NAME, ["1 to 128 characters"]), case(st.just(""), ["1 to 128 characters"])],
        "target_region": [case(TEXT.filter(lambda s: s and not re.match(r"^[a-z]{2,}(-[a-z0-9]+)+$", s)),
                               ["must be a Huawei Cloud region name such as cn-north-4"]),
                          case(st.sampled_from(["cn-east-3", "ap-southeast-1"]), ["has no {region} placeholder"],
                               {"agency_name": "ims-copy"})],
        "target_project_name": [case(TEXT, CROSS_ONLY_WORDS)],
        "target_project_id": [case(TEXT, CROSS_ONLY_WORDS)],
        "agency_name": [case(TEXT, CROSS_ONLY_WORDS)],
        "vault_id": [case(TEXT, CROSS_ONLY_WORDS)],
        "cmk_id": [case(TEXT, IN_REGION_ONLY_WORDS, {"target_region": "cn-east-3"})],
        "enterprise_project_id": [case(TEXT, IN_REGION_ONLY_WORDS, {"target_region": "cn-east-3"})],
        "description": [case(st.text(min_size=1025, max_size=1100), ["at most 1024 characters"])],
        "min_ram": [below(0, ["0 or more"])],
        "max_ram": [below(0, ["max_ram must be 0 or more"]),
                    case(st.integers(min_value=1, max_value=1023), ["must not be more than max_ram"], {"min_ram": 1024})],
        "wait_timeout": [below(1, ["1 or more"])],
    },
}
RULES["ims_image_copy"]["tags"] = RULES["ims_image"]["tags"]
# ims_image_share: member ids and URNs as the batch API takes them (plugins/module_utils/_share.py), written out here.
NOT_HEX32 = st.lists(NOT_PROJECT_ID, min_size=1, max_size=2)
RULES["ims_image_share"] = {
    "images": [case(st.just([]), ["images must list at least one image"]),
               case(st.lists(st.sampled_from(["", " "]), min_size=1, max_size=2), ["must not hold an empty"])],
    "projects": [case(NOT_HEX32, ["projects must each be a project id (32 hexadecimal characters"])],
    "domains": [case(NOT_HEX32, ["domains must each be an account (domain) id"])],
    "organizations": [case(st.lists(TEXT.filter(lambda s: not re.match(r"^organizations:\S+$", s)), min_size=1, max_size=2),
                           ["organizations must each be an organisation URN"])],
    "state": [case(st.just("absent"), ["state absent needs the members to remove"], {"projects": []})],
    "purge_members": [case(st.just(True), ["purge_members applies only to state present"], {"state": "absent"})],
    "wait_timeout": [below(1, ["1 or more"])],
}
RULES["ims_image_export"] = {
    "image": [case(st.sampled_from(["", " ", "\t"]), ["must be the id or the name of the image to export"])],
    "bucket_url": [case(st.sampled_from(["", "no-colon", "Bad_Bucket:x", "ab:x", "bucket:", "bucket:a b", "bucket:/x"]),
                        ["bucket_url"])],
    "quick": [case(st.just(True), ["must not be set with quick"])],
    "wait_timeout": [below(1, ["1 or more"])],
}
# Options any value of whose type is accepted (text, booleans, free IMS values).
FREE = {
    "connection": {"project_id", "access_key", "secret_key", "security_token", "auth_token", "user_name", "password",
                   "domain_name", "validate_certs"},
    "ims_image": {"state", "on_duplicate", "container_format", "disk_format", "protected", "purge_tags", "os_version",
                  "purge_properties", "purge_members", "wait", "replace_failed", "visibility", "delete_backup"},
    "ims_image_info": {"status", "imagetype", "protected", "isregistered", "disk_format", "os_bit", "os_type",
                       "support_kvm", "support_xen", "support_largememory", "support_diskintensive", "support_highperformance",
                       "support_xen_hana", "support_kvm_infiniband", "sort_key", "sort_dir", "members"},
    "ims_image_cleanup": {"dry_run", "spare_shared", "exclude_ids"},
    "ims_image_member": {"status"},
    "ims_image_share": {"wait"},
    "ims_image_member_info": set(),
    "ims_job_info": {"wait"},
    "ims_image_copy": {"wait"},
    "ims_image_export": {"wait", "file_format"},
}


def bad_values(module, option):
    spec = module_spec(module)
    strategies = type_cases(option, spec[option])
    group = "connection" if option in connection_argument_spec() else module
    strategies += RULES[group].get(option, [])
    return st.one_of(strategies)


CASES = [(module, option) for module in MODULES for option in sorted(module_spec(module))]


def test_every_option_is_classified():
    """A new option must get a value rule (RULES) or be declared free of one (FREE)."""
    for module in MODULES:
        own = set(MODULES[module][1].argument_spec)
        classified = set(RULES[module]) | FREE[module]
        assert own == classified, (module, own ^ classified)
    connection = set(connection_argument_spec())
    assert connection == set(RULES["connection"]) | FREE["connection"], connection ^ (set(RULES["connection"]) | FREE["connection"])


# -- running a module in-process ------------------------------------------------------------


def connection_args(emulator):
    account = emulator.default_account
    return {"ims_endpoint": emulator.base_url, "iam_endpoint": emulator.base_url, "region": "cn-north-4",
            "project_id": account["project_id"], "access_key": account["access_key"], "secret_key": account["secret_key"]}


@pytest.fixture(scope="module")
def clean_environment():
    saved = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("HW_")}
    yield
    os.environ.update(saved)


def run_module(module, args):
    """Run MODULE's main() with ARGS; return its result (the JSON it printed)."""
    buffer = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(buffer):
        with pytest.raises(SystemExit):
            MODULES[module][0].main()
    return json.loads(buffer.getvalue())


def writes(stats):
    return {route: count for route, count in stats["by_route"].items()
            if route.split()[0] in WRITE_METHODS and route != "POST /v3/auth/tokens"}


def names_option(text, option):
    """Whether TEXT names OPTION as a whole word: ``id`` is not named by ``project_id`` or ``ids``."""
    return re.search(r"(?<!\w)%s(?!\w)" % re.escape(option), text) is not None


def test_names_option_matches_whole_option_names_only():
    assert names_option("id must not be empty", "id")
    assert names_option("bad value; id must not be empty", "id")
    assert names_option("properties must not set tags: use the tags option", "tags")
    assert not names_option("project_id must be a string; got a list", "id")
    assert not names_option("ids must be a list", "id")
    assert not names_option("domain_name must be a string", "name")
    assert not names_option("min_disk_gb is unknown", "min_disk")


def assert_clear_failure(result, option, words):
    """Failed, the message names OPTION and holds one of WORDS (what is accepted), no traceback.

    WORDS given as :class:`Problems`: the message is those messages, each of them and no other."""
    msg = result.get("msg", "")
    assert result.get("failed") is True, result
    assert names_option(msg, option), (option, msg)
    if isinstance(words, Problems):
        assert sorted(set(msg.split("; "))) == sorted(set(words)), (sorted(set(words)), msg)
    else:
        assert any(word.lower() in msg.lower() for word in words), (words, msg)
    assert "Traceback" not in msg and "exception" not in result, result


@pytest.mark.parametrize("module, option", CASES, ids=["%s-%s" % c for c in CASES])
def test_bad_values_of_every_option(emulator, clean_environment, module, option):  # pylint: disable=redefined-outer-name,unused-argument
    emulator.reset()

    @SETTINGS
    @given(bad_values(module, option))
    def check(bad):
        value, words, extra = bad
        args = dict(connection_args(emulator), **BASE_ARGS[module])
        args.update(extra)
        args[option] = value
        result = run_module(module, args)
        assert_clear_failure(result, option, words)
        stats = emulator.stats()
        assert not writes(stats), stats["by_route"]
        assert stats["total"] == 0, stats["by_route"]  # refused before any request

    check()


@pytest.mark.parametrize("key", sorted(PROPERTY_PROBLEMS))
def test_properties_name_the_problem_of_each_key(emulator, clean_environment, key):  # pylint: disable=redefined-outer-name,unused-argument
    """Every key of PROPERTY_PROBLEMS, alone and beside a key that is fine: its own message, and only it."""
    emulator.reset()
    for properties in ({key: "x"}, {"hw_ok": "x", key: "x"}):
        args = dict(connection_args(emulator), **BASE_ARGS["ims_image"])
        args["properties"] = properties
        assert_clear_failure(run_module("ims_image", args), "properties", Problems([PROPERTY_PROBLEMS[key]]))
    assert emulator.stats()["total"] == 0


@pytest.mark.parametrize("module, args, words", [
    ("ims_image", {}, ["one of the following is required: id, name"]),
    ("ims_image", {"name": "x", "access_key": None}, ["access_key and secret_key go together"]),
    ("ims_image_info", {"secret_key": None}, ["access_key and secret_key go together"]),
    ("ims_image_info", {"project_id": None, "region": None}, ["project_id is required with access_key/secret_key when region is not set"]),
    ("ims_image_cleanup", {"project_id": None}, ["project_id is required"]),
    ("ims_image_info", {"no_such_option": 1}, ["Unsupported parameters"]),
    ("ims_image", {"name": "x", "instance_id": "i1", "filename": "/etc/hostname"},
     ["parameters are mutually exclusive: instance_id|backup_id|volume_id|image_url|filename"]),
    ("ims_image", {"name": "x", "backup_id": "b1", "image_url": "bkt:a.qcow2"}, ["parameters are mutually exclusive"]),
    ("ims_job_info", {}, ["missing required arguments: job_id"]),
])
def test_missing_and_conflicting_options(emulator, clean_environment, module, args, words):  # pylint: disable=redefined-outer-name,unused-argument
    emulator.reset()
    full = dict(connection_args(emulator), **args)
    full = {key: value for key, value in full.items() if value is not None}
    result = run_module(module, full)
    assert result.get("failed") is True, result
    assert any(word in result["msg"] for word in words), result["msg"]
    assert "exception" not in result
    assert not writes(emulator.stats())


# -- the same through the ansible CLI ---------------------------------------------------------

CLI_CASES = [
    ("ims_image", {"name": "x" * 129}, "name", "1 to 128 characters"),
    ("ims_image", {"name": ["a"]}, "name", "must be a string"),
    ("ims_image", {"name": "x", "tags": [["team=web"]]}, "tags", "must be a list of strings"),
    ("ims_image", {"name": "x", "disk_format": "vmdk"}, "disk_format", "must be one of"),
    ("ims_image", {"name": "x", "min_disk": 2048}, "min_disk", "from 0 to 1024"),
    ("ims_image", {"name": "x", "members": ["ABC"]}, "members", "32 hexadecimal"),
    ("ims_image", {"name": "x", "retries": 21}, "retries", "from 0 to 20"),
    ("ims_image", {"name": "x", "volume_id": "v1", "vault_id": "v2"}, "vault_id", "does not apply to"),
    ("ims_image", {"name": "x", "image_url": "bkt:a.qcow2"}, "min_disk", "is required for"),
    ("ims_job_info", {"job_id": " "}, "job_id", "must be a job id"),
    ("ims_image_info", {"created_at": "since:2024-01-01T00:00:00Z"}, "created_at", "OP:TIME"),
    ("ims_image_info", {"sort_dir": "up"}, "sort_dir", "must be one of: asc, desc"),
    ("ims_image_info", {"filters": {"limit": 5}}, "filters", "page_size"),
    ("ims_image_cleanup", {"family_pattern": "(web"}, "family_pattern", "regular expression"),
]


@pytest.mark.parametrize("module, args, option, word", CLI_CASES, ids=["%s-%s" % (c[0], c[2]) for c in CLI_CASES])
def test_bad_values_through_the_cli(emu, ansible, module, args, option, word):
    ran = ansible.adhoc("hwcloud.ims." + module, json.dumps(args), emu.env())
    assert ran.rc != 0, ran
    result = ran.result()
    assert_clear_failure(result, option, [word])
    assert "Traceback" not in ran.output, ran
    assert not writes(emu.stats())


# -- the role's variables ---------------------------------------------------------------------

ROLE_OPTIONS = yaml.safe_load(ROLE_SPEC.read_text())["argument_specs"]["main"]["options"]
# Role variable -> the module option it is passed to, for values only the module can check.
ROLE_TO_MODULE = {
    "image_cleanup_killed_min_age_hours": "killed_min_age_hours",
    "image_cleanup_stuck_min_age_hours": "stuck_min_age_hours",
    "image_cleanup_stale_min_age_days": "stale_min_age_days",
    "image_cleanup_keep_newest": "keep_newest",
    "image_cleanup_family_pattern": "family_pattern",
    "image_cleanup_stale_name_pattern": "stale_name_pattern",
    "image_cleanup_max_deletions": "max_deletions",
    "image_cleanup_exclude_tag": "exclude_tag",
    "image_cleanup_region": "region",
    "image_cleanup_ims_endpoint": "ims_endpoint",
    "image_cleanup_iam_endpoint": "iam_endpoint",
    "image_cleanup_cloud": "cloud",
    "image_cleanup_ca_bundle": "ca_bundle",
    "image_cleanup_timeout": "timeout",
    "image_cleanup_retries": "retries",
}


def role_spec():
    """The role's options as an argument spec (what Ansible's role argument validation checks)."""
    keep = ("type", "elements", "choices", "required", "default", "no_log")
    return {name: {key: value for key, value in option.items() if key in keep} for name, option in ROLE_OPTIONS.items()}


def module_counterpart(variable):
    """The option of ims_image_cleanup (its own or a connection option) the role passes VARIABLE to, or None."""
    option = ROLE_TO_MODULE.get(variable, variable[len("image_cleanup_"):])
    return option if option in module_spec("ims_image_cleanup") else None


# The role's string variables (str or path, no choices): Ansible's role argument validation
# checks a text copy of a list or a dictionary and lets the value itself through, so the
# guard is the module the role passes it to (ROLE_ARGUMENTS).
STRING_VARIABLES = sorted(name for name, option in ROLE_OPTIONS.items()
                          if option.get("type", "str") in ("str", "path") and not option.get("choices"))
# String variables no module option receives: the report file is only the dest of the report
# task (check_role_string, test_role_report_file_not_a_string).
NO_COUNTERPART = {"image_cleanup_report_file"}


def role_tasks(tasks=None):
    """Every task of the role's tasks/main.yml, blocks and the tasks inside them included."""
    for task in ROLE_TASKS if tasks is None else tasks:
        yield task
        yield from role_tasks(task.get("block", []))


def role_module_arguments():
    """{option: template} of what the role gives ims_image_cleanup: its module_defaults for the
    collection's action group, then the arguments of its ims_image_cleanup task."""
    arguments = {}
    for task in role_tasks():
        arguments.update(task.get("module_defaults", {}).get("group/hwcloud.ims.ims", {}))
    for task in role_tasks():
        arguments.update(task.get("hwcloud.ims.ims_image_cleanup", {}))
    return arguments


ROLE_TASKS = yaml.safe_load((ROLE_DIR / "tasks" / "main.yml").read_text())
ROLE_DEFAULTS = yaml.safe_load((ROLE_DIR / "defaults" / "main.yml").read_text())
ROLE_ARGUMENTS = role_module_arguments()
REPORT_TASK = next(task for task in role_tasks() if "ansible.builtin.copy" in task)
OMITTED = object()


def role_render(template, variables):
    """TEMPLATE rendered as the role renders it (its defaults, then VARIABLES); OMITTED when it resolves to omit."""
    templar = Templar(loader=DataLoader(), variables=dict(ROLE_DEFAULTS, **variables))
    try:
        rendered = templar.template(trust_as_template(template))
    except AnsibleValueOmittedError:
        return OMITTED
    return json.loads(json.dumps(rendered))  # as the controller sends it to the module


def test_every_role_variable_has_a_module_counterpart_or_is_type_only():
    spec = role_spec()
    assert set(ROLE_TO_MODULE) <= set(spec)
    for variable, option in ROLE_TO_MODULE.items():
        assert option in module_spec("ims_image_cleanup"), (variable, option)
    assert len(STRING_VARIABLES) == 18, STRING_VARIABLES
    without = {variable for variable in STRING_VARIABLES if module_counterpart(variable) is None}
    assert without == NO_COUNTERPART, without
    for variable in STRING_VARIABLES:
        option = module_counterpart(variable)
        if option is not None:
            # The role really passes the variable to that option.
            assert names_option(ROLE_ARGUMENTS.get(option, ""), variable), (variable, option, ROLE_ARGUMENTS.get(option))


def check_role_type(validator, spec, variable, value):
    """A wrong type of a bool, int or float variable: the role's validation refuses it, naming the variable."""
    result = validator.validate({variable: value})
    assert result.error_messages, (variable, value)
    msg = "; ".join(result.error_messages)
    assert names_option(msg, variable), msg
    assert "convert to %s" % spec[variable]["type"] in msg, msg


def check_role_string(emulator, validator, variable, value):
    """A list or a dictionary for a string variable: what the role passes to the module, and what the module says."""
    assert not validator.validate({variable: value}).error_messages, (variable, value)
    if variable == "image_cleanup_report_file":
        # Empty: no report, as with "" (the default); else the report task runs, and fails
        # (test_role_report_file_not_a_string).
        wanted = role_render("{{ %s }}" % REPORT_TASK["when"], {variable: value})
        assert wanted is bool(value), (value, wanted)
        assert role_render("{{ %s }}" % REPORT_TASK["when"], {variable: ""}) is False
        return
    option = module_counterpart(variable)
    sent = role_render(ROLE_ARGUMENTS[option], {variable: value})
    if sent is OMITTED:
        # Only an empty list or dictionary is left out, as the empty string is: the variable's
        # documented "empty" (the HW_* variable or the module's default).
        assert value in ([], {}), (variable, value)
        assert role_render(ROLE_ARGUMENTS[option], {variable: ""}) is OMITTED
        return
    assert sent == value, (variable, value, sent)
    args = dict(connection_args(emulator))
    args[option] = sent
    kind = "list" if isinstance(value, list) else "dictionary"
    assert_clear_failure(run_module("ims_image_cleanup", args), option, ["%s must be a string; got a %s" % (option, kind)])
    assert emulator.stats()["total"] == 0, emulator.stats()["by_route"]  # refused before any request


@pytest.mark.parametrize("variable", sorted(ROLE_OPTIONS))
def test_role_variables_wrong_types(emulator, clean_environment, variable):  # pylint: disable=redefined-outer-name,unused-argument
    """A wrong type for any role variable fails with a message naming it or the module option it is passed to.

    bool, int and float variables: the role's argument validation refuses the value with the
    variable's name. String variables: the validation lets a list or a dictionary through, the
    role passes it on (ROLE_ARGUMENTS, rendered as the role renders it) and the module refuses
    it with the option's name, before any request.
    """
    spec = role_spec()
    validator = ArgumentSpecValidator(spec)
    emulator.reset()
    if variable not in STRING_VARIABLES:
        @SETTINGS
        @given(st.one_of(type_cases(variable, spec[variable])))
        def check_type(bad):
            check_role_type(validator, spec, variable, bad[0])

        check_type()
        return

    @SETTINGS
    @example(["x"])
    @example({"q": "x"})
    @example([])
    @example({})
    @given(NOT_TEXT)
    def check_string(value):
        check_role_string(emulator, validator, variable, value)

    check_string()


def test_role_report_file_not_a_string(emu, ansible, tmp_path):
    """A list as image_cleanup_report_file: the run fails and writes no file, under any name.

    Its message does not name the variable today (a Python error of the copy task, noted for the
    role's variable messages); this checks the rest: no success, and no report written under the
    list's text (``['report.json']``, a valid file name beside the playbook, where a relative
    report file goes)."""
    emu.seed(count=2, name="old-{i}", status="killed", age_days=30)
    emu.reset_stats()
    play = tmp_path / "play"
    play.mkdir()
    shutil.copy(ansible.playbook_dir / "cleanup_role.yml", play)
    ran = ansible.run_playbook(play / "cleanup_role.yml", emu.env(), extra_vars={"image_cleanup_report_file": ["report.json"]})
    assert sorted(path.name for path in play.iterdir()) == ["cleanup_role.yml"], ran
    assert ran.rc != 0, ran
    assert "Traceback" not in ran.output, ran
    assert not writes(emu.stats())  # a dry run: nothing deleted
    assert len([image for image in emu.images() if image["name"].startswith("old-")]) == 2


@pytest.mark.parametrize("variable", sorted(ROLE_TO_MODULE))
def test_role_variables_checked_by_the_module(emulator, clean_environment, variable):  # pylint: disable=redefined-outer-name,unused-argument
    """Values of the right type that only the module can refuse: its message names its option."""
    option = ROLE_TO_MODULE[variable]
    emulator.reset()
    group = "connection" if option in connection_argument_spec() else "ims_image_cleanup"
    rules = RULES[group].get(option)
    assert rules, option

    @SETTINGS
    @given(st.one_of(rules))
    def check(bad):
        value, words, extra = bad
        assert not ArgumentSpecValidator(role_spec()).validate({variable: value}).error_messages
        args = dict(connection_args(emulator), **extra)
        args[option] = value
        assert_clear_failure(run_module("ims_image_cleanup", args), option, words)
        assert emulator.stats()["total"] == 0

    check()


# The role's messages name its own variables, never the module's options (issue 12).
ROLE_CASES = [
    ({"image_cleanup_keep_newest": "many"}, "image_cleanup_keep_newest", "convert to int"),
    ({"image_cleanup_dry_run": "perhaps"}, "image_cleanup_dry_run", "convert to bool"),
    ({"image_cleanup_stuck_min_age_hours": 0}, "image_cleanup_stuck_min_age_hours", "1 or more"),
    ({"image_cleanup_family_pattern": "(?P<family"}, "image_cleanup_family_pattern", "regular expression"),
    ({"image_cleanup_retries": 99}, "image_cleanup_retries", "from 0 to 20"),
    ({"image_cleanup_stale_enabled": True, "image_cleanup_stale_min_age_days": -1}, "image_cleanup_stale_min_age_days",
     "0 or more"),
    ({"image_cleanup_stale_enabled": True, "image_cleanup_stale_tag": "team=web,env=prod"}, "image_cleanup_stale_tag",
     "takes one tag"),
]


@pytest.mark.parametrize("variables, name, word", ROLE_CASES, ids=[c[1] for c in ROLE_CASES])
def test_role_bad_values_through_ansible_playbook(emu, ansible, variables, name, word):
    emu.seed(count=2, name="old-{i}", status="killed", age_days=30)
    emu.reset_stats()
    variables = dict(variables, image_cleanup_dry_run=variables.get("image_cleanup_dry_run", False))
    ran = ansible.run_playbook("cleanup_role.yml", emu.env(), extra_vars=variables)
    assert ran.rc != 0, ran
    assert names_option(ran.stdout, name) and word in ran.stdout, ran
    bare = name[len("image_cleanup_"):]
    assert not re.search(r"(?<![\w])%s must" % re.escape(bare), ran.stdout), "the module's option name: %s" % ran
    assert "Traceback" not in ran.output, ran
    assert not writes(emu.stats()), emu.stats()["by_route"]
