"""IMS's asynchronous jobs (README "Jobs"): the phases of an image creation over the
emulator's clock, and the two job APIs' shapes (ims-native-api.md 1.1, 1.2 and 1.3).

A job is ``INIT`` (no image yet) for ``INIT_FRACTION`` of its duration, then ``RUNNING`` (its
image is stored, ``saving``, progress rising with the clock), then ``SUCCESS`` (the image
``active``) or ``FAIL`` (the image ``killed``; a failure planned for ``INIT`` ends the job
before any image exists). Jobs move lazily: ``JobBoard.advance()`` (called before every API
request and control call that reads state) makes every transition the clock has reached, so a
shifted clock moves them too. Jobs live in memory only.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
import uuid

from .images import mark_active

INIT_FRACTION = 0.1  # the share of a job's duration spent in INIT
DEFAULT_JOB_SECONDS = 10.0
UNFINISHED = ("INIT", "RUNNING")
CURRENT_TASK = {"INIT": "preparing", "RUNNING": "creating_image", "SUCCESS": "finished", "FAIL": "failed"}


def format_job_time(ts: float) -> str:
    """Job times: ISO 8601 UTC with milliseconds (``2024-11-06T06:19:43.195Z``)."""
    moment = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


class Job:
    """One job: a single image (``image`` the dict to store once RUNNING), or a parent of sub jobs."""

    def __init__(self, project, job_type, begin, seconds, image=None, size=0, failure=None, sources=(),
                 on_fail=None, on_success=None):
        self.id = uuid.uuid4().hex
        self.project = project
        self.job_type = job_type
        self.begin = begin
        self.seconds = seconds
        self.image = image  # stored once the job is RUNNING
        self.size = size  # bytes of the active image
        self.failure = failure  # {"error_code", "fail_reason", "phase"} or None
        self.sources = frozenset(sources)  # ids of the servers and volumes the job reads
        self.on_fail = on_fail  # on_fail(job), e.g. to release a backup
        self.on_success = on_success  # on_success(job), e.g. an export's OBS object (a job with no image)
        self.sub_jobs = []
        self.status = "INIT"
        self.end = None
        self.progress = 0.0
        self.image_stored = False
        self.store = None  # the ImageStore its image goes to (a cross-region copy: the destination's), else the board's

    @property
    def image_id(self):
        return self.image["id"] if self.image is not None else None

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    def images(self) -> list:
        """The image dicts this job makes (its own, or its sub jobs')."""
        if self.sub_jobs:
            return [sub.image for sub in self.sub_jobs]
        return [self.image]


class JobBoard:
    """Every job, by id; their lifecycle over ``clock``; the answers of the job APIs."""

    def __init__(self, store, clock, job_seconds: float = DEFAULT_JOB_SECONDS):
        self.store = store
        self.clock = clock
        self.job_seconds = self.start_seconds = float(job_seconds)
        self.lock = threading.RLock()
        self.jobs: dict = {}
        self.incoming: dict = {}  # other regions' jobs whose image this board's store gets (cross-region copies)

    def reset(self) -> None:
        """No jobs, and the duration of the command line (``--job-seconds``) again."""
        with self.lock:
            self.jobs.clear()
            self.incoming.clear()
            self.job_seconds = self.start_seconds

    # -- starting ----------------------------------------------------------------------
    def start(self, project, job_type, image, size, failure=None, sources=(), on_fail=None, on_success=None,
              destination=None) -> Job:
        """A job making one image (``image`` None: a job that makes none, such as an export);
        ``destination``: another region's board, whose store gets the image."""
        with self.lock:
            job = Job(project, job_type, self.clock.now(), self.job_seconds, image, size, failure, sources, on_fail,
                      on_success)
            self.jobs[job.id] = job
        if destination is not None:
            job.store = destination.store
            with destination.lock:
                destination.incoming[job.id] = job
        return job

    def start_parent(self, project, job_type, sub_job_type, parts, failure=None) -> Job:
        """A job whose sub jobs each make one image; ``parts`` are (image, size, sources) triples."""
        with self.lock:
            now = self.clock.now()
            parent = Job(project, job_type, now, self.job_seconds, failure=failure)
            for image, size, sources in parts:
                sub = Job(project, sub_job_type, now, self.job_seconds, image, size, failure, sources)
                parent.sub_jobs.append(sub)
                self.jobs[sub.id] = sub
            parent.sources = frozenset().union(*(sub.sources for sub in parent.sub_jobs))
            self.jobs[parent.id] = parent
            return parent

    # -- what the rules ask ------------------------------------------------------------
    def busy(self, resource_id: str) -> bool:
        """Whether an unfinished job reads this server or volume."""
        with self.lock:
            return any(not job.finished and resource_id in job.sources for job in self.jobs.values())

    # The store calls these two holding its own lock (a create's quota, a delete), while advance()
    # and finish() hold this board's lock and then the store's: so they read a snapshot of the
    # jobs (list() of a dict is one step under the GIL) and never take this board's lock.
    def pending_images(self, project: str) -> int:
        """Images that unfinished jobs of ``project`` will store but have not yet (for the quota)."""
        return sum(1 for job in self._all()
                   if job.image is not None and job.image["owner"] == project and not job.finished
                   and not job.image_stored)

    def creating(self, image_id: str) -> bool:
        """Whether the image is being made by an unfinished job (it cannot be deleted: IMG.0090)."""
        return any(job.image_id == image_id and not job.finished for job in self._all())

    def _all(self) -> list:
        """This board's jobs and the incoming ones (their images are stored here)."""
        return list(self.jobs.values()) + list(self.incoming.values())

    # -- the lifecycle -----------------------------------------------------------------
    def advance(self) -> None:
        """Make every transition the clock has reached."""
        now = self.clock.now()
        with self.lock, self.store.lock:
            for job in self._all():
                if not job.finished and not job.sub_jobs:
                    self._advance(job, now, False)
            for job in self.jobs.values():
                if job.sub_jobs:
                    self._settle_parent(job, now)

    def finish(self, job_id=None) -> list:
        """End one unfinished job (or every one) now, as its plan says: the ids ended."""
        now = self.clock.now()
        ended = []
        with self.lock, self.store.lock:
            for job in list(self.jobs.values()):
                if job.finished or (job_id is not None and job_id not in (job.id, self._parent_id(job))):
                    continue
                if not job.sub_jobs:
                    self._advance(job, now, True)
                ended.append(job.id)
            for job in self.jobs.values():
                if job.sub_jobs:
                    self._settle_parent(job, now)
        return ended

    def _parent_id(self, job):
        for parent in self.jobs.values():
            if job in parent.sub_jobs:
                return parent.id
        return None

    def _advance(self, job: Job, now: float, force: bool) -> None:
        elapsed = now - job.begin
        init_seconds = job.seconds * INIT_FRACTION
        failure = job.failure or {}
        if job.status == "INIT" and (force or elapsed >= init_seconds):
            if failure.get("phase") == "INIT":
                self._fail(job, now)
                return
            if job.image is not None:
                image = dict(job.image, status="saving", created_at=self._time(now), updated_at=self._time(now))
                job.image = image
                (job.store or self.store).add([image])
                job.image_stored = True
            job.status = "RUNNING"
        if job.status == "RUNNING":
            running = job.seconds - init_seconds
            if force or elapsed >= job.seconds:
                if failure:
                    self._fail(job, now)
                else:
                    self._succeed(job, now)
            elif running > 0:
                job.progress = max(job.progress, round(min(99.0, 100.0 * (elapsed - init_seconds) / running), 1))

    def _succeed(self, job: Job, now: float) -> None:
        store = job.store or self.store
        image = store.get(job.image_id) if job.image is not None else None
        if image is not None:  # unless a reset of the control surface removed it
            image = dict(image)
            when = self._time(now)
            mark_active(image, job.size, hashlib.md5(image["id"].encode()).hexdigest(), when)
            image["updated_at"] = when
            store.replace(image)
        job.status, job.end, job.progress = "SUCCESS", now, 100.0
        if job.on_success is not None:
            job.on_success(job)

    def _fail(self, job: Job, now: float) -> None:
        store = job.store or self.store
        if job.image_stored and store.get(job.image_id) is not None:
            store.update(job.image_id, status="killed", updated_at=self._time(now))
        job.status, job.end = "FAIL", now
        if job.on_fail is not None:
            job.on_fail(job)

    def _settle_parent(self, parent: Job, now: float) -> None:
        subs = parent.sub_jobs
        parent.progress = round(sum(sub.progress for sub in subs) / len(subs), 1)
        if parent.finished:
            return
        if any(sub.status != "INIT" for sub in subs):
            parent.status = "RUNNING"
        if all(sub.finished for sub in subs):
            parent.status = "SUCCESS" if all(sub.status == "SUCCESS" for sub in subs) else "FAIL"
            parent.end = now

    @staticmethod
    def _time(ts: float) -> str:
        return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- reading -----------------------------------------------------------------------
    def get(self, project: str, job_id: str):
        """The job if it is the project's, else None (another project's job is not found)."""
        with self.lock:
            job = self.jobs.get(job_id)
            return job if job is not None and job.project == project else None

    def describe(self) -> list:
        """Every job, in the ShowJob shape plus ``project_id`` (the control surface's listing)."""
        with self.lock:
            return [dict(self.show_job(job), project_id=job.project) for job in self.jobs.values()]

    def show_job(self, job: Job) -> dict:
        """``GET /v1/{project_id}/jobs/{job_id}`` (ims-native-api.md 1.1)."""
        entities = self._entities(job)
        if job.sub_jobs:
            entities["sub_jobs_result"] = [self._sub_result(sub) for sub in job.sub_jobs]
            entities["sub_jobs_list"] = [sub.id for sub in job.sub_jobs]
        return self._top(job, entities)

    def show_job_progress(self, job: Job) -> dict:
        """``GET /v1/cloudimages/job/{job_id}`` (1.2): ``entities.subJobId`` in camelCase."""
        body = self.show_job(job)
        if job.sub_jobs:
            current = next((sub for sub in job.sub_jobs if not sub.finished), job.sub_jobs[-1])
            body["entities"]["subJobId"] = current.id
        return body

    def _top(self, job: Job, entities: dict) -> dict:
        failed = job.status == "FAIL"
        failure = self._failure_of(job) if failed else {}
        return {"status": job.status, "job_id": job.id, "job_type": job.job_type,
                "begin_time": format_job_time(job.begin),
                "end_time": format_job_time(job.end) if job.end is not None else "",
                "error_code": failure.get("error_code"), "fail_reason": failure.get("fail_reason"),
                "entities": entities}

    @staticmethod
    def _failure_of(job: Job) -> dict:
        if job.failure:
            return job.failure
        failed = [sub.failure for sub in job.sub_jobs if sub.status == "FAIL" and sub.failure]
        return failed[0] if failed else {}

    @staticmethod
    def _entities(job: Job) -> dict:
        entities = {"current_task": CURRENT_TASK[job.status], "process_percent": job.progress}
        if job.image is not None:
            entities["image_name"] = job.image["name"]
            if job.image_stored:
                entities["image_id"] = job.image_id
        elif job.sub_jobs:
            entities["image_name"] = job.sub_jobs[0].image["name"]
        if job.status == "FAIL":
            failure = JobBoard._failure_of(job)
            entities["error_code"] = failure.get("error_code")
            entities["error"] = failure.get("fail_reason")
        return entities

    def _sub_result(self, sub: Job) -> dict:
        result = self._top(sub, {"image_name": sub.image["name"]})
        if sub.image_stored:
            result["entities"]["image_id"] = sub.image_id
        return result
