# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hwcloud.ims.ims_image against a real Glance: upload, re-runs, JSON patches, tags, protected
images, deletes, check and diff mode.

Each test runs the module as a user does (``ansible localhost -m hwcloud.ims.ims_image -a ...``
for one step, ``ansible-playbook`` with asserts for a flow), and checks three things: the
module's result, the requests Glance served for it (its access log, since a mark), and the
image Glance holds afterwards (glance_api.py). Members: test_glance_image_members.py.
"""

from __future__ import annotations

import hashlib
import json
import re

from glance_api import mark, served, written

MODULE = "hwcloud.ims.ims_image"


# -- helpers ------------------------------------------------------------------------------


def write_file(path, size, seed):
    """A file of ``size`` bytes whose content depends on ``seed``: (path, bytes, md5, sha512)."""
    block = hashlib.sha256(seed.encode()).digest() * 32  # 1 KiB
    data = (block * (size // len(block) + 1))[:size]
    path.write_bytes(data)
    return str(path), data, hashlib.md5(data).hexdigest(), hashlib.sha512(data).hexdigest()


def diff_lines(ran):
    """(removed, added): the lines ``--diff`` printed with - and with +, stripped of spaces and a final comma."""
    text = ran.stdout[ran.stdout.index("--- before"):]
    lines = text[:text.index("\nlocalhost | ")].splitlines()[2:]

    def strip(line):
        return line[1:].strip().rstrip(",")

    return ({strip(line) for line in lines if line.startswith("-")},
            {strip(line) for line in lines if line.startswith("+")})


def run(ansible, hw_env, args, *options):
    """``ansible localhost -m hwcloud.ims.ims_image -a '<args as JSON>'`` (plus ``--check``, ``--diff``)."""
    return ansible.adhoc(MODULE, json.dumps(args), hw_env, options=options)


def succeeded(ran):
    assert ran.rc == 0, ran
    assert "Traceback" not in ran.output, ran
    return ran.result()


def assert_clean_message(msg):
    """A failure message a user can read: no HTML, the status said once, Glance's request id."""
    assert "<br" not in msg and "</" not in msg, msg
    assert not re.search(r"\b(\d{3}) \1\b", msg), msg  # "HTTP 403 403 Forbidden"
    assert "\n\n" not in msg, msg
    assert "request id: none" not in msg, msg  # Glance sends x-openstack-request-id


def rerun_unchanged(glance, ansible, hw_env, args, reads=("GET /v2/images 200",)):
    """Run ``args`` again: unchanged, no operation, and Glance served exactly ``reads``, no write."""
    since = mark(glance)
    result = succeeded(run(ansible, hw_env, args))
    assert result["changed"] is False, result
    assert result["operations"] == [], result
    assert served(glance, since) == list(reads), served(glance, since)
    assert written(glance, since) == []
    return result


def assert_playbook_passed(ran):
    assert ran.rc == 0, ran
    assert "Traceback" not in ran.output, ran
    assert all(counts.get("failed") == 0 for counts in ran.recap().values()), ran


# -- create with a local file -------------------------------------------------------------


