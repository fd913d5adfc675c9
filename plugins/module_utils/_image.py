# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What an image task wants, compared with what IMS has: pure functions, unit-tested.

Private to this collection: the API may change without notice.
"""

from __future__ import annotations

import hashlib
import re

from ._tags import TagError, normalize_tags

DISK_FORMATS = ("vhd", "zvhd", "zvhd2", "raw", "qcow2", "iso")
CONTAINER_FORMATS = ("bare",)
NAME_MAX = 128
DESCRIPTION_MAX = 1024
MIN_DISK_MAX = 1024
# AK/SK-signed request bodies are capped by the API gateway (413 above).
AKSK_UPLOAD_LIMIT = 12 * 1024 * 1024
_PROJECT_ID = re.compile(r"^[0-9a-f]{32}$")

# Standard attributes an option manages, by option name.
STANDARD_OPTIONS = ("name", "container_format", "disk_format", "min_disk", "min_ram", "protected", "visibility")
# IMS properties an option manages: option name -> property.
PROPERTY_OPTIONS = {"os_version": "__os_version", "description": "__description"}
# Only while the image is queued (no file yet) can these change.
QUEUED_ONLY = ("container_format", "disk_format")
# Fields IMS owns or derives: never written, never purged.
IMS_FIELDS = frozenset((
    "id", "status", "owner", "created_at", "updated_at", "deleted_at", "active_at", "self", "file", "schema",
    "checksum", "size", "virtual_size", "locations", "direct_url", "visibility", "max_ram", "virtual_env_type",
    "__imagetype", "__isregistered", "__image_size", "__image_source_type", "__image_location", "__os_type",
    "__platform", "__os_bit", "__originalimagename", "__backup_id", "__data_origin", "__root_origin",
    "__productcode", "__sequence_num", "__lazyloading", "__is_config_init", "__is_offshelved", "__account_code",
    "__system__cmkid", "__os_feature_list", "__support_agent_list", "enterprise_project_id",
    "_sys_enterprise_project_id", "os_hash_algo", "os_hash_value", "os_hidden", "stores",
))
# Fields an option of ims_image manages: field -> option.
OPTION_FIELDS = dict([(option, option) for option in STANDARD_OPTIONS + ("tags",)]
                     + [(prop, option) for option, prop in PROPERTY_OPTIONS.items()])
SHARED_TYPES = ("gold", "market", "shared")
# The options that say what a new image is: a task that gives none of them never creates one.
# A new source of an image (another image, a server, a volume...) is one more name here.
CREATE_SOURCES = ("disk_format", "filename", "instance_id", "backup_id", "volume_id", "image_url")


def property_value(value):
    """The string IMS stores for a property value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def validate_options(params):
    """Messages for option values IMS would refuse, each naming the option."""
    problems = []
    name = params.get("name")
    if name is not None and not 1 <= len(name) <= NAME_MAX:
        problems.append("name must be 1 to %d characters long; got %d" % (NAME_MAX, len(name)))
    if params.get("id") == "":
        problems.append("id must not be empty")
    min_disk = params.get("min_disk")
    if min_disk is not None and not 0 <= min_disk <= MIN_DISK_MAX:
        problems.append("min_disk must be from 0 to %d (GB); got %d" % (MIN_DISK_MAX, min_disk))
    if params.get("min_ram") is not None and params["min_ram"] < 0:
        problems.append("min_ram must be 0 or more (MB); got %d" % params["min_ram"])
    try:
        normalize_tags(params.get("tags"))
    except TagError as exc:
        problems.append(str(exc))
    description = params.get("description")
    if description is not None and len(description) > DESCRIPTION_MAX:
        problems.append("description must be at most %d characters; got %d" % (DESCRIPTION_MAX, len(description)))
    for key, value in (params.get("properties") or {}).items():
        if key in OPTION_FIELDS:
            problems.append("properties must not set %s: use the %s option" % (key, OPTION_FIELDS[key]))
        elif key in IMS_FIELDS:
            problems.append("properties must not set %s: IMS sets it" % key)
        elif not key:
            problems.append("properties keys must not be empty")
        if not isinstance(value, (str, int, float, bool)):
            problems.append("properties values must be strings, numbers or booleans; %s is %r" % (key, value))
    for member in params.get("members") or []:
        if not _PROJECT_ID.match(member):
            problems.append("members must be project ids (32 hexadecimal characters); got %r" % member)
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 1:
        problems.append("wait_timeout must be 1 or more (seconds); got %d" % params["wait_timeout"])
    return problems


