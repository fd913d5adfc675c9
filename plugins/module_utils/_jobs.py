# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IMS's asynchronous jobs: reading one through either job API, one view of it, and waiting for it to end.

Private to this collection: the API may change without notice. The wire facts:
the official SDK's job models (huaweicloudsdkims ShowJobResponse, ShowJobProgressResponse), as summarised here. Two APIs read a job:

- ShowJob, ``GET /v1/{project_id}/jobs/{job_id}`` (marked historical in one Huawei locale);
- ShowJobProgress, ``GET /v1/cloudimages/job/{job_id}`` (no project in the path; its
  ``entities.subJobId`` is camelCase on the wire).

Both answer the same top-level fields; :func:`job_view` makes one view of either. The new
image's id is in ``entities.image_id``, for data images made from volumes in
``entities.sub_jobs_result[i].entities.image_id`` (one sub-job per volume), and in the legacy
``entities.__data_images``. The waiting itself is :func:`_retry.poll`'s, the collection's one
polling policy.
"""

from __future__ import annotations

from urllib.parse import quote

from . import _shapes
from ._errors import ImsApiError, ImsJobFailed, ImsJobTimeout
from ._retry import NAMING_STEADY, poll, poll_until

SHOW_JOB = "ShowJob"
SHOW_JOB_PROGRESS = "ShowJobProgress"
PENDING = ("INIT", "RUNNING")
SUCCESS = "SUCCESS"
FAIL = "FAIL"


def _distinct(values):
    """The non-empty strings of ``values``, each once, in order."""
    seen = []
    for value in values:
        if isinstance(value, str) and value.strip() and value.strip() not in seen:
            seen.append(value.strip())
    return seen


def job_image_ids(entities):
    """Every image id a job's ``entities`` names, in order, each once.

    ``image_id`` first, then each sub-job's (``sub_jobs_result[i].entities.image_id``: a data
    image per volume), each batch result's (``results[i].image_id``), and the legacy
    ``__data_images`` (an id, ids separated by commas, or a list of ids or ``{image_id}``).
    """
    entities = entities or {}
    ids = [entities.get("image_id")]
    ids.extend((sub.get("entities") or {}).get("image_id") for sub in entities.get("sub_jobs_result") or [])
    ids.extend(result.get("image_id") for result in entities.get("results") or [])
    legacy = entities.get("__data_images")
    if isinstance(legacy, str):
        ids.extend(legacy.split(","))
    for item in legacy if isinstance(legacy, list) else []:
        ids.append(item.get("image_id") if isinstance(item, dict) else item)
    return _distinct(ids)


def job_view(answer, job_id=None):
    """One view of a job as either API answers it (checked by :func:`_shapes.job`).

    ``error_code`` is the first IMS gives of the job's, its entities' (``error_code``,
    ``addition_error_code``) and its failed sub-jobs'; ``fail_reason`` joins every distinct
    reason among ``fail_reason``, ``entities.error``, ``entities.addition_error_msg`` and the
    failed sub-jobs' reasons.
    """
    entities = answer.get("entities") or {}
    failed_subs = [sub for sub in entities.get("sub_jobs_result") or [] if sub.get("status") == FAIL]
    codes = _distinct([answer.get("error_code"), entities.get("error_code"), entities.get("addition_error_code")]
                      + [sub.get("error_code") for sub in failed_subs])
    reasons = _distinct([answer.get("fail_reason"), entities.get("error"), entities.get("addition_error_msg")]
                        + [sub.get("fail_reason") for sub in failed_subs])
    image_ids = job_image_ids(entities)
    return {
        "id": answer.get("job_id") or job_id,
        "type": answer.get("job_type"),
        "status": answer["status"],
        "progress": entities.get("process_percent"),
        "image_id": image_ids[0] if image_ids else None,
        "image_ids": image_ids,
        "error_code": codes[0] if codes else None,
        "fail_reason": "; ".join(reasons) or None,
        "begin_time": answer.get("begin_time") or None,
        "end_time": answer.get("end_time") or None,
    }


def job_path(api, job_id, project_id=None):
    """The path that reads job ``job_id`` through ``api`` (ShowJob needs ``project_id``)."""
    quoted = quote(str(job_id), safe="")
    if api == SHOW_JOB_PROGRESS:
        return "/v1/cloudimages/job/%s" % quoted
    return "/v1/%s/jobs/%s" % (quote(str(project_id), safe=""), quoted)


class JobReader:
    """Reads one job, through the API that knows it.

    ``prefer`` is tried first; when it answers 404 while the job's API is not decided yet (a
    job id just returned by a create, an API retired in a region), the other is asked, and
    whichever answers first is the one used for the rest of the job's reads: decided once.
    ``client`` is an :class:`ImsClient` (its ``json_call`` and ``project_id``).
    """

    def __init__(self, client, job_id, prefer=SHOW_JOB):
        if prefer not in (SHOW_JOB, SHOW_JOB_PROGRESS):
            raise ValueError("prefer must be %s or %s; got %r" % (SHOW_JOB, SHOW_JOB_PROGRESS, prefer))
        self.client = client
        self.job_id = job_id
        self.prefer = prefer
        self.api = None  # the API decided on, once one answered

    def _order(self):
        if self.api is not None:
            return (self.api,)
        other = SHOW_JOB_PROGRESS if self.prefer == SHOW_JOB else SHOW_JOB
        return (self.prefer, other)

    def _path(self, api):
        if api == SHOW_JOB_PROGRESS:  # no project in the path: IAM is not asked for it
            return job_path(api, self.job_id)
        return job_path(api, self.job_id, self.client.project_id)

    def read(self):
        """The job's view (:func:`job_view`); an :class:`ImsApiError` when no API knows it."""
        missing = None
        for api in self._order():
            try:
                answer = self.client.json_call("GET", self._path(api), _shapes.job)
            except ImsApiError as exc:
                if exc.status != 404 or self.api is not None:
                    raise
                missing = exc
                continue
            self.api = api
            return job_view(answer, self.job_id)
        raise missing.with_hint("neither %s nor %s knows job %s: check the job id, the region and the project"
                                % (SHOW_JOB, SHOW_JOB_PROGRESS, self.job_id))


