# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The IMS operations the modules use: images, members, files, paging, and writes that never duplicate.

Private to this collection: the API may change without notice. Modules never talk HTTP
themselves; they call :class:`ImsClient`. The calls: docs/dev/ims-api.md, sections "Images",
"Listing and paging", "Members", "Tags" and "Upload"; what is retried: docs/errors-and-retries.md.
"""

from __future__ import annotations

import json

from urllib.parse import parse_qsl, quote, urlsplit

from . import _shapes
from ._auth import select_auth
from ._connection import connection_problems, describe_credentials, endpoint_origins, ims_endpoint
from ._errors import (ImsAnswerError, ImsApiError, ImsConfigError, ImsConnectionError, ImsError,
                      ImsImageKilled, ImsProjectUnknown, may_have_taken_effect, request_id_of)
from ._retry import wait_for_status, write_until_known
from ._transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, Transport

__all__ = ["HAS_REQUESTS", "REQUESTS_IMPORT_ERROR", "ImsAnswerError", "ImsApiError", "ImsClient", "ImsConfigError",
           "ImsConnectionError", "ImsError", "ImsImageKilled", "ImsProjectUnknown", "next_page_query"]

PATCH_CONTENT_TYPE = "application/openstack-images-v2.1-json-patch"
# The native calls' (``/v1/cloudimages...``, ``/v2/cloudimages...``), as the official SDK sends it.
NATIVE_CONTENT_TYPE = "application/json;charset=UTF-8"


def next_page_query(next_link, page_limit=None):
    """The (path, pairs) of a relative ``next`` link, with ``limit`` replaced if given.

    The link's parameter order is arbitrary; the caller re-encodes the pairs
    canonically, so the request is signed exactly as it is sent.
    """
    parts = urlsplit(next_link)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if page_limit is not None:
        pairs = [(k, v) for k, v in pairs if k != "limit"] + [("limit", str(page_limit))]
    return parts.path, pairs


def _quote_id(value):
    return quote(str(value), safe="")


class ImsClient:
    """One session to IMS for one module run."""

    def __init__(self, transport):
        self.transport = transport

    @classmethod
    def from_options(cls, options, given=None, **kwargs):
        """Build a client from the connection options of the ``connection`` doc fragment.

        ``given``: the names of the options the task set, the others having come from their HW_*
        variables (None: unknown), for what a 401 says. ``kwargs`` go to :class:`Transport`
        (``sleep``, ``rng``, ``user_agent``).
        """
        problems = connection_problems(options)
        if problems:
            raise ImsConfigError("; ".join(problems))
        auth, secrets = select_auth(options)
        return cls(Transport(ims_endpoint(options), auth, timeout=options.get("timeout", 30),
                             retries=options.get("retries", 5), validate_certs=options.get("validate_certs", True),
                             ca_bundle=options.get("ca_bundle") or None, secrets=secrets,
                             origins=endpoint_origins(options), credentials=describe_credentials(options, given),
                             **kwargs))

    # -- the session ---------------------------------------------------------------

    @property
    def retries(self):
        return self.transport.retries

    @property
    def signs_requests(self):
        """True with AK/SK, whose signed uploads the gateway caps at 12 MB."""
        return self.transport.auth.signs_requests

    def redact(self, text):
        """``text`` with every secret this client knows replaced by ``********``."""
        return self.transport.redact(text)

    def close(self):
        self.transport.close()

    def json_call(self, method, path, shape, **kwargs):
        """One call's JSON answer, checked against ``shape`` (see :mod:`_shapes`)."""
        response = self.transport.request(method, path, **kwargs)
        data = self.transport.json_of(method, path, response)
        try:
            return shape(data)
        except _shapes.ShapeError as exc:
            raise ImsAnswerError(method, path, response.status_code, message=str(exc),
                                 request_id=request_id_of(response.headers))

    # -- single calls --------------------------------------------------------------

    def get_image(self, image_id):
        """The image, or None when it does not exist (or is not visible)."""
        try:
            return self.json_call("GET", "/v2/images/%s" % _quote_id(image_id), _shapes.image)
        except ImsApiError as exc:
            if exc.not_found:
                return None
            raise

    def create_image(self, body):
        """One ``POST /v2/images``; see :meth:`create_image_once` for the create that never duplicates."""
        return self.json_call("POST", "/v2/images", _shapes.image, json_body=body, expected=(201,))

    def post_native(self, path, body):
        """One native create (``POST`` ``path`` with ``body``); returns its ``job_id``.

        See :func:`_native_create.create_once` for the create that never duplicates.
        """
        answer = self.json_call("POST", path, _shapes.job_created, json_body=body,
                                headers={"Content-Type": NATIVE_CONTENT_TYPE}, idempotent=False)
        return answer["job_id"]

    def update_image(self, image_id, patch):
        """Apply a JSON patch in one ``PATCH``; returns the whole image."""
        return self.json_call("PATCH", "/v2/images/%s" % _quote_id(image_id), _shapes.image,
                              data=json.dumps(patch).encode("utf-8"), headers={"Content-Type": PATCH_CONTENT_TYPE})

    def delete_image(self, image_id, delete_backup=False):
        """``DELETE`` the image; False when it was already gone.

        ``delete_backup``: a full-server image's CBR backup goes too (the body ``{"delete_backup": true}``,
        signed like any body); otherwise no body is sent.
        """
        body = {"delete_backup": True} if delete_backup else None
        try:
            self.transport.request("DELETE", "/v2/images/%s" % _quote_id(image_id), json_body=body, expected=(204,))
        except ImsApiError as exc:
            if exc.not_found:
                return False
            raise
        return True

    def upload_file(self, image_id, handle):
        """Stream an open file into a queued image (``PUT .../file``), once.

        The transport repeats it only on 429 or when the connection could not be made: a
        half-sent upload leaves the image killed, and IMS refuses a second upload anyway.
        """
        self.transport.request("PUT", "/v2/images/%s/file" % _quote_id(image_id), data=handle,
                               headers={"Content-Type": "application/octet-stream"}, expected=(204,), idempotent=False)

    def list_members(self, image_id):
        return self.json_call("GET", "/v2/images/%s/members" % _quote_id(image_id), _shapes.member_list)["members"]

    def members_of(self, image):
        """The members of ``image``: none for an image that is not shared where the server refuses to list them.

        Upstream Glance (and IMS with ``X-Api-Version`` 2.5 or later) lets only an image whose
        visibility is ``shared`` have members, and answers 403 to the listing of another's.
        """
        try:
            return self.list_members(image["id"])
        except ImsApiError as exc:
            if exc.refuses_members_of(image):
                return []
            raise

    def add_member(self, image_id, member):
        return self.json_call("POST", "/v2/images/%s/members" % _quote_id(image_id), _shapes.any_object,
                              json_body={"member": member}, idempotent=False)

    def get_member(self, image_id, member):
        """The membership of project ``member`` in the image, or None when it is not a member (or the image is not visible)."""
        try:
            return self.json_call("GET", "/v2/images/%s/members/%s" % (_quote_id(image_id), _quote_id(member)),
                                  _shapes.member)
        except ImsApiError as exc:
            if exc.not_found:
                return None
            raise

    def set_member_status(self, image_id, member, status, vault_id=None):
        """One ``PUT .../members/{member}`` with ``status`` (and ``vault_id``); only the member project may send it."""
        body = {"status": status}
        if vault_id is not None:
            body["vault_id"] = vault_id
        return self.json_call("PUT", "/v2/images/%s/members/%s" % (_quote_id(image_id), _quote_id(member)),
                              _shapes.member, json_body=body, idempotent=False)

    def native_members(self, image_id, page_size=100):
        """Every member of the image, through IMS's native listing (paged by ``marker``): projects, accounts, organisations."""
        path = "/v1/%s/cloudimages/%s/members" % (_quote_id(self.project_id), _quote_id(image_id))
        members, marker, seen = [], None, set()
        while True:
            params = [("limit", str(page_size))] + ([("marker", marker)] if marker else [])
            page = self.json_call("GET", path, _shapes.native_member_page, params=params)
            members.extend(page["members"])
            marker = (page.get("page_info") or {}).get("next_marker")
            if not page["members"] or not marker:
                return members
            if marker in seen:
                raise ImsAnswerError("GET", path, 200, message="the API repeated the page marker %s" % marker)
            seen.add(marker)

    def batch_members(self, method, body):
        """One call of IMS's batch member API (``POST``, ``DELETE`` or ``PUT /v1/cloudimages/members``); its ``job_id``.

        Never resent by the transport: each call starts a job (see :mod:`_share_run` for the call never sent twice).
        """
        answer = self.json_call(method, "/v1/cloudimages/members", _shapes.job_created, json_body=body,
                                headers={"Content-Type": NATIVE_CONTENT_TYPE}, idempotent=False)
        return answer["job_id"]

    def remove_member(self, image_id, member):
        """False when ``member`` was not a member any more."""
        try:
            self.transport.request("DELETE", "/v2/images/%s/members/%s" % (_quote_id(image_id), _quote_id(member)),
                                   expected=(204,))
        except ImsApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    # -- listing -------------------------------------------------------------------

    def iter_images(self, params, page_size=1000, max_results=None, keep=None):
        """Yield images from ``GET /v2/images`` with ``params``, following ``next``.

        Stops on a missing ``next``, an empty page, or after ``max_results`` kept
        images; ``keep`` is an optional client-side predicate.
        """
        def wanted(count):
            if max_results is None or keep is not None:
                return page_size
            return max(1, min(page_size, max_results - count))

        count = 0
        path = "/v2/images"
        pairs = list(params) + [("limit", str(wanted(0)))]
        seen_markers = set()
        while True:
            page = self.json_call("GET", path, _shapes.image_page, params=pairs)
            images = page["images"]
            for image in images:
                if keep is not None and not keep(image):
                    continue
                yield image
                count += 1
                if max_results is not None and count >= max_results:
                    return
            next_link = page.get("next")
            if not images or not next_link:
                return
            path, pairs = next_page_query(next_link, wanted(count))
            marker = dict(pairs).get("marker")
            if marker in seen_markers:
                raise ImsAnswerError("GET", path, 200, message="the API repeated the page marker %s" % marker)
            seen_markers.add(marker)

    @property
    def project_id(self):
        """The project of the credentials (see :meth:`learn_project`)."""
        return self.learn_project()

    def learn_project(self):
        """The project of the credentials: given (``project_id``), else learned from IAM once (see :meth:`Transport.project_id`).

        Raises :class:`ImsProjectUnknown` (an :class:`ImsError`) when it cannot be learned.
        """
        return self.transport.project_id()

    @property
    def known_project_id(self):
        """The project given or already learned, None otherwise; never asks IAM."""
        return self.transport.auth.project_id

    def own_images(self, **filters):
        """The project's own images (``owner``) that match ``filters``.

        ``owner`` always, learning the project first when it was not given: IMS and upstream
        Glance both honour it, while Glance reads ``__imagetype`` as a property filter that
        matches nothing (docs/dev/ims-api.md, "Listing and paging"), so no lookup is ever sent
        without it: a lookup that misses the image would create it twice.

        ``filters`` are further query parameters (``name``, ``status``, ``tag``...), in the order given.
        """
        params = [("owner", self.project_id)]
        params.extend((key, value) for key, value in filters.items() if value is not None)
        return list(self.iter_images(params))

    def shared_images(self, member_status, **filters):
        """The images shared with the project whose membership is ``member_status``, each with its ``member_status``.

        One paged listing (``visibility=shared``, ``member_status``: what IMS documents and upstream
        Glance honours; never ``__imagetype``, a property filter on Glance that matches nothing);
        ``filters`` are further query parameters (``name``...). An image the project owns is
        left out: it is not shared with the project, whatever its visibility.
        """
        project_id = self.project_id
        params = [("visibility", "shared"), ("member_status", member_status)]
        params.extend((key, value) for key, value in filters.items() if value is not None)
        return [dict(image, member_status=member_status) for image in self.iter_images(params)
                if image.get("owner") != project_id]

    # -- writes whose outcome may be unknown -----------------------------------------

    def _write(self, send, read_back, payload, unknown_statuses=()):
        return write_until_known(self.transport.pause, self.retries, send, read_back, payload, unknown_statuses)

    def create_image_once(self, body):
        """Create the image of ``body`` (which carries its own new ``id``), never two of it.

        After an unknown outcome (or a 409: an earlier attempt may have landed) the image is
        looked up by that id before the create is ever sent again.
        """
        def read_back(payload, error):
            created = self.get_image(payload["id"])
            return (True, created) if created is not None else (False, payload)
        return self._write(self.create_image, read_back, body, unknown_statuses=(409,))

    def update_image_until(self, image_id, patch, patch_for):
        """Apply ``patch``; after an unknown outcome, read the image and apply ``patch_for(image)``, what is still missing."""
        def read_back(payload, error):
            current = self.get_image(image_id)
            if current is None:
                raise error
            missing = patch_for(current)
            return (True, current) if not missing else (False, missing)
        return self._write(lambda payload: self.update_image(image_id, payload), read_back, patch)

    def add_member_once(self, image_id, member):
        """Share the image with ``member``; after an unknown outcome or a 409, again only if the member list lacks it."""
        def read_back(payload, error):
            for entry in self.list_members(image_id):
                if entry["member_id"] == member:
                    return True, entry
            return False, payload
        return self._write(lambda payload: self.add_member(image_id, payload), read_back, member,
                           unknown_statuses=(409,))

    def set_member_status_once(self, image_id, member, status, vault_id=None):
        """Set the membership status of ``member``; after an unknown outcome, read the membership and send again only if it still differs."""
        def read_back(payload, error):
            current = self.get_member(image_id, member)
            if current is None:
                raise error
            return (True, current) if current.get("status") == payload else (False, payload)
        return self._write(lambda payload: self.set_member_status(image_id, member, payload, vault_id), read_back,
                           status)

    def upload_file_once(self, image, filename, checksum):
        """Stream ``filename`` into the queued ``image``; after an unknown outcome, resend only while it is still queued."""
        def killed(error):
            return ImsImageKilled("image %s (%r) turned killed: the upload failed (%s); run again with "
                                  "replace_failed: true to create it again" % (image["id"], image.get("name"), error))

        def send(payload):
            try:
                with open(filename, "rb") as handle:
                    self.upload_file(image["id"], handle)
            except (ImsApiError, ImsConnectionError) as exc:
                if may_have_taken_effect(exc):
                    raise  # read_back looks
                # Refused outright (a 400, a 413): the image may have turned killed on the way.
                now = self.get_image(image["id"])
                if now is not None and now.get("status") == "killed":
                    raise killed(exc)
                raise

        def read_back(payload, error):
            now = self.get_image(image["id"])
            status = now.get("status") if now is not None else None
            if status == "killed":
                raise killed(error)
            # The answer was lost: the file landed (or is landing), or the image is untouched.
            if status == "saving" or (status == "active" and now.get("checksum") == checksum):
                return True, None
            if status != "queued":
                raise error
            return False, payload
        self._write(send, read_back, None)

    def wait_for_image(self, image_id, timeout, done=("active",)):
        """Wait until the image's status is one of ``done`` (see :func:`_retry.wait_for_status`)."""
        return wait_for_status(lambda: self.get_image(image_id), image_id, timeout, done=done)
