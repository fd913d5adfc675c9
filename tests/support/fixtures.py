# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""pytest fixtures of the test trees: an emulator for a scope, reset for each test; ansible.

A conftest.py or test module makes the fixtures its own by assigning them::

    from support.fixtures import emulator_fixtures

    emulator, emu = emulator_fixtures("emulator", "emu")
    tls_emulator, temu = emulator_fixtures("tls_emulator", "temu", scope="module", tls=True)

or, for an emulator fixture of its own, only the reset: ``secrets_emu = reset_fixture("secrets_emulator", "secrets_emu")``.
"""

from __future__ import annotations

import pytest

from harness import Emulator

from support.runner import AnsibleRunner


def emulator_fixtures(name, reset_name, scope="session", **start):
    """The fixture pair ``(name, reset_name)``: one emulator for ``scope``, and that emulator reset.

    ``name`` starts an emulator with ``Emulator.start(**start)`` once per ``scope`` and stops
    it at the end; ``reset_name`` returns it reset (only the public catalogue, no faults,
    zero counts), for each test that asks for it.
    """

    @pytest.fixture(scope=scope, name=name)
    def started():
        emu = Emulator.start(**start)
        try:
            yield emu
        finally:
            emu.stop()

    options = ", ".join("%s=%r" % item for item in start.items()) or "defaults"
    started.__doc__ = "One emulator (%s) for the %s." % (options, scope)
    return started, reset_fixture(name, reset_name)


def reset_fixture(name, reset_name):
    """A fixture ``reset_name``: the emulator of the fixture ``name``, reset for the test.

    For an emulator fixture of its own (one that needs more set-up than
    :func:`emulator_fixtures` does), with the same reset.
    """

    @pytest.fixture(name=reset_name)
    def reset(request):
        emu = request.getfixturevalue(name)
        emu.reset()
        return emu

    reset.__doc__ = "The %s emulator, reset: only the public catalogue, no faults, zero counts." % name
    return reset


def ansible_fixture(playbook_dir, name="ansible"):
    """A fixture ``name``: an :class:`~support.runner.AnsibleRunner` in the test's tmp_path."""

    @pytest.fixture(name=name)
    def runner(tmp_path):
        return AnsibleRunner(tmp_path, playbook_dir)

    runner.__doc__ = "ansible and ansible-playbook, playbooks from %s." % playbook_dir
    return runner
