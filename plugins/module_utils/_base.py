# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of every module: connection options, the client, error mapping, results.

Private to this collection: the API may change without notice. A module declares
``argument_spec`` (its own options), optionally ``module_kwargs``, and writes ``run()``.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, _load_params, env_fallback, missing_required_lib

from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ImsApiError, ImsClient, ImsError
from ._connection import connection_problems


def connection_argument_spec():
    """The options of the ``hwcloud.ims.connection`` doc fragment."""
    def env(name):
        return (env_fallback, [name])
    return {
        "region": {"type": "str", "fallback": env("HW_REGION_NAME")},
        "project_id": {"type": "str", "fallback": env("HW_PROJECT_ID")},
        "access_key": {"type": "str", "no_log": False, "fallback": env("HW_ACCESS_KEY")},
        "secret_key": {"type": "str", "no_log": True, "fallback": env("HW_SECRET_KEY")},
        "security_token": {"type": "str", "no_log": True, "fallback": env("HW_SECURITY_TOKEN")},
        "auth_token": {"type": "str", "no_log": True, "fallback": env("HW_AUTH_TOKEN")},
        "user_name": {"type": "str", "fallback": env("HW_USER_NAME")},
        "password": {"type": "str", "no_log": True, "fallback": env("HW_USER_PASSWORD")},
        "domain_name": {"type": "str", "fallback": env("HW_DOMAIN_NAME")},
        "ims_endpoint": {"type": "str", "fallback": env("HW_IMS_ENDPOINT")},
        "iam_endpoint": {"type": "str", "fallback": env("HW_IAM_ENDPOINT")},
        "validate_certs": {"type": "bool", "default": True},
        "ca_bundle": {"type": "path", "fallback": env("HW_CA_BUNDLE")},
        "timeout": {"type": "float", "default": 30.0},
        "retries": {"type": "int", "default": 5},
    }


def check_text_types(raw, spec):
    """Messages for string options given a list or a dictionary.

    AnsibleModule turns any value of a ``str`` option into text, so ``name: [a]`` would
    become the name ``['a']``; ``raw`` is the module arguments as the controller sent them.
    """
    problems = []
    for option, value in sorted(raw.items()):
        option_spec = spec.get(option)
        if option_spec is None:
            continue
        if option_spec.get("type", "str") in ("str", "path") and isinstance(value, (list, dict)):
            problems.append("%s must be a string; got a %s" % (option, "list" if isinstance(value, list) else "dictionary"))
        elif (option_spec.get("type") == "list" and option_spec.get("elements") in ("str", "path")
              and isinstance(value, list) and any(isinstance(item, (list, dict)) for item in value)):
            problems.append("%s must be a list of strings; got an item that is a list or a dictionary" % option)
    return problems


class ImsModule:
    """Subclass, set ``argument_spec`` (and ``module_kwargs``), write ``run()``."""

    argument_spec = {}
    module_kwargs = {}

    def __init__(self):
        spec = connection_argument_spec()
        spec.update(self.argument_spec)
        kwargs = {"supports_check_mode": True}
        kwargs.update(self.module_kwargs)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self._spec = spec
        self.params = self.module.params
        self.result = {"changed": False}
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = ImsClient.from_options(self.params)
        return self._client

    def fail(self, msg, **kwargs):
        """Fail with ``msg``, keeping what the run already did (``changed``, ``operations``...)."""
        if self._client is not None:
            msg = self._client.redact(msg)
        result = dict(self.result)
        result.update(kwargs)
        self.module.fail_json(msg=msg, **result)

    def check_options(self):
        """Extra validation of the module's own options; return a list of messages."""
        return []

    def run(self):
        raise NotImplementedError

    def execute(self):
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        # The arguments as sent, read after AnsibleModule has loaded and checked them.
        problems = check_text_types(_load_params(), self._spec)
        problems += connection_problems(self.params) + self.check_options()
        if problems:
            self.fail("; ".join(problems))
        try:
            self.run()
        except ImsApiError as exc:
            self.fail(str(exc), status_code=exc.status, error_code=exc.code, request_id=exc.request_id)
        except ImsError as exc:
            self.fail(str(exc))
        finally:
            if self._client is not None:
                self._client.close()
        self.module.exit_json(**self.result)
