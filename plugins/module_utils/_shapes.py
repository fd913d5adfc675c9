# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shapes of the answers the collection reads, checked at the client's boundary.

Private to this collection: the API may change without notice. A broken gateway or an API
change can send ``null``, another type, or nothing where a field should be; each check here
raises :class:`ShapeError` saying what was wrong, and the client turns it into an error that
names the call and the request id, so no decision is ever made from such an answer. The
fields: docs/dev/ims-api.md, sections "Images", "Listing and paging" and "Members".
"""

from __future__ import annotations

_TEXT = (str,)
_OPTIONAL_TEXT = (str, type(None))
_INTEGER = (int, type(None))

# Fields of an image that the modules read: (required, accepted types). bool is an int
# subclass, so integers are checked apart (see _type_problem).
IMAGE_FIELDS = {
    "id": (True, _TEXT),
    "status": (True, _TEXT),
    "protected": (False, (bool,)),
    "name": (False, _OPTIONAL_TEXT),
    "owner": (False, _OPTIONAL_TEXT),
    "visibility": (False, _OPTIONAL_TEXT),
    "checksum": (False, _OPTIONAL_TEXT),
    "created_at": (False, _OPTIONAL_TEXT),
    "updated_at": (False, _OPTIONAL_TEXT),
    "container_format": (False, _OPTIONAL_TEXT),
    "disk_format": (False, _OPTIONAL_TEXT),
    "__imagetype": (False, _OPTIONAL_TEXT),
    "__os_version": (False, _OPTIONAL_TEXT),
    "__description": (False, _OPTIONAL_TEXT),
    "min_disk": (False, _INTEGER),
    "min_ram": (False, _INTEGER),
    "size": (False, _INTEGER),
    "tags": (False, (list,)),
}
MEMBER_FIELDS = {
    "member_id": (True, _TEXT),
    "status": (False, _OPTIONAL_TEXT),
    "image_id": (False, _OPTIONAL_TEXT),
    "created_at": (False, _OPTIONAL_TEXT),
    "updated_at": (False, _OPTIONAL_TEXT),
}

# One membership, as the member's own calls read it: its status decides the write.
MEMBER_ANSWER_FIELDS = dict(MEMBER_FIELDS, status=(True, _TEXT))


_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
               dict: "an object", type(None): "null"}


class ShapeError(ValueError):
    """An answer is not of the shape its operation expects; ``str()`` says what is wrong."""


def _kind(value):
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _type_problem(value, types):
    if isinstance(value, bool) and bool not in types:
        return True
    return not isinstance(value, types)


def _check_fields(obj, fields, what):
    if not isinstance(obj, dict):
        raise ShapeError("%s must be an object; got %s" % (what, _kind(obj)))
    for field, (required, types) in fields.items():
        if field not in obj:
            if required:
                raise ShapeError("%s has no %s" % (what, field))
            continue
        if _type_problem(obj[field], types):
            raise ShapeError("%s field %s must be %s; got %s" % (
                what, field, " or ".join(_TYPE_NAMES[t] for t in types),
                _kind(obj[field])))
    return obj


def image(obj, what="the image"):
    """``obj`` when it is an image as the modules read it."""
    _check_fields(obj, IMAGE_FIELDS, what)
    for tag in obj.get("tags") or []:
        if not isinstance(tag, str):
            raise ShapeError("%s field tags must be a list of strings; got an item that is %s" % (what, _kind(tag)))
    return obj


def image_page(obj):
    """``obj`` when it is one page of ``GET /v2/images``: ``images`` (a list of images) and ``next``."""
    if not isinstance(obj, dict):
        raise ShapeError("the listing must be an object; got %s" % _kind(obj))
    if "images" not in obj:
        raise ShapeError("the listing has no images")
    images = obj["images"]
    if not isinstance(images, list):
        raise ShapeError("the listing field images must be a list; got %s" % _kind(images))
    for index, item in enumerate(images):
        image(item, "image %d of the page" % (index + 1))
    next_link = obj.get("next")
    if next_link is not None and not isinstance(next_link, str):
        raise ShapeError("the listing field next must be a link (a string); got %s" % _kind(next_link))
    return obj


def member_list(obj):
    """``obj`` when it is the answer of ``GET /v2/images/{id}/members``."""
    if not isinstance(obj, dict):
        raise ShapeError("the member list must be an object; got %s" % _kind(obj))
    members = obj.get("members")
    if not isinstance(members, list):
        raise ShapeError("the member list field members must be a list; got %s" % _kind(members))
    for index, item in enumerate(members):
        _check_fields(item, MEMBER_FIELDS, "member %d of the list" % (index + 1))
    return obj


NATIVE_MEMBER_FIELDS = dict(MEMBER_FIELDS, member_id=(False, _OPTIONAL_TEXT), member_type=(False, _OPTIONAL_TEXT),
                            urn=(False, _OPTIONAL_TEXT))


def native_member_page(obj):
    """``obj`` when it is one page of ``GET /v1/{project_id}/cloudimages/{id}/members``: ``members`` and ``page_info``."""
    if not isinstance(obj, dict):
        raise ShapeError("the member page must be an object; got %s" % _kind(obj))
    members = obj.get("members")
    if not isinstance(members, list):
        raise ShapeError("the member page field members must be a list; got %s" % _kind(members))
    for index, item in enumerate(members):
        _check_fields(item, NATIVE_MEMBER_FIELDS, "member %d of the page" % (index + 1))
        if not (item.get("member_id") or item.get("urn")):
            raise ShapeError("member %d of the page has neither member_id nor urn" % (index + 1))
    page_info = obj.get("page_info")
    if page_info is not None:
        _check_fields(page_info, {"next_marker": (False, _OPTIONAL_TEXT), "current_count": (False, _INTEGER)},
                      "the member page's page_info")
    return obj


def member(obj):
    """``obj`` when it is one member, as ``GET`` and ``PUT /v2/images/{id}/members/{pid}`` answer."""
    return _check_fields(obj, MEMBER_ANSWER_FIELDS, "the member")


def any_object(obj):
    """``obj`` when it is a JSON object (an answer whose content the modules do not read)."""
    if obj is not None and not isinstance(obj, dict):
        raise ShapeError("the answer must be an object; got %s" % _kind(obj))
    return obj


def token_project(obj):
    """The project id of an IAM (Keystone) token body, ``{"token": {"project": {"id": ...}}}``; None without one.

    The body of ``POST /v3/auth/tokens`` (a new token) and of ``GET /v3/auth/tokens`` (a token
    validated); a token scoped to a domain, or unscoped, has no project.
    """
    if not isinstance(obj, dict):
        raise ShapeError("the token answer must be an object; got %s" % _kind(obj))
    token = obj.get("token")
    if not isinstance(token, dict):
        raise ShapeError("the token answer field token must be an object; got %s" % _kind(token))
    project = token.get("project")
    if project is None:
        return None
    if not isinstance(project, dict):
        raise ShapeError("the token field project must be an object; got %s" % _kind(project))
    project_id = project.get("id")
    if not isinstance(project_id, str) or not project_id:
        raise ShapeError("the token's project has no id (a string); got %s" % _kind(project_id))
    return project_id


def project_ids(obj):
    """The ids of the projects of a Keystone projects answer, ``{"projects": [{"id": ...}, ...]}``.

    The answer of ``GET /v3/projects?name=REGION``: IAM names the projects of the credentials'
    account called that, usually one (the region's default project).
    """
    if not isinstance(obj, dict):
        raise ShapeError("the projects answer must be an object; got %s" % _kind(obj))
    projects = obj.get("projects")
    if not isinstance(projects, list):
        raise ShapeError("the projects answer field projects must be a list; got %s" % _kind(projects))
    ids = []
    for project in projects:
        project_id = project.get("id") if isinstance(project, dict) else None
        if not isinstance(project_id, str) or not project_id:
            raise ShapeError("a project of the projects answer has no id (a string); got %s" % _kind(project_id))
        ids.append(project_id)
    return ids


# -- IMS jobs (docs: ims-native-api.md, section 1) -------------------------------------------

JOB_STATUSES = ("INIT", "RUNNING", "SUCCESS", "FAIL")
_NUMBER = (int, float, type(None))
_OPTIONAL_OBJECT = (dict, type(None))
_OPTIONAL_LIST = (list, type(None))
JOB_FIELDS = {
    "status": (True, _TEXT),
    "job_id": (False, _OPTIONAL_TEXT),
    "job_type": (False, _OPTIONAL_TEXT),
    "begin_time": (False, _OPTIONAL_TEXT),
    "end_time": (False, _OPTIONAL_TEXT),
    "error_code": (False, _OPTIONAL_TEXT),
    "fail_reason": (False, _OPTIONAL_TEXT),
    "entities": (False, _OPTIONAL_OBJECT),
}
JOB_ENTITY_FIELDS = {
    "image_id": (False, _OPTIONAL_TEXT),
    "image_name": (False, _OPTIONAL_TEXT),
    "current_task": (False, _OPTIONAL_TEXT),
    "process_percent": (False, _NUMBER),
    "error_code": (False, _OPTIONAL_TEXT),
    "error": (False, _OPTIONAL_TEXT),
    "addition_error_code": (False, _OPTIONAL_TEXT),
    "addition_error_msg": (False, _OPTIONAL_TEXT),
    "subJobId": (False, _OPTIONAL_TEXT),
    "results": (False, _OPTIONAL_LIST),
    "sub_jobs_result": (False, _OPTIONAL_LIST),
    "sub_jobs_list": (False, _OPTIONAL_LIST),
    "__data_images": (False, (str, list, type(None))),
}
SUB_JOB_FIELDS = {
    "status": (False, _OPTIONAL_TEXT),
    "job_id": (False, _OPTIONAL_TEXT),
    "job_type": (False, _OPTIONAL_TEXT),
    "error_code": (False, _OPTIONAL_TEXT),
    "fail_reason": (False, _OPTIONAL_TEXT),
    "entities": (False, _OPTIONAL_OBJECT),
}
IMAGE_REF_FIELDS = {"image_id": (False, _OPTIONAL_TEXT)}


def job(obj):
    """``obj`` when it is a job as ShowJob (``GET /v1/{project_id}/jobs/{id}``) or ShowJobProgress
    (``GET /v1/cloudimages/job/{id}``) answers it.

    ``status`` must be one of JOB_STATUSES: an empty or unknown status is not "still pending", and
    no wait is decided from it.
    """
    _check_fields(obj, JOB_FIELDS, "the job")
    if obj["status"] not in JOB_STATUSES:
        raise ShapeError("the job field status must be one of %s; got %r" % (", ".join(JOB_STATUSES), obj["status"]))
    entities = obj.get("entities") or {}
    _check_fields(entities, JOB_ENTITY_FIELDS, "the job's entities")
    for field in ("results", "sub_jobs_result"):
        for index, item in enumerate(entities.get(field) or []):
            where = "item %d of the job's entities.%s" % (index + 1, field)
            _check_fields(item, SUB_JOB_FIELDS if field == "sub_jobs_result" else IMAGE_REF_FIELDS, where)
            if field == "sub_jobs_result":
                _check_fields(item.get("entities") or {}, IMAGE_REF_FIELDS, where + " entities")
    for index, item in enumerate(entities.get("sub_jobs_list") or []):
        if not isinstance(item, str):
            raise ShapeError("item %d of the job's entities.sub_jobs_list must be a string; got %s" % (index + 1, _kind(item)))
    data_images = entities.get("__data_images")
    for index, item in enumerate(data_images if isinstance(data_images, list) else []):
        if isinstance(item, dict):
            _check_fields(item, IMAGE_REF_FIELDS, "item %d of the job's entities.__data_images" % (index + 1))
        elif not isinstance(item, str):
            raise ShapeError("item %d of the job's entities.__data_images must be an id or an object; got %s"
                             % (index + 1, _kind(item)))
    return obj


def job_created(obj):
    """``obj`` when it is the answer of a native create: ``{"job_id": "<id>"}``."""
    if not isinstance(obj, dict):
        raise ShapeError("the answer must be an object with a job_id; got %s" % _kind(obj))
    job_id = obj.get("job_id")
    if not isinstance(job_id, str) or not job_id:
        raise ShapeError("the answer has no job_id (a non-empty string); got %s" % _kind(job_id))
    return obj
