# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the Sphinx project of ``make docs`` build offline.

    python hacking/docs_offline.py SPHINX_SRC

``antsibull-docs sphinx-init`` writes SPHINX_SRC/conf.py with an ``intersphinx_mapping``
that fetches the inventories of docs.python.org, jinja and docs.ansible.com. This script
writes one local inventory instead, SPHINX_SRC/ansible_devel.inv, with the only
ansible-core docsite labels the generated pages refer to (so those links still lead to
docs.ansible.com), and appends to conf.py an ``intersphinx_mapping`` that reads only it.
A page that refers to another label fails the build (undefined label): add it to LABELS.
"""

from __future__ import annotations

import os
import sys
import zlib

BASE_URL = 'https://docs.ansible.com/projects/ansible/devel/'

# label, location under BASE_URL, title
LABELS = (
    ('ansible_configuration_settings',
     'reference_appendices/config.html#ansible-configuration-settings', 'Ansible Configuration Settings'),
    ('common_return_values',
     'reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
)

HEADER = (b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
          b'# The remaining of this file is compressed using zlib.\n')


def write_inventory(path: str) -> None:
    """Write a Sphinx (version 2) inventory of LABELS to ``path``."""
    body = ''.join('%s std:label -1 %s %s\n' % label for label in LABELS)
    with open(path, 'wb') as handle:
        handle.write(HEADER)
        handle.write(zlib.compress(body.encode('utf-8')))


def main() -> int:
    """Write the inventory beside conf.py and point conf.py's intersphinx at it."""
    if len(sys.argv) != 2:
        sys.exit('usage: docs_offline.py SPHINX_SRC')
    src = os.path.abspath(sys.argv[1])
    inventory = os.path.join(src, 'ansible_devel.inv')
    write_inventory(inventory)
    with open(os.path.join(src, 'conf.py'), 'a', encoding='utf-8') as handle:
        handle.write('\n# ---- appended by hacking/docs_offline.py: build offline ----\n'
                     'intersphinx_mapping = {\n    %r: (%r, %r),\n}\n' % ('ansible_devel', BASE_URL, inventory))
    return 0


if __name__ == '__main__':
    sys.exit(main())
