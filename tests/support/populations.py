# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Seeded populations of images, and what the cleanup role makes of them.

The mixed population - public, market, shared, another project's, protected, excluded by
tag, too young, killed, stuck, old active images of several name families - is what the
cleanup journeys (tests/journeys/test_image_cleanup.py) and the fault suite's cleanup
cases (tests/faults) plan, clean and clean again.
"""

from __future__ import annotations

import json
import stat

# Another project: the owner of the images that are shared with us or not ours at all.
OTHER = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
# The role's variables of a stale selection: images older than 90 days, the newest 2 of each family kept.
STALE = {"image_cleanup_stale_enabled": True, "image_cleanup_stale_min_age_days": 90, "image_cleanup_keep_newest": 2}

# What the mixed population's cleanup chooses (stale selection on, keep_newest 2), and why.
EXPECTED_CANDIDATES = {
    "killed-old": "killed for more than 6 h",
    "queued-old": "queued for more than 24 h",
    "saving-old": "saving for more than 24 h",
    "web-0001": "active for more than 90 days and not among the newest 2 of family 'web'",
    "web-0002": "active for more than 90 days and not among the newest 2 of family 'web'",
    "web-0003": "active for more than 90 days and not among the newest 2 of family 'web'",
    "web-0004": "active for more than 90 days and not among the newest 2 of family 'web'",
    "db-01": "active for more than 90 days and not among the newest 2 of family 'db'",
    "api-2024.01.05": "active for more than 90 days and not among the newest 2 of family 'api'",
}
# The near-candidates it keeps, and why.
EXPECTED_SPARED = {
    "protected-killed": "protected",
    "web-0000": "protected",
    "excluded-killed": "carries the exclusion tag cleanup=keep",
    "db-00": "carries the exclusion tag cleanup=keep",
    "young-killed": "younger than 6 h",
    "young-queued": "younger than 24 h",
    "web-0005": "among the newest 2 of family 'web'",
    "web-0006": "among the newest 2 of family 'web'",
    "api-2024.02.01": "among the newest 2 of family 'api'",
    "api-2024.03.01": "among the newest 2 of family 'api'",
    "legacy-base": "among the newest 2 of family 'legacy-base'",
    "db-02": "younger than 90 days",
    "db-03": "younger than 90 days",
    "fresh-01": "younger than 90 days",
}


def seed_mixed(emu, project=None, other=OTHER):
    """Seed the mixed population; return {name: id} of every seeded image."""
    project = project or emu.default_account["project_id"]
    shared_with_us = [{"member": project, "status": "accepted"}]
    web = ["team=web"]
    images = [
        # never ours to delete: public, market, shared with us, another project's
        {"name": "public-old", "imagetype": "gold", "age_days": 400},
        {"name": "public-killed", "imagetype": "gold", "status": "killed", "age_days": 30, "protected": False},
        {"name": "market-old", "imagetype": "market", "age_days": 400, "protected": False},
        {"name": "shared-killed", "owner": other, "status": "killed", "age_days": 30, "members": shared_with_us},
        {"name": "shared-web-0001", "owner": other, "age_days": 400, "members": shared_with_us, "tags": web},
        {"name": "other-killed", "owner": other, "status": "killed", "age_days": 30},
        {"name": "other-queued", "owner": other, "status": "queued", "age_days": 30},
        {"name": "other-web-0001", "owner": other, "age_days": 400, "tags": web},
        # ours, but spared: protected, excluded by tag, too young
        {"name": "protected-killed", "owner": project, "status": "killed", "age_days": 30, "protected": True},
        {"name": "web-0000", "owner": project, "age_days": 400, "protected": True, "tags": web},
        {"name": "excluded-killed", "owner": project, "status": "killed", "age_days": 30,
         "tags": ["team=ci", "cleanup=keep"]},
        {"name": "db-00", "owner": project, "age_days": 400, "tags": ["cleanup=keep"]},
        {"name": "young-killed", "owner": project, "status": "killed", "age_seconds": 3600},
        {"name": "young-queued", "owner": project, "status": "queued", "age_seconds": 2 * 3600},
        # failed and abandoned uploads
        {"name": "killed-old", "owner": project, "status": "killed", "age_days": 2},
        {"name": "queued-old", "owner": project, "status": "queued", "age_days": 3},
        {"name": "saving-old", "owner": project, "status": "saving", "age_days": 2},
        # old active images of several name families (the newest 2 of each are kept; young ones count)
        {"name": "db-01", "owner": project, "age_days": 300},
        {"name": "db-02", "owner": project, "age_days": 5},
        {"name": "db-03", "owner": project, "age_days": 2},
        {"name": "api-2024.01.05", "owner": project, "age_days": 400},
        {"name": "api-2024.02.01", "owner": project, "age_days": 350},
        {"name": "api-2024.03.01", "owner": project, "age_days": 300},
        {"name": "legacy-base", "owner": project, "age_days": 400},
        {"name": "fresh-01", "owner": project, "age_days": 1},
    ]
    for number, age in enumerate((200, 180, 160, 140, 120, 100), start=1):
        images.append({"name": "web-%04d" % number, "owner": project, "age_days": age, "tags": web})
    ids = emu.seed(images=images)
    return dict(zip([image["name"] for image in images], ids))


def read_report(path):
    """The cleanup role's JSON report at ``path``, which only its owner may read."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return json.loads(path.read_text())
