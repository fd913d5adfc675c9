# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image_info run through ansible and ansible-playbook against the emulator."""

from __future__ import annotations

import datetime
import json
import os

from harness import DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_USER

MODULE = "hwcloud.ims.ims_image_info"
OTHER = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"


def seed_population(emu):
    project = emu.default_account["project_id"]
    return emu.seed(images=[
        {"name": "web-1", "age_days": 30, "tags": ["team=web", "env=prod"],
         "properties": {"disk_format": "zvhd2", "min_disk": 40, "min_ram": 1024,
                        "__os_version": "Ubuntu 22.04 server 64bit", "__os_type": "Linux", "__platform": "Ubuntu",
                        "__os_bit": "64", "__support_kvm": "true"}},
        {"name": "db-1", "age_days": 10, "protected": True, "tags": ["team=db"],
         "properties": {"disk_format": "qcow2", "min_disk": 100, "min_ram": 4096,
                        "__os_type": "Windows", "__platform": "Windows", "__os_bit": "64", "__support_xen": "true",
                        "__support_largememory": "true", "virtual_env_type": "DataImage"}},
        {"name": "broken-1", "age_days": 2, "status": "killed",
         "properties": {"disk_format": "raw", "min_disk": 50, "min_ram": 2048, "__os_bit": "32", "__os_type": "Linux", "__platform": "CentOS",
                        "__support_kvm_gpu_type": "V100", "__support_xen_gpu_type": "M60"}},
        {"name": "queued-1", "age_days": 1, "status": "queued",
         "properties": {"disk_format": "zvhd2", "min_disk": 60, "__isregistered": "false", "__os_bit": "64", "__support_diskintensive": "true",
                        "__support_highperformance": "true", "__support_xen_hana": "true",
                        "__support_kvm_infiniband": "true"}},
        {"name": "shared-in", "owner": OTHER, "age_days": 5, "members": [{"member": project, "status": "accepted"}]},
        {"name": "shared-pending", "owner": OTHER, "age_days": 5,
         "members": [{"member": project, "status": "pending"}]},
        {"name": "hidden-1", "owner": OTHER, "age_days": 5},
    ])


def test_every_filter_through_a_playbook(emu, ansible):
    ids = seed_population(emu)
    limit = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=20)
    ran = ansible.run_playbook("info_filters.yml", emu.env(), extra_vars={
        "project_id": emu.default_account["project_id"], "hidden_id": ids[-1],
        "twenty_days_ago": limit.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "twenty_days_ago_spaced": limit.strftime("%Y-%m-%d %H:%M:%S")})
    assert ran.rc == 0, ran
    assert "failed=0" in ran.stdout
    # Every filter went to the server: no task listed everything to filter on the client.
    queries = [e["query"] for e in emu.stats()["log"] if e["path"] == "/v2/images"]
    assert any("__support_kvm_gpu_type=V100" in q for q in queries)
    assert any("created_at=gte%3A" in q for q in queries)
    assert any("protected=false" in q for q in queries)


def test_ad_hoc_with_credentials_from_the_environment(emu, ansible):
    seed_population(emu)
    ran = ansible.adhoc(MODULE, "imagetype=private status=killed", emu.env())
    assert ran.rc == 0, ran
    result = ran.result()
    assert [image["name"] for image in result["images"]] == ["broken-1"]
    assert result["changed"] is False
    image = result["images"][0]
    for field in ("id", "name", "status", "owner", "visibility", "protected", "tags", "min_disk", "min_ram",
                  "disk_format", "container_format", "created_at", "updated_at", "self", "file", "schema",
                  "__imagetype", "__isregistered", "__image_size", "__os_bit"):
        assert field in image, field
    assert all(isinstance(v, str) for k, v in image.items() if k.startswith("__"))


def test_ad_hoc_default_output_is_readable(emu, ansible):
    seed_population(emu)
    ran = ansible.adhoc(MODULE, "name=web-1", emu.env())
    assert ran.rc == 0, ran
    assert "localhost | SUCCESS" in ran.stdout
    assert '"name": "web-1"' in ran.stdout


def test_check_mode_lists_too(emu, ansible):
    seed_population(emu)
    ran = ansible.adhoc(MODULE, "name=db-1", emu.env(), options=["--check"])
    assert ran.rc == 0, ran
    assert [image["name"] for image in ran.result()["images"]] == ["db-1"]