def desired_fields(params):
    """The image fields (standard and properties) the task sets, as IMS stores them."""
    fields = {}
    for option in STANDARD_OPTIONS:
        if params.get(option) is not None:
            fields[option] = params[option]
    for option, prop in PROPERTY_OPTIONS.items():
        if params.get(option) is not None:
            fields[prop] = params[option]
    for key, value in (params.get("properties") or {}).items():
        fields[key] = property_value(value)
    return fields


def create_body(params):
    """The ``POST /v2/images`` body for a new image."""
    body = {"container_format": "bare", "visibility": "private"}
    body.update(desired_fields(params))
    if params.get("tags") is not None:
        body["tags"] = list(dict.fromkeys(params["tags"]))
    return body


def create_refusal(params, project_id=None, killed=None):
    """Why the task must not create its image, which does not exist (None when the task says what it is).

    An image is created only when the task gives one of CREATE_SOURCES (its ``disk_format`` or a
    ``filename``): a task that only names an image, say to change ``min_ram``, has a typo in the name
    or the wrong project far more often than it means a new, empty image. ``killed``: the killed
    image that ``replace_failed`` would delete to create the new one.
    """
    where = "project %s" % project_id if project_id else "this project"
    how = ("disk_format (an empty image to upload into later, e.g. disk_format: qcow2), filename (the file to upload) "
           "or the source IMS makes it from (instance_id, backup_id, volume_id or image_url)")
    if params.get("id") and killed is None:
        return ("no image with id %s exists in %s; images are created by name: leave id out, and give name with %s"
                % (params["id"], where, how))
    if any(params.get(option) is not None for option in CREATE_SOURCES):
        return None
    if killed is not None:
        return ("image %s (%r) is killed, and replace_failed would delete it and create a new image, but the task "
                "does not say what that image is; set %s" % (killed.get("id"), killed.get("name"), how))
    return ("no image named %r exists in %s (among its own private images), and the task does not say what a new "
            "image would be, so none is created; to create it, set %s; to change an existing image, check name "
            "(or give its id) and project_id" % (params.get("name"), where, how))


def target_tags(live_tags, tags, purge):
    """The tag list the image should end with (None: leave the tags alone)."""
    if tags is None:
        return None
    wanted = list(dict.fromkeys(tags))
    if purge:
        return wanted
    return list(live_tags) + [tag for tag in wanted if tag not in live_tags]


def user_properties(image):
    """The properties of ``image`` a user set (neither standard nor IMS-owned)."""
    return {key: value for key, value in image.items()
            if key not in IMS_FIELDS and key not in OPTION_FIELDS}


def immutable_changes(image, params):
    """Messages for fields that differ but cannot change on ``image`` any more."""
    if image.get("status") == "queued":
        return []
    problems = []
    for option in QUEUED_ONLY:
        wanted = params.get(option)
        if wanted is not None and image.get(option) != wanted:
            problems.append("%s cannot be changed on image %s once it is %s (it is %s, the task asks for %s): "
                            "create a new image instead" % (option, image.get("id"), image.get("status"),
                                                            image.get(option), wanted))
    return problems


def pointer(key):
    """The JSON pointer (RFC 6901) of the top-level member ``key``: ``~`` is ``~0`` and ``/`` is ``~1``."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


def pointer_key(path):
    """The top-level member named by the JSON pointer ``path`` (what :func:`pointer` made)."""
    return path[1:].replace("~1", "/").replace("~0", "~")


def build_patch(image, params):
    """The minimal JSON patch that makes ``image`` what the task asks for.

    ``replace`` for attributes the image has, ``add`` for those it lacks, ``remove``
    for user properties only with ``purge_properties``.
    """
    patch = []
    for field, value in sorted(desired_fields(params).items()):
        if field in image and image[field] == value:
            continue
        patch.append({"op": "replace" if field in image else "add", "path": pointer(field), "value": value})
    live_tags = image.get("tags") or []
    tags = target_tags(live_tags, params.get("tags"), params.get("purge_tags", True))
    if tags is not None and sorted(tags) != sorted(live_tags):
        patch.append({"op": "replace", "path": "/tags", "value": tags})
    if params.get("purge_properties"):
        keep = set(params.get("properties") or {})
        for key in sorted(user_properties(image)):
            if key not in keep:
                patch.append({"op": "remove", "path": pointer(key)})
    return patch


def apply_patch(image, patch):
    """``image`` as it will be after ``patch`` (to predict results in check mode)."""
    result = dict(image)
    for operation in patch:
        key = pointer_key(operation["path"])
        if operation["op"] == "remove":
            result.pop(key, None)
        else:
            result[key] = operation["value"]
    return result


def member_changes(current, wanted, purge):
    """(to add, to remove) for the member project ids ``wanted`` (None: leave alone)."""
    if wanted is None:
        return [], []
    wanted = list(dict.fromkeys(wanted))
    add = [member for member in wanted if member not in current]
    remove = [member for member in current if member not in wanted] if purge else []
    return add, remove


def pick_duplicate(images, policy, name):
    """One image among several own images named ``name``; ValueError when ``policy`` is fail."""
    if len(images) <= 1:
        return images[0] if images else None
    ordered = sorted(images, key=lambda image: (image.get("created_at") or "", image.get("id") or ""))
    if policy == "newest":
        return ordered[-1]
    if policy == "oldest":
        return ordered[0]
    listing = ", ".join("%s (created %s)" % (image.get("id"), image.get("created_at")) for image in ordered)
    raise ValueError("found %d images named %r in this project: %s; set on_duplicate to newest or oldest to "
                     "pick one, or give its id" % (len(images), name, listing))


def foreign_reason(image, project_id):
    """Why ``image`` is not this project's to change (None when it is)."""
    imagetype = image.get("__imagetype")
    if imagetype in SHARED_TYPES:
        return "it is a %s image" % imagetype
    if project_id and image.get("owner") and image["owner"] != project_id:
        return "it belongs to project %s" % image["owner"]
    return None


