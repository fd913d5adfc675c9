"""IMS's error answers: ``{"error":{"code":"IMG.xxxx","message":...}}``.

docs/dev/ims-api.md, "errors". Where IMS documents no code the emulator uses ``IMG.0001``
(a 400 about the request itself), ``IMG.0403``, ``IMG.0404``, ``IMG.0409`` and ``IMG.0415``.
"""

from __future__ import annotations

from ..core.exceptions import ErrorAnswer


class ImsErrorAnswer(ErrorAnswer):
    """``{"error":{"code":"IMG.xxxx","message":...}}``"""

    def body(self, request_id):
        return {"error": {"code": self.code, "message": self.message}}


def bad_request(message: str) -> ImsErrorAnswer:
    """400 IMG.0001: the request itself is wrong (a field, a filter, the body)."""
    return ImsErrorAnswer(400, "IMG.0001", message)


def image_not_found(image_id: str) -> ImsErrorAnswer:
    return ImsErrorAnswer(404, "IMG.0144", "Image %s could not be found." % image_id)


def not_owner(message: str = "Only the owner of the image can do this.") -> ImsErrorAnswer:
    return ImsErrorAnswer(400, "IMG.0047", message)


def forbidden(message: str) -> ImsErrorAnswer:
    return ImsErrorAnswer(403, "IMG.0403", message)


def not_found(message: str) -> ImsErrorAnswer:
    """404 IMG.0404: a tag or a member that is not there."""
    return ImsErrorAnswer(404, "IMG.0404", message)


def not_a_member(member_id: str, image_id: str) -> ImsErrorAnswer:
    return not_found("Project %s is not a member of image %s." % (member_id, image_id))


def conflict(message: str) -> ImsErrorAnswer:
    return ImsErrorAnswer(409, "IMG.0409", message)


def unsupported_media_type(message: str, headers=None) -> ImsErrorAnswer:
    return ImsErrorAnswer(415, "IMG.0415", message, headers)


def only_shared_images_have_members() -> ImsErrorAnswer:
    """403 IMG.0403: a member added to a non-shared image with X-Api-Version 2.5 or later (Glance's
    "Only shared images have members."; IMS documents no code for it, so the emulator's 403 code)."""
    return ImsErrorAnswer(403, "IMG.0403", "Only shared images have members: set the image's visibility to shared first.")
