"""IAM's routes: URL pattern -> the ``IamResponses`` method that answers it.

None is authenticated by the gateway: ``GET /v3`` needs nothing, ``POST /v3/auth/tokens``
is how a token is got, and ``GET /v3/auth/tokens`` checks its ``X-Auth-Token`` itself, with
IAM's error shape.
"""

from ..core.routing import UrlPath
from .responses import IamResponses

URL_PATHS = [
    UrlPath("GET", r"/v3/?", "GET /v3", IamResponses.show_version, authenticated=False),
    UrlPath("POST", r"/v3/auth/tokens", "POST /v3/auth/tokens", IamResponses.issue_token,
            authenticated=False),
    UrlPath("GET", r"/v3/auth/tokens", "GET /v3/auth/tokens", IamResponses.validate_token,
            authenticated=False),
]
