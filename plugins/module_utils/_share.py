# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sharing many images at once with IMS's batch API: the options, the members wanted, the batches, the views.

Private to this collection: the API may change without notice. The wire facts (the official
SDK's BatchAddMembersRequestBody, BatchUpdateMembersRequestBody, ListImageMembersResponse,
ImageMember, GlancePageInfo; docs/dev/ims-native-api.md, "Sharing"):

- share: ``POST /v1/cloudimages/members`` with ``images``, ``projects`` (required, possibly
  empty here), ``domains`` and ``organizations``; unshare: ``DELETE`` on the same path with the
  same body; the member's answer: ``PUT`` there with ``images``, ``project_id``, ``status``
  (``accepted`` or ``rejected``) and ``vault_id``. Each answers ``{job_id}``; the job names no
  image;
- an image's members: ``GET /v1/{project_id}/cloudimages/{image_id}/members?limit=&marker=``,
  answering ``members`` (each ``member_id``, ``member_type`` - project, domain or organization -,
  ``status``, and ``urn`` for an organization) and ``page_info.next_marker``.

Pure functions, unit-tested; :mod:`_share_run` runs them for ``ims_image_share``.
"""

from __future__ import annotations

import re

from ._sharing import looks_like_id

MEMBERS_PATH = "/v1/cloudimages/members"
# option -> the member_type IMS gives its members
KINDS = (("projects", "project"), ("domains", "domain"), ("organizations", "organization"))
KIND_OF = dict(KINDS)
OPTION_OF = {kind: option for option, kind in KINDS}
WAIT_TIMEOUT = 600
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
# An organisation's URN: IMS's SDK says only "organisation URNs"; Huawei's services write them
# organizations:orgPath::<path> (o-.../r-.../ou-...). Checked loosely: the prefix, no whitespace.
_ORG_URN = re.compile(r"^organizations:\S+$")
ORG_URN_MAX = 1024

# What IMS's refusal of a share asks the task to change (its error codes).
SHARE_HINTS = {
    "IMG.0076": "an image cannot be shared with its own project: remove this project's id from projects",
    "IMG.0088": "IMS's share quota is reached: remove members the images no longer need (state: absent, or "
                "purge_members: true), or share fewer images",
    "IMG.0089": "a public image cannot be shared: check images",
    "IMG.0098": "an encrypted image can be shared only once its KMS key is authorised to the members: authorise "
                "the key first (KMS grants), then run the task again",
    "IMG.0135": "a full-server image cannot be shared with the batch API: check images",
    "IMG.0112": "check projects, domains and organizations: IMS refused a member",
    "IMG.0113": "check projects, domains and organizations: IMS refused a member",
    "IMG.0114": "check projects, domains and organizations: IMS refused a member",
}


def _unique(values):
    return list(dict.fromkeys(values or []))


def share_problems(params, own_project=None):
    """Every problem of the options of ``ims_image_share``, before any request, each naming the option."""
    problems = []
    images = params.get("images") or []
    if not images:
        problems.append("images must list at least one image (an id, or the name of one of this project's images)")
    if any(not (value or "").strip() for value in images):
        problems.append("images must not hold an empty id or name")
    for option, check, words in (("projects", _HEX32.match, "a project id (32 hexadecimal characters, lowercase)"),
                                 ("domains", _HEX32.match, "an account (domain) id (32 hexadecimal characters, "
                                                           "lowercase)"),
                                 ("organizations", lambda value: _ORG_URN.match(value) and len(value) <= ORG_URN_MAX,
                                  "an organisation URN such as organizations:orgPath::o-xxxx/r-xxxx/ou-xxxx "
                                  "(at most 1024 characters, no spaces)")):
        bad = [value for value in params.get(option) or [] if not check(value or "")]
        if bad:
            problems.append("%s must each be %s; got %s" % (option, words, ", ".join(repr(value) for value in bad)))
    listed = any(params.get(option) for option, _kind in KINDS)
    if params.get("state") == "absent":
        if params.get("purge_members"):
            problems.append("purge_members applies only to state present (state absent removes exactly the members "
                            "listed); leave it out")
        if not listed:
            problems.append("state absent needs the members to remove: projects, domains or organizations")
    elif not listed and not params.get("purge_members"):
        problems.append("give the members to share with: projects, domains or organizations (or purge_members: true "
                        "with none, to remove every member)")
    if own_project and own_project in (params.get("projects") or []):
        problems.append("projects must not hold this project's own id %s: IMS does not share an image with its own "
                        "project (IMG.0076)" % own_project)
    timeout = params.get("wait_timeout")
    if timeout is not None and timeout < 1:
        problems.append("wait_timeout must be 1 or more (seconds); got %d" % timeout)
    return problems


def wanted_members(params):
    """The members the task lists: ``[(kind, key)]`` in the order given, each once."""
    return [(kind, value) for option, kind in KINDS for value in _unique(params.get(option))]


def member_key(member):
    """``(kind, key)`` of a member as IMS lists it: an organisation by its ``urn``, the others by ``member_id``."""
    kind = member.get("member_type") or "project"
    if kind == "organization":
        return kind, member.get("urn") or member.get("member_id")
    return kind, member.get("member_id")


def plan(current, wanted, state, purge):
    """(to add, to remove) for one image: ``current`` its members as listed, ``wanted`` :func:`wanted_members`.

    ``state: absent`` removes exactly the listed members that it has; ``present`` adds those it
    lacks and, with ``purge``, removes every member not listed, whatever its type.
    """
    have = [member_key(member) for member in current]
    if state == "absent":
        return [], [key for key in wanted if key in have]
    add = [key for key in wanted if key not in have]
    remove = [key for key in have if key not in wanted] if purge else []
    return add, remove


def batch_body(image_ids, keys):
    """The body of the share (or unshare) of ``keys`` with ``image_ids``: ``projects`` always, the others when given."""
    body = {"images": list(image_ids), "projects": [key for kind, key in keys if kind == "project"]}
    for option, kind in KINDS[1:]:
        values = [key for member_kind, key in keys if member_kind == kind]
        if values:
            body[option] = values
    return body


def group(changes):
    """The batches of ``changes`` (``[(image_id, keys)]``, in order): images needing the same keys share one.

    Returns ``[(image_ids, keys)]`` in the order of each batch's first image; images with no keys
    are left out.
    """
    batches = {}
    for image_id, keys in changes:
        if not keys:
            continue
        batches.setdefault(tuple(sorted(keys)), (keys, []))[1].append(image_id)
    return [(image_ids, keys) for keys, image_ids in batches.values()]


def member_view(member):
    """A member as the result gives it: ``member_id``, ``member_type``, ``status``, ``urn``."""
    return {"member_id": member.get("member_id"), "member_type": member.get("member_type") or "project",
            "status": member.get("status"), "urn": member.get("urn")}


def predicted(current, add, remove):
    """The members of an image after the task's change (check mode, ``wait: false``): each added one ``pending``."""
    kept = [member for member in current if member_key(member) not in remove]
    have = [member_key(member) for member in kept]
    for kind, key in add:
        if (kind, key) in have:
            continue
        kept.append({"member_id": None if kind == "organization" else key, "member_type": kind,
                     "status": "pending",
                     "urn": key if kind == "organization" else None})
    return kept