def test_create_with_a_file_verifies_the_checksum_and_a_rerun_skips_the_upload(
        glance, api, ansible, hw_env, project, tmp_path):
    path, data, md5, sha512 = write_file(tmp_path / "disk.qcow2", 5 * 1024 + 3, "create")
    args = {"name": "upload-1", "disk_format": "qcow2", "min_disk": 1, "filename": path}
    since = mark(glance)
    result = succeeded(run(ansible, hw_env, args))
    assert result["changed"] is True
    assert [op["action"] for op in result["operations"]] == ["create", "upload"]
    upload = result["operations"][1]
    assert (upload["checksum"], upload["size"], upload["filename"]) == (md5, len(data), path)
    image = result["image"]
    assert image["status"] == "active"
    assert (image["checksum"], image["os_hash_algo"], image["os_hash_value"]) == (md5, "sha512", sha512)
    assert image["size"] == len(data)
    image_id = image["id"]
    # One lookup by name, the create, the upload, the image read back once it is active.
    assert written(glance, since) == [("POST", "/v2/images", "", 201), ("PUT", "/v2/images/%s/file" % image_id, "", 204)]
    assert served(glance, since)[0] == "GET /v2/images 200"
    held = api.get(image_id)
    assert held["status"] == "active" and held["owner"] == project
    assert (held["checksum"], held["os_hash_value"], held["size"]) == (md5, sha512, len(data))
    assert (held["name"], held["disk_format"], held["container_format"], held["min_disk"]) == \
        ("upload-1", "qcow2", "bare", 1)
    assert api.data(image_id) == data

    # The same task again: the image holds the file's checksum, so no upload, no write.
    again = rerun_unchanged(glance, ansible, hw_env, args)
    assert again["image"]["id"] == image_id and again["image"]["checksum"] == md5
    assert [image["id"] for image in api.by_name("upload-1")] == [image_id]
    assert api.get(image_id)["updated_at"] == held["updated_at"]


def test_a_file_uploaded_into_a_queued_image_then_skipped(glance, api, ansible, hw_env, tmp_path):
    path, data, md5, sha512 = write_file(tmp_path / "disk.raw", 3000, "queued")
    queued = succeeded(run(ansible, hw_env, {"name": "queued-1", "disk_format": "raw"}))
    assert queued["image"]["status"] == "queued"
    image_id = queued["image"]["id"]
    rerun_unchanged(glance, ansible, hw_env, {"name": "queued-1", "disk_format": "raw"})

    args = {"name": "queued-1", "filename": path}
    since = mark(glance)
    result = succeeded(run(ansible, hw_env, args))
    assert result["changed"] is True
    assert [op["action"] for op in result["operations"]] == ["upload"]
    assert written(glance, since) == [("PUT", "/v2/images/%s/file" % image_id, "", 204)]
    held = api.get(image_id)
    assert (held["status"], held["checksum"], held["os_hash_value"]) == ("active", md5, sha512)
    assert api.data(image_id) == data
    rerun_unchanged(glance, ansible, hw_env, args)


# -- identical re-runs --------------------------------------------------------------------


def test_an_identical_rerun_of_a_full_task_reads_once_and_writes_nothing(glance, api, ansible, hw_env, tmp_path):
    path, _data, md5, _sha512 = write_file(tmp_path / "disk.qcow2", 2048, "rerun")
    args = {"name": "rerun-1", "disk_format": "qcow2", "min_disk": 2, "min_ram": 1024, "protected": False,
            "os_version": "Ubuntu 22.04 server 64bit", "description": "the same", "tags": ["b=2", "a=1"],
            "properties": {"build": 7, "secure": True}, "filename": path}
    created = succeeded(run(ansible, hw_env, args))
    assert created["changed"] is True and created["image"]["checksum"] == md5
    image_id = created["image"]["id"]
    held = api.get(image_id)
    # IMS stores every property as a string; so does Glance.
    assert (held["build"], held["secure"], held["__os_version"], held["__description"]) == \
        ("7", "true", "Ubuntu 22.04 server 64bit", "the same")
    assert sorted(held["tags"]) == ["a=1", "b=2"]

    again = rerun_unchanged(glance, ansible, hw_env, args)
    assert again["image"]["id"] == image_id
    # By id: one GET of the image itself.
    by_id = dict(args, id=image_id)
    rerun_unchanged(glance, ansible, hw_env, by_id, reads=["GET /v2/images/%s 200" % image_id])
    assert api.get(image_id)["updated_at"] == held["updated_at"]


# -- JSON patches of standard fields and properties ----------------------------------------


