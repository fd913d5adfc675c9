"""What an image is: its fields, their values and the rules of changing them.

docs/dev/ims-api.md, "images", "members" and "tags" (and the public pages of the native
OpenStack image API, support.huaweicloud.com/api-ims/).
"""

from __future__ import annotations

import functools
import re

from ..core.util import is_int
from .exceptions import bad_request, conflict, forbidden

DISK_FORMATS = ("vhd", "zvhd", "zvhd2", "raw", "qcow2", "iso")
CONTAINER_FORMATS = ("bare",)
IMAGE_STATUSES = ("queued", "saving", "active", "killed", "deleted")
MEMBER_STATUSES = ("accepted", "rejected", "pending")
PUBLIC_TYPES = ("gold", "market")
PATCH_CONTENT_TYPES = ("application/openstack-images-v2.1-json-patch",
                       "application/openstack-images-v2.0-json-patch")

# Attributes the server owns: never written by create or update (403 on update).
READ_ONLY = frozenset({
    "id", "status", "owner", "created_at", "updated_at", "deleted_at", "active_at", "self", "file",
    "schema", "checksum", "size", "virtual_size", "locations", "direct_url", "visibility",
    "__imagetype", "__isregistered", "__image_size", "__image_source_type",
})
# Attributes that can only change while the image has no file yet (403 otherwise, as in Glance).
QUEUED_ONLY = ("container_format", "disk_format")
# Attributes every image has: they can be changed but not removed (403 on remove).
BASE_ATTRIBUTES = frozenset({
    "name", "container_format", "disk_format", "min_disk", "min_ram", "protected", "tags",
    "virtual_env_type",
}) | READ_ONLY
# The fields of a create request that are not free properties.
STANDARD_CREATE_FIELDS = ("name", "container_format", "disk_format", "min_disk", "min_ram", "protected",
                          "tags", "visibility", "id")

# __os_version keyword -> (__platform, __os_type); the first keyword found wins.
KNOWN_OSES = (
    ("windows", "Windows", "Windows"),
    ("ubuntu", "Ubuntu", "Linux"),
    ("centos", "CentOS", "Linux"),
    ("debian", "Debian", "Linux"),
    ("euleros", "EulerOS", "Linux"),
    ("red hat", "Red Hat", "Linux"),
    ("redhat", "Red Hat", "Linux"),
    ("opensuse", "OpenSUSE", "Linux"),
    ("suse", "SUSE", "Linux"),
    ("oracle linux", "Oracle Linux", "Linux"),
    ("fedora", "Fedora", "Linux"),
    ("coreos", "CoreOS", "Linux"),
    ("other linux", "Other", "Linux"),
)
DEFAULT_OS_VERSION = "Other Linux(64 bit)"


@functools.lru_cache(maxsize=1024)
def os_fields(os_version: str) -> tuple:
    """(__os_type, __platform, __os_bit) derived from an ``__os_version``."""
    lowered = os_version.lower()
    platform, os_type = "Other", "Other"
    for keyword, known_platform, known_type in KNOWN_OSES:
        if keyword in lowered:
            platform, os_type = known_platform, known_type
            break
    bit = "32" if re.search(r"32\s*-?\s*bit", lowered) else "64"
    return os_type, platform, bit


def tag_error(tag) -> str | None:
    """Why a tag is invalid, or None."""
    if not isinstance(tag, str):
        return "a tag must be a string"
    if not tag:
        return "a tag must not be empty"
    if len(tag) > 255:
        return "a tag has at most 255 characters"
    if "/" in tag:
        return "a tag must not contain '/'"
    return None


def validate_standard(name: str, value):
    """Check a standard attribute's value; return the value to store (400 IMG.0001 if wrong)."""
    if name == "name":
        if not isinstance(value, str) or len(value) > 255:
            raise bad_request("name must be a string of at most 255 characters")
    elif name == "container_format":
        if value not in CONTAINER_FORMATS:
            raise bad_request("container_format must be bare")
    elif name == "disk_format":
        if value not in DISK_FORMATS:
            raise bad_request("disk_format must be one of %s" % ", ".join(DISK_FORMATS))
    elif name == "min_disk":
        if not is_int(value) or not 0 <= value <= 1024:
            raise bad_request("min_disk must be an integer from 0 to 1024")
    elif name == "min_ram":
        if not is_int(value) or value < 0:
            raise bad_request("min_ram must be a non-negative integer")
    elif name == "protected":
        if not isinstance(value, bool):
            raise bad_request("protected must be true or false")
    elif name == "tags":
        if not isinstance(value, list):
            raise bad_request("tags must be a list of strings")
        for tag in value:
            problem = tag_error(tag)
            if problem:
                raise bad_request(problem)
        return list(dict.fromkeys(value))
    elif name == "virtual_env_type":
        if not isinstance(value, str):
            raise bad_request("virtual_env_type must be a string")
    elif not isinstance(value, str):
        raise bad_request("the value of %s must be a string" % name)
    return value


