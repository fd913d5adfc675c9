# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""_copy: the options of a copy, its request, what IMS refuses of the source, the patch after, the destination's
connection; and create_once listing the new image through another client than the one that sends (a copy to
another region), never sending a copy of unknown outcome again."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsClient, ImsError
from ansible_collections.hwcloud.ims.plugins.module_utils._copy import (
    COPY_HINTS,
    copy_patch,
    copy_problems,
    copy_request,
    copy_view,
    crosses,
    destination_options,
    is_image_id,
    origin_warning,
    pick_copy,
    pick_source,
    predicted_copy,
    source_refusal,
)
from ansible_collections.hwcloud.ims.plugins.module_utils._native_create import REFUSAL_HINTS, create_once
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, image, listing
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import (
    ACCESS_KEY,
    PROJECT_ID,
    SECRET_KEY,
    Call,
    dropped,
)

DEST = "5f1e3c7a9b2d4e6f8a0b1c2d3e4f5a6b"
BASE = {"image": "web", "name": "web-copy", "region": "cn-north-4", "access_key": "AK", "secret_key": "SK",
        "project_id": PROJECT_ID}
CROSS = dict(BASE, target_region="cn-east-3", agency_name="agency")
COPY = image("7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", name="web-copy", status="saving", checksum=None, size=None)


def test_an_in_region_request_carries_only_what_the_task_sets():
    assert copy_request(dict(BASE, cmk_id="k", description="d"), IMAGE_ID) == (
        "/v1/cloudimages/%s/copy" % IMAGE_ID, {"name": "web-copy", "description": "d", "cmk_id": "k"})
    assert copy_request(dict(BASE, target_region="cn-north-4"), IMAGE_ID)[1] == {"name": "web-copy"}


def test_a_cross_region_request_names_the_region_project_agency_and_vault():
    assert copy_request(dict(CROSS, vault_id="v", target_project_name="cn-east-3_dev"), "a/b") == (
        "/v1/cloudimages/a%2Fb/cross_region_copy",
        {"name": "web-copy", "region": "cn-east-3", "project_name": "cn-east-3_dev", "agency_name": "agency",
         "vault_id": "v"})
    assert copy_request(CROSS, IMAGE_ID)[1]["project_name"] == "cn-east-3"


def test_crosses_only_to_another_region():
    assert crosses(CROSS) and not crosses(BASE) and not crosses(dict(BASE, target_region="cn-north-4"))


def test_good_options_have_no_problem():
    assert copy_problems(BASE) == [] and copy_problems(CROSS) == []
    assert copy_problems(dict(CROSS, ims_endpoint="https://ims.{region}.example.test", target_project_id=DEST)) == []
    # IAM is global: a fixed iam_endpoint names the destination's project too, given or learned
    assert copy_problems(dict(CROSS, iam_endpoint="https://iam.example.test", target_project_id=DEST)) == []
    assert copy_problems(dict(CROSS, iam_endpoint="https://iam.example.test", target_project_id=None)) == []


def test_every_problem_is_told_at_once():
    problems = copy_problems(dict(CROSS, cmk_id="k", enterprise_project_id="0", agency_name=None, auth_token="t",
                                  access_key=None, secret_key=None))
    assert len(problems) == 4, problems


def test_the_destination_options_name_its_region_and_project():
    options = destination_options(dict(CROSS, target_project_id=DEST))
    assert options["region"] == "cn-east-3" and options["project_id"] == DEST and options["project_name"] is None
    options = destination_options(dict(CROSS, target_project_name="cn-east-3_dev"))
    assert options["project_id"] is None and options["project_name"] == "cn-east-3_dev"
    assert destination_options(CROSS)["project_name"] == "cn-east-3"


def test_an_id_is_a_uuid():
    assert is_image_id(IMAGE_ID) and not is_image_id("web") and not is_image_id(None)


@pytest.mark.parametrize("fields, params, words", [
    ({}, BASE, None),
    ({}, CROSS, None),
    ({"status": "saving"}, BASE, "only an active image"),
    ({"virtual_env_type": "IsoImage"}, CROSS, "ISO"),
    ({"__whole_image": "true"}, BASE, "only to another region"),
    ({"__whole_image": "true"}, CROSS, "needs vault_id"),
    ({"__whole_image": "true"}, dict(CROSS, vault_id="v"), None),
    ({"__system__cmkid": "k"}, CROSS, "encrypted"),
    ({"__system__cmkid": "k"}, BASE, None),
    ({"__system__cmkid": "k"}, dict(BASE, cmk_id="k"), "is the key"),
    ({"__system__cmkid": "k"}, dict(BASE, cmk_id="other"), None),
])
def test_what_ims_refuses_of_the_source(fields, params, words):
    reason = source_refusal(image(IMAGE_ID, **fields), params)
    assert (reason is None) if words is None else (words in reason)


