"""``GET /v2/cloudimages``: IMS's native list, and the native shape of an image.

docs/dev/ims-api.md, "The native list, the quota and the os_version catalogue" (the SDK's
ListImagesRequest and ImageInfo). The filters, sorting and marker paging are those of the
Glance listing (``listing.py``); this adds the native parameters, the native defaults (a
page of 500, registered images only) and the native shape. README "The native list" is the
specification.
"""

from __future__ import annotations

from ..core.util import UUID_RE, is_int
from .exceptions import bad_request
from .images import IMAGE_STATUSES, PUBLIC_TYPES
from .listing import ImageListing, property_matches

DEFAULT_ENTERPRISE_PROJECT = "0"
ALL_ENTERPRISE_PROJECTS = "all_granted_eps"
# Query parameters whose values IMS enumerates: a value outside the list is a 400.
ENUMERATED = {
    "__isregistered": ("true", "false"),
    "__os_bit": ("32", "64"),
    "__os_type": ("Linux", "Windows", "Other"),
    "__whole_image": ("true", "false"),
    "architecture": ("x86", "arm"),
    "status": IMAGE_STATUSES,
    "virtual_env_type": ("FusionCompute", "Ironic", "DataImage", "IsoImage"),
}


def enterprise_project_of(image: dict):
    """The enterprise project of an image: its own, else the default ``0``; None for a public
    or market image (the platform's, in no enterprise project of the caller)."""
    if image.get("__imagetype") in PUBLIC_TYPES:
        return image.get("enterprise_project_id")
    return image.get("enterprise_project_id") or DEFAULT_ENTERPRISE_PROJECT


def architecture_of(image: dict) -> str:
    """``architecture`` as IMS filters it: the property, else ``arm`` for an image that says
    ``__support_arm``, else ``x86``."""
    value = image.get("architecture")
    if isinstance(value, str) and value:
        return value
    return "arm" if image.get("__support_arm") == "true" else "x86"


def native_view(image: dict) -> dict:
    """The image as the native list shows it (the SDK's ImageInfo): the Glance view with
    ``__description`` for ``description``, ``max_ram`` and ``__image_size`` as strings and the
    image's ``enterprise_project_id``."""
    seen = dict(image)
    if "description" in seen:
        description = seen.pop("description")
        seen.setdefault("__description", description)
    for name in ("max_ram", "__image_size"):
        if is_int(seen.get(name)):
            seen[name] = str(seen[name])
    enterprise_project = enterprise_project_of(image)
    if enterprise_project is not None:
        seen["enterprise_project_id"] = enterprise_project
    return seen


class NativeListing(ImageListing):
    """One ``GET /v2/cloudimages`` query (README "The native list")."""

    DEFAULT_LIMIT = 500

    def __init__(self, pairs: list):
        super().__init__(pairs)
        # "Ordinary users can only list images whose __isregistered is true" (the SDK's ListImagesRequest).
        self.filters.append(lambda image: image.get("__isregistered") == "true")

    def _filter(self, name: str, value: str):
        if name in ENUMERATED and value not in ENUMERATED[name]:
            raise bad_request("%s must be one of %s" % (name, ", ".join(ENUMERATED[name])))
        if name == "flavor_id":
            raise bad_request("flavor_id: the emulator has no flavors to filter public images by")
        if name == "enterprise_project_id":
            if value == ALL_ENTERPRISE_PROJECTS:
                return lambda image: True
            if value != DEFAULT_ENTERPRISE_PROJECT and not UUID_RE.match(value):
                raise bad_request("enterprise_project_id must be 0, all_granted_eps or an enterprise project id")
            return lambda image: enterprise_project_of(image) == value
        if name == "architecture":
            return lambda image: architecture_of(image) == value
        if name == "__whole_image":  # an image that does not say is not a full-server image
            return lambda image: property_matches(image.get("__whole_image", False), value)
        return ImageListing._filter(name, value)

    def run(self, store, project: str) -> dict:
        """``{"images": [...]}``: no ``page_info`` (TF observes that IMS gives no marker: the
        next page starts after the last image's id)."""
        return {"images": [native_view(image) for image in self.page(store, project)]}
