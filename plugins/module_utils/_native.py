# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Images made by IMS from a server, a volume, a backup or an OBS file: pure functions, no HTTP.

Private to this collection: the API may change without notice. The wire contract is
the official SDK's request models (huaweicloudsdkims: CreateImageRequestBody and its kin) and docs/dev/ims-api.md.
What is here: which request a task's options mean (:func:`native_request`), every problem
with them at once (:func:`native_problems`), whether an existing image was made from the
task's source (:func:`source_mismatch`), and which existing image a re-run adopts instead of
creating one (:func:`adoptable`).

The options, as a module declares them (a source option makes the task a native create):

=====================  ======  ===============================  ===========================================
option                 type    choices                          taken by (source / image_type)
=====================  ======  ===============================  ===========================================
instance_id            str                                      source: an ECS server (system, whole)
backup_id              str                                      source: a CBR backup (whole)
volume_id              str                                      source: an EVS volume (system, data)
image_url              str     ``bucket:object``                source: an OBS file (system, data, iso)
image_type             str     system, data, iso, whole         every source; default whole for backup_id,
                                                                system otherwise
quick_import           bool    (default false)                  image_url (system, data)
vault_id               str                                      instance_id whole (required)
os_version             str                                      volume_id system (required); image_url
                                                                system (required with quick_import), iso
                                                                (required)
os_type                str     Linux, Windows, Other            image_url system, iso; data: Linux, Windows
min_disk               int                                      image_url (required; GB: 1-1024, data 1-2048)
min_ram, max_ram       int                                      instance_id, backup_id, volume_id system,
                                                                image_url system and iso (not quick_import)
architecture           str     x86, arm                         image_url system, iso
hw_firmware_type       str     bios, uefi                       image_url system, iso
server_type            str     ECS, BMS, FusionCompute, Ironic  volume_id system, image_url system
                                                                (quick_import: ECS, BMS); IMS's ``type``
is_config              bool    (no default)                     image_url system (not quick_import)
cmk_id                 str                                      image_url system, data (not quick_import)
license_type           str     platform, byol                   image_url system with quick_import
enterprise_project_id  str                                      every source
name, description      str                                      every source (name required)
tags                   raw     (list, ``a=b,c=d`` or a dict)    every source; sent as ``image_tags``
=====================  ======  ===============================  ===========================================

