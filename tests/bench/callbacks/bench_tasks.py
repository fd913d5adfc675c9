# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A callback of the benchmark (row 7, tests/bench/copies.py): when each task and each loop item ended.

Enabled only by the benchmark (ANSIBLE_CALLBACK_PLUGINS, ANSIBLE_CALLBACKS_ENABLED=bench_tasks); writes
``[{"event": "task"|"item"|"end", "task", "item", "status", "at"}]`` (``at``: Unix time) to the file
BENCH_TASK_LOG names at the end of the playbook. It prints nothing.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_tasks
type: aggregate
short_description: When each task and loop item ended (the benchmark's, tests/bench/copies.py)
description:
  - Writes the times to the file the BENCH_TASK_LOG environment variable names.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_tasks"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.events = []
        self.task = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.task = task.get_name()
        self.events.append({"event": "task", "task": self.task, "at": time.time()})

    def _item(self, result, status):
        item = result._result.get("item")  # pylint: disable=protected-access
        if isinstance(item, dict):
            item = item.get("item")
        self.events.append({"event": "item", "task": self.task, "item": item, "status": status, "at": time.time()})

    def v2_runner_item_on_ok(self, result):
        self._item(result, "ok")

    def v2_runner_item_on_skipped(self, result):
        self._item(result, "skipped")

    def v2_runner_item_on_failed(self, result):
        self._item(result, "failed")

    def v2_playbook_on_stats(self, stats):
        self.events.append({"event": "end", "at": time.time()})
        path = os.environ.get("BENCH_TASK_LOG")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self.events, handle)
