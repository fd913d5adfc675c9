#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_image
short_description: Create, update, upload and delete one image of Huawei Cloud IMS
version_added: 0.1.0
description:
  - Makes one private image of the Huawei Cloud Image Management Service (IMS) what the task declares, through the
    OpenStack-native (Glance v2) API, with the fewest API calls. A second run with the same options changes nothing,
    reads the image once and writes nothing.
  - The image is found by O(id), or by O(name) among the project's own private images.
  - When none is found, an image is created only when the task says what it is, with O(disk_format) or O(filename);
    a task that gives neither fails before any request that writes, in check mode too, saying that no such image
    exists in the project and how to create one. So a typo in O(name) never creates an image.
  - Creates the image metadata, uploads a local file into it (streamed, skipped when the image already holds a file
    with the same checksum), updates what differs with one JSON patch, manages tags and members, and deletes.
  - A create whose outcome is unknown (a time-out, a server error) is followed by a lookup before it is ever sent
    again, so a run never leaves two images where one was asked for. To that end the module chooses the id of a
    new image itself.
  - With a source option, O(instance_id) (an ECS server), O(backup_id) (a CBR backup), O(volume_id) (an EVS volume)
    or O(image_url) (an OBS file), IMS makes the image through its native API, as an asynchronous job, which the
    module waits for (O(wait)). Before creating, the module lists the project's own images of that name, C(queued)
    and C(saving) ones included; an image still being made from the same source is waited on, never made again.
    After an unknown outcome of the create call it lists them again before ever sending it again.
  - IMS lists a new image only once its job has left its first phase (C(INIT)), and no IMS create takes an
    idempotency key. For a server, a volume or a backup, IMS refuses a second create while a job holds the source
    (C(IMG.0010), C(IMG.0139), C(IMG.0029)); after such a refusal the module watches the listing for up to 60 s (at
    most O(wait_timeout)) and takes the image once it is listed, so a run stopped at any moment and run again makes
    one image. An OBS file has no such rule, so after an unknown outcome the create is not sent again unless the image
    is listed within that time (the task fails, asking to run again later), and a run stopped while the job is in
    C(INIT) and run again within that phase makes a second image. The guide "Creating images from servers, volumes,
    backups and OBS files" in the collection's docs gives the details.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
  - hwcloud.ims.native_source
attributes:
  check_mode:
    support: full
    details:
      - Sends no write request and predicts RV(ignore:changed) and RV(operations) exactly (for an image IMS would
        make, the request it would send).
  diff_mode:
    support: full
    details:
      - Shows every field the task manages before and after; for an image IMS would make, the source, the image type
        and the request it would send.
  idempotent:
    support: full
