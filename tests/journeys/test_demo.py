# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make demo`` as the README's Quick start runs it: the same command line, read from the Makefile.

demo/demo.yml against a fresh emulator seeded with ``--seed-demo``: the listings, an image created,
re-run and deleted, the cleanup role's plan and cleanup, then the golden-image pipeline (the role
hwcloud.ims.image_publish): demo-golden-20260301 baked once from the seeded server, copied to
cn-east-3 and ap-southeast-1, shared in each region, one older version retired and the protected
and the accepted-shared ones spared; its re-run in the demo changes nothing. What it did is read
from the output the demo shows (the emulator is the runner's own, gone when it ends).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

from support.runner import ANSIBLE_PLAYBOOK, ROOT, debug_messages, play_recap

NAME = "demo-golden-20260301"
REGIONS = ("cn-north-4", "cn-east-3", "ap-southeast-1")
SUMMARY_TASK = "hwcloud.ims.image_publish : Show the plan and what was done, per region"
RERUN_TASK = "TASK [Publish it again - every step finds its work done, nothing is written]"


def demo_command():
    """The command of the Makefile's demo recipe, with this venv's interpreter and ansible-playbook."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "tests/emulator/run_with_emulator.py --seed-demo -- ansible-playbook demo/demo.yml" in recipe, recipe
    assert "ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false" in recipe, recipe
    return [sys.executable, "tests/emulator/run_with_emulator.py", "--seed-demo", "--", ANSIBLE_PLAYBOOK, "demo/demo.yml"]


def summaries(stdout):
    """The pipeline's summary lines, one list per run of the role."""
    return debug_messages(stdout, SUMMARY_TASK)


def task_results(stdout, task):
    """The result lines (``ok: [localhost]``, ``changed: ...``) of every run of a task, in order."""
    return [re.findall(r"^(ok|changed|skipping|failed|fatal): ", block.split("TASK [", 1)[0], re.M)
            for block in stdout.split("TASK [%s]" % task)[1:]]


def test_make_demo_runs_the_pipeline_end_to_end_and_its_rerun_changes_nothing(ansible, tmp_path):
    env = ansible.environment({}, {"ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false"})
    started = time.monotonic()
    ran = subprocess.run(demo_command(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    took = time.monotonic() - started
    assert ran.returncode == 0, (ran.stdout, ran.stderr)
    out = ran.stdout
    assert play_recap(out)["localhost"]["failed"] == 0, out

    # The demo's earlier plays still do what the README says.
    assert "demo-web-broken-build" in out and '"changed: False, operations: []"' in out
    assert "CLEANED: 2 candidates, 2 deleted" in out, out

    first, again = summaries(out)
    assert first[0] == "%s: PUBLISHED (3 regions)" % NAME, first
    assert any(line.startswith("cn-north-4: BAKED %s (" % NAME) for line in first), first
    for region in REGIONS[1:]:
        assert any(line.startswith("%s: COPIED %s (" % (region, NAME)) for line in first), first
    for region in REGIONS:
        assert len([line for line in first if line.startswith("%s: share SHARED projects " % region)]) == 1, first
    assert "cn-north-4: retire RETIRED: 1 to retire, 1 retired, 4 spared (keep the newest 2 of family demo-golden)" in first, first
    assert [line.split()[2] for line in first if line.startswith("cn-north-4:   RETIRED")] == ["demo-golden-20260224"], first
    spared = {line.split()[2]: line for line in first if line.startswith("cn-north-4:   SPARED")}
    assert spared["demo-golden-20260222"].endswith(") protected"), spared
    assert "shared with 1 accepted member" in spared["demo-golden-20260223"], spared
    assert "among the newest 2" in spared["demo-golden-20260226"], spared
    # Only the family's images are listed: the project's others are not the retirement's business.
    assert sorted(spared) == ["demo-golden-20260222", "demo-golden-20260223", "demo-golden-20260226", NAME], spared

    # One bake, two copies started, three shares: the first run's writes; the re-run's: none.
    bake = "hwcloud.ims.image_publish : Bake the image from its source (a re-run finds it by name and bakes nothing)"
    assert task_results(out, bake) == [["changed"], ["ok"]], task_results(out, bake)
    copies = task_results(out, "hwcloud.ims.image_publish : Start the copies, without waiting")
    assert copies == [["changed", "changed"], ["ok", "ok"]], copies
    rerun = out.split(RERUN_TASK, 1)[1].split("PLAY RECAP", 1)[0]
    assert not re.findall(r"^changed: ", rerun, re.M), rerun
    assert again[0] == "%s: PUBLISHED (3 regions)" % NAME, again
    for region in REGIONS:
        assert any(line.startswith("%s: FOUND %s (" % (region, NAME)) for line in again), again
        assert any(line.startswith("%s: share UNCHANGED " % region) for line in again), again
    assert not [line for line in again if "RETIRED " in line or " 1 retired" in line], again
    # The image ids the re-run found are those the first run made.
    ids = [[re.search(r"\(([0-9a-f-]{36})\)$", line).group(1) for line in run if re.match(r"\S+: (BAKED|COPIED|FOUND) ", line)]
           for run in (first, again)]
    assert ids[0] == ids[1] and len(ids[0]) == 3, ids
    # The lookup finds the image just baked (the bake region's, first in the summary) by its family's names.
    assert '"msg": "The newest demo-golden image here: %s"' % ids[0][0] in out, out
    # The Quick start's promise: a short demo (measured: about 45 s on a quiet two-core machine).
    assert took < 150, took
