# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The guides that run against an emulator of their own, run as a reader runs them, so that they cannot rot.

docs/native-images.md and docs/copy-export-share.md. The markers of their code blocks and how
they run: tests/support/guides.py. Each guide's fixed port is replaced by a free one. Only the
emulator on loopback is reached. ``curl`` and ``jq`` are needed, like the guides say.
"""

from __future__ import annotations

import pytest

from support.guides import ROOT, check_markers, free_port, parse_guide, require_tools, run_guide

# guide -> (its emulator's port, the markers it must use)
GUIDES = {
    "native-images.md": ("8781", ("file", "run", "server", "output", "show")),
    "copy-export-share.md": ("8782", ("file", "run", "server", "output")),
}


@pytest.fixture(name="guide", scope="module", params=sorted(GUIDES))
def fixture_guide(request):
    port, required = GUIDES[request.param]
    return parse_guide(ROOT / "docs" / request.param), port, required


def test_every_code_block_is_marked(guide):
    samples, _port, required = guide
    check_markers(samples, required=required)


def test_the_guide_runs(guide, tmp_path):
    require_tools("curl", "jq", "bash")
    samples, port, _required = guide
    run_guide(samples, tmp_path, {port: free_port()})
