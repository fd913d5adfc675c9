"""The bodies of IMS's native create calls: which fields each case needs and what values they
take (ims-native-api.md 2.a to 2.e), each refusal with IMS's code (section 10).

Each ``*_body`` function checks one request body and returns the fields the action needs,
normalised; the rules that need the resources (a server that exists, a file's size) are the
action's (``native.py``). Fields IMS does not know are ignored, as a lenient server does.
"""

from __future__ import annotations

import re

from ..core.util import UUID_RE, is_int
from .exceptions import ImsErrorAnswer, bad_request
from .images import tag_error
from .os_versions import is_known_os_version

NAME_RE = re.compile(r"^[A-Za-z0-9\-._ \u4e00-\u9fff]{1,128}$")
SYSTEM_TYPES = ("ECS", "BMS", "FusionCompute", "Ironic", "IsoImage")
VOLUME_TYPES = ("ECS", "BMS", "FusionCompute", "Ironic")
QUICK_TYPES = ("ECS", "BMS", "DataImage")
OS_TYPES = ("Linux", "Windows", "Other")
ARCHITECTURES = ("x86", "arm")
FIRMWARE_TYPES = ("bios", "uefi")
LICENSE_TYPES = ("platform", "byol")


def refuse(code: str, message: str) -> ImsErrorAnswer:
    return ImsErrorAnswer(400, code, message)


def json_object(ctx) -> dict:
    """The body as a JSON object: 400 IMG.0007 when empty, IMG.0001 when not an object."""
    if not ctx.read_body().strip():
        raise refuse("IMG.0007", "The request body is empty.")
    body = ctx.json_body()
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


# -- single fields ------------------------------------------------------------------------
def check_name(value) -> str:
    if value is None or value == "":
        raise refuse("IMG.0013", "The image name is missing.")
    if not isinstance(value, str):
        raise refuse("IMG.0003", "The image name must be a string.")
    if len(value) > 128:
        raise refuse("IMG.0002", "The image name has more than 128 characters.")
    if not NAME_RE.match(value) or value != value.strip(" "):
        raise refuse("IMG.0003", "The image name may contain only letters, digits, Chinese characters, "
                                 "'-', '.', '_' and spaces, and may not start or end with a space.")
    return value


def check_description(body: dict) -> str | None:
    value = body.get("description")
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 1024 or any(c in value for c in "\r<>"):
        raise refuse("IMG.0004", "The description has at most 1024 characters and no carriage return, < or >.")
    return value


def check_string(body: dict, name: str, required: bool = False, code: str = "IMG.0001") -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise refuse(code, "%s is required." % name)
        return None
    if not isinstance(value, str):
        raise refuse(code, "%s must be a string." % name)
    return value


def check_choice(body: dict, name: str, values, code: str, default=None):
    value = body.get(name)
    if value is None:
        return default
    if value not in values:
        raise refuse(code, "%s must be one of %s." % (name, ", ".join(values)))
    return value


