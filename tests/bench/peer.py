# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Row 5 of the benchmark: hwcloud.ims beside its peer, openstack.cloud (openstacksdk), on
the same real OpenStack Glance (tests/glance/glance_server.py) in the same run.

Both run from one venv, .venvs/peer (tests/requirements/peer.txt: the ``ansible`` package,
which ships openstack.cloud 2.5.0, the same ansible-core as .venv, openstacksdk 4.14.0), with
its Python as the modules' interpreter, so that the controller, the interpreter and the server
are the same for both and only the collections differ. Compared commands run interleaved and
each figure is the median of its repetitions, as in the other rows.

- the listing: ``ansible localhost -m hwcloud.ims.ims_image_info`` against
  ``ansible localhost -m openstack.cloud.image_info``, both with no filter, over the same
  LIST_COUNT images, each time checked to list them all; beside ``ansible localhost -m ping``
  and the floor, modules/list_floor.py: a module that sends hwcloud.ims's one request with the
  standard library and returns the images, the least any Ansible module can do.
- the cycle: playbooks/cycle_hwcloud.yml against playbooks/cycle_openstack.yml (create an image
  from a local file, update it, delete it: three tasks, each checked changed, and the image
  gone at the end); beside playbooks/cycle_ping.yml, the same play with three ping tasks.

"Cost over ping" is a command's wall time less its baseline's: what the collection adds to
what Ansible costs anyway.
"""

from __future__ import annotations

import json
import os
import pathlib
import time

from benchlib import HERE, QUICK, REPEAT, ROOT, WORK, Failed, adhoc_result, base_env, log, median, seconds, timed
from glance_api import GlanceApi, mark, served
from glance_server import Glance

from support.runner import play_recap

PEER_VENV = pathlib.Path(os.environ.get("PEER_VENV") or ROOT / ".venvs" / "peer")
LIST_COUNT = 500  # the size of the target, also with BENCH_QUICK (seeding takes about 10 s)
PROJECT = "be4c0000000000000000000000000005"  # 32 hex digits, as Keystone's
SECTION = "5 peer, Glance %d images" % LIST_COUNT
CYCLE_FILE_BYTES = 64 * 1024

# The targets (issue 13): for the listing, at most half of the peer's wall time, and at most a
# third of its cost over ping.
WALL_TARGET = 0.5
COST_TARGET = 1.0 / 3.0


def peer_binaries():
    binaries = {name: PEER_VENV / "bin" / name for name in ("ansible", "ansible-playbook", "python")}
    missing = [str(path) for path in binaries.values() if not path.exists()]
    if missing:
        raise Failed("the peer's venv is missing (%s): `make peer-venv` builds it (make bench does)" % ", ".join(
            missing))
    return binaries


def clouds_yaml(url):
    """openstacksdk's clouds.yaml for the loopback Glance: no Keystone, the image endpoint given."""
    path = WORK / "peer" / "clouds.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"clouds": {"glance": {
        "auth_type": "none", "auth": {"endpoint": url}, "image_endpoint_override": url,
        "image_api_version": "2"}}}, indent=2), encoding="utf-8")
    return path


def interleaved(kinds, repeat):
    """A B C, B C A, C A B, ...: each kind first as often as the others."""
    plan = []
    for rep in range(repeat):
        shift = rep % len(kinds)
        plan.extend(kinds[shift:] + kinds[:shift])
    return plan


def run_listing(glance, commands, env):
    samples = {kind: [] for kind in commands}
    requests = {kind: set() for kind in commands}
    timed(commands["ping"], env)  # warm-up: the first ansible command of a run reads more from disk
    for kind in interleaved(list(commands), REPEAT):
        since = mark(glance)
        elapsed, completed = timed(commands[kind], env)
        status, result = adhoc_result(completed.stdout)
        if status != "SUCCESS":
            raise Failed("%s: %s %r" % (kind, status, result.get("msg")))
        if kind != "ping" and len(result.get("images", [])) != LIST_COUNT:
            raise Failed("%s listed %d images, not %d" % (kind, len(result.get("images", [])), LIST_COUNT))
        samples[kind].append(elapsed)
        requests[kind].add(len(served(glance, since)))
    return samples, {kind: sorted(counts) for kind, counts in requests.items()}


def server_time(api, repeat):
    """Glance's answer alone to the one request hwcloud.ims sends for the listing (median, seconds)."""
    samples = []
    for _rep in range(max(repeat, 3)):
        started = time.perf_counter()
        _status, page = api.call("GET", "/v2/images?limit=1000&sort_key=created_at&sort_dir=desc")
        samples.append(time.perf_counter() - started)
        if len(page["images"]) != LIST_COUNT:
            raise Failed("Glance listed %d images, not %d" % (len(page["images"]), LIST_COUNT))
    return median(samples)


def run_cycle(glance, api, commands, env):
    samples = {kind: [] for kind in commands}
    requests = {kind: [] for kind in commands}
    for kind in interleaved(list(commands), REPEAT):
        since = mark(glance)
        elapsed, completed = timed(commands[kind], env)
        recap = play_recap(completed.stdout).get("localhost", {})
        if recap.get("failed") or recap.get("ok") != 3 or (kind != "ping" and recap.get("changed") != 3):
            raise Failed("%s: expected three changed tasks, got %r\n%s" % (kind, recap, completed.stdout[-2000:]))
        if api.by_name("bench-cycle"):
            raise Failed("%s left the image bench-cycle behind" % kind)
        samples[kind].append(elapsed)
        requests[kind].append(served(glance, since))
    return samples, requests


