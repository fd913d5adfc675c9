# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The floor of row 5 of the benchmark (tests/bench/peer.py): the least an Ansible module can do
to list Glance's images. One request with the standard library (the one hwcloud.ims sends),
then ``exit_json(images=...)``: no library to import, no checks, no retries. Run as
``ansible localhost -M tests/bench/modules -m list_floor -a "url=... project=..."``; what it
costs over ``ansible -m ping`` is what any module pays to bring these images to the controller."""

from __future__ import annotations

import json
import urllib.request

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={"url": {"type": "str", "required": True},
                                          "project": {"type": "str", "required": True}})
    request = urllib.request.Request(module.params["url"] + "/v2/images?limit=1000&sort_key=created_at&sort_dir=desc",
                                     headers={"X-Project-Id": module.params["project"], "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        images = json.loads(answer.read())["images"]
    module.exit_json(changed=False, images=images)


if __name__ == "__main__":
    main()