def managed_view(image, params, members=None, checksum=None):
    """The fields the task manages, for diff mode (``{}``-like ``state: absent`` when there is no image)."""
    if image is None:
        return {"state": "absent"}
    view = {"state": "present", "id": image.get("id"), "status": image.get("status")}
    for option in STANDARD_OPTIONS:
        if params.get(option) is not None:
            view[option] = image.get(option)
    for option, prop in PROPERTY_OPTIONS.items():
        if params.get(option) is not None:
            view[option] = image.get(prop)
    if params.get("tags") is not None:
        view["tags"] = sorted(image.get("tags") or [])
    if params.get("purge_properties"):
        view["properties"] = dict(sorted(user_properties(image).items()))
    elif params.get("properties"):
        view["properties"] = {key: image[key] for key in sorted(params["properties"]) if key in image}
    if params.get("members") is not None:
        view["members"] = sorted(members or [])
    if params.get("filename"):
        view["checksum"] = checksum if checksum is not None else image.get("checksum")
    return view


def file_digest(path, chunk_size=1024 * 1024):
    """(MD5 hex, size) of a file, read in chunks (never whole into memory)."""
    digest = hashlib.md5(usedforsecurity=False)  # IMS's checksum, not a security measure
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def upload_needed(image, digest, filename):
    """Whether the file (``digest``: MD5, size) must be uploaded into ``image`` (None: not created yet).

    ValueError when ``image`` is active with another file, which IMS cannot replace.
    """
    if not digest:
        return False
    if image is None:
        return True
    status = image.get("status")
    if status == "queued":
        return True
    if status == "active" and image.get("checksum") and image["checksum"] != digest[0]:
        raise ValueError("image %s (%r) is active with checksum %s but %s has checksum %s; the file of an image "
                         "cannot be replaced: create a new image (another name), or delete this one first"
                         % (image["id"], image.get("name"), image["checksum"], filename, digest[0]))
    return False


def upload_size_problem(digest, filename, signs_requests):
    """Why the file cannot be uploaded with these credentials (None when it can)."""
    if signs_requests and digest[1] > AKSK_UPLOAD_LIMIT:
        return ("filename %s is %d bytes, but the API gateway accepts at most 12 MB in a request signed "
                "with AK/SK; upload it with auth_token or user_name/password instead" % (filename, digest[1]))
    return None


def protected_reason(image):
    """Why ``image`` cannot be deleted as it is (None when it can)."""
    if image.get("protected"):
        return ("image %s (%r) is protected and cannot be deleted; to delete it, first run this module "
                "with protected: false (state: present), then with state: absent" % (image["id"], image.get("name")))
    return None


def members_hint(image):
    """What to do when the server refused a member of ``image`` because it is not shared."""
    return ("the server refuses members on an image whose visibility is %s (upstream Glance, and IMS with "
            "X-Api-Version 2.5 or later): set visibility: shared on this task to share image %s (%r) with members"
            % (image.get("visibility") or "private", image.get("id"), image.get("name")))


def protected_hint(image):
    """What to do when the server refused to delete ``image`` because it is protected."""
    return ("image %s (%r) is protected: to delete it, first run this module with protected: false "
            "(state: present), then with state: absent" % (image.get("id"), image.get("name")))


def killed_reason(image):
    """The message for a killed ``image`` the task may not replace."""
    return ("image %s (%r) is killed (an earlier upload failed); set replace_failed: true to delete "
            "it and create it again" % (image["id"], image.get("name")))
