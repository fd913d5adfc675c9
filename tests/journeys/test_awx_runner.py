# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The publish and cleanup playbooks run as AWX runs them, through ansible-runner.

The AWX project is docs/examples/awx-project, the credential type docs/awx/credential-type.json;
tests/support/awx.py does what AWX does around a job (the private data dir, the credential's
injectors, the inventory script and its slices, ``ansible-runner transmit | worker | process``,
the artifacts). The workflow of docs/awx.md: a publication job, then the cleanup job template
sliced in four, the slices at once; each slice runs the hosts AWX gives it, each target is
cleaned once, and the slices' artifacts add up to what was deleted. No secret reaches what AWX
stores of a job (its events and stdout).
"""

from __future__ import annotations

import json
import pathlib

from support.awx import Inventory, Job, inject_credential, slice_count
from support.fixtures import emulator_fixtures
from support.populations import EXPECTED_CANDIDATES, OTHER, STALE, seed_mixed

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROJECT = ROOT / "docs" / "examples" / "awx-project"
CREDENTIAL_TYPE = json.loads((ROOT / "docs" / "awx" / "credential-type.json").read_text())["credential_types"][0]
BAKE = "cn-north-4"
COPY_REGIONS = ("cn-east-3", "ap-southeast-1")
SLICES = 4

tls_emulator, temu = emulator_fixtures("tls_emulator", "temu", scope="module", tls=True)


def credential(emu, **inputs):
    """The shipped credential type with the first account's AK/SK and the emulator's endpoints (an
    ``{region}`` IMS endpoint for every region); no default region or project, as docs/awx.md says."""
    account = emu.default_account
    values = dict(access_key=account["access_key"], secret_key=account["secret_key"],
                  ims_endpoint=emu.endpoint_template(), iam_endpoint=emu.base_url)
    values.update(inputs)
    return CREDENTIAL_TYPE, values


def cleanup_inventory(emu):
    """One host per region (the account's project there), one group per region with its name."""
    hosts, groups = {}, {}
    for region in emu.regions()["regions"]:
        host = "%s-web" % region
        hosts[host] = {"image_cleanup_project_id": emu.project_id(region)}
        groups[region.replace("-", "_")] = {"hosts": [host], "vars": {"image_cleanup_region": region}}
    return Inventory("IMS cleanup targets", hosts, groups)


def publish_variables(server_id):
    return {
        "image_publish_region": BAKE,
        "image_publish_family": "golden",
        "image_publish_version": "20261130",
        "image_publish_source": {"instance_id": server_id},
        "image_publish_regions": [{"region": region, "agency_name": "ims_admin_agency"} for region in COPY_REGIONS],
        "image_publish_share_projects": {BAKE: [OTHER], COPY_REGIONS[0]: [OTHER]},
        "image_publish_keep_newest": 2,
    }


def event_times(result):
    created = [event["created"] for event in result.events if event.get("created")]
    return min(created), max(created)


def assert_no_secret(result, *secrets):
    stored = result.stored()
    for secret in secrets:
        assert secret not in stored, (result.job.name, secret)


def test_the_golden_image_workflow_then_the_sliced_cleanup_as_awx_runs_them(emu, tmp_path):
    secret = emu.default_account["secret_key"]
    emu.configure_jobs(1)
    server = emu.seed_resources(servers=[{"name": "golden-builder"}])["servers"][0]
    older = emu.seed(images=[{"name": "golden-20250101", "age_days": 60}, {"name": "golden-20250201", "age_days": 30}])
    inventory = cleanup_inventory(emu)
    seeded = {}
    for region in inventory.hosts:
        region = region[:-len("-web")]
        seeded[region] = seed_mixed(emu.region(region), project=emu.project_id(region))

    # Node 1: "Publish golden image" (inventory: localhost), scheduled.
    publish = Job(tmp_path, "Publish golden image", PROJECT, "publish.yml",
                  Inventory("localhost", {"localhost": {"ansible_connection": "local"}}),
                  credentials=[credential(emu)], extra_vars=publish_variables(server), launch_type="scheduled").run()
    assert publish.status == "successful" and publish.rc == 0, publish
    artifacts = publish.artifacts
    assert artifacts["image_publish_image_name"] == "golden-20261130", artifacts
    assert sorted(artifacts["image_publish_image_ids"]) == sorted((BAKE,) + COPY_REGIONS), artifacts
    assert (artifacts["image_publish_copied"], artifacts["image_publish_shared"], artifacts["image_publish_retired"],
            artifacts["image_publish_failed"]) == (2, 2, 1, 0), artifacts
    assert artifacts["image_publish_by_region"][BAKE]["publish"] == "baked", artifacts
    for region, image_id in artifacts["image_publish_image_ids"].items():
        assert [image["status"] for image in emu.region(region).images() if image["id"] == image_id] == ["active"]
        members = [member["member_id"] for member in emu.region(region).members().get(image_id, [])]
        assert members == ([] if region == COPY_REGIONS[1] else [OTHER]), (region, members)
    assert older[0] not in [image["id"] for image in emu.images()] and older[1] in [image["id"] for image in emu.images()]
    assert_no_secret(publish, secret)

    # The same job again (a relaunch): nothing changes.
    again = Job(tmp_path, "Publish golden image", PROJECT, "publish.yml",
                Inventory("localhost", {"localhost": {"ansible_connection": "local"}}),
                credentials=[credential(emu)], extra_vars=publish_variables(server), launch_type="relaunch").run()
    assert again.status == "successful" and again.stats()["changed"] == {}, again
    assert again.artifacts["image_publish_image_ids"] == artifacts["image_publish_image_ids"]

    # Node 2, on success: "IMS image cleanup", job slicing 4: four jobs at once.
    count = slice_count(SLICES, inventory)
    assert count == SLICES
    emu.reset_stats()
    variables = dict(STALE, image_cleanup_dry_run=False)
    jobs = [Job(tmp_path, "IMS image cleanup", PROJECT, "cleanup.yml", inventory, credentials=[credential(emu)],
                extra_vars=variables, forks=5, slice_number=number, slice_count=count, launch_type="workflow").start()
            for number in range(1, count + 1)]
    slices = [job.wait() for job in jobs]
    hosts = inventory.enabled_hosts()
    for number, result in enumerate(slices, 1):
        assert result.status == "successful", result
        # AWX's slice: the hosts ordered by name, every count-th from the slice's number.
        assert result.hosts() == hosts[number - 1::count], (number, result.hosts())
        assert_no_secret(result, secret)
    windows = [event_times(result) for result in slices]
    assert max(start for start, _end in windows) < min(end for _start, end in windows), windows  # all ran at once

    # Every target cleaned once; the slices' artifacts add up to the whole.
    deleted = [entry for entry in emu.stats()["log"] if entry["method"] == "DELETE"]
    assert len(deleted) == len(set(entry["path"] for entry in deleted)) == len(hosts) * len(EXPECTED_CANDIDATES)
    targets = {}
    for result in slices:
        overlap = set(targets) & set(result.artifacts["image_cleanup_targets"])
        assert not overlap, overlap
        targets.update(result.artifacts["image_cleanup_targets"])
        assert result.artifacts["image_cleanup_deleted"] == sum(
            target["deleted"] for target in result.artifacts["image_cleanup_targets"].values())
    assert sorted(targets) == sorted("%s/%s" % (region, emu.project_id(region)) for region in seeded)
    assert all(target["status"] == "cleaned" and target["deleted"] == len(EXPECTED_CANDIDATES) for target in targets.values())
    assert sum(result.artifacts["image_cleanup_deleted"] for result in slices) == len(deleted)
    assert sum(result.artifacts["image_cleanup_failed"] for result in slices) == 0
    remaining = {image["id"] for region in seeded for image in emu.region(region).images()}
    for region, ids in seeded.items():
        assert {ids[name] for name in EXPECTED_CANDIDATES}.isdisjoint(remaining), region
    assert set(artifacts["image_publish_image_ids"].values()) <= remaining


def test_the_credential_file_and_extra_vars_injectors_reach_the_job(temu, tmp_path):
    """The CA bundle input (a file injector) through a TLS emulator, and credentials given to the role
    as extra vars by a second credential type (an extra_vars injector), in one check-mode job."""
    account = temu.default_account
    project = temu.project_id(BAKE)
    temu.region(BAKE).seed(images=[{"name": "killed-upload", "owner": project, "status": "killed", "age_days": 2}])
    role_keys = {"name": "IMS role keys", "kind": "cloud",
                 "inputs": {"fields": [{"id": "access_key", "label": "AK"},
                                       {"id": "secret_key", "label": "SK", "secret": True}]},
                 "injectors": {"extra_vars": {"image_cleanup_access_key": "{{ access_key }}",
                                              "image_cleanup_secret_key": "{{ secret_key }}"}}}
    pem = pathlib.Path(temu.ca_bundle).read_text()
    endpoints = (CREDENTIAL_TYPE, {"ca_bundle": pem, "ims_endpoint": temu.endpoint_template(), "iam_endpoint": temu.base_url})
    keys = (role_keys, {"access_key": account["access_key"], "secret_key": account["secret_key"]})
    inventory = Inventory("one target", {"target": {"image_cleanup_project_id": project, "image_cleanup_region": BAKE}})
    job = Job(tmp_path, "IMS image cleanup", PROJECT, "cleanup.yml", inventory, credentials=[endpoints, keys],
              extra_vars={"image_cleanup_dry_run": True}, job_type="check")
    assert pathlib.Path(job.envvars["HW_CA_BUNDLE"]).parent == job.node_dir / "env"
    cmdline = (job.private_data_dir / "env" / "cmdline").read_text()
    assert cmdline.startswith("--check") and " -e @%s/env/" % job.node_dir in cmdline, cmdline
    result = job.run()
    assert result.status == "successful", result
    target = result.artifacts["image_cleanup_targets"]["%s/%s" % (BAKE, project)]
    assert (target["status"], target["candidates"], target["deleted"]) == ("planned", 1, 0), target
    assert [image["name"] for image in temu.region(BAKE).images() if image["owner"] == project] == ["killed-upload"]
    assert_no_secret(result, account["secret_key"])


def test_the_injectors_are_rendered_as_awx_renders_them(tmp_path):
    fields = [{"id": "token", "label": "T", "secret": True}, {"id": "verbose", "label": "V", "type": "boolean"}]
    ctype = {"inputs": {"fields": fields},
             "injectors": {"env": {"TOKEN_FILE": "{{ tower.filename.token }}", "UNSET": "{{ missing }}"},
                           "file": {"template.token": "[auth]\n{{ token }}"},
                           "extra_vars": {"settings": {"verbose": "{{ verbose }}", "list": ["{{ token }}", "x"]}}}}
    env, args = inject_credential(ctype, {"token": "s3cr3t"}, tmp_path, node_dir="/runner")
    token_file = tmp_path / pathlib.Path(env["TOKEN_FILE"]).relative_to("/runner")
    assert env["TOKEN_FILE"].startswith("/runner/env/") and token_file.read_text() == "[auth]\ns3cr3t"
    assert oct(token_file.stat().st_mode & 0o777) == "0o600" and env["UNSET"] == ""
    assert args[0] == "-e" and args[1].startswith("@/runner/env/")
    extra = tmp_path / args[1][len("@/runner/"):]
    assert json.loads(extra.read_text()) == {"settings": {"verbose": "False", "list": ["s3cr3t", "x"]}}
    assert oct(extra.stat().st_mode & 0o777) == "0o400"


def test_awx_slices_an_inventory_by_host_name(tmp_path):
    del tmp_path
    inventory = Inventory("i", {name: {"n": name} for name in ("c", "a", "e", "b", "d")},
                          groups={"g": {"hosts": ["a", "b", "e"], "vars": {"v": 1}}, "empty": {}},
                          variables={"all_var": True}, disabled=["d"])
    assert slice_count(10, inventory) == 4
    second = inventory.script_data(2, 3)
    assert second["g"] == {"hosts": ["b"], "vars": {"v": 1}} and second["all"]["hosts"] == []
    assert second["all"]["children"] == ["g", "empty"] and second["all"]["vars"] == {"all_var": True}
    assert second["_meta"]["hostvars"] == {"b": {"n": "b", "remote_tower_enabled": "true"}}
    assert inventory.script_data(1, 3)["g"]["hosts"] == ["a", "e"]
    third = inventory.script_data(3, 3)
    assert third["g"] == {"vars": {"v": 1}} and third["all"]["hosts"] == ["c"] and list(third["_meta"]["hostvars"]) == ["c"]
    assert sorted(inventory.script_data()["_meta"]["hostvars"]) == ["a", "b", "c", "e"]