def test_json_patches_of_fields_and_properties_are_taken_by_glance(glance, api, ansible, hw_env):
    seeded = api.create("patch-1", data=b"p" * 1024, build="1", team="web")
    since = mark(glance)
    ran = ansible.run_playbook("image_update.yml", hw_env, extra_vars={"image_name": "patch-1", "image_id": seeded["id"]})
    assert_playbook_passed(ran)
    image_path = "/v2/images/%s" % seeded["id"]
    # Eight runs of the module: six find the image by name, the last two by id; one read each.
    reads = [(method, path, status) for method, path, _query, status in glance.requests(since) if method == "GET"]
    assert reads == [("GET", "/v2/images", 200)] * 6 + [("GET", image_path, 200)] * 2, served(glance, since)
    # Steps 1, 3, 5 and 7 change something: one PATCH each, every one taken (no 409); 2, 4, 6, 8 write nothing.
    assert ran.recap()["localhost"]["changed"] == 4, ran.recap()
    assert written(glance, since) == [("PATCH", image_path, "", 200)] * 4, served(glance, since)
    held = api.get(seeded["id"])
    assert (held["min_disk"], held["min_ram"], held["protected"]) == (0, 0, False)
    assert held["build"] == "3" and "team" not in held and "extra" not in held
    assert (held["__os_version"], held["__description"]) == ("Debian 12 server 64bit", "second")
    assert held["status"] == "active" and held["checksum"] == hashlib.md5(b"p" * 1024).hexdigest()


def test_a_property_key_with_a_slash_or_a_tilde_is_a_json_pointer_escaped(glance, api, ansible, hw_env):
    """RFC 6901: in a JSON patch path, ``~`` is written ``~0`` and ``/`` is written ``~1``. Glance takes such keys
    (on create too) and answers 400 "Invalid JSON pointer for this resource: '/a/b'" to an unescaped path."""
    image_id = api.create("pointer-1", data=b"j" * 1024, **{"a/b": "1"})["id"]
    args = {"name": "pointer-1", "properties": {"a/b": "2", "c~d": "3"}}
    since = mark(glance)
    ran = run(ansible, hw_env, args)
    seen = served(glance, since)
    result = succeeded(ran)
    assert result["changed"] is True
    assert seen == ["GET /v2/images 200", "PATCH /v2/images/%s 200" % image_id], seen
    assert sorted((op["op"], op["path"]) for op in result["operations"][0]["patch"]) == \
        [("add", "/c~0d"), ("replace", "/a~1b")], result
    held = api.get(image_id)
    assert (held["a/b"], held["c~d"]) == ("2", "3")
    rerun_unchanged(glance, ansible, hw_env, args)
    # And removed by purge_properties.
    since = mark(glance)
    result = succeeded(run(ansible, hw_env, {"name": "pointer-1", "properties": {}, "purge_properties": True}))
    assert written(glance, since) == [("PATCH", "/v2/images/%s" % image_id, "", 200)]
    assert sorted(op["path"] for op in result["operations"][0]["patch"]) == ["/a~1b", "/c~0d"], result
    held = api.get(image_id)
    assert "a/b" not in held and "c~d" not in held


# -- tags ---------------------------------------------------------------------------------


def test_tags_added_and_removed_with_purge_tags(glance, api, ansible, hw_env):
    image_id = api.create("tags-1", data=b"t" * 2048, tags=["old=1"])["id"]
    steps = [  # (args, tags Glance holds afterwards)
        ({"tags": ["a=1", "b=2"], "purge_tags": False}, ["a=1", "b=2", "old=1"]),
        ({"tags": ["b=2", "c=3"]}, ["b=2", "c=3"]),
        ({"tags": {"d": 4}, "purge_tags": False}, ["b=2", "c=3", "d=4"]),
        ({"tags": "c=3, d=4"}, ["c=3", "d=4"]),
        ({"tags": []}, []),
    ]
    for extra, expected in steps:
        args = dict(extra, name="tags-1")
        since = mark(glance)
        result = succeeded(run(ansible, hw_env, args))
        assert result["changed"] is True, (args, result)
        assert [op["action"] for op in result["operations"]] == ["update"], result
        assert served(glance, since) == ["GET /v2/images 200", "PATCH /v2/images/%s 200" % image_id], args
        assert sorted(api.get(image_id)["tags"]) == expected, args
        assert sorted(result["image"]["tags"]) == expected, args
        rerun_unchanged(glance, ansible, hw_env, args)
        assert sorted(api.get(image_id)["tags"]) == expected, args


