"""The other services' resources an image is made from: seeded fakes of ECS servers, EVS
volumes, CBR vaults and backups, and OBS objects (README "The native create API").

They are plain dicts, stored as the control surface seeds them (``control/resource_seeding.py``);
the native actions (``native.py``) only read them, except that a whole image made from a server
adds the backup it is made from, and deleting a whole image may remove its backup. They live in
memory only (never in the ``--state`` file).
"""

from __future__ import annotations

import threading

KINDS = ("servers", "volumes", "vaults", "backups", "obs_objects")


class CloudResources:
    """Servers, volumes, vaults, backups and OBS objects, each kind by id (objects by bucket and key)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.servers: dict = {}
        self.volumes: dict = {}
        self.vaults: dict = {}
        self.backups: dict = {}
        self.obs_objects: dict = {}  # (bucket, key) -> object

    def reset(self) -> None:
        with self.lock:
            for kind in KINDS:
                getattr(self, kind).clear()

    def add(self, kind: str, records: list) -> None:
        with self.lock:
            table = getattr(self, kind)
            for record in records:
                key = (record["bucket"], record["key"]) if kind == "obs_objects" else record["id"]
                table[key] = record

    def snapshot(self) -> dict:
        """Every resource, by kind (the control surface's ``GET /_emulator/resources``)."""
        with self.lock:
            return {kind: [dict(r) for r in getattr(self, kind).values()] for kind in KINDS}

    # -- what a project sees -----------------------------------------------------------
    @staticmethod
    def _owned(record, project: str):
        return record if record is not None and record["project_id"] == project else None

    def server(self, project: str, server_id) -> dict | None:
        return self._owned(self.servers.get(server_id), project)

    def volume(self, project: str, volume_id) -> dict | None:
        return self._owned(self.volumes.get(volume_id), project)

    def vault(self, project: str, vault_id) -> dict | None:
        return self._owned(self.vaults.get(vault_id), project)

    def backup(self, project: str, backup_id) -> dict | None:
        return self._owned(self.backups.get(backup_id), project)

    def obs_object(self, bucket: str, key: str) -> dict | None:
        return self.obs_objects.get((bucket, key))

    def system_volume(self, server: dict) -> dict | None:
        return self.volumes.get(server.get("system_volume_id"))

    # -- changes the native actions make -------------------------------------------------
    def set_backup(self, backup: dict) -> None:
        with self.lock:
            self.backups[backup["id"]] = backup

    def remove_backup(self, backup_id: str) -> bool:
        with self.lock:
            return self.backups.pop(backup_id, None) is not None
