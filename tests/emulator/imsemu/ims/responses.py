"""The image API's actions, one method each (moto's ``responses.py``): parse the request, apply
the rules, call the store, shape the answer.

docs/dev/ims-api.md, "images", "upload", "tags" and "members" (and the public pages of the
native OpenStack image API, support.huaweicloud.com/api-ims/), and for the native list, the
quota and os_version calls its "The native list, the quota and the os_version catalogue".
README "The image API" and "The native API" are the specification. Faults reach these
actions only through the context's hooks (the upload's ``UPLOAD_RECEIVED``); nothing here
reads a fault plan.
"""

from __future__ import annotations

import hashlib
import os
import uuid

from ..core.body import CHUNK
from ..core.clock import format_time
from ..core.exceptions import GatewayErrorAnswer, entity_too_large
from ..core.request import UPLOAD_RECEIVED
from ..core.responses import Response, json_with_images
from ..core.signing import MAX_SIGNED_BODY
from ..core.util import UUID_RE, origin_of
from .documents import SCHEMAS, shared_visibility_semantics, versions_document
from .exceptions import (ImsErrorAnswer, bad_request, conflict, forbidden, image_not_found, not_a_member,
                         not_found, not_owner, only_shared_images_have_members, unsupported_media_type)
from .images import (MEMBER_STATUSES, PATCH_CONTENT_TYPES, PUBLIC_TYPES, QUEUED_ONLY, READ_ONLY,
                     STANDARD_CREATE_FIELDS, apply_operation, mark_active, new_image, new_member, os_fields,
                     tag_error, validate_standard, visibility_error)
from .listing import ImageListing
from .models import OWNER
from .native_listing import NativeListing
from .os_versions import OS_VERSION_TAGS, list_os_versions


