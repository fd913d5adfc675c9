# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The hwcloud.ims.image lookup run through ansible and ansible-playbook against the emulator."""

from __future__ import annotations

import json
import re

LOOKUP_UBUNTU = "lookup('hwcloud.ims.image', platform='Ubuntu', visibility='public', imagetype='gold', most_recent=true)"


def seed(emu):
    ids = emu.seed(images=[
        {"name": "web-1", "age_days": 30}, {"name": "web-2", "age_days": 10}, {"name": "db-1", "age_days": 5},
        {"name": "Ubuntu 22.04", "imagetype": "gold", "age_days": 20, "properties": {"__platform": "Ubuntu"}},
        {"name": "Ubuntu 24.04", "imagetype": "gold", "age_days": 3, "properties": {"__platform": "Ubuntu"}},
        {"name": "CentOS 7", "imagetype": "gold", "age_days": 1, "properties": {"__platform": "CentOS"}},
    ])
    emu.reset_stats()
    return dict(zip(["web-1", "web-2", "db-1", "Ubuntu 22.04", "Ubuntu 24.04", "CentOS 7"], ids))


def listings(emu):
    return [entry for entry in emu.stats()["log"] if entry["path"].endswith("/v2/images")]


def test_the_newest_ubuntu_image_ad_hoc_is_one_request(emu, ansible):
    ids = seed(emu)
    ran = ansible.adhoc("ansible.builtin.debug", "msg={{ %s }}" % LOOKUP_UBUNTU, emu.env())
    assert ran.rc == 0, ran
    assert ran.result()["msg"] == ids["Ubuntu 24.04"]
    assert emu.stats()["total"] == 1
    query = listings(emu)[0]["query"]
    assert "limit=1" in query and "sort_key=created_at" in query and "sort_dir=desc" in query


def test_a_playbook_of_lookups_and_no_secret_at_vvvv(emu, ansible):
    ids = seed(emu)
    env = emu.env()
    ran = ansible.run_playbook("image_lookup.yml", env, options=["-vvvv"], extra_env={"ANSIBLE_DEBUG": "1"})
    assert ran.rc == 0, ran
    result = json.loads(re.search(r"RESULT (\{.*\})", ran.stdout.replace('\\"', '"')).group(1))
    assert result["newest_web"] == ids["web-2"]
    assert result["by_name"] == [ids["web-1"], ids["db-1"]]
    assert result["ubuntu"] == "Ubuntu 24.04"
    assert "several images match" in result["several"] and "most_recent: true" in result["several"]
    # newest_web 1, by_name 2, ubuntu 1, several 1: one listing each (the regex ones read one page).
    assert len(listings(emu)) == 5
    for text in (ran.stdout, ran.stderr):
        assert env["HW_SECRET_KEY"] not in text


def test_no_match_and_bad_input_fail_clearly_without_a_traceback(emu, ansible):
    seed(emu)
    ran = ansible.adhoc("ansible.builtin.debug", "msg={{ lookup('hwcloud.ims.image', name='nope') }}", emu.env(),
                        options=["-vvv"])
    assert ran.rc != 0
    assert "no image matches the selection: name=nope" in ran.stdout + ran.stderr
    ran = ansible.adhoc("ansible.builtin.debug", "msg={{ lookup('hwcloud.ims.image', status='up') }}", emu.env())
    assert ran.rc != 0
    output = ran.stdout + ran.stderr
    assert "value of status must be one of: queued, saving, active, killed, deleted, got: up" in output
    assert "Traceback" not in output
    assert emu.stats()["total"] == 1
