# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check what the steps of ``make ee`` produced (see mk/ee.mk).

    python hacking/ee_check.py INTROSPECTED_PIP INTROSPECTED_BINDEP \\
        META_CONTEXT META_INSTALLED_CONTEXT EXAMPLE_CONTEXT

Run from the collection root by the builder venv's Python (it has PyYAML and
packaging). Checks that

2. ``ansible-builder introspect`` of the installed collection reports every line of
   requirements.txt and bindep.txt, as an EE build would install them;
3. ``ansible-builder create -f meta/execution-environment.yml``, in the work tree and
   in the installed copy, put real copies of both files into each context;
4. ``ansible-builder create`` on the example EE installs the collection and then
   introspects it.
"""

from __future__ import annotations

import os
import sys

import yaml
from packaging.requirements import Requirement


def entries(path):
    """The lines of a requirements or bindep file, without comments and blank lines."""
    with open(path, encoding='utf-8') as handle:
        return [line.split(' #')[0].strip() for line in handle
                if line.strip() and not line.lstrip().startswith('#')]


def read(path):
    """The text of ``path``."""
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def check(fqcn, pip_out, bindep_out, meta_contexts, example_ctx):
    """The problems found, as a list of sentences."""
    problems = []
    python_deps, system_deps = entries('requirements.txt'), entries('bindep.txt')
    if 'requests' not in [Requirement(line).name for line in python_deps]:
        problems.append('requirements.txt does not list requests')
    if not system_deps:
        problems.append('bindep.txt lists nothing')

    # 2. what the EE build installs for the collection
    introspected = {'python': read(pip_out).splitlines(), 'system': read(bindep_out).splitlines()}
    for kind, deps, source in (('python', python_deps, 'requirements.txt'), ('system', system_deps, 'bindep.txt')):
        for dep in deps:
            if '%s  # from collection %s' % (dep, fqcn) not in introspected[kind]:
                problems.append('introspection of the installed collection misses %r of %s; it found: %s'
                                % (dep, source, introspected[kind]))

    # 3. create -f meta/execution-environment.yml, in the work tree and the installed copy
    for ctx in meta_contexts:
        for name, deps in (('requirements.txt', python_deps), ('bindep.txt', system_deps)):
            path = os.path.join(ctx, '_build', name)
            if not os.path.isfile(path) or os.path.islink(path) or entries(path) != deps:
                problems.append("%s: not a copy of the collection's %s" % (path, name))

    # 4. create on the example: installs the collection, then introspects it
    requirements = yaml.safe_load(read(os.path.join(example_ctx, '_build', 'requirements.yml')))
    if fqcn not in [c['name'] if isinstance(c, dict) else c for c in requirements.get('collections') or []]:
        problems.append('%s/_build/requirements.yml does not install %s' % (example_ctx, fqcn))
    if 'introspect.py introspect' not in read(os.path.join(example_ctx, 'Containerfile')):
        problems.append('%s/Containerfile does not introspect the collections' % example_ctx)
    return problems, python_deps, system_deps


def main() -> int:
    """Check, then print a summary or exit with the problems."""
    if len(sys.argv) != 6:
        sys.exit('usage: ee_check.py INTROSPECTED_PIP INTROSPECTED_BINDEP META_CTX META_INSTALLED_CTX EXAMPLE_CTX')
    pip_out, bindep_out, meta_ctx, meta_installed_ctx, example_ctx = sys.argv[1:6]
    galaxy = yaml.safe_load(read('galaxy.yml'))
    fqcn = '%s.%s' % (galaxy['namespace'], galaxy['name'])
    problems, python_deps, system_deps = check(fqcn, pip_out, bindep_out, (meta_ctx, meta_installed_ctx), example_ctx)
    if problems:
        sys.exit('make ee:\n  ' + '\n  '.join(problems))
    print('  introspection of %s: %s | %s' % (fqcn, ', '.join(python_deps), ', '.join(system_deps)))
    print('  contexts: %s' % ', '.join(os.path.relpath(ctx) for ctx in (meta_ctx, meta_installed_ctx, example_ctx)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
