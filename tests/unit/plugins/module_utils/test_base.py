# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options of every module: the spec and the checks that name the option."""

from __future__ import annotations

import types

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule, connection_argument_spec
from ansible_collections.hwcloud.ims.plugins.module_utils._connection import connection_problems
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import ImsJobFailed, ImsJobTimeout
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, run_module

GOOD = {"region": "cn-north-4", "ims_endpoint": None, "iam_endpoint": None, "timeout": 30.0, "retries": 5,
        "access_key": "AK", "secret_key": "SK", "project_id": "0a4e7c1d2b3f4a5e9c8d7b6a5f4e3d2c"}


def test_every_secret_is_no_log_and_every_option_has_its_environment_variable():
    spec = connection_argument_spec()
    secrets = {name for name, option in spec.items() if option.get("no_log")}
    assert secrets == {"secret_key", "security_token", "auth_token", "password"}
    variables = {name: option["fallback"][1][0] for name, option in spec.items() if "fallback" in option}
    assert variables == {
        "region": "HW_REGION_NAME", "project_id": "HW_PROJECT_ID", "access_key": "HW_ACCESS_KEY",
        "secret_key": "HW_SECRET_KEY", "security_token": "HW_SECURITY_TOKEN", "auth_token": "HW_AUTH_TOKEN",
        "user_name": "HW_USER_NAME", "password": "HW_USER_PASSWORD", "domain_name": "HW_DOMAIN_NAME",
        "ims_endpoint": "HW_IMS_ENDPOINT", "iam_endpoint": "HW_IAM_ENDPOINT", "ca_bundle": "HW_CA_BUNDLE",
        "cloud": "HW_CLOUD",
    }
    assert spec["validate_certs"]["default"] is True
    assert spec["ca_bundle"]["type"] == "path"


@pytest.mark.parametrize("region", ["cn-north-4", "ap-southeast-1", "eu-west-101", "la-north-2", "ru-moscow-1"])
def test_region_names_accepted(region):
    assert connection_problems(dict(GOOD, region=region)) == []


@pytest.mark.parametrize("overrides, message", [
    ({"region": "CN-North-4"}, "region must be a Huawei Cloud region name such as cn-north-4"),
    ({"region": "beijing"}, "region must be a Huawei Cloud region name"),
    ({"ims_endpoint": "ims.example.com"}, "ims_endpoint must be an http:// or https:// URL"),
    ({"iam_endpoint": "https://iam.example.com/?x=1"}, "iam_endpoint must be an http:// or https:// URL"),
    ({"timeout": 0}, "timeout must be a number of seconds greater than 0; got 0"),
    ({"timeout": -1.5}, "timeout must be a number of seconds greater than 0; got -1.5"),
    ({"retries": -1}, "retries must be an integer from 0 to 20; got -1"),
    ({"retries": 21}, "retries must be an integer from 0 to 20; got 21"),
])
def test_bad_connection_options_are_named(overrides, message):
    problems = connection_problems(dict(GOOD, **overrides))
    assert len(problems) == 1 and problems[0].startswith(message)


def test_endpoints_accept_http_and_https_with_a_port():
    assert connection_problems(dict(GOOD, ims_endpoint="http://127.0.0.1:8080",
                                    iam_endpoint="https://iam.example.com/v3-proxy")) == []


# -- how a failed or unfinished IMS job fails the task ------------------------------------------------

JOB = {"id": "ff8080828f2a5e8a018f3c1e7d2b0042", "type": "imsCreateImageByInstance", "status": "FAIL",
       "progress": None, "image_id": None, "image_ids": [], "error_code": "IMG.0008",
       "fail_reason": "The ECS is not in the stopped state.", "begin_time": None, "end_time": None}


def module_raising(error):
    """A module whose run() raises ``error`` (after the options were checked)."""
    class Failing(ImsModule):
        def run(self):
            raise error
    return types.SimpleNamespace(__name__="failing", main=lambda: Failing().execute())


def test_a_failed_job_fails_the_task_with_ims_code_reason_and_the_job():
    result = run_module(module_raising(ImsJobFailed(JOB)), CONNECTION)
    assert result["failed"] is True
    assert result["msg"] == ("IMS job %s (imsCreateImageByInstance) failed: IMG.0008: The ECS is not in the "
                             "stopped state." % JOB["id"])
    assert result["error_code"] == "IMG.0008" and result["fail_reason"] == JOB["fail_reason"]
    assert result["job"] == JOB


def test_a_job_still_running_fails_the_task_with_the_job_as_last_seen():
    running = dict(JOB, status="RUNNING", progress=55.0, image_id="4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86",
                   error_code=None, fail_reason=None)
    result = run_module(module_raising(ImsJobTimeout(JOB["id"], 1200, running)), CONNECTION)
    assert result["failed"] is True and result["job"] == running
    assert "is still RUNNING, progress 55% after wait_timeout (1200 s)" in result["msg"]
    assert "picks up where it left off" in result["msg"] and "error_code" not in result
