# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Error answers of upstream Glance 33 (webob) read as cleanly as IMS's: JSON and HTML bodies, its request id.

The bodies are Glance's own, as webob builds them: ``explanation<br /><br />\\ndetail\\n\\n``
in ``message`` (with ``Accept: application/json``), or an HTML page. Every message must say
the status once, keep no markup, and name the request id of ``x-openstack-request-id``.
"""

from __future__ import annotations

import json

import pytest

from requests.structures import CaseInsensitiveDict

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsApiError, ImsClient
from ansible_collections.hwcloud.ims.plugins.module_utils._errors import parse_error_body, request_id_of
from ansible_collections.hwcloud.ims.tests.unit.utils.ims_answers import IMAGE_ID, ims_error
from ansible_collections.hwcloud.ims.tests.unit.utils.scripted_http import CONNECTION, Call

GLANCE_REQUEST_ID = "req-3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9"
GLANCE_HEADERS = {"x-openstack-request-id": GLANCE_REQUEST_ID}


def webob_json(status, title, explanation, detail=""):
    """A webob error body as Glance answers it to ``Accept: application/json``."""
    return {"message": "%s<br /><br />\n%s\n\n" % (explanation, detail), "code": status, "title": title}


def webob_html(status, explanation, detail=""):
    """A webob error page as Glance answers it without ``Accept: application/json``."""
    return ("<html>\n <head>\n  <title>%s</title>\n </head>\n <body>\n  <h1>%s</h1>\n  %s<br /><br />\n%s\n\n\n"
            " </body>\n</html>" % (status, status, explanation, detail)).encode("utf-8")


PROTECTED = webob_json("403 Forbidden", "Forbidden", "Image %s is protected and cannot be deleted." % IMAGE_ID)
NOT_SHARED = webob_json("403 Forbidden", "Forbidden", "Only shared images have members.")
CONFLICT = "There was a conflict when trying to complete your request."
REMOVE_MISSING = webob_json("409 Conflict", "Conflict", CONFLICT, "Property hw_x does not exist.")
ADD_PRESENT = webob_json("409 Conflict", "Conflict", CONFLICT, "Property os_version already present.")
BAD_MARKER = webob_json("400 Bad Request", "Bad Request", "No image found with ID abc")
BAD_LIMIT = webob_json("400 Bad Request", "Bad Request", "limit param must be positive")
READ_ONLY = webob_json("403 Forbidden", "Forbidden", "Attribute &#x27;owner&#x27; is read-only.")


def client(**overrides):
    return ImsClient.from_options(dict(CONNECTION, retries=0, **overrides))


def asks_for_json(request):
    """Glance answers JSON only to ``Accept: application/json`` (the session's header, on every request)."""
    return request.session.headers.get("Accept") == "application/json"


def clean(text):
    assert "<" not in text and ">" not in text and "br" not in text.replace("Bad Request", ""), text
    assert "&#" not in text and "\n" not in text and "  " not in text, text
    return text


@pytest.mark.parametrize("body, expected", [
    (PROTECTED, (None, "Image %s is protected and cannot be deleted." % IMAGE_ID, None, "Forbidden")),
    (NOT_SHARED, (None, "Only shared images have members.", None, "Forbidden")),
    (REMOVE_MISSING, (None, CONFLICT + " Property hw_x does not exist.", None, "Conflict")),
    (BAD_MARKER, (None, "No image found with ID abc", None, "Bad Request")),
    (READ_ONLY, (None, "Attribute 'owner' is read-only.", None, "Forbidden")),
    ({"message": "", "code": "404 Not Found", "title": "Not Found"}, (None, None, None, "Not Found")),
    ({"message": "404 Not Found: nothing here", "code": "404 Not Found"}, (None, "nothing here", None, "Not Found")),
])
def test_a_glance_json_body_is_its_text_and_the_status_words_once(body, expected):
    assert parse_error_body(json.dumps(body)) == expected
    assert clean(parse_error_body(json.dumps(body)).message or "x") is not None


def test_a_glance_html_page_is_its_text_without_the_title_and_heading():
    body = webob_html("404 Not Found", "No image found with ID abc").decode("utf-8")
    assert parse_error_body(body) == (None, "No image found with ID abc", None, "Not Found")


def test_the_glance_request_id_header_is_read_and_ims_s_wins():
    assert request_id_of(CaseInsensitiveDict({"x-openstack-request-id": GLANCE_REQUEST_ID})) == GLANCE_REQUEST_ID
    assert request_id_of(CaseInsensitiveDict({"X-Request-Id": "r1", "x-openstack-request-id": "req-2"})) == "r1"


# -- through the transport, as the modules see them ---------------------------------------------


def test_a_protected_delete_refused_by_glance_reads_cleanly(http):
    http.expect(Call("DELETE", "/v2/images/" + IMAGE_ID, status=403, answer=PROTECTED, request_id=None,
                     answer_headers=GLANCE_HEADERS, check=asks_for_json))
    with pytest.raises(ImsApiError) as err:
        client().delete_image(IMAGE_ID)
    assert clean(str(err.value)) == (
        "DELETE /v2/images/%s failed: HTTP 403 Forbidden: Image %s is protected and cannot be deleted. "
        "(request id: %s)" % (IMAGE_ID, IMAGE_ID, GLANCE_REQUEST_ID))
    assert (err.value.code, err.value.reason, err.value.request_id) == (None, "Forbidden", GLANCE_REQUEST_ID)


def test_a_glance_html_not_found_reads_cleanly(http):
    http.expect(Call("DELETE", "/v2/images/abc", status=400, raw=webob_html("400 Bad Request", "Bad image id abc"),
                     request_id=None, answer_headers=dict(GLANCE_HEADERS, **{"Content-Type": "text/html"})))
    with pytest.raises(ImsApiError) as err:
        client().delete_image("abc")
    assert clean(str(err.value)) == ("DELETE /v2/images/abc failed: HTTP 400 Bad Request: Bad image id abc "
                                     "(request id: %s)" % GLANCE_REQUEST_ID)


def test_a_glance_html_404_is_not_found(http):
    http.expect(Call("GET", "/v2/images/abc", status=404, raw=webob_html("404 Not Found", "No image found with ID abc"),
                     request_id=None, answer_headers=GLANCE_HEADERS))
    assert client().get_image("abc") is None


@pytest.mark.parametrize("body, text", [
    (REMOVE_MISSING, "HTTP 409 Conflict: " + CONFLICT + " Property hw_x does not exist."),
    (ADD_PRESENT, "HTTP 409 Conflict: " + CONFLICT + " Property os_version already present."),
    (READ_ONLY, "HTTP 403 Forbidden: Attribute 'owner' is read-only."),
])
def test_a_refused_glance_patch_reads_cleanly(http, body, text):
    http.expect(Call("PATCH", "/v2/images/" + IMAGE_ID, status=int(body["code"][:3]), answer=body, request_id=None,
                     answer_headers=GLANCE_HEADERS))
    with pytest.raises(ImsApiError) as err:
        client().update_image(IMAGE_ID, [{"op": "remove", "path": "/hw_x"}])
    assert clean(str(err.value)) == "PATCH /v2/images/%s failed: %s (request id: %s)" % (IMAGE_ID, text, GLANCE_REQUEST_ID)


@pytest.mark.parametrize("body, text", [
    (BAD_MARKER, "HTTP 400 Bad Request: No image found with ID abc"),
    (BAD_LIMIT, "HTTP 400 Bad Request: limit param must be positive"),
])
def test_a_listing_glance_refuses_reads_cleanly(http, body, text):
    http.expect(Call("GET", "/v2/images", query={("owner", CONNECTION["project_id"]), ("limit", "1000")}, status=400,
                     answer=body, request_id=None, answer_headers=GLANCE_HEADERS))
    with pytest.raises(ImsApiError) as err:
        list(client().iter_images([("owner", CONNECTION["project_id"])]))
    assert clean(str(err.value)) == "GET /v2/images failed: %s (request id: %s)" % (text, GLANCE_REQUEST_ID)


def test_a_member_glance_refuses_reads_cleanly(http):
    http.expect(Call("POST", "/v2/images/%s/members" % IMAGE_ID, status=403, answer=NOT_SHARED, request_id=None,
                     answer_headers=GLANCE_HEADERS))
    with pytest.raises(ImsApiError) as err:
        client().add_member(IMAGE_ID, "p2")
    assert clean(str(err.value)) == ("POST /v2/images/%s/members failed: HTTP 403 Forbidden: Only shared images have "
                                     "members. (request id: %s)" % (IMAGE_ID, GLANCE_REQUEST_ID))


def test_ims_bodies_read_as_before(http):
    http.expect(Call("DELETE", "/v2/images/" + IMAGE_ID, status=400, request_id="r1",
                     answer=ims_error("IMG.0028", "The image is protected.")))
    with pytest.raises(ImsApiError) as err:
        client().delete_image(IMAGE_ID)
    assert str(err.value) == ("DELETE /v2/images/%s failed: HTTP 400 IMG.0028: The image is protected. "
                              "(request id: r1)" % IMAGE_ID)
