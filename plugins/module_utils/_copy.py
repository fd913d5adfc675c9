# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Copying an image, within its region or to another: the options, the request, what IMS refuses, the copy after.

Private to this collection: the API may change without notice. The wire facts (the official
SDK's CopyImageInRegionRequestBody and CopyImageCrossRegionRequestBody):

- within a region, ``POST /v1/cloudimages/{image_id}/copy`` with ``name``, ``description``,
  ``cmk_id``, ``enterprise_project_id``;
- across regions, ``POST /v1/cloudimages/{image_id}/cross_region_copy`` with ``name``,
  ``description``, ``region``, ``project_name``, ``agency_name``, ``vault_id``; sent to the source
  region, whose job names the new image (``entities.image_id``) in the destination.

Neither takes ``min_ram``, ``max_ram`` or tags: they are applied to the copy once it exists, in
the destination, with the JSON patch ``ims_image`` sends (:func:`_image.build_patch`). Pure
functions, unit-tested; the module ``ims_image_copy`` runs them.
"""

from __future__ import annotations

import re

from urllib.parse import quote

from ._connection import REGION_PLACEHOLDER, _REGION, credential_kind
from ._image import apply_patch, build_patch, managed_view, pick_duplicate, validate_options
from ._native import recorded_kind
from ._native_create import REFUSAL_HINTS
from ._tags import normalize_tags

IN_REGION_PATH = "/v1/cloudimages/%s/copy"
CROSS_REGION_PATH = "/v1/cloudimages/%s/cross_region_copy"
_PROJECT_ID = re.compile(r"^[0-9a-f]{32}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# The options of a copy to another region only, and of a copy within the region only.
CROSS_ONLY = ("target_project_name", "target_project_id", "agency_name", "vault_id")
IN_REGION_ONLY = ("cmk_id", "enterprise_project_id")
# What the copy is made with, then has applied: option -> the image field ims_image's patch manages.
AFTER_COPY = ("min_ram", "max_ram", "tags", "description")

# What a refusal of the copy asks the task to change (IMS's error codes; docs/dev/ims-native-api.md, "Error codes").
COPY_HINTS = dict(REFUSAL_HINTS, **{
    "IMG.0104": "the destination region has several projects: set target_project_name (or target_project_id) to "
                "the one to copy into",
    "IMG.0145": "check target_project_name: a project of the destination region (by default the region's name)",
    "IMG.0130": "a full-server image is copied only to another region (target_region, with vault_id)",
    "IMG.0179": "check agency_name: an IAM agency that lets IMS act in the destination region",
    "IMG.0189": "check vault_id: a CBR vault in the destination region that can hold a full-server image",
    "IMG.0196": "an image shared with this project cannot be copied as it is: check image, and IMS's rules on "
                "copying shared images",
    "IMG.0197": "an image shared with this project cannot be copied as it is: check image, and IMS's rules on "
                "copying shared images",
    "IMG.0096": "cmk_id must differ from the key the source image is encrypted with",
    "IMG.0095": "check cmk_id: a KMS key of this region and project",
    "IMG.0060": "IMS's flow control refused the copy, so nothing was copied: run the task again later, with fewer "
                "copies at once (IMS copies at most 5 images to other regions at a time)",
})


def target_region(params):
    """The destination region: ``target_region``, else the source's (``region``)."""
    return params.get("target_region") or params.get("region")


def crosses(params):
    """Whether the task copies to another region than the source's."""
    return bool(params.get("target_region")) and params["target_region"] != params.get("region")


def is_image_id(value):
    """Whether ``image`` names an image by id (a UUID) rather than by name."""
    return bool(_UUID.match(value or ""))


def copy_problems(params):
    """Every problem of the options of a copy, before any request, each naming the option."""
    problems = []
    if not (params.get("image") or "").strip():
        problems.append("image must be the id or the name of the image to copy; got %r" % params.get("image"))
    problems += validate_options({"name": params.get("name"), "description": params.get("description"),
                                  "tags": params.get("tags"), "min_ram": params.get("min_ram"),
                                  "wait_timeout": params.get("wait_timeout")})
    low, high = params.get("min_ram"), params.get("max_ram")
    if high is not None and high < 0:
        problems.append("max_ram must be 0 or more (MB); got %d" % high)
    if low is not None and high is not None and high and low > high:
        problems.append("min_ram (%d) must not be more than max_ram (%d)" % (low, high))
    region, target = params.get("region"), params.get("target_region")
    if target is not None and not _REGION.match(target):
        problems.append("target_region must be a Huawei Cloud region name such as cn-north-4 or ap-southeast-1; got %r"
                        % target)
        return problems
    if target and not region:
        problems.append("target_region needs region (HW_REGION_NAME), the source image's region, to tell a copy to "
                        "another region from one within it")
        return problems
    if not crosses(params):
        problems += ["%s applies only to a copy to another region (target_region other than region %s); leave it out"
                     % (option, region or "of ims_endpoint") for option in CROSS_ONLY if params.get(option) is not None]
        return problems
    problems += ["%s applies only to a copy within the region: IMS's copy to another region takes no %s; leave it out "
                 "(or leave target_region out)" % (option, option) for option in IN_REGION_ONLY
                 if params.get(option) is not None]
    if not params.get("agency_name"):
        problems.append("agency_name is required for a copy to another region (target_region %s): the IAM agency "
                        "that lets IMS act in the destination" % target)
    project_id = params.get("target_project_id")
    if project_id is not None and not _PROJECT_ID.match(project_id):
        problems.append("target_project_id must be a project id (32 hexadecimal characters); got %r" % project_id)
    if params.get("target_project_name") == "":
        problems.append("target_project_name must not be empty")
    problems += endpoint_problems(params)
    return problems


def endpoint_problems(params):
    """Why the destination of a copy to another region cannot be reached with these connection options."""
    problems = []
    target = params["target_region"]
    kind = credential_kind(params)
    # IAM is global: one iam_endpoint names every region's projects (GET /v3/projects?name=), so only IMS's counts.
    value = params.get("ims_endpoint")
    if value and REGION_PLACEHOLDER not in value:
        problems.append("ims_endpoint %r has no {region} placeholder, so the copy in target_region %s would be read at "
                        "the source's endpoint: write it with {region} (e.g. https://ims.{region}.example.com) or "
                        "unset ims_endpoint" % (value, target))
    if kind == "token":
        problems.append("auth_token is a token of the source's project and cannot reach a project of target_region "
                        "%s: use access_key/secret_key or user_name/password (with domain_name) for a copy to "
                        "another region" % target)
    return problems


def destination_options(params):
    """The connection options of the destination's client: the same credentials, ``target_region`` and its project.

    The project is ``target_project_id``, else the one IAM names ``target_project_name`` (by
    default the region's name, Huawei's default project name).
    """
    options = dict(params, region=params["target_region"], project_id=params.get("target_project_id"))
    options["project_name"] = None if params.get("target_project_id") else project_name(params)
    return options


def project_name(params):
    """The destination project's name, as the cross-region body sends it."""
    return params.get("target_project_name") or params["target_region"]


def copy_request(params, image_id):
    """(path, body) of the copy of image ``image_id``: only the fields the task sets."""
    quoted = quote(str(image_id), safe="")
    body = {"name": params["name"]}
    if params.get("description") is not None:
        body["description"] = params["description"]
    if not crosses(params):
        for option in IN_REGION_ONLY:
            if params.get(option) is not None:
                body[option] = params[option]
        return IN_REGION_PATH % quoted, body
    body.update(region=params["target_region"], project_name=project_name(params), agency_name=params["agency_name"])
    if params.get("vault_id") is not None:
        body["vault_id"] = params["vault_id"]
    return CROSS_REGION_PATH % quoted, body


def pick_source(images, image):
    """The one image named ``image`` among the project's own; ValueError when none is or several are."""
    if not images:
        raise ValueError("no image named %r exists among this project's own images in the source region; check "
                         "image (an id, or the name of an image of this project)" % image)
    try:
        return pick_duplicate(images, "fail", image)
    except ValueError as exc:
        raise ValueError("%s (of image, the image to copy)" % exc)


def source_refusal(image, params):
    """Why IMS would refuse to copy ``image`` as the task asks (None when it copies it), from the source's own fields."""
    cross = crosses(params)
    what = "image %s (%r)" % (image.get("id"), image.get("name"))
    kind = recorded_kind(image)
    if image.get("status") != "active":
        return "%s is %s: IMS copies only an active image; run the task again once it is" % (what, image.get("status"))
    if kind == "iso" or str(image.get("disk_format", "")).lower() == "iso":
        return "%s is an ISO image, which IMS does not copy (within a region or to another)" % what
    if kind == "whole" and not cross:
        return ("%s is a full-server image, which IMS copies only to another region (set target_region, agency_name "
                "and vault_id)" % what)
    if kind == "whole" and not params.get("vault_id"):
        return ("%s is a full-server image: its copy to target_region %s needs vault_id, a CBR vault there"
                % (what, params["target_region"]))
    if cross and image.get("__system__cmkid"):
        return ("%s is encrypted (KMS key %s), and IMS does not copy an encrypted image to another region; copy it "
                "within the region instead (cmk_id sets the copy's key)" % (what, image["__system__cmkid"]))
    if not cross and params.get("cmk_id") is not None and params["cmk_id"] == image.get("__system__cmkid"):
        return "cmk_id %s is the key %s is already encrypted with: give another key, or leave cmk_id out" % (
            params["cmk_id"], what)
    return None


def pick_copy(images, name):
    """The destination's own image named ``name`` (any status), None when there is none; ValueError for several or a killed one."""
    found = pick_duplicate(images, "fail", name)
    if found is not None and found.get("status") == "killed":
        raise ValueError("image %s named %r in the destination is killed (a copy failed): delete it (ims_image, "
                         "state: absent), then run the task again" % (found["id"], name))
    return found


def origin_warning(image, source_id):
    """A warning when the destination's image of the name was copied from another image (``__originalimagename``)."""
    origin = image.get("__originalimagename")
    if origin and source_id and origin != source_id:
        return ("image %s (%r) already exists in the destination, copied from image %s, not from %s (image): it is "
                "kept and not copied again; give another name to copy %s"
                % (image["id"], image.get("name"), origin, source_id, source_id))
    return None


def _patch_params(params):
    tags = normalize_tags(params.get("tags"))
    return {"min_ram": params.get("min_ram"), "description": params.get("description"), "tags": tags,
            "purge_tags": True}


def copy_patch(image, params):
    """The JSON patch that gives the copy what the task asks of it (ims_image's, and ``max_ram``)."""
    patch = build_patch(image, _patch_params(params))
    if params.get("max_ram") is not None:
        wanted = str(params["max_ram"])
        if "max_ram" not in image or str(image["max_ram"]) != wanted:
            patch.append({"op": "replace" if "max_ram" in image else "add", "path": "/max_ram", "value": wanted})
    return patch


def patched(image, patch):
    """``image`` as it will be after ``patch`` (check mode's prediction)."""
    return apply_patch(image, patch)


def copy_view(image, params, region):
    """The fields the task manages, for diff mode (``state: absent`` when there is no copy)."""
    view = managed_view(image, dict(_patch_params(params), name=params["name"]))
    if image is None:
        return view
    if params.get("max_ram") is not None:
        view["max_ram"] = image.get("max_ram")
    view["region"] = region
    return view


def predicted_copy(params, region):
    """The diff view of the copy IMS would make, before it exists (check mode)."""
    view = {"state": "present", "id": None, "status": "queued", "name": params["name"], "region": region}
    if params.get("min_ram") is not None:
        view["min_ram"] = params["min_ram"]
    if params.get("max_ram") is not None:
        view["max_ram"] = str(params["max_ram"])
    if params.get("description") is not None:
        view["description"] = params["description"]
    if params.get("tags") is not None:
        view["tags"] = sorted(dict.fromkeys(normalize_tags(params["tags"])))
    return view


def source_view(image, region):
    """The source as the result gives it."""
    return {"id": image.get("id"), "name": image.get("name"), "region": region}