def settled(job):
    """Whether ``job`` (a view) has ended well; raise :class:`ImsJobFailed` when it ended ``FAIL``."""
    if job["status"] == FAIL:
        raise ImsJobFailed(job)
    return job["status"] == SUCCESS


def wait_for_job(client, job_id, timeout, prefer=SHOW_JOB, reader=None):
    """Wait until job ``job_id`` ends; return its last view (``SUCCESS``).

    Polls with :func:`_retry.poll` (at once, then 1, 2, 4, 8 s and every 10 s, never tighter than
    1 s), each read through :class:`JobReader`, whose transport retries a 429, a 5xx or a dropped
    connection as every read; a read still failing so after those is tried again at the next look
    (after its ``Retry-After`` when longer), until ``timeout`` seconds. Raises
    :class:`ImsJobFailed` for a ``FAIL`` job, :class:`ImsJobTimeout` (naming the job, its last
    status and progress, and its image when known) when it is still pending at the deadline.
    """
    reader = reader or JobReader(client, job_id, prefer)

    def timed_out(last):
        return ImsJobTimeout(job_id, timeout, last)
    return poll(reader.read, settled, timeout, timed_out, patient=True)


def read_until_named(client, job_id, timeout, prefer=SHOW_JOB):
    """Read job ``job_id`` until it names its image or ends; return its last view (still pending after ``timeout`` s too).

    Once a job names its image, IMS lists the image, so a later run of the task finds it by
    name: a run that returns without waiting for the job (``wait: false``) returns after that
    point rather than in the job's first phase (``INIT``), when a run stopped and run again
    cannot find what it created. Polls as :func:`wait_for_job` does, but every second for the
    first NAMING_STEADY seconds (IMS's first phase is short: a start returns as soon as it ends,
    and the window in which a killed run would not find its image is not widened by the
    schedule's gaps); never raises for a job that ended ``FAIL`` (the view says so).
    """
    reader = JobReader(client, job_id, prefer)

    def named(job):
        return bool(job["image_id"]) or job["status"] not in PENDING

    return poll_until(reader.read, named, timeout, patient=True, steady=NAMING_STEADY)