def shows(members, add, remove):
    """Whether ``members`` (as listed) show a change that added ``add`` and removed ``remove``."""
    have = [member_key(member) for member in members]
    return all(key in have for key in add) and not any(key in have for key in remove)


def members_diff(members):
    """One image's members in a diff: each kind's keys, sorted."""
    view = {}
    for option, kind in KINDS:
        view[option] = sorted(key for member_kind, key in (member_key(member) for member in members)
                              if member_kind == kind)
    return view


def image_refusal(image, project_id):
    """Why IMS would refuse to share ``image`` (None when it shares it), from its own fields."""
    what = "images: image %s (%r)" % (image.get("id"), image.get("name"))
    if project_id and image.get("owner") and image["owner"] != project_id:
        return "%s belongs to project %s, not this one (%s): only an image's own project shares it" % (
            what, image["owner"], project_id)
    if image.get("visibility") == "public" or image.get("__imagetype") in ("gold", "market"):
        return "%s is a public image, which IMS does not share (IMG.0089)" % what
    if image.get("__system__cmkid"):
        return ("%s is encrypted (KMS key %s), which IMS refuses to share (IMG.0098) until the key is authorised to "
                "the members: authorise the KMS key first, then share" % (what, image["__system__cmkid"]))
    if str(image.get("__whole_image", "")).lower() == "true":
        return "%s is a full-server image, which IMS does not share with the batch API (IMG.0135)" % what
    return None


def pick_own(found, name):
    """The one own image named ``name``; ValueError naming ``images`` when none or several are."""
    if not found:
        raise ValueError("images: no image named %r is among this project's own images; give its id, or check the "
                         "name" % name)
    if len(found) > 1:
        listed = ", ".join("%s (created %s)" % (image.get("id"), image.get("created_at")) for image in found)
        raise ValueError("images: %d of this project's images are named %r: %s; give the id of the one to share"
                         % (len(found), name, listed))
    return found[0]


def is_id(value):
    """Whether an entry of ``images`` is an id (looked up as one) rather than a name."""
    return looks_like_id(value)
