"""The error answers' shapes and the Response bytes (in process)."""

from __future__ import annotations

import json

import pytest

from imsemu.core.exceptions import (ErrorAnswer, GatewayErrorAnswer, api_not_found, entity_too_large,
                                    gateway_fault_error, internal_error)
from imsemu.core.responses import Response, json_with_images
from imsemu.iam.exceptions import IamErrorAnswer
from imsemu.ims import exceptions as ims

JSON_TYPE = ("Content-Type", "application/json; charset=UTF-8")


def test_ims_shape():
    answer = ims.ImsErrorAnswer(404, "IMG.0144", "Image x could not be found.")
    response = answer.response("rid")
    assert response.status == 404
    assert response.headers == [JSON_TYPE]
    assert response.body == b'{"error":{"code":"IMG.0144","message":"Image x could not be found."}}'
    assert isinstance(answer, ErrorAnswer) and str(answer) == answer.message


def test_gateway_shape_carries_the_request_id():
    response = GatewayErrorAnswer(429, "APIGW.0308", "slow down", [("Retry-After", "2")]).response("abc")
    assert response.status == 429
    assert response.headers == [JSON_TYPE, ("Retry-After", "2")]
    assert json.loads(response.body) == {"error_code": "APIGW.0308", "error_msg": "slow down", "request_id": "abc"}


@pytest.mark.parametrize("status, title", [(400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"),
                                           (404, "Not Found"), (418, "Error")])
def test_iam_shape(status, title):
    body = json.loads(IamErrorAnswer(status, "no").response("rid").body)
    assert body == {"error": {"code": status, "title": title, "message": "no"}}


@pytest.mark.parametrize("make, status, code", [
    (lambda: ims.bad_request("m"), 400, "IMG.0001"),
    (lambda: ims.image_not_found("i"), 404, "IMG.0144"),
    (ims.not_owner, 400, "IMG.0047"),
    (lambda: ims.forbidden("m"), 403, "IMG.0403"),
    (lambda: ims.not_found("m"), 404, "IMG.0404"),
    (lambda: ims.not_a_member("p", "i"), 404, "IMG.0404"),
    (lambda: ims.conflict("m"), 409, "IMG.0409"),
    (lambda: ims.unsupported_media_type("m"), 415, "IMG.0415"),
    (api_not_found, 404, "APIGW.0101"),
    (entity_too_large, 413, "APIGW.0201"),
    (internal_error, 500, "APIGW.0201"),
])
def test_named_answers(make, status, code):
    answer = make()
    assert (answer.status, answer.code) == (status, code)


def test_not_a_member_message():
    assert ims.not_a_member("p1", "i1").message == "Project p1 is not a member of image i1."


@pytest.mark.parametrize("status, code", [(429, "APIGW.0308"), (401, "APIGW.0301"), (403, "APIGW.0302"),
                                          (404, "APIGW.0101"), (500, "APIGW.0201"), (502, "APIGW.0201"),
                                          (503, "APIGW.0201"), (504, "APIGW.0201")])
def test_fault_errors_by_status(status, code):
    answer = gateway_fault_error(status)
    assert (answer.status, answer.code) == (status, code)
    assert isinstance(answer, GatewayErrorAnswer)


def test_response_forms():
    assert Response.json(200, {"a": [1, 2]}).body == b'{"a":[1,2]}'  # compact
    empty = Response.empty()
    assert (empty.status, empty.body, empty.headers) == (204, b"", [])
    assert json_with_images({"first": "/v2/images"}, ['{"id":"1"}', '{"id":"2"}']) == \
        '{"images":[{"id":"1"},{"id":"2"}],"first":"/v2/images"}'
    assert json_with_images({}, []) == '{"images":[]}'