The sources exclude each other and ``filename`` (a local file to upload). An option left
unset is None here (``quick_import`` may default to false): a declared default of any other
option would be refused wherever it does not apply.
"""

from __future__ import annotations

import re

from collections import namedtuple

from ._errors import ImsImageConflict
from ._tags import TagError, normalize_tags

SOURCES = ("instance_id", "backup_id", "volume_id", "image_url")
KINDS = {"instance_id": ("system", "whole"), "backup_id": ("whole",), "volume_id": ("system", "data"),
         "image_url": ("system", "data", "iso")}
QUICK_KINDS = ("system", "data")
COMMON = ("name", "description", "enterprise_project_id", "tags")
RAM = ("min_ram", "max_ram")
OBS_SYSTEM = ("min_disk", "os_version", "os_type", "architecture", "hw_firmware_type")
# What each (source, image_type, quick_import) takes, and of that what it requires (name always).
ACCEPTS = {
    ("instance_id", "system", False): COMMON + RAM,
    ("instance_id", "whole", False): COMMON + RAM + ("vault_id",),
    ("backup_id", "whole", False): COMMON + RAM,
    ("volume_id", "system", False): COMMON + RAM + ("os_version", "server_type"),
    ("volume_id", "data", False): COMMON,
    ("image_url", "system", False): COMMON + RAM + OBS_SYSTEM + ("server_type", "is_config", "cmk_id"),
    ("image_url", "iso", False): COMMON + RAM + OBS_SYSTEM,
    ("image_url", "data", False): COMMON + ("min_disk", "os_type", "cmk_id"),
    ("image_url", "system", True): COMMON + ("min_disk", "os_version", "architecture", "hw_firmware_type",
                                             "server_type", "license_type"),
    ("image_url", "data", True): COMMON + ("min_disk", "os_type"),
}
REQUIRES = {
    ("instance_id", "whole", False): ("vault_id",),
    ("volume_id", "system", False): ("os_version",),
    ("image_url", "system", False): ("min_disk",),
    ("image_url", "iso", False): ("min_disk", "os_version"),
    ("image_url", "data", False): ("min_disk",),
    ("image_url", "system", True): ("min_disk", "os_version"),
    ("image_url", "data", True): ("min_disk",),
}
# The options only a native create takes (a task without a source may not give them).
NATIVE_ONLY = ("image_type", "vault_id", "os_type", "max_ram", "architecture", "hw_firmware_type", "server_type",
               "is_config", "cmk_id", "license_type", "enterprise_project_id")
# Option -> the field of IMS's body (the same name unless listed).
BODY_FIELDS = {"tags": "image_tags", "server_type": "type"}
CHOICES = {"architecture": ("x86", "arm"), "hw_firmware_type": ("bios", "uefi"), "license_type": ("platform", "byol")}
SERVER_TYPES = ("ECS", "BMS", "FusionCompute", "Ironic")
QUICK_SERVER_TYPES = ("ECS", "BMS")
SYSTEM_OS_TYPES = ("Linux", "Windows", "Other")
DATA_OS_TYPES = ("Linux", "Windows")
# min_disk in GB, loosely (the sources disagree: 40-1024, 1-1024, 10-1024; data 40-2048).
MIN_DISK_RANGE = {"data": (1, 2048)}
MIN_DISK_DEFAULT_RANGE = (1, 1024)
NAME_MAX = 128
DESCRIPTION_MAX = 1024
TAGS_MAX = 10
TAG_KEY_MAX = 127
TAG_VALUE_MAX = 255
_NAME = re.compile("^[A-Za-z0-9._\\- \u4e00-\u9fff]+$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BLANK = re.compile(r"\s")
# File formats an object's name may show (its extension), and which quick import takes.
FILE_FORMATS = ("qcow2", "vhd", "zvhd", "zvhd2", "raw", "vmdk", "vhdx", "qed", "vdi", "qcow", "iso")
QUICK_FORMATS = ("raw", "zvhd2")
IN_PROGRESS = ("queued", "saving")
ADOPTABLE = IN_PROGRESS + ("active",)

# One create: POST ``path`` with ``body``; ``source`` is the option, ``kind`` the image_type.
NativeRequest = namedtuple("NativeRequest", ("path", "body", "source", "kind", "quick"))


def native_source(params):
    """The source option the task gives (the first, when it wrongly gives several), or None."""
    return next((option for option in SOURCES if params.get(option) is not None), None)


def image_kind(params, source=None):
    """The ``image_type`` the task asks for, or its source's default."""
    source = source or native_source(params)
    if params.get("image_type") is not None:
        return params["image_type"]
    return "whole" if source == "backup_id" else "system"


def _where(source, kind, quick):
    article = "an" if kind[:1] in "aeiou" else "a"
    return "%s %s image from %s%s" % (article, kind, source, " with quick_import" if quick else "")


def file_format(image_url):
    """The format ``bucket:object``'s name shows (its extension, lower case), or None when it shows none."""
    extension = (image_url or "").rpartition(".")[2].lower() if "." in (image_url or "") else ""
    return extension if extension in FILE_FORMATS else None


def image_tags(tags):
    """The ``image_tags`` of ``tags`` (the forms ims_image's ``tags`` takes): ``[{key, value}]``."""
    result = []
    for tag in normalize_tags(tags) or []:
        key, _sep, value = tag.partition("=")
        result.append({"key": key, "value": value})
    return result


def _choice_problem(option, value, choices):
    if value is not None and value not in choices:
        return "%s must be one of %s; got %r" % (option, ", ".join(choices), value)
    return None


def _id_problem(option, value):
    if value is not None and (not isinstance(value, str) or not value or _BLANK.search(value)):
        return "%s must be an id (a non-empty string without spaces); got %r" % (option, value)
    return None


def _name_problems(params):
    problems = []
    name = params.get("name")
    if name is None:
        return ["name is required to create an image from %s" % native_source(params)]
    if not 1 <= len(name) <= NAME_MAX:
        problems.append("name must be 1 to %d characters long; got %d (%r)" % (NAME_MAX, len(name), name))
    elif not _NAME.match(name) or name != name.strip(" "):
        problems.append("name may hold only letters, digits, '-', '.', '_', spaces and Chinese characters, and "
                        "may not start or end with a space; got %r" % name)
    description = params.get("description")
    if description is not None and len(description) > DESCRIPTION_MAX:
        problems.append("description must be at most %d characters; got %d" % (DESCRIPTION_MAX, len(description)))
    if description is not None and any(char in description for char in "\r<>"):
        problems.append("description may not hold a carriage return, '<' or '>'; got %r" % description)
    return problems