def visibility_error(value, shared_allowed: bool) -> str | None:
    """Why a ``visibility`` a user gives is refused, or None. Users make ``private`` images;
    ``shared`` only with X-Api-Version 2.5 or later; ``public`` never (the platform's)."""
    if value == "private" or (value == "shared" and shared_allowed):
        return None
    return "visibility must be private or shared" if shared_allowed else "visibility must be private"


def apply_operation(image: dict, operation, shared_allowed: bool = False) -> None:
    """Apply one JSON-patch operation of an update to ``image`` (a private copy).

    ``shared_allowed`` (X-Api-Version 2.5 or later): ``visibility`` may be replaced by
    ``private`` or ``shared`` (400 another value, 403 ``public``); otherwise it is read-only."""
    if not isinstance(operation, dict):
        raise bad_request("each operation must be an object")
    op, path = operation.get("op"), operation.get("path")
    if op not in ("add", "replace", "remove"):
        raise bad_request("op must be add, replace or remove")
    if not isinstance(path, str) or not path.startswith("/") or "/" in path[1:]:
        raise bad_request("path must be /attribute")
    name = path[1:].replace("~1", "/").replace("~0", "~")
    if not name:
        raise bad_request("path must be /attribute")
    if name == "visibility" and shared_allowed and op != "remove":
        if "value" not in operation:
            raise bad_request("%s needs a value" % op)
        if operation["value"] == "public":
            raise forbidden("Only the platform publishes public images.")
        problem = visibility_error(operation["value"], True)
        if problem:
            raise bad_request(problem)
        image[name] = operation["value"]
        return
    if name in READ_ONLY:
        raise forbidden("Attribute %s is read-only." % name)
    if op == "remove":
        if name in BASE_ATTRIBUTES:
            raise forbidden("Attribute %s cannot be removed." % name)
        if name not in image:
            raise conflict("Property %s does not exist." % name)
        del image[name]
        return
    if "value" not in operation:
        raise bad_request("%s needs a value" % op)
    # IMS: add on an existing attribute replaces it; replace of a missing one adds it.
    image[name] = validate_standard(name, operation["value"])


def new_image(*, image_id, owner, name, created_at, updated_at=None, status="queued",
              imagetype="private", protected=False, tags=(), container_format="bare",
              disk_format="zvhd2", min_disk=0, min_ram=0, os_version=None, properties=None) -> dict:
    """Every field of a created image, with IMS's types (docs/dev/ims-api.md, "images")."""
    os_version = os_version or DEFAULT_OS_VERSION
    os_type, platform, bit = os_fields(os_version)
    image = {
        "schema": "/v2/schemas/image",
        "id": image_id,
        "name": name,
        "status": status,
        "visibility": "public" if imagetype in PUBLIC_TYPES else "private",
        "protected": protected,
        "tags": list(tags),
        "container_format": container_format,
        "disk_format": disk_format,
        "min_disk": min_disk,
        "min_ram": min_ram,
        "owner": owner,
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "self": "/v2/images/" + image_id,
        "file": "/v2/images/%s/file" % image_id,
        "checksum": None,
        "size": None,
        "virtual_size": None,
        "virtual_env_type": "FusionCompute",
        "__image_source_type": "uds",
        "__image_size": "0",
        "__isregistered": "true",
        "__imagetype": imagetype,
        "__os_version": os_version,
        "__os_type": os_type,
        "__platform": platform,
        "__os_bit": bit,
    }
    if properties:
        image.update(properties)
    return image


def mark_active(image: dict, size: int, checksum: str, when: str) -> None:
    image.update(status="active", size=size, checksum=checksum, active_at=when)
    image["__image_size"] = str(size)


def new_member(image_id: str, member_id: str, status: str, when: str) -> dict:
    return {"member_id": member_id, "image_id": image_id, "status": status, "created_at": when,
            "updated_at": when, "schema": "/v2/schemas/member"}
