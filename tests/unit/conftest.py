# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the unit tests: scripted HTTP and a fake clock (tests/unit/utils/scripted_http.py)."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import install


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # pylint: disable=unused-argument
    """Keep each phase's report on the test item, so fixtures know whether the test passed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "report_" + report.when, report)


@pytest.fixture
def scripted(monkeypatch, request):
    """(http, clock): requests.Session.request answered by a script, _clock replaced by a fake.

    At teardown of a test that passed, every scripted call must have been made.
    """
    fake, clock = install(monkeypatch)
    yield fake, clock
    report = getattr(request.node, "report_call", None)
    if report is not None and report.passed:
        fake.assert_done()


@pytest.fixture
def http(scripted):
    """The scripted HTTP of :func:`scripted`."""
    return scripted[0]


@pytest.fixture
def clock(scripted):
    """The fake clock of :func:`scripted`: ``clock.sleeps``, ``clock.set_random(value)``."""
    return scripted[1]
