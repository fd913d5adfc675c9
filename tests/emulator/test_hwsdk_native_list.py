# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official SDK's native list and ancillary calls (huaweicloudsdkims, unmodified) against the emulator.

``list_images`` (``GET /v2/cloudimages``) with filters, sorting and paging by marker,
``show_image_quota`` and ``list_os_versions``, as the SDK sends and parses them
(tests/support/hwsdk.py runs it in its own venv); README "The native API".
"""

from __future__ import annotations

import textwrap

from emulator_client import A, B
from support.hwsdk import run_sdk

PAGES = """
    seen, marker, pages = [], None, 0
    while True:
        page = client.list_images(models.ListImagesRequest(marker=marker, **query))
        pages += 1
        seen.append([image.name for image in page.images])
        if not page.images:
            break
        marker = page.images[-1].id
    out["pages"], out["page_info"] = seen, as_dict(page.page_info)
"""


def pages(emu, query):
    """The names on each page of the SDK's list_images, following the last id until an empty page."""
    return run_sdk(emu, "query = %r\n" % (query,) + textwrap.dedent(PAGES))


def test_the_sdk_pages_through_the_native_list_with_limit_and_marker(emu):
    emu.seed(count=5, name="sdk-native-{i}", age_days=1)
    emu.seed(count=2, name="sdk-other-{i}", age_days=1, owner=B["project_id"])
    out = pages(emu, {"imagetype": "private", "limit": 2, "sort_key": "name", "sort_dir": "asc"})
    assert out["pages"] == [["sdk-native-0", "sdk-native-1"], ["sdk-native-2", "sdk-native-3"], ["sdk-native-4"], []]
    assert out["page_info"] is None  # IMS gives no marker: the client pages by the last id
    # an exactly full last page: the next one is empty
    out = pages(emu, {"imagetype": "private", "limit": 5, "sort_key": "name", "sort_dir": "desc"})
    assert out["pages"] == [["sdk-native-%d" % i for i in (4, 3, 2, 1, 0)], []]


def test_the_sdk_filters_the_native_list(emu):
    ep = "5d8f3a1e-6b2c-4e7d-9f10-2a3b4c5d6e7f"
    emu.seed(images=[
        {"name": "web", "tags": ["team=web"], "properties": {"__os_version": "Ubuntu 22.04 server 64bit"}},
        {"name": "db", "tags": ["team=db"], "status": "killed", "properties": {"enterprise_project_id": ep}},
        {"name": "win", "properties": {"__os_version": "Windows Server 2019 Datacenter 64bit English",
                                       "virtual_env_type": "Ironic", "architecture": "arm"}},
        {"name": "hidden", "properties": {"__isregistered": "false"}},
    ])
    out = run_sdk(emu, """
        def names(**query):
            return sorted(i.name for i in client.list_images(models.ListImagesRequest(**query)).images)
        out["tag"] = names(tag="team=web")
        out["status"] = names(status="killed", imagetype="private")
        out["ep"] = names(enterprise_project_id=%r)
        out["ep0"] = names(enterprise_project_id="0")
        out["all_eps"] = names(enterprise_project_id="all_granted_eps", imagetype="private")
        out["windows"] = names(os_type="Windows", imagetype="private")
        out["ubuntu"] = names(platform="Ubuntu", os_bit="64", imagetype="private")
        out["ironic_arm"] = names(virtual_env_type="Ironic", architecture="arm")
        out["name"] = names(name="web", owner=%r)
        out["min_disk"] = names(min_disk=40, imagetype="gold", protected=True)
        out["created"] = names(created_at="gt:2000-01-01T00:00:00Z", imagetype="private")
        out["unregistered"] = names(isregistered="false")
    """ % (ep, A["project_id"]))
    assert out["tag"] == ["web"] and out["status"] == ["db"] and out["ep"] == ["db"]
    assert out["ep0"] == ["web", "win"] and out["all_eps"] == ["db", "web", "win"]
    assert out["windows"] == ["win"] and out["ubuntu"] == ["web"] and out["ironic_arm"] == ["win"]
    assert out["name"] == ["web"] and len(out["min_disk"]) == 5 and out["created"] == ["db", "web", "win"]
    assert out["unregistered"] == []


def test_the_sdk_reads_the_native_shape(emu):
    [image_id] = emu.seed(name="shaped", properties={
        "description": "built by CI", "max_ram": 8192, "__data_origin": "instance,abc", "__whole_image": "true"})
    out = run_sdk(emu, """
        [image] = client.list_images(models.ListImagesRequest(id=%r)).images
        out["image"] = as_dict(image)
    """ % image_id)
    image = out["image"]
    assert (image["description"], image["max_ram"], image["data_origin"]) == ("built by CI", "8192", "instance,abc")
    assert image["enterprise_project_id"] == "0" and image["image_size"].isdigit() and image["active_at"]
    assert (image["imagetype"], image["isregistered"], image["status"], image["protected"]) == \
        ("private", "true", "active", False)
    assert isinstance(image["min_disk"], int) and isinstance(image["size"], int)


def test_the_sdk_gets_the_ims_error_of_a_bad_filter(emu):
    answer = run_sdk(emu, """
        client.list_images(models.ListImagesRequest(os_type="Solaris"))
    """, expect_error=True)
    assert (answer["error"]["status_code"], answer["error"]["error_code"]) == (400, "IMG.0001"), answer


def test_the_sdk_shows_the_quota_of_its_project(emu):
    emu.seed(count=3, name="mine-{i}")
    emu.seed(count=2, name="theirs-{i}", owner=B["project_id"])
    emu.set_quota(7, project_id=A["project_id"])
    script = """
        out["resources"] = as_dict(client.show_image_quota(models.ShowImageQuotaRequest()).quotas.resources)
    """
    assert run_sdk(emu, script)["resources"] == [{"type": "image", "used": 3, "quota": 7, "min": 1, "max": 100000}]
    [theirs] = run_sdk(emu, script, account=B)["resources"]
    assert (theirs["used"], theirs["quota"]) == (2, 500)  # B keeps the default


def test_the_sdk_lists_the_os_versions(emu):
    out = run_sdk(emu, """
        for tag in (None, "arm", "x86", "uefi", "bms"):
            request = models.ListOsVersionsRequest(tag=tag) if tag else models.ListOsVersionsRequest()
            out[tag or "all"] = as_dict(client.list_os_versions(request).body)
    """)
    every = {v["os_version"]: v for group in out["all"] for v in group["version_list"]}
    assert every["Ubuntu 22.04 server 64bit"] == {"platform": "Ubuntu", "os_version_key": "Ubuntu 22.04 server 64bit",
                                                  "os_version": "Ubuntu 22.04 server 64bit", "os_bit": 64,
                                                  "os_type": "Linux"}
    arm = {v["os_version"] for group in out["arm"] for v in group["version_list"]}
    x86 = {v["os_version"] for group in out["x86"] for v in group["version_list"]}
    assert arm and x86 and arm | x86 == set(every) and not arm & x86
    for tag in ("uefi", "bms"):
        part = {v["os_version"] for group in out[tag] for v in group["version_list"]}
        assert part and part < set(every)
