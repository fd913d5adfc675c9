# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The guide docs/native-images.md, run as a reader runs it, so that it cannot rot.

The markers of its code blocks and how they run: tests/support/guides.py. The guide's fixed
port (8781) is replaced by a free one. Only the emulator on loopback is reached. ``curl`` and
``jq`` are needed, like the guide says.
"""

from __future__ import annotations

import pytest

from support.guides import ROOT, check_markers, free_port, parse_guide, require_tools, run_guide

GUIDE = ROOT / "docs" / "native-images.md"
GUIDE_PORT = "8781"


@pytest.fixture(scope="module")
def samples():
    return parse_guide(GUIDE)


def test_every_code_block_is_marked(samples):
    check_markers(samples, required=("file", "run", "server", "output", "show"))


def test_the_guide_runs(samples, tmp_path):
    require_tools("curl", "jq", "bash")
    run_guide(samples, tmp_path, {GUIDE_PORT: free_port()})