options:
  state:
    description:
      - V(present) creates or updates the image; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - The id of the image. With O(id), O(name) is the name the image should have (a rename).
      - With O(state=present), an id that does not exist is an error; images are created by O(name).
      - One of O(id) and O(name) is required; with a source option, O(name) is.
    type: str
  name:
    description:
      - The image name, 1 to 128 characters. Without O(id), the image is looked up by this name among the project's
        own private images, and created with it when there is none and O(disk_format), O(filename) or a source
        option is set.
      - For an image made by IMS from a source, IMS takes letters, digits, spaces, C(-), C(.), C(_) and Chinese
        characters, and no space at either end.
    type: str
  on_duplicate:
    description:
      - What to do when several own images have the name O(name).
      - V(fail) stops with a list of their ids and creation times; V(newest) and V(oldest) take that one.
    type: str
    choices: [fail, newest, oldest]
    default: fail
  container_format:
    description:
      - The container format. Only V(bare) exists in IMS; a new image gets it when this is not set.
      - Can only change while the image is C(queued) (before a file is uploaded). Refused with a source option, since IMS
        sets it.
    type: str
    choices: [bare]
  disk_format:
    description:
      - The disk format. Setting it on a task whose image does not exist creates an empty image (C(queued)) to upload
        into later; without it (and without O(filename)) no image is created.
      - A new image created with O(filename) and no O(disk_format) gets the IMS default, V(zvhd2); the module does
        not guess the format from the file name, so set it to the file's format.
      - Can only change while the image is C(queued) (before a file is uploaded); a different value on an active
        image is an error.
      - Refused with a source option, since IMS sets the format of the images it makes.
    type: str
    choices: [vhd, zvhd, zvhd2, raw, qcow2, iso]
  min_disk:
    description:
      - The minimum system disk in GB, from 0 to 1024.
      - With O(image_url), required, and sent to IMS (from 1 to 1024, for a data image to 2048); refused with the
        other sources, whose disk IMS measures.
    type: int
  min_ram:
    description:
      - The minimum memory in MB, 0 or more.
      - With a source option, sent to IMS for the images that take it (every source but data images and quick
        imports); refused for the others.
    type: int
  protected:
    description:
      - Whether the image is protected from deletion. A protected image is never unprotected implicitly; to delete it,
        first run with O(protected=false).
      - A delete the server refuses because the image turned protected since it was read (IMS C(IMG.0028), upstream
        Glance 403) fails with the same way out.
    type: bool
  visibility:
    description:
      - Who can see the image besides its project. V(shared) lets it have O(members); V(private) does not on upstream
        Glance (nor on IMS with C(X-Api-Version) 2.5 or later).
      - Not set, a new image is created V(private) (the IMS default; upstream Glance would make it V(shared)), and the
        visibility of an existing image is left alone.
      - To share an image with O(members) on both IMS and upstream Glance, set V(shared). IMS with its default API
        version also takes members on a V(private) image.
    type: str
    choices: [private, shared]
  tags:
    description:
      - The tags of the image, usually C(key=value), each 1 to 255 characters without C(/) or C(,).
      - "A list of strings, a comma-separated string (V(team=web, env=prod); each part is stripped of surrounding
        spaces), or a dictionary of key and value (V({team: web}) is the tag V(team=web); numbers and booleans as IMS
        writes them, V({keep: true}) is V(keep=true))."
      - A list item with surrounding whitespace, an empty tag, an empty key (V(=web)), whitespace around C(=), or
        an empty part of a comma-separated string is refused before any request, never stored as written.
      - Not set, the tags are left alone. Set, the image gets exactly these tags, or with O(purge_tags=false) these in
        addition to those it has. V([]) (or V({})) with O(purge_tags=true) removes every tag.
      - With a source option, the new image's tags are sent to IMS as C(image_tags) (C(key=value) gives the key and
        the value; at most 10 tags, each key once); an existing image's tags are managed as above.
    type: raw
  purge_tags:
    description:
      - Whether tags the image has but O(tags) does not list are removed. Only used when O(tags) is set.
    type: bool
    default: true
  os_version:
    description:
      - The operating system version (C(__os_version)), for example V(Ubuntu 22.04 server 64bit). IMS derives
        C(__os_type), C(__platform) and C(__os_bit) from it.
      - With a source option, sent to IMS (a value of C(GET /v1/cloudimages/os_version)), required for a system
        image from O(volume_id), an ISO image and a quick import of a system image; taken by a system image from
        O(image_url); refused for the other sources.
    type: str
  description:
    description:
      - The image description (C(__description)), at most 1024 characters (with a source option, without C(<), C(>)
        or a carriage return).
    type: str
  properties:
    description:
      - Further IMS properties, for example C(hw_firmware_type) or C(__support_kvm). IMS stores every property as a
        string; numbers and booleans are sent as strings (V(true), V(false)).
      - Keys that other options manage (C(name), C(__os_version), C(__description), ...) and keys IMS sets itself
        (C(status), C(owner), C(__imagetype), C(__image_size), C(__os_type), ...) are refused.
    type: dict
  purge_properties:
    description:
      - Whether properties the image has but O(properties) does not list are removed. Properties IMS sets itself
        are never removed.
    type: bool
    default: false
  members:
    description:
      - The project ids the image is shared with. Not set, the members are left alone. Set, the image is shared with
        exactly these (with O(purge_members=true)) or at least these.
      - A member project still has to accept the image before it can use it, with its own credentials and
        M(hwcloud.ims.ims_image_member); RV(members) shows each member's status.
      - Upstream Glance (and IMS with C(X-Api-Version) 2.5 or later) only lets an image whose visibility is C(shared)
        have members; set O(visibility=shared) with O(members) so that the task works on both servers. A member the
        server refuses because the image is not shared fails the task at once, never retried, with a message that
        names O(visibility); the writes done before it are in RV(operations).
      - Reading the members needs the project (O(project_id), else learned from IAM).
    type: list
    elements: str
  purge_members:
    description:
      - Whether members that O(members) does not list are removed. Only used when O(members) is set.
    type: bool
    default: true
  filename:
    description:
      - A local file to upload as the image's file. It is streamed, never read whole into memory.
      - When the image does not exist, it is created (with O(disk_format), else the IMS default V(zvhd2)) and the
        file uploaded into it.
      - Skipped when the image is already C(active) with the file's MD5 checksum. An active image with another
        checksum is an error, since IMS cannot replace the file of an image.
      - With AK/SK authentication, the API gateway accepts at most 12 MB in a signed request; upload larger files
        with O(auth_token) or O(user_name)/O(password).
    type: path
  wait:
    description:
      - Whether to wait, after an upload or while the image is C(saving), until it is C(active).
      - Fails at once when the image turns C(killed).
      - With a source option, whether to wait for IMS's job to end (then the image is read). With V(false) the task
        returns once the job has named its image (from then on IMS lists it, and a re-run finds it) or has ended,
        reading the job for up to 60 s (at most O(wait_timeout)), with RV(job) (its id, to wait on with
        M(hwcloud.ims.ims_job_info)) and the image if IMS has named it; a job that named none by then is returned
        as it is, with a warning.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait at most.
      - Not set, 900 for an upload or a C(saving) image of a task without a source option, and 1200 (20 minutes) for
        IMS's job or the image it makes, with a source option.
      - A job still running then fails the task, naming the job and the image. Nothing failed; run the task again and
        it finds the image being made (C(queued) or C(saving)) and waits for it, without another create.
    type: int
  replace_failed:
    description:
      - Whether an image found in state C(killed) (an earlier upload failed) is deleted and created again.
      - When V(false), such an image is an error that says so; nothing is deleted without being asked for.
      - The new image is a create, so the task needs O(disk_format) or O(filename); without either it fails before
        the delete.
    type: bool
    default: false
  delete_backup:
    description:
      - "With O(state=absent), whether deleting a full-server image also deletes its CBR backup (sent as
        C({\"delete_backup\": true}) in the body of the delete). Only used with O(state=absent)."
      - V(false) keeps the backup, which CBR goes on billing until it is deleted there.
      - V(true) on an image that is not a full-server image (C(__whole_image) not C(true)) fails before the delete,
        which is never sent.
    type: bool
    default: false
    version_added: 0.2.0
notes:
  - Only the project's own private images can be changed or deleted; public (C(gold)), market and shared images,
    and images of other projects, are refused.
  - Only O(container_format) and O(disk_format) cannot change once the image has a file; every other option can,
    except the source options and the options only IMS's create takes (O(image_type), O(quick_import), O(vault_id),
    O(os_type), O(max_ram), O(architecture), O(hw_firmware_type), O(server_type), O(is_config), O(cmk_id),
    O(license_type), O(enterprise_project_id)), which apply when IMS makes the image and are not compared after.
  - An option a source does not take (say O(vault_id) with O(volume_id), or O(os_type) with O(instance_id)) is
    refused before any request, naming it and the options that source takes; a task without a source option that
    gives an option only IMS's create takes is refused too. Every problem is in one message.
  - For an image IMS makes, O(protected), O(visibility), O(properties) and O(members) are applied after the job,
    once the image is C(active); with O(wait=false) they are applied by the next run (the task warns).
seealso:
  - module: hwcloud.ims.ims_image_info
  - module: hwcloud.ims.ims_job_info
  - module: hwcloud.ims.ims_image_share
    description: The members of many images at once, through IMS's batch API.
  - module: hwcloud.ims.ims_image_copy
"""

EXAMPLES = r"""
- name: Image metadata, then a file uploaded into it
  hwcloud.ims.ims_image:
    name: web-2024-06
    disk_format: qcow2
    min_disk: 40
    min_ram: 1024
    os_version: Ubuntu 22.04 server 64bit
    description: Web server base image
    tags:
      - team=web
      - env=prod
    filename: /srv/images/web-2024-06.qcow2
  register: web_image

- name: Rename by id, and add a tag without removing the others
  hwcloud.ims.ims_image:
    id: "{{ web_image.image.id }}"
    name: web-2024-06-final
    tags:
      - release=2024.06
    purge_tags: false

- name: Tags as a dictionary, as amazon.aws takes them (the image gets team=web and env=prod)
  hwcloud.ims.ims_image:
    name: web-2024-06-final
    tags:
      team: web
      env: prod

- name: Further IMS properties, removing the ones not listed
  hwcloud.ims.ims_image:
    name: web-2024-06-final
    properties:
      hw_firmware_type: uefi
      __support_kvm: true
    purge_properties: true

- name: Share with exactly these projects (visibility shared, so that upstream Glance takes them too)
  hwcloud.ims.ims_image:
    name: web-2024-06-final
    visibility: shared
    members:
      - 0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c
      - 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b

- name: Protect it
  hwcloud.ims.ims_image:
    name: web-2024-06-final
    protected: true

- name: Take the newest of several images with the same name
  hwcloud.ims.ims_image:
    name: nightly
    on_duplicate: newest
    tags:
      - keep=true
    purge_tags: false

- name: Re-create an image whose earlier upload failed
  hwcloud.ims.ims_image:
    name: db-2024-06
    disk_format: qcow2
    filename: /srv/images/db-2024-06.qcow2
    replace_failed: true

- name: Preview a change (check and diff mode)
  hwcloud.ims.ims_image:
    name: web-2024-06-final
    min_ram: 2048
  check_mode: true
  diff: true

- name: Unprotect, then delete
  hwcloud.ims.ims_image:
    name: web-2024-06-final
    protected: false

- name: Delete (an image already gone is not a change)
  hwcloud.ims.ims_image:
    name: web-2024-06-final
    state: absent

- name: A system-disk image of a configured server, waiting for IMS's job (20 minutes at most)
  hwcloud.ims.ims_image:
    name: web-baked-2024-06
    instance_id: 877a2cda-ba63-4e1e-b95f-e67e48b6129a
    description: Baked from web-01
    tags:
      team: web

- name: A full-server image from a server, its backup kept in a CBR vault
  hwcloud.ims.ims_image:
    name: web-whole-2024-06
    instance_id: 877a2cda-ba63-4e1e-b95f-e67e48b6129a
    image_type: whole
    vault_id: 3b5816b5-f29c-4172-9d9a-76c719a659ce

- name: A full-server image from a CBR backup
  hwcloud.ims.ims_image:
    name: db-whole-2024-06
    backup_id: 9a4b7c2e-5d1f-4e3a-8b6c-0f2e1d3c4b5a

- name: A data image from a volume
  hwcloud.ims.ims_image:
    name: data-2024-06
    volume_id: 1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9
    image_type: data

- name: A system image from a large raw file in OBS, the fast way
  hwcloud.ims.ims_image:
    name: appliance-2024-06
    image_url: images-bucket:appliance/appliance-2024-06.raw
    quick_import: true
    min_disk: 40
    os_version: Ubuntu 22.04 server 64bit
    architecture: x86
    wait_timeout: 3600

- name: Start an import without waiting for it
  hwcloud.ims.ims_image:
    name: iso-installer
    image_url: images-bucket:iso/installer.iso
    image_type: iso
    min_disk: 40
    os_version: CentOS 7.9 64bit
    wait: false
  register: started

- name: Delete a full-server image and its CBR backup (the backup would go on being billed otherwise)
  hwcloud.ims.ims_image:
    name: web-whole-2024-06
    state: absent
    delete_backup: true
"""

RETURN = r"""
image:
  description:
    - The image as IMS returns it after the run, with every field (the C(__) properties as strings).
    - V(null) after O(state=absent), and in check mode when the image would be created.
    - With a source option, the image read after IMS's job ended; with O(wait=false), the image if IMS has named it
      yet (V(null) before, and RV(job) has the job to wait on).
    - In a failed result, the image as it was when the run stopped (the one found, created or updated), so that a
      refused delete of a protected image, for example, still shows it; V(null) when there is none.
  returned: always
  type: dict
  sample:
    id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    name: web-2024-06
    status: active
    disk_format: qcow2
    container_format: bare
    min_disk: 40
    min_ram: 1024
    protected: false
    tags: ["team=web", "env=prod"]
    visibility: private
    owner: 0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c
    checksum: 9e107d9d372bb6826bd81d3542a419d6
    size: 2147483648
    __imagetype: private
    __image_size: "2147483648"
    __os_version: Ubuntu 22.04 server 64bit
members:
  description:
    - Each member project of the image and its membership status after the run (in check mode, as it would be), in
      the order IMS lists them, then the members added.
    - A member just added is V(pending) until the member project accepts it (M(hwcloud.ims.ims_image_member)).
    - Only when O(members) is set, which is when the module reads the members; the other runs do not ask for them.
  returned: when O(members) is set
  type: list
  elements: dict
  version_added: 0.2.0
  contains:
    member_id:
      description: The member project id.
      type: str
      sample: 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b
    image_id:
      description: The image id.
      type: str
      sample: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    status:
      description: V(pending), V(accepted) or V(rejected).
      type: str
      sample: accepted
    created_at:
      description: When the image was shared with the member (UTC); V(null) in check mode for a member to add.
      type: str
      sample: "2024-06-01T10:00:00Z"
    updated_at:
      description: When the member last changed its status (UTC); V(null) in check mode for a member to add.
      type: str
      sample: "2024-06-02T08:30:00Z"
job:
  description:
    - The IMS job of an image made from a source option, as last read (after the wait, or with O(wait=false) once
      it named its image), in the view M(hwcloud.ims.ims_job_info) returns as RV(hwcloud.ims.ims_job_info#module:job), where each field
      is described - C(id), C(type), C(status) (V(INIT), V(RUNNING), V(SUCCESS), V(FAIL)), C(progress),
      C(image_id), C(image_ids), IMS's C(error_code) and C(fail_reason) of a failed job, C(begin_time) and
      C(end_time).
    - V(null) when the run started no job (the image existed, or was found still being made), and in check mode.
    - In a failed result (a job that failed, or still ran at O(wait_timeout)), the job as last read.
  returned: with a source option
  type: dict
  version_added: 0.2.0
  sample:
    id: ff8080828f2a5e8a018f3c1e7d2b0042
    type: createImageByInstance
    status: SUCCESS
    progress: 100.0
    image_id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    image_ids: [4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86]
    error_code: null
    fail_reason: null
    begin_time: "2024-11-06T06:19:43.195Z"
    end_time: "2024-11-06T06:23:43.195Z"
operations:
  description:
    - What the run did, or in check mode would do, in order. Empty when nothing changed.
    - Each has an C(action) - V(create) (with C(fields), the metadata sent; for an image IMS makes, also C(source),
      C(image_type), C(path) and C(body), the request sent), V(update) (with C(patch), the JSON patch),
      V(upload) (with C(filename), C(size), C(checksum)), V(add_member) or V(remove_member) (with C(member)),
      V(delete) (with C(id), C(reason) when a failed image is replaced, and C(delete_backup) when the backup goes
      too).
  returned: always
  type: list
  elements: dict
  sample:
    - action: create
      fields: {name: web-2024-06, disk_format: qcow2, container_format: bare, visibility: private}
    - action: upload
      filename: /srv/images/web-2024-06.qcow2
      size: 2147483648
      checksum: 9e107d9d372bb6826bd81d3542a419d6
"""

import uuid

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsApiError, ImsError, ImsImageKilled
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import ImsJobTimeout
from ansible_collections.hwcloud.ims.plugins.module_utils._jobs import PENDING, read_until_named, wait_for_job
from ansible_collections.hwcloud.ims.plugins.module_utils._native import (
    SOURCES,
    adoptable,
    native_problems,
    native_request,
    native_source,
    predicted_image,
    source_mismatch,
    source_view,
    whole_image_refusal,
)
from ansible_collections.hwcloud.ims.plugins.module_utils._native_create import LISTING_GRACE, create_once
from ansible_collections.hwcloud.ims.plugins.module_utils._sharing import member_view, predicted_member
from ansible_collections.hwcloud.ims.plugins.module_utils._image import (
    CONTAINER_FORMATS,
    DISK_FORMATS,
    apply_patch,
    build_patch,
    create_body,
    create_refusal,
    file_digest,
    foreign_reason,
    immutable_changes,
    killed_reason,
    managed_view,
    member_changes,
    members_hint,
    pick_duplicate,
    protected_hint,
    protected_reason,
    upload_needed,
    upload_size_problem,
    validate_options,
)
from ansible_collections.hwcloud.ims.plugins.module_utils._tags import normalize_tags

# wait_timeout when the task does not set it: an upload's wait, and IMS's job (a source option).
UPLOAD_WAIT = 900
NATIVE_WAIT = 1200
# Options of the Glance path that a native create has IMS decide.
NOT_NATIVE = ("container_format", "disk_format")
# Applied after IMS made the image, once it is active.
AFTER_JOB = ("protected", "visibility", "properties", "members")


class ImsImage(ImsModule):
    argument_spec = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "id": {"type": "str"},
        "name": {"type": "str"},
        "on_duplicate": {"type": "str", "default": "fail", "choices": ["fail", "newest", "oldest"]},
        "container_format": {"type": "str", "choices": list(CONTAINER_FORMATS)},
        "disk_format": {"type": "str", "choices": list(DISK_FORMATS)},
        "min_disk": {"type": "int"},
        "min_ram": {"type": "int"},
        "protected": {"type": "bool"},
        "visibility": {"type": "str", "choices": ["private", "shared"]},
        "tags": {"type": "raw"},
        "purge_tags": {"type": "bool", "default": True},
        "os_version": {"type": "str"},
        "description": {"type": "str"},
        "properties": {"type": "dict"},
        "purge_properties": {"type": "bool", "default": False},
        "members": {"type": "list", "elements": "str"},
        "purge_members": {"type": "bool", "default": True},
        "filename": {"type": "path"},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "int"},
        "replace_failed": {"type": "bool", "default": False},
        "delete_backup": {"type": "bool", "default": False},
        # The native sources and what IMS's create takes (doc fragment hwcloud.ims.native_source).
        "instance_id": {"type": "str"},
        "backup_id": {"type": "str"},
        "volume_id": {"type": "str"},
        "image_url": {"type": "str"},
        "image_type": {"type": "str", "choices": ["system", "data", "iso", "whole"]},
        "quick_import": {"type": "bool", "default": False},
        "vault_id": {"type": "str"},
        "os_type": {"type": "str", "choices": ["Linux", "Windows", "Other"]},
        "max_ram": {"type": "int"},
        "architecture": {"type": "str", "choices": ["x86", "arm"]},
        "hw_firmware_type": {"type": "str", "choices": ["bios", "uefi"]},
        "server_type": {"type": "str", "choices": ["ECS", "BMS", "FusionCompute", "Ironic"]},
        "is_config": {"type": "bool"},
        "cmk_id": {"type": "str"},
        "license_type": {"type": "str", "choices": ["platform", "byol"]},
        "enterprise_project_id": {"type": "str"},
    }
    module_kwargs = {"required_one_of": [["id", "name"]], "mutually_exclusive": [list(SOURCES) + ["filename"]]}

    def check_options(self):
        params = self.params
        self.source = native_source(params)
        if self.source is None:
            problems = validate_options(params)
        else:  # the native rules of name, description, min_disk, min_ram and tags are native_problems'
            problems = validate_options(dict(params, name=None, description=None, min_disk=None, min_ram=None,
                                             tags=None))
            problems += ["%s does not apply to an image made by IMS from %s: IMS sets it; leave %s out"
                         % (option, self.source, option) for option in NOT_NATIVE if params[option] is not None]
        problems += native_problems(params)
        if not problems:  # a bad tag is one of them; the module fails on any before tags are used
            params["tags"] = normalize_tags(params["tags"])
        self.timeout = params["wait_timeout"] or (UPLOAD_WAIT if self.source is None else NATIVE_WAIT)
        self.grace = min(LISTING_GRACE, self.timeout)  # how long an image of a job in INIT is watched for
        filename = params["filename"]
        self.digest = None
        if filename:
            try:
                self.digest = file_digest(filename)
            except OSError as exc:
                problems.append("filename %s cannot be read: %s" % (filename, exc.strerror or exc))
        return problems

    # -- helpers -----------------------------------------------------------------------

    @property
    def project_id(self):
        """The project: given, else learned from IAM once; the task fails before any write without it."""
        return self.client.project_id

    def record(self, action, **details):
        details["action"] = action
        self.result["operations"].append(details)
        self.result["changed"] = True

    def write(self, action, call, *args, **details):
        """Send one write (none in check mode), and record it once it succeeded.

        A refused request changed nothing, so it is neither in ``operations`` nor makes the
        result ``changed``.
        """
        result = None if self.module.check_mode else call(*args)
        self.record(action, **details)
        return result

    def find(self):
        """The image the task is about, or None."""
        self.listed = None  # the images of the name, as listed (the native create does not list them again)
        if self.params["id"]:
            return self.client.get_image(self.params["id"])
        self.listed = images = self.client.own_images(name=self.params["name"])
        try:
            return pick_duplicate(images, self.params["on_duplicate"], self.params["name"])
        except ValueError as exc:
            raise ImsError(str(exc))

    def refuse_foreign(self, image, doing):
        reason = foreign_reason(image, self.project_id)
        if reason:
            raise ImsError("image %s (%r) is not owned by this project (%s); it cannot be %s"
                           % (image["id"], image.get("name"), reason, doing))

    def refuse_create(self, params, killed=None):
        """Fail before any write when the task does not say what its new image is (check mode too)."""
        reason = create_refusal(params, self.client.known_project_id, killed)
        if reason:
            raise ImsError(reason)

    def upload_needed(self, image):
        try:
            return upload_needed(image, self.digest, self.params["filename"])
        except ValueError as exc:
            raise ImsError(str(exc))

    def check_upload_size(self, image):
        if self.upload_needed(image):
            problem = upload_size_problem(self.digest, self.params["filename"], self.client.signs_requests)
            if problem:
                raise ImsError(problem)

    # -- run ---------------------------------------------------------------------------

    def run(self):
        self.result.update(image=None, operations=[])
        if self.source is not None:
            self.result["job"] = None
        image = self.find()
        # The image as it is, in a failed result too; kept up to date by every write below.
        self.result["image"] = image
        if self.params["state"] == "absent":
            self.absent(image)
        else:
            self.present(image)

    def refuse_mismatch(self, image, doing=None):
        """Fail when ``image`` was not made from the task's source (never recreated, never changed)."""
        reason = source_mismatch(image, self.params) if self.source is not None else None
        if reason:
            raise ImsError(reason + ("; it is not %s" % doing if doing else ""))

    def absent(self, image):
        self.before = managed_view(image, self.params)
        if image is not None:
            self.refuse_foreign(image, "deleted")
            self.refuse_mismatch(image, "deleted")
            reason = protected_reason(image) or (self.params["delete_backup"] and whole_image_refusal(image))
            if reason:
                raise ImsError(reason)
            details = {"id": image["id"], "delete_backup": True} if self.params["delete_backup"] else {"id": image["id"]}
            try:
                self.write("delete", self.client.delete_image, image["id"], self.params["delete_backup"], **details)
            except ImsApiError as exc:  # protected since it was read: IMS's 400 IMG.0028, Glance's 403
                raise exc.with_hint(protected_hint(image)) if exc.refuses_protected else exc
        self.finish(None, {"state": "absent"})

    def present(self, image):
        params = self.params
        members = []
        self.member_records = []
        if image is not None and params["members"] is not None and image.get("status") != "killed" \
                and not foreign_reason(image, self.project_id):
            self.member_records = [member_view(member, image["id"]) for member in self.current_members(image)]
            members = [member["member_id"] for member in self.member_records]
        self.before = managed_view(image, params, members)
        if image is not None and image.get("status") == "killed":
            if not params["replace_failed"]:
                raise ImsError(killed_reason(image))
            self.refuse_foreign(image, "replaced")
            self.refuse_create(params, killed=image)
            self.write("delete", self.client.delete_image, image["id"], id=image["id"], reason="killed")
            self.listed = None  # listed with the image just deleted: a native create lists again
            params = dict(params, id=None, name=params["name"] or image.get("name"))
            image = None
            self.now(None)
        elif image is None:
            self.refuse_create(params)
        elif self.source is not None:
            self.refuse_mismatch(image)
            self.before.update(source_view(params))
            image = self.settle(image)  # still being made (an earlier run's): waited on, never made again
        if image is None:
            self.check_upload_size(None)
            image = self.now(self.create(params))
            if self.source is not None:
                image = self.after_job(image)
        else:
            image = self.update(image)
        if not self.pending:
            members = self.sync_members(image, members)
        if self.source is None:
            image = self.upload(image)
        uploaded = any(op["action"] == "upload" for op in self.result["operations"])
        predicted = image if image is not None else dict(create_body(params), id=None, status="queued")
        after = managed_view(predicted, params, members, self.digest[0] if uploaded else None)
        if self.source is not None:
            after.update(source_view(params))
            if self.module.check_mode and self.request is not None:
                after["request"] = {"method": "POST", "path": self.request.path, "body": self.request.body}
        self.finish(image, after)

    def update(self, image):
        """Patch ``image`` into what the task asks for (in check mode, predict it); return the image after."""
        params = self.params
        patch = build_patch(image, params)
        problems = immutable_changes(image, params)
        if patch or problems or params["members"] is not None or self.upload_needed(image):
            self.refuse_foreign(image, "changed")
        if problems:
            raise ImsError("; ".join(problems))
        self.check_upload_size(image)
        if patch:
            updated = self.write("update", self.client.update_image_until, image["id"], patch,
                                 lambda current: build_patch(current, self.params), patch=patch)
            image = apply_patch(image, patch) if self.module.check_mode else self.now(updated)
        return image

    def now(self, image):
        """Record ``image`` as the image as it is now (not in check mode, where nothing changed); return it."""
        if not self.module.check_mode:
            self.result["image"] = image
        return image

    def finish(self, image, after):
        if self.module.check_mode and any(op["action"] == "create" for op in self.result["operations"]):
            image = None
        self.result["image"] = image
        if self.module._diff:
            self.result["diff"] = {"before": self.before, "after": after}

    def create(self, params):
        """Create the image; never two, whatever fails on the way.

        The module chooses the new image's id, so the image it may have created is found by
        that id after an unknown outcome, and a create sent again can only be refused (409).
        """
        if self.source is not None:
            return self.create_native(params)
        body = create_body(params)
        fields = dict(body)
        if self.module.check_mode:
            self.record("create", fields=fields)
            return None
        body["id"] = str(uuid.uuid4())
        return self.write("create", self.client.create_image_once, body, fields=fields)

    # -- an image IMS makes from a source ----------------------------------------------

    request = None  # the native create, once made (the diff of check mode shows it)
    pending = False  # a new image IMS is still making: what its create does not take waits for the next run

    def create_native(self, params):
        """Have IMS make the image (one job, never two: ``create_once``); its image, after the job when waiting.

        In check mode, the image the request would make (``predicted_image``), without any request.
        """
        self.request = made = native_request(params)
        details = {"source": made.source, "image_type": made.kind, "path": made.path, "body": made.body}
        if self.module.check_mode:
            self.record("create", **details)
            return predicted_image(params)
        created = create_once(self.client, made.path, made.body, params["name"], lambda images: adoptable(images, params),
                              self.source, self.grace, self.listed)
        if created["sent"]:
            self.record("create", **details)
        if created["job_id"] is None:  # the image it made, found after an unknown outcome; or one taken
            return self.settle(created["image"])
        return self.follow(created["job_id"])

    def follow(self, job_id):
        """The job (waited for; with ``wait: false``, read until it names its image) in ``job``; returns its image, if any."""
        try:
            job = wait_for_job(self.client, job_id, self.timeout) if self.params["wait"] else \
                read_until_named(self.client, job_id, self.grace)
        except ImsJobTimeout as exc:
            self.result["job"] = exc.job
            self.now(self.job_image(exc.job))
            self.fail("%s (the image is named %r)" % (exc, self.params["name"]), job=exc.job)
        self.result["job"] = job
        image = self.job_image(job)
        if image is None and not self.params["wait"] and job["status"] in PENDING:
            self.module.warn("IMS job %s has not named its image yet (%s after %d s): until IMS lists image %r, a run "
                             "of this task cannot find it by name (from an OBS file it would import it again); wait "
                             "for the job with hwcloud.ims.ims_job_info (job_id: %s) before running the task again"
                             % (job_id, job["status"], self.grace, self.params["name"], job_id))
        if image is None and self.params["wait"]:
            raise ImsError("IMS job %s ended %s but its image (%s) cannot be read; look for image %r with "
                           "ims_image_info" % (job_id, job["status"], job["image_id"] or "not named", self.params["name"]))
        return image

    def job_image(self, job):
        """The image ``job`` names, when it does and the image exists; None otherwise."""
        return self.client.get_image(job["image_id"]) if job and job.get("image_id") else None

    def settle(self, image):
        """``image``, waited on until active when it is still being made (``wait``; not in check mode)."""
        if image is None or image.get("status") not in ("queued", "saving") or self.module.check_mode \
                or not self.params["wait"]:
            return image
        return self.now(self.client.wait_for_image(image["id"], self.timeout))

    def after_job(self, image):
        """The new image with what IMS's create does not take (``protected``, ``properties``...) applied, once active."""
        if image is not None and (self.module.check_mode or image.get("status") == "active"):
            return self.update(image)
        self.pending = True
        later = [option for option in AFTER_JOB if self.params[option] is not None]
        if later:
            self.module.warn("%s not applied yet: image %r is not active (its job runs on); run the task again once "
                             "it is" % (", ".join(later), self.params["name"]))
        return image

    def current_members(self, image):
        """The members of ``image``; none where the server refuses to list them because it is not shared.

        Then a member to add would be refused too, so the task fails before any write, saying
        what to do - unless the task makes the image shared first (``visibility: shared``).
        """
        try:
            return self.client.list_members(image["id"])
        except ImsApiError as exc:
            if not exc.refuses_members_of(image):
                raise
            add, _remove = member_changes([], self.params["members"], self.params["purge_members"])
            if add and self.params["visibility"] != "shared":
                raise exc.with_hint(members_hint(image))
            return []

    def sync_members(self, image, current):
        """Add and remove members; ``members`` in the result: each member and its status after the run."""
        add, remove = member_changes(current, self.params["members"], self.params["purge_members"])
        image_id = image["id"] if image is not None else None
        records = [record for record in self.member_records if record["member_id"] not in remove]
        for member in add:
            try:
                added = self.write("add_member", self.client.add_member_once, image_id, member, member=member)
            except ImsApiError as exc:  # never retried: a private image takes no member on Glance (nor IMS 2.5+)
                raise exc.with_hint(members_hint(image)) if exc.refuses_members_of(image) else exc
            records.append(member_view(added, image_id, member) if added else predicted_member(image_id, member))
        for member in remove:
            self.write("remove_member", self.client.remove_member, image_id, member, member=member)
        if self.params["members"] is None:
            return current
        self.result["members"] = records
        return [member for member in current if member not in remove] + add

    def upload(self, image):
        created_now = image is None or any(op["action"] == "create" for op in self.result["operations"])
        if self.digest and (created_now or image.get("status") == "queued"):
            checksum, size = self.digest
            details = {"filename": self.params["filename"], "size": size, "checksum": checksum}
            try:
                self.write("upload", self.client.upload_file_once, image, self.params["filename"], checksum, **details)
            except ImsImageKilled:
                self.record("upload", **details)  # taken, and it left the image killed: a change all the same
                raise
            if self.module.check_mode:
                return image
            return self.wait_active(image["id"])
        if image is not None and image.get("status") == "saving" and not self.module.check_mode:
            return self.wait_active(image["id"])
        return image

    def wait_active(self, image_id):
        if not self.params["wait"]:
            return self.client.get_image(image_id)
        return self.client.wait_for_image(image_id, self.timeout)


def main():
    ImsImage().execute()


if __name__ == "__main__":
    main()
