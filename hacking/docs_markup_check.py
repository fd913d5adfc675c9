# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the markup of every documented text for markup that ends too early (``make docs-lint``).

    python hacking/docs_markup_check.py [ROOT]

``C(...)``, ``I(...)``, ``B(...)`` and the other classic markup end at the first ``)``,
so ``C(^(?P<family>.+?)[-_.]?\\d$)`` renders as ``^(?P<family>.+?`` followed by plain text
in ``ansible-doc`` and in the HTML, and antsibull-docs' lint accepts it: the markup is
well formed, it just is not what was meant. This check parses every description, note,
short description, ``details`` and ``returned`` text of every module (DOCUMENTATION and
RETURN, read with ast, never imported), doc fragment and role argument spec
(meta/argument_specs.yml, suboptions included) with antsibull-docs-parser, the parser the
docs site uses, and fails on any markup whose argument has unbalanced parentheses (or
that does not parse). A value with ``)`` goes in ``V()`` (or ``O()``, ``E()``, ``RV()``)
with the ``)`` escaped as ``\\)`` and a backslash as ``\\\\``; see
https://docs.ansible.com/ansible/devel/dev_guide/ansible_markup.html.
Run from the collection root with a Python that has PyYAML and antsibull-docs-parser
(the development venv). Prints nothing and exits 0 when every text is fine.
"""

from __future__ import annotations

import ast
import glob
import os
import sys

import yaml
from antsibull_docs_parser import dom
from antsibull_docs_parser.parser import Context, parse

# The keys whose values are rendered as markup (a string or a list of strings).
MARKUP_KEYS = frozenset({'description', 'short_description', 'notes', 'details', 'requirements', 'returned'})
# The documentation strings of a module or a doc fragment.
DOC_STRINGS = ('DOCUMENTATION', 'RETURN')


def arguments_of(part):
    """The texts a markup part shows (none for plain text)."""
    if isinstance(part, dom.TextPart):
        return []
    found = [getattr(part, attribute, None) for attribute in ('text', 'value', 'name', 'fqcn', 'url')]
    plugin = getattr(part, 'plugin', None)
    if plugin is not None:
        found.append(plugin.fqcn)
    return [value for value in found if isinstance(value, str)]


def balanced(text):
    """Whether every ``(`` of ``text`` is closed, and no ``)`` closes what was not opened."""
    depth = 0
    for char in text:
        depth += {'(': 1, ')': -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def text_problems(text):
    """What is wrong with the markup of one documentation text."""
    problems = []
    for paragraph in parse(text, Context(), errors='message', add_source=True, helpful_errors=True):
        for part in paragraph:
            if isinstance(part, dom.ErrorPart):
                problems.append(part.message)
                continue
            if not all(balanced(argument) for argument in arguments_of(part)):
                problems.append('%s has unbalanced parentheses: the markup ends at the first ")" (write a value '
                                'with ")" as V(...) with \\) escaped, or without markup)' % part.source)
    return problems


def walk(node, where):
    """(where, problem) for every markup text under ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = '%s.%s' % (where, key)
            if key in MARKUP_KEYS:
                texts = value if isinstance(value, list) else [value]
                for index, text in enumerate(texts):
                    if isinstance(text, str):
                        for problem in text_problems(text):
                            yield ('%s[%d]' % (here, index) if isinstance(value, list) else here), problem
            else:
                yield from walk(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from walk(item, '%s[%d]' % (where, index))


def python_doc_strings(path):
    """{name: YAML text} of the DOCUMENTATION and RETURN strings assigned in ``path`` (at any depth)."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in DOC_STRINGS:
                    found[target.id] = node.value.value
    return found


def documents(root):
    """(label, parsed YAML) of every documented thing of the collection at ``root``."""
    for pattern in ('plugins/modules/*.py', 'plugins/doc_fragments/*.py', 'plugins/*/*.py'):
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            if pattern == 'plugins/*/*.py' and os.path.basename(os.path.dirname(path)) in ('modules', 'doc_fragments',
                                                                                           'module_utils'):
                continue
            for name, text in sorted(python_doc_strings(path).items()):
                yield '%s %s' % (os.path.relpath(path, root), name), yaml.safe_load(text)
    for path in sorted(glob.glob(os.path.join(root, 'roles', '*', 'meta', 'argument_specs.yml'))):
        with open(path, encoding='utf-8') as handle:
            yield os.path.relpath(path, root), yaml.safe_load(handle)


def problems(root):
    """Every problem found under ``root``, as lines."""
    lines = []
    try:
        for label, document in documents(root):
            for where, problem in walk(document, ''):
                lines.append('%s %s: %s' % (label, where.lstrip('.'), problem))
    except (SyntaxError, yaml.YAMLError) as exc:
        lines.append('cannot read the documentation: %s' % exc)
    return lines


def main(argv):
    found = problems(argv[1] if len(argv) > 1 else '.')
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
