"""IAM's routes: URL pattern -> the ``IamResponses`` method that answers it."""

from ..core.routing import UrlPath
from .responses import IamResponses

URL_PATHS = [
    UrlPath("POST", r"/v3/auth/tokens", "POST /v3/auth/tokens", IamResponses.issue_token,
            authenticated=False),
]
