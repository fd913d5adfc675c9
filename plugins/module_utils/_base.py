# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of every module: connection options, the client, error mapping, results.

Private to this collection: the API may change without notice. A module declares
``argument_spec`` (its own options), optionally ``module_kwargs``, and writes ``run()``, or
sets ``run_class`` to a :class:`TaskRun` that checks the options and runs the task.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, _load_params, env_fallback, missing_required_lib

from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ImsApiError, ImsClient, ImsError
from ._errors import ImsJobFailed, ImsJobTimeout
from ._connection import ENV_NAMES, connection_problems


def connection_argument_spec():
    """The options of the ``hwcloud.ims.connection`` doc fragment."""
    def env(option):
        return (env_fallback, [ENV_NAMES[option]])
    return {
        "region": {"type": "str", "fallback": env("region")},
        "project_id": {"type": "str", "fallback": env("project_id")},
        "access_key": {"type": "str", "no_log": False, "fallback": env("access_key")},
        "secret_key": {"type": "str", "no_log": True, "fallback": env("secret_key")},
        "security_token": {"type": "str", "no_log": True, "fallback": env("security_token")},
        "auth_token": {"type": "str", "no_log": True, "fallback": env("auth_token")},
        "user_name": {"type": "str", "fallback": env("user_name")},
        "password": {"type": "str", "no_log": True, "fallback": env("password")},
        "domain_name": {"type": "str", "fallback": env("domain_name")},
        "ims_endpoint": {"type": "str", "fallback": env("ims_endpoint")},
        "iam_endpoint": {"type": "str", "fallback": env("iam_endpoint")},
        "cloud": {"type": "str", "fallback": env("cloud")},
        "validate_certs": {"type": "bool", "default": True},
        "ca_bundle": {"type": "path", "fallback": env("ca_bundle")},
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


class TaskRun:
    """One run of a task, kept apart from its module; ``module`` is the :class:`ImsModule` running it.

    A subclass writes ``problems()`` (the checks of the options, before any request) and ``run()``.
    """

    def __init__(self, module):
        self.owner = module
        self.module = module.module
        self.params = module.params
        self.result = module.result

    @property
    def client(self):
        """The module's client (built on first use)."""
        return self.owner.client

    def problems(self):
        """Extra validation of the module's own options; a list of messages."""
        return []

    def run(self):
        raise NotImplementedError


class ImsModule:
    """Subclass, set ``argument_spec`` (and ``module_kwargs``), write ``run()`` or set ``run_class``.

    With ``run_class`` (a :class:`TaskRun`), ``self.task`` is one, built with the module, and
    ``check_options()`` and ``run()`` are its ``problems()`` and ``run()``.
    """

    argument_spec = {}
    module_kwargs = {}
    run_class = None

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
        # The names of the options the task set (not from a HW_* variable): what a 401 says of the credentials.
        self._given = None
        self.task = None if self.run_class is None else self.run_class(self)

    @property
    def client(self):
        if self._client is None:
            self._client = ImsClient.from_options(self.params, given=self._given)
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
        return [] if self.task is None else self.task.problems()

    def run(self):
        if self.task is None:
            raise NotImplementedError
        self.task.run()

    def execute(self):
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        # The arguments as sent, read after AnsibleModule has loaded and checked them.
        raw = _load_params()
        self._given = frozenset(name for name, value in raw.items() if value is not None)
        problems = check_text_types(raw, self._spec)
        problems += connection_problems(self.params) + self.check_options()
        if problems:
            self.fail("; ".join(problems))
        try:
            self.run()
        except ImsApiError as exc:
            self.fail(str(exc), status_code=exc.status, error_code=exc.code, request_id=exc.request_id)
        except ImsJobFailed as exc:
            self.fail(str(exc), error_code=exc.error_code, fail_reason=exc.fail_reason, job=exc.job)
        except ImsJobTimeout as exc:
            self.fail(str(exc), job=exc.job)
        except ImsError as exc:
            self.fail(str(exc))
        finally:
            if self._client is not None:
                self._client.close()
        self.module.exit_json(**self.result)
