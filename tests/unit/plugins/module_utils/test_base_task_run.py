# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ImsModule.run_class: a module whose TaskRun checks its options and runs it; a module without one."""

from __future__ import annotations

import types

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule, TaskRun
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, run_module


def as_module(cls):
    return types.SimpleNamespace(__name__=cls.__name__, main=lambda: cls().execute())


class Recorder(TaskRun):
    """A run that says what it was given and what was called, in the result."""

    problems_found = []

    def problems(self):
        self.result["calls"] = ["problems"]
        return list(self.problems_found)

    def run(self):
        self.result["calls"].append("run")
        self.result.update(same_owner=self.owner.task is self, same_params=self.params is self.owner.params,
                           has_module=self.module is self.owner.module, name=self.params["name"])
        self.result["changed"] = True


class WithRun(ImsModule):
    run_class = Recorder
    argument_spec = {"name": {"type": "str", "required": True}}


class Refusing(Recorder):
    problems_found = ["name must not be bad", "and another"]


class WithRefusingRun(ImsModule):
    run_class = Refusing
    argument_spec = {"name": {"type": "str", "required": True}}


class WithoutRun(ImsModule):
    argument_spec = {"name": {"type": "str", "required": True}}


def test_a_module_with_run_class_checks_its_options_then_runs_its_task():
    result = run_module(as_module(WithRun), dict(CONNECTION, name="web"))
    assert result.get("failed") is not True
    assert result["calls"] == ["problems", "run"]
    assert result["same_owner"] is True and result["same_params"] is True and result["has_module"] is True
    assert result["name"] == "web" and result["changed"] is True


def test_the_problems_of_its_task_fail_the_module_before_the_run():
    result = run_module(as_module(WithRefusingRun), dict(CONNECTION, name="web"))
    assert result["failed"] is True
    assert result["msg"] == "name must not be bad; and another"
    assert result["calls"] == ["problems"]


def test_the_client_of_a_task_is_its_module_client():
    class Client(TaskRun):
        def run(self):
            self.result["same_client"] = self.client is self.owner.client

    class WithClient(ImsModule):
        run_class = Client

    result = run_module(as_module(WithClient), CONNECTION)
    assert result["same_client"] is True and result["changed"] is False


def test_a_module_without_run_class_has_no_task_no_extra_checks_and_no_run():
    class Probe(WithoutRun):
        def check_options(self):
            assert self.task is None
            assert ImsModule.check_options(self) == []
            return []

    with pytest.raises(NotImplementedError):
        run_module(as_module(Probe), dict(CONNECTION, name="web"))


def test_a_bare_task_run_checks_nothing_and_has_no_run():
    run = TaskRun(types.SimpleNamespace(module="module", params={}, result={}))
    assert run.problems() == []
    with pytest.raises(NotImplementedError):
        run.run()
