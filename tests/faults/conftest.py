# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures and the report of the fault-injection suite.

Seeds: ``FAULT_SEEDS`` seeds (how many) from ``FAULT_SEED_START`` (default 1) when either is set
and not empty, else those of the short run (fault_plans.SHORT_SEEDS); each seed is one case
(fault_plans.scenario_of): the native playbook (an image made from a server) for a multiple of 3,
else the copy playbook (an image copied to two regions and exported) for a multiple of 5, else the
share playbook (images shared with two projects, each accepting) for a multiple of 8, else the
lifecycle playbook for an odd seed, the cleanup role for an even one. The report goes to
``FAULT_REPORT`` (default build/faults/report.json) and is summed up at the end of the pytest output.
"""

from __future__ import annotations

import collections
import json
import os
import pathlib
import time

import pytest

from fault_plans import SHORT_SEEDS, SHORT_TOKEN_TTL
from harness import Emulator
from share_scenario import ACCOUNTS

from support.fixtures import ansible_fixture

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]

if os.environ.get("FAULT_SEEDS") or os.environ.get("FAULT_SEED_START"):
    SEED_START = int(os.environ.get("FAULT_SEED_START") or "1")
    SEEDS = tuple(range(SEED_START, SEED_START + int(os.environ.get("FAULT_SEEDS") or "1")))
else:
    SEEDS = SHORT_SEEDS
REPORT = pathlib.Path(os.environ.get("FAULT_REPORT", str(ROOT / "build" / "faults" / "report.json")))

RECORDS = []
_STARTED = time.monotonic()


def pytest_generate_tests(metafunc):
    if "seed" in metafunc.fixturenames:
        metafunc.parametrize("seed", SEEDS)


@pytest.fixture(scope="session")
def emulators():
    """Two emulators: tokens valid for a day, and tokens valid for SHORT_TOKEN_TTL seconds; each with the default
    account first, then the share scenario's consumers (share_scenario.ACCOUNTS).

    A case resets the one its plan needs (test_faults.pick_emulator)."""
    with Emulator.start(accounts=ACCOUNTS) as normal, \
            Emulator.start(accounts=ACCOUNTS, extra_args=("--token-ttl", SHORT_TOKEN_TTL)) as short:
        yield {"normal": normal, "short": short}


ansible = ansible_fixture(HERE / "playbooks")


@pytest.fixture(scope="session")
def record():
    """Adds one case's figures to the report."""
    return RECORDS.append


@pytest.fixture(scope="session")
def run_seeds():
    """The seeds of this run."""
    return SEEDS


@pytest.fixture
def records():
    """The figures of the cases of this run so far (test_seed records a case once it has passed)."""
    return list(RECORDS)


def _summary():
    outcomes = collections.Counter(entry["outcome"] for entry in RECORDS)
    faults = collections.Counter()
    requests = 0
    for entry in RECORDS:
        faults.update(entry["injected"])
        requests += entry["requests"]
    seeds = sorted({entry["seed"] for entry in RECORDS})
    return {
        "seeds": len(seeds),
        "seed_range": [seeds[0], seeds[-1]] if seeds else [],
        "seed_list": seeds,
        "cases": len(RECORDS),
        "outcomes": dict(outcomes),
        "by_scenario": {scenario: dict(collections.Counter(e["outcome"] for e in RECORDS if e["scenario"] == scenario))
                        for scenario in sorted({e["scenario"] for e in RECORDS})},
        "by_auth": dict(collections.Counter(entry["auth"] for entry in RECORDS)),
        "faults_injected": dict(sorted(faults.items())),
        "faults_injected_total": sum(faults.values()),
        "requests": requests,
        "seconds": round(time.monotonic() - _STARTED, 1),
    }


def pytest_sessionfinish(session):  # pylint: disable=unused-argument
    if not RECORDS:
        return
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"summary": _summary(), "cases": RECORDS}, indent=2, sort_keys=True) + "\n")


def pytest_terminal_summary(terminalreporter):
    if not RECORDS:
        return
    summary = _summary()
    write = terminalreporter.write_line
    terminalreporter.section("fault injection")
    seeds = summary["seed_list"]
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        named = "-".join(str(s) for s in summary["seed_range"])
    else:
        named = ", ".join(str(s) for s in seeds)
    write("seeds %s (%d seeds, %d cases) in %.0f s; %d API requests"
          % (named, summary["seeds"], summary["cases"], summary["seconds"], summary["requests"]))
    for scenario, outcomes in summary["by_scenario"].items():
        write("  %-9s %s" % (scenario, ", ".join("%s %d" % item for item in sorted(outcomes.items()))))
    write("  auth      %s" % ", ".join("%s %d" % item for item in sorted(summary["by_auth"].items())))
    write("  faults injected: %d - %s" % (summary["faults_injected_total"],
                                          ", ".join("%s %d" % item for item in summary["faults_injected"].items())))
    write("  report: %s" % REPORT)
