# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Drive the emulator with openstacksdk's image proxy, unmodified (run by test_openstacksdk.py).

Run with the Python of .venvs/openstacksdk (tests/requirements/openstacksdk.txt), never with the
collection's. Reads a JSON object on stdin::

    {"owner": {...keyword arguments of openstack.connection.Connection...},
     "member": {...the same, for the member project...} or null,
     "member_project": "PROJECT_ID" or null, "file": "PATH", "name": "IMAGE NAME",
     "delete": true}

and prints one JSON object: what each step of the image's life returned (list, create and
upload, download, update, tags, members, delete), or ``{"error": ..., "message": ..., "step": ...}`` and
exit status 1 when a call fails. With no member, the member steps are skipped; with ``"delete":
false`` the image is kept (the test looks at it through the control surface), and
``{"owner": {...}, "delete_id": ID}`` only deletes that image.
"""

import hashlib
import json
import sys

import openstack

IMAGE_FIELDS = ("id", "name", "status", "size", "checksum", "visibility", "min_ram", "min_disk", "disk_format",
                "container_format", "tags", "owner", "os_distro", "is_protected")
MEMBER_FIELDS = ("member_id", "image_id", "status")


def image_view(image) -> dict:
    view = {name: getattr(image, name) for name in IMAGE_FIELDS}
    view["properties"] = dict(image.properties or {})
    return view


def member_view(member) -> dict:
    return {name: getattr(member, name, None) for name in MEMBER_FIELDS}


def lifecycle(config: dict, out: dict, progress: list) -> None:
    """Every image proxy call of the test, in order; each step's result goes to ``out``."""
    conn = openstack.connection.Connection(**config["owner"])
    name = config["name"]
    progress.append("list")
    out["listed_before"] = [i.id for i in conn.image.images(name=name)]
    progress.append("create")
    created = conn.image.create_image(name=name, filename=config["file"], disk_format="qcow2",
                                      container_format="bare", **{"__os_version": "Ubuntu 22.04 server 64bit"})
    out["created"] = image_view(created)
    image = conn.image.get_image(created.id)
    out["shown"] = image_view(image)
    out["listed"] = [i.id for i in conn.image.images(name=name)]
    out["listed_by_status"] = [i.id for i in conn.image.images(status="active", name=name)]
    progress.append("download")
    downloaded = conn.image.download_image(image)  # checks the body against the image's checksum
    out["downloaded_md5"] = hashlib.md5(downloaded.content).hexdigest()
    progress.append("update")
    # A standard field, a known image attribute (os_distro) and a free property. openstacksdk's
    # update_image(image, key=value) with an unknown key replaces the whole properties dict (its
    # patch then removes every other one, IMS's __ fields included: 403), so the free property
    # goes in with the others.
    updated = conn.image.update_image(image, name=name + "-renamed", min_ram=1024, os_distro="ubuntu",
                                      properties=dict(image.properties, __description="by openstacksdk"))
    out["updated"] = image_view(updated)
    progress.append("tags")
    conn.image.add_tag(updated, "team=sdk")
    conn.image.add_tag(updated, "env=test")
    conn.image.remove_tag(updated, "env=test")
    out["tags"] = conn.image.get_image(updated.id).tags
    if config.get("member"):
        progress.append("members")
        project = config["member_project"]
        out["member_added"] = member_view(conn.image.add_member(updated, member=project))
        out["members"] = [member_view(m) for m in conn.image.members(updated)]
        out["member_shown"] = member_view(conn.image.get_member(project, updated))
        member_conn = openstack.connection.Connection(**config["member"])
        out["member_updated"] = member_view(member_conn.image.update_member(project, updated.id, status="accepted"))
        out["member_sees"] = image_view(member_conn.image.get_image(updated.id))
        out["member_lists"] = [i.id for i in member_conn.image.images(visibility="shared", member_status="accepted")]
        conn.image.remove_member(project, updated.id)
        out["members_after"] = [member_view(m) for m in conn.image.members(updated)]
    if config.get("delete", True):
        delete(conn, updated.id, out, progress)


def delete(conn, image_id: str, out: dict, progress: list) -> None:
    progress.append("delete")
    conn.image.delete_image(image_id)
    out["found_after_delete"] = conn.image.find_image(image_id) is not None
    out["listed_after"] = [i.id for i in conn.image.images(id=image_id)]


def main() -> int:
    config = json.load(sys.stdin)
    out, progress = {}, []
    try:
        if config.get("delete_id"):
            delete(openstack.connection.Connection(**config["owner"]), config["delete_id"], out, progress)
        else:
            lifecycle(config, out, progress)
    except Exception as exc:  # pylint: disable=broad-except  # reported to the test, which fails on it
        out.update(error=type(exc).__name__, message=str(exc), step=progress[-1] if progress else None)
        print(json.dumps(out, default=str))
        return 1
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
