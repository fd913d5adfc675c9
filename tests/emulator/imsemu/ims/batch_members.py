"""IMS's native sharing (README "Sharing by the batch API"): the batch member routes and the native members read.

ims-native-api.md 5.1 (the SDK's ``BatchAddMembersRequestBody``, ``BatchUpdateMembersRequestBody``,
``ImageMember``, ``ListImageMembersResponse``), 1 (the jobs) and 10 (the codes). The three batch calls
answer ``{"job_id"}`` at once; the job (``imsAddImageMembersJob``, ``imsDelImageMembersJob``,
``imsUpdateImageMembersJob``, ims-native-api.md 1.1) runs in the caller's region, makes no image and
applies the change when it succeeds (``on_success``); a ``job_fail`` fault fails it and changes nothing.
Fields IMS does not know are ignored, as in the native create bodies.
"""

from __future__ import annotations

from ..core.clock import format_time
from ..core.request import JOB_STARTED
from ..core.responses import Response
from ..core.routing import UrlPath
from .exceptions import ImsErrorAnswer, bad_request, image_not_found
from .images import new_member
from .models import DOMAIN, ORGANIZATION, PROJECT, PUBLIC
from .native_bodies import json_object, refuse

ADD_JOB, DELETE_JOB, UPDATE_JOB = "imsAddImageMembersJob", "imsDelImageMembersJob", "imsUpdateImageMembersJob"
MAX_MEMBERS = 128  # members of one image (IMG.0088); the emulator's pick: the project's sources give no number
STATUSES = ("accepted", "rejected")
DEFAULT_LIMIT = 25
MEMBER_SCHEMA = "/v2/schemas/member"


def string_list(body: dict, key: str, required: bool) -> list:
    """A list of non-empty strings (duplicates dropped, order kept); 400 IMG.0001 otherwise."""
    value = body.get(key)
    if value is None:
        if required:
            raise bad_request("%s is required (a list of strings)" % key)
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise bad_request("%s must be a list of non-empty strings" % key)
    if len(value) > MAX_MEMBERS:
        raise bad_request("%s has more than %d entries" % (key, MAX_MEMBERS))
    return list(dict.fromkeys(value))


def members_body(body: dict) -> dict:
    """``BatchAddMembersRequestBody`` (share and unshare): **images**, **projects**, domains, organizations."""
    plan = {"images": string_list(body, "images", True), "projects": string_list(body, "projects", True),
            "domains": string_list(body, "domains", False), "organizations": string_list(body, "organizations", False)}
    if not plan["images"]:
        raise bad_request("images must name at least one image")
    if not (plan["projects"] or plan["domains"] or plan["organizations"]):
        raise bad_request("projects, domains or organizations must name at least one member")
    return plan


def update_body(body: dict) -> dict:
    """``BatchUpdateMembersRequestBody``: **images**, **project_id**, **status**, vault_id."""
    plan = {"images": string_list(body, "images", True), "project_id": body.get("project_id"),
            "status": body.get("status"), "vault_id": body.get("vault_id")}
    if not plan["images"]:
        raise bad_request("images must name at least one image")
    if not isinstance(plan["project_id"], str) or not plan["project_id"]:
        raise bad_request("project_id is required (the caller's own project)")
    if plan["status"] not in STATUSES:
        raise bad_request("status must be accepted or rejected, not %r" % (plan["status"],))
    if plan["vault_id"] is not None and (not isinstance(plan["vault_id"], str) or not plan["vault_id"]):
        raise bad_request("vault_id must be a non-empty string")
    return plan


def native_member(member: dict) -> dict:
    """A member in the SDK's ``ImageMember`` shape (a Glance-added member is of type project)."""
    shown = {key: member[key] for key in ("status", "created_at", "updated_at", "image_id", "member_id")}
    shown.update(schema=MEMBER_SCHEMA, member_type=member.get("member_type", PROJECT))
    if shown["member_type"] == ORGANIZATION:
        shown["urn"] = member.get("urn", member["member_id"])
    return shown