def _tag_problems(tags):
    try:
        pairs = image_tags(tags)
    except TagError as exc:
        return [str(exc)]
    problems = []
    if len(pairs) > TAGS_MAX:
        problems.append("tags may hold at most %d tags for IMS's image_tags; got %d" % (TAGS_MAX, len(pairs)))
    keys = [pair["key"] for pair in pairs]
    twice = sorted(set(key for key in keys if keys.count(key) > 1))
    if twice:
        problems.append("tags must give each key once (image_tags has one value per key); %s given more than once"
                        % ", ".join(repr(key) for key in twice))
    for pair in pairs:
        if len(pair["key"]) > TAG_KEY_MAX or len(pair["value"]) > TAG_VALUE_MAX:
            problems.append("tags keys may be at most %d characters and values at most %d; got %r"
                            % (TAG_KEY_MAX, TAG_VALUE_MAX, "%s=%s" % (pair["key"], pair["value"])))
    return problems


def _image_url_problems(params, kind, quick):
    url = params["image_url"]
    bucket, sep, key = url.partition(":")
    if not sep or not bucket or not key:
        return ["image_url must be bucket:object (an OBS bucket and the object's key); got %r" % url]
    problems = []
    if not _BUCKET.match(bucket):
        problems.append("image_url's bucket must be 3 to 63 lower-case letters, digits, '-' or '.'; got %r" % bucket)
    if _BLANK.search(key):
        problems.append("image_url's object may not hold spaces (IMS refuses them: IMG.0175); got %r" % key)
    fmt = file_format(url)
    if quick and fmt is not None and fmt not in QUICK_FORMATS:
        problems.append("quick_import takes only %s files; image_url %r is %s (leave quick_import out for it)"
                        % (" or ".join(QUICK_FORMATS), url, fmt))
    if fmt == "qcow2" and params.get("cmk_id") is not None:
        problems.append("cmk_id (%r) cannot encrypt image_url %r: IMS cannot encrypt a QCOW2 file; convert it to "
                        "another format, or leave cmk_id out" % (params["cmk_id"], url))
    low, high = MIN_DISK_RANGE.get(kind, MIN_DISK_DEFAULT_RANGE)
    min_disk = params.get("min_disk")
    if min_disk is not None and not low <= min_disk <= high:
        problems.append("min_disk must be from %d to %d (GB) for %s; got %r" % (low, high, _where("image_url", kind, quick),
                                                                                min_disk))
    return problems


def _value_problems(params, source, kind, quick):
    problems = []
    for option, choices in sorted(CHOICES.items()):
        problems.append(_choice_problem(option, params.get(option), choices))
    problems.append(_choice_problem("os_type", params.get("os_type"),
                                    DATA_OS_TYPES if kind == "data" else SYSTEM_OS_TYPES))
    problems.append(_choice_problem("server_type", params.get("server_type"),
                                    QUICK_SERVER_TYPES if quick else SERVER_TYPES))
    if params.get("architecture") == "arm" and params.get("hw_firmware_type") == "bios":
        problems.append("hw_firmware_type must be uefi with architecture arm (arm images boot with UEFI); got 'bios'")
    for option in RAM:
        value = params.get(option)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.append("%s must be 0 or more (MB; 0: no limit); got %r" % (option, value))
    low, high = params.get("min_ram"), params.get("max_ram")
    if isinstance(low, int) and isinstance(high, int) and high > 0 and low > high:
        problems.append("min_ram (%d) must not be more than max_ram (%d)" % (low, high))
    for option in ("instance_id", "backup_id", "volume_id", "vault_id", "cmk_id", "enterprise_project_id"):
        problems.append(_id_problem(option, params.get(option)))
    if params.get("os_version") is not None and not str(params["os_version"]).strip():
        problems.append("os_version must not be empty (a value of GET /v1/cloudimages/os_version)")
    if source == "image_url" and isinstance(params.get("image_url"), str):
        problems.extend(_image_url_problems(params, kind, quick))
    problems.extend(_tag_problems(params.get("tags")))
    return [problem for problem in problems if problem]


