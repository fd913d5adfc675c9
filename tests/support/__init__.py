# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the test trees outside tests/emulator share (tests/journeys, tests/faults, tests/bench).

- :mod:`support.runner`: ``ansible`` and ``ansible-playbook`` run as a user runs them, with
  a controlled environment, and what one run did;
- :mod:`support.fixtures`: the "one emulator for the scope, reset for each test" fixture
  pair, and the ``ansible`` fixture;
- :mod:`support.populations`: seeded populations of images and what the cleanup makes of
  them.

Imported as ``support``: pytest.ini's ``pythonpath`` puts tests/ (and tests/emulator, for
``harness``, and build/collections, for the collection) on ``sys.path``; the Makefile sets
the same ``PYTHONPATH`` for the scripts it runs.
"""
