"""Answers of the wrong shape, fed through every operation of every module: a clean failure or a correct result.

Each scenario runs a module in process against the emulator in process (``inprocess.py``),
first as is (the baseline: its answers and the state it leaves), then once for every
mutation of every JSON answer it got: a field set to null, to another type, or dropped, and
the whole body replaced by the wrong shape, as a broken gateway or an API change would send
them. Every run must end in one of two ways:

- it fails with a message, never a Python error, and sends no write after the broken
  answer (no write is ever decided from garbage): none at all after a broken listing, none
  to that image after a broken answer about one image (the cleanup goes on with the others);
- or it succeeds, and leaves the project exactly as the baseline run did; a cleanup may
  also spare more (an image whose answer no longer shows it as deletable is kept), never
  delete more.
"""

from __future__ import annotations

import uuid

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils import _clock
from ansible_collections.hwcloud.ims.plugins.module_utils._shapes import IMAGE_FIELDS
from ansible_collections.hwcloud.ims.plugins.modules import (ims_image, ims_image_cleanup, ims_image_copy,
                                                             ims_image_export, ims_image_info, ims_image_member,
                                                             ims_image_member_info, ims_job_info)
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import run_module
from imsemu.app import EmulatorApp
from imsemu.core.clock import format_time
from imsemu.ims.images import new_image
from imsemu.defaults import (DEFAULT_ACCESS_KEY, DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_PROJECT_ID, DEFAULT_REGION,
                             DEFAULT_SECRET_KEY, DEFAULT_USER)
from support.inprocess import KEEP, EmulatorBridge

WRITES = ("POST", "PUT", "PATCH", "DELETE")
CONNECTION = {"ims_endpoint": "http://ims.emulator.test", "project_id": DEFAULT_PROJECT_ID,
              "access_key": DEFAULT_ACCESS_KEY, "secret_key": DEFAULT_SECRET_KEY, "retries": 1}
MEMBER_1 = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
MEMBER_2 = "6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
OTHER_OWNER = "7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"
# A scenario's own connection options instead of CONNECTION (the key of its args that carries them).
CONNECTION_KEY = "_connection"
# Of an image, the fields the modules read, and a few they pass on untouched.
IMAGE_KEYS = sorted(IMAGE_FIELDS) + ["__os_type", "file", "self"]
# Of a job's entities (ShowJob, ShowJobProgress), the fields the modules read.
JOB_ENTITY_KEYS = ("image_id", "image_name", "process_percent", "current_task", "sub_jobs_result", "sub_jobs_list",
                   "error_code", "error")


