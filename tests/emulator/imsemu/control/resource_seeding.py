"""Seeding the fake resources images are made from (README "Seeding servers, volumes, backups
and OBS objects"): the keys ``servers``, ``volumes``, ``vaults``, ``backups`` and
``obs_objects`` of ``POST /_emulator/seed``, each a list of objects, with defaults for what is
left out. Every refusal is a ``ValueError`` (400) and seeds nothing.
"""

from __future__ import annotations

import uuid

from ..core.util import is_int
from ..defaults import DEFAULT_REGION
from ..ims.resources import KINDS

GIB = 1024 ** 3
FILE_FORMATS = ("qcow2", "vhd", "zvhd", "zvhd2", "raw", "vmdk", "vhdx", "qed", "vdi", "qcow", "iso")
STORAGE_CLASSES = ("STANDARD", "WARM", "COLD", "DEEP_ARCHIVE")
SERVER_KEYS = ("id", "name", "status", "project_id", "os_version", "image_id", "type", "task_in_progress",
               "architecture", "hw_firmware_type", "cmk_id", "system_volume_id", "system_disk_size")
VOLUME_KEYS = ("id", "name", "status", "project_id", "server_id", "kind", "size")
VAULT_KEYS = ("id", "name", "project_id")
BACKUP_KEYS = ("id", "name", "project_id", "vault_id", "resource_id", "status", "kind", "size", "image_id")
OBJECT_KEYS = ("bucket", "key", "size", "format", "region", "storage_class")


