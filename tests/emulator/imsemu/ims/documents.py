"""The documents Glance clients read before any image call: the version documents and the schemas.

IMS documents them on its native OpenStack pages (support.huaweicloud.com/api-ims/, "Querying
API Versions", "Querying an API Version", "Image Schema"): ``GET /`` and ``GET /v2`` answer 300
with a ``versions`` list whose links are built from the request's host; the schemas follow
Glance's JSON-schema shape. The image schema lists the fields the emulator's images really carry
(``images.new_image``), typed as they are served; anything else is ``additionalProperties``.
"""

from __future__ import annotations

import re

from .images import CONTAINER_FORMATS, DISK_FORMATS, IMAGE_STATUSES, MEMBER_STATUSES

# (id, status) of the versions the emulator serves; all of them live under /v2/.
# IMS also lists v1.1 and v1.0 (DEPRECATED, /v1/); the emulator has no v1 API, so it does not.
VERSIONS = (("v2.2", "CURRENT"), ("v2.1", "SUPPORTED"), ("v2.0", "SUPPORTED"))


# The image API version from which Glance lets only ``visibility: shared`` images have members
# (Image API 2.5, Ocata). IMS answers the older semantics unless X-Api-Version asks for more.
SHARED_VISIBILITY_VERSION = (2, 5)
_API_VERSION_RE = re.compile(r"^\s*(?:image\s+)?v?(\d+)\.(\d+)\s*$", re.IGNORECASE)


def requested_api_version(ctx) -> tuple | None:
    """(major, minor) of the request's ``X-Api-Version`` (``2.5``, ``v2.5`` or ``image 2.5``), or None
    when the header is absent or says no version in that form (IMS's default semantics then)."""
    match = _API_VERSION_RE.match(ctx.headers.get("X-Api-Version") or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def shared_visibility_semantics(ctx) -> bool:
    """True when the request asks for Image API 2.5 or later: only shared images have members,
    and ``visibility`` may be ``shared`` on create and be changed between private and shared."""
    version = requested_api_version(ctx)
    return version is not None and version >= SHARED_VISIBILITY_VERSION


def versions_document(origin: str) -> dict:
    return {"versions": [{"id": version, "status": status, "links": [{"href": origin + "/v2/", "rel": "self"}]}
                         for version, status in VERSIONS]}


def _string(description: str, **extra) -> dict:
    return dict(type="string", description=description, **extra)


def _nullable(kind: str, description: str) -> dict:
    return {"type": [kind, "null"], "description": description + " (READ-ONLY)"}


IMAGE_PROPERTIES = {
    "id": _string("An identifier for the image", pattern="^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                  "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"),
    "name": _string("Descriptive name for the image", maxLength=255),
    "status": _string("Status of the image (READ-ONLY)", enum=list(IMAGE_STATUSES)),
    "visibility": _string("Scope of image accessibility", enum=["public", "private", "shared"]),
    "protected": {"type": "boolean", "description": "If true, image will not be deletable."},
    "tags": {"type": "array", "description": "List of strings related to the image",
             "items": {"type": "string", "maxLength": 255}},
    "container_format": _string("Format of the container", enum=list(CONTAINER_FORMATS)),
    "disk_format": _string("Format of the disk", enum=list(DISK_FORMATS)),
    "min_disk": {"type": "integer", "description": "Amount of disk space (in GB) required to boot image."},
    "min_ram": {"type": "integer", "description": "Amount of ram (in MB) required to boot image."},
    "owner": _string("Owner of the image (READ-ONLY)"),
    "created_at": _string("Date and time of image registration (READ-ONLY)"),
    "updated_at": _string("Date and time of the last image modification (READ-ONLY)"),
    "active_at": _string("Date and time the image file was uploaded (READ-ONLY)"),
    "self": _string("An image self url (READ-ONLY)"),
    "file": _string("An image file url (READ-ONLY)"),
    "schema": _string("An image schema url (READ-ONLY)"),
    "checksum": _nullable("string", "md5 hash of image contents"),
    "size": _nullable("integer", "Size of image file in bytes"),
    "virtual_size": _nullable("integer", "Virtual size of image in bytes"),
    "virtual_env_type": _string("Platform type: FusionCompute, Ironic, DataImage or IsoImage"),
    "__image_source_type": _string("Backend storage of the image (READ-ONLY)"),
    "__image_size": _string("Size of the image file in bytes, as a string (READ-ONLY)"),
    "__isregistered": _string("Whether the image is registered (READ-ONLY)"),
    "__imagetype": _string("Image type (READ-ONLY)", enum=["gold", "private", "shared", "market"]),
    "__os_version": _string("Operating system version"),
    "__os_type": _string("Operating system type, derived from __os_version", enum=["Linux", "Windows", "Other"]),
    "__platform": _string("Operating system platform, derived from __os_version"),
    "__os_bit": _string("Operating system bits, derived from __os_version", enum=["32", "64"]),
}

MEMBER_PROPERTIES = {
    "image_id": _string("An identifier for the image"),
    "member_id": _string("An identifier for the image member (project id)"),
    "status": _string("The status of this image member", enum=list(MEMBER_STATUSES)),
    "created_at": _string("Date and time of image member creation"),
    "updated_at": _string("Date and time of last modification of image member"),
    "schema": _string("A member schema url (READ-ONLY)"),
}


def image_schema() -> dict:
    return {"name": "image", "additionalProperties": {"type": "string"},
            "links": [{"href": "{self}", "rel": "self"}, {"href": "{file}", "rel": "enclosure"},
                      {"href": "{schema}", "rel": "describedby"}],
            "properties": {name: dict(spec) for name, spec in IMAGE_PROPERTIES.items()}}


def images_schema() -> dict:
    return {"name": "images",
            "links": [{"href": "{first}", "rel": "first"}, {"href": "{next}", "rel": "next"},
                      {"href": "{schema}", "rel": "describedby"}],
            "properties": {"images": {"type": "array", "items": image_schema()},
                           "schema": {"type": "string"}, "first": {"type": "string"}, "next": {"type": "string"}}}


def member_schema() -> dict:
    return {"name": "member", "properties": {name: dict(spec) for name, spec in MEMBER_PROPERTIES.items()}}


def members_schema() -> dict:
    return {"name": "members", "links": [{"href": "{schema}", "rel": "describedby"}],
            "properties": {"members": {"type": "array", "items": member_schema()}, "schema": {"type": "string"}}}


SCHEMAS = {"image": image_schema, "images": images_schema, "member": member_schema, "members": members_schema}