def other_type(value):
    """A value of another JSON type than ``value``."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "twelve"
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return {"a": 1}
    if isinstance(value, dict):
        return ["a"]
    return 7


def field_mutations(obj, keys, where):
    """(name, function) for each key of ``obj``: null, another type, dropped."""
    found = []
    for key in keys:
        if key not in obj:
            continue
        found.append(("%s%s=null" % (where, key), lambda o, k=key: _set(o, k, None)))
        found.append(("%s%s=%s" % (where, key, type(other_type(obj[key])).__name__),
                      lambda o, k=key, v=other_type(obj[key]): _set(o, k, v)))
        found.append(("%s%s dropped" % (where, key), lambda o, k=key: _drop(o, k)))
    return found


def _set(obj, key, value):
    obj = dict(obj)
    obj[key] = value
    return obj


def _drop(obj, key):
    obj = dict(obj)
    obj.pop(key, None)
    return obj


def _in_first(list_key, mutate):
    def apply(obj):
        obj = dict(obj)
        obj[list_key] = [mutate(obj[list_key][0])] + obj[list_key][1:]
        return obj
    return apply


def _in_key(key, mutate):
    def apply(obj):
        obj = dict(obj)
        obj[key] = mutate(obj[key])
        return obj
    return apply


def job_mutations(body):
    """Of a job answer, beyond its fields' null, other type and drop: a status no job has, and its entities'
    fields broken the same ways."""
    found = [("status=\"PAUSED\"", lambda o: _set(o, "status", "PAUSED")), ("status=\"\"", lambda o: _set(o, "status", "")),
             ("status=\"success\"", lambda o: _set(o, "status", "success"))]
    entities = body.get("entities")
    if isinstance(entities, dict):
        found += [(name, _in_key("entities", mutate))
                  for name, mutate in field_mutations(entities, JOB_ENTITY_KEYS, "entities.")]
        found.append(("entities.image_id=\"\"", _in_key("entities", lambda e: _set(e, "image_id", ""))))
        subs = entities.get("sub_jobs_result")
        if isinstance(subs, list) and subs and isinstance(subs[0], dict):  # a data image per volume
            where = "entities.sub_jobs_result[0]."
            sub_mutations = field_mutations(subs[0], ("status", "job_id", "error_code", "fail_reason", "entities"), where)
            if isinstance(subs[0].get("entities"), dict):
                sub_mutations += [(where + name, _in_key("entities", mutate))
                                  for name, mutate in field_mutations(subs[0]["entities"], ("image_id",), "entities.")]
            sub_mutations.append((where[:-1] + "=\"x\"", lambda item: "x"))
            found += [(name, _in_key("entities", _in_first("sub_jobs_result", mutate))) for name, mutate in sub_mutations]
    return found


def mutations(body):
    """Every mutation of one JSON answer ``body``: (name, function of the body)."""
    found = [("body=[]", lambda o: []), ("body=\"x\"", lambda o: "x"), ("body=null", lambda o: None),
             ("body={}", lambda o: {})]
    if not isinstance(body, dict):
        return found
    if "job_id" in body and "status" in body:  # a job (ShowJob, ShowJobProgress)
        found += job_mutations(body)
    if "id" in body and "status" in body:  # an image
        return found + field_mutations(body, IMAGE_KEYS, "")
    found += field_mutations(body, sorted(body), "")
    for list_key, keys in (("images", IMAGE_KEYS), ("members", ("member_id", "status", "image_id"))):
        items = body.get(list_key)
        if isinstance(items, list) and items and isinstance(items[0], dict):
            found += [(name, _in_first(list_key, mutate))
                      for name, mutate in field_mutations(items[0], keys, "%s[0]." % list_key)]
            found.append(("%s[0]=\"x\"" % list_key, _in_first(list_key, lambda item: "x")))
    return found


def snapshot(app):
    """The project's images and members, without ids and times (and the random checksums of seeded images), then its
    membership status on each image of another project shared with it."""
    images = []
    for image in app.store.images.values():
        if image.get("owner") != DEFAULT_PROJECT_ID:
            continue
        members = sorted(m["member_id"] for m in app.store.members.get(image["id"], {}).values())
        images.append((image["name"], image["status"], image.get("min_ram"), tuple(sorted(image.get("tags") or [])),
                       image.get("protected"), image.get("checksum") if image["name"] == "shape-new" else None,
                       tuple(members)))
    # The project's own answers as a member of other projects' images.
    shares = [("share", app.store.images[image_id]["name"], members[DEFAULT_PROJECT_ID]["status"])
              for image_id, members in app.store.members.items() if DEFAULT_PROJECT_ID in members]
    # The images of the other regions (a copy's destination), and the OBS objects (an export's).
    elsewhere = [("region", name, image["name"], image["status"], image.get("min_ram"),
                  tuple(sorted(image.get("tags") or [])), image.get("__originalimagename") is not None)
                 for name, region in app.regions.built.items() if name != DEFAULT_REGION
                 for image in region.store.images.values()]
    objects = [("obs", bucket, key, record.get("format")) for name, region in app.regions.built.items()
               for (bucket, key), record in region.resources.obs_objects.items()]
    return sorted(images) + sorted(shares) + sorted(elsewhere) + sorted(objects)


def scenario_create(app, tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(b"\x01" * 2048)
    return ims_image, {"name": "shape-new", "min_ram": 512, "tags": ["a=1"], "members": [MEMBER_1],
                       "filename": str(path)}


def scenario_update(app, tmp_path):
    app.control.seed({"name": "shape-upd", "tags": ["x=1"], "members": [{"member": MEMBER_2, "status": "accepted"}]})
    return ims_image, {"name": "shape-upd", "min_ram": 1024, "tags": ["a=1"], "members": [MEMBER_1]}


def scenario_unchanged(app, tmp_path):
    app.control.seed({"name": "shape-same", "tags": ["a=1"]})
    return ims_image, {"name": "shape-same", "tags": ["a=1"]}


def scenario_delete(app, tmp_path):
    app.control.seed({"name": "shape-del"})
    return ims_image, {"name": "shape-del", "state": "absent"}


def scenario_delete_by_id(app, tmp_path):
    image_id = app.control.seed({"name": "shape-del-id"})["ids"][0]
    return ims_image, {"id": image_id, "state": "absent"}


def scenario_list_pages(app, tmp_path):
    app.control.seed({"count": 5, "name": "shape-info-{i}"})
    return ims_image_info, {"name": None, "page_size": 2, "imagetype": "private"}


def scenario_show(app, tmp_path):
    image_id = app.control.seed({"name": "shape-show"})["ids"][0]
    return ims_image_info, {"id": image_id}


def scenario_cleanup(app, tmp_path):
    app.control.seed({"count": 3, "name": "shape-old-{i}", "status": "killed", "age_days": 30})
    return ims_image_cleanup, {"dry_run": False}


def seed_shares(app):
    """Two images of another project shared with this one (pending, accepted); their ids."""
    return app.control.seed({"images": [
        {"name": "shape-shared-in", "owner": OTHER_OWNER, "members": [{"member": DEFAULT_PROJECT_ID, "status": "pending"}]},
        {"name": "shape-shared-ok", "owner": OTHER_OWNER,
         "members": [{"member": DEFAULT_PROJECT_ID, "status": "accepted"}]}]})["ids"]


def scenario_member_accept(app, tmp_path):
    return ims_image_member, {"image": seed_shares(app)[0], "status": "accepted"}


def scenario_member_by_name(app, tmp_path):
    seed_shares(app)
    return ims_image_member, {"image": "shape-shared-in", "status": "rejected"}


def scenario_member_info(app, tmp_path):
    seed_shares(app)
    return ims_image_member_info, {}


def scenario_info_members(app, tmp_path):
    app.control.seed({"name": "shape-owned", "members": [{"member": MEMBER_1, "status": "accepted"}]})
    return ims_image_info, {"imagetype": "private", "members": True}


def scenario_token_learns_project(app, tmp_path):
    """A ready token and no project id: the project comes from IAM's GET /v3/auth/tokens answer."""
    app.control.seed({"name": "shape-tok", "tags": ["a=1"]})
    user = app.iam.find_user(DEFAULT_USER, DEFAULT_PASSWORD, DEFAULT_DOMAIN)
    token = app.iam.issue_token(user, DEFAULT_PROJECT_ID, DEFAULT_REGION)[0]
    connection = {"ims_endpoint": CONNECTION["ims_endpoint"], "iam_endpoint": CONNECTION["ims_endpoint"],
                  "auth_token": token, "region": DEFAULT_REGION, "retries": 1}
    return ims_image, {"name": "shape-tok", "min_ram": 1024, CONNECTION_KEY: connection}


