# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWX credential type users import, docs/awx/credential-type.json.

The file is in the format of ``awx import`` (awxkit's ``ApiV2.import_assets``: resources keyed
by their endpoint name, each asset with its POST fields and a ``natural_key``). The checks:
AWX would accept the inputs and injectors (the JSON schemas and template checks of AWX's
``CredentialTypeInputField`` and ``CredentialTypeInjectorField``); every injected variable is
one the modules read (derived from ``connection_argument_spec``'s environment fallbacks) and is
fed by the input named like the module option that reads it; the inputs of ``no_log`` options
are secret. Then the injectors are rendered as AWX renders them for a job
(``CredentialType.inject_credential``) and ``ansible localhost -m hwcloud.ims.ims_image_info``
runs against the emulator with that environment only, without credential arguments.
"""

from __future__ import annotations

import atexit
import copy
import json
import pathlib
import re
import shutil
import stat
import tempfile

import jinja2
import pytest

from jinja2 import meta, sandbox

from ansible.module_utils.basic import env_fallback
from ansible_collections.hwcloud.ims.plugins.module_utils._base import connection_argument_spec

from harness import DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_USER
from support.awx import inject_credential

ROOT = pathlib.Path(__file__).resolve().parents[2]
CREDENTIAL_TYPE_FILE = ROOT / "docs" / "awx" / "credential-type.json"
AWX_GUIDE = ROOT / "docs" / "awx.md"
MODULE = "hwcloud.ims.ims_image_info"

# Resources `awx import` reads (awxkit.api.pages.api.EXPORTABLE_RESOURCES, awxkit 24.6.1).
AWX_IMPORTABLE = {"users", "organizations", "teams", "credential_types", "credentials", "notification_templates",
                  "projects", "inventory", "inventory_sources", "job_templates", "workflow_job_templates",
                  "execution_environments", "applications", "schedules"}
# The kinds AWX lets users create (the others are managed by AWX itself).
CUSTOM_KINDS = {"cloud", "net"}

# What AWX accepts (awx/main/fields.py: the JSON schemas of CredentialTypeInputField and
# CredentialTypeInjectorField), checked by _awx_schema_problems.
_NAME = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
_FIELD_KEYS = {"id", "label", "type", "format", "choices", "help_text", "multiline", "secret", "ask_at_runtime",
               "default"}
_FIELD_TYPES = {"string", "boolean"}
_FIELD_FORMATS = {"ssh_private_key", "url"}
_FILE_TEMPLATE = re.compile(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$")


def _awx_schema_problems(inputs, injectors):
    problems = []
    if not isinstance(inputs, dict) or set(inputs) - {"fields", "required"}:
        return ["inputs: an object with fields and required only"]
    if not isinstance(inputs.get("required", []), list) or not all(
            isinstance(name, str) for name in inputs.get("required", [])):
        problems.append("inputs: required must be a list of strings")
    for index, field in enumerate(inputs.get("fields", [])):
        where = "inputs: field %d" % index
        if not isinstance(field, dict):
            problems.append("%s: not an object" % where)
            continue
        problems += ["%s: unknown key %r" % (where, key) for key in sorted(set(field) - _FIELD_KEYS)]
        problems += ["%s: %s is required" % (where, key) for key in ("id", "label") if key not in field]
        if not _NAME.match(str(field.get("id", ""))):
            problems.append("%s: %r is an invalid variable name" % (where, field.get("id")))
        if field.get("type", "string") not in _FIELD_TYPES:
            problems.append("%s: type must be string or boolean" % where)
        if "format" in field and field["format"] not in _FIELD_FORMATS:
            problems.append("%s: format must be one of %s" % (where, sorted(_FIELD_FORMATS)))
        problems += ["%s: %s must be a string" % (where, key)
                     for key in ("label", "help_text") if key in field and not isinstance(field[key], str)]
        problems += ["%s: %s must be true or false" % (where, key)
                     for key in ("multiline", "secret", "ask_at_runtime")
                     if key in field and not isinstance(field[key], bool)]
        choices = field.get("choices", ["-"])
        if not (isinstance(choices, list) and choices and len(set(choices)) == len(choices)
                and all(isinstance(choice, str) for choice in choices)):
            problems.append("%s: choices must be a non-empty list of distinct strings" % where)
        if field.get("type") == "boolean":
            problems += ["%s: %s not allowed for a boolean" % (where, key)
                         for key in ("choices", "multiline", "format", "secret") if key in field]
    if not isinstance(injectors, dict) or set(injectors) - {"file", "env", "extra_vars"}:
        return problems + ["injectors: an object with file, env and extra_vars only"]
    for kind, names in (("env", _NAME), ("extra_vars", _NAME), ("file", _FILE_TEMPLATE)):
        for key, value in injectors.get(kind, {}).items():
            if not names.match(key):
                problems.append("injectors: %s: invalid name %r" % (kind, key))
            if not isinstance(value, str) or (kind == "env" and not value.isascii()):
                problems.append("injectors: %s: %s must be an (ASCII) string" % (kind, key))
    return problems


# Module options with an environment fallback that the credential type leaves out on purpose.
NOT_IN_CREDENTIAL = {
    # A ready IAM token expires within 24 hours: nothing to store in a credential for a schedule.
    "HW_AUTH_TOKEN",
}


def module_environment():
    """{environment variable: module option} for every variable the modules read."""
    names = {}
    for option, spec in connection_argument_spec().items():
        fallback = spec.get("fallback")
        if fallback and fallback[0] is env_fallback:
            for name in fallback[1]:
                names[name] = option
    return names


def load():
    with open(CREDENTIAL_TYPE_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def the_credential_type(document):
    return document["credential_types"][0]


def problems_of(ctype):
    """What AWX or the modules would object to in one credential type; [] when it is right."""
    problems = _awx_schema_problems(ctype.get("inputs"), ctype.get("injectors"))
    if problems:
        return problems
    if ctype.get("kind") not in CUSTOM_KINDS:
        problems.append("kind must be one of %s, not %r" % (sorted(CUSTOM_KINDS), ctype.get("kind")))
    if ctype.get("natural_key") != {"name": ctype.get("name"), "kind": ctype.get("kind"), "type": "credential_type"}:
        problems.append("natural_key must repeat the name and kind, with type credential_type")

    fields = {}
    for field in ctype["inputs"].get("fields", []):
        if field["id"] in fields or field["id"] == "tower":
            problems.append("input %r: duplicate or reserved id" % field["id"])
        fields[field["id"]] = field
    problems += ["required input %r is not a field" % name
                 for name in ctype["inputs"].get("required", []) if name not in fields]

    spec = connection_argument_spec()
    readable = module_environment()
    injected_fields = set()
    for kind in set(ctype["injectors"]) - {"env", "file"}:
        problems.append("injectors: only env and file are expected, not %s" % kind)
    # AWX's validation: render with every input defined, the files' names in tower.filename,
    # and undefined names fatal.
    example = {name: "EXAMPLE" for name in fields}
    example["tower"] = {"filename": {label: "/runner/env/EXAMPLE" for label in _file_labels(ctype)}}
    strict = sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    file_inputs = {}
    for label, template in ctype["injectors"].get("file", {}).items():
        if label == "template":
            problems.append("injectors: file: name the file template.NAME, so that HW_* variables can name it")
        try:
            strict.from_string(template).render(example)
        except jinja2.TemplateError as exc:
            problems.append("file %s: %s uses an undefined input (%s)" % (label, template, exc))
            continue
        file_inputs[label.partition(".")[2]] = meta.find_undeclared_variables(jinja2.Environment().parse(template))
    for variable, template in ctype["injectors"].get("env", {}).items():
        if variable.startswith("ANSIBLE_"):
            problems.append("%s: AWX refuses ANSIBLE_* variables" % variable)
        missing = [label for label in _TOWER_FILENAME.findall(template) if label not in file_inputs]
        if missing:
            problems += ["%s: names the file %r, which no file injector writes" % (variable, label) for label in missing]
            continue
        try:
            strict.from_string(template).render(example)
        except jinja2.TemplateError as exc:
            problems.append("%s: %s uses an undefined input (%s)" % (variable, template, exc))
            continue
        used = meta.find_undeclared_variables(jinja2.Environment().parse(template))
        # A variable that names a file carries the inputs written into that file.
        for label in _TOWER_FILENAME.findall(template):
            used = (used - {"tower"}) | file_inputs[label]
        injected_fields |= used
        option = readable.get(variable)
        if option is None:
            problems.append("%s: no module option reads this variable (they read %s)"
                            % (variable, ", ".join(sorted(readable))))
            continue
        if used != {option}:
            problems.append("%s: must carry the input %r (the option that reads it), not %s"
                            % (variable, option, sorted(used)))
        if spec[option].get("type") == "path" and not _TOWER_FILENAME.search(template):
            problems.append("%s: %s reads a file: write the input with a file injector and name it with "
                            "tower.filename.LABEL" % (variable, option))
        if spec[option].get("no_log") and not all(fields[name].get("secret") for name in used):
            problems.append("%s: the input of %s (no_log) must be secret" % (variable, option))
    problems += ["input %r is injected nowhere" % name for name in fields if name not in injected_fields]
    # AWX writes every file even when its input is empty: a variable must then be empty too,
    # or the module would read an empty file (as it would read any other unset input).
    if not problems:
        with tempfile.TemporaryDirectory() as private_data_dir:
            for variable, value in render_env(ctype, {}, private_data_dir).items():
                if value:
                    problems.append("%s: not empty (%r) when its input is empty" % (variable, value))
    return problems


_TOWER_FILENAME = re.compile(r"\btower\.filename\.([a-zA-Z_][a-zA-Z0-9_]*)")


def _file_labels(ctype):
    return [label.partition(".")[2] for label in ctype["injectors"].get("file", {})]


def render_env(ctype, inputs, private_data_dir=None):
    """The environment AWX gives a job for a credential with these inputs: ``inject_credential``'s
    (tests/support/awx.py), its files written into ``private_data_dir``/env (default: a temporary one)."""
    if private_data_dir is None:
        private_data_dir = tempfile.mkdtemp(prefix="awx-private-data-")
        atexit.register(shutil.rmtree, private_data_dir, True)
    env, _args = inject_credential(ctype, inputs, private_data_dir)
    return env


# -- the file ----------------------------------------------------------------------------


def test_the_file_is_an_awx_import_document():
    document = load()
    assert set(document) <= AWX_IMPORTABLE
    assert len(document["credential_types"]) == 1
    ctype = the_credential_type(document)
    assert set(ctype) == {"name", "description", "kind", "inputs", "injectors", "natural_key"}


def test_awx_and_the_modules_accept_the_credential_type():
    assert problems_of(the_credential_type(load())) == []


def test_it_injects_every_variable_of_the_modules_but_the_token():
    injected = set(the_credential_type(load())["injectors"]["env"])
    assert injected == set(module_environment()) - NOT_IN_CREDENTIAL


def test_secret_inputs():
    ctype = the_credential_type(load())
    spec = connection_argument_spec()
    secret = {field["id"] for field in ctype["inputs"]["fields"] if field.get("secret")}
    # Input ids are the option names (problems_of checks it): secret exactly where the option is no_log.
    assert secret == {field["id"] for field in ctype["inputs"]["fields"] if spec[field["id"]].get("no_log")}
    assert secret == {"secret_key", "security_token", "password"}


def test_the_guide_names_every_injected_variable():
    guide = AWX_GUIDE.read_text(encoding="utf-8")
    assert "awx/credential-type.json" in guide
    for variable in the_credential_type(load())["injectors"]["env"]:
        assert variable in guide, variable


# -- the check catches mistakes ------------------------------------------------------------


def _typo_in_input(ctype):
    ctype["injectors"]["env"]["HW_ACCESS_KEY"] = "{{ acess_key }}"


def _unknown_variable(ctype):
    ctype["injectors"]["env"]["HW_SECRET_ACCESS_KEY"] = ctype["injectors"]["env"].pop("HW_SECRET_KEY")


def _misspelt_variable(ctype):
    ctype["injectors"]["env"]["HW_REGION"] = ctype["injectors"]["env"].pop("HW_REGION_NAME")


def _swapped_inputs(ctype):
    env = ctype["injectors"]["env"]
    env["HW_ACCESS_KEY"], env["HW_SECRET_KEY"] = env["HW_SECRET_KEY"], env["HW_ACCESS_KEY"]


def _secret_shown(ctype):
    for field in ctype["inputs"]["fields"]:
        if field["id"] == "password":
            del field["secret"]


def _unknown_field_key(ctype):
    ctype["inputs"]["fields"][0]["hidden"] = True


def _invalid_variable_name(ctype):
    ctype["injectors"]["env"]["HW-REGION-NAME"] = ctype["injectors"]["env"].pop("HW_REGION_NAME")


def _ansible_variable(ctype):
    ctype["injectors"]["env"]["ANSIBLE_HOST_KEY_CHECKING"] = "{{ region }}"


def _input_never_injected(ctype):
    del ctype["injectors"]["env"]["HW_DOMAIN_NAME"]


def _ca_bundle_file_not_written(ctype):
    del ctype["injectors"]["file"]


def _ca_bundle_file_always_named(ctype):
    ctype["injectors"]["env"]["HW_CA_BUNDLE"] = "{{ tower.filename.ca_bundle }}"


def _ca_bundle_content_in_the_variable(ctype):
    ctype["injectors"]["env"]["HW_CA_BUNDLE"] = "{{ ca_bundle }}"


def _wrong_input_in_the_file(ctype):
    ctype["injectors"]["file"]["template.ca_bundle"] = "{{ region }}"


@pytest.mark.parametrize("mistake, expected", [
    (_typo_in_input, "HW_ACCESS_KEY: {{ acess_key }} uses an undefined input ('acess_key' is undefined)"),
    (_unknown_variable, "HW_SECRET_ACCESS_KEY: no module option reads this variable"),
    (_misspelt_variable, "HW_REGION: no module option reads this variable"),
    (_swapped_inputs, "HW_SECRET_KEY: must carry the input 'secret_key' (the option that reads it), not ['access_key']"),
    (_secret_shown, "HW_USER_PASSWORD: the input of password (no_log) must be secret"),
    (_unknown_field_key, "inputs: field 0: unknown key 'hidden'"),
    (_invalid_variable_name, "injectors: env: invalid name 'HW-REGION-NAME'"),
    (_ansible_variable, "ANSIBLE_HOST_KEY_CHECKING: AWX refuses ANSIBLE_* variables"),
    (_input_never_injected, "input 'domain_name' is injected nowhere"),
    (_ca_bundle_file_not_written, "HW_CA_BUNDLE: names the file 'ca_bundle', which no file injector writes"),
    (_ca_bundle_file_always_named, "HW_CA_BUNDLE: not empty ("),
    (_ca_bundle_content_in_the_variable, "HW_CA_BUNDLE: ca_bundle reads a file"),
    (_wrong_input_in_the_file, "HW_CA_BUNDLE: must carry the input 'ca_bundle' (the option that reads it), not ['ca_bundle', 'region']"),
])
def test_the_check_catches(mistake, expected):
    ctype = copy.deepcopy(the_credential_type(load()))
    mistake(ctype)
    problems = problems_of(ctype)
    assert any(problem.startswith(expected) for problem in problems), problems


# -- rendered as AWX does, against the emulator --------------------------------------------


def _endpoints(emu):
    return {"ims_endpoint": emu.base_url, "iam_endpoint": emu.base_url}


def test_rendering_leaves_unset_inputs_empty():
    env = render_env(the_credential_type(load()), {"access_key": "AK", "secret_key": "SK"})
    assert env["HW_ACCESS_KEY"] == "AK" and env["HW_SECRET_KEY"] == "SK"
    assert env["HW_SECURITY_TOKEN"] == "" and env["HW_USER_PASSWORD"] == "" and env["HW_IMS_ENDPOINT"] == ""
    # AWX writes the CA bundle's file anyway (empty): the variable must not name it.
    assert env["HW_CA_BUNDLE"] == ""


def test_the_ca_bundle_input_is_written_to_the_file_hw_ca_bundle_names(tmp_path):
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    env = render_env(the_credential_type(load()), {"ca_bundle": pem}, tmp_path)
    path = pathlib.Path(env["HW_CA_BUNDLE"])
    assert path.parent == tmp_path / "env" and path.read_text() == pem
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_aksk_credential_alone_runs_the_module(emu, ansible):
    account = emu.default_account
    emu.seed(name="awx-credential-check", owner=account["project_id"])
    env = render_env(the_credential_type(load()), dict(
        access_key=account["access_key"], secret_key=account["secret_key"], project_id=account["project_id"],
        region="cn-north-4", **_endpoints(emu)))
    assert env["HW_SECURITY_TOKEN"] == ""  # AWX injects unset inputs as empty variables
    ran = ansible.adhoc(MODULE, "name=awx-credential-check", env)
    assert ran.rc == 0, ran
    assert [image["name"] for image in ran.result()["images"]] == ["awx-credential-check"]
    requests = [entry for entry in emu.stats()["log"] if entry["path"] == "/v2/images"]
    assert requests and all(entry["auth"] == "aksk" for entry in requests)
    assert all("X-Security-Token" not in entry["headers"] for entry in requests)


def test_temporary_aksk_credential_sends_the_security_token(emu, ansible):
    account = emu.default_account
    env = render_env(the_credential_type(load()), dict(
        access_key=account["access_key"], secret_key=account["secret_key"], security_token="temporary-token-0001",
        project_id=account["project_id"], region="cn-north-4", **_endpoints(emu)))
    ran = ansible.adhoc(MODULE, "imagetype=private", env)
    assert ran.rc == 0, ran
    requests = [entry for entry in emu.stats()["log"] if entry["path"] == "/v2/images"]
    assert requests and all(entry["headers"].get("X-Security-Token") == "<redacted>" for entry in requests)
    assert "temporary-token-0001" not in ran.output


def test_iam_password_credential_alone_runs_the_module(emu, ansible):
    account = emu.default_account
    emu.seed(name="awx-credential-check", owner=account["project_id"])
    env = render_env(the_credential_type(load()), dict(
        user_name=DEFAULT_USER, password=DEFAULT_PASSWORD, domain_name=DEFAULT_DOMAIN,
        project_id=account["project_id"], region="cn-north-4", **_endpoints(emu)))
    assert env["HW_ACCESS_KEY"] == "" and env["HW_SECRET_KEY"] == ""
    ran = ansible.adhoc(MODULE, "name=awx-credential-check", env)
    assert ran.rc == 0, ran
    assert [image["name"] for image in ran.result()["images"]] == ["awx-credential-check"]
    assert emu.stats()["by_route"].get("POST /v3/auth/tokens") == 1
    assert DEFAULT_PASSWORD not in ran.output


def test_wrong_secret_in_the_credential_fails_the_module(emu, ansible):
    account = emu.default_account
    env = render_env(the_credential_type(load()), dict(
        access_key=account["access_key"], secret_key="not-the-secret-key", project_id=account["project_id"],
        region="cn-north-4", **_endpoints(emu)))
    ran = ansible.adhoc(MODULE, "imagetype=private", env)
    assert ran.rc != 0, ran
    assert "APIGW.0301" in ran.output
    assert "not-the-secret-key" not in ran.output
