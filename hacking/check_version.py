# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that the collection's version is the same everywhere (``make version-check``).

    python hacking/check_version.py

galaxy.yml's ``version`` is the version of the collection (the tarball's name,
``make release-notes``). The modules send theirs in the User-Agent, from
COLLECTION_VERSION in plugins/module_utils/_version.py: a module cannot read
galaxy.yml at run time (it is not shipped inside AnsiballZ), so the value is kept in
that file and this check fails when the two differ. The file is read as text (with
ast), never imported. Run from the collection root with a Python that has PyYAML.
"""

from __future__ import annotations

import ast
import sys

import yaml

GALAXY = 'galaxy.yml'
VERSION_FILE = 'plugins/module_utils/_version.py'


def galaxy_version() -> str:
    """The ``version`` of galaxy.yml."""
    with open(GALAXY, encoding='utf-8') as handle:
        return str(yaml.safe_load(handle)['version'])


def module_version() -> str | None:
    """The string assigned to COLLECTION_VERSION in VERSION_FILE, or None."""
    with open(VERSION_FILE, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), VERSION_FILE)
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and any(
                isinstance(target, ast.Name) and target.id == 'COLLECTION_VERSION' for target in node.targets):
            return node.value.value
    return None


def main() -> int:
    """Compare the two versions."""
    expected, found = galaxy_version(), module_version()
    if found is None:
        sys.exit('%s: no COLLECTION_VERSION = "..." found' % VERSION_FILE)
    if found != expected:
        sys.exit('%s has COLLECTION_VERSION = %r but %s has version %r: make them the same'
                 % (VERSION_FILE, found, GALAXY, expected))
    print('version %s: %s and %s agree' % (expected, GALAXY, VERSION_FILE))
    return 0


if __name__ == '__main__':
    sys.exit(main())
