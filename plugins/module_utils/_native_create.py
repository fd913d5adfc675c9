# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IMS's native create, sent so that it never makes a second image: the lookups, IMS's busy rules, the window left.

Private to this collection: the API may change without notice. No IMS create body carries an
idempotency key (docs/dev/ims-native-api.md, "Pitfalls"), so the task's name stands in for one:
the project's own images of that name, any status, are looked at before the create is sent.

A listing proves nothing while a job is in its first phase (``INIT``): IMS lists the job's image
only once the job runs. Two things narrow that window, by source:

- **a source a job holds.** IMS refuses a second create from a server with an image job in
  progress (IMG.0010), from a volume being made into an image (IMG.0139) and from a backup
  already used (IMG.0029). Such a refusal after a listing that showed nothing may mean that the
  job holding the source is this task's: an earlier run's, stopped while its job was in
  ``INIT``, or this run's own first create whose answer was lost. The listing is then watched
  (:func:`_retry.poll`) for up to ``grace`` seconds: an image of the name made from the source
  is taken; none means the job is someone else's, and the task fails with IMS's words. After an
  unknown outcome (a 5xx, a connection lost after sending), the create is sent again once a
  listing shows no image: IMS itself refuses it when the first one landed.
- **an OBS file** (``image_url``): IMS has no such rule, so a create sent again after an unknown
  outcome could make a second image. The listing is watched for up to ``grace`` seconds, and
  when the image does not appear the task fails without sending the create again, asking for a
  run later: by then IMS lists the image if it made it, and a re-run creates it if not. What is
  left is a run stopped after the create was sent and before IMS listed the image (the job's
  ``INIT`` phase), then run again within that phase: that re-run makes a second image.
"""

from __future__ import annotations

from ._errors import ImsApiError, ImsAnswerError, ImsError
from ._retry import poll_until, write_until_known

# How long (seconds, at most the task's wait_timeout) the listing is watched for an image whose job may be in INIT.
LISTING_GRACE = 60

# The refusals that say a job already holds the source (IMS's error codes), by source option.
BUSY_CODES = {
    "instance_id": ("IMG.0010",),
    "volume_id": ("IMG.0139", "IMG.0010"),
    "backup_id": ("IMG.0029",),
}

# What each source a job holds is called in a message.
SOURCE_WORDS = {"instance_id": "server", "volume_id": "volume", "backup_id": "backup"}

# What a refusal of the create asks the task to change (IMS's error codes; docs/native-images.md, "The IMS errors").
REFUSAL_HINTS = {
    "IMG.0005": "check instance_id: the server, its region and its project",
    "IMG.0008": "stop the server given as instance_id, then run the task again",
    "IMG.0120": "check volume_id: the volume, its region and its project",
    "IMG.0022": "the volume given as volume_id must be attached to a server",
    "IMG.0020": "check backup_id: a CBR backup of a server, in this region and project",
    "IMG.0032": "the backup given as backup_id is not available yet: run the task again once it is",
    "IMG.0181": "check vault_id: the CBR vault, in this region and project",
    "IMG.0057": "check image_url (bucket:object): the object, its format, its storage class (Standard) and that IMS "
                "may read the bucket",
    "IMG.0058": "the bucket of image_url must be in the image's region",
    "IMG.0059": "a file above 128 GB imports only as raw or zvhd2 with quick_import: true, and none above 1 TB",
    "IMG.0056": "os_version must be one of IMS's (GET /v1/cloudimages/os_version)",
    "IMG.0015": "the project's private image quota is reached: delete the images it no longer needs, or ask for more",
}


def create_once(client, path, body, name, pick, source, grace=LISTING_GRACE, listed=None, lister=None, hints=None,
                what="create"):
    """Have IMS make the image ``name`` (``POST`` ``path`` with ``body``, through ``client``), never two of it.

    ``pick(images)`` (:func:`_native.adoptable`) says which of the project's own images of the
    name is the task's (or raises when one of the name is not); ``listed`` is that listing when
    the caller has just made it (it is not made again), ``source`` the task's source option (None:
    no source a job holds, so nothing is ever sent again after an unknown outcome). ``lister``
    is the client whose project lists the new image (default ``client``: a copy to another region
    lists it in the destination's); ``hints`` replaces :data:`REFUSAL_HINTS`; ``what`` names the
    request in a message (``create``, ``copy``).

    Returns ``{"job_id", "image", "sent"}``: the job of the create sent (``image`` None until
    the job names it), or the image taken instead (``job_id`` None); ``sent`` says whether this
    call sent a create that made the image (one found after an unknown outcome).
    """
    def look():
        return pick((lister or client).own_images(name=name))

    found = pick(listed) if listed is not None else look()
    if found is not None:
        return {"job_id": None, "image": found, "sent": False}
    busy = BUSY_CODES.get(source, ())
    hints = REFUSAL_HINTS if hints is None else hints
    unknown = []  # the failures of creates that may have landed

    def watch():
        """The task's image once listed within ``grace`` seconds; None when it never was."""
        return poll_until(look, lambda image: image is not None, grace)

    def read_back(payload, error):
        unknown.append(error)
        image = look() if busy else watch()
        if image is not None:
            return True, {"job_id": None, "image": image, "sent": True}
        if busy:  # sent again: IMS refuses it (a busy code, below) if the first one landed
            return False, payload
        raise ImsError("the %s of image %r (POST %s) has an unknown outcome (%s), and no image of that name is "
                       "listed %d s later, so it may be under way. IMS lists a new image only once its job has started, "
                       "and its %s takes no idempotency key, so it is not sent again: run the task again in a few "
                       "minutes (it finds the image if IMS made it, and sends the %s again if not)"
                       % (what, name, path, error, grace, what, what))

    try:
        return write_until_known(client.transport.pause, client.retries,
                                 lambda payload: {"job_id": client.post_native(path, payload), "image": None,
                                                  "sent": True},
                                 read_back, body)
    except ImsAnswerError as exc:
        if 200 <= exc.status < 300:
            raise exc.with_hint("IMS took the %s, so image %r may be being made: do not create it by other "
                                "means; run the task again in a few minutes to find it" % (what, name))
        raise
    except ImsApiError as exc:
        if exc.code not in busy:
            raise exc.with_hint(hints[exc.code]) if exc.code in hints else exc
        image = watch()
        if image is None and unknown:
            raise exc.with_hint("this task's first create had an unknown outcome (%s) and may be the job that holds the "
                                "%s, but no image named %r was listed within %d s: run the task again in a few "
                                "minutes (it finds the image once IMS lists it)"
                                % (unknown[0], SOURCE_WORDS[source], name, grace))
        if image is None:
            raise exc.with_hint("no image named %r was listed within %d s, so the job that holds the %s is not this "
                                "task's: run the task again once that job has ended"
                                % (name, grace, SOURCE_WORDS[source]))
        return {"job_id": None, "image": image, "sent": bool(unknown)}
