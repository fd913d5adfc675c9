"""IAM's routes: URL pattern -> the ``IamResponses`` method that answers it.

None is authenticated by the gateway: ``GET /v3`` needs nothing, ``POST /v3/auth/tokens``
is how a token is got, and ``GET /v3/auth/tokens`` checks its ``X-Auth-Token`` itself, with
IAM's error shape, as do the projects calls (AK/SK without ``X-Project-Id``, or a token).
"""

from ..core.routing import UrlPath
from .responses import IamResponses

URL_PATHS = [
    UrlPath("GET", r"/v3/?", "GET /v3", IamResponses.show_version, authenticated=False),
    UrlPath("POST", r"/v3/auth/tokens", "POST /v3/auth/tokens", IamResponses.issue_token,
            authenticated=False),
    UrlPath("GET", r"/v3/auth/tokens", "GET /v3/auth/tokens", IamResponses.validate_token,
            authenticated=False),
    UrlPath("GET", r"/v3/projects", "GET /v3/projects", IamResponses.list_projects, authenticated=False),
    UrlPath("GET", r"/v3/auth/projects", "GET /v3/auth/projects", IamResponses.list_auth_projects,
            authenticated=False),
]
