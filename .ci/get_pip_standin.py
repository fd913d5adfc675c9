# Copyright: hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install an offline stand-in for the pip bootstrap script of ansible-test.

``ansible-test ... --venv`` creates its virtual environments without pip and
then runs ``get-pip.py`` to bootstrap pip. It downloads that script from
ci-files.testing.ansible.com, a host CI machines cannot reach, unless
``~/.ansible/test/cache/get_pip_<version>.py`` already exists.

This script writes that file for the pip version the installed ansible-test
asks for. The stand-in does what get-pip.py does, using only what the venv's
Python ships and the package index: ``python -m ensurepip``, then
``python -m pip install <its arguments>`` (ansible-test passes e.g.
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``).

A cache file that is not one of our stand-ins (a real get-pip.py downloaded
by ansible-test on a machine with internet access) is left alone.

Run it with the Python of the venv that has ansible-core installed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import types

MARKER = '# hwcloud.ims offline get-pip stand-in'

STANDIN = '''\
%s
"""Stand-in for get-pip.py: bootstrap pip from ensurepip and the package index.

Written by .ci/get_pip_standin.py of the hwcloud.ims collection; ansible-test
runs it inside each new virtual environment it creates.
"""

import glob
import os
import subprocess
import sys


def bundled_pip_wheel():
    """Return the pip wheel this Python's ensurepip would install, or None."""
    import ensurepip  # pylint: disable=import-outside-toplevel

    for directory in (os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'),
                      '/usr/share/python-wheels'):  # Debian's ensurepip
        wheels = sorted(glob.glob(os.path.join(directory, 'pip-*.whl')))
        if wheels:
            return wheels[-1]
    return None


def main():
    """Bootstrap pip, then install the requested packages with it."""
    args = sys.argv[1:]
    no_setuptools = '--no-setuptools' in args
    no_wheel = '--no-wheel' in args
    args = [arg for arg in args if arg not in ('--no-setuptools', '--no-wheel')]

    wheel = bundled_pip_wheel()
    if wheel:
        # pip runs from its wheel and installs the requested packages (pip==X
        # among them) into this Python: one pip run instead of three.
        extra = [] if no_setuptools else ['setuptools']
        extra += [] if no_wheel else ['wheel']
        subprocess.check_call([sys.executable, os.path.join(wheel, 'pip'), 'install'] + args + extra)
        return

    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)

    # get-pip.py never installs these when told not to; ensurepip of some
    # Python versions does, so remove them again.
    unwanted = []
    if no_setuptools:
        unwanted.append('setuptools')
    if no_wheel:
        unwanted.append('wheel')
    if unwanted:
        subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet',
                               '--disable-pip-version-check'] + unwanted)


if __name__ == '__main__':
    main()
''' % MARKER


def required_pip_version(python_version: str) -> str:
    """Return the pip version ansible-test bootstraps into a venv of the given Python."""
    # pylint: disable-next=import-outside-toplevel
    from ansible_test._internal.python_requirements import get_venv_packages

    return get_venv_packages(types.SimpleNamespace(version=python_version))['pip']


def main() -> int:
    """Write the stand-in unless a real get-pip.py is already cached."""
    python_version = sys.argv[1] if len(sys.argv) > 1 else '%d.%d' % sys.version_info[:2]
    pip_version = required_pip_version(python_version)
    cache_dir = os.path.expanduser('~/.ansible/test/cache')
    path = os.path.join(cache_dir, 'get_pip_%s.py' % pip_version.replace('.', '_'))

    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            current = handle.read()
        if current == STANDIN:
            print('get-pip stand-in for pip %s is up to date: %s' % (pip_version, path))
            return 0
        if not current.startswith(MARKER):
            print('real get-pip.py for pip %s already cached, left alone: %s' % (pip_version, path))
            return 0

    os.makedirs(cache_dir, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(dir=cache_dir, prefix='.get_pip_', suffix='.tmp')
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        handle.write(STANDIN)
    os.chmod(temp_path, 0o644)
    os.replace(temp_path, path)
    print('wrote get-pip stand-in for pip %s: %s' % (pip_version, path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
