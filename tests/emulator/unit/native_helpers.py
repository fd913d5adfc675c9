"""What the native API's in-process tests share: a seeded world of fake resources, and calls."""

from __future__ import annotations

import json

GIB = 1024 ** 3
SERVER = "5e1f0000-0000-4000-8000-000000000001"
BUSY_SERVER = "5e1f0000-0000-4000-8000-000000000002"
BMS_SERVER = "5e1f0000-0000-4000-8000-000000000003"
DATA_VOLUME = "7a1e0000-0000-4000-8000-000000000001"
DATA_VOLUME_2 = "7a1e0000-0000-4000-8000-000000000002"
LOOSE_VOLUME = "7a1e0000-0000-4000-8000-000000000003"
OTHER_SERVER_VOLUME = "7a1e0000-0000-4000-8000-000000000004"
SYSTEM_VOLUME = "7a1e0000-0000-4000-8000-0000000000aa"
VAULT = "ba17000-0000-4000-8000-000000000001"
BACKUP = "bac0000-0000-4000-8000-000000000001"
USED_BACKUP = "bac0000-0000-4000-8000-000000000002"
OTHER_PROJECT = "c" * 32

WORLD = {
    "servers": [
        {"id": SERVER, "name": "web-1", "os_version": "CentOS 7.9 64bit", "image_id": "parent-image",
         "system_volume_id": SYSTEM_VOLUME},
        {"id": BUSY_SERVER, "task_in_progress": True},
        {"id": BMS_SERVER, "type": "BMS", "status": "SHUTOFF"},
        {"id": "5e1f0000-0000-4000-8000-0000000000cc", "project_id": OTHER_PROJECT},
    ],
    "volumes": [
        {"id": SYSTEM_VOLUME, "server_id": SERVER, "kind": "system", "size": 50},
        {"id": DATA_VOLUME, "server_id": SERVER, "size": 100},
        {"id": DATA_VOLUME_2, "server_id": SERVER, "size": 200},
        {"id": LOOSE_VOLUME},
        {"id": OTHER_SERVER_VOLUME, "server_id": BMS_SERVER},
    ],
    "vaults": [{"id": VAULT}],
    "backups": [{"id": BACKUP, "vault_id": VAULT, "resource_id": SERVER, "size": 60},
                {"id": USED_BACKUP, "vault_id": VAULT, "resource_id": SERVER, "image_id": "made-before"}],
    "obs_objects": [
        {"bucket": "imgs", "key": "linux.qcow2", "size": 3 * GIB},
        {"bucket": "imgs", "key": "big.qcow2", "size": 200 * GIB},
        {"bucket": "imgs", "key": "big.zvhd2", "size": 200 * GIB},
        {"bucket": "imgs", "key": "huge.raw", "size": 2000 * GIB},
        {"bucket": "imgs", "key": "disk.raw", "size": 20 * GIB},
        {"bucket": "imgs", "key": "data.vhd", "size": 10 * GIB},
        {"bucket": "imgs", "key": "install.iso", "size": GIB},
        {"bucket": "imgs", "key": "cold.qcow2", "storage_class": "COLD"},
        {"bucket": "far", "key": "linux.qcow2", "region": "eu-west-101"},
    ],
}


def control(app, method, path, body=None):
    response = app.control.handle(method, path, b"" if body is None else json.dumps(body).encode())
    return response.status, json.loads(response.body)


def seed_world(app):
    status, body = control(app, "POST", "/_emulator/seed", WORLD)
    assert status == 200, body


def started(answer) -> str:
    """The job id of a create's answer (200 {"job_id"})."""
    assert answer.status == 200, answer.body
    assert set(answer.json()) == {"job_id"}
    return answer.json()["job_id"]


def refused(answer, code, status=400):
    assert answer.status == status, answer.body
    assert answer.json()["error"]["code"] == code, answer.body
    assert answer.json()["error"]["message"]
    return answer.json()["error"]["message"]


def made_image(app, job_id) -> dict:
    """Finish the job now; its image, as stored."""
    control(app, "POST", "/_emulator/jobs/finish", {"job_id": job_id})
    job = app.jobs.jobs[job_id]
    return app.store.get(job.image_id)
