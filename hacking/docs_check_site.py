# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the documentation site that ``make docs`` built.

    python hacking/docs_check_site.py HTML_DIR COLLECTION

Run from the collection root by the docs venv's Python (it has PyYAML, and its
ansible-doc on PATH). Every module and role of COLLECTION must have its page in
HTML_DIR, with an anchor for each option (suboptions included) and each return value,
as ansible-doc reads them; the collection index must link every page and each extra
link of docs/docsite/links.yml. Prints a line per page, or exits non-zero listing what
is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

LINKS = os.path.join('docs', 'docsite', 'links.yml')


def ansible_doc(*args):
    """ansible-doc --json ARGS, decoded; exits when ansible-doc fails."""
    done = subprocess.run(['ansible-doc', '--json'] + list(args), capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit('ansible-doc %s failed:\n%s' % (' '.join(args), done.stderr))
    return json.loads(done.stdout)


def anchors(prefix, spec, nested):
    """The anchor ids of every entry of ``spec`` and of its ``nested`` sub-specs."""
    for name, entry in sorted((spec or {}).items()):
        yield prefix + name
        for key in nested:
            yield from anchors(prefix + name + '/', entry.get(key), nested)


class Site:
    """The built HTML pages, and what is wrong with them."""

    def __init__(self, html):
        self.html = html
        self.problems = []

    def read(self, page):
        """The text of ``page``, or None (and a problem) when it is missing."""
        path = os.path.join(self.html, page)
        if not os.path.isfile(path):
            self.problems.append('%s: missing' % page)
            return None
        with open(path, encoding='utf-8') as handle:
            return handle.read()

    def check_page(self, page, ids):
        """Check that ``page`` has every anchor of ``ids``; return how many were expected."""
        text = self.read(page)
        if text is not None:
            missing = [i for i in ids if 'id="%s"' % i not in text]
            if missing:
                self.problems.append('%s: no anchor for %s' % (page, ', '.join(missing)))
        return len(ids)


def check(site, collection):
    """Check every page of ``collection`` and the index; return [(page, anchors expected)], links."""
    pages = []
    for fqcn in sorted(ansible_doc('--list', '-t', 'module', collection)):
        data = ansible_doc('-t', 'module', fqcn)[fqcn]
        ids = list(anchors('parameter-', data['doc'].get('options'), ('suboptions',)))
        ids += list(anchors('return-', data.get('return'), ('contains',)))
        if not data['doc'].get('options'):
            site.problems.append('%s: ansible-doc shows no options' % fqcn)
        page = fqcn.split('.')[-1] + '_module.html'
        pages.append((page, site.check_page(page, ids)))
    for fqcn in sorted(ansible_doc('--list', '-t', 'role', collection)):
        data = ansible_doc('-t', 'role', fqcn)[fqcn]
        ids = []
        for entry, spec in sorted(data['entry_points'].items()):
            ids += list(anchors('parameter-%s--' % entry, spec.get('options'), ('options', 'suboptions')))
        page = fqcn.split('.')[-1] + '_role.html'
        pages.append((page, site.check_page(page, ids)))
    if not pages:
        site.problems.append('ansible-doc lists no module and no role of %s' % collection)

    with open(LINKS, encoding='utf-8') as handle:
        links = [link['url'] for link in (yaml.safe_load(handle) or {}).get('extra_links') or []]
    index = site.read('index.html') or ''
    for target in [page for page, _count in pages] + links:
        if 'href="%s"' % target not in index:
            site.problems.append('index.html: no link to %s' % target)
    return pages, links


def main() -> int:
    """Check the site; print a summary or exit with the problems."""
    if len(sys.argv) != 3:
        sys.exit('usage: docs_check_site.py HTML_DIR COLLECTION')
    site = Site(sys.argv[1])
    pages, links = check(site, sys.argv[2])
    if site.problems:
        sys.exit('The documentation site is incomplete:\n  ' + '\n  '.join(site.problems))
    for page, count in pages:
        print('  %-32s %3d options and return values' % (page, count))
    print('  index.html                       links to every page and %d guides' % len(links))
    return 0


if __name__ == '__main__':
    sys.exit(main())
