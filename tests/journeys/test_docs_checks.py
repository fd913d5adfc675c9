# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The docs checks of hacking/: check_doc_paths.py (``make doc-paths``: the pages cite only files the tree
has) and docs_markup_check.py (``make docs-lint``: no markup that ends too early)."""

from __future__ import annotations

import subprocess
import sys

from support.guides import ROOT

CHECK = ROOT / "hacking" / "check_doc_paths.py"


def check(root):
    ran = subprocess.run([sys.executable, str(CHECK), "--root", str(root)], capture_output=True, text=True,
                         check=False)
    return ran.returncode, ran.stdout.splitlines()


def test_this_tree_cites_only_what_it_has():
    assert check(ROOT) == (0, [])


def test_a_missing_file_or_link_is_named(tmp_path):
    (tmp_path / "tests" / "emulator" / "imsemu" / "core").mkdir(parents=True)
    (tmp_path / "tests" / "emulator" / "harness.py").write_text("")
    (tmp_path / "tests" / "emulator" / "imsemu" / "core" / "signing.py").write_text("")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n")
    (tmp_path / "tests" / "emulator" / "README.md").write_text(
        "Start `tests/emulator/harness.py`; vectors in `core/signing.py` and `imsemu/core/signing.py`.\n"
        "Secrets: `tests/integration/test_secrets.py`.\n"
        "See [the guide](../../docs/guide.md#top), [gone](../../docs/gone.md), [site](https://example.com).\n"
        "Outputs: `build/bench/results.json`; your project's `collections/requirements.yml`.\n")
    rc, lines = check(tmp_path)
    assert rc == 1
    assert lines == ["tests/emulator/README.md:2: cites tests/integration/test_secrets.py, which this tree does not have",
                     "tests/emulator/README.md:3: link to ../../docs/gone.md, which does not exist"]


MARKUP_CHECK = ROOT / "hacking" / "docs_markup_check.py"
MODULE = '''DOCUMENTATION = r"""
module: thing
short_description: A thing
description:
  - %s
options:
  pattern:
    description:
      - The pattern. Default %s.
    type: str
"""
RETURN = r"""
"""
'''


def markup_check(root):
    ran = subprocess.run([sys.executable, str(MARKUP_CHECK), str(root)], capture_output=True, text=True,
                         check=False, cwd=root)
    return ran.returncode, ran.stdout + ran.stderr


def test_this_tree_has_no_markup_that_ends_too_early():
    assert markup_check(ROOT) == (0, "")


def test_a_code_markup_that_ends_at_a_regexs_first_parenthesis_is_caught(tmp_path):
    modules = tmp_path / "plugins" / "modules"
    modules.mkdir(parents=True)
    (modules / "thing.py").write_text(MODULE % ("Finds C(things).", r"V(^(?P<family>.+?\)-\\d$)"))
    assert markup_check(tmp_path) == (0, "")
    (modules / "thing.py").write_text(MODULE % ("Finds C(things).", r"C(^(?P<family>.+?)-\d$)"))
    rc, output = markup_check(tmp_path)
    assert rc != 0 and "thing.py" in output and "pattern" in output, output