class BatchMemberResponses:
    """The batch member actions and the native members read of one region (``region``: its store, jobs and
    resources; ``app``: IAM)."""

    def __init__(self, region, app):
        self.region = region
        self.app = app

    @property
    def store(self):
        return self.region.store

    def domain_projects(self, domain_id: str) -> tuple:
        """The projects in this region of the account whose domain id this is (none for an unknown id)."""
        iam = self.app.iam
        homes = dict.fromkeys([a.project_id for a in iam.accounts] + [u.projects[0] for u in iam.users if u.projects])
        return tuple(project.id for home in homes if iam.domain_of(home) == domain_id
                     for project in (iam.project_in(home, self.region.name),) if project is not None)

    # -- the batch actions -------------------------------------------------------------
    def share(self, ctx):
        """``POST /v1/cloudimages/members``: every image gets every member, ``pending``."""
        plan = members_body(json_object(ctx))
        if ctx.project in plan["projects"]:
            raise refuse("IMG.0076", "An image cannot be shared with its own project %s." % ctx.project)
        for image_id in plan["images"]:
            image = self._own_image(ctx, image_id)
            self._shareable(image)
            current = self.store.members.get(image_id, {})
            new = [m for m in plan["projects"] + plan["domains"] + plan["organizations"] if m not in current]
            if len(current) + len(new) > MAX_MEMBERS:
                raise refuse("IMG.0088", "Image %s would have %d members: an image may be shared with at most %d."
                             % (image_id, len(current) + len(new), MAX_MEMBERS))

        def apply(_job):
            when = format_time(self.store.clock.now())
            for image_id in plan["images"]:
                if self.store.get(image_id) is None:
                    continue
                current = self.store.members.get(image_id, {})
                for kind in (PROJECT, DOMAIN, ORGANIZATION):
                    for member_id in plan[kind + "s"]:
                        if member_id not in current:
                            self.store.set_member(image_id, self._member(image_id, member_id, kind, when))
        return self._start(ctx, ADD_JOB, apply)

    def unshare(self, ctx):
        """``DELETE /v1/cloudimages/members`` (a JSON body): the members named go; absent ones are ignored."""
        plan = members_body(json_object(ctx))
        for image_id in plan["images"]:
            self._own_image(ctx, image_id)

        def apply(_job):
            for image_id in plan["images"]:
                current = self.store.members.get(image_id, {})
                for member_id in plan["projects"] + plan["domains"] + plan["organizations"]:
                    if member_id in current:
                        self.store.remove_member(image_id, member_id)
        return self._start(ctx, DELETE_JOB, apply)

    def answer(self, ctx):
        """``PUT /v1/cloudimages/members``: the consumer accepts or rejects images shared with its project."""
        plan = update_body(json_object(ctx))
        if plan["project_id"] != ctx.project:
            raise ImsErrorAnswer(403, "IMG.0403", "project_id %s is not the caller's project (%s): only a member "
                                                  "answers for itself." % (plan["project_id"], ctx.project))
        for image_id in plan["images"]:
            image = self.store.get(image_id)
            if image is None or self.store.relation(image, ctx.project) not in ("pending", "accepted", "rejected"):
                raise refuse("IMG.0112", "Image %s is not shared with project %s." % (image_id, ctx.project))
            if plan["status"] == "accepted" and self._cbr_whole_image(image):
                if not plan["vault_id"]:
                    raise refuse("IMG.0181", "vault_id is required to accept full-ECS image %s, made from a CBR "
                                             "backup." % image_id)
                if self.region.resources.vault(ctx.project, plan["vault_id"]) is None:
                    raise refuse("IMG.0181", "The vault %s does not exist in region %s."
                                 % (plan["vault_id"], self.region.name))

        def apply(_job):
            when = format_time(self.store.clock.now())
            for image_id in plan["images"]:
                if self.store.get(image_id) is None:
                    continue
                own = self.store.members.get(image_id, {}).get(ctx.project)
                member = dict(own) if own else new_member(image_id, ctx.project, plan["status"], when)
                member.update(status=plan["status"], updated_at=when)
                self.store.set_member(image_id, member)
        return self._start(ctx, UPDATE_JOB, apply)

    # -- the native members read -------------------------------------------------------
    def list_members(self, ctx):
        """``GET /v1/{project_id}/cloudimages/{image_id}/members?limit=&marker=``: the owner's view."""
        members = self._members_of(ctx)
        query = dict(ctx.query_pairs())
        limit = query.get("limit", str(DEFAULT_LIMIT))
        if not limit.isdigit() or int(limit) < 1:
            raise bad_request("limit must be a positive integer")
        limit = int(limit)
        start = 0
        marker = query.get("marker")
        if marker:
            ids = [m["member_id"] for m in members]
            if marker not in ids:
                raise bad_request("marker %s is not a member of this image" % marker)
            start = ids.index(marker) + 1
        page = members[start:start + limit]
        page_info = {"current_count": len(page)}
        if start + limit < len(members):
            page_info["next_marker"] = page[-1]["member_id"]
        return Response.json(200, {"members": page, "schema": "/v2/schemas/members", "page_info": page_info})

    def show_member(self, ctx):
        """``GET /v1/{project_id}/cloudimages/{image_id}/members/{member_id}``."""
        member_id = ctx.params["member_id"]
        for member in self._members_of(ctx):
            if member["member_id"] == member_id:
                return Response.json(200, member)
        raise ImsErrorAnswer(404, "IMG.0404", "%s is not a member of image %s." % (member_id, ctx.params["image_id"]))

    # -- the rules ---------------------------------------------------------------------
    def _members_of(self, ctx) -> list:
        """The image's members as its owner sees them (a member sees only its own), oldest first."""
        image_id = ctx.params["image_id"]
        image, relation = self.store.visible(image_id, ctx.project) if ctx.params["project_id"] == ctx.project \
            else (None, None)
        if image is None or relation == PUBLIC:
            raise image_not_found(image_id)
        members = [native_member(m) for m in self.store.members.get(image_id, {}).values()]
        if image["owner"] != ctx.project:
            members = [m for m in members if m["member_id"] == ctx.project]
        return sorted(members, key=lambda m: (m["created_at"], m["member_id"]))

    def _own_image(self, ctx, image_id: str) -> dict:
        """The caller's own image here: 404 IMG.0144 unseen, IMG.0089 public, IMG.0047 another's."""
        image, relation = self.store.visible(image_id, ctx.project)
        if image is None:
            raise image_not_found(image_id)
        if relation == PUBLIC:
            raise refuse("IMG.0089", "Image %s is a public image and cannot be shared." % image_id)
        if image["owner"] != ctx.project:
            raise refuse("IMG.0047", "Only the owner of image %s can share it or stop sharing it." % image_id)
        return image

    def _shareable(self, image: dict) -> None:
        if image.get("__system__cmkid") or image.get("__system_encrypted") == "1":
            raise refuse("IMG.0098", "Image %s is encrypted and cannot be shared." % image["id"])
        if image.get("__whole_image") == "true" and not self._cbr_whole_image(image):
            raise refuse("IMG.0135", "Full-ECS image %s was not made from a CBR backup and cannot be shared."
                         % image["id"])

    def _cbr_whole_image(self, image: dict) -> bool:
        """A full-ECS image made from a CBR backup (its backup's kind; a backup no longer known: CBR, the default)."""
        if image.get("__whole_image") != "true":
            return False
        backup = self.region.resources.backups.get(image.get("__backup_id") or "")
        return backup is None or backup.get("kind", "CBR") == "CBR"

    @staticmethod
    def _member(image_id: str, member_id: str, kind: str, when: str) -> dict:
        member = new_member(image_id, member_id, "pending", when)
        if kind != PROJECT:  # a project member is stored exactly as a Glance-added one
            member["member_type"] = kind
        if kind == ORGANIZATION:
            member["urn"] = member_id
        return member

    def _start(self, ctx, job_type: str, apply):
        job = self.region.jobs.start(ctx.project, job_type, None, 0, failure=ctx.run_hooks(JOB_STARTED),
                                     on_success=apply)
        return Response.json(200, {"job_id": job.id})


URL_PATHS = [
    UrlPath("POST", r"/v1/cloudimages/members", "POST /v1/cloudimages/members", BatchMemberResponses.share),
    UrlPath("DELETE", r"/v1/cloudimages/members", "DELETE /v1/cloudimages/members", BatchMemberResponses.unshare),
    UrlPath("PUT", r"/v1/cloudimages/members", "PUT /v1/cloudimages/members", BatchMemberResponses.answer),
    UrlPath("GET", r"/v1/(?P<project_id>[^/]+)/cloudimages/(?P<image_id>[^/]+)/members",
            "GET /v1/{project_id}/cloudimages/{image_id}/members", BatchMemberResponses.list_members),
    UrlPath("GET", r"/v1/(?P<project_id>[^/]+)/cloudimages/(?P<image_id>[^/]+)/members/(?P<member_id>[^/]+)",
            "GET /v1/{project_id}/cloudimages/{image_id}/members/{member_id}", BatchMemberResponses.show_member),
]