def native_problems(params):
    """Every problem of a native create's options, each naming the option, its value and what is accepted.

    Empty for a task that gives no source and none of NATIVE_ONLY (not a native create).
    """
    given = [option for option in SOURCES if params.get(option) is not None]
    if not given:
        stray = [option for option in NATIVE_ONLY if params.get(option) is not None]
        if params.get("quick_import"):
            stray.append("quick_import")
        return ["%s applies only to an image made by IMS from %s; give one of them, or leave %s out"
                % (option, ", ".join(SOURCES[:-1]) + " or " + SOURCES[-1], option) for option in stray]
    problems = []
    if len(given) > 1:
        problems.append("%s exclude each other: an image has one source; got %s"
                        % (", ".join(SOURCES), ", ".join("%s=%r" % (option, params[option]) for option in given)))
    source = given[0]
    if params.get("filename") is not None:
        problems.append("filename (%r) and %s exclude each other: the image is either uploaded from a local file "
                        "or made by IMS from %s" % (params["filename"], source, source))
    kind = image_kind(params, source)
    quick = bool(params.get("quick_import"))
    if kind not in KINDS[source]:
        problems.append("image_type must be one of %s for an image from %s; got %r"
                        % (", ".join(KINDS[source]), source, kind))
        return problems + _name_problems(params)
    if quick and (source != "image_url" or kind not in QUICK_KINDS):
        problems.append("quick_import applies only to image_url with image_type %s; got %s"
                        % (" or ".join(QUICK_KINDS), _where(source, kind, False)))
        quick = False
    accepted = ACCEPTS[(source, kind, quick)]
    for option in sorted(set(NATIVE_ONLY + ("min_disk", "min_ram", "os_version", "vault_id")) - set(accepted)):
        if params.get(option) is not None and option != "image_type":
            problems.append("%s (%r) does not apply to %s; leave it out (the options that do: %s)"
                            % (option, params[option], _where(source, kind, quick), ", ".join(sorted(accepted))))
    for option in REQUIRES.get((source, kind, quick), ()):
        if params.get(option) is None:
            problems.append("%s is required for %s" % (option, _where(source, kind, quick)))
    return problems + _name_problems(params) + _value_problems(params, source, kind, quick)


def native_request(params):
    """The one create a task's options mean: a :class:`NativeRequest` (path and exact JSON body).

    Raises ValueError with every problem of :func:`native_problems` (checked first, always).
    """
    problems = native_problems(params)
    if problems:
        raise ValueError("; ".join(problems))
    source = native_source(params)
    if source is None:
        raise ValueError("the task gives none of %s: it is not an image IMS makes" % ", ".join(SOURCES))
    kind = image_kind(params, source)
    quick = bool(params.get("quick_import"))

    def field(option):
        return BODY_FIELDS.get(option, option)

    def value(option):
        return image_tags(params[option]) if option == "tags" else params[option]

    if (source, kind) == ("volume_id", "data"):
        element = {"name": params["name"], "volume_id": params["volume_id"]}
        element.update((field(option), value(option)) for option in ("description", "tags")
                       if params.get(option) is not None)
        body = {"data_images": [element]}
        if params.get("enterprise_project_id") is not None:
            body["enterprise_project_id"] = params["enterprise_project_id"]
        return NativeRequest("/v2/cloudimages/action", body, source, kind, quick)
    body = {source: params[source]}
    body.update((field(option), value(option)) for option in ACCEPTS[(source, kind, quick)]
                if params.get(option) is not None)
    if source == "backup_id":
        body["whole_image_type"] = "CBR"
    if kind == "iso":
        body["type"] = "IsoImage"
    if quick and kind == "data":
        body["type"] = "DataImage"
    if quick:
        path = "/v2/cloudimages/quickimport/action"
    elif kind == "whole":
        path = "/v1/cloudimages/wholeimages/action"
    elif source == "image_url" and kind == "data":
        path = "/v1/cloudimages/dataimages/action"
    else:
        path = "/v2/cloudimages/action"
    return NativeRequest(path, body, source, kind, quick)


# -- an existing image against the task's source ---------------------------------------------------

def recorded_origin(image):
    """(kind, value) of the image's ``__data_origin`` (``instance,<id>``, ``volume,<id>``, ``file,<bucket:object>``), or None."""
    origin = image.get("__data_origin")
    if not isinstance(origin, str) or "," not in origin:
        return None
    kind, _sep, value = origin.partition(",")
    return kind.strip(), value.strip()


def recorded_kind(image):
    """The ``image_type`` IMS recorded for ``image``: whole (``__whole_image``), data, iso (``virtual_env_type``) or system."""
    if str(image.get("__whole_image", "")).lower() == "true":
        return "whole"
    return {"DataImage": "data", "IsoImage": "iso"}.get(image.get("virtual_env_type"), "system")


ORIGIN_OF = {"instance_id": "instance", "volume_id": "volume", "image_url": "file"}


