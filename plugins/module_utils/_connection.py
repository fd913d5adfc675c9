# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options of every module, checked in one place: endpoints, credentials, limits.

Private to this collection: the API may change without notice. The options are those of the
``hwcloud.ims.connection`` doc fragment; endpoints: docs/dev/ims-api.md, section "Auth and signing".
"""

from __future__ import annotations

import os
import re

from urllib.parse import urlsplit

_REGION = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
_EU_REGION = re.compile(r"^eu-west-1\d\d$")
_CLOUD = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
REGION_PLACEHOLDER = "{region}"
DEFAULT_CLOUD = "myhuaweicloud.com"
RETRIES_MAX = 20
# The environment variable each connection option falls back to (the connection doc fragment).
ENV_NAMES = {
    "region": "HW_REGION_NAME", "project_id": "HW_PROJECT_ID", "access_key": "HW_ACCESS_KEY",
    "secret_key": "HW_SECRET_KEY", "security_token": "HW_SECURITY_TOKEN", "auth_token": "HW_AUTH_TOKEN",
    "user_name": "HW_USER_NAME", "password": "HW_USER_PASSWORD", "domain_name": "HW_DOMAIN_NAME",
    "ims_endpoint": "HW_IMS_ENDPOINT", "iam_endpoint": "HW_IAM_ENDPOINT", "ca_bundle": "HW_CA_BUNDLE",
    "cloud": "HW_CLOUD",
}
# The options of each kind of credentials, in the order credential_kind tries them.
CREDENTIAL_OPTIONS = {
    "aksk": ("access_key", "secret_key", "security_token"),
    "token": ("auth_token",),
    "password": ("user_name", "password", "domain_name"),
}
KIND_NAMES = {"aksk": "AK/SK", "token": "a token", "password": "an IAM password"}


def cloud_domain(options):
    """The endpoint domain: ``cloud`` when set, else myhuaweicloud.com (myhuaweicloud.eu for eu-west-1xx)."""
    if options.get("cloud"):
        return options["cloud"]
    return "myhuaweicloud.eu" if _EU_REGION.match(options.get("region") or "") else DEFAULT_CLOUD


def regional_endpoint(service, region, cloud=None):
    """The endpoint of ``service`` (``ims``, ``iam``) in ``region`` of ``cloud`` (None: Huawei Cloud's public one)."""
    return "https://%s.%s.%s" % (service, region, cloud or cloud_domain({"region": region}))


def endpoint_option(options, option):
    """``ims_endpoint`` or ``iam_endpoint`` as given, its ``{region}`` placeholder filled in (None: not set)."""
    value = options.get(option)
    if value and REGION_PLACEHOLDER in value and options.get("region"):
        value = value.replace(REGION_PLACEHOLDER, options["region"])
    return value


def learns_project(options):
    """Whether AK/SK credentials without ``project_id`` learn the region's project from IAM (``GET /v3/projects``)."""
    return credential_kind(options) == "aksk" and not options.get("project_id")


def credential_kind(options):
    """Which credentials the options give: ``aksk``, ``token``, ``password`` or None.

    AK/SK wins over a token, a token over a password, whatever else is set.
    """
    if options.get("access_key") or options.get("secret_key"):
        return "aksk"
    if options.get("auth_token"):
        return "token"
    if options.get("user_name") or options.get("password"):
        return "password"
    return None


def short_key(access_key):
    """An access key id shortened for a message: its first 4 and last 2 characters."""
    if len(access_key) < 10:
        return "(%d characters)" % len(access_key)
    return "%s...%s" % (access_key[:4], access_key[-2:])


def _words(items):
    return items[0] if len(items) == 1 else "%s and %s" % (", ".join(items[:-1]), items[-1])


def _sources(options, names, given):
    """Where the options ``names`` (those set) came from: the task's options or their HW_* variables."""
    names = [name for name in names if options.get(name)]
    if given is None:
        return "%s from the task's options or the environment" % _words(names)
    from_task = [name for name in names if name in given]
    from_env = [name for name in names if name not in given]
    parts = []
    if from_task:
        parts.append("%s from the task's options" % _words(from_task))
    if from_env:
        parts.append("%s from the environment variable%s %s" % (
            _words(from_env), "s" if len(from_env) > 1 else "", _words([ENV_NAMES[name] for name in from_env])))
    return ", ".join(parts)


def describe_credentials(options, given=None):
    """What the credentials the options choose are and where they came from, for a 401; never a secret.

    ``given``: the names of the options the task set (the others came from their HW_* variables,
    if set at all); None when unknown. Also names the credentials given but ignored, since AK/SK
    wins over a token and a password, and a token over a password.
    """
    kind = credential_kind(options)
    if kind is None:
        return None
    if kind == "aksk":
        temporary = " and a security token" if options.get("security_token") else ""
        what = "AK/SK with the access key %s%s" % (short_key(options.get("access_key") or ""), temporary)
    elif kind == "token":
        what = "the token of auth_token (a fixed token, never renewed)"
    else:
        what = "the IAM password of user %s in domain %s" % (options.get("user_name"), options.get("domain_name"))
    text = "the credentials used: %s, %s" % (what, _sources(options, CREDENTIAL_OPTIONS[kind], given))
    kinds = list(CREDENTIAL_OPTIONS)
    ignored = [other for other in kinds[kinds.index(kind) + 1:]
               if any(options.get(name) for name in CREDENTIAL_OPTIONS[other] if name != "domain_name")]
    if ignored:
        text += "; ignored, since %s wins over %s: %s" % (
            KIND_NAMES[kind], _words([KIND_NAMES[other] for other in ignored]),
            "; ".join(_sources(options, CREDENTIAL_OPTIONS[other], given) for other in ignored))
    return text


def connection_problems(options):
    """Every problem with the connection options, as messages that name the option."""
    problems = _format_problems(options)
    region = options.get("region")
    if not options.get("ims_endpoint") and not region:
        problems.append("region is required (or ims_endpoint): set the region option or HW_REGION_NAME, e.g. cn-north-4")
    kind = credential_kind(options)
    if kind == "aksk":
        if not (options.get("access_key") and options.get("secret_key")):
            problems.append("access_key and secret_key go together: set both (HW_ACCESS_KEY, HW_SECRET_KEY) or neither")
        elif not options.get("project_id") and not region:
            problems.append("project_id is required with access_key/secret_key when region is not set (HW_PROJECT_ID); "
                            "with region, IAM is asked for the project named like the region")
    elif kind == "password":
        missing = [name for name in ("user_name", "password", "domain_name") if not options.get(name)]
        if missing:
            problems.append("IAM password authentication needs user_name, password and domain_name; missing: %s"
                            % ", ".join(missing))
        elif not options.get("project_id") and not region:
            problems.append("IAM password authentication needs project_id or region to scope the token")
        elif not options.get("iam_endpoint") and not region:
            problems.append("iam_endpoint (HW_IAM_ENDPOINT) or region is required for IAM password authentication")
    elif kind is None:
        problems.append(
            "no credentials: set access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY), "
            "or auth_token (HW_AUTH_TOKEN), or user_name, password and domain_name "
            "(HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)")
    return problems


def _format_problems(options):
    problems = []
    region = options.get("region")
    if region and not _REGION.match(region):
        problems.append("region must be a Huawei Cloud region name such as cn-north-4 or ap-southeast-1; got %r" % region)
    cloud = options.get("cloud")  # empty counts as unset, as for every string option here (AWX injects "")
    if cloud and not _CLOUD.match(cloud):
        problems.append("cloud must be the domain of the endpoints, such as myhuaweicloud.com (no scheme, no path); "
                        "got %r" % cloud)
    for option in ("ims_endpoint", "iam_endpoint"):
        value = options.get(option)
        if not value:
            continue
        others = [found for found in _PLACEHOLDER.findall(value) if found != REGION_PLACEHOLDER]
        if others:
            problems.append("%s may hold one placeholder, {region}; got %s in %r" % (option, ", ".join(others), value))
            continue
        if REGION_PLACEHOLDER in value and not region:
            problems.append("%s has the {region} placeholder: set region (HW_REGION_NAME) to fill it in" % option)
            continue
        parts = urlsplit(endpoint_option(options, option))
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            problems.append("%s must be an http:// or https:// URL such as https://ims.cn-north-4.myhuaweicloud.com "
                            "or https://ims.{region}.example.com; got %r" % (option, value))
    ca_bundle = options.get("ca_bundle")
    if ca_bundle and options.get("validate_certs", True):
        if not os.path.exists(ca_bundle):
            problems.append("ca_bundle (or HW_CA_BUNDLE) must be a PEM file of CA certificates; %r does not exist" % ca_bundle)
        elif not os.access(ca_bundle, os.R_OK):
            problems.append("ca_bundle (or HW_CA_BUNDLE) must be a PEM file of CA certificates; %r cannot be read" % ca_bundle)
    if options.get("timeout") is not None and not options["timeout"] > 0:
        problems.append("timeout must be a number of seconds greater than 0; got %r" % options["timeout"])
    if options.get("retries") is not None and not 0 <= options["retries"] <= RETRIES_MAX:
        problems.append("retries must be an integer from 0 to %d; got %r" % (RETRIES_MAX, options["retries"]))
    return problems


def endpoint_origins(options):
    """Where the host name of each endpoint comes from: host -> (option, region), region None when given.

    ``("ims_endpoint", "cn-north-4")``: the host was derived from ``region`` because ``ims_endpoint``
    is not set; ``("ims_endpoint", None)``: the host is that of the ``ims_endpoint`` given. The IAM
    endpoint counts only with password authentication, the one that calls IAM.
    """
    origins = {}
    asks_iam = credential_kind(options) == "password" or learns_project(options)
    names = ["ims_endpoint"] + (["iam_endpoint"] if asks_iam else [])
    for option in names:
        given = endpoint_option(options, option)
        if not given and not options.get("region"):
            continue
        url = given or regional_endpoint(option.split("_", maxsplit=1)[0], options["region"], cloud_domain(options))
        host = urlsplit(url).hostname
        if host:
            origins.setdefault(host.lower(), (option, None if given else options["region"]))
    return origins


def ims_endpoint(options):
    """The IMS endpoint the options name (``ims_endpoint``, else the region's in ``cloud``)."""
    given = endpoint_option(options, "ims_endpoint")
    return (given or regional_endpoint("ims", options["region"], cloud_domain(options))).rstrip("/")


def iam_endpoint(options):
    """The IAM endpoint the options name (``iam_endpoint``, else the region's in ``cloud``)."""
    given = endpoint_option(options, "iam_endpoint")
    return (given or regional_endpoint("iam", options["region"], cloud_domain(options))).rstrip("/")
