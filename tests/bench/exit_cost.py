# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What ansible-core's exit_json() costs for a listing result, without the rest of a module.

    python exit_cost.py PAGE_SIZE NAME=VALUE...

Lists the images like floor_list.py (untimed), then, in this process, times what every
module's ``exit_json(images=...)`` does with them (ansible-core 2.19+): an AnsibleModule
with one ``no_log`` option set (as a module given a secret key is) and
``_return_formatted()``, which scrubs the no_log values from the whole result with
``remove_values()`` and writes it with the module JSON encoder (to /dev/null here).
Prints ``{"images": N, "remove_values_s": S, "exit_s": S}`` (medians of 3 runs): the share of the module's
wall time that no client-side change in the collection can remove.
"""

import contextlib
import json
import os
import statistics
import sys
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.testing import patch_module_args

# A sibling module: Python puts this script's folder first on sys.path.
from floor_list import list_images


def main():
    images = []
    list_images(sys.argv[1], [tuple(arg.split("=", 1)) for arg in sys.argv[2:]], keep=images)
    result = {"changed": False, "images": images}
    with patch_module_args({"secret_key": os.environ.get("HW_SECRET_KEY", "bench-secret")}):
        module = AnsibleModule(argument_spec={"secret_key": {"type": "str", "no_log": True}})
        remove_s, exit_s = [], []
        for _attempt in range(3):
            started = time.perf_counter()
            remove_values(result, module.no_log_values)
            remove_s.append(time.perf_counter() - started)
            with open(os.devnull, "w", encoding="utf-8") as devnull, contextlib.redirect_stdout(devnull):
                started = time.perf_counter()
                module._return_formatted(dict(result))  # pylint: disable=protected-access
                exit_s.append(time.perf_counter() - started)
    print(json.dumps({"images": len(images), "remove_values_s": statistics.median(remove_s),
                      "exit_s": statistics.median(exit_s)}))


if __name__ == "__main__":
    main()