def seed_server(app):
    """A server to make images of (the emulator's jobs end at the first request that sees them); its id."""
    app.jobs.job_seconds = 0
    return app.control.seed({"servers": [{"name": "shape-web"}]})["servers"][0]


def scenario_native_create(app, tmp_path):
    """An image IMS makes from a server: the lookup, the create's {"job_id"}, the job's reads, the image."""
    return ims_image, {"name": "shape-native", "instance_id": seed_server(app), "description": "baked"}


def scenario_native_data_volume(app, tmp_path):
    """A data image of a server's data volume: a job whose sub job makes the image (entities.sub_jobs_result)."""
    server = seed_server(app)
    volume = app.control.seed({"volumes": [{"server_id": server, "kind": "data"}]})["volumes"][0]
    return ims_image, {"name": "shape-native-data", "volume_id": volume, "image_type": "data"}


def scenario_native_no_wait(app, tmp_path):
    """The same with wait false: the create and one read of its job."""
    return ims_image, {"name": "shape-native-nowait", "instance_id": seed_server(app), "wait": False}


def start_job(app, name):
    """A job making the image ``name``, started directly (it ends at the first request that sees it); its id."""
    image = new_image(image_id=str(uuid.uuid4()), owner=DEFAULT_PROJECT_ID, name=name,
                      created_at=format_time(app.clock.now()), status="saving")
    app.jobs.job_seconds = 0
    return app.jobs.start(DEFAULT_PROJECT_ID, "imsCreateImageByInstance", image, 1024).id