def test_id_not_found_is_an_empty_list(emu, ansible):
    ran = ansible.adhoc(MODULE, "id=00000000-0000-0000-0000-000000000000", emu.env())
    assert ran.rc == 0, ran
    assert ran.result()["images"] == []


def test_nothing_found_is_an_empty_list(emu, ansible):
    ran = ansible.adhoc(MODULE, "name=no-such-image", emu.env())
    assert ran.rc == 0, ran
    assert ran.result()["images"] == []


def test_2500_images_with_default_options_take_three_requests(emu, ansible):
    emu.seed(count=2500)
    emu.reset_stats()
    ran = ansible.adhoc(MODULE, "owner=%s" % emu.default_account["project_id"], emu.env())
    assert ran.rc == 0, ran
    assert len(ran.result()["images"]) == 2500
    assert emu.stats()["total"] == 3


def test_2500_images_with_iam_password_take_four_requests(emu, ansible):
    emu.seed(count=2500)
    emu.reset_stats()
    env = {"HW_IMS_ENDPOINT": emu.base_url, "HW_IAM_ENDPOINT": emu.base_url, "HW_REGION_NAME": "cn-north-4",
           "HW_USER_NAME": DEFAULT_USER, "HW_USER_PASSWORD": DEFAULT_PASSWORD, "HW_DOMAIN_NAME": DEFAULT_DOMAIN}
    ran = ansible.adhoc(MODULE, "imagetype=private", env)
    assert ran.rc == 0, ran
    assert len(ran.result()["images"]) == 2500
    stats = emu.stats()
    assert stats["total"] == 4
    assert stats["by_route"]["POST /v3/auth/tokens"] == 1
    assert DEFAULT_PASSWORD not in ran.output


def test_api_errors_fail_cleanly_with_the_request_id(emu, ansible):
    env = dict(emu.env(), HW_SECRET_KEY="wrong-secret-key-value")
    ran = ansible.adhoc(MODULE, "name=x", env)
    assert ran.rc != 0
    result = ran.result()
    assert result["failed"] is True
    assert "GET /v2/images failed: HTTP 401 APIGW.0301" in result["msg"]
    assert "(request id: " in result["msg"]
    assert result["status_code"] == 401 and result["error_code"] == "APIGW.0301" and result["request_id"]
    assert "Traceback" not in ran.output
    assert "wrong-secret-key-value" not in ran.output


def test_server_errors_are_retried_by_the_module(emu, ansible):
    emu.set_faults({"rules": [{"method": "GET", "path": "/v2/images", "sequence": [503, {"status": 429,
                                                                                         "retry_after": 0}]}]})
    ran = ansible.adhoc(MODULE, "name=x", emu.env())
    assert ran.rc == 0, ran
    assert emu.stats()["by_route"]["GET /v2/images"] == 3


def test_a_bad_option_value_gets_a_clear_message(emu, ansible):
    """One bad value through ``ansible`` (quoted, with a space): refused before any request. Every bad value of the
    earlier list here, as the CLI gives it, in process:
    test_ims_image_info.py::test_bad_values_as_the_cli_gives_them_get_a_clear_message."""
    args, message = "created_at='gt:2024-02-30 00:00:00'", "got the time '2024-02-30 00:00:00'"
    ran = ansible.adhoc(MODULE, args, emu.env())
    assert ran.rc != 0, ran
    result = ran.result()
    assert message in result["msg"]
    assert "Traceback" not in ran.output
    assert "exception" not in result
    assert emu.stats()["total"] == 0  # refused before any request


def test_missing_credentials_get_a_clear_message(emu, ansible):
    """No credentials in the environment: a clear message. The other missing connection options, in process:
    test_ims_image_info.py::test_missing_connection_options_get_a_clear_message (with this one)."""
    drop, message = ("HW_ACCESS_KEY", "HW_SECRET_KEY"), "no credentials: set access_key and secret_key"
    env = {k: v for k, v in emu.env().items() if k not in drop}
    ran = ansible.adhoc(MODULE, "name=x", env)
    assert ran.rc != 0, ran
    assert message in ran.result()["msg"]
    assert "Traceback" not in ran.output


