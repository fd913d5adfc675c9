# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the journeys: the session emulator (``emulator``), reset for a test (``emu``),
and ``ansible`` run as a user runs it, with the playbooks of this folder (tests/support)."""

from __future__ import annotations

import pathlib

from support.fixtures import ansible_fixture, emulator_fixtures

emulator, emu = emulator_fixtures("emulator", "emu")
ansible = ansible_fixture(pathlib.Path(__file__).resolve().parent / "playbooks")

# The files whose tests take the longest (30 to 80 s each), run first: under pytest-xdist a long test
# handed out last keeps one worker busy after the others have finished (a tail of a minute or more).
SLOW_FIRST = ("test_role_image_publish.py", "test_awx_runner.py", "test_demo.py", "test_docs_emulator_guides.py",
              "test_journey_member_regions.py", "test_docs_offline_guide.py", "test_journey_native_kill.py")


def pytest_collection_modifyitems(items):
    """Order the collected journeys: :data:`SLOW_FIRST`'s files first, in that order, then the rest as collected."""
    rank = {name: index for index, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(pathlib.Path(str(item.fspath)).name, len(SLOW_FIRST)))
