"""The native image API's routes: URL pattern -> the ``NativeResponses`` method that answers it
(ims-native-api.md 0 "The (New) /v2.1 variants": the same models as the old paths)."""

from ..core.routing import UrlPath
from .native import NativeResponses

URL_PATHS = [
    UrlPath("POST", r"/v2/cloudimages/action", "POST /v2/cloudimages/action", NativeResponses.create_image),
    UrlPath("POST", r"/v2\.1/cloudimages/action", "POST /v2.1/cloudimages/action", NativeResponses.create_image),
    UrlPath("POST", r"/v1/cloudimages/wholeimages/action", "POST /v1/cloudimages/wholeimages/action",
            NativeResponses.create_whole_image),
    UrlPath("POST", r"/v1/cloudimages/dataimages/action", "POST /v1/cloudimages/dataimages/action",
            NativeResponses.create_data_image),
    UrlPath("POST", r"/v2\.1/cloudimages/dataimages/action", "POST /v2.1/cloudimages/dataimages/action",
            NativeResponses.create_data_image),
    UrlPath("POST", r"/v2/cloudimages/quickimport/action", "POST /v2/cloudimages/quickimport/action",
            NativeResponses.import_image_quick),
    UrlPath("POST", r"/v2\.1/cloudimages/quickimport/action", "POST /v2.1/cloudimages/quickimport/action",
            NativeResponses.import_image_quick),
    UrlPath("GET", r"/v1/(?P<project_id>[^/]+)/jobs/(?P<job_id>[^/]+)", "GET /v1/{project_id}/jobs/{job_id}",
            NativeResponses.show_job),
    UrlPath("GET", r"/v1/cloudimages/job/(?P<job_id>[^/]+)", "GET /v1/cloudimages/job/{job_id}",
            NativeResponses.show_job_progress),
]
