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
