# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check that the Markdown pages cite only files a clone has.

For each Markdown file of the project (README.md, TESTING.md, docs/, tests/emulator/README.md
and the other READMEs): every relative link ``[text](path#anchor)`` must name a file or
folder that exists, relative to the page; every path in backticks that looks like a file of
this repository (``tests/emulator/harness.py``, ``imsemu/cli.py``) must exist relative to the
repository root, to the page's folder, or to a folder directly below it. Prints one line per
broken reference and exits 1 if there is any. ``--root DIR`` checks another tree (tests).
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\s]+)`")
# A repository path: at least one folder, then a file with one of these extensions.
REPO_PATH = re.compile(r"^(?:\.{1,2}/)?[\w.-]+(?:/[\w.-]+)*/[\w.-]+\.(?:py|md|json|ya?ml|txt|cfg|ini|toml|sh|j2)$")
SKIP_DIRS = {".git", ".venv", ".venvs", "build", "node_modules", "__pycache__", ".pytest_cache"}


def pages(root: pathlib.Path):
    for path in sorted(root.rglob("*.md")):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts) and "changelogs" not in path.parts:
            yield path


def candidates(root: pathlib.Path, page: pathlib.Path, ref: str):
    yield root / ref
    yield page.parent / ref
    for child in page.parent.iterdir():
        if child.is_dir() and child.name not in SKIP_DIRS:
            yield child / ref


def cites_this_tree(root: pathlib.Path, page: pathlib.Path, ref: str) -> bool:
    """Whether ``ref`` starts with a folder of this tree (not build/, which the tools fill).

    ``collections/requirements.yml`` in a guide about the user's own project is not ours.
    """
    first = ref.split("/", 1)[0]
    return first not in ("build", ".", "..") and any(c.is_dir() for c in candidates(root, page, first))


def problems(root: pathlib.Path):
    found = []
    for page in pages(root):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(root)
        for number, line in enumerate(text.splitlines(), 1):
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                    continue
                path = target.split("#", 1)[0]
                if path and not (page.parent / path).exists():
                    found.append("%s:%d: link to %s, which does not exist" % (where, number, target))
            for ref in CODE.findall(line):
                if REPO_PATH.match(ref) and cites_this_tree(root, page, ref) \
                        and not any(c.exists() for c in candidates(root, page, ref)):
                    found.append("%s:%d: cites %s, which this tree does not have" % (where, number, ref))
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parent.parent))
    args = parser.parse_args(argv)
    found = problems(pathlib.Path(args.root))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
