# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # The options of an image made by IMS from a server, a volume, a backup or an OBS file (the
    # native API), as plugins/module_utils/_native.py's option table takes them.
    DOCUMENTATION = r"""
options:
  instance_id:
    description:
      - An ECS server to make the image from. With O(image_type=system) (the default), an image of its system disk;
        with O(image_type=whole) and O(vault_id), a full-server image (every disk, through a CBR backup).
      - A source option (O(instance_id), O(backup_id), O(volume_id), O(image_url)) makes the task one of an image
        made by IMS through its native API, as an asynchronous job. The source options exclude each other and
        O(filename). With one, O(name) is required (the image is found, and never made twice, by its name).
      - The source applies when the image is created. On an existing image it is compared with what IMS recorded
        (C(__data_origin), C(__backup_id), C(__whole_image)); an image made from another source fails the task,
        naming both sources, and is never changed or made again.
    type: str
    version_added: 0.2.0
  backup_id:
    description:
      - A CBR backup of a server to make a full-server image from (O(image_type=whole), the default for it).
    type: str
    version_added: 0.2.0
  volume_id:
    description:
      - An EVS volume to make the image from, a system image (O(image_type=system), the default, needs O(os_version))
        or a data image (O(image_type=data)).
    type: str
    version_added: 0.2.0
  image_url:
    description:
      - An OBS file to import, as C(bucket:object), for example V(images-bucket:web/web-2024-06.qcow2), as a system
        image (the default), a data image (O(image_type=data)) or an ISO image (O(image_type=iso)). The bucket
        must be in the image's region.
      - O(min_disk) is required with it.
    type: str
    version_added: 0.2.0
  image_type:
    description:
      - What kind of image IMS makes from the source.
      - V(system) (from O(instance_id), O(volume_id) or O(image_url)), V(whole) (a full-server image, from
        O(instance_id) with O(vault_id), or from O(backup_id)), V(data) (from O(volume_id) or O(image_url)), V(iso)
        (from O(image_url)).
      - Not set, V(whole) for O(backup_id) and V(system) for the other sources. Any other pairing is refused before
        any request.
    type: str
    choices: [system, data, iso, whole]
    version_added: 0.2.0
  quick_import:
    description:
      - With O(image_url) and O(image_type=system) or V(data), import the file the fast way (IMS's quick import),
        for large files in the V(raw) or V(zvhd2) format only, which IMS does not convert or optimise.
      - A system image so imported needs O(os_version), and takes O(license_type).
    type: bool
    default: false
    version_added: 0.2.0
  vault_id:
    description:
      - The CBR vault that keeps the backup of a full-server image made from O(instance_id) (O(image_type=whole));
        required there, refused elsewhere.
    type: str
    version_added: 0.2.0
  os_type:
    description:
      - The operating system of a file imported from O(image_url), V(Linux), V(Windows) or V(Other) for a system or
        ISO image, V(Linux) or V(Windows) for a data image. IMS works it out from O(os_version) when this is not set.
    type: str
    choices: [Linux, Windows, Other]
    version_added: 0.2.0
  max_ram:
    description:
      - The maximum memory in MB of the servers the image may run on (V(0) means no limit), for the sources that take
        O(min_ram); not less than O(min_ram).
    type: int
    version_added: 0.2.0
  architecture:
    description:
      - The CPU architecture of a system or ISO image imported from O(image_url). Not set, IMS assumes V(x86).
    type: str
    choices: [x86, arm]
    version_added: 0.2.0
  hw_firmware_type:
    description:
      - How a system or ISO image imported from O(image_url) boots. V(arm) images boot with V(uefi) only.
    type: str
    choices: [bios, uefi]
    version_added: 0.2.0
  server_type:
    description:
      - The platform the image is for, IMS's C(type) field, V(ECS), V(BMS), V(FusionCompute) or V(Ironic), for a
        system image from O(volume_id) or O(image_url) (V(ECS) or V(BMS) with O(quick_import)).
    type: str
    choices: [ECS, BMS, FusionCompute, Ironic]
    version_added: 0.2.0
  is_config:
    description:
      - Whether IMS configures the imported file's drivers and settings (C(is_config)) for a system image imported
        from O(image_url) without O(quick_import). Not set, IMS's default (no configuration).
    type: bool
    version_added: 0.2.0
  cmk_id:
    description:
      - The KMS key that encrypts a system or data image imported from O(image_url) without O(quick_import). IMS
        cannot encrypt a C(qcow2) file; such a pairing is refused before any request.
    type: str
    version_added: 0.2.0
  license_type:
    description:
      - The license of a system image imported with O(quick_import), V(platform) (the cloud's) or V(byol) (your
        own).
    type: str
    choices: [platform, byol]
    version_added: 0.2.0
  enterprise_project_id:
    description:
      - The enterprise project the image made by IMS belongs to, for every source.
    type: str
    version_added: 0.2.0
"""