def ratio_row(table, what, ours, theirs, target=None, note=None, **values):
    ratio = ours / theirs
    value = "%s / %s = %.2fx" % (seconds(ours), seconds(theirs), ratio)
    if target is None:
        table.add(SECTION, what, value)
    else:
        table.add(SECTION, what, value, "<= %.2fx" % target, ratio <= target, note=note,
                  note_values=dict(values, ratio=ratio))
    return ratio


def bench_peer(table, results):
    binaries = peer_binaries()
    interpreter = "ansible_python_interpreter=%s" % binaries["python"]
    data = HERE / "playbooks"
    cycle_file = WORK / "peer" / "disk.raw"
    with Glance.start(project_id=PROJECT) as glance:
        api = GlanceApi(glance.url, PROJECT)
        hw_env = {"HW_IMS_ENDPOINT": glance.url, "HW_AUTH_TOKEN": "loopback-token", "HW_PROJECT_ID": PROJECT,
                  "HW_REGION_NAME": "cn-north-4"}
        env = base_env(hw_env, interpreter=binaries["python"], extra={
            "OS_CLIENT_CONFIG_FILE": str(clouds_yaml(glance.url)), "OS_CLOUD": "glance"})
        for number in range(LIST_COUNT):
            api.create("list-%04d" % number, min_disk=1)
        cycle_file.write_bytes(os.urandom(CYCLE_FILE_BYTES))
        adhoc = [str(binaries["ansible"]), "localhost", "-e", interpreter, "-m"]
        floor = [str(binaries["ansible"]), "localhost", "-e", interpreter, "-M", str(HERE / "modules"), "-m",
                 "list_floor", "-a", "url=%s project=%s" % (glance.url, PROJECT)]
        listing, listing_requests = run_listing(glance, {
            "hwcloud": adhoc + ["hwcloud.ims.ims_image_info"], "openstack": adhoc + ["openstack.cloud.image_info"],
            "floor": floor, "ping": adhoc + ["ansible.builtin.ping"]}, env)
        answer = server_time(api, REPEAT)
        playbook = [str(binaries["ansible-playbook"]), "-i", "localhost,", "-e", interpreter, "-e",
                    "bench_file=%s" % cycle_file]
        cycle, cycle_requests = run_cycle(glance, api, {
            kind: playbook + [str(data / ("cycle_%s.yml" % kind))] for kind in ("hwcloud", "openstack", "ping")},
            env)
    figures = {"listing": dict({kind: median(values) for kind, values in listing.items()}, glance_answer=answer),
               "cycle": {kind: median(values) for kind, values in cycle.items()}}
    results["peer"] = {"images": LIST_COUNT, "figures": figures, "listing_samples": listing,
                       "listing_requests": listing_requests, "cycle_samples": cycle, "cycle_requests": cycle_requests,
                       "quick": QUICK}
    listed, cycled = figures["listing"], figures["cycle"]
    table.add(SECTION, "baselines: `ansible -m ping` / a play of three ping tasks", "%s / %s" % (
        seconds(listed["ping"]), seconds(cycled["ping"])))
    explained = {"ping": listed["ping"], "answer": answer, "hwcloud": listed["hwcloud"], "peer": listed["openstack"],
                 "floor": listed["floor"], "floor_ratio": listed["floor"] / listed["openstack"],
                 "over_floor": listed["hwcloud"] - listed["floor"]}
    wall = ratio_row(table, "listing wall time: hwcloud.ims / openstack.cloud", listed["hwcloud"],
                     listed["openstack"], WALL_TARGET, "peer", **explained)
    cost = ratio_row(table, "listing cost over ping: hwcloud.ims / openstack.cloud",
                     listed["hwcloud"] - listed["ping"], listed["openstack"] - listed["ping"], COST_TARGET,
                     "peer", **explained)
    ratio_row(table, "  floor: a module that only sends that request (list_floor.py) / openstack.cloud",
              listed["floor"], listed["openstack"])
    table.add(SECTION, "  of which Glance's answer to the one request, timed alone", seconds(answer))
    table.add(SECTION, "listing requests: hwcloud.ims / openstack.cloud", "%s / %s" % (
        ",".join(map(str, listing_requests["hwcloud"])), ",".join(map(str, listing_requests["openstack"]))))
    ratio_row(table, "create-update-delete wall time: hwcloud.ims / openstack.cloud", cycled["hwcloud"],
              cycled["openstack"])
    ratio_row(table, "create-update-delete cost over pings: hwcloud.ims / openstack.cloud",
              cycled["hwcloud"] - cycled["ping"], cycled["openstack"] - cycled["ping"])
    table.add(SECTION, "create-update-delete requests: hwcloud.ims / openstack.cloud", "%s / %s" % tuple(
        ",".join(map(str, sorted({len(run) for run in cycle_requests[kind]}))) for kind in ("hwcloud", "openstack")))
    log("peer on Glance: listing %d images hwcloud.ims %.2f s, openstack.cloud %.2f s, ping %.2f s (%.2fx, cost %.2fx); "
        "cycle %.2f s, %.2f s, pings %.2f s" % (
            LIST_COUNT, listed["hwcloud"], listed["openstack"], listed["ping"], wall, cost, cycled["hwcloud"],
            cycled["openstack"], cycled["ping"]))
