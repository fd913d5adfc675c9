# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs one script of tests/support/hwsdk.py with the official SDK, in the SDK's own venv.

Reads its configuration as JSON on stdin (endpoint, AK/SK, project, region, CA bundle, the
script, and ``iam_endpoint`` when the SDK is to learn the project from IAM), builds the SDK's ``ImsClient`` and runs the script with ``client``, ``models``,
``as_dict`` and ``out``. Prints one JSON line: ``{"out": ...}``, ``{"error": ...}`` for an SDK
exception (its status, IMS error code and message, request id), or ``{"crash": ...}`` for
anything else. Imports nothing of the collection or of the tests.
"""

import json
import sys
import traceback


def as_dict(value):
    """An SDK answer (or a list of them) as plain JSON values."""
    if isinstance(value, list):
        return [as_dict(item) for item in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def main():
    config = json.load(sys.stdin)
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions import exceptions
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkims.v2 import ImsClient
    from huaweicloudsdkims.v2 import model as models

    http_config = HttpConfig.get_default_config()
    http_config.retry_times = 0
    if config.get("ca_bundle"):
        http_config.ssl_ca_cert = config["ca_bundle"]
    builder = ImsClient.new_builder().with_http_config(http_config)
    if config.get("iam_endpoint"):  # no project id: the SDK asks IAM for the region's (GET /v3/projects?name=)
        from huaweicloudsdkcore.region.region import Region
        credentials = BasicCredentials(config["access_key"], config["secret_key"]).with_iam_endpoint(
            config["iam_endpoint"])
        builder = builder.with_credentials(credentials).with_region(Region(config["region"], config["endpoint"]))
    else:
        credentials = BasicCredentials(config["access_key"], config["secret_key"], config["project_id"])
        builder = builder.with_credentials(credentials).with_endpoints([config["endpoint"]])
    client = builder.build()
    out = {}
    scope = {"client": client, "models": models, "as_dict": as_dict, "out": out}
    try:
        exec(compile(config["script"], "<sdk script>", "exec"), scope)  # pylint: disable=exec-used
    except exceptions.ServiceResponseException as exc:
        print(json.dumps({"error": {"status_code": exc.status_code, "error_code": exc.error_code,
                                    "error_msg": exc.error_msg, "request_id": exc.request_id}, "out": out}))
        return 0
    except Exception:  # pylint: disable=broad-except
        print(json.dumps({"crash": traceback.format_exc(), "out": out}, default=str))
        return 1
    print(json.dumps({"out": out}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
