# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The guide docs/using-from-a-clone.md, run as a reader runs it (markers: tests/support/guides.py).

The guide's ``git clone`` of GitHub clones this work tree's repository instead (its committed
state: what CI tests), and the reader's shell has no ``ANSIBLE_COLLECTIONS_PATH`` until the
guide exports one, so every collection it finds comes from the clone it made. The guide moves
that clone; the link ``make collection-path`` made must follow it.
"""

from __future__ import annotations

import pytest

from support.guides import ROOT, check_markers, parse_guide, reader_environment, run_guide

GUIDE = ROOT / "docs" / "using-from-a-clone.md"
GUIDE_URL = "https://github.com/hwcloud-ims/hwcloud.ims.git"


@pytest.fixture(scope="module")
def samples():
    return parse_guide(GUIDE)


def test_every_code_block_is_marked(samples):
    check_markers(samples)
    assert any(GUIDE_URL in sample.body for sample in samples if sample.kind == "run")


def test_the_guide_runs(samples, tmp_path):
    env = reader_environment(tmp_path)
    env.pop("ANSIBLE_COLLECTIONS_PATH")
    env.pop("PYTHONPATH", None)
    workdir = run_guide(samples, tmp_path, {GUIDE_URL: str(ROOT)}, env=env)
    link = workdir / "hwcloud-ims-dev" / "build" / "collections" / "ansible_collections" / "hwcloud" / "ims"
    assert link.resolve() == (workdir / "hwcloud-ims-dev").resolve()
