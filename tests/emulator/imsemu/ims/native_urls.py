"""The native create API's routes: URL pattern -> the ``NativeResponses`` method that answers it.

Three creates also have a "(New)" ``/v2.1/...`` path with the same models as the old one
(ims-native-api.md 0, "The (New) /v2.1 variants"); both answer alike.
"""

import re

from ..core.routing import UrlPath
from .native import NativeResponses

WITH_V21 = [  # (the old path, its action): each also under /v2.1
    ("/v2/cloudimages/action", NativeResponses.create_image),
    ("/v1/cloudimages/dataimages/action", NativeResponses.create_data_image),
    ("/v2/cloudimages/quickimport/action", NativeResponses.import_image_quick),
]

URL_PATHS = [
    UrlPath("POST", re.escape(path), "POST " + path, function)
    for old_path, function in WITH_V21 for path in (old_path, "/v2.1" + old_path[3:])
] + [
    UrlPath("POST", r"/v1/cloudimages/wholeimages/action", "POST /v1/cloudimages/wholeimages/action",
            NativeResponses.create_whole_image),
    UrlPath("GET", r"/v1/(?P<project_id>[^/]+)/jobs/(?P<job_id>[^/]+)", "GET /v1/{project_id}/jobs/{job_id}",
            NativeResponses.show_job),
    UrlPath("GET", r"/v1/cloudimages/job/(?P<job_id>[^/]+)", "GET /v1/cloudimages/job/{job_id}",
            NativeResponses.show_job_progress),
]