def test_the_patch_after_the_copy_is_ims_images_and_max_ram():
    params = {"min_ram": 1024, "max_ram": 2048, "tags": ["a=b"], "description": "d"}
    assert copy_patch(image(IMAGE_ID, __description="d"), params) == [
        {"op": "replace", "path": "/min_ram", "value": 1024},
        {"op": "replace", "path": "/tags", "value": ["a=b"]},
        {"op": "add", "path": "/max_ram", "value": "2048"}]
    done = image(IMAGE_ID, __description="d", min_ram=1024, max_ram="2048", tags=["a=b"])
    assert copy_patch(done, params) == [] and copy_patch(done, {}) == []
    assert copy_patch(image(IMAGE_ID, max_ram="1"), {"max_ram": 2})[0]["op"] == "replace"


def test_picking_the_source_and_the_copy():
    with pytest.raises(ValueError, match="no image named 'web'"):
        pick_source([], "web")
    assert pick_source([image(IMAGE_ID)], "web")["id"] == IMAGE_ID
    assert pick_copy([], "web-copy") is None and pick_copy([COPY], "web-copy") == COPY
    with pytest.raises(ValueError, match="is killed"):
        pick_copy([dict(COPY, status="killed")], "web-copy")


def test_the_origin_warning_only_for_another_source():
    assert origin_warning(dict(COPY, __originalimagename=IMAGE_ID), IMAGE_ID) is None
    assert origin_warning(COPY, IMAGE_ID) is None
    assert "copied from image x" in origin_warning(dict(COPY, __originalimagename="x"), IMAGE_ID)


def test_the_views_of_diff_mode():
    params = {"name": "web-copy", "tags": ["b", "a"], "max_ram": 4}
    assert copy_view(None, params, "r") == {"state": "absent"}
    assert copy_view(dict(COPY, max_ram="4", tags=["a"]), params, "r") == {
        "state": "present", "id": COPY["id"], "status": "saving", "name": "web-copy", "tags": ["a"], "max_ram": "4",
        "region": "r"}
    assert predicted_copy(params, "r") == {"state": "present", "id": None, "status": "queued", "name": "web-copy",
                                           "region": "r", "max_ram": "4", "tags": ["a", "b"]}


def test_the_copy_hints_keep_the_create_hints():
    assert set(REFUSAL_HINTS) <= set(COPY_HINTS)
    assert all(code in COPY_HINTS for code in ("IMG.0104", "IMG.0145", "IMG.0130", "IMG.0179", "IMG.0189",
                                               "IMG.0196", "IMG.0197"))


# -- create_once with the listing in another client ------------------------------------------------

SOURCE_URL = "https://ims.cn-north-4.example.test"
TARGET_URL = "https://ims.cn-east-3.example.test"


def clients():
    options = {"region": "cn-north-4", "ims_endpoint": "https://ims.{region}.example.test", "project_id": PROJECT_ID,
               "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "retries": 3}
    return ImsClient.from_options(options), ImsClient.from_options(dict(options, region="cn-east-3", project_id=DEST))


def target_lookup(*images, repeat=False):
    return Call("GET", TARGET_URL + "/v2/images", query={("owner", DEST), ("name", "web-copy"), ("limit", "1000")},
                headers={"X-Project-Id": DEST}, answer=listing(images), repeat=repeat)


def send(**kwargs):
    kwargs.setdefault("answer", {"job_id": "j1"})
    return Call("POST", SOURCE_URL + "/v1/cloudimages/%s/cross_region_copy" % IMAGE_ID, json={"name": "web-copy"},
                headers={"X-Project-Id": PROJECT_ID}, **kwargs)


def copy_once(source, target, grace=60):
    return create_once(source, "/v1/cloudimages/%s/cross_region_copy" % IMAGE_ID, {"name": "web-copy"}, "web-copy",
                       lambda images: pick_copy(images, "web-copy"), None, grace, lister=target, hints=COPY_HINTS,
                       what="copy")


def test_the_lookup_and_the_watch_go_to_the_lister_the_send_to_the_client(http, clock):
    http.expect(target_lookup(), send())
    assert copy_once(*clients()) == {"job_id": "j1", "image": None, "sent": True}


def test_an_unknown_outcome_is_watched_for_in_the_lister_and_taken(http, clock):
    http.expect(target_lookup(), send(raises=dropped), target_lookup(), target_lookup(COPY))
    assert copy_once(*clients()) == {"job_id": None, "image": COPY, "sent": True}
    assert len([request for request in http.requests if request.method == "POST"]) == 1


def test_an_unknown_outcome_never_listed_is_not_sent_again(http, clock):
    http.expect(target_lookup(), send(status=500), target_lookup(repeat=True))
    with pytest.raises(ImsError) as err:
        copy_once(*clients())
    assert "the copy of image 'web-copy'" in str(err.value) and "sends the copy again if not" in str(err.value)
    assert len([request for request in http.requests if request.method == "POST"]) == 1