class ResourceSeeder:
    """Validates the resource keys of a seed as a whole, then stores them."""

    def __init__(self, resources, default_project: str, region: str = DEFAULT_REGION):
        self.resources = resources
        self.default_project = default_project
        self.region = region  # an OBS object's default region

    def seed(self, payload: dict) -> dict:
        """``{kind: [records]}`` -> ``{kind: [ids]}`` (OBS objects: ``bucket:key``)."""
        return self.store(payload, self.build(payload))

    def build(self, payload: dict) -> dict:
        """Check every entry and fill in the defaults: ``{kind: [records]}``, nothing stored yet."""
        built = {kind: [] for kind in KINDS}
        for kind in KINDS:
            entries = payload.get(kind, [])
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise ValueError("%s must be a list of objects" % kind)
            for entry in entries:
                getattr(self, "_" + kind)(entry, built)
        return built

    def store(self, payload: dict, built: dict) -> dict:
        for kind in KINDS:
            self.resources.add(kind, built[kind])
        return {kind: [r["bucket"] + ":" + r["key"] if kind == "obs_objects" else r["id"] for r in built[kind]]
                for kind in KINDS if kind in payload}

    # -- one entry of each kind ----------------------------------------------------------
    def _common(self, entry: dict, keys, prefix: str) -> dict:
        unknown = set(entry) - set(keys)
        if unknown:
            raise ValueError("unknown %s keys: %s" % (prefix, ", ".join(sorted(unknown))))
        record = dict(entry)
        record.setdefault("id", str(uuid.uuid4()))
        record.setdefault("name", "%s-%s" % (prefix, record["id"][:8]))
        record.setdefault("project_id", self.default_project)
        for name in ("id", "name", "project_id"):
            if not isinstance(record[name], str) or not record[name]:
                raise ValueError("%s %s must be a non-empty string" % (prefix, name))
        return record

    @staticmethod
    def _choice(record: dict, name: str, values, default) -> None:
        record.setdefault(name, default)
        if record[name] not in values:
            raise ValueError("%s must be one of %s" % (name, ", ".join(map(str, values))))

    @staticmethod
    def _size(record: dict, name: str, default: int) -> None:
        record.setdefault(name, default)
        if not is_int(record[name]) or record[name] <= 0:
            raise ValueError("%s must be a positive integer" % name)

    def _servers(self, entry: dict, built: dict) -> None:
        server = self._common(entry, SERVER_KEYS, "server")
        self._choice(server, "status", ("ACTIVE", "SHUTOFF", "BUILD", "ERROR", "REBOOT", "RESIZE"), "ACTIVE")
        self._choice(server, "type", ("ECS", "BMS"), "ECS")
        self._choice(server, "architecture", ("x86", "arm"), "x86")
        self._choice(server, "hw_firmware_type", ("bios", "uefi"), "uefi" if server["architecture"] == "arm" else "bios")
        server.setdefault("task_in_progress", False)
        if not isinstance(server["task_in_progress"], bool):
            raise ValueError("task_in_progress must be true or false")
        server.setdefault("os_version", "Ubuntu 22.04 server 64bit")
        server.setdefault("image_id", "")
        server.setdefault("cmk_id", "")
        for name in ("os_version", "image_id", "cmk_id"):
            if not isinstance(server[name], str):
                raise ValueError("server %s must be a string" % name)
        self._size(server, "system_disk_size", 40)
        disk_size = server.pop("system_disk_size")
        if "system_volume_id" not in server:  # a server always has its system disk
            server["system_volume_id"] = str(uuid.uuid4())
            built["volumes"].append({"id": server["system_volume_id"], "name": server["name"] + "-system",
                                     "status": "in-use", "project_id": server["project_id"],
                                     "server_id": server["id"], "kind": "system", "size": disk_size})
        elif not isinstance(server["system_volume_id"], str):
            raise ValueError("server system_volume_id must be a string")
        built["servers"].append(server)

    def _volumes(self, entry: dict, built: dict) -> None:
        volume = self._common(entry, VOLUME_KEYS, "volume")
        volume.setdefault("server_id", None)
        if volume["server_id"] is not None and not isinstance(volume["server_id"], str):
            raise ValueError("volume server_id must be a string or null")
        self._choice(volume, "status", ("available", "in-use", "creating", "error", "attaching", "detaching"),
                     "in-use" if volume["server_id"] else "available")
        self._choice(volume, "kind", ("system", "data"), "data")
        self._size(volume, "size", 40 if volume["kind"] == "system" else 100)
        built["volumes"].append(volume)

    def _vaults(self, entry: dict, built: dict) -> None:
        built["vaults"].append(self._common(entry, VAULT_KEYS, "vault"))

    def _backups(self, entry: dict, built: dict) -> None:
        backup = self._common(entry, BACKUP_KEYS, "backup")
        self._choice(backup, "status", ("available", "protecting", "error", "deleting"), "available")
        self._choice(backup, "kind", ("CBR", "CSBS"), "CBR")
        self._size(backup, "size", 40)
        for name in ("vault_id", "resource_id", "image_id"):
            backup.setdefault(name, None)
            if backup[name] is not None and not isinstance(backup[name], str):
                raise ValueError("backup %s must be a string or null" % name)
        built["backups"].append(backup)

    def _obs_objects(self, entry: dict, built: dict) -> None:
        unknown = set(entry) - set(OBJECT_KEYS)
        if unknown:
            raise ValueError("unknown obs_object keys: %s" % ", ".join(sorted(unknown)))
        record = dict(entry)
        for name in ("bucket", "key"):
            if not isinstance(record.get(name), str) or not record[name]:
                raise ValueError("an obs_object needs a bucket and a key (non-empty strings)")
        extension = record["key"].rsplit(".", 1)[-1].lower() if "." in record["key"] else ""
        ResourceSeeder._choice(record, "format", FILE_FORMATS, extension if extension in FILE_FORMATS else "qcow2")
        ResourceSeeder._size(record, "size", 4 * GIB)
        ResourceSeeder._choice(record, "storage_class", STORAGE_CLASSES, "STANDARD")
        record.setdefault("region", self.region)
        if not isinstance(record["region"], str) or not record["region"]:
            raise ValueError("obs_object region must be a non-empty string")
        built["obs_objects"].append(record)