# -- protected images ---------------------------------------------------------------------


def test_a_protected_image_is_not_deleted_and_the_module_says_how(glance, api, ansible, hw_env):
    image_id = api.create("guarded-1", data=b"g" * 1024, protected=True)["id"]
    # What Glance does with a protected delete (IMS: 400 IMG.0028).
    status, body = api.attempt("DELETE", "/v2/images/%s" % image_id)
    assert status == 403, body
    assert api.get(image_id)["protected"] is True

    since = mark(glance)
    ran = ansible.run_playbook("image_protected.yml", hw_env, extra_vars={"image_name": "guarded-1", "image_id": image_id})
    assert_playbook_passed(ran)
    # The refused delete sent nothing; then one PATCH (protected false), one DELETE, a re-run that only read.
    expected = [("PATCH", "/v2/images/%s" % image_id, "", 200), ("DELETE", "/v2/images/%s" % image_id, "", 204)]
    assert written(glance, since) == expected, served(glance, since)
    assert "DELETE /v2/images/%s 403" % image_id not in served(glance, since)
    assert api.get(image_id) is None


def test_a_refused_protected_delete_ad_hoc(glance, api, ansible, hw_env):
    image_id = api.create("guarded-2", data=b"g" * 1024, protected=True)["id"]
    since = mark(glance)
    ran = run(ansible, hw_env, {"name": "guarded-2", "state": "absent"})
    assert ran.rc != 0, ran
    assert "Traceback" not in ran.output, ran
    result = ran.result()
    assert result["failed"] is True and result["changed"] is False, result
    assert result["operations"] == []
    assert result["image"]["id"] == image_id and result["image"]["protected"] is True
    assert "protected" in result["msg"] and "protected: false" in result["msg"], result["msg"]
    assert_clean_message(result["msg"])
    assert written(glance, since) == [], served(glance, since)
    held = api.get(image_id)
    assert held["protected"] is True and held["status"] == "active"


# -- deletes ------------------------------------------------------------------------------


def test_delete_by_name_then_a_rerun_writes_nothing(glance, api, ansible, hw_env):
    image_id = api.create("gone-1", data=b"d" * 1024)["id"]
    keep_id = api.create("kept-1", data=b"k" * 1024)["id"]
    args = {"name": "gone-1", "state": "absent"}
    since = mark(glance)
    result = succeeded(run(ansible, hw_env, args))
    assert result["changed"] is True and result["image"] is None
    assert result["operations"] == [{"action": "delete", "id": image_id}]
    assert served(glance, since) == ["GET /v2/images 200", "DELETE /v2/images/%s 204" % image_id]
    assert api.get(image_id) is None and api.by_name("gone-1") == []
    rerun_unchanged(glance, ansible, hw_env, args)
    assert api.get(keep_id)["status"] == "active"


def test_delete_by_id_then_a_rerun_writes_nothing(glance, api, ansible, hw_env):
    image_id = api.create("gone-2", data=b"d" * 1024)["id"]
    args = {"id": image_id, "state": "absent"}
    since = mark(glance)
    result = succeeded(run(ansible, hw_env, args))
    assert result["changed"] is True and result["image"] is None
    assert result["operations"] == [{"action": "delete", "id": image_id}]
    assert served(glance, since) == ["GET /v2/images/%s 200" % image_id, "DELETE /v2/images/%s 204" % image_id]
    assert api.get(image_id) is None
    # Gone: Glance answers the read 404, and that is the state asked for.
    rerun_unchanged(glance, ansible, hw_env, args, reads=["GET /v2/images/%s 404" % image_id])


