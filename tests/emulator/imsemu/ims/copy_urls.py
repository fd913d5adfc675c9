"""The copy routes (README "Copies"): URL pattern -> the ``CopyResponses`` method that answers it.

The in-region copy also has its "(New)" ``/v2.1/...`` path, with the same models (ims-native-api.md 0);
the SDK has no v2.1 cross-region copy.
"""

from ..core.routing import UrlPath
from .copies import CopyResponses

URL_PATHS = [
    UrlPath("POST", r"/v1/cloudimages/(?P<image_id>[^/]+)/copy", "POST /v1/cloudimages/{image_id}/copy",
            CopyResponses.copy_in_region),
    UrlPath("POST", r"/v2\.1/cloudimages/(?P<image_id>[^/]+)/copy", "POST /v2.1/cloudimages/{image_id}/copy",
            CopyResponses.copy_in_region),
    UrlPath("POST", r"/v1/cloudimages/(?P<image_id>[^/]+)/cross_region_copy",
            "POST /v1/cloudimages/{image_id}/cross_region_copy", CopyResponses.copy_cross_region),
]