def scenario_job_info(app, tmp_path):
    """ims_job_info waiting for a job that makes an image (ShowJob), then reading the image."""
    return ims_job_info, {"job_id": start_job(app, "shape-job"), "wait": True, "wait_timeout": 60}


def scenario_job_info_progress(app, tmp_path):
    """The same where ShowJob answers 404 (an API retired in a region): ShowJobProgress reads the job."""
    app.control.set_faults({"rules": [{"method": "GET", "path": "/v1/[^/]+/jobs/[^/]+", "status": 404}]})
    return ims_job_info, {"job_id": start_job(app, "shape-job-progress")}


# A copy's connection: the ims_endpoint of every region (its {region} placeholder), IAM's for all of them.
REGIONS_CONNECTION = dict(CONNECTION, ims_endpoint=CONNECTION["ims_endpoint"] + "/{region}",
                          iam_endpoint=CONNECTION["ims_endpoint"], region=DEFAULT_REGION)


def seed_source(app, name):
    """An active image of the project to copy or export (the emulator's jobs end at the first request that sees them)."""
    app.jobs.job_seconds = 0
    return app.control.seed({"name": name, "tags": ["a=1"]})["ids"][0]


def scenario_copy_to_region(app, tmp_path):
    """A copy to another region: the source read, the destination's project from IAM and its listing, the copy POST's
    {"job_id"}, the job's reads, the copy read in the destination and given its RAM and tags there (PATCH)."""
    seed_source(app, "shape-copy")
    return ims_image_copy, {"image": "shape-copy", "name": "shape-copy", "target_region": "cn-east-3",
                            "agency_name": "ims_admin_agency", "min_ram": 1024, "tags": ["b=2"],
                            CONNECTION_KEY: REGIONS_CONNECTION}


def scenario_copy_within_region(app, tmp_path):
    """A copy within the region (POST /copy), waited for, its tags set."""
    seed_source(app, "shape-copy-in")
    return ims_image_copy, {"image": "shape-copy-in", "name": "shape-copy-in-2", "tags": ["b=2"]}


def scenario_export(app, tmp_path):
    """An export to OBS: the source read, the export POST's {"job_id"}, the job's reads."""
    seed_source(app, "shape-export")
    app.control.seed({"obs_objects": [{"bucket": "shape-bucket", "key": ".keep"}]})
    return ims_image_export, {"image": "shape-export", "bucket_url": "shape-bucket:exports/shape-export.qcow2",
                              "file_format": "qcow2"}


SCENARIOS = [scenario_create, scenario_update, scenario_unchanged, scenario_delete, scenario_delete_by_id,
             scenario_list_pages, scenario_show, scenario_cleanup, scenario_member_accept, scenario_member_by_name,
             scenario_member_info, scenario_info_members, scenario_token_learns_project, scenario_native_create,
             scenario_native_data_volume, scenario_native_no_wait, scenario_job_info, scenario_job_info_progress,
             scenario_copy_to_region, scenario_copy_within_region, scenario_export]