# -- check mode and diff mode -------------------------------------------------------------


def test_check_mode_writes_nothing_and_diff_mode_shows_before_and_after(glance, api, ansible, hw_env, tmp_path):
    path, _data, md5, _sha512 = write_file(tmp_path / "disk.qcow2", 4096, "check")
    create = {"name": "check-1", "disk_format": "qcow2", "min_ram": 512, "tags": ["a=1"], "filename": path}

    # Create: predicted and shown, nothing written, nothing there.
    since = mark(glance)
    ran = run(ansible, hw_env, create, "--check", "--diff")
    predicted = succeeded(ran)
    assert written(glance, since) == [] and served(glance, since) == ["GET /v2/images 200"]
    assert api.by_name("check-1") == []
    assert predicted["changed"] is True and predicted["image"] is None
    assert [op["action"] for op in predicted["operations"]] == ["create", "upload"]
    removed, added = diff_lines(ran)
    assert removed == {'"state": "absent"'}, ran
    assert {'"name": "check-1"', '"disk_format": "qcow2"', '"min_ram": 512', '"a=1"', '"checksum": "%s"' % md5,
            '"state": "present"'} <= added, ran
    ran = run(ansible, hw_env, create, "--diff")
    created = succeeded(ran)
    assert created["operations"] == predicted["operations"]
    image_id = created["image"]["id"]
    # The same fields; the id Glance gave, and the status after the upload (check mode shows id null
    # and status queued, the image as created before its upload).
    shown = diff_lines(ran)[1]
    assert shown - {'"id": "%s"' % image_id, '"status": "active"'} == added - {'"id": null', '"status": "queued"'}, ran
    assert {'"id": "%s"' % image_id, '"status": "active"'} <= shown, ran
    held = api.get(image_id)

    # Update: predicted and shown, nothing written, Glance still holds the image as it was.
    update = {"name": "check-1", "min_ram": 2048, "description": "checked", "tags": ["b=2"]}
    since = mark(glance)
    ran = run(ansible, hw_env, update, "--check", "--diff")
    predicted = succeeded(ran)
    assert written(glance, since) == [] and served(glance, since) == ["GET /v2/images 200"]
    assert api.get(image_id) == held
    assert predicted["changed"] is True
    assert [op["action"] for op in predicted["operations"]] == ["update"]
    shown = diff_lines(ran)
    assert shown == ({'"min_ram": 512', '"a=1"', '"description": null'}, {'"min_ram": 2048', '"b=2"', '"description": "checked"'}), ran
    ran = run(ansible, hw_env, update, "--diff")
    updated = succeeded(ran)
    assert updated["operations"] == predicted["operations"] and diff_lines(ran) == shown
    held = api.get(image_id)
    assert (held["min_ram"], held["tags"], held["__description"]) == (2048, ["b=2"], "checked")

    # Delete: predicted and shown, nothing written, the image still there.
    delete = {"name": "check-1", "state": "absent"}
    since = mark(glance)
    ran = run(ansible, hw_env, delete, "--check", "--diff")
    predicted = succeeded(ran)
    assert written(glance, since) == [] and served(glance, since) == ["GET /v2/images 200"]
    assert api.get(image_id) == held
    assert predicted["changed"] is True and predicted["image"] is None
    assert predicted["operations"] == [{"action": "delete", "id": image_id}]
    removed, added = diff_lines(ran)
    assert added == {'"state": "absent"'}, ran
    assert removed == {'"id": "%s"' % image_id, '"name": "check-1"', '"state": "present"', '"status": "active"'}, ran
    ran = run(ansible, hw_env, delete, "--diff")
    deleted = succeeded(ran)
    assert deleted["operations"] == predicted["operations"] and diff_lines(ran) == (removed, added)
    assert api.get(image_id) is None
