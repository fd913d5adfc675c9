"""The image API's routes: URL pattern -> the ``ImsResponses`` method that answers it.

Patterns match the raw path; the groups are percent-decoded into ``ctx.params``. The names
are the route names of the statistics (README "The control surface").
"""

from ..core.routing import UrlPath
from .responses import ImsResponses

IMAGE = r"/v2/images/(?P<id>[^/]+)"
TAG = IMAGE + r"/tags/(?P<tag>[^/]*)"
MEMBERS = IMAGE + r"/members"
MEMBER = MEMBERS + r"/(?P<member>[^/]+)"

URL_PATHS = [
    # Version discovery is unauthenticated (README "Version documents and schemas"); the schemas are not.
    UrlPath("GET", r"/", "GET /", ImsResponses.list_versions, authenticated=False),
    UrlPath("GET", r"/v2/?", "GET /v2", ImsResponses.list_versions, authenticated=False),
] + [
    UrlPath("GET", r"/v2/schemas/(?P<schema>%s)" % name, "GET /v2/schemas/" + name, ImsResponses.show_schema)
    for name in ("image", "images", "member", "members")
] + [
    UrlPath("GET", r"/v2/images", "GET /v2/images", ImsResponses.list_images),
    UrlPath("POST", r"/v2/images", "POST /v2/images", ImsResponses.create_image),
    UrlPath("GET", IMAGE, "GET /v2/images/{id}", ImsResponses.show_image),
    UrlPath("PATCH", IMAGE, "PATCH /v2/images/{id}", ImsResponses.update_image),
    UrlPath("DELETE", IMAGE, "DELETE /v2/images/{id}", ImsResponses.delete_image),
    UrlPath("PUT", IMAGE + r"/file", "PUT /v2/images/{id}/file", ImsResponses.upload_file, streams_body=True),
    UrlPath("GET", IMAGE + r"/file", "GET /v2/images/{id}/file", ImsResponses.download_file),
    UrlPath("PUT", TAG, "PUT /v2/images/{id}/tags/{tag}", ImsResponses.add_tag),
    UrlPath("DELETE", TAG, "DELETE /v2/images/{id}/tags/{tag}", ImsResponses.remove_tag),
    UrlPath("GET", MEMBERS, "GET /v2/images/{id}/members", ImsResponses.list_members),
    UrlPath("POST", MEMBERS, "POST /v2/images/{id}/members", ImsResponses.add_member),
    UrlPath("GET", MEMBER, "GET /v2/images/{id}/members/{pid}", ImsResponses.show_member),
    UrlPath("PUT", MEMBER, "PUT /v2/images/{id}/members/{pid}", ImsResponses.update_member),
    UrlPath("DELETE", MEMBER, "DELETE /v2/images/{id}/members/{pid}", ImsResponses.remove_member),
] + [
    # The native API (README "The native API").
    UrlPath("GET", r"/v2/cloudimages", "GET /v2/cloudimages", ImsResponses.list_native_images),
    UrlPath("GET", r"/v1/cloudimages/quota", "GET /v1/cloudimages/quota", ImsResponses.show_quota),
    UrlPath("GET", r"/v1/cloudimages/os_version", "GET /v1/cloudimages/os_version", ImsResponses.list_os_versions),
]