class ImsResponses:
    """One method per action of the image API; each takes the request context and returns a
    Response (or DROP). The rules that need the whole state live in ``ImageStore``."""

    def __init__(self, store, clock):
        self.store = store
        self.clock = clock
        # Objects with before_delete(image, body) (may raise an ErrorAnswer) and after_delete(image, body):
        # the native API's rules on deleting the images it makes (IMG.0090, delete_backup).
        self.delete_observers = []
        # scheme://host:port of the emulator, for the version links of a request without Host
        self.default_origin = "http://localhost"

    def _now(self) -> str:
        return format_time(self.clock.now())

    # -- helpers -----------------------------------------------------------------------
    def _visible(self, ctx):
        image, relation = self.store.visible(ctx.params["id"], ctx.project)
        if image is None:
            raise image_not_found(ctx.params["id"])
        return image, relation

    def _owned(self, ctx) -> dict:
        image, relation = self._visible(ctx)
        if relation != OWNER:
            raise not_owner()
        return image

    # -- version documents and schemas (documents.py) ----------------------------------
    def list_versions(self, ctx):
        """``GET /`` and ``GET /v2``: 300 Multiple Choices, as IMS documents both."""
        return Response.json(300, versions_document(origin_of(ctx, self.default_origin)))

    def show_schema(self, ctx):
        return Response.json(200, SCHEMAS[ctx.params["schema"]]())

    # -- images ------------------------------------------------------------------------
    def list_images(self, ctx):
        listing = ImageListing(ctx.query_pairs())
        body = listing.run(self.store, ctx.project)
        images = body.pop("images")
        return Response.json_text(200, json_with_images(body, map(self.store.encoded, images)))

    def show_image(self, ctx):
        image, _relation = self._visible(ctx)
        return Response.json_text(200, self.store.encoded(image))

    def create_image(self, ctx):
        body = ctx.json_body()
        if not isinstance(body, dict):
            raise bad_request("the body must be a JSON object")
        fields = {}
        for name in ("name", "container_format", "disk_format", "min_disk", "min_ram", "protected", "tags"):
            if name in body:
                fields[name] = validate_standard(name, body[name])
        visibility = body.get("visibility", "private")
        problem = visibility_error(visibility, shared_visibility_semantics(ctx))
        if problem:
            raise bad_request(problem)
        image_id = body.get("id")
        if image_id is not None and not (isinstance(image_id, str) and UUID_RE.match(image_id)):
            raise bad_request("id must be a UUID")
        properties = {}
        for name, value in body.items():
            if name in STANDARD_CREATE_FIELDS:
                continue
            if name in READ_ONLY:
                raise bad_request("attribute %s is read-only" % name)
            if not name or len(name) > 255:
                raise bad_request("invalid property name")
            properties[name] = validate_standard(name, value)
        name = fields.pop("name", "")
        os_version = properties.pop("__os_version", None)
        image = new_image(image_id=image_id or str(uuid.uuid4()), owner=ctx.project, name=name,
                          created_at=self._now(), os_version=os_version, properties=properties, **fields)
        image["visibility"] = visibility
        self.store.create(image)
        # Glance (and so IMS) names the new image in Location, as an absolute URL.
        location = origin_of(ctx, self.default_origin) + image["self"]
        return Response.json(201, image, [("Location", location)])

    def update_image(self, ctx):
        if ctx.content_type() not in PATCH_CONTENT_TYPES:
            raise unsupported_media_type("Unsupported media type: use %s." % PATCH_CONTENT_TYPES[0],
                                         [("Accept-Patch", ", ".join(PATCH_CONTENT_TYPES))])
        self._owned(ctx)
        operations = ctx.json_body()
        if not isinstance(operations, list):
            raise bad_request("the body must be a JSON list of operations")
        shared_allowed = shared_visibility_semantics(ctx)
        with self.store.lock:
            image = self._owned(ctx)
            changed = dict(image)
            for operation in operations:
                apply_operation(changed, operation, shared_allowed)
            for name in QUEUED_ONLY:
                if changed.get(name) != image.get(name) and image.get("status") != "queued":
                    raise forbidden("Attribute %s can only change while the image is queued." % name)
            if changed.get("__os_version") != image.get("__os_version") and \
                    isinstance(changed.get("__os_version"), str):
                os_type, platform, bit = os_fields(changed["__os_version"])
                changed.update(__os_type=os_type, __platform=platform, __os_bit=bit)
            changed["updated_at"] = self._now()
            self.store.replace(changed)
        return Response.json(200, changed)

    def delete_image(self, ctx):
        body = {}
        if ctx.read_body().strip():  # a whole image may be deleted with {"delete_backup": true}
            body = ctx.json_body()
            if not isinstance(body, dict) or not isinstance(body.get("delete_backup", False), bool):
                raise bad_request('the body must be {"delete_backup": true|false}')
        with self.store.lock:
            image = self.store.get(ctx.params["id"])
            relation = self.store.relation(image, ctx.project) if image else None
            if relation is None:
                raise ImsErrorAnswer(400, "IMG.0027", "Image %s could not be found." % ctx.params["id"])
            if image.get("__imagetype") in PUBLIC_TYPES:
                raise ImsErrorAnswer(400, "IMG.0094", "Public and market images cannot be deleted.")
            if relation != OWNER:
                raise not_owner("Only the owner of the image can delete it.")
            if image.get("protected"):
                raise ImsErrorAnswer(400, "IMG.0028", "The image is protected and cannot be deleted.")
            for observer in self.delete_observers:
                observer.before_delete(image, body)
            self.store.delete(image["id"])
        for observer in self.delete_observers:
            observer.after_delete(image, body)
        return Response.empty(204)

    # -- image files -------------------------------------------------------------------
    def upload_file(self, ctx):
        image_id = ctx.params["id"]
        self._owned(ctx)
        if ctx.content_type() != "application/octet-stream":
            raise unsupported_media_type("Unsupported media type: use application/octet-stream.")
        if not ctx.reader.chunked and ctx.headers.get("Content-Length") is None:
            raise bad_request("an upload needs a Content-Length or a chunked body")
        with self.store.lock:
            image = self._owned(ctx)
            if image["status"] != "queued":
                raise conflict("Image status is %s, not queued." % image["status"])
            self.store.update(image_id, status="saving", updated_at=self._now())
        part = self.store.file_path(image_id) + ".part"
        try:
            size, checksum = self._receive(ctx, part)
        except GatewayErrorAnswer:  # the gateway's size cap: the image never saw the upload
            self.store.update(image_id, status="queued")
            os.unlink(part)
            raise
        except BaseException:
            self._kill(image_id, part)
            raise
        if size is None:
            self._kill(image_id, part)
            raise bad_request("the upload ended before its announced length")
        outcome = ctx.run_hooks(UPLOAD_RECEIVED)  # e.g. an upload_fail fault
        if outcome is not None:
            self._kill(image_id, part)
            return outcome
        with self.store.lock:
            image = self.store.get(image_id)
            if image is None:
                os.unlink(part)
                raise image_not_found(image_id)
            os.replace(part, self.store.file_path(image_id))
            image = dict(image)
            now = self._now()
            mark_active(image, size, checksum, now)
            image["updated_at"] = now
            self.store.replace(image)
        return Response.empty(204)

    @staticmethod
    def _receive(ctx, path):
        """Write the body to ``path`` chunk by chunk: (size, md5) or (None, None) if cut short."""
        md5 = hashlib.md5()
        size = 0
        with open(path, "wb") as handle:
            if ctx.body is not None:
                chunks = iter((ctx.body,))
            else:
                chunks = iter(lambda: ctx.reader.read(CHUNK), b"")
            for chunk in chunks:
                size += len(chunk)
                if ctx.signed and size > MAX_SIGNED_BODY:  # a chunked body has no length to check first
                    raise entity_too_large()
                handle.write(chunk)
                md5.update(chunk)
        if ctx.body is None and ctx.reader.truncated:
            return None, None
        return size, md5.hexdigest()

    def _kill(self, image_id, part):
        self.store.update(image_id, status="killed", updated_at=self._now())
        try:
            os.unlink(part)
        except FileNotFoundError:
            pass

    def download_file(self, ctx):
        image, _relation = self._visible(ctx)
        path = self.store.file_path(image["id"])
        if image["status"] != "active" or not os.path.exists(path):
            return Response.empty(204)
        headers = [("Content-Type", "application/octet-stream")]
        if image.get("checksum"):
            headers.append(("Content-MD5", image["checksum"]))
        return Response(200, headers=headers, file_path=path)

    # -- tags --------------------------------------------------------------------------
    def add_tag(self, ctx):
        tag = ctx.params["tag"]
        with self.store.lock:
            image = self._owned(ctx)
            problem = tag_error(tag)
            if problem:
                raise ImsErrorAnswer(400, "IMG.0115", "Invalid tag: %s." % problem)
            if tag not in image["tags"]:
                self.store.update(image["id"], tags=image["tags"] + [tag], updated_at=self._now())
        return Response.empty(204)

    def remove_tag(self, ctx):
        tag = ctx.params["tag"]
        with self.store.lock:
            image = self._owned(ctx)
            if tag not in image["tags"]:
                raise not_found("Tag %s not found on image %s." % (tag, image["id"]))
            self.store.update(image["id"], tags=[t for t in image["tags"] if t != tag],
                              updated_at=self._now())
        return Response.empty(204)

    # -- members -----------------------------------------------------------------------
    def _member_of(self, image_id, member_id):
        member = self.store.members.get(image_id, {}).get(member_id)
        if member is None:
            raise not_a_member(member_id, image_id)
        return member

    def list_members(self, ctx):
        with self.store.lock:
            image, relation = self._visible(ctx)
            members = list(self.store.members.get(image["id"], {}).values())
            if relation != OWNER:
                members = [m for m in members if m["member_id"] == ctx.project]
        return Response.json(200, {"members": members, "schema": "/v2/schemas/members"})

    def show_member(self, ctx):
        member_id = ctx.params["member"]
        with self.store.lock:
            image, relation = self._visible(ctx)
            if relation != OWNER and member_id != ctx.project:
                raise not_a_member(member_id, image["id"])
            member = self._member_of(image["id"], member_id)
        return Response.json(200, member)

    def add_member(self, ctx):
        body = ctx.json_body()
        member_id = body.get("member") if isinstance(body, dict) else None
        if not isinstance(member_id, str) or not member_id.strip():
            raise bad_request('the body must be {"member": PROJECT_ID}')
        with self.store.lock:
            image = self._owned(ctx)
            if image.get("__imagetype") in PUBLIC_TYPES:
                raise bad_request("public and market images cannot be shared")
            if member_id == ctx.project:
                raise bad_request("the owner cannot be a member of its image")
            if shared_visibility_semantics(ctx) and image.get("visibility") != "shared":
                raise only_shared_images_have_members()
            if member_id in self.store.members.get(image["id"], {}):
                raise conflict("Project %s is already a member." % member_id)
            member = new_member(image["id"], member_id, "pending", self._now())
            self.store.set_member(image["id"], member)
        return Response.json(200, member)

    def update_member(self, ctx):
        member_id = ctx.params["member"]
        body = ctx.json_body()
        status = body.get("status") if isinstance(body, dict) else None
        if status not in MEMBER_STATUSES:
            raise bad_request("status must be one of %s" % ", ".join(MEMBER_STATUSES))
        with self.store.lock:
            image, relation = self._visible(ctx)
            if member_id != ctx.project:
                if relation == OWNER:
                    raise forbidden("Only the member can change its membership status.")
                raise not_a_member(member_id, image["id"])
            member = dict(self._member_of(image["id"], member_id), status=status, updated_at=self._now())
            self.store.set_member(image["id"], member)
        return Response.json(200, member)

    def remove_member(self, ctx):
        member_id = ctx.params["member"]
        with self.store.lock:
            image = self._owned(ctx)
            self._member_of(image["id"], member_id)
            self.store.remove_member(image["id"], member_id)
        return Response.empty(204)

    # -- the native list and the ancillary calls (README "The native API") ------------------
    def list_native_images(self, ctx):
        """``GET /v2/cloudimages``: ``{"images": [ImageInfo]}`` (native_listing.py)."""
        return Response.json(200, NativeListing(ctx.query_pairs()).run(self.store, ctx.project))

    def show_quota(self, ctx):
        """``GET /v1/cloudimages/quota``: the project's private-image quota (quotas.py)."""
        resource = self.store.quotas.resource(ctx.project, self.store.private_count(ctx.project))
        return Response.json(200, {"quotas": {"resources": [resource]}})

    def list_os_versions(self, ctx):
        """``GET /v1/cloudimages/os_version[?tag=bms|uefi|arm|x86]``: a JSON list (os_versions.py)."""
        tags = [value for name, value in ctx.query_pairs() if name == "tag"]
        if len(tags) > 1 or (tags and tags[0] not in OS_VERSION_TAGS):
            raise bad_request("tag must be one of %s, given once" % ", ".join(OS_VERSION_TAGS))
        return Response.json(200, list_os_versions(tags[0] if tags else None))