class Breaker:
    """Mutates the ``target``-th JSON answer (0-based) with ``mutate``; records every answer."""

    def __init__(self, target=None, mutate=None):
        self.target, self.mutate = target, mutate
        self.answers = []  # (method, path, body)
        self.broken_at = None  # index in the bridge log of the broken answer

    def __call__(self, method, path, body):
        index = len(self.answers)
        self.answers.append((method, path, body))
        if index == self.target:
            self.broken_at = len(self.bridge.log)
            return self.mutate(body)
        return KEEP


@pytest.fixture
def no_waits(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(_clock, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    monkeypatch.setattr(_clock, "monotonic", lambda: now[0])


def run(monkeypatch, tmp_path, scenario, breaker):
    app = EmulatorApp(public_images=False)
    try:
        module, args = scenario(app, tmp_path)
        bridge = EmulatorBridge(app, on_answer=breaker)
        breaker.bridge = bridge
        bridge.install(monkeypatch)
        connection = args.pop(CONNECTION_KEY, CONNECTION)
        result = run_module(module, dict(connection, **{k: v for k, v in args.items() if v is not None}))
        return result, bridge.log, snapshot(app)
    finally:
        app.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__[len("scenario_"):] for s in SCENARIOS])
def test_every_broken_answer_fails_cleanly_or_changes_nothing_of_the_outcome(monkeypatch, tmp_path, no_waits, scenario):
    baseline = Breaker()
    result, _log, expected_state = run(monkeypatch, tmp_path, scenario, baseline)
    assert not result["failed"], result
    assert baseline.answers, "the scenario got no JSON answer"
    cases = failures = 0
    for index, (method, path, body) in enumerate(baseline.answers):
        for name, mutate in mutations(body):
            cases += 1
            breaker = Breaker(index, mutate)
            label = "answer %d (%s %s), %s" % (index + 1, method, path, name)
            result, log, state = run(monkeypatch, tmp_path, scenario, breaker)
            if result["failed"]:
                failures += 1
                assert result.get("msg") and "Traceback" not in result["msg"], (label, result)
                if breaker.broken_at is not None:
                    subject = path if path.startswith("/v2/images/") else "/"
                    subject = "/".join(subject.split("/")[:4])
                    later = [entry for entry in log[breaker.broken_at + 1:]
                             if entry[0] in WRITES and entry[1].startswith(subject)]
                    assert not later, (label, "a write after the broken answer", later, result["msg"])
            elif scenario is scenario_cleanup:
                assert set(expected_state) <= set(state), (label, "deleted more than the baseline", result)
            else:
                assert state == expected_state, (label, result)
    assert cases > 10 and failures > 0, (cases, failures)


def test_mutations_cover_nulls_types_drops_and_shapes():
    body = {"images": [{"id": "i", "status": "active", "tags": []}], "next": "/v2/images?marker=i"}
    names = [name for name, _mutate in mutations(body)]
    for wanted in ("body=[]", "images=null", "images=dict", "next=int", "next dropped", "images[0].id=null",
                   "images[0].tags=dict", "images[0].status dropped", "images[0]=\"x\""):
        assert wanted in names, (wanted, names)
    job = {"job_id": "j", "status": "RUNNING", "job_type": "t", "entities": {"image_id": "i", "process_percent": 5.0}}
    names = [name for name, _mutate in mutations(job)]
    for wanted in ("status dropped", "status=null", "status=int", "status=\"PAUSED\"", "job_id=int", "entities=list",
                   "entities.image_id=int", "entities.image_id dropped", "entities.process_percent=str"):
        assert wanted in names, (wanted, names)
    assert [m for name, m in mutations(job) if name == "entities.image_id=int"][0](job)["entities"]["image_id"] == 12345
