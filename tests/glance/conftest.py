# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the journeys against a real OpenStack Glance (glance_server.py).

``glance``: one loopback Glance for the session (per pytest-xdist worker), made in its own
venv on first use. ``project``: a project of its own for each test, so tests never see each
other's images and need no reset. ``hw_env``: the collection's HW_* settings for that
project (a ready token, as a user of a Glance behind Keystone has one). ``api``: the same
project through Glance's API directly (glance_api.py), to seed and to check.
``ansible``: ansible and ansible-playbook as a user runs them, playbooks from playbooks/.
"""

from __future__ import annotations

import pathlib
import uuid

import pytest

from glance_api import GlanceApi
from glance_server import Glance

from support.fixtures import ansible_fixture

ansible = ansible_fixture(pathlib.Path(__file__).resolve().parent / "playbooks")


@pytest.fixture(scope="session")
def glance():
    """The loopback Glance of the session, stopped and removed at its end whatever the outcome."""
    with Glance.start() as server:
        yield server


@pytest.fixture
def project():
    """A fresh project id (32 hex digits, as Keystone's): the test's own images only."""
    return uuid.uuid4().hex


@pytest.fixture
def hw_env(glance, project):
    """HW_* settings that point the collection at ``glance`` as ``project``."""
    return {"HW_IMS_ENDPOINT": glance.url, "HW_AUTH_TOKEN": "loopback-token", "HW_PROJECT_ID": project,
            "HW_REGION_NAME": "cn-north-4"}


@pytest.fixture
def api(glance, project):
    """Glance's API as ``project``, without the collection."""
    return GlanceApi(glance.url, project)