def source_mismatch(image, params):
    """None when ``image`` was made from the task's source as the task's image_type, else why not (a sentence).

    What IMS records: ``__data_origin`` (``<kind>,<value>``), ``__backup_id``, ``__whole_image``,
    ``virtual_env_type`` and ``__root_origin``. A whole image made from a server records only
    its backup: the server behind it is known to CBR, which this collection does not read, so
    such an image counts as the task's. The source of an image never changes: a mismatch is
    reported, never mended by creating another image.
    """
    source = native_source(params)
    wanted_kind = image_kind(params, source)
    what = "image %s (%r)" % (image.get("id"), image.get("name"))
    advice = "an image's source cannot change: give the task another name, or delete this image first"
    kind = recorded_kind(image)
    if kind != wanted_kind:
        return "%s is a %s image, but the task asks for a %s image from %s; %s" % (
            what, kind, wanted_kind, source, advice)
    wanted = params[source]
    origin = recorded_origin(image)
    if source == "backup_id":
        if image.get("__backup_id") == wanted:
            return None
        return "%s was made from backup %s (__backup_id), not from backup_id %s; %s" % (
            what, image.get("__backup_id") or "(none recorded)", wanted, advice)
    if origin is not None and origin[0] == ORIGIN_OF[source]:
        if origin[1] == wanted:
            return None
        return "%s was made from %s %s (__data_origin %r), not from %s %s; %s" % (
            what, origin[0], origin[1], image.get("__data_origin"), source, wanted, advice)
    if source == "instance_id" and kind == "whole" and image.get("__backup_id"):
        return None  # a whole image records its backup, not its server
    if origin is None and image.get("__root_origin") == ORIGIN_OF[source] == "file":
        return None  # made from a file; IMS did not say which one
    recorded = ("__data_origin %r" % image["__data_origin"] if image.get("__data_origin")
                else "__root_origin %r" % image["__root_origin"] if image.get("__root_origin")
                else "no source")
    return "%s was not made from %s %s (IMS records %s); %s" % (what, source, wanted, recorded, advice)


def source_view(params):
    """The task's source and image_type, as diff mode shows them (``{source option: value, "image_type": kind}``)."""
    source = native_source(params)
    return {source: params[source], "image_type": image_kind(params, source)}


def predicted_image(params):
    """The image a native create of ``params`` makes, as the Glance API would show it before IMS fills it in
    (check mode's prediction): the fields the create sends that the image shows, ``id`` None, ``queued``."""
    image = {"id": None, "name": params["name"], "status": "queued"}
    for option, field in (("min_disk", "min_disk"), ("min_ram", "min_ram"), ("os_version", "__os_version"),
                          ("description", "__description")):
        if params.get(option) is not None:
            image[field] = params[option]
    if params.get("tags") is not None:
        image["tags"] = ["%s=%s" % (pair["key"], pair["value"]) for pair in image_tags(params["tags"])]
    return image


def whole_image_refusal(image):
    """Why ``delete_backup`` cannot go with deleting ``image`` (None when it is a full-server image)."""
    if recorded_kind(image) == "whole":
        return None
    return ("delete_backup applies only to a full-server image (__whole_image true), whose CBR backup it deletes; "
            "image %s (%r) is a %s image with no backup: leave delete_backup out (or false) to delete it"
            % (image.get("id"), image.get("name"), recorded_kind(image)))


def adoptable(images, params):
    """The image among ``images`` (the project's own images of the task's name, any status) that a run takes
    instead of creating one: made from the task's source and queued, saving or active; None when there is none.

    One still being made is preferred (a re-run waits on it), then the newest. Raises
    :class:`ImsImageConflict` when images of the name exist but none of them is the task's:
    creating would make a second image of that name.
    """
    matching = [image for image in images if image.get("status") in ADOPTABLE and source_mismatch(image, params) is None]
    if matching:
        return sorted(matching, key=lambda image: (image.get("status") in IN_PROGRESS, image.get("created_at") or "",
                                                   image.get("id") or ""))[-1]
    if not images:
        return None
    reasons = []
    for image in images:
        if image.get("status") not in ADOPTABLE:
            reasons.append("image %s (%r) is %s" % (image.get("id"), image.get("name"), image.get("status")))
        else:
            reasons.append(source_mismatch(image, params))
    raise ImsImageConflict("an image named %r exists but is not the one the task describes, so none is created: %s"
                           % (params.get("name"), "; ".join(reasons)))