def check_bool(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad_request("%s must be true or false" % name)
    return value


def check_min_disk(body: dict, low: int, high: int, required: bool = True) -> int | None:
    value = body.get("min_disk")
    if value is None:
        if required:
            raise bad_request("min_disk is required")
        return None
    if not is_int(value) or not low <= value <= high:
        raise refuse("IMG.0055", "min_disk must be an integer from %d to %d (GB)." % (low, high))
    return value


def check_ram(body: dict) -> tuple:
    """(min_ram, max_ram): non-negative integers (MB), min_ram at most max_ram (IMG.0055)."""
    values = []
    for name in ("min_ram", "max_ram"):
        value = body.get(name)
        if value is not None and (not is_int(value) or value < 0):
            raise refuse("IMG.0055", "%s must be a non-negative integer (MB)." % name)
        values.append(value)
    if values[0] is not None and values[1] is not None and values[1] and values[0] > values[1]:
        raise refuse("IMG.0055", "min_ram may not exceed max_ram.")
    return values[0] or 0, values[1]


def check_os_version(body: dict, required: bool) -> str | None:
    """A version of the os_version catalogue (``os_versions.py``, ``GET /v1/cloudimages/os_version``), else IMG.0056."""
    value = body.get("os_version")
    if value is None or value == "":
        if required:
            raise refuse("IMG.0056", "os_version is required.")
        return None
    if not is_known_os_version(value):
        raise refuse("IMG.0056", "os_version %r is not a supported OS version." % (value,))
    return value


def check_enterprise_project(body: dict) -> str:
    value = body.get("enterprise_project_id")
    if value is None or value == "0":
        return "0"
    if not isinstance(value, str) or not UUID_RE.match(value):
        raise refuse("IMG.0154", "enterprise_project_id must be 0 or an enterprise project's UUID.")
    return value


def check_tags(body: dict) -> list:
    """``tags`` (strings) or ``image_tags`` ({key, value}), never both: the image's tags
    (``key=value`` for an ``image_tags`` entry)."""
    tags, image_tags = body.get("tags"), body.get("image_tags")
    if tags is not None and image_tags is not None:
        raise bad_request("tags and image_tags are mutually exclusive")
    result = []
    if tags is not None:
        if not isinstance(tags, list) or any(tag_error(tag) for tag in tags):
            raise bad_request("tags must be a list of tags (1 to 255 characters, no '/')")
        result = list(tags)
    if image_tags is not None:
        if not isinstance(image_tags, list):
            raise bad_request("image_tags must be a list of {key, value}")
        for tag in image_tags:
            if not isinstance(tag, dict) or not isinstance(tag.get("key"), str) or not tag["key"] \
                    or not isinstance(tag.get("value"), str) or len(tag["key"]) > 128 or len(tag["value"]) > 255:
                raise bad_request("each image_tags entry is {key, value}: a key of 1 to 128 characters "
                                  "and a value of at most 255")
            result.append("%s=%s" % (tag["key"], tag["value"]))
    return list(dict.fromkeys(result))


def check_image_url(body: dict) -> tuple:
    """``bucket:object`` -> (bucket, object)."""
    value = check_string(body, "image_url", required=True)
    bucket, sep, key = value.partition(":")
    if not sep or not bucket or not key:
        raise bad_request("image_url must be bucket:object")
    if " " in value:
        raise refuse("IMG.0175", "The bucket and object names may not contain spaces.")
    return bucket, key


def check_firmware(body: dict) -> tuple:
    """(architecture, hw_firmware_type): arm boots only with UEFI."""
    architecture = check_choice(body, "architecture", ARCHITECTURES, "IMG.0212", "x86")
    firmware = check_choice(body, "hw_firmware_type", FIRMWARE_TYPES, "IMG.0141")
    if architecture == "arm":
        if firmware == "bios":
            raise refuse("IMG.0141", "An arm image boots with uefi, not bios.")
        firmware = "uefi"
    return architecture, firmware or "bios"


def common(body: dict) -> dict:
    """What every create body may carry: description, RAM, tags, enterprise project."""
    min_ram, max_ram = check_ram(body)
    return {"description": check_description(body), "min_ram": min_ram, "max_ram": max_ram,
            "tags": check_tags(body), "enterprise_project_id": check_enterprise_project(body)}


# -- the bodies ---------------------------------------------------------------------------
def create_image_body(body: dict) -> dict:
    """``POST /v2/cloudimages/action``: ``{"case": "instance"|"volume"|"file"|"data_images", ...}``."""
    if body.get("data_images") is not None:
        return data_images_body(body)
    sources = [name for name in ("instance_id", "volume_id", "image_url") if body.get(name) is not None]
    if not sources:
        raise refuse("IMG.0012", "One of instance_id, volume_id, image_url or data_images is required.")
    if len(sources) > 1:
        raise bad_request("instance_id, volume_id and image_url are mutually exclusive")
    fields = dict(common(body), name=check_name(body.get("name")))
    if sources[0] == "instance_id":
        return dict(fields, case="instance", instance_id=check_string(body, "instance_id", True, "IMG.0012"))
    if sources[0] == "volume_id":
        return dict(fields, case="volume", volume_id=check_string(body, "volume_id", True),
                    os_version=check_os_version(body, True),
                    type=check_choice(body, "type", VOLUME_TYPES, "IMG.0117", "ECS"))
    bucket, key = check_image_url(body)
    image_type = check_choice(body, "type", SYSTEM_TYPES, "IMG.0117", "ECS")
    quick = check_bool(body, "is_quick_import")
    architecture, firmware = check_firmware(body)
    cmk_id = check_string(body, "cmk_id", code="IMG.0095")
    if cmk_id and image_type in ("BMS", "Ironic"):
        raise refuse("IMG.0118", "A BMS image cannot be encrypted with KMS.")
    return dict(fields, case="file", bucket=bucket, key=key, type=image_type, quick=quick,
                min_disk=check_min_disk(body, 1, 1024),
                os_version=check_os_version(body, quick or image_type == "IsoImage"),
                os_type=check_choice(body, "os_type", OS_TYPES, "IMG.0122"), is_config=check_bool(body, "is_config"),
                cmk_id=cmk_id, architecture=architecture, hw_firmware_type=firmware)


def data_images_body(body: dict) -> dict:
    """``data_images`` on ``/v2/cloudimages/action``: one data image per volume (2.c1)."""
    if body.get("instance_id") is not None or body.get("image_url") is not None:
        raise bad_request("data_images goes without instance_id and image_url")
    entries = body["data_images"]
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise bad_request("data_images must be a non-empty list of objects")
    images = []
    for entry in entries:
        images.append(dict(common(dict(entry, enterprise_project_id=body.get("enterprise_project_id"))),
                           name=check_name(entry.get("name")), volume_id=check_string(entry, "volume_id", True)))
    if len({image["volume_id"] for image in images}) != len(images):
        raise bad_request("each volume of data_images may appear once")
    return {"case": "data_images", "images": images,
            "enterprise_project_id": check_enterprise_project(body)}


def whole_image_body(body: dict) -> dict:
    """``POST /v1/cloudimages/wholeimages/action`` (2.d): an ECS and its vault, or a backup."""
    if body.get("cmk_id") is not None:
        raise bad_request("a full-ECS image cannot be encrypted: cmk_id is not a field of this call")
    fields = dict(common(body), name=check_name(body.get("name")))
    instance_id, backup_id = body.get("instance_id"), body.get("backup_id")
    if instance_id is not None and backup_id is not None:
        raise bad_request("instance_id and backup_id are mutually exclusive")
    if backup_id is not None:
        return dict(fields, case="backup", backup_id=check_string(body, "backup_id", True, "IMG.0019"),
                    whole_image_type=check_choice(body, "whole_image_type", ("CBR", "CSBS"), "IMG.0001", "CBR"))
    if instance_id is None:
        raise refuse("IMG.0019", "instance_id (with vault_id) or backup_id is required.")
    if body.get("whole_image_type") is not None:
        raise bad_request("whole_image_type goes with backup_id only")
    return dict(fields, case="instance", instance_id=check_string(body, "instance_id", True, "IMG.0012"),
                vault_id=check_string(body, "vault_id", True))


def data_image_body(body: dict) -> dict:
    """``POST /v1/cloudimages/dataimages/action`` (2.c2): an OBS file -> a data image."""
    bucket, key = check_image_url(body)
    fields = common(body)
    return dict(fields, case="data_file", name=check_name(body.get("name")), bucket=bucket, key=key,
                min_disk=check_min_disk(body, 1, 2048),
                os_type=check_choice(body, "os_type", ("Linux", "Windows"), "IMG.0122", "Linux"),
                cmk_id=check_string(body, "cmk_id", code="IMG.0095"), quick=False)


def quick_import_body(body: dict) -> dict:
    """``POST /v2/cloudimages/quickimport/action`` (2.e): raw or zvhd2, system or data image."""
    bucket, key = check_image_url(body)
    image_type = check_choice(body, "type", QUICK_TYPES, "IMG.0117", "ECS")
    fields = dict(common(body), name=check_name(body.get("name")), bucket=bucket, key=key, type=image_type,
                  quick=True, cmk_id=None)
    license_type = check_choice(body, "license_type", LICENSE_TYPES, "IMG.0001")
    if image_type == "DataImage":
        return dict(fields, case="data_file", min_disk=check_min_disk(body, 1, 2048),
                    os_type=check_choice(body, "os_type", ("Linux", "Windows"), "IMG.0122", "Linux"))
    architecture, firmware = check_firmware(body)
    return dict(fields, case="file", min_disk=check_min_disk(body, 1, 1024), os_version=check_os_version(body, True),
                os_type=check_choice(body, "os_type", OS_TYPES, "IMG.0122"), is_config=False,
                architecture=architecture, hw_firmware_type=firmware, license_type=license_type)
