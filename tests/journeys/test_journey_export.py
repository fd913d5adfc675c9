# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_export through ansible-playbook against the emulator (tests/emulator/README.md, "Exports").

An image made from an OBS file is exported to its bucket (one export request, the object in the emulator's fake
OBS), the run again reports unchanged (IMS refuses the export with IMG.0070, one request and no object more), and
a full-server image is refused before any request that writes.
"""

from __future__ import annotations

BUCKET = "export-bkt"
EXPORTS = ("POST /v1/cloudimages/{image_id}/file", "POST /v2.1/cloudimages/{image_id}/file")


def exports(stats):
    return sum(count for route, count in stats["by_route"].items() if route in EXPORTS)


def exported(emu):
    return [o for o in emu.resources()["obs_objects"] if o["bucket"] == BUCKET and o["key"].startswith("exports/")]


def test_an_export_then_a_re_run_unchanged_and_a_refusal(emu, ansible):
    emu.configure_jobs(1)
    emu.seed_resources(obs_objects=[{"bucket": BUCKET, "key": "web.qcow2"}])
    whole = emu.seed(images=[{"name": "export-whole", "properties": {"__whole_image": "true"}}])[0]
    extra = {"bucket": BUCKET, "whole_image_id": whole, "expect_changed": True}
    ran = ansible.run_playbook("image_export.yml", emu.env(), extra_vars=extra)
    assert ran.rc == 0 and "failed=0" in ran.stdout, ran
    assert exports(emu.stats()) == 1, emu.stats()["by_route"]
    made = exported(emu)
    assert [(o["key"], o["format"]) for o in made] == [("exports/export-source.vmdk", "vmdk")]
    emu.reset_stats()
    again = ansible.run_playbook("image_export.yml", emu.env(), extra_vars=dict(extra, expect_changed=False))
    assert again.rc == 0 and "failed=0" in again.stdout, again
    stats = emu.stats()
    assert exports(stats) == 1 and stats["by_method"].get("POST", 0) == 1, stats["by_route"]  # the refused one
    assert exported(emu) == made