def test_a_401_names_the_credentials_used_and_never_shows_the_secret(emu, ansible):
    """Issue 12: a wrong secret key from HW_SECRET_KEY, then from the task's options (which then win
    over HW_SECRET_KEY): the 401 names AK/SK, the access key shortened and where each part came from, and
    says that the token also given was ignored; at -vvv the secret keys appear nowhere (the one given as an
    option comes from a lookup, since ansible-core echoes a failed ad-hoc task's arguments as written). Every kind of
    credentials and source, in process: tests/unit/plugins/module_utils/test_client_credentials.py."""
    wrong = "SkWrong-journey-0123456789abcdef"
    access_key = emu.default_account["access_key"]
    short = "%s...%s" % (access_key[:4], access_key[-2:])
    cases = [
        (dict(emu.env(), HW_SECRET_KEY=wrong, HW_AUTH_TOKEN="MIItoken-journey-ignored"), {},
         "access_key and secret_key from the environment variables HW_ACCESS_KEY and HW_SECRET_KEY; ignored, since "
         "AK/SK wins over a token: auth_token from the environment variable HW_AUTH_TOKEN"),
        # From the options, through a lookup: ansible-core echoes the arguments of a failed ad-hoc task as
        # written (issue 12), so a literal secret_key=... would be shown by ansible-core itself.
        (dict(emu.env(), JOURNEY_WRONG_SECRET=wrong), {"secret_key": "{{ lookup('ansible.builtin.env', 'JOURNEY_WRONG_SECRET') }}"},
         "secret_key from the task's options, access_key from the environment variable HW_ACCESS_KEY"),
    ]
    for env, options, sources in cases:
        ran = ansible.adhoc(MODULE, json.dumps(dict(options, imagetype="private")), env, options=["-vvv"])
        assert ran.rc != 0, ran
        result = ran.result()
        assert result["status_code"] == 401, result
        assert result["msg"].endswith("; the credentials used: AK/SK with the access key %s, %s" % (short, sources)), \
            result["msg"]
        assert access_key not in result["msg"]
        for secret in (wrong, emu.default_account["secret_key"], "MIItoken-journey-ignored"):
            assert secret not in ran.output, secret


# A resolver for the module's Python that knows no public Huawei Cloud host: loaded through PYTHONPATH as
# sitecustomize, it fails each lookup of such a name as a resolver does for a name that does not exist,
# and writes the name down. No real DNS lookup is made.
NO_SUCH_HOST = '''
import socket
_getaddrinfo = socket.getaddrinfo
def _fake(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith((".myhuaweicloud.com", ".myhuaweicloud.eu")):
        with open(%r, "a") as log:
            log.write(host + "\\n")
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = _fake
'''


def test_a_misspelled_region_fails_at_once_naming_region(emu, ansible, tmp_path):
    """Issue 12: ``region=cn-nort-4`` (no ims_endpoint) was retried like a passing DNS failure, 6 lookups and
    seconds of backoff; now one lookup, and a message that names region, the value, the host it gave and the form
    of a region. The other cases (a given endpoint, EAI_AGAIN, the IAM host, a write), in process:
    tests/unit/plugins/module_utils/test_client_dns.py."""
    shim, log = tmp_path / "resolver", tmp_path / "looked-up.txt"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(NO_SUCH_HOST % str(log))
    env = {name: value for name, value in emu.env().items() if name not in ("HW_IMS_ENDPOINT", "HW_IAM_ENDPOINT")}
    path = os.pathsep.join(filter(None, [str(shim), os.environ.get("PYTHONPATH")]))
    ran = ansible.adhoc(MODULE, "region=cn-nort-4", env, extra_env={"PYTHONPATH": path})
    assert ran.rc != 0, ran
    assert "Traceback" not in ran.output, ran
    assert ran.result()["msg"] == (
        "the host name ims.cn-nort-4.myhuaweicloud.com does not resolve (Name or service not known) on GET "
        "/v2/images: check region (HW_REGION_NAME): 'cn-nort-4' gives the host ims.cn-nort-4.myhuaweicloud.com, "
        "and a Huawei Cloud region name has the form cn-north-4 or ap-southeast-1 (or set ims_endpoint to the "
        "endpoint's URL); not retried")
    assert log.read_text().splitlines() == ["ims.cn-nort-4.myhuaweicloud.com"]  # one lookup: never retried
