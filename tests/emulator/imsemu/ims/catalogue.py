"""The public (gold) and market images every emulator starts with; their ids never change."""

from __future__ import annotations

import hashlib
import uuid

from ..defaults import PUBLIC_OWNER
from .images import mark_active, new_image

# (name, __os_version, min_disk, min_ram, __imagetype, created_at)
PUBLIC_CATALOGUE = (
    ("CentOS 7.9 64bit", "CentOS 7.9 64bit", 40, 0, "gold", "2023-02-14T08:00:00Z"),
    ("Ubuntu 22.04 server 64bit", "Ubuntu 22.04 server 64bit", 40, 0, "gold", "2023-05-10T08:00:00Z"),
    ("Debian 11.1.0 64bit", "Debian 11.1.0 64bit", 40, 0, "gold", "2023-03-21T08:00:00Z"),
    ("Huawei Cloud EulerOS 2.0 Standard 64 bit", "Huawei Cloud EulerOS 2.0 64bit", 40, 0, "gold",
     "2023-08-01T08:00:00Z"),
    ("Windows Server 2019 Datacenter 64bit English", "Windows Server 2019 Datacenter 64bit English",
     40, 2048, "gold", "2023-06-30T08:00:00Z"),
    ("WordPress 6 on CentOS 7.9 (market)", "CentOS 7.9 64bit", 40, 1024, "market",
     "2023-09-12T08:00:00Z"),
)


def public_catalogue() -> list:
    """The public (gold) and market images every emulator starts with."""
    images = []
    for name, os_version, min_disk, min_ram, imagetype, created_at in PUBLIC_CATALOGUE:
        image_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "ims-emulator/public/" + name))
        extra = {"__lazyloading": "true", "hw_firmware_type": "bios", "__support_kvm": "true",
                 "__is_config_init": "true", "__description": "%s (emulator catalogue)" % name}
        if imagetype == "market":
            extra.update({"__productcode": "00301-emulator-wordpress", "__is_offshelved": "false"})
        image = new_image(image_id=image_id, owner=PUBLIC_OWNER, name=name, created_at=created_at,
                          status="active", imagetype=imagetype, protected=True, disk_format="zvhd2",
                          min_disk=min_disk, min_ram=min_ram, os_version=os_version, properties=extra)
        size = min_disk * 1024 * 1024 * 1024 // 8
        mark_active(image, size, hashlib.md5(image_id.encode()).hexdigest(), created_at)
        images.append(image)
    return images
