# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official SDK's Glance-compatible calls (huaweicloudsdkims, unmodified) against the emulator.

The SDK signs with AK/SK and sends ``X-Project-Id`` as Huawei's own tools do
(tests/support/hwsdk.py runs it in its own venv); each test checks what the SDK read back and
the emulator's state through its control surface.
"""

from __future__ import annotations

from emulator_client import B
from support.hwsdk import run_sdk


def test_the_sdk_pages_through_the_private_images_with_limit_and_marker(emu, client):
    ids = emu.seed(count=5, name="sdk-page-{i}", age_days=1)
    out = run_sdk(emu, """
        seen, marker, pages = [], None, 0
        while True:
            page = client.glance_list_images(models.GlanceListImagesRequest(
                imagetype="private", limit=2, marker=marker, sort_key="name", sort_dir="asc"))
            pages += 1
            seen += [image.name for image in page.images]
            if not page.next:
                break
            marker = page.images[-1].id
        out["names"], out["pages"] = seen, pages
    """)
    assert out["names"] == sorted("sdk-page-%d" % i for i in range(5)), out
    assert out["pages"] == 3
    assert {image["id"] for image in emu.images() if image["name"].startswith("sdk-page-")} == set(ids)


def test_the_sdk_creates_updates_tags_and_deletes_an_image(emu):
    out = run_sdk(emu, """
        created = client.glance_create_image_metadata(models.GlanceCreateImageMetadataRequest(
            body=models.GlanceCreateImageMetadataRequestBody(
                name="sdk-made", disk_format="qcow2", container_format="bare", min_disk=2, tags=["a=1"])))
        out["created"] = as_dict(created)
        # The SDK's model types ``value`` as a string, and sends what it is given; IMS documents
        # integers for min_disk (the emulator refuses "4", as Glance's schema does).
        updated = client.glance_update_image(models.GlanceUpdateImageRequest(
            image_id=created.id, body=[models.GlanceUpdateImageRequestBody(op="replace", path="/min_disk", value=4)]))
        out["min_disk"] = updated.min_disk
        client.glance_create_tag(models.GlanceCreateTagRequest(image_id=created.id, tag="b=2"))
        out["tags"] = sorted(client.glance_show_image(models.GlanceShowImageRequest(image_id=created.id)).tags)
        client.glance_delete_image(models.GlanceDeleteImageRequest(
            image_id=created.id, body=models.GlanceDeleteImageRequestBody()))
    """)
    image_id = out["created"]["id"]
    assert out["created"]["name"] == "sdk-made" and out["created"]["status"] == "queued"
    assert out["min_disk"] == 4 and out["tags"] == ["a=1", "b=2"]
    assert all(image["id"] != image_id for image in emu.images())


def test_the_sdk_reads_an_ims_error_as_ims_writes_it(emu):
    answer = run_sdk(emu, """
        client.glance_show_image(models.GlanceShowImageRequest(image_id="00000000-0000-0000-0000-00000000dead"))
    """, expect_error=True)
    assert answer["error"]["status_code"] == 404, answer
    assert answer["error"]["error_code"].startswith("IMG."), answer
    assert answer["error"]["request_id"], answer


def test_the_sdk_signs_for_another_account_and_sees_only_its_images(emu):
    emu.seed(count=1, name="sdk-of-a", age_days=1)
    out = run_sdk(emu, """
        out["names"] = [image.name for image in client.glance_list_images(
            models.GlanceListImagesRequest(imagetype="private")).images]
    """, account=B)
    assert "sdk-of-a" not in out["names"]
